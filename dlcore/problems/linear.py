"""Fitting a line y = w·x + b to points (article 000).

Two instances come from the article: the line fit (x = 1..4, y = 2x, start w = b = 0)
and the study-hours data (hours 10..40 → scores 480, 520, 710, 680). Any data the
learner edits is the same problem with other points.

Losses, with r = w·x + b − y over the n points (or a mini-batch of them):

    mse   = mean(r²)                 (what the article and nn.MSELoss compute)
    rmse  = √mse
    mae   = mean(|r|)
    huber = mean(½r² if |r| ≤ δ else δ(|r| − ½δ))   (nn.HuberLoss(delta=δ))

With ``standardize=True`` the model sees x' = (x − mean)/std (population std), which
makes the loss surface round; :meth:`LinearObjective.to_original` maps the fitted
(w', b') back to the slope and intercept on the original x scale.

Example::

    >>> obj = LINE_FIT.build()
    >>> obj.loss(torch.tensor([[0.0, 0.0], [2.0, 0.0]])).tolist()   # MSE at w=b=0 and at w=2
    [30.0, 0.0]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .._checks import floats, is_number
from .base import Objective

LOSSES = ("mse", "rmse", "mae", "huber")


@dataclass(frozen=True)
class LinearProblem:
    """Points (x, y) and the line model y = w·x + b; see the module docstring."""

    x: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
    y: tuple[float, ...] = (2.0, 4.0, 6.0, 8.0)
    loss: str = "mse"
    huber_delta: float = 1.0
    standardize: bool = False
    start: tuple[float, float] = (0.0, 0.0)
    names: tuple[str, str] = ("w", "b")
    title: str = "Line fit"

    def __post_init__(self):
        object.__setattr__(self, "x", floats(self.x, "x"))
        object.__setattr__(self, "y", floats(self.y, "y"))
        object.__setattr__(self, "start", floats(self.start, "start"))
        if len(self.x) != len(self.y):
            raise ValueError(f"x and y need the same number of values ({len(self.x)} ≠ {len(self.y)}).")
        if len(self.x) < 2:
            raise ValueError("At least two points are needed to fit a line.")
        if not all(math.isfinite(v) for v in self.x + self.y + self.start):
            raise ValueError("Every x, y and start value must be a finite number.")
        if len(set(self.x)) < 2:
            raise ValueError("The x values must not all be equal: a line through them is not determined.")
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}; choose one of {list(LOSSES)}.")
        if not (is_number(self.huber_delta) and self.huber_delta > 0):
            raise ValueError("The Huber δ must be a positive number.")
        if len(self.start) != 2:
            raise ValueError("start needs two values (slope, intercept).")

    @property
    def n_params(self) -> int:
        """The line's two parameters (slope, intercept)."""
        return 2

    @property
    def n(self) -> int:
        return len(self.x)

    def x_scale(self) -> tuple[float, float]:
        """(mean, std) used to standardise x; (0, 1) when standardize is off."""
        if not self.standardize:
            return 0.0, 1.0
        xs = torch.tensor(self.x, dtype=torch.float64)
        return float(xs.mean()), float(xs.std(unbiased=False))

    def least_squares(self) -> tuple[float, float, float]:
        """The MSE optimum (w*, b*) in the model's own x scale, and its MSE, in float64."""
        mu, sd = self.x_scale()
        x = (torch.tensor(self.x, dtype=torch.float64) - mu) / sd
        y = torch.tensor(self.y, dtype=torch.float64)
        A = torch.stack([x, torch.ones_like(x)], dim=1)
        sol = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
        mse = float(((A @ sol - y) ** 2).mean())
        return float(sol[0]), float(sol[1]), mse

    def build(self, dtype: torch.dtype = torch.float32) -> "LinearObjective":
        mask = torch.tensor([1.0, 0.0], dtype=dtype)  # penalise the slope, not the intercept
        optimum = None
        if self.loss in ("mse", "rmse"):
            mse = self.least_squares()[2]
            optimum = mse if self.loss == "mse" else math.sqrt(mse)
        return LinearObjective(param_names=self.names, n_train=self.n, optimum=optimum,
                               penalty_mask=mask, layers=(("line", slice(0, 2)),), dtype=dtype,
                               problem=self)


@dataclass
class LinearObjective(Objective):
    problem: LinearProblem = None

    def __post_init__(self):
        p = self.problem
        mu, sd = p.x_scale()
        x = torch.tensor(p.x, dtype=self.dtype)
        self.x = (x - mu) / sd if p.standardize else x
        self.y = torch.tensor(p.y, dtype=self.dtype)

    def init(self, seed: int) -> torch.Tensor:
        return torch.tensor(self.problem.start, dtype=self.dtype)

    def predict(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return theta[:, 0:1] * x + theta[:, 1:2]

    def loss(self, theta, idx=None):
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        r = self.predict(theta, x) - y
        kind = self.problem.loss
        if kind == "mse":
            return torch.mean(r ** 2, dim=1)
        if kind == "rmse":
            return torch.sqrt(torch.mean(r ** 2, dim=1))
        if kind == "mae":
            return torch.mean(torch.abs(r), dim=1)
        zero = torch.zeros_like(r)
        return F.huber_loss(r, zero, reduction="none", delta=self.problem.huber_delta).mean(dim=1)

    def to_original(self, w: float, b: float) -> tuple[float, float]:
        """Slope and intercept on the original x scale (undoes standardisation)."""
        mu, sd = self.problem.x_scale()
        return w / sd, b - w * mu / sd


LINE_FIT = LinearProblem()
STUDY_HOURS = LinearProblem(x=(10.0, 20.0, 30.0, 40.0), y=(480.0, 520.0, 710.0, 680.0),
                            names=("m", "c"), title="Study hours → exam score")
