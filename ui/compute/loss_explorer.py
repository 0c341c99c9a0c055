"""The Loss explorer's computations: the learner's line judged four ways, gradient
descent from that line at every rate on raw and standardised hours (through the shared
cached :func:`ui.compute.train`), and the loss landscape around both.

Sections call one function each: :func:`judge` (the line's errors and losses),
:func:`descent` (the rate sweep and the learner's run), :func:`landscape` (the grid
and its window)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.line_explorer import (SliderRanges, drawn_sample, gd_rates, loss_shares, path_to_original,
                                  rate_outcomes, slider_ranges, to_model, too_large)
from dlcore.lines import line_report, mse_grid
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
SHARES_SHOWN = 12        # points in the shares chart: all up to this many, else the largest errors


def scale_labels(x_name: str = "hours") -> tuple[str, str]:
    """The two scalings as the charts and sentences name them: raw / standardised x."""
    return (RAW, STD) if x_name == "hours" else (f"raw {x_name}", f"standardised {x_name}")


def problem_of(xs, ys) -> dlcore.LinearProblem:
    return dlcore.LinearProblem(x=tuple(xs), y=tuple(ys), names=("m", "c"), title="Study hours → exam score")


def overflow(xs, ys) -> str | None:
    """A message when the data's numbers are too large to judge lines in float64, else None."""
    return too_large(xs, ys)


def rates_for(xs, ys) -> tuple[float, ...]:
    """The learning rates offered for this data: the slider's range follows the stability
    limit 2/λmax of the data's own Hessian (raw x) and of standardised x (1)."""
    data = problem_of(xs, ys)
    return gd_rates(quadratic_theory(data).lr_diverge,
                    quadratic_theory(replace(data, standardize=True)).lr_diverge)


def delta_options(ys) -> tuple[float, ...]:
    """Huber δ values for y of this spread: the article's DELTAS (0.5 … 500, for scores
    spread by about 100) times a power of ten that follows the spread of y."""
    import math
    sd = float(np.std(np.asarray(ys, dtype=np.float64)))
    if not (math.isfinite(sd) and sd > 0):
        return DELTAS
    k = math.floor(math.log10(sd)) - 1
    return tuple(float(f"{d * 10.0 ** k:.6g}") for d in DELTAS)


def nearest_rate(rates, lr: float) -> float:
    """The offered rate nearest to ``lr`` (by ratio: the rates are log-spaced)."""
    import math
    lr = float(lr)
    if lr in rates:
        return lr
    return min(rates, key=lambda r: abs(math.log(r) - math.log(lr)) if lr > 0 else r)


def line_ranges(xs, ys, m: float, c: float) -> SliderRanges:
    """Slider ranges for the slope and intercept: round numbers around the best line that
    hold the learner's line (and, on the article's data, the article's line)."""
    lines = [(m, c)]
    if (tuple(xs), tuple(ys)) == (ARTICLE_X, ARTICLE_Y):
        lines.insert(0, ARTICLE_LINE)
    return slider_ranges(xs, ys, lines=lines)


def digest(problem: dlcore.LinearProblem) -> str:
    """A short key for a line-fit problem: its points' bytes and every other field.
    Streamlit's cache would hash a frozen problem element by element — about 0.25 s for
    10,000 points, paid on every rerun for each cached call — so the page's training is
    cached under this key instead."""
    h = hashlib.sha1()
    h.update(np.asarray(problem.x, dtype=np.float64).tobytes())
    h.update(b"|")
    h.update(np.asarray(problem.y, dtype=np.float64).tobytes())
    h.update(repr(replace(problem, x=(0.0, 1.0), y=(0.0, 0.0))).encode())
    return h.hexdigest()


@st.cache_data(max_entries=48, ttl=compute.TTL, show_spinner=False)
def _train(key: str, _problem: dlcore.LinearProblem, runs: tuple, config: dlcore.TrainConfig) -> dlcore.TrainResult:
    return compute.offload(dlcore.train, _problem, runs, config, text="Training…")


def train(problem: dlcore.LinearProblem, runs: tuple, config: dlcore.TrainConfig) -> dlcore.TrainResult:
    """compute.train's work (on a worker or under the gate), cached by :func:`digest`."""
    return _train(digest(problem), problem, runs, config)


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

    @property
    def n(self) -> int:
        return len(self.table)

    @property
    def overflowed(self) -> bool:
        """A loss of this line is beyond float64 (inf or NaN): shown as a state, not a number."""
        import math
        return not all(math.isfinite(v) for v in self.losses.values())

    def share_of_worst(self, loss: str) -> float:
        sh = self.shares
        return float(sh[(sh["loss"] == loss) & (sh["point"] == self.worst + 1)]["share"].iloc[0])


