"""What the Optimizer comparison page says about its runs: pure functions, results in, text or
tables out (no Streamlit).

* :func:`results_table`, :func:`rule_caption`, :func:`race_verdict` — the race's results, the
  definitions under them and the sentence a teacher can read out (who converged first,
  lowest final loss, who diverged; with a fair race, its verdict).
* :func:`fair_caption`, :func:`fair_table` — the rates a fair race searched and chose.
* :func:`step_caption` — where every optimizer is at the step the slider shows.
* :func:`batch_claims` — article 002's batch / mini-batch / stochastic table, measured.
* :func:`restart_counts`, :func:`restart_verdict` — where the random restarts ended, and how
  many found the global minimum.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dlcore.comparison import FINE_PER_DECADE, NEARBY, FairRace, RestartSummary
from ui.format import fmt

SETTING_NAMES = {"momentum": "μ", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "wd": "λ", "alpha": "α"}
FIELDS = {"wd": "weight_decay"}
NEARBY_RATIO = f"×{10 ** NEARBY:.3g}"


def lr_text(v: float) -> str:
    return f"{v:.3g}"


def rate_list(rates) -> str:
    """The rates of a searched grid, short: '1e-05, 3.16e-05, …, 10'."""
    rs = sorted(float(r) for r in rates)
    shown = [f"{r:.3g}" for r in rs]
    return ", ".join(shown if len(shown) <= 8 else shown[:3] + ["…"] + shown[-3:])


def settings_text(spec, hyper: tuple[str, ...]) -> str:
    """Short 'μ=0.9, λ=0' text of a card's hyperparameters besides the rate."""
    parts = []
    for h in hyper:
        if h == "lr":
            continue
        v = getattr(spec, FIELDS.get(h, h))
        if h == "centered":
            if v:
                parts.append("centered")
            continue
        parts.append(f"{SETTING_NAMES[h]}={v:g}")
    return ", ".join(parts)


@dataclass(frozen=True)
class ResultsTable:
    frame: pd.DataFrame
    steps_column: str         # "steps to converge" (known minimum) or "steps to settle"


def results_table(rt: pd.DataFrame, labels, rates, settings, minima, param_names, steps: int,
                  optimum_known: bool, has_min: bool) -> ResultsTable:
    """One row per raced optimizer: η, other settings, final loss (inf = diverged), steps to
    converge (or settle) as text, where it diverged, the distance to (and which) known
    minimum, and the final parameters of a 2-parameter problem."""
    steps_col = "steps to converge" if optimum_known else "steps to settle"
    reached, diverged = [], []
    for c, sa, d in zip(rt["converged_at"], rt["settled_at"], rt["diverged_at"]):
        k = c if optimum_known else sa
        diverged.append("—" if pd.isna(d) else f"step {int(d)}")
        reached.append("—" if not pd.isna(d) or not has_min else (f"not in {steps}" if pd.isna(k) else str(int(k))))
    gone = rt["diverged_at"].notna().to_numpy()

    def as_words(col):          # inf shows as "diverged"
        return np.where(gone, np.inf, rt[col].astype(float))

    t = pd.DataFrame({"optimizer": list(labels), "η": list(rates), "other settings": list(settings),
                      "final loss": as_words("final_loss"), steps_col: reached, "diverged at": diverged})
    if not has_min:       # nothing to converge to: the column would only hold dashes
        t = t.drop(columns=[steps_col])
    if minima:
        t["distance to minimum"] = as_words("distance")
        if len(minima) > 1:
            t["nearest minimum"] = ["—" if pd.isna(i) else f"({minima[int(i)][0]:.4g}, {minima[int(i)][1]:.4g})"
                                    for i in rt["nearest_minimum"]]
    for name in param_names if len(param_names) <= 2 else ():
        t[f"final {name}"] = as_words(name)
    return ResultsTable(t, steps_col)


def rule_caption(tol: float, optimum, has_minima: bool, has_min: bool) -> str:
    """What "converged", "diverged" and "distance" mean under the results table."""
    if optimum is not None:
        rule = (f"**Steps to converge**: the first step from which the loss stays within {tol:g} of the "
                f"minimum {optimum:.6g} to the end.")
    else:
        rule = (f"**Steps to settle**: the first step from which the loss stays within {tol:g} of its final "
                "value — it stopped moving; this function's minimum is not known, so that need not be a minimum.")
    return (f"{rule} **Diverged**: the loss became infinite or NaN, or rose past 10⁴ × its starting gap to the "
            "minimum; the run stops there."
            + (" **Distance**: from the final point to the nearest known minimum (Euclidean)." if has_minima else "")
            + ("" if has_min else " This surface has no minimum: it falls forever, so \"converged\" has no "
                                  "meaning here."))


