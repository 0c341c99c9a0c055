"""One loop that trains N configurations of one problem at once.

Every run is a row of ``theta`` (N, P). Per step the loop computes every run's loss
with one batched forward pass, every run's gradient with one ``autograd.grad`` call,
and every run's update with :class:`~dlcore.optimizers.BatchedOptimizer` — so a sweep
of hundreds of learning rates costs about as much as a single run.

What a step does, for each run (mirroring the plain PyTorch loop it replaces)::

    loss  = data_loss(θ_t on this step's batch) + l1·Σ|w| + l2·Σw²   (weights only)
    g     = ∂loss/∂θ                                   (autograd)
    g     ← g · min(1, c/(‖g‖ + 1e-6))                 (clip_grad_norm_, if clip_norm = c)
    θ_t+1 = optimizer(θ_t, g, lr_t)                    (lr_t from the run's schedule)

Recorded at every step t = 0..T (t = T is the final state, after T updates): the full
training loss at θ_t (the data loss, without the penalty), the mini-batch loss, the test
loss where the problem has one, ‖g‖ before clipping, and θ_t when it is small enough.

Divergence is a result: a run whose loss (or gradient) is non-finite, or whose loss
exceeds ``optimum + diverge_factor · max(loss_0 − optimum, 1)``, is marked diverged at
that step and is not updated again; the other runs go on.

Randomness — initial weights and mini-batch order — comes from ``torch.Generator``s
made from each run's seed, never the global RNG. Runs with the same seed get the same
initial weights and the same batch order.

Example::

    >>> from dlcore.problems import LINE_FIT
    >>> from dlcore.optimizers import OptimizerSpec
    >>> res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in (0.01, 0.1, 0.2)],
    ...             TrainConfig(steps=100))
    >>> res.summary()[["lr", "diverged_at"]].to_dict("list")
    {'lr': [0.01, 0.1, 0.2], 'diverged_at': [None, None, 6]}
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from ._checks import floats, is_number, is_whole
from .optimizers import BatchedOptimizer, OptimizerSpec
from .problems.base import DTYPES
from .proximal import soft_threshold
from .results import TrainResult
from .schedules import ScheduleSpec

__all__ = ["RunSpec", "TrainConfig", "train", "MAX_STEPS", "MAX_RUNS"]

MAX_STEPS = 100_000
MAX_RUNS = 5_000


@dataclass(frozen=True)
class RunSpec:
    """One training run: its optimizer, schedule, seed and (optional) start point.

    ``start`` overrides the problem's initial parameters (all P of them); ``l1``/``l2``
    add λ₁·Σ|w| and λ₂·Σw² over the weights (not biases) to the loss. With
    ``l1_proximal`` the L1 part is instead applied exactly, as a soft-thresholding step
    after each update (:mod:`dlcore.proximal`) — the way to get weights that are exactly 0.
    """

    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    seed: int = 0
    start: tuple[float, ...] | None = None
    l1: float = 0.0
    l2: float = 0.0
    label: str = ""
    l1_proximal: bool = False

    def __post_init__(self):
        if not isinstance(self.l1_proximal, bool):
            raise ValueError(f"l1_proximal must be True or False, got {self.l1_proximal!r}.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed < 2 ** 63:
            raise ValueError(f"seed must be a whole number from 0 to 2⁶³−1, got {self.seed!r}.")
        for name in ("l1", "l2"):
            v = getattr(self, name)
            if not (is_number(v) and v >= 0):
                raise ValueError(f"{name} must be a finite number ≥ 0, got {v!r}.")
        if self.start is not None:
            object.__setattr__(self, "start", floats(self.start, "start"))
            if not all(math.isfinite(v) for v in self.start):
                raise ValueError("Start values must be finite numbers.")

    @property
    def name(self) -> str:
        return self.label or self.optimizer.display


@dataclass(frozen=True)
class TrainConfig:
    """How to train: number of updates, batch size, clipping, dtype, what to record.

    ``batch_size`` None means full batch; 1 is stochastic gradient descent. Mini-batches
    follow a fresh shuffle every epoch; the last batch of an epoch may be smaller
    (DataLoader's ``drop_last=False``).
    ``tol``/``tol_mode`` define convergence: the first step from which the loss stays
    below ``tol`` (``"absolute"``) or within ``tol`` of the known optimum (``"gap"``;
    falls back to absolute when the optimum is unknown).
    """

    steps: int = 100
    batch_size: int | None = None
    clip_norm: float | None = None
    dtype: str = "float32"
    diverge_factor: float = 1e4
    tol: float = 1e-3
    tol_mode: str = "gap"
    record_params: bool | None = None   # None: record θ_t when it is small (≤ 4M numbers)
    record_layer_grads: bool = False
    record_state: bool = False          # the gradient used and the optimizer's state, every update

    def __post_init__(self):
        if not isinstance(self.steps, int) or isinstance(self.steps, bool) or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {self.steps!r}.")
        if self.batch_size is not None and (not is_whole(self.batch_size) or self.batch_size < 1):
            raise ValueError(f"batch_size must be a positive whole number or None, got {self.batch_size!r}.")
        if self.clip_norm is not None and not (is_number(self.clip_norm) and self.clip_norm > 0):
            raise ValueError(f"clip_norm must be a positive number or None, got {self.clip_norm!r}.")
        if not isinstance(self.dtype, str) or self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {self.dtype!r}.")
        if not (is_number(self.diverge_factor) and self.diverge_factor > 1):
            raise ValueError(f"diverge_factor must be a finite number > 1, got {self.diverge_factor!r}.")
        if not (is_number(self.tol) and self.tol > 0):
            raise ValueError(f"tol must be a positive number, got {self.tol!r}.")
        if self.tol_mode not in ("gap", "absolute"):
            raise ValueError("tol_mode must be 'gap' or 'absolute'.")


class _Batches:
    """Mini-batch indices for every run: a fresh permutation per epoch from each seed's
    own generator, so runs sharing a seed see the same batches in the same order."""

    def __init__(self, n: int, batch_size: int, seeds: Sequence[int]):
        self.n, self.B = n, batch_size
        distinct = sorted(set(seeds))
        self.row = torch.tensor([distinct.index(s) for s in seeds])
        self.gens = [torch.Generator().manual_seed(s) for s in distinct]
        self.per_epoch = math.ceil(n / batch_size)
        self.perms = None

    def __call__(self, t: int) -> torch.Tensor:
        pos = t % self.per_epoch
        if pos == 0:
            self.perms = torch.stack([torch.randperm(self.n, generator=g) for g in self.gens])[self.row]
        return self.perms[:, pos * self.B:(pos + 1) * self.B]

    def size(self, t: int) -> int:
        pos = t % self.per_epoch
        return min(self.B, self.n - pos * self.B)


def initial_params(obj, runs: Sequence[RunSpec]) -> torch.Tensor:
    """θ_0 (N, P): each run's start, or the problem's initialisation for its seed."""
    cache: dict[int, torch.Tensor] = {}
    rows = []
    for r in runs:
        if r.start is not None:
            if len(r.start) != obj.n_params:
                raise ValueError(f"start has {len(r.start)} values but the model has {obj.n_params} parameters.")
            rows.append(torch.tensor(r.start, dtype=obj.dtype))
        else:
            if r.seed not in cache:
                cache[r.seed] = obj.init(r.seed)
            rows.append(cache[r.seed])
    return torch.stack(rows)


@dataclass
class _Setup:
    """Everything a step needs, built once before the loop."""

    obj: object
    opt: BatchedOptimizer
    lr_table: np.ndarray                  # (T, N) float64
    batches: "_Batches | None"           # None: full batch
    l1: torch.Tensor
    l2: torch.Tensor
    use_l1: bool
    use_l2: bool
    mask: torch.Tensor
    prox_thr: torch.Tensor | None         # proximal L1 thresholds (T, N), or None


def _prepare(problem, runs: tuple, config: TrainConfig) -> _Setup:
    if not runs:
        raise ValueError("At least one run is needed.")
    if len(runs) > MAX_RUNS:
        raise ValueError(f"At most {MAX_RUNS} runs at once, got {len(runs)}.")
    T, dtype = config.steps, DTYPES[config.dtype]
    obj = problem.build(dtype)
    minibatch = config.batch_size is not None and obj.n_train > 0 and config.batch_size < obj.n_train
    batches = _Batches(obj.n_train, config.batch_size, [r.seed for r in runs]) if minibatch else None
    lr_table = np.stack([r.schedule.lrs(r.optimizer.lr, T) for r in runs], axis=1)  # (T, N) float64
    opt = BatchedOptimizer([r.optimizer for r in runs], obj.n_params, lr_table, dtype)
    l1 = torch.tensor([0.0 if r.l1_proximal else r.l1 for r in runs], dtype=dtype)
    l2 = torch.tensor([r.l2 for r in runs], dtype=dtype)
    # Proximal L1: threshold lr_t·λ₁ per step and run, formed in float64 (Python floats in
    # the exported script) and cast; 0 for every other run, where it changes nothing.
    prox = [r.l1 if r.l1_proximal else 0.0 for r in runs]
    prox_thr = torch.from_numpy(lr_table * np.array(prox)).to(dtype) if any(prox) else None
    return _Setup(obj, opt, lr_table, batches, l1, l2, bool((l1 > 0).any()), bool((l2 > 0).any()),
                  obj.penalty_mask.to(dtype), prox_thr)


class _Record:
    """Per-step records. They go into lists and are stacked once at the end: the loop's
    cost is its number of tensor operations, and a list append is not one."""

    def __init__(self, config: TrainConfig, n_runs: int, n_params: int):
        T = config.steps
        self.params = config.record_params
        if self.params is None:
            self.params = (T + 1) * n_runs * n_params <= 4_000_000
        self.layers, self.state = config.record_layer_grads, config.record_state
        self.loss, self.gnorm, self.batch, self.test, self.param, self.layer, self.bad = ([] for _ in range(7))
        self.grad, self.opt_state = [], []
        self.samples = np.zeros(T + 1, dtype=np.int64)

    def result(self, runs, config, obj, lr_table, theta) -> TrainResult:
        bad_all = torch.stack(self.bad).numpy()
        diverged_at = np.where(bad_all.any(axis=0), bad_all.argmax(axis=0), -1)
        stack = lambda xs: torch.stack(xs).numpy() if xs else None  # noqa: E731
        return TrainResult(
            runs=runs, config=config, param_names=obj.param_names, optimum=obj.optimum,
            loss=stack(self.loss), grad_norm=stack(self.gnorm), batch_loss=stack(self.batch),
            test_loss=stack(self.test), lr=lr_table, params=stack(self.param), final_params=theta.numpy().copy(),
            layer_grad_norm=stack(self.layer), layer_names=tuple(n for n, _ in obj.layers),
            diverged_at=diverged_at, samples_seen=self.samples,
            grads=stack(self.grad) if self.state else None,
            opt_state={k: torch.stack([st[k] for st in self.opt_state]).numpy() for k in self.opt_state[0]}
            if self.state and self.opt_state else None,
        )


def _gradient(s: _Setup, theta: torch.Tensor, t: int):
    """(the data loss at this step's batch, the test loss or None, ∂(loss + penalties)/∂θ)."""
    th = theta.detach().requires_grad_(True)
    test_loss = None
    if s.batches is not None:
        data_loss = s.obj.loss(th, s.batches(t))
    else:
        data_loss, test_loss = s.obj.loss_and_test(th)
    total = data_loss
    if s.use_l1:
        total = total + s.l1 * (th.abs() * s.mask).sum(dim=1)
    if s.use_l2:
        total = total + s.l2 * ((th * s.mask) ** 2).sum(dim=1)
    (g,) = torch.autograd.grad(total.sum(), th)
    return data_loss, test_loss, g


def _threshold(obj, full: torch.Tensor, config: TrainConfig, dtype) -> torch.Tensor:
    """The loss above which a run counts as diverged, from its loss at step 0. In float64,
    then capped at the dtype's largest finite value: a threshold of +inf (from a loss of
    +inf at step 0, or 1e4 × a huge loss overflowing float32) would let "loss ≤ threshold"
    pass a loss of +inf."""
    ref = obj.optimum if obj.optimum is not None else 0.0
    return (ref + config.diverge_factor * torch.clamp(full.double() - ref, min=1.0)
            ).clamp(max=torch.finfo(dtype).max).to(dtype)


def _record_step(s: _Setup, rec: _Record, theta, data_loss, test_loss, g):
    """Record step t's numbers; return (the full training loss, ‖g‖)."""
    if s.batches is not None:
        full, test_loss = s.obj.loss_and_test(theta)
        rec.batch.append(data_loss.detach())
    else:
        full = data_loss.detach()
    rec.loss.append(full)
    gn = torch.linalg.vector_norm(g, dim=1)
    rec.gnorm.append(gn)
    if s.obj.has_test:
        rec.test.append(test_loss.detach())
    if rec.params:
        rec.param.append(theta)
    if rec.layers:
        rec.layer.append(torch.stack([torch.linalg.vector_norm(g[:, sl], dim=1) for _, sl in s.obj.layers], 1))
    return full, gn


def _update(s: _Setup, rec: _Record, theta, g, gn, t: int, clip: float | None) -> torch.Tensor:
    """θ after step t's update (before frozen runs are put back)."""
    if clip is not None:
        # torch.nn.utils.clip_grad_norm_: scale by max_norm / (‖g‖ + 1e-6), never up.
        coef = torch.clamp(clip / (gn + 1e-6), max=1.0)
        g = g * coef.unsqueeze(1)
    new = s.opt.step(theta, g, t)
    if s.prox_thr is not None:
        new = soft_threshold(new, s.prox_thr[t], s.mask)
    if rec.state:
        rec.grad.append(g)
        rec.opt_state.append(s.opt.state())
    return new


def train(problem, runs: Sequence[RunSpec], config: TrainConfig = TrainConfig(),
          progress: Callable[[float], None] | None = None) -> TrainResult:
    """Train every run in ``runs`` on ``problem`` for ``config.steps`` updates, together.

    ``progress(fraction)`` is called every few steps; a UI can use it to show progress
    (and Streamlit's rerun exceptions raised from it stop the loop early).
    """
    runs = tuple(runs)
    s = _prepare(problem, runs, config)
    T, dtype = config.steps, DTYPES[config.dtype]
    rec = _Record(config, len(runs), s.obj.n_params)
    theta = initial_params(s.obj, runs)
    active = torch.ones(len(runs), dtype=torch.bool)
    threshold = None
    every = max(1, T // 50)
    for t in range(T + 1):
        data_loss, test_loss, g = _gradient(s, theta, t)
        with torch.no_grad():
            full, gn = _record_step(s, rec, theta, data_loss, test_loss, g)
            if threshold is None:
                threshold = _threshold(s.obj, full, config, dtype)
            # Written so NaN compares False: "not (−inf < loss ≤ threshold)" catches NaN, ±inf
            # and blow-ups in three operations. A non-finite gradient makes θ non-finite,
            # which the next step's loss catches. A diverged run is frozen, so its loss stays
            # bad: its divergence step is the first bad one (found after the loop).
            bad = ~((full <= threshold) & (full > -math.inf))
            if s.batches is not None:
                bad |= ~torch.isfinite(rec.batch[-1])
            rec.bad.append(bad)
            active = active & ~bad
            if t == T:
                break
            rec.samples[t + 1] = rec.samples[t] + (s.batches.size(t) if s.batches is not None
                                                   else max(s.obj.n_train, 1))
            new = _update(s, rec, theta, g, gn, t, config.clip_norm)
            theta = torch.where(active.unsqueeze(1), new, theta)
        if progress is not None and t % every == 0:
            progress(t / T)
    if progress is not None:
        progress(1.0)
    return rec.result(runs, config, s.obj, s.lr_table, theta)
