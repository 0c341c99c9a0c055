"""Reading a learning-rate sweep: the article's table, the rates worth plotting, the
schedules and the range-test check — everything the sweep page derives from one
batched training call, as pure functions (no UI).

The sweep itself is :func:`dlcore.sweep.lr_sweep`. This module adds:

* :func:`plan_rates` — the log grid the learner asked for plus article 002's five rates,
  so one batched call answers both the chart and the article's table;
* :func:`study_table` — the per-rate table, with convergence measured against the known
  optimum, or — when a problem has none (the purchase classifier) — against the best
  loss any rate reached in the same sweep;
* :func:`measured_edges` — the largest rate that did not diverge, the first that did,
  the fastest; :func:`fastest_headline` says it in words;
* :func:`pick_curve_rates` — three rates for the loss-curve chart: too small, good, too
  large;
* :func:`compare_with_article` / :func:`article_verdict` — article 002's table next to the
  measured one, row by row, and whether its *shape* (larger is faster, 10 diverges) holds;
* :func:`article_check` — the same five rates for every optimizer and several
  tolerances, from one batched run;
* :func:`schedule_runs` / :func:`verify_runs` — the runs of the schedule comparison and
  of the range-test check (suggested rate, 10× smaller, 10× larger).

Example::

    >>> from dlcore import LINE_FIT, OptimizerSpec
    >>> from dlcore.sweep import lr_sweep
    >>> plan = plan_rates(0.01, 0.1, 2)
    >>> plan.rates
    (0.001, 0.01, 0.1, 1.0, 10.0)
    >>> res, table = lr_sweep(LINE_FIT, OptimizerSpec.make("sgd"), plan.rates, steps=1000, tol=1e-3)
    >>> t = study_table(res, table, tol=1e-3, tol_mode="gap")
    >>> compare_with_article(t, steps=1000)["verdict"].tolist()[:3]
    ['✗ not converged within 1000 steps', '✗ 2.3× more steps', '✗ 2.2× fewer steps']
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .optimizers import OptimizerSpec
from .results import TrainResult, converged_at
from .schedules import ScheduleSpec
from .sweep import ARTICLE_LR_TABLE, log_grid
from .train import RunSpec

__all__ = ["ARTICLE_RATES", "RatePlan", "plan_rates", "study_table", "measured_edges", "fastest_headline",
           "pick_curve_rates",
           "compare_with_article", "article_verdict", "article_check", "schedule_specs", "schedule_runs",
           "verify_runs", "stability_limit", "momentum_plateau", "AGREE_FACTOR", "CHECK_TOLS"]

ARTICLE_RATES = tuple(float(lr) for lr, _ in ARTICLE_LR_TABLE)
AGREE_FACTOR = 1.25          # measured within ×/÷ 1.25 of the article's count counts as agreement
CHECK_TOLS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


@dataclass(frozen=True)
class RatePlan:
    """The rates of one sweep: the learner's log grid merged with extra rates (sorted,
    no duplicates). ``in_grid[i]`` is True when ``rates[i]`` belongs to the grid;
    ``extra_index[k]`` is the position of ``extra[k]`` in ``rates``."""

    rates: tuple[float, ...]
    in_grid: tuple[bool, ...]
    extra: tuple[float, ...]
    extra_index: tuple[int, ...]

    @property
    def n_grid(self) -> int:
        return sum(self.in_grid)


def plan_rates(lo: float, hi: float, n: int, extra=ARTICLE_RATES) -> RatePlan:
    """``n`` log-spaced rates from lo to hi plus the ``extra`` rates (article 002's by
    default), so one batched call covers the chart and the article's table.

    >>> p = plan_rates(1e-3, 1e-1, 3, extra=(0.01, 0.5))
    >>> p.rates, p.in_grid, p.extra_index
    ((0.001, 0.01, 0.1, 0.5), (True, True, True, False), (1, 3))
    """
    grid = [float(v) for v in log_grid(lo, hi, n)]
    rates: list[float] = []
    for v in sorted(grid + [float(e) for e in extra]):
        if not rates or not _same(rates[-1], v):
            rates.append(v)
    # Snap near-duplicates to the exact extra value, so a grid point that is "0.01" up to
    # rounding shows as 0.01.
    for e in extra:
        for i, v in enumerate(rates):
            if _same(v, e):
                rates[i] = float(e)
    in_grid = tuple(any(_same(v, g) for g in grid) for v in rates)
    idx = tuple(next(i for i, v in enumerate(rates) if _same(v, e)) for e in extra)
    return RatePlan(tuple(rates), in_grid, tuple(float(e) for e in extra), idx)


def study_table(result: TrainResult, table: pd.DataFrame, tol: float, tol_mode: str = "gap") -> pd.DataFrame:
    """The sweep's per-rate table (from :func:`dlcore.sweep.lr_sweep`) with convergence
    measured against a stated reference, plus ``final_gap`` (final loss − reference).

    ``tol_mode="gap"``: converged once the loss stays within ``tol`` of the problem's known
    optimum; for a problem without one (``result.optimum is None``) the reference is the
    lowest finite loss any rate reached in this sweep. ``"absolute"``: once the loss stays
    below ``tol`` (reference 0). ``table.attrs`` records ``reference`` and
    ``reference_kind`` ("optimum", "best in sweep" or "zero").
    """
    if tol_mode not in ("gap", "absolute"):
        raise ValueError("tol_mode must be 'gap' or 'absolute'.")
    out = table.copy()
    loss = result.loss
    if tol_mode == "absolute":
        ref, kind = 0.0, "zero"
    elif result.optimum is not None:
        ref, kind = float(result.optimum), "optimum"
    else:
        finite = loss[np.isfinite(loss)]
        ref, kind = (float(finite.min()) if finite.size else 0.0), "best in sweep"
        conv = converged_at(loss, tol, ref)
        steps = pd.array([int(c) if c >= 0 else pd.NA for c in conv], dtype="Int64")
        diverged = out["diverged_at"].notna().to_numpy()
        out["steps_to_converge"] = steps
        out["status"] = np.where(diverged, "diverged",
                                 np.where(np.asarray(conv) >= 0, "converged", "not converged"))
    out["final_gap"] = out["final_loss"] - ref
    out.attrs.update(reference=ref, reference_kind=kind, tol=tol, tol_mode=tol_mode)
    return out


def measured_edges(table: pd.DataFrame) -> dict:
    """What the sweep measured at its edges:

    * ``first_diverging`` — the smallest rate that diverged (None if none did);
    * ``last_stable`` — the largest rate below it that did not diverge;
    * ``fastest`` / ``fastest_steps`` — the converged rate with the fewest steps (the
      smaller rate on a tie);
    * ``at_start`` — how many rates were within the tolerance *before any step* and
      stayed there ("converged" at step 0);
    * ``counts`` — how many rates converged, did not converge, diverged.

    A run within the tolerance from step 0 on needs no steps at all: the starting point
    already meets the tolerance, so the step counts cannot tell rates apart. When any
    rate did that there is no fastest rate (``fastest`` is None, ``at_start`` > 0) — a
    "fastest rate … 0 steps" would only say the tolerance is too loose.

    >>> t = pd.DataFrame({"lr": [0.01, 0.1, 1.0], "status": ["converged", "converged", "diverged"],
    ...                   "steps_to_converge": pd.array([300, 30, pd.NA], dtype="Int64")})
    >>> e = measured_edges(t); e["first_diverging"], e["last_stable"], e["fastest"], e["fastest_steps"]
    (1.0, 0.1, 0.1, 30)
    """
    t = table.sort_values("lr")
    div = t[t["status"] == "diverged"]
    first_div = float(div["lr"].iloc[0]) if len(div) else None
    below = t[(t["status"] != "diverged") & ((t["lr"] < first_div) if first_div is not None else True)]
    last_stable = float(below["lr"].iloc[-1]) if len(below) else None
    conv = t[t["status"] == "converged"]
    fastest = fastest_steps = None
    at_start = 0
    if len(conv):
        k = conv["steps_to_converge"].astype("int64").to_numpy()
        at_start = int((k == 0).sum())
        if not at_start:
            i = int(np.argmin(k))
            fastest, fastest_steps = float(conv["lr"].iloc[i]), int(k[i])
    counts = {s: int((t["status"] == s).sum()) for s in ("converged", "not converged", "diverged")}
    return {"first_diverging": first_div, "last_stable": last_stable, "fastest": fastest,
            "fastest_steps": fastest_steps, "at_start": at_start, "counts": counts}


def fastest_headline(edges: dict, steps: int) -> tuple[str, str]:
    """The sweep page's "Fastest rate measured" figure and the sentence under it, from
    :func:`measured_edges`: (value, caption).

    >>> fastest_headline({"fastest": 0.1, "fastest_steps": 1234, "at_start": 0}, 2000)
    ('0.1', '1,234 steps')
    >>> fastest_headline({"fastest": None, "fastest_steps": None, "at_start": 0}, 2000)
    ('none', 'none within 2,000 steps')
    >>> fastest_headline({"fastest": None, "fastest_steps": None, "at_start": 3}, 2000)[1]
    'none: 3 rates start within the tolerance (before any step) and stay there — choose a smaller tolerance to compare rates'
    """
    if edges.get("at_start"):
        n = edges["at_start"]
        who = "1 rate starts" if n == 1 else f"{n} rates start"
        return "none", (f"none: {who} within the tolerance (before any step) and stay there — "
                        "choose a smaller tolerance to compare rates")
    if edges.get("fastest") is None:
        return "none", f"none within {steps:,} steps"
    return f"{edges['fastest']:.4g}", f"{edges['fastest_steps']:,} steps"


def stability_limit(theory, optimizer: OptimizerSpec) -> tuple[float, str] | None:
    """The rate above which an SGD-family optimizer diverges on a quadratic with largest
    curvature λmax (``theory`` from :func:`dlcore.theory.quadratic_theory`), and the
    formula, or None when no such closed form applies (adaptive optimizers, weight decay,
    dampening, or a non-quadratic problem).

    Along an eigenvector with curvature λ, with h = ηλ and torch.optim.SGD's update:

    * plain SGD: e ← (1 − h)·e, stable iff h < 2;
    * momentum μ (b ← μb + g, θ ← θ − ηb): the iteration matrix [[1−h, −μ], [h, μ]] has
      trace 1 − h + μ and determinant μ; its roots stay inside the unit circle iff
      h < 2(1 + μ);
    * Nesterov (θ ← θ − η(g + μb)): matrix [[1 − h(1+μ), −μ²], [h, μ]], trace
      1 − h(1+μ) + μ, determinant μ(1 − h): stable iff h < 2(1 + μ)/(1 + 2μ).

    >>> from dlcore.problems import LINE_FIT
    >>> from dlcore.theory import quadratic_theory
    >>> th = quadratic_theory(LINE_FIT)
    >>> [round(stability_limit(th, OptimizerSpec.make("sgd", momentum=m, nesterov=n))[0], 4)
    ...  for m, n in ((0.0, False), (0.9, False), (0.9, True))]
    [0.1198, 0.2275, 0.0813]
    """
    if theory is None or optimizer.name != "sgd" or optimizer.weight_decay != 0 or optimizer.dampening != 0:
        return None
    lam, mu = theory.lambda_max, optimizer.momentum
    if mu == 0:
        return 2.0 / lam, "2/λmax"
    if optimizer.nesterov:
        return 2.0 * (1 + mu) / ((1 + 2 * mu) * lam), "2(1+μ)/((1+2μ)·λmax)"
    return 2.0 * (1 + mu) / lam, "2(1+μ)/λmax"


def momentum_plateau(theory, optimizer: OptimizerSpec) -> tuple[float, float, float] | None:
    """For heavy-ball momentum μ (torch.optim.SGD with momentum, no Nesterov) on a
    quadratic: the range of rates (lo, hi) over which the error shrinks by the same factor
    √μ per step whatever η is — and that factor. None when it does not apply.

    Along a direction with curvature λ (h = ηλ) the two-step recurrence has characteristic
    polynomial z² − (1 + μ − h)z + μ. Its roots are complex, both of modulus √μ, exactly when
    (1 − √μ)² < h < (1 + √μ)². When every direction is in that range —
    (1 − √μ)²/λmin < η < (1 + √μ)²/λmax — the speed no longer depends on η: the loss gap
    falls like μ^t, so about ln(gap₀/tol)/(−ln μ) steps, a plateau in the steps-vs-rate
    chart.

    >>> from dlcore.problems import LINE_FIT
    >>> from dlcore.theory import quadratic_theory
    >>> lo, hi, rho = momentum_plateau(quadratic_theory(LINE_FIT), OptimizerSpec.make("sgd", momentum=0.9))
    >>> round(lo, 4), round(hi, 4), round(rho, 4)
    (0.0088, 0.2274, 0.9487)
    """
    if (theory is None or optimizer.name != "sgd" or optimizer.momentum <= 0 or optimizer.nesterov
            or optimizer.weight_decay != 0 or optimizer.dampening != 0):
        return None
    r = math.sqrt(optimizer.momentum)
    lo, hi = (1 - r) ** 2 / theory.lambda_min, (1 + r) ** 2 / theory.lambda_max
    return (lo, hi, r) if lo < hi else None


def _nearest(rates: np.ndarray, target: float) -> int:
    return int(np.argmin(np.abs(np.log(rates) - math.log(target))))


def pick_curve_rates(table: pd.DataFrame) -> list[tuple[str, float]]:
    """Three rates for the loss-curve chart, as (role, lr):

    * **good** — the fastest converged rate; if none converged, the non-diverged rate with
      the lowest final loss;
    * **too small** — the swept rate nearest a tenth of the good one (at least one grid
      step below it);
    * **too large** — the first rate above the good one that diverged; if none did, the
      largest rate swept.

    Roles that would repeat a rate are left out.

    >>> t = pd.DataFrame({"lr": [0.001, 0.01, 0.1, 0.2, 1.0],
    ...                   "status": ["not converged", "converged", "converged", "diverged", "diverged"],
    ...                   "steps_to_converge": pd.array([pd.NA, 700, 68, pd.NA, pd.NA], dtype="Int64"),
    ...                   "final_loss": [0.5, 1e-6, 0.0, np.nan, np.nan]})
    >>> pick_curve_rates(t)
    [('too small', 0.01), ('good', 0.1), ('too large', 0.2)]
    """
    t = table.sort_values("lr").reset_index(drop=True)
    lrs = t["lr"].to_numpy(dtype=float)
    conv = t[t["status"] == "converged"]
    if len(conv):
        k = conv["steps_to_converge"].astype("int64").to_numpy()
        good_i = int(conv.index[int(np.argmin(k))])
    else:
        ok = t[t["status"] != "diverged"]
        if not len(ok):
            return [("too large", float(lrs[0]))]
        good_i = int(ok["final_loss"].astype(float).idxmin())
    picks = []
    if good_i > 0:
        small_i = min(_nearest(lrs, lrs[good_i] / 10), good_i - 1)
        picks.append(("too small", float(lrs[small_i])))
    picks.append(("good", float(lrs[good_i])))
    above = t.iloc[good_i + 1:]
    div = above[above["status"] == "diverged"]
    if len(div):
        picks.append(("too large", float(div["lr"].iloc[0])))
    elif good_i < len(t) - 1:
        picks.append(("too large", float(lrs[-1])))
    return picks


def _row_at(table: pd.DataFrame, lr: float):
    m = np.isclose(table["lr"].to_numpy(dtype=float), lr, rtol=1e-9)
    return table[m].iloc[0] if m.any() else None


def _measured(row) -> tuple[str, int | None]:
    if row is None:
        return "not swept", None
    if row["status"] == "converged":
        n = int(row["steps_to_converge"])
        return ("converged", n) if n > 0 else ("at start", 0)
    return str(row["status"]), None


def compare_with_article(table: pd.DataFrame, steps: int, article=ARTICLE_LR_TABLE,
                         predicted: dict | None = None) -> pd.DataFrame:
    """Article 002's "learning rate → iterations to convergence" next to the measured
    table, with a verdict per row. ``predicted`` (lr → steps) adds a theory column.

    A measured count within ×/÷ 1.25 of the article's counts as agreement; a rate that
    did not converge within ``steps`` is reported as such, never as agreement. A rate
    whose loss is within the tolerance before any step (and stays there) is reported as
    "within the tolerance from the start": it needed no steps, so its row compares
    nothing (and is no agreement).
    """
    rows = []
    for lr, claimed in article:
        status, n = _measured(_row_at(table, lr))
        if status == "converged":
            measured = f"{n} steps"
        elif status == "not converged":
            measured = f"not converged in {steps}"
        elif status == "at start":
            measured = "0 steps: within the tolerance from the start"
        else:
            measured = status
        if claimed is None:
            verdict = {"diverged": "✓ diverges", "converged": f"✗ converges in {n} steps",
                       "at start": "✗ does not diverge (stays within the tolerance from the start)",
                       "not converged": "✗ does not diverge (but does not converge either)"}.get(status, "—")
        elif status == "converged":
            r = n / claimed
            if 1 / AGREE_FACTOR <= r <= AGREE_FACTOR:
                verdict = "✓ agrees (within 25%)"
            elif r > 1:
                verdict = f"✗ {r:.2g}× more steps"
            else:
                verdict = f"✗ {1 / r:.2g}× fewer steps"
        elif status == "at start":
            verdict = "— nothing to compare: within the tolerance before any step (choose a smaller tolerance)"
        elif status == "diverged":
            verdict = "✗ diverges here"
        elif status == "not converged":
            verdict = f"✗ not converged within {steps} steps"
        else:
            verdict = "—"
        row = {"learning rate": lr, "the article says": "diverges" if claimed is None else f"{claimed} steps",
               "measured here": measured}
        if predicted is not None:
            p = predicted.get(lr)
            row["theory (worst case)"] = ("diverges" if p is not None and math.isinf(p) else
                                          "—" if p is None else f"≤ {int(p)} steps")
        row["verdict"] = verdict
        rows.append(row)
    return pd.DataFrame(rows)


def _steps_or_none(table: pd.DataFrame, lr: float):
    status, n = _measured(_row_at(table, lr))
    return ("converged", 0) if status == "at start" else (status, n)


def article_verdict(table: pd.DataFrame, article=ARTICLE_LR_TABLE) -> dict:
    """Does the measured table have the article's *shape*? Its claims, checked one by one:

    * each larger rate among the converging ones needs strictly fewer steps,
    * every one of those rates converges, and the last rate diverges;
    * the measured speed-up per tenfold rate (where both converged) next to the article's.

    Returns ``holds`` (all claims true), ``agree`` (rows within ×/÷ 1.25), ``claims``
    (list of (text, bool)) and ``speedups`` (list of (lr_a, lr_b, article ×, measured ×)).
    """
    claims = []
    pairs = [(a, b) for a, b in zip(article[:-1], article[1:]) if a[1] is not None and b[1] is not None]
    for (lr_a, n_a), (lr_b, n_b) in pairs:
        (sa, ma), (sb, mb) = _steps_or_none(table, lr_a), _steps_or_none(table, lr_b)
        ok = sa == "converged" and sb == "converged" and mb < ma
        claims.append((f"{lr_b:g} needs fewer steps than {lr_a:g}", ok))
    for lr, n in article:
        s, _ = _steps_or_none(table, lr)
        if n is None:
            claims.append((f"{lr:g} diverges", s == "diverged"))
        else:
            claims.append((f"{lr:g} converges", s == "converged"))
    speedups = []
    for (lr_a, n_a), (lr_b, n_b) in pairs:
        (sa, ma), (sb, mb) = _steps_or_none(table, lr_a), _steps_or_none(table, lr_b)
        meas = ma / mb if sa == sb == "converged" and mb > 0 else None
        speedups.append((lr_a, lr_b, n_a / n_b, meas))
    agree = 0
    for lr, n in article:
        s, m = _steps_or_none(table, lr)
        if n is None:
            agree += s == "diverged"
        elif s == "converged" and 1 / AGREE_FACTOR <= m / n <= AGREE_FACTOR:
            agree += 1
    return {"holds": all(ok for _, ok in claims), "agree": agree, "claims": claims, "speedups": speedups}


def article_check(result: TrainResult, labels, tols=CHECK_TOLS, article=ARTICLE_LR_TABLE,
                  reference: float | None = None) -> pd.DataFrame:
    """Article 002's five rates for several optimizers, trained as ONE batched call whose
    runs are optimizer-major (``labels[k]`` owns runs 5k … 5k+4), judged at every
    tolerance in ``tols`` from the same loss histories.

    One row per (optimizer, tolerance): the measured steps at each rate ("diverged",
    "> T" when not converged), ``shape holds`` (see :func:`article_verdict`), ``agree``
    (rows within ×/÷ 1.25), ``compared`` (rates where both the article and the run
    converge) and ``factor off`` — the geometric mean of measured/claimed (or
    claimed/measured) over those rates.
    """
    rates = [lr for lr, _ in article]
    labels = list(labels)
    if result.n_runs != len(rates) * len(labels):
        raise ValueError(f"Expected {len(rates) * len(labels)} runs ({len(labels)} optimizers × "
                         f"{len(rates)} rates), got {result.n_runs}.")
    ref = result.optimum if reference is None else reference
    div = result.diverged_at >= 0
    T = result.steps
    rows = []
    for tol in tols:
        conv = converged_at(result.loss, tol, ref)
        for k, label in enumerate(labels):
            idx = list(range(k * len(rates), (k + 1) * len(rates)))
            table = pd.DataFrame({
                "lr": rates,
                "status": ["diverged" if div[i] else "converged" if conv[i] >= 0 else "not converged" for i in idx],
                "steps_to_converge": pd.array([int(conv[i]) if conv[i] >= 0 and not div[i] else pd.NA for i in idx],
                                              dtype="Int64")})
            v = article_verdict(table, article)
            row = {"optimizer": label, "tolerance": tol}
            logs = []
            for (lr, claimed), (_, r) in zip(article, table.iterrows()):
                if r["status"] == "converged":
                    row[f"{lr:g}"] = str(int(r["steps_to_converge"]))
                    if claimed is not None and r["steps_to_converge"] > 0:
                        logs.append(abs(math.log(int(r["steps_to_converge"]) / claimed)))
                else:
                    row[f"{lr:g}"] = "diverged" if r["status"] == "diverged" else f"> {T}"
            row["shape holds"] = v["holds"]
            row["agree"] = v["agree"]
            row["compared"] = len(logs)
            row["factor off"] = math.exp(sum(logs) / len(logs)) if logs else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def schedule_specs(steps: int) -> dict[str, ScheduleSpec]:
    """The five schedules compared on the page, scaled to a run of ``steps`` updates so
    each ends its decay within the run:

    * constant;
    * step: ×0.1 every ⌈steps/3⌉ updates (StepLR) — lr, lr/10, lr/100;
    * exponential: γ = 0.01^(1/steps), from lr to lr/100 (ExponentialLR);
    * cosine: from lr to 0 over the run (CosineAnnealingLR, T_max = steps);
    * one-cycle: warm up from lr/25 to lr over 30% of the run, then anneal to lr/250000
      (OneCycleLR defaults, cycle_momentum=False).

    >>> s = schedule_specs(300)
    >>> s["step"].step_size, round(s["exponential"].gamma ** 300, 6)
    (100, 0.01)
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError("steps must be a positive whole number.")
    return {
        "constant": ScheduleSpec("constant"),
        "step": ScheduleSpec("step", step_size=max(1, math.ceil(steps / 3)), gamma=0.1),
        "exponential": ScheduleSpec("exponential", gamma=0.01 ** (1 / steps)),
        "cosine": ScheduleSpec("cosine", eta_min=0.0),
        "onecycle": ScheduleSpec("onecycle", pct_start=0.3, div_factor=25.0, final_div_factor=1e4),
    }


def schedule_runs(optimizer: OptimizerSpec, base_lr: float, steps: int, seed: int = 0) -> tuple[RunSpec, ...]:
    """One run per schedule of :func:`schedule_specs`, same optimizer, base rate and seed."""
    opt = optimizer.with_lr(float(base_lr))
    return tuple(RunSpec(opt, schedule=spec, seed=seed, label=kind) for kind, spec in schedule_specs(steps).items())


def verify_runs(optimizer: OptimizerSpec, lr: float, seed: int = 0) -> tuple[RunSpec, ...]:
    """Runs at lr/10, lr and 10·lr — to check a range-test suggestion by training."""
    out = []
    for f, name in ((0.1, "÷ 10"), (1.0, "suggested"), (10.0, "× 10")):
        out.append(RunSpec(optimizer.with_lr(float(lr) * f), seed=seed, label=f"{name}: η = {lr * f:.3g}"))
    return tuple(out)