def race_verdict(rt: pd.DataFrame, labels, has_min: bool, optimum, fair: FairRace | None = None) -> str:
    """The sentence a teacher can read out: who converged first (with a fair race: its verdict,
    which counts each rate by its worst nearby rate), the lowest final loss, who diverged."""
    t = rt.assign(label=list(labels))
    msg = []
    if fair is not None:
        winner = fair.winner
        if winner is not None and has_min:
            w = fair.best.set_index("label").loc[winner]
            msg.append(f"fair verdict: **{winner}** converges fastest — within {int(w['steps_nearby'])} steps at "
                       f"every rate tried within {NEARBY_RATIO} of its η = {w['lr']:.3g}")
    else:
        conv = t.dropna(subset=["converged_at"])
        if len(conv) and has_min and optimum is not None:
            first = conv.sort_values("converged_at").iloc[0]
            msg.append(f"**{first['label']}** converged first, at step **{int(first['converged_at'])}**")
    finals = t[np.isfinite(t["final_loss"].astype(float))]
    if len(finals):
        low = finals.sort_values("final_loss").iloc[0]
        msg.append(f"lowest final loss: **{low['label']}** ({fmt(low['final_loss'], 4)})")
    gone = [lab for lab, d in zip(labels, rt["diverged_at"]) if not pd.isna(d)]
    if gone:
        msg.append("diverged: " + ", ".join(f"**{g}**" for g in gone))
    return (":material/sports_score: " + "; ".join(msg) + ".") if msg else ""


def lucky_rates(fair: FairRace) -> str:
    """Optimizers whose chosen rate converged on its own but not at every nearby rate."""
    b = fair.best
    lucky = b[b["converged_at"].notna() & ~np.isfinite(b["steps_nearby"].to_numpy(dtype=float))]
    if lucky.empty:
        return ""
    names = ", ".join(f"**{r['label']}** (step {int(r['converged_at'])} at η = {r['lr']:.3g})"
                      for _, r in lucky.iterrows())
    return (f"Converged at that exact rate but not at every rate within {NEARBY_RATIO} of it — a lucky rate, "
            f"not counted for the verdict: {names}.")


def fair_caption(labels, rates, fair: FairRace, lo: float, hi: float) -> str:
    """Which rates the fair race searched and which it chose."""
    fine = sum(len(v) for v in fair.fine.values())
    return (f":material/target: **Fair race:** {len(fair.coarse)} rates from {lo:g} to {hi:g}, then {fine} finer "
            "rates around every rate that converged; chosen: "
            + ", ".join(f"{lab} η = {lr:.3g}" for lab, lr in zip(labels, rates)) + ".")


def search_text(fair: FairRace, steps: int) -> str:
    """How the two passes searched, with the measured counts."""
    fine = {lab: len(v) for lab, v in fair.fine.items()}
    return (f"Every optimizer trained for {steps} steps at **{len(fair.coarse)} rates** from {min(fair.coarse):.3g} "
            f"to {max(fair.coarse):.3g} (log-spaced), then at {FINE_PER_DECADE} rates per decade around every rate "
            "of that grid that converged (or, where none did, that did not diverge), up to one grid step either "
            "side: " + ", ".join(f"{lab} {n}" for lab, n in fine.items())
            + f" more — {len(fair.table)} runs in two batched calls, all from the same start.")


def search_description(fair: FairRace, label: str, steps: int) -> str:
    """One optimizer's search panel in a sentence (its text alternative, issue 19): how many
    rates each pass tried, how many converged or diverged, and the chosen rate."""
    t = fair.table[fair.table["label"] == label]
    first = int((t["pass"] == "coarse").sum()) if "pass" in t.columns else len(t)
    counts = t["status"].value_counts()
    out = (f"{label}: steps to converge at {len(t)} learning rates ({first} on the first grid, {len(t) - first} in "
           f"the second pass); {int(counts.get('converged', 0))} converged within {steps} steps, "
           f"{int(counts.get('diverged', 0))} diverged. ")
    chosen = t[t["chosen"]]
    if chosen.empty:
        return out + "Every rate diverged."
    r = chosen.iloc[0]
    near = float(r["steps_nearby"])
    return out + (f"Chosen η = {r['lr']:.3g}: within {int(near)} steps at every rate within {NEARBY_RATIO}."
                  if np.isfinite(near) else f"Chosen η = {r['lr']:.3g}, by the lowest final loss.")


