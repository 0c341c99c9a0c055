"""What the learning-rate sweep page says: every sentence, label and table whose content
depends on a result, as pure functions (numbers or dlcore results in, text, frames or
frozen dataclasses out), and the page's fixed wording. No Streamlit."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ui import glossary
from ui.format import fmt
from ui.lessons import LessonField
from ui.sources import cite

MODES = {"gap": "loss − optimum < tol", "absolute": "loss < tol"}
SCHED_INFO = {
    "constant": ("no scheduler", "The same rate for every step — the article's loops."),
    "step": ("torch.optim.lr_scheduler.StepLR", "Divide the rate by 10 every third of the run: lr, lr/10, lr/100."),
    "exponential": ("torch.optim.lr_scheduler.ExponentialLR",
                    "Multiply the rate by γ every step, γ chosen so it ends at lr/100."),
    "cosine": ("torch.optim.lr_scheduler.CosineAnnealingLR",
               "Glide from lr down to 0 along half a cosine wave (T_max = the run's length)."),
    "onecycle": ("torch.optim.lr_scheduler.OneCycleLR",
                 "Warm up from lr/25 to lr over the first 30% of the run, then anneal to lr/250 000."),
}
RULES = {
    "valley": "fastai's default: a point well inside the longest stretch where the smoothed loss keeps falling.",
    "steep": "where the smoothed loss falls fastest per decade of rate (pytorch-lr-finder's rule; skips the "
             "first 10 and last 5 points).",
    "min/10": "a tenth of the rate at the lowest smoothed loss — the loss is lowest just before it blows up, "
              "so back off by 10×.",
}

ARTICLE = cite("002")      # the article whose learning-rate table the page measures
LEAD = ("Train the same model at up to 300 learning rates **at once** and measure how many steps each needs "
        f"to converge — then hold the result against the learning-rate table of {ARTICLE}, against what theory "
        "predicts, and against the tools practitioners use to pick a rate.")
ARTICLE_TITLE = f"The table of {ARTICLE}, measured"
MODE_HELP = ("From which step on the loss stays within the tolerance for the rest of the run. "
             "For the purchase problems no exact optimum is known: 'optimum' then means the "
             "lowest loss any rate reached in this sweep.")
OPT_HELP = ("torch.optim with its default hyperparameters "
            "(Momentum and Nesterov: momentum 0.9; AdamW: weight decay 0.01).")
BATCH_HELP = ("A batch smaller than the training set means shuffled mini-batches "
              "(the purchase problems have 800 records, the line fits 4).")
CHECK_TOO_BIG = "Too much work for one request on this problem; lower the steps."
RANGE_TOO_BIG = "The range test needs at least 20 steps; this problem is too large for the budget."
RANGE_REVERSED = "The range test's start rate must be below its end rate; using 1e-7 to 10."


def rate_label(v: float) -> str:
    return f"{v:.3g}"


def steps_text(n) -> str:
    return "—" if n is None else f"{n:,}"


def range_note(lo: float, hi: float) -> str:
    """What happened to a rate range that is empty or reversed."""
    if lo > hi:
        return f"The smallest rate ({lo:g}) must be below the largest ({hi:g}); they were swapped."
    return f"The smallest and largest rate are equal ({lo:g}); sweeping {lo:g} to {lo * 100:g}."


def fewer_rates_note(n_grid: int, n_rates: int) -> str:
    return f"Sweeping {n_grid} rates instead of {n_rates}, to keep the request within the lab's budget."


def edge_sentence(limit: float) -> str:
    """What the divergence limit of plain gradient descent means for the article's 1.0 and 10."""
    if math.isclose(limit, 1.0, rel_tol=1e-6):
        return ("Here 2/λmax is exactly 1.0: at that rate every step jumps to the mirror point on the other side "
                "of the minimum, so the loss never falls — neither 50 steps nor divergence.")
    if limit < 1.0:
        return f"And here every rate above {limit:.4g} diverges, so 1.0 cannot take 50 steps."
    if limit < 10.0:
        return (f"Here the limit is {limit:.4g}: 1.0 is stable and 10 diverges, as the article says — the "
                "step counts are what does not fit.")
    return f"Here the limit is {limit:.4g}: even 10 does not diverge."


