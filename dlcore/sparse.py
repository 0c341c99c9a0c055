"""L1 regularisation that really produces zeros: the proximal (soft-thresholding) step.

What torch users usually write — ``loss = data_loss + λ·Σ|w|`` and any ``torch.optim``
optimizer (what :func:`dlcore.train` does with ``RunSpec.l1``) — moves a weight by
−lr·λ·sign(w) each step. Near zero that overshoots to the other side, so weights hover
*around* 0 (|w| ≲ lr·λ) and are almost never exactly 0.

The proximal step does the L1 part exactly instead: after each ordinary optimizer step on
the data loss (plus any L2 term), every weight (not bias) is *soft-thresholded*::

    w ← sign(w) · max(|w| − lr_t·λ, 0)

A weight whose size is below lr_t·λ lands exactly on 0 and stays there until the data
loss pulls harder than λ. With plain SGD this is proximal gradient descent (ISTA), which
converges to the true minimiser of  data loss + λ·Σ|w|  — the same solution
scikit-learn's L1 logistic regression finds (tested). With Adam and others it is the same
step applied after their update: a common heuristic, not an exact method. torch.optim
has no such step; the exported script adds it by hand after ``optimizer.step()``.

:func:`train_proximal` is :func:`dlcore.train` for full-batch training with this step (each
run's ``l1`` is the proximal λ, not a loss term); it returns the same :class:`TrainResult`.

Example::

    >>> from dlcore import OptimizerSpec, PurchaseProblem, RunSpec, TrainConfig
    >>> p = PurchaseProblem(noise_features=3)
    >>> runs = [RunSpec(OptimizerSpec.make("sgd", lr=0.5), l1=0.03)]
    >>> res = train_proximal(p, runs, TrainConfig(steps=300))
    >>> int((res.final_params[0][:-1] == 0).sum())           # weights exactly zero
    4
"""
from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Callable, Sequence

import numpy as np
import torch

from .optimizers import BatchedOptimizer
from .problems.base import DTYPES
from .results import TrainResult
from .train import MAX_RUNS, RunSpec, TrainConfig, initial_params

__all__ = ["soft_threshold", "train_proximal", "proximal_script", "exact_zeros"]


