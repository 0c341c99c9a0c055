"""The Gradient descent page's computations: the learner's run (trained through the
shared cached :func:`ui.compute.train`), one epoch opened up for the step-through, every
epoch as a table, and the article's fact check (one cached answer for everyone).

The page's sections call one function each: :func:`page_data` (the article's four points
or the learner's own table, with its bowl's theory), :func:`lesson` (the run and its
summary), :func:`epoch_view` (one epoch), :func:`every_epoch` and :func:`fact_check`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.codegen import CsvSource, export_script
from dlcore.inspect_step import (LineStep, RunSummary, StepRegime, article_fact_check, epoch_table, line_step,
                                 step_regime, summarize_run)
from dlcore.theory import QuadraticTheory, quadratic_theory
from ui import compute
from ui.charts.gradient_descent import window_around
from ui.format import short
from ui.params import log_options

BASE = dlcore.LINE_FIT                      # x = 1..4, y = 2x, MSE
THEORY = quadratic_theory(BASE)             # Hessian [[15, 5], [5, 2]]
LR_LIMIT = THEORY.lr_diverge                # 2/λmax ≈ 0.1198
LR_OPTIONS = tuple(sorted(set(log_options(1e-4, 0.5)) | {0.03, 0.05, 0.07, 0.11, 0.115, 0.12, 0.125, 0.13, 0.15}))
DTYPE = "float32"                           # the article's tensors are float32
TOL = 1e-3                                  # "w = 2 within 1e-3"
W_STAR, B_STAR, _ = BASE.least_squares()    # (2, 0)
HISTORY_POINTS = 300                        # points of the loss curve and path drawn
MAX_DRAWN = 400                             # points of the learner's data drawn in the fit chart
EMBED_MAX = 200                             # up to this many points the script holds the data itself
CSV_NAME = "my_data.csv"                    # what "Download this data as CSV" saves


@dataclass(frozen=True)
class Data:
    """The points the page fits — the article's four, or the learner's own x and y columns
    (optionally with x standardised) — and what the bowl's Hessian says about them."""

    problem: dlcore.LinearProblem           # x, y, standardize (start set per run)
    own: bool
    x_name: str = "x"
    y_name: str = "y"
    w_star: float = W_STAR                  # least squares, float64, in the model's own x scale
    b_star: float = B_STAR
    theory: QuadraticTheory = THEORY
    tol: float = TOL
    csv: bool = False                       # the script reads the data from CSV_NAME (too many points to embed)

    @property
    def limit(self) -> float:
        return self.theory.lr_diverge

    @property
    def n(self) -> int:
        return self.problem.n

    def best_label(self) -> str:
        return "best fit (2, 0)" if not self.own else f"best fit ({short(self.w_star)}, {short(self.b_star)})"


ARTICLE = Data(BASE, own=False)


def page_data(x: tuple[float, ...] | None = None, y: tuple[float, ...] | None = None, *, x_name: str = "x",
              y_name: str = "y", standardize: bool = False) -> Data:
    """The article's data (no arguments) or the learner's points, with the least-squares
    optimum and the Hessian's eigenvalues in float64. Raises ValueError for unusable points."""
    if x is None:
        return ARTICLE
    problem = dlcore.LinearProblem(x=tuple(x), y=tuple(y), standardize=standardize, title="Your data")
    theory = quadratic_theory(problem)
    if theory is None:
        raise ValueError("The loss of these points has no single minimum (its Hessian is not positive definite).")
    w, b, _ = problem.least_squares()
    if not (all(math.isfinite(v) for v in (theory.lambda_max, theory.lambda_min, w, b)) and theory.lambda_min > 0):
        raise ValueError("These values are too large (or too close together) to compute the best line in float64: "
                         "rescale the data, e.g. measure in thousands or subtract a common offset.")
    return Data(problem, own=True, x_name=x_name, y_name=y_name, w_star=w, b_star=b, theory=theory,
                tol=float(f"{TOL * max(abs(w), 1e-6):.1g}"), csv=problem.n > EMBED_MAX)


