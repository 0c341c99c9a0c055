"""One run of article 001's network exactly as its plain PyTorch script runs it.

:func:`dlcore.train` trains many runs at once; batching orders float32 rounding differently
from a single ``nn.Sequential`` + ``torch.optim`` loop, so after 100 epochs their losses
agree to about five significant digits, not to the last one. When a page prints a loss
with all its digits, as article 001's log does (``loss.item()``), it should print exactly
what the learner's own script will print. :func:`torch_run` is that script's loop — the
same modules, the same calls in the same order (``model(inputs)``, ``nn.MSELoss``,
``zero_grad``, ``backward``, ``optimizer.step``) — for one run, from the same initial
weights (``mlp.init``, equal to nn.Linear's after ``torch.manual_seed(seed)``), returned
as a one-run :class:`~dlcore.results.TrainResult`.

It supports what :mod:`dlcore.codegen` writes for :class:`~dlcore.problems.SumOfThree`
with full-batch training: any optimizer, clipping, float32/float64; not schedules,
mini-batches or L1/L2 terms (ValueError). Divergence is detected as in :func:`dlcore.train`.

"Exactly" means on the same machine: float32 digits depend on which kernels the CPU runs
(AVX-512, AVX2, ...), so the 8th digit printed here can differ from another computer's — and
from the article's own log — while this function and the learner's script, run on one
computer, print the same digits.

Example — the article's script run right here, and torch_run, print the same loss::

    >>> import torch.nn as nn
    >>> from dlcore import OptimizerSpec, RunSpec, SumOfThree, TrainConfig
    >>> res = torch_run(SumOfThree(), RunSpec(OptimizerSpec.make("sgd", lr=0.01), seed=11), TrainConfig(steps=100))
    >>> _ = torch.manual_seed(11)
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> criterion, optimizer = nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.01)
    >>> inputs = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]])
    >>> targets = torch.tensor([[6.0], [9.0], [12.0]])
    >>> for epoch in range(100):
    ...     loss = criterion(model(inputs), targets)
    ...     optimizer.zero_grad()
    ...     loss.backward()
    ...     optimizer.step()
    >>> float(res.loss[99, 0]) == loss.item()      # what both print at "Epoch [100/100]"
    True
    >>> f"{res.loss[99, 0]:.3g}"
    '0.0685'
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn

from .problems import mlp
from .problems.base import DTYPES
from .problems.networks import SumOfThree
from .results import TrainResult
from .train import RunSpec, TrainConfig

__all__ = ["torch_run", "build_model"]

_ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}


def build_model(sizes, activation: str, seed: int, dtype: str = "float32") -> nn.Sequential:
    """``nn.Sequential(nn.Linear, act, …, nn.Linear)`` holding nn.Linear's initial weights for
    ``seed`` — without touching torch's global random generator."""
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(_ACT[activation]())
    model = nn.Sequential(*layers)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(mlp.init(tuple(sizes), seed), model.parameters())
    return model.double() if dtype == "float64" else model


def torch_run(problem: SumOfThree, run: RunSpec, config: TrainConfig = TrainConfig()) -> TrainResult:
    """Train ``run`` on ``problem`` with a plain nn.Sequential + torch.optim loop (see above)."""
    if not isinstance(problem, SumOfThree):
        raise ValueError("torch_run trains the sum-of-three network only.")
    if config.batch_size is not None and config.batch_size < len(problem.inputs):
        raise ValueError("torch_run trains full batch only.")
    if run.schedule.kind != "constant" or run.l1 or run.l2 or run.start is not None:
        raise ValueError("torch_run supports a constant learning rate without L1/L2 terms or a start point.")
    dtype = DTYPES[config.dtype]
    T = config.steps
    model = build_model(problem.sizes, problem.activation, run.seed, config.dtype)
    criterion = nn.MSELoss()
    optimizer = run.optimizer.torch_optimizer(model.parameters())
    x = torch.tensor([list(map(float, r)) for r in problem.inputs], dtype=dtype)
    y = torch.tensor([[float(t)] for t in problem.targets], dtype=dtype)
    x_test = torch.tensor([list(map(float, r)) for r in problem.test_inputs], dtype=dtype)
    y_test = x_test.sum(dim=1, keepdim=True)
    params = list(model.parameters())
    P = sum(p.numel() for p in params)
    record = config.record_params if config.record_params is not None else (T + 1) * P <= 4_000_000

    loss_h = np.full(T + 1, np.nan)
    test_h = np.full(T + 1, np.nan)
    gnorm_h = np.full(T + 1, np.nan)
    param_h = np.full((T + 1, P), np.nan) if record else None
    layer_h = np.full((T + 1, len(mlp.layer_slices(problem.sizes))), np.nan) if config.record_layer_grads else None
    diverged_at, threshold = -1, None
    for t in range(T + 1):
        outputs = model(x)
        loss = criterion(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        with torch.no_grad():
            flat = torch.nn.utils.parameters_to_vector(params)
            grad = torch.cat([p.grad.reshape(-1) for p in params])
            loss_h[t] = loss.item()
            test_h[t] = criterion(model(x_test), y_test).item()
            gnorm_h[t] = torch.linalg.vector_norm(grad).item()
            if param_h is not None:
                param_h[t] = flat.double().numpy()
            if layer_h is not None:
                for k, (_, sl) in enumerate(mlp.layer_slices(problem.sizes)):
                    layer_h[t, k] = torch.linalg.vector_norm(grad[sl]).item()
        if threshold is None:
            threshold = config.diverge_factor * max(loss_h[0], 1.0)
        if not (-math.inf < loss_h[t] <= threshold) or not math.isfinite(gnorm_h[t]):
            diverged_at = t
            break
        if t == T:
            break
        if config.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, max_norm=config.clip_norm)
        optimizer.step()

    cast = np.float32 if config.dtype == "float32" else np.float64
    last = T if diverged_at < 0 else diverged_at
    final = torch.nn.utils.parameters_to_vector(params).detach().numpy().astype(cast)
    if param_h is not None:
        param_h[last + 1:] = param_h[last]
    return TrainResult(
        runs=(run,), config=config, param_names=mlp.param_names(problem.sizes), optimum=0.0,
        loss=loss_h.astype(cast)[:, None], grad_norm=gnorm_h.astype(cast)[:, None], batch_loss=None,
        test_loss=test_h.astype(cast)[:, None], lr=np.full((T, 1), run.optimizer.lr),
        params=None if param_h is None else param_h.astype(cast)[:, None, :], final_params=final[None, :].copy(),
        layer_grad_norm=None if layer_h is None else layer_h.astype(cast)[:, None, :],
        layer_names=tuple(n for n, _ in mlp.layer_slices(problem.sizes)),
        diverged_at=np.array([diverged_at]), samples_seen=np.arange(T + 1) * len(problem.inputs),
    )
