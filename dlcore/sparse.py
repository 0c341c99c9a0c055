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

:func:`train_proximal` is :func:`dlcore.train` with this step for every run (each run's
``l1`` is the proximal λ, not a loss term; the engine's ``RunSpec.l1_proximal``).

Example::

    >>> from dlcore import OptimizerSpec, PurchaseProblem, RunSpec, TrainConfig
    >>> p = PurchaseProblem(noise_features=3)
    >>> runs = [RunSpec(OptimizerSpec.make("sgd", lr=0.5), l1=0.03)]
    >>> res = train_proximal(p, runs, TrainConfig(steps=300))
    >>> int((res.final_params[0][:-1] == 0).sum())           # weights exactly zero
    4
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .problems import mlp
from .proximal import soft_threshold
from .results import TrainResult
from .train import RunSpec, TrainConfig, train

__all__ = ["soft_threshold", "train_proximal", "proximal_script", "exact_zeros", "one_step", "ZeroCount",
           "count_zeros", "feature_weights", "first_zero"]


def exact_zeros(params, mask) -> np.ndarray:
    """Number of weights (mask == 1) exactly equal to 0, per run; params (N, P) or (P,)."""
    p = np.atleast_2d(np.asarray(params))
    m = np.asarray(mask, dtype=bool)
    return (p[:, m] == 0).sum(axis=1)


def one_step(optimizer: str, lr: float, lam: float) -> float:
    """How far one update can move a weight by L1's pull: lr·λ for SGD (the penalty's
    gradient is λ·sign(w)); for Adam about lr whatever λ (its step is normalised). A weight
    within this of 0 can be pushed past 0 by the next step instead of landing on it."""
    return lr * lam if optimizer == "sgd" else lr


@dataclass(frozen=True)
class ZeroCount:
    """Weights of one run: how many are exactly 0, how many are within ``threshold`` of 0
    but not 0 ("hovering"), of ``total``."""

    exact: int
    near: int
    total: int
    threshold: float


def count_zeros(weights, threshold: float) -> ZeroCount:
    """Exact zeros and near-zeros (0 < |w| ≤ threshold) among ``weights`` (1-D)."""
    w = np.asarray(weights).reshape(-1)
    exact = int((w == 0).sum())
    near = int(((np.abs(w) <= threshold) & (w != 0)).sum())
    return ZeroCount(exact, near, int(w.size), float(threshold))


def feature_weights(theta, sizes, features) -> pd.DataFrame:
    """How much each input feature is used, from a model's parameters θ (flat, as
    ``mlp.layout``): for logistic regression (sizes (d, 1)) the feature's weight itself; for an
    MLP the total size Σ|w| of the first-layer weights leaving that feature. ``is_zero``: all of
    them are exactly 0 — the model ignores the feature. Columns: feature, weight, is_zero."""
    theta = np.asarray(theta)
    w_sl, shape, _ = mlp.layout(tuple(sizes))[0]
    W = theta[w_sl].reshape(shape)                        # (units, features)
    weight = W[0] if shape[0] == 1 and len(sizes) == 2 else np.abs(W).sum(axis=0)
    return pd.DataFrame({"feature": list(features), "weight": weight.astype(np.float64),
                         "is_zero": (W == 0).all(axis=0)})


def first_zero(sweep: pd.DataFrame) -> dict:
    """For a regularisation path (rows: lam, feature, is_zero — one per λ and feature), the
    smallest λ from which each feature stays exactly 0 up to the largest λ (None if it is not
    0 at the largest), in the features' order."""
    out = {}
    for f, g in sweep.groupby("feature", sort=False):
        g = g.sort_values("lam")
        z = g["is_zero"].to_numpy(dtype=bool)
        stays = np.logical_and.accumulate(z[::-1])[::-1]
        out[f] = float(g["lam"].to_numpy()[np.argmax(stays)]) if stays.any() else None
    return out


def train_proximal(problem, runs: Sequence[RunSpec], config: TrainConfig = TrainConfig(),
                   progress: Callable[[float], None] | None = None) -> TrainResult:
    """:func:`dlcore.train` with every run's ``l1`` applied as the proximal step
    (``RunSpec.l1_proximal``); everything else is as in ``train``."""
    return train(problem, [replace(r, l1_proximal=True) for r in runs], config, progress=progress)


def proximal_script(problem, run: RunSpec, config: TrainConfig) -> str:
    """The plain PyTorch script of :func:`train_proximal` for one run (dlcore.codegen writes
    the soft-thresholding block after ``optimizer.step()``)."""
    from .codegen import export_script
    return export_script(problem, replace(run, l1_proximal=True), config)
