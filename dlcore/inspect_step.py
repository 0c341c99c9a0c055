"""Gradient descent on a line, opened up one epoch at a time (article 000).

The training engine records θ_t = (w_t, b_t) after every epoch. This module answers
the questions a learner asks about one of those epochs:

* :func:`line_step` — at (w, b): the predictions, the loss, the gradients ∂L/∂w and
  ∂L/∂b from autograd (in the training dtype, as the article's loop computes them), a
  central finite difference of the same loss in float64 as an independent check, and
  the update w − η·∂L/∂w, b − η·∂L/∂b computed the way ``torch.optim.SGD`` does.
* :func:`epoch_table` — the same numbers for every recorded epoch at once (one batched
  autograd call), as a table a learner can download.
* :func:`first_within` — when a sequence first gets within a tolerance of a target,
  and from when it stays there ("reach" versus "stay").
* :func:`article_fact_check` — what the article's loop really gives after 100 epochs,
  and how many epochs it takes w to get within 1e-3 of 2, with the quadratic theory
  that explains the answer.
* :func:`summarize_run` — one recorded run as the page reports it: where it ended, and
  the epoch from which w stays within the tolerance of its target (the one definition
  the page uses, here and in the fact check).
* :func:`step_regime` — what a learning rate does on a quadratic bowl: diverge, zig-zag,
  land in one step, or roll smoothly, from the per-step factor 1 − η·λ.

For the MSE, with residuals r_i = w·x_i + b − y_i over n points::

    ∂L/∂w = (2/n)·Σ r_i·x_i        ∂L/∂b = (2/n)·Σ r_i

Example (the article's first epoch, from w = b = 0 at lr 0.01)::

    >>> from dlcore.problems import LINE_FIT
    >>> s = line_step(LINE_FIT, 0.0, 0.0, lr=0.01)
    >>> s.loss, s.grad_w, s.grad_b, round(s.new_w, 6), round(s.new_b, 6)
    (30.0, -30.0, -10.0, 0.3, 0.1)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .problems.base import DTYPES
from .problems.linear import LinearProblem
from .theory import quadratic_theory

__all__ = ["LineStep", "line_step", "epoch_table", "first_within", "FactCheck", "article_fact_check",
           "FD_STEP", "RunSummary", "summarize_run", "StepRegime", "step_regime"]

FD_STEP = 1e-3   # central differences are exact for a quadratic up to rounding, whatever the step


def _check(problem, lr: float, dtype: str) -> None:
    if not isinstance(problem, LinearProblem):
        raise ValueError("Step-through works on a line fit (LinearProblem).")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}.")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"The learning rate must be a positive number, got {lr!r}.")


@dataclass(frozen=True)
class LineStep:
    """One epoch of plain gradient descent at (w, b); see the module docstring."""

    w: float
    b: float
    lr: float
    dtype: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    pred: tuple[float, ...]        # w·x + b (on the model's own x scale)
    residual: tuple[float, ...]    # pred − y
    loss: float
    grad_w: float                  # autograd, in ``dtype``
    grad_b: float
    fd_w: float                    # central difference in float64
    fd_b: float
    fd_step: float
    new_w: float                   # w − lr·grad_w, in ``dtype`` (torch.optim.SGD's arithmetic)
    new_b: float

    @property
    def finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.loss, self.grad_w, self.grad_b, self.new_w, self.new_b))


def line_step(problem: LinearProblem, w: float, b: float, lr: float, dtype: str = "float32",
              fd_step: float = FD_STEP) -> LineStep:
    """Everything that happens in one epoch of gradient descent at (w, b)."""
    _check(problem, lr, dtype)
    dt = DTYPES[dtype]
    obj = problem.build(dt)
    theta = torch.tensor([[w, b]], dtype=dt, requires_grad=True)
    loss = obj.loss(theta)
    (g,) = torch.autograd.grad(loss.sum(), theta)
    with torch.no_grad():
        pred = obj.predict(theta, obj.x)[0]
        # torch.optim.SGD (and the engine): θ + (−lr)·g, in the parameters' dtype.
        new = theta + (-torch.tensor(lr, dtype=torch.float64).to(dt)) * g
    obj64 = problem.build(torch.float64)
    h = float(fd_step)
    probes = torch.tensor([[w + h, b], [w - h, b], [w, b + h], [w, b - h]], dtype=torch.float64)
    with torch.no_grad():
        lp = obj64.loss(probes).tolist()
    wb = theta.detach()[0]
    return LineStep(
        w=float(wb[0]), b=float(wb[1]), lr=float(lr), dtype=dtype, x=tuple(obj.x.double().tolist()),
        y=tuple(obj.y.double().tolist()), pred=tuple(pred.double().tolist()),
        residual=tuple((pred - obj.y).double().tolist()), loss=float(loss.detach()[0]),
        grad_w=float(g[0, 0]), grad_b=float(g[0, 1]),
        fd_w=(lp[0] - lp[1]) / (2 * h), fd_b=(lp[2] - lp[3]) / (2 * h), fd_step=h,
        new_w=float(new[0, 0]), new_b=float(new[0, 1]))


def epoch_table(problem: LinearProblem, params: np.ndarray, dtype: str = "float32") -> pd.DataFrame:
    """Every epoch of a recorded run, numbered like the article's ``for epoch in
    range(epochs)``: epoch 0..T−1, w and b at its start (θ_epoch), the loss there (the
    article's ``losses[epoch]``), the autograd gradients, and w, b after its update
    (θ_epoch+1, as the engine recorded it).

    ``params`` is (T+1, 2): θ_0 … θ_T as the engine recorded them (``res.params[:, i]``).
    Rows whose start is not finite (after a divergence) are left out.
    """
    if not isinstance(problem, LinearProblem):
        raise ValueError("epoch_table works on a line fit (LinearProblem).")
    p = np.asarray(params, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 2:
        raise ValueError("params must have shape (T+1, 2) with T ≥ 1.")
    dt = DTYPES[dtype]
    obj = problem.build(dt)
    start = p[:-1]
    ok = np.isfinite(start).all(axis=1)
    theta = torch.tensor(start[ok], dtype=dt, requires_grad=True)
    loss = obj.loss(theta)
    (g,) = torch.autograd.grad(loss.sum(), theta)
    epochs = np.arange(0, len(p) - 1)[ok]
    nxt = p[1:][ok]
    return pd.DataFrame({
        "epoch": epochs, "w": start[ok, 0], "b": start[ok, 1],
        "loss": loss.detach().double().numpy(), "dL/dw": g[:, 0].double().numpy(),
        "dL/db": g[:, 1].double().numpy(), "w after": nxt[:, 0], "b after": nxt[:, 1]})


def first_within(values, target: float, tol: float) -> tuple[int, int]:
    """(first index where |v − target| < tol, first index from which it stays so);
    -1 for either when it never happens within ``values``."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(v) & (np.abs(v - target) < tol)
    if not inside.any():
        return -1, -1
    reach = int(np.argmax(inside))
    if not inside[-1]:
        return reach, -1
    outside = np.flatnonzero(~inside)
    stay = int(outside[-1]) + 1 if outside.size else 0
    return reach, stay


@dataclass(frozen=True)
class FactCheck:
    """What the article's loop gives, measured, and the theory behind the slow finish."""

    lr: float
    epochs: int                 # the article's epoch count
    w: float                    # after ``epochs`` epochs
    b: float
    loss: float
    target_w: float             # the least-squares slope (2 for y = 2x)
    tol: float
    horizon: int                # epochs trained to look for the answer
    reach: int                  # fewest epochs after which |w − target| < tol (-1: not within horizon)
    stay: int                   # after this many epochs and every later one it is within tol (-1: not seen)
    lambda_min: float
    lambda_max: float

    @property
    def slow_factor(self) -> float:
        """Per-epoch shrink factor of the error along the flattest direction, 1 − η·λmin."""
        return 1.0 - self.lr * self.lambda_min

    def predicted_reach(self) -> float:
        """Theory's estimate of ``reach``: the error |w − w*| left after ``epochs`` epochs
        shrinks by ``slow_factor`` per epoch once the steep direction has settled."""
        err = abs(self.w - self.target_w)
        if err < self.tol:
            return float(self.epochs)
        if not 0 < self.slow_factor < 1:
            return math.inf
        return self.epochs + math.log(self.tol / err) / math.log(self.slow_factor)


def article_fact_check(problem: LinearProblem | None = None, lr: float = 0.01, epochs: int = 100,
                       tol: float = 1e-3, horizon: int = 2000, dtype: str = "float32",
                       progress=None) -> FactCheck:
    """Run the article's own loop — literally its code: ``w -= lr * w.grad`` under
    ``torch.no_grad()`` — for ``horizon`` epochs on the problem's data from its start, and
    report w, b after ``epochs`` and when w gets within ``tol`` of the least-squares slope.

    This is the article's code rather than the batched engine because the question is
    what *that code* prints (the engine equals it bit for bit on this problem: see
    tests/test_optim_equivalence.py), and one plain loop is twice as fast for a single run."""
    from .problems.base import DTYPES
    from .problems.linear import LINE_FIT

    problem = LINE_FIT if problem is None else problem
    _check(problem, lr, dtype)
    if not (isinstance(epochs, int) and isinstance(horizon, int) and 1 <= epochs <= horizon):
        raise ValueError("Need whole numbers 1 ≤ epochs ≤ horizon.")
    dt = DTYPES[dtype]
    mu, sd = problem.x_scale()
    x_data = torch.tensor(problem.x, dtype=dt)
    x_data = (x_data - mu) / sd if problem.standardize else x_data
    y_data = torch.tensor(problem.y, dtype=dt)
    w = torch.tensor([problem.start[0]], dtype=dt, requires_grad=True)
    b = torch.tensor([problem.start[1]], dtype=dt, requires_grad=True)
    ws, bs, losses = [], [], []
    every = max(1, horizon // 50)
    for epoch in range(horizon + 1):
        ws.append(w.item())
        bs.append(b.item())
        y_pred = w * x_data + b
        loss = torch.mean((y_pred - y_data) ** 2)
        losses.append(loss.item())
        if epoch == horizon:
            break
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        if progress is not None and epoch % every == 0:
            progress(epoch / horizon)
    target = problem.least_squares()[0]
    reach, stay = first_within(np.array(ws), target, tol)
    th = quadratic_theory(problem)
    return FactCheck(lr=lr, epochs=epochs, w=ws[epochs], b=bs[epochs], loss=losses[epochs], target_w=target,
                     tol=tol, horizon=horizon, reach=reach, stay=stay,
                     lambda_min=th.lambda_min if th else math.nan, lambda_max=th.lambda_max if th else math.nan)


@dataclass(frozen=True)
class RunSummary:
    """One recorded run of a line fit, as the page reports it.

    ``settled`` is the one definition of "reached the target" used everywhere: the fewest
    epochs after which |w − target| < tol holds for that epoch and every later one of the
    run (-1: not so at the end of the run). ``touched`` is the first epoch within the band,
    which an oscillating run may leave again."""

    epochs: int                 # epochs trained
    last: int                   # last recorded epoch: ``epochs``, or the one where the run diverged
    diverged_at: int            # -1: did not diverge
    w: float                    # at ``last``
    b: float
    loss: float
    start_loss: float           # loss at epoch 0
    target_w: float
    tol: float
    settled: int
    touched: int
    blowup_loss: float          # the loss at the divergence epoch (NaN when it did not diverge)

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0

    @property
    def last_epoch(self) -> int:
        """The last epoch whose start is recorded and finite: the step-through's end."""
        return max(self.last - 1, 0)


def summarize_run(result, target_w: float, tol: float, run: int = 0) -> RunSummary:
    """Summarise run ``run`` of a :class:`dlcore.TrainResult` of a line fit trained with
    ``record_params=True`` (θ = (w, b))."""
    params = np.asarray(result.params[:, run, :], dtype=np.float64)
    div = int(result.diverged_at[run])
    last = int(result.last_step()[run])
    touched, settled = first_within(params[: last + 1, 0], target_w, tol)
    return RunSummary(epochs=int(result.steps), last=last, diverged_at=div, w=float(params[last, 0]),
                      b=float(params[last, 1]), loss=float(result.loss[last, run]),
                      start_loss=float(result.loss[0, run]), target_w=float(target_w), tol=float(tol),
                      settled=settled, touched=touched,
                      blowup_loss=float(result.loss[div, run]) if div >= 0 else math.nan)


@dataclass(frozen=True)
class StepRegime:
    """What plain gradient descent with rate ``lr`` does on a quadratic bowl whose
    curvatures (Hessian eigenvalues) are ``lambda_max`` ≥ ``lambda_min``: along each
    eigen-direction every step multiplies the error by 1 − η·λ.

    ``kind``: "diverges" (|1 − η·λmax| > 1, or the run blew up), "zigzag" (−1 ≤ 1 − η·λmax
    < 0: each step jumps across the valley, by less each time), "one_step" (1 − η·λmax = 0)
    or "smooth" (0 < 1 − η·λmax < 1)."""

    kind: str
    lr: float
    lambda_max: float
    lambda_min: float

    @property
    def steep_factor(self) -> float:
        return 1.0 - self.lr * self.lambda_max

    @property
    def flat_factor(self) -> float:
        return 1.0 - self.lr * self.lambda_min

    @property
    def limit(self) -> float:
        """2/λmax: above it, the steep direction diverges."""
        return 2.0 / self.lambda_max

    @property
    def loss_growth(self) -> float:
        """Per-step growth of the loss when diverging: (1 − η·λmax)²."""
        return self.steep_factor ** 2


def step_regime(lr: float, lambda_max: float, lambda_min: float | None = None,
                diverged: bool = False) -> StepRegime:
    """Classify the learning rate ``lr`` on a bowl with curvatures ``lambda_max`` (and
    ``lambda_min``, default the same); ``diverged``: the run blew up anyway."""
    lam_min = lambda_max if lambda_min is None else lambda_min
    factor = 1.0 - lr * lambda_max
    kind = ("diverges" if diverged or abs(factor) > 1 else "zigzag" if factor < 0
            else "one_step" if factor == 0 else "smooth")
    return StepRegime(kind=kind, lr=float(lr), lambda_max=float(lambda_max), lambda_min=float(lam_min))
