"""What the Loss explorer says about a line and a gradient-descent run: pure functions,
results in, text out (unit-tested in tests/test_text_loss_explorer.py)."""
from __future__ import annotations

from dataclasses import dataclass

from dlcore.theory import QuadraticTheory
from ui import glossary
from ui.format import fmt, short
from ui.text.gradient_descent import Message, Metric


@dataclass(frozen=True)
class Card:
    name: str
    formula: str          # LaTeX
    value: str
    note: str


@dataclass(frozen=True)
class Names:
    """What x and y are called on the page: the article's study hours and exam scores, or
    the columns of the learner's own data."""
    x: str = "hours"                # in formulas: score = m · hours + c
    y: str = "score"
    x_title: str = "study hours"    # axis titles
    y_title: str = "exam score"
    unit: str = "h"                 # after an x value ("10 h")
    slope_unit: str = "points per hour"
    y_unit: str = "points"

    @classmethod
    def of_columns(cls, x: str, y: str) -> "Names":
        """Names for a learner's columns: one line, at most 40 characters; ``x``/``y`` (used in
        Markdown sentences) with Markdown punctuation escaped, the titles (charts) plain."""
        from ui.format import md_escape

        def clean(v):
            v = " ".join("".join(ch if ch.isprintable() else " " for ch in str(v)).split())
            return (v[:39] + "…") if len(v) > 40 else (v or "?")
        xt, yt = clean(x), clean(y)
        xm, ym = md_escape(xt), md_escape(yt)
        return cls(x=xm, y=ym, x_title=xt, y_title=yt, unit="", slope_unit=f"{ym} per unit of {xm}",
                   y_unit=f"units of {ym}")


ARTICLE_NAMES = Names()


def intro(article: str, own_rows: int | None = None, names: Names = ARTICLE_NAMES) -> str:
    """The page's lead under its title. ``article`` is the cited title of the article the
    example comes from; ``own_rows`` the number of rows of the learner's own table in use
    (None: the article's four students, or the learner's edits of them)."""
    if own_rows is None:
        return ("Four students studied **10, 20, 30 and 40 hours** and scored **480, 520, 710 and 680**. "
                f"{article} (“the article” below) guesses the line **score = 9 · hours + 350** and measures "
                "how wrong it is with the **mean squared error**. Edit the data, move the line, compare four "
                "ways of measuring the errors — then let gradient descent find the best line, and see why it "
                "struggles unless the hours are rescaled.")
    return (f"**Your own data:** {own_rows:,} points of *{names.y}* against *{names.x}*. Move a line by hand "
            "and measure how wrong it is with the **mean squared error** and three other losses — then let "
            "gradient descent find the best line, and see whether it needs the inputs rescaled. "
            f"The built-in example, four students' study hours and exam scores from {article}, comes back "
            "with “Use the built-in data again”.")


def predictions_caption(m: float, c: float, predictions, names: Names = ARTICLE_NAMES) -> str:
    preds = list(predictions)
    return (f"Line: {names.y} = {fmt(m, 6)} · {names.x} + {fmt(c, 6)}. Predictions: "
            + ", ".join(fmt(v, 6) for v in preds[:8]) + (" …" if len(preds) > 8 else "") + ".")


def drawn_caption(n: int, drawn: int) -> str:
    """Said under a chart that draws a sample of many points."""
    if drawn >= n:
        return ""
    return (f"The chart draws {drawn:,} of the {n:,} points (a fixed random sample, so it does not flicker); "
            f"every loss, the best line and gradient descent use all {n:,}.")


def overflow_text(reason: str) -> str:
    """The state shown instead of numbers when the data's losses overflow float64."""
    return ("**Overflow.** " + reason
            + " The data is drawn; the losses, the landscape and gradient descent return once the values fit.")


DIGITS = 5      # significant figures of a loss on screen: the whole number always shows (issue 14 #3)


