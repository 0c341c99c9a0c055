"""What theory predicts for plain gradient descent on a quadratic loss.

For a quadratic loss with (constant) Hessian H, gradient descent with rate η moves the
error along each eigenvector of H by a factor (1 − ηλ) per step. Hence:

* it diverges when η > 2/λmax (the factor along the steepest direction exceeds 1 in size);
* the fastest fixed rate is η* = 2/(λmax + λmin), contracting every direction by
  ρ* = (κ − 1)/(κ + 1) per step, κ = λmax/λmin the condition number;
* for other rates the slowest direction contracts by ρ(η) = max|1 − ηλ|, and the loss gap
  (loss − optimum) shrinks like ρ(η)^(2t).

The line fit's MSE, mean((w·x + b − y)²), is quadratic in (w, b) with H = (2/n)·ΦᵀΦ,
Φ = [x, 1]. On the article's x = 1..4 that gives λmax ≈ 16.70, so plain GD diverges for
η > 0.1198, and λmin ≈ 0.299 — the reason lr = 0.01 needs ~1800 epochs, not 100.

Example::

    >>> from dlcore.problems import LINE_FIT
    >>> th = quadratic_theory(LINE_FIT)
    >>> round(th.lr_diverge, 4), round(th.lr_best, 4)
    (0.1198, 0.1176)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .problems.linear import LinearProblem
from .problems.surfaces import SurfaceProblem

__all__ = ["QuadraticTheory", "quadratic_theory"]


@dataclass(frozen=True)
class QuadraticTheory:
    hessian: tuple[tuple[float, float], tuple[float, float]]
    lambda_max: float
    lambda_min: float

    @property
    def condition(self) -> float:
        return self.lambda_max / self.lambda_min if self.lambda_min > 0 else math.inf

    @property
    def lr_diverge(self) -> float:
        """Rates above 2/λmax diverge."""
        return 2.0 / self.lambda_max

    @property
    def lr_best(self) -> float:
        """The fixed rate with the fastest worst-case contraction, 2/(λmax + λmin)."""
        return 2.0 / (self.lambda_max + self.lambda_min)

    def contraction(self, lr) -> np.ndarray:
        """ρ(η) = max(|1 − ηλmin|, |1 − ηλmax|): error shrink factor per step."""
        lr = np.asarray(lr, dtype=np.float64)
        return np.maximum(np.abs(1 - lr * self.lambda_min), np.abs(1 - lr * self.lambda_max))

    def predicted_steps(self, lr, initial_gap: float, tol: float) -> np.ndarray:
        """Steps until the loss gap ρ^(2t)·gap₀ falls below tol; inf when ρ ≥ 1.

        A worst-case estimate: it assumes the start has a component along the slowest
        direction (true for the pages' default starts)."""
        rho = self.contraction(lr)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.log(tol / initial_gap) / (2 * np.log(rho))
        # At least one update is needed when the start is not already within tol (this
        # matters for ρ = 0, e.g. η = 1/λ on a round bowl, where the log gives 0).
        floor = 0 if initial_gap < tol else 1
        t = np.where(rho < 1, np.ceil(np.maximum(t, floor)), np.inf)
        return t


def quadratic_theory(problem) -> QuadraticTheory | None:
    """Hessian eigenvalues and the rates they imply, or None for non-quadratic problems."""
    if isinstance(problem, LinearProblem):
        if problem.loss != "mse":
            return None
        mu, sd = problem.x_scale()
        x = (torch.tensor(problem.x, dtype=torch.float64) - mu) / sd
        phi = torch.stack([x, torch.ones_like(x)], dim=1)
        H = 2.0 / len(x) * phi.T @ phi
    elif isinstance(problem, SurfaceProblem) and problem.name != "custom" and problem.definition.hessian:
        H = torch.tensor(problem.definition.hessian, dtype=torch.float64)
    else:
        return None
    ev = torch.linalg.eigvalsh(H)
    if float(ev[0]) <= 0:   # a saddle: no minimum, no convergence theory
        return None
    return QuadraticTheory(hessian=tuple(tuple(float(v) for v in row) for row in H),
                           lambda_max=float(ev[-1]), lambda_min=float(ev[0]))
