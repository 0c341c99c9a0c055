"""Judging one line against data: residuals, four losses, and the loss landscape.

For predictions ŷ = m·x + c and residuals r = y − ŷ over n points:

    MSE = Σr²/n      RMSE = √MSE      MAE = Σ|r|/n
    Huber_δ = Σ h(r)/n,  h(r) = ½r² if |r| ≤ δ else δ(|r| − ½δ)

computed with torch.nn.functional (mse_loss, l1_loss, huber_loss) in float64, so a
learner checking by hand gets the same digits.

Example (article 000's study-hours data and its line y = 9x + 350)::

    >>> res, losses = line_report((10, 20, 30, 40), (480, 520, 710, 680), 9, 350)
    >>> res["prediction"].tolist(), round(losses["MSE"], 2)
    ([440.0, 530.0, 620.0, 710.0], 2675.0)
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

__all__ = ["line_report", "loss_grid", "grid_axes", "mse_grid"]


def line_report(x, y, slope: float, intercept: float, huber_delta: float = 1.0
                ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-point table (x, y, prediction, residual, squared_error, abs_error) and the
    MSE / RMSE / MAE / Huber losses of the line y = slope·x + intercept."""
    xt = torch.tensor(list(x), dtype=torch.float64)
    yt = torch.tensor(list(y), dtype=torch.float64)
    if xt.numel() != yt.numel() or xt.numel() == 0:
        raise ValueError("x and y need the same, non-zero number of values.")
    pred = slope * xt + intercept
    r = yt - pred
    mse = F.mse_loss(pred, yt).item()
    losses = {"MSE": mse, "RMSE": math.sqrt(mse), "MAE": F.l1_loss(pred, yt).item(),
              "Huber": F.huber_loss(pred, yt, delta=huber_delta).item()}
    table = pd.DataFrame({"x": xt.numpy(), "y": yt.numpy(), "prediction": pred.numpy(), "residual": r.numpy(),
                          "squared_error": (r ** 2).numpy(), "abs_error": r.abs().numpy()})
    return table, losses


def grid_axes(window, n: int) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = window
    return np.linspace(x0, x1, n), np.linspace(y0, y1, n)


def loss_grid(problem, window, n: int = 60, dtype: str = "float64") -> pd.DataFrame:
    """The training loss of a two-parameter problem on an n×n grid over
    window = (p0_min, p0_max, p1_min, p1_max): columns p0, p1, loss.

    Every grid point is evaluated as one "run" of the batched objective, so this is the
    very loss the training loop minimises."""
    if not 2 <= n <= 400:
        raise ValueError("Grid size must be between 2 and 400.")
    from .problems.base import DTYPES
    obj = problem.build(DTYPES[dtype])
    if obj.n_params != 2:
        raise ValueError("A loss grid needs a problem with exactly two parameters.")
    a, b = grid_axes(window, n)
    A, B = np.meshgrid(a, b)
    theta = torch.tensor(np.stack([A.ravel(), B.ravel()], axis=1), dtype=obj.dtype)
    with torch.no_grad():
        loss = obj.loss(theta).double().numpy()
    return pd.DataFrame({"p0": A.ravel(), "p1": B.ravel(), "loss": loss})


def mse_grid(x, y, window, n: int = 60) -> pd.DataFrame:
    """The MSE of every line (m, c) on an n×n grid over window = (m_min, m_max, c_min,
    c_max), columns p0 (m), p1 (c), loss — like :func:`loss_grid` but from the data's
    centred moments, so its cost does not grow with the number of points:

        mean((y − m·x − c)²) = Var(y) − 2m·Cov(x, y) + m²·Var(x) + (ȳ − m·x̄ − c)²

    (population moments, float64). Centring keeps it accurate near the best line, where
    the loss is small next to the raw sums; values beyond float64 are inf."""
    if not 2 <= n <= 400:
        raise ValueError("Grid size must be between 2 and 400.")
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape or xa.size == 0:
        raise ValueError("x and y need the same, non-zero number of values.")
    xm, ym = float(xa.mean()), float(ya.mean())
    dx, dy = xa - xm, ya - ym
    vxx, vxy, vyy = float(np.mean(dx * dx)), float(np.mean(dx * dy)), float(np.mean(dy * dy))
    a, b = grid_axes(window, n)
    M, C = np.meshgrid(a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = vyy - 2 * M * vxy + M * M * vxx + (ym - M * xm - C) ** 2
        loss = np.maximum(loss, (ym - M * xm - C) ** 2)      # rounding can not make it negative
    return pd.DataFrame({"p0": M.ravel(), "p1": C.ravel(), "loss": loss.ravel()})