def soft_threshold(theta: torch.Tensor, threshold: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sign(θ)·max(|θ| − threshold, 0) where mask is 1 (weights), θ unchanged elsewhere.

    theta (N, P), threshold (N,) — one per run, mask (P,).
        >>> soft_threshold(torch.tensor([[0.3, -0.05, 2.0]]), torch.tensor([0.1]), torch.tensor([1.0, 1.0, 0.0]))
        tensor([[0.2000, -0.0000, 2.0000]])
    """
    shrunk = torch.sign(theta) * torch.clamp(theta.abs() - threshold.unsqueeze(1), min=0)
    return torch.where(mask.bool().unsqueeze(0), shrunk, theta)


def exact_zeros(params, mask) -> np.ndarray:
    """Number of weights (mask == 1) exactly equal to 0, per run; params (N, P) or (P,)."""
    p = np.atleast_2d(np.asarray(params))
    m = np.asarray(mask, dtype=bool)
    return (p[:, m] == 0).sum(axis=1)


def train_proximal(problem, runs: Sequence[RunSpec], config: TrainConfig = TrainConfig(),
                   progress: Callable[[float], None] | None = None) -> TrainResult:
    """Full-batch training where each run's ``l1`` is applied as a proximal step (see above).

    Everything else — loss, L2 term, clipping, schedules, divergence, what is recorded —
    is as in :func:`dlcore.train`.
    """
    runs = tuple(runs)
    if not runs:
        raise ValueError("At least one run is needed.")
    if len(runs) > MAX_RUNS:
        raise ValueError(f"At most {MAX_RUNS} runs at once, got {len(runs)}.")
    obj = problem.build(DTYPES[config.dtype])
    if config.batch_size is not None and config.batch_size < obj.n_train:
        raise ValueError("The proximal L1 step is implemented for full-batch training only.")
    T, N, P, dtype = config.steps, len(runs), obj.n_params, obj.dtype
    lr_table = torch.from_numpy(np.stack([r.schedule.lrs(r.optimizer.lr, T) for r in runs], axis=1))
    opt = BatchedOptimizer([r.optimizer for r in runs], P, dtype)
    l1 = torch.tensor([r.l1 for r in runs], dtype=torch.float64)
    l2 = torch.tensor([r.l2 for r in runs], dtype=dtype)
    use_l2 = bool((l2 > 0).any())
    mask = obj.penalty_mask.to(dtype)
    record_params = config.record_params
    if record_params is None:
        record_params = (T + 1) * N * P <= 4_000_000
    loss_h = torch.empty(T + 1, N, dtype=dtype)
    gnorm_h = torch.empty(T + 1, N, dtype=dtype)
    test_h = torch.empty(T + 1, N, dtype=dtype) if obj.has_test else None
    param_h = torch.empty(T + 1, N, P, dtype=dtype) if record_params else None
    layer_h = torch.empty(T + 1, N, len(obj.layers), dtype=dtype) if config.record_layer_grads else None
    samples = np.zeros(T + 1, dtype=np.int64)

    theta = initial_params(obj, runs)
    active = torch.ones(N, dtype=torch.bool)
    diverged_at = torch.full((N,), -1, dtype=torch.long)
    threshold = None
    every = max(1, T // 50)
    for t in range(T + 1):
        th = theta.detach().requires_grad_(True)
        data_loss, test_loss = obj.loss_and_test(th)
        total = data_loss + l2 * ((th * mask) ** 2).sum(dim=1) if use_l2 else data_loss
        (g,) = torch.autograd.grad(total.sum(), th)
        with torch.no_grad():
            full = data_loss.detach()
            loss_h[t] = full
            gn = torch.linalg.vector_norm(g, dim=1)
            gnorm_h[t] = gn
            if test_h is not None:
                test_h[t] = test_loss
            if param_h is not None:
                param_h[t] = theta
            if layer_h is not None:
                for k, (_, sl) in enumerate(obj.layers):
                    layer_h[t, :, k] = torch.linalg.vector_norm(g[:, sl], dim=1)
            if threshold is None:
                ref = obj.optimum if obj.optimum is not None else 0.0
                threshold = ref + config.diverge_factor * torch.clamp(full.double() - ref, min=1.0).to(dtype)
            bad = ~((full <= threshold) & (full > -math.inf))
            diverged_at = torch.where(bad & active, torch.tensor(t), diverged_at)
            active = active & ~bad
            if t == T:
                break
            samples[t + 1] = samples[t] + obj.n_train
            if config.clip_norm is not None:
                g = g * torch.clamp(config.clip_norm / (gn + 1e-6), max=1.0).unsqueeze(1)
            new = opt.step(theta, g, lr_table[t])
            # The threshold lr·λ is formed in float64 (Python floats in the exported script).
            new = soft_threshold(new, (lr_table[t] * l1).to(dtype), mask)
            theta = torch.where(active.unsqueeze(1), new, theta)
        if progress is not None and t % every == 0:
            progress(t / T)
    if progress is not None:
        progress(1.0)
    np_ = lambda x: None if x is None else x.numpy()  # noqa: E731
    return TrainResult(
        runs=runs, config=config, param_names=obj.param_names, optimum=obj.optimum,
        loss=np_(loss_h), grad_norm=np_(gnorm_h), batch_loss=None, test_loss=np_(test_h),
        lr=lr_table.numpy(), params=np_(param_h), final_params=theta.numpy().copy(),
        layer_grad_norm=np_(layer_h), layer_names=tuple(n for n, _ in obj.layers),
        diverged_at=diverged_at.numpy(), samples_seen=samples,
    )


_PROX = """\
    # Proximal L1 step (soft-thresholding): shrink every weight by lr·λ1, and set it to
    # exactly 0 when it is smaller than that. (Adding λ1·Σ|w| to the loss instead only
    # makes weights hover around 0.)
    with torch.no_grad():
        step_lr = optimizer.param_groups[0]["lr"]
        for name, p in model.named_parameters():
            if name.endswith("weight"):
                p.copy_(torch.sign(p) * torch.clamp(p.abs() - step_lr * {l1!r}, min=0))"""


def proximal_script(problem, run: RunSpec, config: TrainConfig) -> str:
    """The plain PyTorch script of :func:`train_proximal` for one run: dlcore.codegen's script
    for the run without its L1 term, plus the soft-thresholding step after ``optimizer.step()``."""
    from .codegen import export_script
    if not run.l1:
        return export_script(problem, run, config)
    src = export_script(problem, replace(run, l1=0.0), config)
    if src.count("\n    optimizer.step()\n") != 1 or "model.named_parameters" not in _PROX:
        raise ValueError("No proximal script for this kind of run.")
    src = src.replace("\n    optimizer.step()\n", "\n    optimizer.step()\n" + _PROX.format(l1=run.l1) + "\n", 1)
    return re.sub(r"^(Reproduces Gradient Descent Lab's run: .*)$",
                  rf"\1\nL1 (λ1 = {run.l1!r}) is applied as a proximal step, which gives exact zeros.",
                  src, count=1, flags=re.M)
