"""The Gradient descent page's computations: the learner's run (trained through the
shared cached :func:`ui.compute.train`), one epoch opened up for the step-through, every
epoch as a table, and the article's fact check (one cached answer for everyone).

The page's sections call one function each: :func:`lesson` (the run and its summary),
:func:`epoch_view` (one epoch), :func:`every_epoch` and :func:`fact_check`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.inspect_step import (LineStep, RunSummary, StepRegime, article_fact_check, epoch_table, line_step,
                                 step_regime, summarize_run)
from dlcore.theory import quadratic_theory
from ui import compute
from ui.charts.gradient_descent import window_around
from ui.params import log_options

BASE = dlcore.LINE_FIT                      # x = 1..4, y = 2x, MSE
THEORY = quadratic_theory(BASE)             # Hessian [[15, 5], [5, 2]]
LR_LIMIT = THEORY.lr_diverge                # 2/λmax ≈ 0.1198
LR_OPTIONS = tuple(sorted(set(log_options(1e-4, 0.5)) | {0.03, 0.05, 0.07, 0.11, 0.115, 0.12, 0.125, 0.13, 0.15}))
DTYPE = "float32"                           # the article's tensors are float32
TOL = 1e-3                                  # "w = 2 within 1e-3"
W_STAR, B_STAR, _ = BASE.least_squares()    # (2, 0)
HISTORY_POINTS = 300                        # points of the loss curve and path drawn


@dataclass(frozen=True)
class Lesson:
    """The learner's run: gradient descent on the article's four points from (w0, b0)."""

    lr: float
    w0: float
    b0: float
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


def lesson(lr: float, epochs_asked: int, w0: float, b0: float) -> Lesson:
    """Train the learner's run (cached) and summarise it."""
    _, epochs, notes = fit_budget(1, epochs_asked, n_params=2, n_examples=4)
    problem = replace(BASE, start=(w0, b0))
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr), label=f"η = {lr:g}")
    config = dlcore.TrainConfig(steps=epochs, dtype=DTYPE, record_params=True)
    res = compute.train(problem, (run,), config)
    summary = summarize_run(res, W_STAR, TOL)
    regime = step_regime(lr, THEORY.lambda_max, THEORY.lambda_min, diverged=summary.diverged)
    return Lesson(lr=lr, w0=w0, b0=b0, problem=problem, run=run, config=config, result=res, summary=summary,
                  regime=regime, budget_notes=tuple(notes))


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
    points: pd.DataFrame

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
    window = window_around(hist, "w", "b", [(W_STAR, B_STAR), start],
                           cap=3 * max(float(np.hypot(ls.w0 - W_STAR, ls.b0 - B_STAR)), 1.0))
    markers = pd.DataFrame({"w": [ls.w0, W_STAR], "b": [ls.b0, B_STAR],
                            "label": [f"start ({ls.w0:g}, {ls.b0:g})", "best fit (2, 0)"]})
    return EpochView(epoch=epoch, step=step, w_next=w_next, b_next=b_next, history=hist, window=window,
                     grid=compute.grid(ls.problem, window, 60), markers=markers,
                     points=pd.DataFrame({"x": BASE.x, "y": BASE.y}))


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
    """The plain PyTorch script of the learner's run (cached)."""
    return compute.script(ls.problem, ls.run, ls.config)