def resolution_note(resolution, tol: float) -> str:
    """Why a float32 sweep's step counts are noisy at this tolerance (a Resolution)."""
    return (f"{glossary.link('float32')} stores a loss near {resolution.reference:.6g} only in steps of "
            f"{resolution.spacing:.2g}, and the summed loss carries about ten of those in rounding noise — a "
            f"tolerance of {tol:g} partly measures that noise. Choose float64 under *More settings* for clean step counts.")


def settings_caption(title: str, about: str, optimizer: str, n_runs: int, steps: int, dtype: str, seed: int,
                     batch_size: int | None, n_grid: int | None = None) -> str:
    """``n_grid``: how many of the ``n_runs`` are the swept grid (the rest are the article's
    own rates, trained alongside), so the count matches the headline's "of N"."""
    runs = (f"{n_grid} swept rates + {n_runs - n_grid} of the article's, {n_runs} runs trained together"
            if n_grid is not None and n_grid != n_runs else f"{n_runs} runs trained together")
    return (f"**{title}.** {about} Optimizer: **{optimizer}** · {runs} "
            f"for up to {steps:,} steps · {dtype} · seed {seed}"
            + (f" · mini-batches of {batch_size}" if batch_size else " · full batch") + ".")


# ---------------------------------------------------------------------------------------
# Headline numbers
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Headline:
    """One headline metric: its label, value, the caption under it and its help."""

    label: str
    value: str
    caption: str
    help: str | None = None


def limit_headline(prediction, optimizer: str, edges: dict) -> Headline:
    """Where the sweep diverges: theory's limit when there is one, else the measured edge."""
    limit = prediction.limit
    bracket = []
    if edges["last_stable"] is not None:
        bracket.append(f"stable at {edges['last_stable']:.4g}")
    if edges["first_diverging"] is not None:
        bracket.append(f"diverged at {edges['first_diverging']:.4g}")
    caption = ((f"{limit[1]} · " if limit is not None else "")
               + "measured: " + (", ".join(bracket) if bracket else "no rate diverged") + ".")
    if limit is not None:
        return Headline("Diverges above (theory)", fmt(limit[0], 4), caption,
                        f"{limit[1]} for {optimizer} on this quadratic loss: its largest curvature "
                        f"λmax = {prediction.theory.lambda_max:.4g} sets the limit.")
    return Headline("First rate that diverged",
                    fmt(edges["first_diverging"], 4) if edges["first_diverging"] else "none", caption,
                    "No closed-form limit for this optimizer/problem: this is measured.")


def fastest_headline(value: str, caption: str, prediction) -> Headline:
    """``value``/``caption`` from dlcore.lr_study.fastest_headline, plus theory's best rate."""
    best = (f" · theory's best fixed rate 2/(λmax+λmin) = {prediction.theory.lr_best:.4g}"
            if prediction.plain_sgd else "")
    return Headline("Fastest rate measured", value, caption + best + ".",
                    "The swept rate that reached the tolerance in the fewest steps.")


def counts_headline(edges: dict, n_rates: int, steps: int) -> Headline:
    cnt = edges["counts"]
    return Headline(f"Rates that converged (of {n_rates})", f"{cnt['converged']}",
                    f"{cnt['diverged']} diverged · {cnt['not converged']} not within {steps:,} steps.")


def article_headline(verdict: dict) -> Headline:
    return Headline("Article rows agreeing", f"{verdict['agree']} / 5",
                    "Its shape (larger is faster; 10 diverges): " + ("✓ holds here." if verdict["holds"]
                                                                     else "✗ not here."),
                    "Measured steps within ×/÷ 1.25 of the article's, or both diverge. Details in the first tab.")


# ---------------------------------------------------------------------------------------
# Charts and theory
# ---------------------------------------------------------------------------------------
REFERENCE_TITLES = {"optimum": "loss − optimum", "best in sweep": "loss − best loss in sweep",
                    "zero": "training loss"}


