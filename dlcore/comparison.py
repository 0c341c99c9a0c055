"""Optimizer races: what each run reached, fair learning-rate tuning, random restarts.

Everything here reads a :class:`~dlcore.results.TrainResult` (or builds the runs for
one) and arranges numbers PyTorch already computed; nothing trains on its own.

* :func:`race_table` — per run: final loss, steps to converge, divergence, final
  parameters and the distance to the nearest *known* minimum (a surface's listed minima,
  or the least-squares line for an MSE/RMSE line fit).
* :func:`tuning_runs` / :func:`pick_best` — the "fair race": every optimizer at every
  rate of a grid, in one batched call, then the best rate of each by :data:`CRITERION`.
* :func:`start_points` / :func:`basins` — random restarts: many start points, and which
  known minimum each run ended at.
* :func:`loss_ups` — how often an update made the full training loss go *up* (the
  "noise" of mini-batch and stochastic gradient descent, measured).

Example::

    >>> from dlcore import SurfaceProblem, TrainConfig, preset, train
    >>> runs = tuning_runs([preset("SGD"), preset("Adam")], [0.01, 0.03, 0.07, 0.1])
    >>> res = train(SurfaceProblem("bowl"), runs, TrainConfig(steps=200, dtype="float64"))
    >>> pick_best(res)[["label", "lr", "converged_at"]].values.tolist()   # SGD at 0.1 diverges
    [['SGD', 0.07, 62], ['Adam', 0.1, 100]]
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from .optimizers import OptimizerSpec
from .problems.linear import LinearProblem
from .problems.surfaces import SurfaceProblem
from .train import RunSpec

__all__ = ["CRITERION", "known_minima", "settled_at", "race_table", "tuning_runs", "pick_best", "tuning_table",
           "start_points", "basins", "loss_ups"]

CRITERION = ("the rate that converges in the fewest steps; if none of its rates converges, "
             "the lowest final loss (diverged rates are never chosen)")


def known_minima(problem) -> tuple[tuple[float, ...], ...]:
    """The minimisers we know exactly: a surface's listed minima, or (w*, b*) of a line
    fit with MSE or RMSE loss (both have the least-squares minimiser). Else ()."""
    if isinstance(problem, SurfaceProblem):
        return tuple(tuple(float(v) for v in m) for m in problem.definition.minima)
    if isinstance(problem, LinearProblem) and problem.loss in ("mse", "rmse"):
        w, b, _ = problem.least_squares()
        return ((w, b),)
    return ()


def _nearest(points: np.ndarray, minima) -> tuple[np.ndarray, np.ndarray]:
    """Index of and Euclidean distance to the nearest minimum, per row; -1 / NaN where
    the point is not finite or no minimum is known."""
    n = len(points)
    idx, dist = np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
    if not minima:
        return idx, dist
    m = np.asarray(minima, dtype=np.float64)                      # (K, P)
    pts = np.asarray(points, dtype=np.float64)                    # (N, P)
    ok = np.isfinite(pts).all(axis=1)
    d = np.sqrt(((pts[ok, None, :] - m[None, :, :]) ** 2).sum(axis=2))   # (n_ok, K)
    idx[ok] = d.argmin(axis=1)
    dist[ok] = d.min(axis=1)
    return idx, dist


def settled_at(loss: np.ndarray, tol: float) -> np.ndarray:
    """First step from which the loss stays within ``tol`` of its own final value, per
    run (-1 when the final loss is not finite). For problems whose minimum is unknown:
    "it stopped moving", not "it found the minimum". ``loss`` is (T+1, N).

    >>> settled_at(np.array([[5.0], [3.0], [2.05], [2.3], [2.01], [2.0]]), 0.1).tolist()
    [4]
    """
    loss = np.asarray(loss, dtype=np.float64)
    final = loss[-1]
    with np.errstate(invalid="ignore"):
        near = np.isfinite(loss) & (np.abs(loss - final) < tol)
    stays = np.logical_and.accumulate(near[::-1], axis=0)[::-1]
    first = np.argmax(stays, axis=0)
    return np.where(np.isfinite(final) & stays.any(axis=0), first, -1)


def race_table(result, problem) -> pd.DataFrame:
    """One row per run: label, optimizer, lr, final_loss (NaN if diverged), best_loss,
    converged_at, diverged_at, settled_at (see :func:`settled_at`, with the config's
    tolerance) (Int64, <NA> when it did not happen), the final parameters
    (≤ 8 of them), and — when :func:`known_minima` lists any — ``nearest_minimum`` (its
    index) and ``distance`` to it (NaN for a diverged run)."""
    s = result.summary()
    cols = ["label", "optimizer", "lr", "final_loss", "best_loss", "converged_at", "diverged_at"]
    cols += [c for c in result.param_names if c in s.columns]
    out = s[cols].copy()
    settled = settled_at(result.loss, result.config.tol)
    out.insert(cols.index("diverged_at") + 1, "settled_at",
               pd.array([int(v) if v >= 0 else pd.NA for v in settled], dtype="Int64"))
    minima = known_minima(problem)
    if minima:
        final = np.array(result.final_params, dtype=np.float64)
        final[result.diverged_at >= 0] = np.nan
        idx, dist = _nearest(final, minima)
        out["nearest_minimum"] = pd.array([int(i) if i >= 0 else pd.NA for i in idx], dtype="Int64")
        out["distance"] = dist
    return out


def tuning_runs(specs: Sequence[OptimizerSpec], lrs: Sequence[float], seed: int = 0,
                start: tuple[float, ...] | None = None) -> list[RunSpec]:
    """Every spec at every rate, labelled with the spec's display name: len(specs)·len(lrs)
    runs that share the seed and start (so they are paired)."""
    lrs = [float(v) for v in lrs]
    if not lrs or not all(math.isfinite(v) and v > 0 for v in lrs):
        raise ValueError("Learning rates for tuning must be positive numbers.")
    return [RunSpec(spec.with_lr(lr), seed=seed, start=start, label=spec.display) for spec in specs for lr in lrs]


def tuning_table(result) -> pd.DataFrame:
    """Per run of a tuning call: label, lr, status (converged / not converged /
    diverged), converged_at, diverged_at, final_loss and ``chosen`` (the best of its
    label by :data:`CRITERION`)."""
    s = result.summary()
    status = np.where(s["diverged_at"].notna(), "diverged",
                      np.where(s["converged_at"].notna(), "converged", "not converged"))
    t = pd.DataFrame({"run": s["run"], "label": s["label"], "lr": s["lr"], "status": status,
                      "converged_at": s["converged_at"], "diverged_at": s["diverged_at"],
                      "final_loss": s["final_loss"]})
    t["chosen"] = False
    for _, g in t.groupby("label", sort=False):
        ok = g[(g["status"] != "diverged") & np.isfinite(g["final_loss"].to_numpy(dtype=float))]
        if ok.empty:
            continue
        conv = ok["converged_at"].astype("float64").fillna(np.inf)
        key = pd.DataFrame({"conv": conv, "loss": ok["final_loss"], "lr": ok["lr"]})
        best = key.sort_values(["conv", "loss", "lr"], kind="stable").index[0]
        t.loc[best, "chosen"] = True
    return t


def pick_best(result) -> pd.DataFrame:
    """The chosen row of each label (in order of first appearance): label, run, lr,
    status, converged_at, final_loss. A label whose every rate diverged gets run = -1
    and lr = NaN."""
    t = tuning_table(result)
    rows = []
    for label, g in t.groupby("label", sort=False):
        c = g[g["chosen"]]
        if c.empty:
            rows.append({"label": label, "run": -1, "lr": np.nan, "status": "all diverged",
                         "converged_at": pd.NA, "final_loss": np.nan})
        else:
            r = c.iloc[0]
            rows.append({"label": label, "run": int(r["run"]), "lr": float(r["lr"]), "status": r["status"],
                         "converged_at": r["converged_at"], "final_loss": float(r["final_loss"])})
    out = pd.DataFrame(rows)
    out["converged_at"] = out["converged_at"].astype("Int64")
    return out


def start_points(window, n: int, layout: str = "random", seed: int = 0) -> list[tuple[float, float]]:
    """n start points in window = (x0, x1, y0, y1).

    ``"random"``: uniform, drawn from ``torch.Generator().manual_seed(seed)`` in float64
    (x then y for each point). ``"grid"``: the centres of a k×k grid of cells with
    k = ⌊√n⌋ (so k² ≤ n points), row by row from the bottom left.

    >>> start_points((0, 1, 0, 1), 4, "grid")
    [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]
    """
    x0, x1, y0, y1 = (float(v) for v in window)
    if not (all(math.isfinite(v) for v in (x0, x1, y0, y1)) and x0 < x1 and y0 < y1):
        raise ValueError("The window needs finite x0 < x1 and y0 < y1.")
    if not isinstance(n, int) or not 1 <= n <= 10_000:
        raise ValueError(f"The number of start points must be from 1 to 10000, got {n!r}.")
    if layout == "random":
        u = torch.rand(n, 2, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float64).numpy()
        return [(x0 + a * (x1 - x0), y0 + b * (y1 - y0)) for a, b in u]
    if layout == "grid":
        k = max(1, math.isqrt(n))
        xs = [x0 + (i + 0.5) * (x1 - x0) / k for i in range(k)]
        ys = [y0 + (j + 0.5) * (y1 - y0) / k for j in range(k)]
        return [(x, y) for y in ys for x in xs]
    raise ValueError(f"layout must be 'random' or 'grid', got {layout!r}.")


def basins(result, problem, radius: float = 0.05) -> pd.DataFrame:
    """Where each run ended: run, start_x, start_y (θ₀), end_x, end_y, ``minimum`` — the
    index of the known minimum within ``radius`` of the final point, or -1 (diverged or
    not there yet) — and ``distance`` to the nearest known minimum."""
    if not radius > 0:
        raise ValueError("radius must be positive.")
    if result.params is None:
        raise ValueError("Start points need recorded parameters (TrainConfig.record_params).")
    start = np.asarray(result.params[0], dtype=np.float64)
    end = np.array(result.final_params, dtype=np.float64)
    end[result.diverged_at >= 0] = np.nan
    idx, dist = _nearest(end, known_minima(problem))
    reached = np.where(np.isfinite(dist) & (dist <= radius), idx, -1)
    return pd.DataFrame({"run": np.arange(len(end)), "start_x": start[:, 0], "start_y": start[:, 1],
                         "end_x": end[:, 0], "end_y": end[:, 1], "minimum": reached, "distance": dist})


def loss_ups(loss: np.ndarray) -> float:
    """Share of updates after which the loss was higher than before (finite steps only).

    >>> loss_ups(np.array([3.0, 2.0, 2.5, 1.0, 0.5]))
    0.25
    """
    v = np.asarray(loss, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return float("nan")
    return float(np.mean(np.diff(v) > 0))