def lr_range(limit: float) -> tuple[float, float, float, float]:
    """(lo, hi, step, default) of the learning-rate slider on own data: steps of a round
    hundredth of the stability limit, up to 1.5 × the limit (so divergence is reachable),
    starting at 0.4 × the limit (a smooth roll)."""
    unit = 10.0 ** math.floor(math.log10(limit / 100))
    if unit > limit / 100:               # log10 rounded up just below a power of ten
        unit /= 10
    step = max(u for u in (unit, 2 * unit, 5 * unit) if u <= limit / 100)
    r = lambda v: float(f"{v:.12g}")  # noqa: E731
    hi = r(step * math.ceil(1.5 * limit / step))
    default = r(step * max(1, math.floor(0.4 * limit / step)))
    return r(step), hi, r(step), default


@dataclass(frozen=True)
class Lesson:
    """The learner's run: gradient descent on the article's four points from (w0, b0)."""

    lr: float
    w0: float
    b0: float
    data: Data
    problem: dlcore.LinearProblem
    run: dlcore.RunSpec
    config: dlcore.TrainConfig
    result: dlcore.TrainResult
    summary: RunSummary
    regime: StepRegime
    budget_notes: tuple[str, ...]

    @property
    def params(self) -> np.ndarray:
        """θ_0 … θ_T as (T+1, 2) float64 (w, b)."""
        return self.result.params[:, 0, :].astype(np.float64)


def lesson(lr: float, epochs_asked: int, w0: float, b0: float, data: Data = ARTICLE) -> Lesson:
    """Train the learner's run on ``data`` (cached) and summarise it."""
    _, epochs, notes = fit_budget(1, epochs_asked, n_params=2, n_examples=data.n)
    problem = replace(data.problem, start=(w0, b0))
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr), label=f"η = {lr:g}")
    config = dlcore.TrainConfig(steps=epochs, dtype=DTYPE, record_params=True)
    res = compute.train(problem, (run,), config)
    summary = summarize_run(res, data.w_star, data.tol)
    regime = step_regime(lr, data.theory.lambda_max, data.theory.lambda_min, diverged=summary.diverged)
    return Lesson(lr=lr, w0=w0, b0=b0, data=data, problem=problem, run=run, config=config, result=res,
                  summary=summary, regime=regime, budget_notes=tuple(notes))


@dataclass(frozen=True)
class EpochView:
    """One epoch opened up: the step's numbers, where the run really went next, and what
    the charts draw (loss curve and path with this epoch kept, the bowl's window and grid)."""

    epoch: int
    step: LineStep
    w_next: float
    b_next: float
    history: pd.DataFrame
    window: tuple[float, float, float, float]
    grid: pd.DataFrame
    markers: pd.DataFrame
    points: pd.DataFrame                    # the points drawn (at most MAX_DRAWN of them)

    @property
    def agrees(self) -> bool:
        """The training run holds exactly this update, in float32."""
        return bool(np.float32(self.step.new_w) == np.float32(self.w_next)
                    and np.float32(self.step.new_b) == np.float32(self.b_next))

    @property
    def ball_in_window(self) -> bool:
        x0, x1, y0, y1 = self.window
        return bool(x0 <= self.step.w <= x1 and y0 <= self.step.b <= y1)

    @property
    def line_drawable(self) -> bool:
        """The line at this epoch is finite and not absurdly far off the chart."""
        s = self.step
        return bool(np.isfinite([s.w, s.b]).all() and abs(s.w) < 1e6 and abs(s.b) < 1e6)

    @property
    def bowl_step(self) -> dict:
        s = self.step
        return {"epoch": self.epoch, "w": s.w, "b": s.b, "w_next": self.w_next, "b_next": self.b_next}