def curve_title(reference_kind: str) -> str:
    """y title of a loss curve measured against the sweep's reference."""
    return REFERENCE_TITLES[reference_kind] + " (log scale)"


def final_title(reference_kind: str) -> str:
    """y title of the final-loss chart."""
    return {"optimum": "final loss − optimum", "best in sweep": "final loss − best loss in sweep",
            "zero": "final loss"}[reference_kind] + " (log scale)"


def chart_legend(prediction, momentum: float, precision_limited: bool, marks: dict) -> str:
    """The caption under the two sweep charts. ``marks`` names each series' mark as the
    charts draw it (ui.charts.sweep.mark_names)."""
    legend = (f"Each dot is one training run. **{marks['diverged']} along the top:** the run diverged (its loss "
              f"has no finite value to plot). **{marks['not converged']}:** not converged within the step budget. "
              f"**{marks['Gradient Descent in PyTorch']}:** the numbers {ARTICLE} claims.")
    if prediction.worst_case_curve:
        legend += (" **Green dashed curve:** theory's worst case for plain gradient descent, "
                   "steps ≤ ln(gap₀/tol) / (−2·ln ρ(η)) with ρ(η) = max|1 − ηλ| — measured dots sit on or "
                   "below it"
                   + (" (here float32 rounding pushes some above it: see the note at the top)." if precision_limited
                      else "."))
    elif prediction.curve is not None:
        plateau = prediction.plateau
        legend += (f" **Green dashed line:** theory for momentum μ = {momentum:g}: between "
                   f"η = {plateau[0]:.3g} and {plateau[1]:.3g} every step shrinks the error by √μ whatever η is, "
                   f"≈ ln(gap₀/tol)/(−ln μ) = {prediction.plateau_steps:.0f} steps.")
    return legend


THEORY_TITLE = "Theory: why rates above a limit diverge, and what sets the speed"
THEORY_INTRO = ("This loss is a quadratic bowl: its curvature (the " + glossary.link("hessian", "Hessian") + " H) is "
                "the same everywhere. Along each " + glossary.link("eigenvalue", "eigenvector") + " of H with "
                "curvature λ, one step of plain gradient descent multiplies the distance to the minimum by "
                "**(1 − ηλ)**.")
THEORY_LATEX = (r"\theta_{t+1}-\theta^\star=(I-\eta H)(\theta_t-\theta^\star)\quad\Rightarrow\quad"
                r"|1-\eta\lambda|<1 \iff \eta<\frac{2}{\lambda}")


def theory_details(prediction, optimizer) -> tuple[str, ...]:
    """The theory expander's paragraphs after the formula (``optimizer``: an OptimizerSpec)."""
    th, limit, plateau = prediction.theory, prediction.limit, prediction.plateau
    out = [f"Here λmax = **{th.lambda_max:.5g}** and λmin = **{th.lambda_min:.5g}** "
           f"({glossary.link('condition-number', 'condition number')} {th.condition:.4g}). The steepest direction "
           f"decides divergence: η > 2/λmax = **{th.lr_diverge:.5g}** blows up. The flattest decides speed: for "
           f"small η each step shrinks the error along it only by 1 − ηλmin, so the steps needed grow like 1/η — **ten times the "
           f"rate, about ten times fewer steps**, as the dots show on the log–log chart. The best fixed rate "
           f"balances the two ends: η* = 2/(λmax + λmin) = **{th.lr_best:.5g}**."]
    if optimizer.name == "sgd" and optimizer.momentum > 0 and limit is not None:
        out.append(f"With momentum μ = {optimizer.momentum:g} the limit moves to **{limit[1]} = "
                   f"{limit[0]:.5g}** (the two-step recurrence of {optimizer.display} stays stable up to there).")
        if plateau is not None:
            out.append(f"And something new happens: for η between (1 − √μ)²/λmin = **{plateau[0]:.4g}** and "
                       f"(1 + √μ)²/λmax = **{plateau[1]:.4g}** every direction spirals in at the same speed, "
                       f"shrinking by √μ = {plateau[2]:.4f} per step **whatever η is** — so the steps needed stop "
                       "depending on the rate: the flat stretch of the chart.")
    elif limit is None:
        out.append(f"**{optimizer.display}** rescales each step by running gradient statistics, so no "
                   "2/λ rule applies to it: its steps are about η in size whatever the curvature.")
    return tuple(out)