def loss_value(v: float) -> str:
    """A loss as a metric or card shows it: the whole number always, at most 5 significant
    figures, three from a million up (2675, 2017.5, 51.72, 128475, 2.5e11), so it fits a quarter of a laptop's or a
    phone's width; the help and the table keep the full value. Beyond float64 (inf, NaN): "overflow"."""
    import math
    if not math.isfinite(v):
        return "overflow"
    return short(v, DIGITS if abs(v) < 1e6 else 3)


def loss_metrics(losses: dict, delta: float, names: Names = ARTICLE_NAMES) -> tuple[Metric, ...]:
    exact = lambda k: f" Exactly {fmt(losses[k], 10)}."  # noqa: E731
    back = "exam points" if names == ARTICLE_NAMES else f"the units of {names.y}"
    return (
        Metric("MSE", loss_value(losses["MSE"]),
               "mean of the squared residuals — what the article computes." + exact("MSE")),
        Metric("RMSE", loss_value(losses["RMSE"]), f"√MSE: back in {back}." + exact("RMSE")),
        Metric("MAE", loss_value(losses["MAE"]), "mean of the absolute residuals." + exact("MAE")),
        Metric(f"Huber (δ = {delta:g})", loss_value(losses["Huber"]),
               "½r² for small residuals (|r| ≤ δ), δ(|r| − ½δ) beyond: squared near the line, absolute far off."
               + exact("Huber")),
    )


def loss_cards(losses: dict, delta: float, names: Names = ARTICLE_NAMES) -> tuple[Card, ...]:
    v = lambda k: loss_value(losses[k])  # noqa: E731
    if names == ARTICLE_NAMES:
        sq, unit = "points² — the article's loss", "exam points"
    else:
        sq, unit = f"({names.y})² — the article's loss, squared errors", f"units of {names.y}"
    return (
        Card("MSE", r"\tfrac{1}{n}\sum r_i^2", v("MSE"), f"{sq}; big errors dominate"),
        Card("RMSE", r"\sqrt{\text{MSE}}", v("RMSE"), f"{unit} — a typical error's size"),
        Card("MAE", r"\tfrac{1}{n}\sum |r_i|", v("MAE"), f"{unit} — every error counts by its size"),
        Card(f"Huber, δ = {delta:g}", r"\tfrac{1}{n}\sum h_\delta(r_i)", v("Huber"),
             "squared near the line, absolute far from it"),
    )


def best_line_metrics(best: tuple[float, float, float], my_mse: float,
                      names: Names = ARTICLE_NAMES) -> tuple[Metric, Metric, str | None]:
    """The least-squares line, its MSE, and how much lower that is than the learner's."""
    m, c, mse = best
    delta = f"{loss_value(mse - my_mse)} vs your line" if abs(mse - my_mse) > 1e-9 else None
    x = names.x if names == ARTICLE_NAMES else "x"       # a metric holds ~18 characters: own columns are "x"
    return (Metric("best line (least squares)", f"{m:.4g} · {x} + {c:.4g}",
                   glossary.tip("least-squares") + f" Here: slope {fmt(m, 10)}, intercept {fmt(c, 10)}."),
            Metric("its MSE — the lowest possible", loss_value(mse), f"Exactly {fmt(mse, 10)}."), delta)


def article_check(table, losses: dict, same_as_article: bool, my_mse: float) -> tuple[str, str, str]:
    """The fact check of the article's "Loss: 2550.00" comment: a paragraph, the sum as
    LaTeX, and the conclusion. ``table``/``losses``: line_report of the article's line."""
    r, sq = table["residual"].tolist(), table["squared_error"].tolist()
    mse = losses["MSE"]
    lead = ("The article's code comment says `Output: Loss: 2550.00`, the output printed under it says "
            f"`Loss: {mse:.2f}`. **{mse:.2f} is right** — it is what `torch.mean((Y_true - Y_pred) ** 2)` returns "
            "for the predictions " + ", ".join(f"{v:g}" for v in table["prediction"]) + ":")
    sq_terms = " + ".join(f"{v:g}^2" if v >= 0 else f"({v:g})^2" for v in r)
    latex = (r"\begin{aligned}\text{MSE} &= \tfrac14\,[\," + sq_terms + r"\,] \\"
             + r"&= \tfrac14\,[\," + " + ".join(f"{v:g}" for v in sq) + r"\,] \\"
             + r"&= " + f"{sum(sq):g}" + r" / 4 = " + f"{mse:.2f}" + r"\end{aligned}")
    end = (f"A mean of 2550 would need the squared errors to add up to 2550 × 4 = 10200; they add up to "
           f"{sum(sq):g}. The comment is wrong; the printed output is right. "
           + ("*This is the article's data and line — the chart above shows exactly these four errors.*"
              if same_as_article else f"*(Your data or line differ from the article's: your MSE is {my_mse:.2f}.)*"))
    return lead, latex, end


