"""Optimizer races: what each run reached, fair learning-rate tuning, random restarts.

Everything here reads a :class:`~dlcore.results.TrainResult` (or builds the runs for
one) and arranges numbers PyTorch already computed; nothing trains on its own.

* :func:`race_table` — per run: final loss, steps to converge, divergence, final
  parameters and the distance to the nearest *known* minimum (a surface's listed minima,
  or the least-squares line for an MSE/RMSE line fit).
* :func:`tuning_runs` / :func:`pick_best` — the "fair race": every optimizer at every
  rate of a grid, in one batched call, then the best rate of each by :data:`CRITERION`;
  :func:`fair_race` adds a second, finer pass (24 rates per decade, one batched call)
  around every rate of the first grid that converged, so the verdict does not hang on a
  coarse grid or on a lucky rate of it (:func:`refine_rates`, :func:`fine_rates`).
* :func:`start_points` / :func:`basins` — random restarts: many start points, and which
  known minimum each run ended at; :func:`restart_summary` counts them and how many
  found the global minimum.
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
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from .optimizers import OptimizerSpec
from .problems.linear import LinearProblem
from .problems.surfaces import SurfaceProblem
from .train import RunSpec

__all__ = ["CRITERION", "known_minima", "cover_paths", "settled_at", "race_table", "tuning_runs", "pick_best", "tuning_table",
           "refine_rates", "fine_rates", "snap", "lattice_index", "FINE_PER_DECADE", "FINE_MAX", "fair_race",
           "FairRace", "start_points", "basins", "restart_summary", "RestartSummary", "MinimumCount", "loss_ups"]

CRITERION = ("the rate that converges in the fewest steps, counting for each rate the slowest of the rates "
             "within ×1.26 of it, and only rates whose every neighbour within ×1.26 on the grid of 24 per decade "
             "was tried (so a lucky rate between failing ones, or one whose neighbours were never tried, is "
             "never chosen); if no rate converges that way, the lowest final loss counted the same way "
             "(diverged rates are never chosen)")


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


def cover_paths(window, xs, ys, cap: float = 2.0):
    """The window grown to hold the paths' finite points, by at most ``cap`` × its size
    on each side (a run flying off stays clipped).

    >>> cover_paths((0, 1, 0, 1), [0.5, 1.5], [0.5, 0.5])
    (0.0, 1.55, 0.0, 1.0)
    """
    x0, x1, y0, y1 = window
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return window
    wx, wy = x1 - x0, y1 - y0
    lo_x, hi_x = max(xs[ok].min(), x0 - cap * wx), min(xs[ok].max(), x1 + cap * wx)
    lo_y, hi_y = max(ys[ok].min(), y0 - cap * wy), min(ys[ok].max(), y1 + cap * wy)
    return tuple(float(v) for v in (min(x0, lo_x - 0.05 * wx), max(x1, hi_x + 0.05 * wx),
                                    min(y0, lo_y - 0.05 * wy), max(y1, hi_y + 0.05 * wy)))


def tuning_runs(specs: Sequence[OptimizerSpec], lrs: Sequence[float], seed: int = 0,
                start: tuple[float, ...] | None = None) -> list[RunSpec]:
    """Every spec at every rate, labelled with the spec's display name: len(specs)·len(lrs)
    runs that share the seed and start (so they are paired)."""
    lrs = [float(v) for v in lrs]
    if not lrs or not all(math.isfinite(v) and v > 0 for v in lrs):
        raise ValueError("Learning rates for tuning must be positive numbers.")
    return [RunSpec(spec.with_lr(lr), seed=seed, start=start, label=spec.display) for spec in specs for lr in lrs]


def tuning_table(result, refined=None) -> pd.DataFrame:
    """Per run of a tuning call: label, lr, status (converged / not converged /
    diverged), converged_at, diverged_at, final_loss, ``steps_nearby`` / ``loss_nearby``
    (the worst steps to converge / final loss among the rates of the same label within
    :data:`NEARBY` decades, inf when one of them did not converge / diverged) and ``chosen`` (the best of its label by :data:`CRITERION`). With ``refined`` (the result of a second, finer pass)
    its runs are added below with ``pass`` = "fine" (the first call's are "coarse";
    ``run`` indexes each row's own result) and the best is chosen among all of them.
    ``complete``: every rate of the :data:`FINE_PER_DECADE` lattice within :data:`NEARBY`
    decades of this rate was tried; the choice prefers such rates (on a grid that is never
    that fine — a hand-made list, say — no rate is, and every rate competes)."""
    parts = []
    for name, res in (("coarse", result), ("fine", refined)):
        if res is None:
            continue
        s = res.summary()
        status = np.where(s["diverged_at"].notna(), "diverged",
                          np.where(s["converged_at"].notna(), "converged", "not converged"))
        parts.append(pd.DataFrame({"run": s["run"], "label": s["label"], "lr": s["lr"], "status": status,
                                   "converged_at": s["converged_at"], "diverged_at": s["diverged_at"],
                                   "final_loss": s["final_loss"], "pass": name}))
    t = pd.concat(parts, ignore_index=True)
    t["steps_nearby"], t["loss_nearby"] = np.inf, np.inf
    t["complete"] = False
    t["chosen"] = False
    for _, g in t.groupby("label", sort=False):
        t.loc[g.index, "steps_nearby"], t.loc[g.index, "loss_nearby"] = _worst_nearby(g)
        t.loc[g.index, "complete"] = _complete(g["lr"].to_numpy(dtype=float))
        ok = g[(g["status"] != "diverged") & np.isfinite(g["final_loss"].to_numpy(dtype=float))]
        if ok.empty:
            continue
        key = pd.DataFrame({"gap": ~t.loc[ok.index, "complete"].astype(bool), "conv": t.loc[ok.index, "steps_nearby"],
                            "near_loss": t.loc[ok.index, "loss_nearby"], "loss": ok["final_loss"], "lr": ok["lr"]})
        best = key.sort_values(["gap", "conv", "near_loss", "loss", "lr"], kind="stable").index[0]
        t.loc[best, "chosen"] = True
    if refined is None:
        t = t.drop(columns=["pass"])
    return t


NEARBY = 0.1   # decades: rates within a factor 10^0.1 ≈ 1.26 of each other count as "nearby"


def _worst_nearby(g: pd.DataFrame, width: float = NEARBY) -> tuple[np.ndarray, np.ndarray]:
    """Per row of one optimizer's tuning rows, the worst result among the rates tried within
    ``width`` decades of its rate (itself included): the most steps to converge (inf when
    one of them did not converge) and the highest final loss (inf when one diverged). The
    window is a fixed ratio of rates, so the scores do not depend on how finely the grid
    was searched."""
    logs = np.log10(g["lr"].to_numpy(dtype=float))
    steps = g["converged_at"].astype("float64").fillna(np.inf).to_numpy()
    loss = np.nan_to_num(g["final_loss"].to_numpy(dtype=float), nan=np.inf)
    near = np.abs(logs[:, None] - logs[None, :]) <= width + 1e-12
    return (np.where(near, steps[None, :], -np.inf).max(axis=1),
            np.where(near, loss[None, :], -np.inf).max(axis=1))


def lattice_index(lr) -> np.ndarray:
    """Index k of the nearest rate 10^(k/:data:`FINE_PER_DECADE`) of the fine lattice.

    >>> lattice_index([1.0, 0.1, 0.0010001]).tolist()
    [0, -24, -72]
    """
    return np.rint(np.log10(np.asarray(lr, dtype=float)) * FINE_PER_DECADE).astype(np.int64)


_HALF = int(NEARBY * 24)          # lattice steps within NEARBY decades either side (2 of 24 per decade)


def _complete(lrs: np.ndarray) -> np.ndarray:
    """Per rate: every lattice rate within :data:`NEARBY` decades of it is among ``lrs``."""
    have = set(lattice_index(lrs).tolist())
    return np.array([all(k + d in have for d in range(-_HALF, _HALF + 1)) for k in lattice_index(lrs).tolist()],
                    dtype=bool)


def pick_best(result, refined=None) -> pd.DataFrame:
    """The chosen row of each label (in order of first appearance): label, run, lr,
    status, converged_at, final_loss (and ``pass`` with a ``refined`` result, see
    :func:`tuning_table`). A label whose every rate diverged gets run = -1 and lr = NaN."""
    t = tuning_table(result, refined)
    rows = []
    for label, g in t.groupby("label", sort=False):
        c = g[g["chosen"]]
        if c.empty:
            rows.append({"label": label, "run": -1, "lr": np.nan, "status": "all diverged",
                         "converged_at": pd.NA, "final_loss": np.nan, "pass": None})
        else:
            r = c.iloc[0]
            rows.append({"label": label, "run": int(r["run"]), "lr": float(r["lr"]), "status": r["status"],
                         "converged_at": r["converged_at"], "final_loss": float(r["final_loss"]),
                         "pass": r.get("pass")})
    out = pd.DataFrame(rows)
    out["converged_at"] = out["converged_at"].astype("Int64")
    if refined is None:
        out = out.drop(columns=["pass"])
    return out


FINE_PER_DECADE = 24
FINE_MAX = 64           # second-pass rates per optimizer at most (seven optimizers stay within one call's 500 runs)


def snap(lrs: Sequence[float]) -> list[float]:
    """The rates moved to the nearest rate of the fine lattice 10^(k/:data:`FINE_PER_DECADE`),
    sorted, without repeats: a first grid of 1, 2, 3, 4, 6, 8 or 12 per decade between
    powers of ten is already on it; other grids move by at most 1/48 decade.

    >>> [round(v, 4) for v in snap([0.001, 0.00251, 0.0063, 0.0158, 0.001])]
    [0.001, 0.0026, 0.0062, 0.0162]
    """
    return [10 ** (k / FINE_PER_DECADE) for k in sorted(set(lattice_index(lrs).tolist()))]


def refine_rates(best_lr: float, lrs: Sequence[float], per_decade: int = FINE_PER_DECADE) -> list[float]:
    """The second, finer pass around one rate: the rates 10^(k/per_decade) strictly between the
    grid neighbours of ``best_lr`` (the rate of ``lrs`` nearest to it), leaving out rates
    already in ``lrs``. At an end of the grid the missing neighbour is one grid step beyond
    it. The fine rates lie on one fixed lattice, so a finer first grid leads to the same
    rates around the best, and the same choice.

    >>> [round(v, 5) for v in refine_rates(0.01, [0.001, 0.01, 0.1], per_decade=4)]
    [0.00178, 0.00316, 0.00562, 0.01778, 0.03162, 0.05623]
    """
    grid = sorted(float(v) for v in lrs)
    if not (grid and math.isfinite(best_lr) and best_lr > 0 and per_decade >= 1):
        return []
    logs = [math.log10(v) for v in grid]
    step = (logs[-1] - logs[0]) / (len(logs) - 1) if len(logs) > 1 else 1.0
    k = min(range(len(grid)), key=lambda i: abs(logs[i] - math.log10(best_lr)))
    lo = logs[k - 1] if k > 0 else logs[k] - step
    hi = logs[k + 1] if k + 1 < len(logs) else logs[k] + step
    first, last = math.floor(lo * per_decade) + 1, math.ceil(hi * per_decade) - 1
    near = lambda a, b: abs(math.log10(a) - math.log10(b)) < 1e-9       # noqa: E731
    out = [10 ** (j / per_decade) for j in range(first, last + 1)]
    return [v for v in out if lo * per_decade + 1e-9 < math.log10(v) * per_decade < hi * per_decade - 1e-9
            and not any(near(v, g) for g in grid)]


def fine_rates(coarse: pd.DataFrame, lrs: Sequence[float], limit: int = FINE_MAX) -> tuple[float, ...]:
    """One optimizer's second pass: :func:`refine_rates` (and :data:`NEARBY` beyond, so each
    rate there has its neighbours tried) around EVERY first-pass rate that converged, fastest
    first (a coarse grid cannot tell a lucky rate from a good one, and the best rate may sit
    beside a lucky one), until ``limit`` rates; with none converged,
    around every rate that did not diverge, lowest final loss first. ``coarse``: that optimizer's rows of
    :func:`tuning_table` (lr, status, converged_at, final_loss). Sorted, without the
    first-pass rates."""
    ok = coarse[coarse["status"] != "diverged"]
    conv = ok[ok["status"] == "converged"]
    if len(conv):
        order = conv.assign(k=conv["converged_at"].astype(float)).sort_values(["k", "final_loss", "lr"])
    else:
        order = ok.sort_values(["final_loss", "lr"])
    have = set(lattice_index(lrs).tolist())
    out: set[int] = set()
    for lr in order["lr"]:
        between = lattice_index(refine_rates(float(lr), lrs)).tolist()
        if not between:
            continue
        # and NEARBY beyond: every rate within one first-grid step of this one has all its
        # neighbours within ×1.26 tried, so any of them can be chosen
        more = set(range(min(between) - _HALF, max(between) + _HALF + 1)) - have - out
        if out and len(out) + len(more) > limit:
            break
        out |= more
    return tuple(10 ** (k / FINE_PER_DECADE) for k in sorted(out))


@dataclass(frozen=True)
class FairRace:
    """A fair race's tuning: ``table`` (:func:`tuning_table` of both passes), ``best`` (its
    chosen row per optimizer, with ``steps_nearby``), the first grid ``coarse`` (on the fine
    lattice, see :func:`snap`) and the second pass's rates per optimizer ``fine``."""
    table: pd.DataFrame
    best: pd.DataFrame
    coarse: tuple[float, ...]
    fine: dict

    @property
    def winner(self) -> str | None:
        """The optimizer whose chosen rate converges in the fewest steps at every rate within
        ×1.26 of it (None when none does)."""
        ok = self.best[np.isfinite(self.best["steps_nearby"].to_numpy(dtype=float))]
        if ok.empty:
            return None
        return str(ok.sort_values(["steps_nearby", "lr"], kind="stable").iloc[0]["label"])