def runs_caption(n_grid: int, tol: float, reference_kind: str, reference: float, optimum: float | None) -> str:
    ref_txt = {"optimum": f"the known optimum {optimum:.10g}" if optimum is not None else "",
               "best in sweep": f"the lowest loss any rate reached, {reference:.6g} "
                                "(this problem has no closed-form optimum)",
               "zero": "0 (the loss itself must fall below the tolerance)"}[reference_kind]
    return (f"The {n_grid} rates of the grid and the article's five rates, trained in one call. "
            f"steps_to_converge: the first step from which the loss stays within {tol:g} of {ref_txt}. "
            "diverged_at: the step where the loss became non-finite or exceeded the optimum + 10⁴ × its "
            "starting gap.")


# ---------------------------------------------------------------------------------------
# Article 002's table
# ---------------------------------------------------------------------------------------
ARTICLE_VERDICT = ("**Verdict.** The article's table sketches a true *shape* — too small is slow, larger is faster, "
                   "too large diverges — but its numbers belong to no stated experiment. Measure before you trust a "
                   "learning-rate table: the right rate depends on the problem's curvature, the optimizer and what "
                   "'converged' means.")


def article_intro(title: str, optimizer: str, mode: str, tol: float, steps: int) -> str:
    return (f"{ARTICLE} prints a table *“Learning rate → iterations to convergence”* — but never says "
            "**which model, which optimizer, or when it counts as converged**. Here is what PyTorch "
            f"measures for the settings above ({title}, {optimizer}, "
            f"{MODES[mode].replace('tol', f'{tol:g}')}, at most {steps:,} steps).")


def article_caption(precision_limited: bool, has_theory_column: bool) -> str:
    return ("The article's earlier two-row table (0.001 → 100, 0.01 → 1000 “iterations”) runs the other "
            "way and states no problem either."
            + (" Measured counts above theory's bound are float32 rounding noise (see the note at the top); "
               "in float64 they meet it." if precision_limited and has_theory_column else ""))


def shape_summary(verdict: dict) -> str:
    bad = [c for c, ok in verdict["claims"] if not ok]
    return (f"**{verdict['agree']} of 5 rows agree.** "
            + ("The article's shape holds here: each larger rate is faster and 10 diverges."
               if verdict["holds"] else
               "The article's shape does **not** hold here. Claims that fail: " + "; ".join(bad) + "."))


def speedup_lines(verdict: dict) -> str | None:
    lines = [f"- {lr_a:g} → {lr_b:g}: the article saves **{claimed:.2g}×**; measured **{measured:.3g}×**."
             for lr_a, lr_b, claimed, measured in verdict["speedups"] if measured is not None]
    if not lines:
        return None
    return "**Ten times the rate — how many times fewer steps?**\n" + "\n".join(lines)


def article_theory(prediction, optimizer: str, title: str) -> str:
    """'What theory says' beside the article's table."""
    limit, plateau = prediction.limit, prediction.plateau
    if prediction.plain_sgd:
        return ("**What theory says.** For plain gradient descent on a quadratic, below the best rate, the "
                "steps needed are ≈ ln(gap₀/tol) / (2ηλmin): **ten times the rate gives about ten times fewer "
                "steps** (the worst-case bound falls by at least 10×). The article's 500 → 300 → 150 → 50 "
                "shrinks by only 1.7×, 2× and 3× per tenfold rate — **no quadratic problem, start or "
                "tolerance produces that with gradient descent.** " + edge_sentence(limit[0]))
    if limit is not None:
        txt = (f"**What theory says.** With {optimizer} on this quadratic, rates above "
               f"{limit[1]} = {limit[0]:.4g} diverge.")
        if plateau is not None:
            txt += (f" Between η = {plateau[0]:.3g} and {plateau[1]:.3g} momentum caps the speed: every "
                    f"step shrinks the error by √μ = {plateau[2]:.3f} whatever η is"
                    + (f", ≈ {prediction.plateau_steps:.0f} steps" if prediction.plateau_steps else "")
                    + ". That saturation is the only way to get step counts that fall as slowly as the "
                      "article's — but then they stop falling altogether, and 1.0 → 50 still needs "
                      "1.0 to lie inside the stable range.")
        return txt
    return (f"**What theory says.** No closed form here: {optimizer} on "
            f"{title} has no single curvature and step rule that fixes a limit — "
            "which is exactly why it has to be measured.")