def fair_table(fair: FairRace) -> pd.DataFrame:
    """The chosen rate of each optimizer and how it did, with the worst steps nearby."""
    b = fair.best
    near = b["steps_nearby"].to_numpy(dtype=float)
    return pd.DataFrame({
        "optimizer": b["label"], "chosen rate": b["lr"], "result": b["status"],
        "steps to converge": ["—" if pd.isna(k) else str(int(k)) for k in b["converged_at"]],
        f"worst within {NEARBY_RATIO}": ["—" if not np.isfinite(k) else str(int(k)) for k in near],
        "final loss": np.where(b["run"] < 0, np.inf, b["final_loss"].astype(float))})


def searched_rates(fair: FairRace) -> pd.DataFrame:
    """Per optimizer: the first grid and the finer rates searched around the rates that converged."""
    return pd.DataFrame({"optimizer": list(fair.fine),
                         "first pass": [rate_list(fair.coarse)] * len(fair.fine),
                         "second pass": [rate_list(v) if v else "—" for v in fair.fine.values()]})


def step_caption(history: pd.DataFrame, step: int, log_dropped: bool) -> str:
    """'At step k: **SGD** loss 0.52 · **Adam** diverged …' for the slider's step."""
    here = history[history["step"] <= step].sort_values(["run", "step"]).groupby("run").tail(1)
    parts = [f"**{r['label']}** " + ("diverged" if r["diverged"] else f"loss {fmt(r['loss'], 4)}")
             for _, r in here.iterrows()]
    return (f"At step {step}: " + " · ".join(parts)
            + (". Log axis off: this loss goes below zero." if log_dropped else "."))


def batch_claims(rows: pd.DataFrame, n: int, mid: int) -> pd.DataFrame:
    """Article 002's claims about batch, stochastic and mini-batch descent beside what was
    measured (rows in the order batch, mini-batch, stochastic), indexed by method."""
    full, mb, sto = (rows.iloc[i]["loss went up"] for i in range(3))
    return pd.DataFrame([
        {"method": "batch", "article says": "Guaranteed convergence to the global minimum, deterministic; "
                                            "memory-hungry and expensive on large data.",
         "measured here": f"Every update reads all {n} records; the loss went up after {full:.0%} of updates "
                          "(deterministic). 'Guaranteed' holds for a convex loss like logistic regression with "
                          "a small enough rate — not for networks in general."},
        {"method": "stochastic", "article says": "Efficient, suits large data, handles noisy gradients; "
                                                 "high variance, needs careful rate tuning.",
         "measured here": f"Each update reads 1 record, {n}× cheaper; the loss went up after {sto:.0%} of "
                          "updates — that is the variance. Per record processed it is far ahead (right chart)."},
        {"method": f"mini-batch ({mid})", "article says": "Balances the two, reduces noise; needs a batch "
                                                          "size, slower on small data sets.",
         "measured here": f"Reads {mid} records per update; the loss rose after {mb:.0%} of updates — "
                          "between the other two."},
    ]).set_index("method")


def restart_counts(summary: RestartSummary, names) -> pd.DataFrame:
    """Where the runs ended: each known minimum (and f there, to 4 decimals), elsewhere,
    diverged; and the share of all runs."""
    rows = [{"ended at": f"minimum {nm}" + (" — global" if m.is_global and not summary.all_equal else ""),
             "runs": m.runs, "f there": f"{round(m.value, 4) + 0.0:g}"} for nm, m in zip(names, summary.minima)]
    rows.append({"ended at": "elsewhere (local min., saddle, moving)", "runs": summary.elsewhere, "f there": "—"})
    rows.append({"ended at": "diverged", "runs": summary.diverged, "f there": "—"})
    t = pd.DataFrame(rows)
    t.insert(2, "share", t["runs"] / max(summary.total, 1))
    return t


def restart_verdict(summary: RestartSummary, surface: str) -> str:
    """How many restarts found the global minimum, in the surface's terms."""
    found, total = summary.found_global, summary.total
    if summary.all_equal and surface == "himmelblau":
        return ("All four minima of Himmelblau's function have **f = 0**: each is as good as the others, and "
                "which one you reach depends only on where you start (and on the optimizer — try Momentum or "
                f"Adam: the coloured regions move). {found} of {total} starts reached one.")
    head = f"**{found} of {total}** starts found the global minimum"
    if surface == "rastrigin":
        return (f"Rastrigin has one global minimum (0, 0) among dozens of local ones: **{found} of {total}** "
                "starts found it. The rest are stuck "
                "in a dip — the article's \"local minima\" warning, visible. More restarts raise the chance that "
                "one of them lands in the right basin.")
    g = next(m for m in summary.minima if m.is_global)
    local = ", ".join(f"{m.runs} at f = {m.value:.3g}" for m in summary.minima if not m.is_global)
    return (f"{head} (f = {g.value:.3g}); the others settled in a worse, local minimum ({local}) or stopped near a "
            "saddle point (□). Gradient descent only goes downhill from where it starts: restarting from "
            "many points and keeping the lowest is how the article's advice finds the deepest well.")