def fair_race(problem, specs: Sequence[OptimizerSpec], lrs: Sequence[float], config, seed: int = 0,
              progress=None) -> FairRace:
    """Tune every optimizer's rate in two batched calls: every spec at every rate of ``lrs``
    (moved onto the fine lattice, :func:`snap`), then at :func:`fine_rates` (around every
    rate that converged); the best of both by :data:`CRITERION`."""
    from .train import train
    lrs = snap(lrs)
    first = train(problem, tuning_runs(specs, lrs, seed=seed), config,
                  progress=(lambda f, *a: progress(0.5 * f)) if progress else None)
    coarse = tuning_table(first)
    fine, runs = {}, []
    for spec in specs:
        fine[spec.display] = fine_rates(coarse[coarse["label"] == spec.display], lrs)
        if fine[spec.display]:
            runs += tuning_runs([spec], fine[spec.display], seed=seed)
    second = train(problem, runs, config,
                   progress=(lambda f, *a: progress(0.5 + 0.5 * f)) if progress else None) if runs else None
    table = tuning_table(first, second)
    chosen = table[table["chosen"]].set_index("label")
    best = pick_best(first, second)
    best["steps_nearby"] = [chosen["steps_nearby"].get(lab, np.inf) for lab in best["label"]]
    return FairRace(table, best, tuple(lrs), fine)


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
    if result.params is not None:
        start = np.asarray(result.params[0], dtype=np.float64)
    elif all(r.start is not None for r in result.runs):
        # Runs given explicit starts need no recorded trajectory: θ₀ is the start.
        start = np.array([r.start for r in result.runs], dtype=np.float64)
    else:
        raise ValueError("Start points need recorded parameters (TrainConfig.record_params) or explicit starts.")
    end = np.array(result.final_params, dtype=np.float64)
    end[result.diverged_at >= 0] = np.nan
    idx, dist = _nearest(end, known_minima(problem))
    reached = np.where(np.isfinite(dist) & (dist <= radius), idx, -1)
    return pd.DataFrame({"run": np.arange(len(end)), "start_x": start[:, 0], "start_y": start[:, 1],
                         "end_x": end[:, 0], "end_y": end[:, 1], "minimum": reached, "distance": dist})