def check_label(n_optimizers: int) -> str:
    return (f"Run the article's five rates for all {n_optimizers} optimizers on this "
            "problem (one batched call) and judge them at six tolerances")


def check_outcome(matrix: pd.DataFrame, steps: int, n_optimizers: int, tols) -> tuple[bool, str]:
    """(holds somewhere, sentence) of the article check's matrix."""
    holds = matrix[matrix["shape holds"]]
    if len(holds):
        where = ", ".join(f"{r.optimizer} at tol {r.tolerance:g}" for r in holds.itertuples())
        return True, f"**The shape holds for:** {where} (within {steps:,} steps)."
    return False, (f"**Nowhere on this problem:** for none of the {n_optimizers} optimizers and none of "
                   f"the tolerances {', '.join(f'{x:g}' for x in tols)} do all of 0.001, 0.01, "
                   f"0.1 and 1.0 converge within {steps:,} steps, each faster than the last, "
                   "while 10 diverges.")


def closest_caption(matrix: pd.DataFrame) -> str | None:
    best = matrix.sort_values(["agree", "compared", "factor off"], ascending=[False, False, True]).head(1)
    if not len(best):
        return None
    b0 = best.iloc[0]
    return (f"Closest to the article: {b0['optimizer']} at tolerance {b0['tolerance']:g} — "
            f"{b0['agree']} of 5 rows agree"
            + (f"; over the {b0['compared']} rate(s) where both converge, the steps are off by "
               f"a factor {b0['factor off']:.2f} on average." if b0["compared"] else
               "; none of the article's step counts is reached."))


def check_table(matrix: pd.DataFrame, tol: float, tols) -> tuple[float, pd.DataFrame]:
    """The check's rows at the tolerance nearest ``tol`` (on a log scale), for display."""
    shown_tol = min(tols, key=lambda x: abs(math.log(x / tol)))
    sub = matrix[matrix["tolerance"] == shown_tol].drop(columns=["tolerance", "compared"])
    return shown_tol, sub.assign(**{"shape holds": sub["shape holds"].map({True: "✓", False: "✗"}),
                                    "factor off": sub["factor off"].map(
                                        lambda v: "—" if pd.isna(v) else f"{v:.2f}×")})


# ---------------------------------------------------------------------------------------
# Loss curves
# ---------------------------------------------------------------------------------------
CURVES_CAPTION = ("A curve that stops early without ✚ reached a loss of exactly 0 (or below the float precision), "
                  "which a log scale cannot show.")


def curve_names(chosen, rows) -> dict:
    """Table row → the curve's name: "role · η = …" (or "η = …" for a rate the learner chose)."""
    return {i: (f"{role} · η = {lr:.3g}" if role != "chosen" else f"η = {lr:.3g}")
            for (role, lr), i in zip(chosen, rows)}


def curve_rows(chosen, rows, table: pd.DataFrame) -> pd.DataFrame:
    """The table under the loss curves: one row per curve, from the sweep's table."""
    names = curve_names(chosen, rows)
    out = []
    for i in rows:
        r = table.iloc[i]
        out.append({"run": names[i], "status": r["status"],
                    "steps to converge": steps_text(None if pd.isna(r["steps_to_converge"])
                                                    else int(r["steps_to_converge"])),
                    "final loss": fmt(r["final_loss"]),
                    # one type per column (text), so the table reaches the browser as Arrow
                    "diverged at step": "—" if pd.isna(r["diverged_at"]) else str(int(r["diverged_at"]))})
    return pd.DataFrame(out)


