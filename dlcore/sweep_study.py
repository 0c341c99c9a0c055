"""Readings of a learning-rate sweep that the sweep page shows, as pure functions:
what theory predicts for the sweep's rates (the worst-case curve for plain gradient
descent, the momentum plateau), whether float32 can resolve the tolerance near the
optimum, which rates the loss-curve chart draws, and the outcomes of the schedule
comparison and of the range test's verification runs.

The sweep itself is :func:`dlcore.sweep.lr_sweep`; its table is read by
:mod:`dlcore.lr_study`. Everything here takes numbers or results in and gives numbers,
frames or frozen dataclasses out (no UI).

Example::

    >>> from dlcore import LINE_FIT, OptimizerSpec
    >>> from dlcore.theory import quadratic_theory
    >>> p = predict_sweep(quadratic_theory(LINE_FIT), OptimizerSpec.make("sgd"), 1e-3, 1.0,
    ...                   gap0=30.0, tol=1e-3, mode="gap", optimum=0.0)
    >>> p.curve_label, round(p.limit[0], 4), bool(p.curve["lr"].max() < p.limit[0])
    ('theory (worst case)', 0.1198, True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .lr_study import ARTICLE_RATES, momentum_plateau, stability_limit
from .optimizers import OptimizerSpec
from .results import converged_at
from .theory import QuadraticTheory

__all__ = ["WORST_CASE", "PLATEAU", "SweepPrediction", "convergence_target", "predict_sweep", "Resolution",
           "float32_resolution", "snap_rates", "curve_indices", "ScheduleOutcome", "schedule_outcome",
           "verification_best"]

WORST_CASE = "theory (worst case)"
PLATEAU = "theory (≈ μᵗ plateau)"
CURVE_POINTS = 240


@dataclass(frozen=True)
class SweepPrediction:
    """What theory says about one sweep.

    ``limit``: (rate, formula) above which the optimizer diverges on this quadratic, or
    None (no closed form). ``plain_sgd``: plain gradient descent with a known limit (the
    worst-case bound and 2/(λmax+λmin) apply). ``plateau``: the momentum plateau (lo, hi,
    √μ) or None. ``curve``: a frame (lr, steps) to draw over the measured steps, or None;
    ``curve_label`` names it (:data:`WORST_CASE` or :data:`PLATEAU`). ``at_article``:
    article rate → theory's worst-case steps (plain SGD only). ``plateau_steps``: the
    steps inside the plateau, ≈ ln(gap₀/target)/(−ln μ)."""

    theory: QuadraticTheory | None
    limit: tuple[float, str] | None
    plain_sgd: bool
    plateau: tuple[float, float, float] | None
    target: float
    curve: pd.DataFrame | None = None
    curve_label: str = WORST_CASE
    at_article: dict | None = None
    plateau_steps: float | None = None

    @property
    def worst_case_curve(self) -> bool:
        return self.curve is not None and self.curve_label == WORST_CASE


def convergence_target(tol: float, mode: str, optimum: float | None) -> float:
    """The gap (loss − optimum) the convergence test asks for: ``tol`` itself in "gap"
    mode; ``tol − optimum`` when the loss must fall below ``tol`` ("absolute"); −1 when
    that cannot be said (no known optimum).

    >>> convergence_target(1e-3, "gap", None), convergence_target(0.5, "absolute", 0.25)
    (0.001, 0.25)
    """
    if mode == "gap":
        return tol
    return tol - optimum if optimum is not None else -1.0


def predict_sweep(theory: QuadraticTheory | None, optimizer: OptimizerSpec, lo: float, hi: float, gap0: float,
                  tol: float, mode: str, optimum: float | None) -> SweepPrediction:
    """Theory's prediction for a sweep of ``optimizer`` from ``lo`` to ``hi`` that starts
    ``gap0`` above the optimum (see :class:`SweepPrediction`).

    Plain gradient descent: the worst-case steps ln(gap₀/target)/(−2·ln ρ(η)) on 240
    log-spaced rates from lo up to just below 2/λmax, and at the article's rates. Heavy-ball
    momentum inside its plateau: a flat line at ln(gap₀/target)/(−ln μ) over the part of
    the plateau inside [lo, hi]."""
    limit = stability_limit(theory, optimizer)
    plain_sgd = limit is not None and optimizer.momentum == 0
    plateau = momentum_plateau(theory, optimizer)
    target = convergence_target(tol, mode, optimum)
    curve, label, at_article, plateau_steps = None, WORST_CASE, None, None
    if plain_sgd and optimum is not None and target > 0:
        top = min(hi, theory.lr_diverge * 0.9999)
        if top > lo:
            grid = np.logspace(math.log10(lo), math.log10(top), CURVE_POINTS)
            curve = pd.DataFrame({"lr": grid, "steps": theory.predicted_steps(grid, gap0, target)})
        at_article = dict(zip(ARTICLE_RATES, theory.predicted_steps(np.array(ARTICLE_RATES), gap0, target).tolist()))
    if plateau is not None and optimum is not None and target > 0 and gap0 > target:
        # Heavy ball in its plateau: the loss gap falls like μ^t, so ≈ ln(gap₀/tol)/(−ln μ) steps.
        plateau_steps = math.log(gap0 / target) / -math.log(optimizer.momentum)
        p_lo, p_hi = max(plateau[0], lo), min(plateau[1], hi)
        if p_lo < p_hi:
            curve = pd.DataFrame({"lr": [p_lo, p_hi], "steps": [plateau_steps, plateau_steps]})
            label = PLATEAU
    return SweepPrediction(theory, limit, plain_sgd, plateau, target, curve, label, at_article, plateau_steps)


@dataclass(frozen=True)
class Resolution:
    """How finely float32 stores a loss near ``reference``: in steps of ``spacing``. The
    summed loss carries about ten of those steps in rounding noise, so a tolerance below
    10 × spacing partly measures noise (``limited``)."""

    reference: float
    spacing: float
    limited: bool


def float32_resolution(reference: float, reference_kind: str, tol: float, dtype: str) -> Resolution | None:
    """The float32 resolution near the sweep's reference loss, or None when it does not
    matter: float64, or a reference of 0 (the loss itself must fall below tol).

    >>> r = float32_resolution(1.0, "optimum", 1e-3, "float32"); r.spacing == 2.0 ** -23, r.limited
    (True, False)
    >>> float32_resolution(1.0, "optimum", 1e-3, "float64") is None
    True
    """
    if dtype != "float32" or reference_kind == "zero" or reference == 0:
        return None
    spacing = float(np.spacing(np.float32(abs(reference))))
    return Resolution(float(reference), spacing, tol < 10 * spacing)


def snap_rates(wanted, swept) -> tuple[list[float], list[tuple[float, float]]]:
    """Each wanted rate replaced by the nearest swept one (on a log scale), without
    repeats; and the (wanted, used) pairs that were not swept themselves.

    >>> snap_rates([0.011, 0.1, 0.1], [0.001, 0.01, 0.1])
    ([0.01, 0.1], [(0.011, 0.01)])
    """
    swept = np.asarray(swept, dtype=float)
    snapped, moved = [], []
    for v in wanted:
        s = float(swept[int(np.argmin(np.abs(np.log(swept) - math.log(v))))])
        if not math.isclose(s, v, rel_tol=1e-6):
            moved.append((float(v), s))
        if s not in snapped:
            snapped.append(s)
    return snapped, moved


def curve_indices(rates, chosen) -> list[int]:
    """Row of each chosen (role, lr) in a sweep's rate column (the nearest rate)."""
    rates = np.asarray(rates, dtype=float)
    return [int(np.argmin(np.abs(rates - lr))) for _, lr in chosen]