def mean_latex(name: str, term: str, total: float, n: int, value: float) -> str:
    """MSE or MAE as its sum over n, for st.latex."""
    return (rf"\text{{{name}}} = \frac{{1}}{{n}}\sum_i {term} = \frac{{" + f"{total:.6g}" + r"}{" + str(n)
            + r"} = " + f"{value:.6g}")


def share_text(v: float) -> str:
    """A share as a percentage: whole percents from 1 %, two significant figures below
    (one point of 10,000 holds about 0.01 %)."""
    return f"{v:.0%}" if v >= 0.01 or v == 0 else f"{100 * v:.2g}%"


def outliers_text(x_worst: float, residual_worst: float, mse_share: float, mae_share: float,
                  names: Names = ARTICLE_NAMES, n: int | None = None) -> str:
    where = f"{fmt(x_worst, 6)} hours" if names == ARTICLE_NAMES else f"{names.x} = {fmt(x_worst, 6)}"
    of = f" (one point of {n:,})" if n and n > 50 else ""
    return (f"The biggest error (at {where}, residual {fmt(residual_worst, 6)}){of} "
            f"makes up **{share_text(mse_share)} of the MSE** but only **{share_text(mae_share)} of the MAE**: "
            "squared losses chase outliers, absolute ones shrug them off.")


def huber_text(delta: float) -> str:
    return (f"{glossary.link('huber', 'Huber')} sits between. With δ = {delta:g}, residuals smaller than δ count squared and larger ones "
            "absolute: raise δ past the largest residual and Huber becomes half the MSE; lower it and it follows "
            "the MAE (minus δ/2).")


def descent_verdict(lr: float, scale: str, status: str, diverged_at: int, limit: float, steps: int,
                    end: tuple[float, float], gap: float, best_mse: float, names: Names = ARTICLE_NAMES) -> Message:
    """Did gradient descent from the learner's line find the best line?"""
    m, c = end
    y, x = names.y, names.x
    if diverged_at >= 0:
        return Message("error", f"**η = {lr:g} diverges** on {scale}: it is above 2/λmax = {limit:.4g}. The loss blew "
                       f"up at step {diverged_at}; the ✕ marks where.", ":material/error:")
    if status == "growing":
        return Message("error", f"**η = {lr:g} is above 2/λmax = {limit:.4g}:** the loss grows every step and would "
                       "blow up if training went on.", ":material/error:")
    if names == ARTICLE_NAMES:          # the article's scale: fixed decimals, as the article prints them
        line = f"{y} = {m:.4f} · {x} + {c:.3f}"
        found_mse, best4, now2, best2 = (f"{best_mse + gap:.4f}", f"{best_mse:.4f}", f"{best_mse + gap:.2f}",
                                         f"{best_mse:.2f}")
    else:                               # own data of any scale: significant figures
        line = f"{y} = {short(m, 5)} · {x} + {short(c, 5)}"
        found_mse, best4 = loss_value(best_mse + gap), loss_value(best_mse)
        now2, best2 = found_mse, best4
    if status.startswith("within"):
        return Message("success", f"**Found it.** After {steps} steps at η = {lr:g}: {line}, MSE {found_mse} "
                       f"(best {best4}).", ":material/my_location:")
    return Message("warning", f"**Not there yet.** After {steps} steps at η = {lr:g}: {line}, MSE {now2} — still "
                   f"{gap:.4g} above the best {best2}.", ":material/hourglass_top:")