# ---- lessons (issue 15): the fields a lesson may check, from the page's results -------------
from ui.lessons import LessonField  # noqa: E402

LESSON_FIELDS = {
    "tab": LessonField("text", "the open tab: race, batch or restarts"),
    "problem": LessonField("text", "race: the problem's key (rosenbrock, beale, himmelblau, saddle, …)"),
    "fair": LessonField("bool", "race: the fair race is on"),
    "optimizers": LessonField("number", "race: how many optimizers race"),
    "winner": LessonField("text", "race: the optimizer that converged first — with the fair race on, the fair "
                                  "verdict's winner; \"none\" when none converged"),
    "winner_steps": LessonField("number", "race: the winner's steps to converge (fair race: the worst within ×1.26 "
                                          "of its rate)", "steps"),
    "diverged": LessonField("number", "race: how many optimizers diverged"),
    "momentum_mu": LessonField("number", "race: Momentum's μ"),
    "momentum_steps": LessonField("number", "race: Momentum's steps to converge (inf when it did not)", "steps"),
    "adam_steps": LessonField("number", "race: Adam's steps to converge (inf when it did not)", "steps"),
    "noisiest": LessonField("text", "batch tab: the method after whose updates the loss went up most often "
                                    "(batch, mini-batch or stochastic)"),
    "stochastic_ups": LessonField("number", "batch tab: share of stochastic updates after which the loss went up",
                                  "fraction"),
    "surface": LessonField("text", "restarts tab: the surface (himmelblau, wells, rastrigin)"),
    "starts": LessonField("number", "restarts tab: start points run"),
    "minima_reached": LessonField("number", "restarts tab: how many different minima at least one start reached"),
    "found_global": LessonField("number", "restarts tab: starts that ended at a global minimum"),
}


@dataclass(frozen=True)
class RaceFacts:
    """What a lesson reads from a race: its table and labels, the problem, the fair race."""

    table: pd.DataFrame
    labels: tuple[str, ...]
    problem: str
    has_min: bool
    optimum: float | None
    momentum_mu: float
    fair: FairRace | None = None


def _steps_of(t: pd.DataFrame, label: str) -> float:
    rows = t[t["label"] == label]
    if rows.empty or pd.isna(rows.iloc[0]["converged_at"]):
        return math.inf
    return float(rows.iloc[0]["converged_at"])


def race_winner(r: RaceFacts) -> tuple[str, float]:
    """(winner, its steps) as the verdict names them; ("none", inf) when none converged."""
    if not r.has_min:
        return "none", math.inf
    if r.fair is not None:
        w = r.fair.winner
        return (w, float(r.fair.best.set_index("label").loc[w, "steps_nearby"])) if w else ("none", math.inf)
    t = r.table.assign(label=list(r.labels)).dropna(subset=["converged_at"])
    if t.empty or r.optimum is None:
        return "none", math.inf
    first = t.sort_values("converged_at", kind="stable").iloc[0]
    return str(first["label"]), float(first["converged_at"])


def lesson_values(tab: str, race: RaceFacts | None = None, batch_rows: pd.DataFrame | None = None,
                  restarts: RestartSummary | None = None, surface: str = "") -> dict:
    """Every field of :data:`LESSON_FIELDS` for this run; a tab that is not open gives NaN /
    "" / False for its fields."""
    nan = math.nan
    out = {"tab": tab, "problem": "", "fair": False, "optimizers": nan, "winner": "", "winner_steps": nan,
           "diverged": nan, "momentum_mu": nan, "momentum_steps": nan, "adam_steps": nan, "noisiest": "",
           "stochastic_ups": nan, "surface": surface, "starts": nan, "minima_reached": nan, "found_global": nan}
    if race is not None:
        t = race.table.assign(label=list(race.labels))
        winner, steps = race_winner(race)
        out.update(problem=race.problem, fair=race.fair is not None, optimizers=float(len(race.labels)),
                   winner=winner, winner_steps=steps, diverged=float(t["diverged_at"].notna().sum()),
                   momentum_mu=race.momentum_mu, momentum_steps=_steps_of(t, "Momentum"),
                   adam_steps=_steps_of(t, "Adam"))
    if batch_rows is not None:
        ups = batch_rows["loss went up"].to_numpy(dtype=float)
        out.update(noisiest=("batch", "mini-batch", "stochastic")[int(np.nanargmax(ups))], stochastic_ups=ups[2])
    if restarts is not None:
        out.update(starts=float(restarts.total), minima_reached=float(sum(m.runs > 0 for m in restarts.minima)),
                   found_global=float(restarts.found_global))
    return out
