"""The Loss explorer's computations: the learner's line judged four ways, gradient
descent from that line at every rate on raw and standardised hours (through the shared
cached :func:`ui.compute.train`), and the loss landscape around both.

Sections call one function each: :func:`judge` (the line's errors and losses),
:func:`descent` (the rate sweep and the learner's run), :func:`landscape` (the grid
and its window)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

import dlcore
from dlcore.budget import fit_budget
from dlcore.line_explorer import (SliderRanges, loss_shares, path_to_original, rate_outcomes, slider_ranges,
                                  to_model)
from dlcore.lines import line_report
from dlcore.theory import QuadraticTheory, quadratic_theory
from ui import compute
from ui.charts.loss_explorer import zoom_window
from ui.params import log_options

ARTICLE_X = (10.0, 20.0, 30.0, 40.0)
ARTICLE_Y = (480.0, 520.0, 710.0, 680.0)
ARTICLE_LINE = (9.0, 350.0)
DELTAS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
# One set of rates for both scalings: 1-2-5 per decade plus points around each divergence threshold.
GD_RATES = tuple(sorted(set(log_options(1e-5, 2.0)) | {0.0012, 0.0013, 0.0014, 0.0015, 0.9, 1.1, 1.5}))
GD_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
DTYPE = "float64"
RAW, STD = "raw hours", "standardised hours"
PATH_POINTS = 300


def problem_of(xs, ys) -> dlcore.LinearProblem:
    return dlcore.LinearProblem(x=tuple(xs), y=tuple(ys), names=("m", "c"), title="Study hours → exam score")


def line_ranges(xs, ys, m: float, c: float) -> SliderRanges:
    """Slider ranges for the slope and intercept: round numbers around the best line that
    hold the article's line and the learner's."""
    return slider_ranges(xs, ys, lines=[ARTICLE_LINE, (m, c)])


@dataclass(frozen=True)
class Judgement:
    """The learner's line against the data: per-point errors, the four losses, each
    point's share of each loss, and the best (least-squares) line."""

    table: pd.DataFrame                 # x, y, prediction, residual, squared_error, abs_error
    losses: dict
    shares: pd.DataFrame                # point (1…n), x, loss, share
    shares_shown: pd.DataFrame          # the same with point = "10 h", … for the chart
    worst: int                          # index of the largest squared error
    best: tuple[float, float, float]    # m*, c*, MSE*
    line: tuple[float, float] = (float("nan"), float("nan"))   # the line judged (m, c)

    def share_of_worst(self, loss: str) -> float:
        sh = self.shares
        return float(sh[(sh["loss"] == loss) & (sh["point"] == self.worst + 1)]["share"].iloc[0])


def judge(xs, ys, m: float, c: float, delta: float) -> Judgement:
    table, losses = line_report(xs, ys, m, c, delta)
    shares = loss_shares(xs, ys, m, c, delta)
    return Judgement(table=table, losses=losses, shares=shares,
                     shares_shown=shares.assign(point=[f"{v:g} h" for v in shares["x"]]),
                     worst=int(table["squared_error"].idxmax()), best=problem_of(xs, ys).least_squares(),
                     line=(float(m), float(c)))


@dataclass(frozen=True)
class Descent:
    """Plain SGD from the learner's line at every rate on both scalings, and the learner's run."""

    lr: float
    std: bool
    steps: int
    budget_notes: tuple[str, ...]
    sweep: pd.DataFrame                 # rate_outcomes for both scalings
    theory: dict                        # scale → QuadraticTheory
    std_problem: dlcore.LinearProblem
    problem: dlcore.LinearProblem       # the learner's scaling, starting at their line
    run: dlcore.RunSpec
    config: dlcore.TrainConfig
    path: pd.DataFrame                  # the learner's run in original units: step, m, c, loss, gap, label
    end: tuple[float, float]            # (m, c) where it ended
    diverged_at: int

    @property
    def scale(self) -> str:
        return STD if self.std else RAW

    @property
    def mine(self) -> pd.Series:
        s = self.sweep
        return s[(s["scale"] == self.scale) & (s["lr"] == self.lr)].iloc[0]

    @property
    def my_theory(self) -> QuadraticTheory:
        return self.theory[self.scale]

    @property
    def found(self) -> bool:
        """A finite line to offer ("Use the line gradient descent found")."""
        return self.diverged_at < 0 and bool(np.isfinite(self.end).all())