def role_bullets(chosen, rows, table: pd.DataFrame, fastest: float | None, steps: int, optimizer: str) -> str:
    """Why each automatically picked rate is too small, good or too large."""
    good_why = ("the fastest rate of the sweep" if fastest else
                f"no rate converged within {steps:,} steps: the one with the lowest final loss")
    large = [table.iloc[i] for (role, _), i in zip(chosen, rows) if role == "too large"]
    bullets = {
        "too small": "- **Too small** (a tenth of the good rate): every step is timid; the loss falls, but "
                     "it needs many more steps.",
        "good": f"- **Good** ({good_why}): big steps that still shrink the error every time.",
        "too large": ("- **Too large** (the first rate above the good one that diverged): steps overshoot "
                      "the valley floor and land higher up the other side — the loss grows until it "
                      "blows up (✚)." if large and large[0]["status"] == "diverged" else
                      f"- **Too large** (the largest rate swept — none diverged with {optimizer}): "
                      "compare how it ends with the good rate."),
    }
    return "\n".join(bullets[role] for role, _ in chosen)


# ---------------------------------------------------------------------------------------
# Range test
# ---------------------------------------------------------------------------------------
RANGE_INTRO = ("For a network no formula gives " + glossary.link("lambda-max", "2/λmax") + ". The "
               + glossary.link("range-test", "range test") + " instead trains **once**, multiplying the rate "
               "by a constant factor every step, from tiny to huge, and records the loss. While the rate is too "
               "small nothing happens; then the loss drops; then it blows up. It stops once the smoothed loss passes "
               "4× its best, and suggests a rate from the curve.")
RANGE_NO_SUGGESTION = ("The test stopped too early to suggest a rate (the loss blew up within 3 steps): "
                       "lower the start rate.")
FAILURE_MODES = (
    "- **No rule always works** (pytorch-lr-finder issue #56): the three rules read the same curve "
    "differently, and they can be orders of magnitude apart — as they may be above.\n"
    "- **Early spikes fool 'steep'**: noise at the start of a mini-batch curve can look like the "
    "steepest descent. Smoothing helps, but it also **lags**: the smoothed curve reacts late, "
    "which shifts every suggestion to a larger rate.\n"
    "- **The test is short**: the loss it sees after 100 steps is not the loss after training; a "
    "rate that helps in the first steps can be too large later (and vice versa).\n"
    "- **It depends on everything else**: batch size, optimizer, initialisation. Re-run it when "
    "you change them.\n"
    "- **Tiny data sets** (the sum-of-three network has 3 examples) give jumpy curves where a "
    "single step changes the picture.\n\n"
    "That is why the next chart **checks** the suggestion by training with it.")
VERIFY_CAPTION = "Three runs trained together, same seed (same initial weights and batch order)."
RANGE_SCRIPT_CAPTION = ("The script below is the test's training run (ExponentialLR grows the rate every step); "
                        "smoothing and suggestions are computed from its losses as described above.")


def range_caption(result, optimizer: str, title: str, batch_size: int | None) -> str:
    """How the range test ran and stopped (``result``: dlcore's range-test result)."""
    stop = (f"stopped at step {result.stopped_at} (η = {result.table['lr'].iloc[-1]:.3g}) when the smoothed loss "
            f"passed 4× its best ({result.best_loss:.4g})" if result.stopped_at is not None else
            f"ran all {len(result.table)} steps without the loss passing 4× its best")
    return (f"{optimizer} on {title} · " + (f"mini-batches of {batch_size}" if batch_size else "full batch")
            + f" · the test {stop}. Raw loss: the loss of each step's batch, as fastai records it; smoothed: "
            f"its {glossary.link('ema', 'exponential moving average')} (β = 0.98), debiased like fastai's.")


def suggestion_lines(suggestions: dict) -> str:
    return "\n".join(f"- **{k} → η = {v:.3g}** — {RULES[k]}" for k, v in suggestions.items())


