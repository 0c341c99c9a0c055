"""Home's computation: gradient descent on the bowl L(w) = w² from w = −4 (trained through
the shared cached :func:`ui.compute.train`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import dlcore
from dlcore.inspect_step import StepRegime, step_regime
from ui import compute
from ui.charts.home import W_RANGE

STEPS = 12
START = -4.0
CURVATURE = 2.0                   # d²L/dw² of L = w²


@dataclass(frozen=True)
class BallRun:
    lr: float
    steps: int
    balls: pd.DataFrame           # step, w, loss, grad_norm, diverged — the steps inside the picture
    w_end: float
    regime: StepRegime


def ball_run(lr: float) -> BallRun:
    bowl = dlcore.SurfaceProblem("custom", expression="x**2", start=(START, 0.0))
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr))
    res = compute.train(bowl, (run,), dlcore.TrainConfig(steps=STEPS, dtype="float64"))
    balls = res.history().rename(columns={"x": "w"})[["step", "w", "loss", "grad_norm", "diverged"]]
    balls = balls[np.isfinite(balls["w"]) & (balls["w"].abs() <= W_RANGE)]
    return BallRun(lr=lr, steps=STEPS, balls=balls, w_end=float(res.final_params[0, 0]),
                   regime=step_regime(lr, CURVATURE, diverged=bool(res.diverged_at[0] >= 0)))