def descent(xs, ys, m: float, c: float, std: bool, lr: float, steps_asked: int) -> Descent:
    data = problem_of(xs, ys)
    mse_star = data.least_squares()[2]
    raw = replace(data, start=(m, c))
    std_base = replace(data, standardize=True, names=("w", "b"), title="Study hours (standardised) → exam score")
    std_problem = replace(std_base, start=to_model(std_base, m, c))
    # Both scalings train every rate: two training calls of len(GD_RATES) runs, budgeted as one request.
    _, steps, notes = fit_budget(len(GD_RATES), steps_asked, n_params=2, n_examples=len(xs), calls=2)
    config = dlcore.TrainConfig(steps=steps, dtype=DTYPE, record_params=True)
    runs = tuple(dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=r), label=f"η = {r:g}") for r in GD_RATES)
    results = {RAW: compute.train(raw, runs, config), STD: compute.train(std_problem, runs, config)}
    sweep = pd.concat([rate_outcomes(results[k], GD_RATES, mse_star, k) for k in (RAW, STD)], ignore_index=True)
    scale, problem = (STD, std_problem) if std else (RAW, raw)
    res, i = results[scale], GD_RATES.index(lr)
    hist = res.history(runs=[i], max_points=PATH_POINTS)
    orig = path_to_original(problem, hist[list(problem.names)].to_numpy())
    path = hist.assign(m=orig[:, 0], c=orig[:, 1], gap=hist["loss"] - mse_star, label=f"gradient descent, η = {lr:g}")
    end = path_to_original(problem, res.params[int(res.last_step()[i]), i].astype(np.float64))
    return Descent(lr=lr, std=std, steps=steps, budget_notes=tuple(notes), sweep=sweep,
                   theory={RAW: quadratic_theory(raw), STD: quadratic_theory(std_problem)}, std_problem=std_problem,
                   problem=problem, run=runs[i], config=config, path=path, end=(float(end[0]), float(end[1])),
                   diverged_at=int(res.diverged_at[i]))


def gap_curve(d: Descent) -> pd.DataFrame:
    """The learner's run as "loss above the best line", floored at 1e-12 for a log axis."""
    return d.path.assign(gap=d.path["gap"].clip(lower=1e-12))


@dataclass(frozen=True)
class Landscape:
    window: tuple[float, float, float, float]
    grid: pd.DataFrame
    path: pd.DataFrame


def landscape(xs, ys, m: float, c: float, d: Descent, ranges: SliderRanges, zoom: bool) -> Landscape:
    """The MSE over (slope, intercept): the sliders' whole range, or zoomed around the
    learner's line, the best line and gradient descent's path."""
    data = problem_of(xs, ys)
    m_star, c_star, _ = data.least_squares()
    window = ranges.window
    if zoom:
        pts = pd.concat([d.path[["m", "c"]], pd.DataFrame({"m": [m, m_star], "c": [c, c_star]})])
        window = zoom_window(pts, "m", "c", ranges.window)
    return Landscape(window=window, grid=compute.grid(data, window, 60), path=d.path.assign(run=0))


def script(d: Descent) -> str:
    """The plain PyTorch script of the learner's gradient-descent run (cached)."""
    return compute.script(d.problem, d.run, d.config)


def points_of(xs, ys) -> pd.DataFrame:
    """The data as the charts take it (columns x, y)."""
    return pd.DataFrame({"x": xs, "y": ys})