def epoch_view(ls: Lesson, epoch: int) -> EpochView:
    """Epoch ``epoch`` (0 … summary.last_epoch) of the learner's run."""
    params = ls.params
    step = line_step(ls.problem, float(params[epoch, 0]), float(params[epoch, 1]), ls.lr, DTYPE)
    w_next, b_next = (float(v) for v in params[epoch + 1])
    full = ls.result.history()
    hist = (pd.concat([ls.result.history(max_points=HISTORY_POINTS), full[full["step"] == epoch]])
            .drop_duplicates("step").sort_values("step"))
    start = (ls.w0, ls.b0)
    d = ls.data
    window = window_around(hist, "w", "b", [(d.w_star, d.b_star), start],
                           cap=3 * max(float(np.hypot(ls.w0 - d.w_star, ls.b0 - d.b_star)), 1.0))
    markers = pd.DataFrame({"w": [ls.w0, d.w_star], "b": [ls.b0, d.b_star],
                            "label": [f"start ({ls.w0:g}, {ls.b0:g})", d.best_label()]})
    return EpochView(epoch=epoch, step=step, w_next=w_next, b_next=b_next, history=hist, window=window,
                     grid=compute.grid(bowl_problem(ls.problem), window, 60), markers=markers,
                     points=drawn_points(d))


def bowl_problem(problem: dlcore.LinearProblem) -> dlcore.LinearProblem:
    """A problem with exactly the same MSE over every (w, b) as ``problem``, for drawing
    the bowl: four points when ``problem`` has many. The MSE mean((w·x + b − y)²) depends
    on the data only through mean(x), var(x), mean(y), cov(x, y) and var(y); the points
    (mx ± sx, my ± c ± d), c = cov/sx, d = √(var(y) − c²), have the same five (and the same
    mean and std of x, so standardising maps them alike). A 60 × 60 grid then costs 4
    points per cell instead of 10,000."""
    if problem.n <= 64 or problem.loss != "mse":
        return problem
    x = np.asarray(problem.x, dtype=np.float64)
    y = np.asarray(problem.y, dtype=np.float64)
    mx, sx, my = x.mean(), x.std(), y.mean()
    c = float(((x - mx) * (y - my)).mean()) / sx
    d = math.sqrt(max(float(y.var()) - c * c, 0.0))
    return replace(problem, x=(mx + sx, mx + sx, mx - sx, mx - sx), y=(my + c + d, my + c - d, my - c + d, my - c - d))


def drawn_points(d: Data) -> pd.DataFrame:
    """The points the fit chart draws, on the model's own x scale (standardised x when it
    is on): all of them, or an even spread of MAX_DRAWN sorted by x."""
    mu, sd = d.problem.x_scale()
    x = (np.asarray(d.problem.x, dtype=np.float64) - mu) / sd
    y = np.asarray(d.problem.y, dtype=np.float64)
    if len(x) > MAX_DRAWN:
        order = np.argsort(x, kind="stable")
        keep = order[np.linspace(0, len(x) - 1, MAX_DRAWN).round().astype(int)]
        x, y = x[keep], y[keep]
    return pd.DataFrame({"x": x, "y": y})


@st.cache_data(max_entries=32, ttl=compute.TTL, show_spinner=False)
def _epoch_table(problem, params: np.ndarray) -> pd.DataFrame:
    return epoch_table(problem, params, DTYPE)


def every_epoch(ls: Lesson) -> pd.DataFrame:
    """Every epoch of the learner's run as a table (full precision; cached)."""
    return _epoch_table(ls.problem, ls.params[: ls.summary.last + 1])


@st.cache_data(max_entries=1, ttl=24 * 3600, show_spinner=False)
def fact_check():
    """The article's loop, 2000 epochs: a fixed question, so one cached answer for everyone."""
    return compute.offload(article_fact_check, BASE, lr=0.01, epochs=100, tol=TOL, horizon=2000, dtype=DTYPE,
                           text="Running the article's loop…")


def script(ls: Lesson) -> str:
    """The plain PyTorch script of the learner's run (cached): the data written into it,
    or — for more than EMBED_MAX points — read from the CSV the page offers."""
    if not ls.data.csv:
        return compute.script(ls.problem, ls.run, ls.config)
    return _csv_script(ls.problem, ls.run, ls.config, CsvSource(CSV_NAME, ls.data.x_name, ls.data.y_name))


@st.cache_data(max_entries=16, ttl=compute.TTL, show_spinner=False)
def _csv_script(problem, run, config, source) -> str:
    return export_script(problem, run, config, source=source)