def verify_heading(rule: str, lr: float) -> str:
    return f"### Does the {rule} suggestion η = {lr:.3g} train well?"


def verification_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The three verification runs' final losses (full precision, for the table and CSV)."""
    vt = pd.DataFrame({"run": summary["label"], "final training loss": summary["final_loss"],
                       "final test loss": summary.get("final_test_loss", math.nan)})
    if summary["diverged_at"].notna().any():
        vt["diverged at step"] = summary["diverged_at"].map(lambda v: "—" if pd.isna(v) else str(int(v)))
    return vt


def verification_sentence(best: int, final_loss: float, steps: int) -> str:
    """Which of ÷ 10, suggested, × 10 (index ``best``) trained best."""
    msg = ("the suggested rate itself" if best == 1 else
           "10× **smaller** than suggested" if best == 0 else "10× **larger** than suggested")
    return f"After {steps:,} steps the lowest training loss comes from **{msg}** ({fmt(final_loss, 4)})."


# ---------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------
SCHEDULES_WHY = ("On a full-batch convex problem a well-tuned constant rate is hard to beat — decaying it "
                 "mostly slows the end. Schedules earn their keep when gradients are **noisy** (mini-batches: "
                 "try the purchase MLP with batch size 32) or the start is rough: a large rate early makes fast "
                 "progress, a small rate late lets the weights settle instead of bouncing around in the noise, "
                 "and a warm-up (one-cycle) survives a peak rate that would diverge from the first step.")
ONECYCLE_NOTE = ("One-cycle here uses **cycle_momentum=False**: by default torch's OneCycleLR also cycles the "
                 "momentum between 0.85 and 0.95 — with plain SGD that silently switches momentum on, and with "
                 "AdaGrad it raises an error. Keeping momentum fixed means a schedule changes exactly one thing: "
                 "the rate.")
SCHEDULES_INTRO = ("A " + glossary.link("schedule", "learning-rate schedule") + " changes the rate as training goes "
                   "on. Five of torch's schedulers, trained together from the same weights:")
SCHEDULE_LIST = "\n".join(f"- **{k}** ({v[0].rsplit('.', 1)[-1]}): {v[1]}" for k, v in SCHED_INFO.items())


def auto_rate_label(fastest: float | None, auto: float):
    """format_func of the base-rate slider: 0 means the automatic rate."""
    what = "the fastest rate of the sweep" if fastest else "the sweep's rate with the lowest loss"
    return lambda v: f"auto: {what} ({auto:.3g})" if v == 0 else f"{v:g}"


def schedule_table(kinds, outcome) -> pd.DataFrame:
    """One row per schedule: its torch scheduler, steps to converge, final loss."""
    return pd.DataFrame({
        "schedule": list(kinds),
        "torch": [SCHED_INFO[k][0] for k in kinds],
        "steps to converge": [steps_text(c) if c >= 0 and not d else ("diverged" if d else "—")
                              for c, d in zip(outcome.converged_at, outcome.diverged)],
        "final loss": [fmt(v) for v in outcome.final_loss],
    })


def schedule_facts(kinds, outcome, optimizer: str, base: float) -> str:
    facts = [f"All five start from the same weights with {optimizer} and peak rate η = {base:.3g}."]
    if outcome.at_start:
        facts.append("The loss is within the tolerance before any step, so step counts cannot tell the schedules "
                     "apart: choose a smaller tolerance to compare their speed.")
    elif outcome.fastest is not None:
        n_fast, k = outcome.fastest
        facts.append(f"**Fastest to the tolerance: {kinds[k]}** ({n_fast:,} steps).")
    if outcome.lowest is not None:
        facts.append(f"**Lowest final loss: {kinds[outcome.lowest]}** ({fmt(outcome.final_loss[outcome.lowest], 4)}).")
    if any(outcome.diverged):
        facts.append("Diverged: " + ", ".join(k for k, d in zip(kinds, outcome.diverged) if d) + ".")
    return " ".join(facts)