def judge(xs, ys, m: float, c: float, delta: float, unit: str = "h") -> Judgement:
    """The line y = m·x + c against every row. ``shares_shown`` (the chart's) holds every
    point up to SHARES_SHOWN of them, else the SHARES_SHOWN with the largest squared errors,
    labelled by x ("10 h" on the article's data, the x value followed by ``unit``)."""
    with np.errstate(all="ignore"):
        table, losses = line_report(xs, ys, m, c, delta)
        shares = loss_shares(xs, ys, m, c, delta)
    sq = table["squared_error"].to_numpy()
    worst = int(np.nanargmax(sq)) if np.isfinite(sq).any() else 0
    if len(table) > SHARES_SHOWN:
        keep = set((np.argsort(-np.nan_to_num(sq, nan=-1.0), kind="stable")[:SHARES_SHOWN] + 1).tolist())
        shown = shares[shares["point"].isin(keep)]
        label = lambda r: f"#{r.point}"  # noqa: E731  (the row; its x is in the tooltip and the table)
    else:
        shown = shares
        label = lambda r: f"{r.x:g}{' ' + unit if unit else ''}"  # noqa: E731
    shown = shown.assign(point=[label(r) for r in shown.itertuples()])
    return Judgement(table=table, losses=losses, shares=shares, shares_shown=shown, worst=worst,
                     best=problem_of(xs, ys).least_squares(), line=(float(m), float(c)))


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
    rates: tuple[float, ...] = GD_RATES  # the rates trained (the slider's options)
    labels: tuple[str, str] = (RAW, STD)  # the two scalings' names (raw, standardised x)

    @property
    def raw(self) -> str:
        return self.labels[0]

    @property
    def standard(self) -> str:
        return self.labels[1]

    @property
    def scale(self) -> str:
        return self.labels[1] if self.std else self.labels[0]

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


def descent(xs, ys, m: float, c: float, std: bool, lr: float, steps_asked: int, x_name: str = "hours") -> Descent:
    """Plain SGD from the line (m, c) at every rate of :func:`rates_for` on raw and
    standardised x; ``lr`` (snapped to the nearest offered rate) is the learner's run."""
    data = problem_of(xs, ys)
    mse_star = data.least_squares()[2]
    rates = rates_for(xs, ys)
    lr = nearest_rate(rates, lr)
    labels = scale_labels(x_name)
    raw = replace(data, start=(m, c))
    std_base = replace(data, standardize=True, names=("w", "b"), title="Study hours (standardised) → exam score")
    std_problem = replace(std_base, start=to_model(std_base, m, c))
    # Both scalings train every rate: two training calls of len(rates) runs, budgeted as one request.
    runs_ok, steps, notes = fit_budget(len(rates), steps_asked, n_params=2, n_examples=len(xs), calls=2)
    if runs_ok < len(rates):
        # Every rate is one point of the rate chart, so the page trains them all and gives up steps instead.
        from dlcore.budget import MAX_SECONDS, estimate_seconds
        steps = max(1, min(steps_asked, int(MAX_SECONDS / estimate_seconds(len(rates), 1, 2, len(xs), calls=2))))
        notes = [f"To keep the lab fast for everyone, training stops after {steps} steps (asked for {steps_asked})."]
    config = dlcore.TrainConfig(steps=steps, dtype=DTYPE, record_params=True)
    runs = tuple(dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=r), label=f"η = {r:g}") for r in rates)
    RAW_, STD_ = labels
    results = {RAW_: train(raw, runs, config), STD_: train(std_problem, runs, config)}
    sweep = pd.concat([rate_outcomes(results[k], rates, mse_star, k) for k in labels], ignore_index=True)
    scale, problem = (STD_, std_problem) if std else (RAW_, raw)
    res, i = results[scale], rates.index(lr)
    hist = res.history(runs=[i], max_points=PATH_POINTS)
    orig = path_to_original(problem, hist[list(problem.names)].to_numpy())
    path = hist.assign(m=orig[:, 0], c=orig[:, 1], gap=hist["loss"] - mse_star, label=f"gradient descent, η = {lr:g}")
    end = path_to_original(problem, res.params[int(res.last_step()[i]), i].astype(np.float64))
    return Descent(lr=lr, std=std, steps=steps, budget_notes=tuple(notes), sweep=sweep,
                   theory={RAW_: quadratic_theory(raw), STD_: quadratic_theory(std_problem)}, std_problem=std_problem,
                   problem=problem, run=runs[i], config=config, path=path, end=(float(end[0]), float(end[1])),
                   diverged_at=int(res.diverged_at[i]), rates=rates, labels=labels)


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
    return Landscape(window=window, grid=mse_grid(xs, ys, window, 60), path=d.path.assign(run=0))


CSV_NAME = "my_data.csv"        # what ui.own_data's "Download this data as CSV" saves


def script(d: Descent, csv: tuple[str, str] | None = None) -> str:
    """The plain PyTorch script of the learner's gradient-descent run (cached); with
    ``csv`` = (x column, y column) it reads the points from the downloaded CSV."""
    if csv is None:
        return compute.script(d.problem, d.run, d.config)
    from dlcore.codegen import CsvSource, export_script
    return export_script(d.problem, d.run, d.config, source=CsvSource(CSV_NAME, *csv))


def points_of(xs, ys) -> pd.DataFrame:
    """The data as the charts take it (columns x, y)."""
    return pd.DataFrame({"x": xs, "y": ys})


def drawn_rows(n: int) -> np.ndarray:
    """Which rows the charts draw (all up to dlcore.line_explorer.MAX_DRAWN, else a fixed sample)."""
    return drawn_sample(n)