def condition_text(c: float) -> str:
    """A condition number: whole with thousands separators (4,510), 3 significant figures from a million."""
    return f"{c:,.0f}" if c < 1e6 else f"{c:.3g}"


def theory_metrics(th: QuadraticTheory, lr: float) -> tuple[Metric, ...]:
    lim = th.lr_diverge
    return (
        Metric("limit 2/λmax", f"{lim:.4g}", glossary.tip("lambda-max")),
        Metric("condition λmax/λmin", condition_text(th.condition), glossary.tip("condition-number")),
        Metric("η ÷ limit", f"{lr / lim:.3g}", "Below 1 gradient descent converges (eventually); above 1 it diverges."),
    )


def rate_caption(steps: int, raw_limit: float, std_limit: float, names: Names = ARTICLE_NAMES) -> str:
    return (f"Each dot is a full training run of {steps} steps from your line; ✕ = diverged; the ring is your "
            f"choice. Dashed lines: the divergence limits 2/λmax = {raw_limit:.3g} (raw {names.x}) and "
            f"{std_limit:.3g} (standardised). The floor at 10⁻¹² means “exactly the best line” up to rounding.")


def standardise_effect(raw: QuadraticTheory, std: QuadraticTheory, gap_raw: float, gap_std: float,
                       names: Names = ARTICLE_NAMES, tol: float = 0.01) -> str:
    """What standardising x changes, with this data's numbers: the stability limit (the
    learning-rate slider follows it), the condition number, and the steps plain gradient
    descent needs at its fastest fixed rate 2/(λmax + λmin) to get within ``tol`` of the best
    MSE from the learner's line (theory's worst case, ρ^(2t)·gap ≤ tol)."""
    import math

    def steps(th, gap):
        if not gap > tol:
            return "0"
        if not math.isfinite(gap):
            return "∞"
        t = float(th.predicted_steps(th.lr_best, gap, tol))
        return "∞" if t == float("inf") else f"{t:,.0f}"
    return (f"Standardising {names.x} (x′ = (x − mean)/std) changes the stability limit 2/λmax from "
            f"**{raw.lr_diverge:.3g}** to **{std.lr_diverge:.3g}** — the learning-rate slider follows it — and the "
            f"condition number λmax/λmin from **{condition_text(raw.condition)}** to **{std.condition:.3g}**: at the fastest "
            f"fixed rate 2/(λmax + λmin) gradient descent needs about **{steps(raw, gap_raw)} steps** on raw "
            f"{names.x} and **{steps(std, gap_std)}** standardised to get within {tol:g} of the best MSE from your "
            "line. The best line itself does not change.")


def why_raw(th: QuadraticTheory, names: Names = ARTICLE_NAMES) -> str:
    """Why raw hours need a tiny step: the Hessian, its eigenvalues and the slow direction."""
    h = th.hessian
    slow = 1 - th.lr_diverge * 0.99 * th.lambda_min
    x = names.x
    return (f"**Why raw {x} need a tiny step.** The MSE is a bowl whose curvatures are the "
            f"{glossary.link('hessian', 'Hessian')}'s {glossary.link('eigenvalue', 'eigenvalues')} (the Hessian is "
            "the table of the loss's second derivatives; its eigenvalues say how sharply the bowl curves along its "
            "steepest and its flattest direction). "
            f"With raw {x} the Hessian is [[{h[0][0]:.4g}, {h[0][1]:.4g}], [{h[1][0]:.4g}, {h[1][1]:.4g}]]: "
            f"λmax = {th.lambda_max:.4g} along the slope, λmin = {th.lambda_min:.4g} along the intercept. Any η above "
            f"2/λmax = **{th.lr_diverge:.3g}** makes the slope overshoot further every step, so η must be tiny — and "
            "then the intercept moves almost not at all: even just below the limit its error shrinks only "
            f"×{slow:.5f} per step. That is the long thin valley above, and the "
            f"{glossary.link('condition-number', 'condition number')} λmax/λmin = "
            f"{condition_text(th.condition)}.")