@dataclass(frozen=True)
class MinimumCount:
    point: tuple[float, float]
    value: float          # f at the minimum
    runs: int             # runs that ended within the radius of it
    is_global: bool       # the lowest of the known minima (ties: all of them)


@dataclass(frozen=True)
class RestartSummary:
    """How many restarts ended where: per known minimum (lowest first), elsewhere (a
    local minimum that is not listed, a saddle, or still moving) and diverged."""
    minima: tuple[MinimumCount, ...]
    elsewhere: int
    diverged: int
    total: int

    @property
    def found_global(self) -> int:
        return sum(m.runs for m in self.minima if m.is_global)

    @property
    def all_equal(self) -> bool:
        """Every listed minimum is global (e.g. Himmelblau's four)."""
        return all(m.is_global for m in self.minima)


def restart_summary(ends: pd.DataFrame, problem: SurfaceProblem, rel_tol: float = 1e-9) -> RestartSummary:
    """Counts of a :func:`basins` table for a surface: the runs at each known minimum, with
    f there (float64) and whether it is a global one (within ``rel_tol`` of the lowest), in
    the surface's listed order."""
    d = problem.definition
    pts = torch.tensor(d.minima, dtype=torch.float64).reshape(-1, 2)
    values = d.f(pts[:, 0], pts[:, 1]).tolist() if len(pts) else []
    low = min(values) if values else math.nan
    reached = ends["minimum"].to_numpy()
    finite = np.isfinite(ends["end_x"].to_numpy(dtype=float))
    minima = tuple(MinimumCount((float(p[0]), float(p[1])), float(v), int((reached == i).sum()),
                                abs(v - low) <= rel_tol * max(1.0, abs(low)))
                   for i, (p, v) in enumerate(zip(d.minima, values)))
    return RestartSummary(minima, int(((reached < 0) & finite).sum()), int((~finite).sum()), len(ends))


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