@dataclass(frozen=True)
class ScheduleOutcome:
    """The schedule comparison read with the sweep's convergence test: per run, the
    step from which it stays within the tolerance (−1: never), whether it diverged and
    its final loss; the fastest (steps, index) and the index of the lowest final loss.

    ``at_start``: how many runs were within the tolerance before any step and stayed
    there. They needed no steps, so the counts cannot tell schedules apart: then there is
    no fastest (as in :func:`dlcore.lr_study.measured_edges`)."""

    converged_at: tuple[int, ...]
    diverged: tuple[bool, ...]
    final_loss: tuple[float, ...]
    fastest: tuple[int, int] | None
    lowest: int | None
    at_start: int = 0


def schedule_outcome(result, tol: float, reference: float) -> ScheduleOutcome:
    """Read a batched schedule run (:func:`dlcore.lr_study.schedule_runs`) with the same
    reference as the sweep's table, so its step counts compare with the sweep's."""
    conv = converged_at(result.loss, tol, reference)
    div = result.diverged_at >= 0
    final = result.summary()["final_loss"].to_numpy(dtype=float)
    done = [(int(c), k) for k, (c, d) in enumerate(zip(conv, div)) if c >= 0 and not d]
    at_start = sum(1 for c, _ in done if c == 0)
    finals = np.where(div, np.inf, final)
    lowest = int(np.argmin(finals)) if np.isfinite(finals).any() else None
    return ScheduleOutcome(tuple(int(c) for c in conv), tuple(bool(d) for d in div), tuple(float(v) for v in final),
                           min(done) if done and not at_start else None, lowest, at_start)


def verification_best(final_losses) -> int | None:
    """Index of the lowest finite final loss of the range test's verification runs
    (÷ 10, suggested, × 10), or None when every run blew up.

    >>> verification_best([0.5, 0.1, float("nan")]), verification_best([float("inf")] * 3)
    (1, None)
    """
    finals = np.asarray(final_losses, dtype=float)
    if not np.isfinite(finals).any():
        return None
    return int(np.nanargmin(np.where(np.isfinite(finals), finals, np.nan)))