def why_std(th: QuadraticTheory, mean: float, std: float, names: Names = ARTICLE_NAMES) -> str:
    """Why standardising the hours fixes it."""
    h = th.hessian
    return (f"**{glossary.link('standardise', 'Standardising')} fixes it.** With x′ = ({names.x} − {mean:.4g}) / "
            f"{std:.4g} the Hessian becomes "
            f"[[{h[0][0]:.3g}, {h[0][1]:.3g}], [{h[1][0]:.3g}, {h[1][1]:.3g}]]: every direction is equally curved "
            f"(condition {th.condition:.3g}), every rate below 2/λmax = **{th.lr_diverge:.3g}** converges, and "
            f"η = 1/λ = {1 / th.lambda_max:.3g} lands on the best line in a single step. The fitted w′, b′ are mapped "
            "back: m = w′/σ, c = b′ − w′·μ/σ.")


def window_caption(window, zoom: bool) -> str:
    x0, x1, y0, y1 = window
    return (f"Shown: slope {x0:g} to {x1:g}, intercept {y0:g} to {y1:g}"
            + (" (zoomed)." if zoom else " — the sliders' ranges, chosen around the best line."))


# ---- what lessons may check (issue 15): ui/lesson_fields.py collects LESSON_FIELDS ------------------------
from ui.lessons import LessonField  # noqa: E402  (pure: no Streamlit)

LESSON_FIELDS = {
    "mse": LessonField("number", "the MSE of the learner's line", "points²"),
    "rmse": LessonField("number", "the RMSE of the learner's line", "points"),
    "mae": LessonField("number", "the MAE of the learner's line", "points"),
    "huber": LessonField("number", "the Huber loss of the learner's line at the chosen δ"),
    "best_mse": LessonField("number", "the lowest MSE any line reaches on this data (least squares)", "points²"),
    "m": LessonField("number", "the learner's slope", "points per hour"),
    "c": LessonField("number", "the learner's intercept", "points"),
    "delta": LessonField("number", "Huber's δ"),
    "mse_share": LessonField("number", "the largest error's share of the MSE (0 to 1)"),
    "mae_share": LessonField("number", "the largest error's share of the MAE (0 to 1)"),
    "huber_share": LessonField("number", "the largest error's share of the Huber loss (0 to 1)"),
    "std": LessonField("bool", "gradient descent works on standardised hours"),
    "lr": LessonField("number", "gradient descent's learning rate η"),
    "steps": LessonField("number", "gradient descent's steps", "steps"),
    "found": LessonField("bool", "gradient descent ended within 0.01 of the best MSE"),
    "diverged": LessonField("bool", "gradient descent blew up"),
    "gap": LessonField("number", "gradient descent's final MSE minus the best MSE (NaN if it diverged)", "points²"),
    "limit": LessonField("number", "the stability limit 2/λmax for the chosen scaling"),
}


def lesson_values(judgement, descent, delta: float) -> dict:
    """Every field of LESSON_FIELDS from the page's results: a ui.compute.loss_explorer
    Judgement (the line) and Descent (gradient descent from it)."""
    losses, mine = judgement.losses, descent.mine
    return {"mse": losses["MSE"], "rmse": losses["RMSE"], "mae": losses["MAE"], "huber": losses["Huber"],
            "best_mse": judgement.best[2], "m": judgement.line[0], "c": judgement.line[1], "delta": delta,
            "mse_share": judgement.share_of_worst("MSE"), "mae_share": judgement.share_of_worst("MAE"),
            "huber_share": judgement.share_of_worst("Huber"), "std": descent.std, "lr": descent.lr,
            "steps": descent.steps, "found": str(mine["status"]).startswith("within"),
            "diverged": descent.diverged_at >= 0, "gap": float(mine["gap"]), "limit": descent.my_theory.lr_diverge}