# ---------------------------------------------------------------------------------------
# What lessons may check (ui/lesson_fields.py collects LESSON_FIELDS)
# ---------------------------------------------------------------------------------------
_STEPS = "steps until the loss stays within the tolerance, at η = {} (inf: not converged or diverged)"
LESSON_FIELDS = {
    "problem": LessonField("text", "the problem swept (line, study, study_std, bowl, rosenbrock, sum3, logistic, mlp)"),
    "optimizer": LessonField("text", "the optimizer (SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad, RMSprop)"),
    "steps_at_0_001": LessonField("number", _STEPS.format("0.001"), "steps"),
    "steps_at_0_01": LessonField("number", _STEPS.format("0.01"), "steps"),
    "steps_at_0_1": LessonField("number", _STEPS.format("0.1"), "steps"),
    "steps_at_1": LessonField("number", _STEPS.format("1"), "steps"),
    "diverges_at_1": LessonField("bool", "η = 1 diverged"),
    "diverges_at_10": LessonField("bool", "η = 10 diverged"),
    "first_diverging": LessonField("number", "the smallest swept rate that diverged (inf: none did)", "η"),
    "last_stable": LessonField("number", "the largest swept rate below it that did not diverge (nan: none)", "η"),
    "limit": LessonField("number", "theory's divergence limit, e.g. 2/λmax (nan: no closed form)", "η"),
    "fastest_lr": LessonField("number", "the swept rate that converged in the fewest steps (nan: none)", "η"),
    "fastest_steps": LessonField("number", "its steps (nan: none)", "steps"),
    "converged": LessonField("number", "how many rates of the grid converged", "rates"),
    "article_agree": LessonField("number", "rows of the article's table the sweep agrees with (of 5)", "rows"),
    "shape_holds": LessonField("bool", "the article's shape holds: larger is faster and 10 diverges"),
    "suggested_lr": LessonField("number", "the range test's suggestion being checked (nan: Range test tab closed)",
                                "η"),
    "check_best": LessonField("number", "which check trained lowest: 0 = suggestion ÷ 10, 1 = the suggestion, "
                                        "2 = × 10 (nan: Range test tab closed or nothing trained)"),
}


def _steps_at(table: pd.DataFrame, lr: float) -> float:
    row = table[(table["lr"] - lr).abs() <= 1e-9 * lr]
    if not len(row) or row["status"].iloc[0] != "converged":
        return math.inf
    return float(row["steps_to_converge"].iloc[0])


def _diverges_at(table: pd.DataFrame, lr: float) -> bool:
    row = table[(table["lr"] - lr).abs() <= 1e-9 * lr]
    return bool(len(row)) and row["status"].iloc[0] == "diverged"


def lesson_values(study, suggested_lr: float = math.nan, check_best: float = math.nan) -> dict:
    """Every LESSON_FIELDS value of one sweep (a ui.compute.lr_sweep.SweepStudy), plus the
    range test's check when its tab ran."""
    t, e, p = study.table, study.edges, study.plan
    limit = study.prediction.limit
    nan = math.nan
    return {
        "problem": p.problem_key, "optimizer": p.optimizer.display,
        "steps_at_0_001": _steps_at(t, 0.001), "steps_at_0_01": _steps_at(t, 0.01),
        "steps_at_0_1": _steps_at(t, 0.1), "steps_at_1": _steps_at(t, 1.0),
        "diverges_at_1": _diverges_at(t, 1.0), "diverges_at_10": _diverges_at(t, 10.0),
        "first_diverging": e["first_diverging"] if e["first_diverging"] is not None else math.inf,
        "last_stable": e["last_stable"] if e["last_stable"] is not None else nan,
        "limit": limit[0] if limit is not None else nan,
        "fastest_lr": e["fastest"] if e["fastest"] is not None else nan,
        "fastest_steps": float(e["fastest_steps"]) if e["fastest_steps"] is not None else nan,
        "converged": float(e["counts"]["converged"]),
        "article_agree": float(study.verdict["agree"]), "shape_holds": bool(study.verdict["holds"]),
        "suggested_lr": float(suggested_lr), "check_best": float(check_best),
    }
