"""Batched, functional versions of torch.optim's SGD, Adam, AdamW, Adagrad and RMSprop.

Every tensor here has a leading *run* dimension: ``theta`` is (N, P) — N independent
training runs of a P-parameter model — and every hyperparameter may differ per run.
The update formulas follow torch/optim's single-tensor code paths operation for
operation (same order of floating-point operations where it matters), so that a run
here equals a plain ``torch.optim`` loop step for step; ``tests/test_optim_equivalence.py``
checks that for every optimizer.

The rules, with g the gradient, θ the parameters and lr the (scheduled) learning rate:

SGD (torch.optim.SGD)::

    g ← g + wd·θ                                  (weight_decay)
    b ← g  at the first step, else  b ← μ·b + (1−τ)·g   (momentum μ, dampening τ)
    g ← g + μ·b  (Nesterov)   or   g ← b  (classical momentum)
    θ ← θ − lr·g

Adam / AdamW (torch.optim.Adam, torch.optim.AdamW)::

    Adam:  g ← g + wd·θ          AdamW:  θ ← θ·(1 − lr·wd)
    m ← m + (1−β1)(g − m)            v ← β2·v + (1−β2)·g²
    θ ← θ − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)

Adagrad (torch.optim.Adagrad)::

    g ← g + wd·θ ;  s ← s + g² ;  θ ← θ − lr/(1+(t−1)·η) · g/(√s + ε)

RMSprop (torch.optim.RMSprop)::

    g ← g + wd·θ ;  v ← α·v + (1−α)·g²
    centered:  ḡ ← ḡ + (1−α)(g − ḡ);  d = √(v − ḡ²) + ε   else  d = √v + ε
    momentum μ>0:  b ← μ·b + g/d;  θ ← θ − lr·b      else  θ ← θ − lr·g/d

Example::

    >>> spec = OptimizerSpec.make("adam", lr=0.1)
    >>> opt = BatchedOptimizer([spec, OptimizerSpec.make("sgd", lr=0.1)], n_params=2,
    ...                        lrs=[[0.1, 0.1]], dtype=torch.float64)     # 1 step × 2 runs
    >>> theta = torch.zeros(2, 2, dtype=torch.float64)
    >>> theta = opt.step(theta, torch.ones(2, 2, dtype=torch.float64), k=0)
    >>> [round(v, 6) for v in theta[:, 0].tolist()]   # Adam's first step is lr·g/(|g|+ε)
    [-0.1, -0.1]
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from ._checks import is_number

__all__ = ["OPTIMIZERS", "PRESETS", "OptimizerSpec", "BatchedOptimizer", "preset", "spec_for", "HYPERPARAMS",
           "PRESET_HYPERPARAMS"]

# torch's defaults for each optimizer, so a spec made with only a learning rate behaves
# exactly as ``torch.optim.<Name>(params, lr=...)`` would.
OPTIMIZERS: dict[str, dict] = {
    "sgd": dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    "adam": dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
    "adamw": dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2),
    "adagrad": dict(lr_decay=0.0, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0),
    "rmsprop": dict(alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0),
}

# Which hyperparameters each optimizer reads; pages use this to show the right inputs.
HYPERPARAMS: dict[str, tuple[str, ...]] = {name: ("lr", *d) for name, d in OPTIMIZERS.items()}

TORCH_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
               "rmsprop": "RMSprop"}


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer with its hyperparameters, validated like torch.optim validates them.

    Build it with :meth:`make`, which fills in torch's defaults for that optimizer::

        >>> OptimizerSpec.make("sgd", lr=0.05, momentum=0.9).momentum
        0.9
    """

    name: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    alpha: float = 0.99
    centered: bool = False
    lr_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    label: str = ""

    def __post_init__(self):
        if self.name not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.name!r}; choose one of {sorted(OPTIMIZERS)}.")
        for f in fields(self):
            v = getattr(self, f.name)
            if f.type in ("float", float) and not is_number(v):
                raise ValueError(f"{f.name} must be a finite number, got {v!r}.")
            if f.type in ("bool", bool) and not isinstance(v, bool):
                raise ValueError(f"{f.name} must be True or False, got {v!r}.")
        if not self.lr > 0:
            raise ValueError(f"Learning rate must be positive, got {self.lr}.")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be ≥ 0, got {self.weight_decay}.")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}.")
        if not 0 <= self.dampening <= 1:
            raise ValueError(f"dampening must be in [0, 1], got {self.dampening}.")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires momentum > 0 and dampening = 0.")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError(f"betas must be in [0, 1), got ({self.beta1}, {self.beta2}).")
        if not self.eps >= 0:
            raise ValueError(f"eps must be ≥ 0, got {self.eps}.")
        if not 0 <= self.alpha < 1:
            raise ValueError(f"alpha must be in [0, 1), got {self.alpha}.")
        if self.lr_decay < 0 or self.initial_accumulator_value < 0:
            raise ValueError("lr_decay and initial_accumulator_value must be ≥ 0.")

    @classmethod
    def make(cls, name: str, lr: float = 0.01, label: str = "", **hyper) -> "OptimizerSpec":
        """Spec for ``name`` with torch's defaults, overridden by ``hyper``.

        Unknown hyperparameters for that optimizer raise ``ValueError`` so a typo never
        silently does nothing.
        """
        name = str(name).lower()
        if name not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}.")
        unknown = set(hyper) - set(OPTIMIZERS[name])
        if unknown:
            raise ValueError(f"{TORCH_NAMES[name]} has no hyperparameter(s) {sorted(unknown)}.")
        return cls(name=name, lr=lr, label=label, **{**OPTIMIZERS[name], **hyper})

    @property
    def display(self) -> str:
        return self.label or TORCH_NAMES[self.name]

    def hyperparameters(self) -> dict:
        """The hyperparameters this optimizer uses, as torch.optim keyword arguments."""
        d = {"lr": self.lr}
        for k in OPTIMIZERS[self.name]:
            d[k] = getattr(self, k)
        if "beta1" in d:
            d["betas"] = (d.pop("beta1"), d.pop("beta2"))
        return d

    def torch_optimizer(self, params) -> torch.optim.Optimizer:
        """The equivalent ``torch.optim`` optimizer over ``params`` (used by tests and exports)."""
        return getattr(torch.optim, TORCH_NAMES[self.name])(params, **self.hyperparameters())

    def with_lr(self, lr: float) -> "OptimizerSpec":
        return replace(self, lr=lr)


# The named variants learners pick from on the comparison page.
PRESETS: dict[str, OptimizerSpec] = {
    "SGD": OptimizerSpec.make("sgd", lr=0.01, label="SGD"),
    "Momentum": OptimizerSpec.make("sgd", lr=0.01, momentum=0.9, label="Momentum"),
    "Nesterov": OptimizerSpec.make("sgd", lr=0.01, momentum=0.9, nesterov=True, label="Nesterov"),
    "Adam": OptimizerSpec.make("adam", lr=0.01, label="Adam"),
    "AdamW": OptimizerSpec.make("adamw", lr=0.01, label="AdamW"),
    "AdaGrad": OptimizerSpec.make("adagrad", lr=0.1, label="AdaGrad"),
    "RMSprop": OptimizerSpec.make("rmsprop", lr=0.01, label="RMSprop"),
}


def preset(label: str, **overrides) -> OptimizerSpec:
    """A named preset ("SGD", "Momentum", "Nesterov", "Adam", ...) with overrides."""
    if label not in PRESETS:
        raise ValueError(f"Unknown optimizer {label!r}; choose one of {list(PRESETS)}.")
    return replace(PRESETS[label], **overrides)


# The hyperparameters a learner may change on each preset without turning it into another
# preset (plain SGD has no momentum knob: with momentum it is the "Momentum" preset).
PRESET_HYPERPARAMS: dict[str, tuple[str, ...]] = {
    "SGD": ("lr", "weight_decay"),
    "Momentum": ("lr", "momentum", "weight_decay"),
    "Nesterov": ("lr", "momentum", "weight_decay"),
    "Adam": ("lr", "beta1", "beta2", "eps", "weight_decay"),
    "AdamW": ("lr", "beta1", "beta2", "eps", "weight_decay"),
    "AdaGrad": ("lr", "eps", "weight_decay"),
    "RMSprop": ("lr", "alpha", "momentum", "eps", "weight_decay", "centered"),
}

# Short names pages use for settings (and in links) → OptimizerSpec fields.
SHORT_NAMES = {"wd": "weight_decay", "mom": "momentum", "mu": "momentum", "b1": "beta1", "b2": "beta2"}


def spec_for(name: str, lr: float, **settings) -> OptimizerSpec:
    """An optimizer from a preset label ("Momentum", "AdamW") or an optimizer name ("sgd",
    "rmsprop") with learning rate ``lr`` and whichever of ``settings`` it reads
    (:data:`HYPERPARAMS`; short names such as ``wd``, ``mom``, ``b1`` are accepted): a page
    passes all its hyperparameter settings and each optimizer takes its own. Values are
    validated by :class:`OptimizerSpec`.

        >>> spec_for("sgd", 0.1, mom=0.9, b1=0.5, wd=0.0).momentum
        0.9
        >>> spec_for("Nesterov", 0.01, momentum=0.5).nesterov
        True
    """
    if name in PRESETS:
        base = PRESETS[name]
    else:
        base = OptimizerSpec.make(name)
    reads = set(HYPERPARAMS[base.name]) - {"lr"}
    over = {}
    for k, v in settings.items():
        k = SHORT_NAMES.get(k, k)
        if k in reads:
            over[k] = v
    return replace(base, lr=lr, **over)


def _col(values, dtype) -> torch.Tensor:
    """Per-run scalars as an (n, 1) column that broadcasts over parameters.

    Scalars are formed in float64 (as Python floats are in torch.optim) and then cast to
    the parameter dtype, which is what torch's kernels do with a Python scalar argument.
    """
    return torch.as_tensor(values, dtype=torch.float64).reshape(-1, 1).to(dtype)


class _Group:
    """Runs that share an optimizer *kind* and its structural switches (momentum on/off,
    Nesterov, centered...). Numeric hyperparameters still differ per run within a group."""

    def __init__(self, kind: tuple, idx: list[int], specs: list[OptimizerSpec], n_params: int, dtype):
        self.kind, self.dtype = kind, dtype
        self.idx = torch.tensor(idx, dtype=torch.long)
        self.n = len(idx)
        self.h = {k: [getattr(s, k) for s in specs] for k in
                  ("momentum", "dampening", "weight_decay", "beta1", "beta2", "eps", "alpha",
                   "lr_decay", "initial_accumulator_value")}
        c = lambda k: _col(self.h[k], dtype)  # noqa: E731
        self.wd = c("weight_decay")
        self.any_wd = any(v != 0 for v in self.h["weight_decay"])
        name = kind[0]
        shape = (self.n, n_params)
        if name == "sgd":
            self.mu, self.one_minus_damp = c("momentum"), _col([1 - d for d in self.h["dampening"]], dtype)
            self.buf = None
        elif name in ("adam", "adamw"):
            self.one_minus_b1 = _col([1 - b for b in self.h["beta1"]], dtype)
            self.b2, self.one_minus_b2 = c("beta2"), _col([1 - b for b in self.h["beta2"]], dtype)
            self.eps = c("eps")
            self.m = torch.zeros(shape, dtype=dtype)
            self.v = torch.zeros(shape, dtype=dtype)
        elif name == "adagrad":
            self.eps = c("eps")
            self.s = torch.zeros(shape, dtype=dtype) + c("initial_accumulator_value")
        elif name == "rmsprop":
            self.alpha, self.one_minus_alpha = c("alpha"), _col([1 - a for a in self.h["alpha"]], dtype)
            self.eps, self.mu = c("eps"), c("momentum")
            self.v = torch.zeros(shape, dtype=dtype)
            self.gavg = torch.zeros(shape, dtype=dtype) if kind[1] else None
            self.buf = torch.zeros(shape, dtype=dtype) if kind[2] else None
        self.t = 0

    def prepare(self, lr64: np.ndarray) -> None:
        """Precompute every per-step scalar from the (steps, n) float64 learning-rate table.

        torch.optim forms these scalars in Python floats (float64) and its kernels cast
        them to the parameter dtype; we do the same once for all steps, with numpy's
        float64 arithmetic standing in for Python's, instead of a handful of tiny tensor
        operations at every step.

        Powers are the exception: numpy's vectorised ``**`` (SIMD on some CPUs) can differ
        from Python's correctly rounded one in the last bit, and 1 − β^t magnifies that
        early on; so β^t and (1 − β2^t)^0.5 are Python float powers, as in torch.optim."""
        T = lr64.shape[0]
        t = np.arange(1, T + 1, dtype=np.float64)[:, None]                   # step counts 1..T
        h = {k: np.asarray(v, dtype=np.float64)[None, :] for k, v in self.h.items()}
        as_col = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(self.dtype).unsqueeze(-1)  # noqa: E731
        name = self.kind[0]
        self.neg_lr = as_col(-lr64)
        if name in ("adam", "adamw"):
            self.neg_step = as_col(-(lr64 / (1 - _python_powers(self.h["beta1"], T))))
            self.bc2_sqrt = as_col(_python_powers(self.h["beta2"], T, lambda p: (1 - p) ** 0.5))
            self.decay = as_col(1 - lr64 * h["weight_decay"])
        elif name == "adagrad":
            self.neg_clr = as_col(-(lr64 / (1 + (t - 1) * h["lr_decay"])))

    def state(self) -> dict[str, torch.Tensor]:
        """The optimizer's internal state per run (velocity, moment estimates...)."""
        out = {}
        for k in ("buf", "m", "v", "s", "gavg"):
            if getattr(self, k, None) is not None:
                out[k] = getattr(self, k)
        return out

    def step(self, theta: torch.Tensor, g: torch.Tensor, k: int) -> torch.Tensor:
        """Return the updated parameters for this group's runs at update k (0-based)."""
        self.t += 1
        name = self.kind[0]
        if name == "sgd":
            if self.any_wd:
                g = g + self.wd * theta
            if self.kind[1]:  # momentum on
                if self.buf is None:
                    self.buf = g.clone()
                else:
                    self.buf = self.buf * self.mu + self.one_minus_damp * g
                g = g + self.mu * self.buf if self.kind[2] else self.buf
            return theta + self.neg_lr[k] * g

        if name in ("adam", "adamw"):
            if self.any_wd:
                if name == "adamw":
                    theta = theta * self.decay[k]
                else:
                    g = g + self.wd * theta
            self.m = self.m.lerp(g, self.one_minus_b1)
            self.v = self.v * self.b2 + (self.one_minus_b2 * g) * g
            denom = self.v.sqrt() / self.bc2_sqrt[k] + self.eps
            return theta + (self.neg_step[k] * self.m) / denom

        if name == "adagrad":
            if self.any_wd:
                g = g + self.wd * theta
            self.s = self.s + g * g
            std = self.s.sqrt() + self.eps
            return theta + (self.neg_clr[k] * g) / std

        # rmsprop
        if self.any_wd:
            g = g + self.wd * theta
        self.v = self.v * self.alpha + (self.one_minus_alpha * g) * g
        if self.gavg is not None:
            self.gavg = self.gavg.lerp(g, self.one_minus_alpha)
            avg = (self.v + (-1 * self.gavg) * self.gavg).sqrt()
        else:
            avg = self.v.sqrt()
        avg = avg + self.eps
        if self.buf is not None:
            self.buf = self.buf * self.mu + g / avg
            return theta + self.neg_lr[k] * self.buf
        return theta + (self.neg_lr[k] * g) / avg


def _python_powers(bases, T: int, then=None) -> np.ndarray:
    """(T, n) table of ``then(b ** t)`` for t = 1..T and each run's base b, computed with
    Python floats (as torch.optim does), once per distinct base."""
    cols = {}
    for b in set(bases):
        b = float(b)
        cols[b] = [b ** k if then is None else then(b ** k) for k in range(1, T + 1)]
    return np.array([cols[float(b)] for b in bases], dtype=np.float64).T.reshape(T, len(bases))


def _kind(s: OptimizerSpec) -> tuple:
    if s.name == "sgd":
        return ("sgd", s.momentum != 0, s.nesterov)
    if s.name == "rmsprop":
        return ("rmsprop", s.centered, s.momentum > 0)
    return (s.name,)


class BatchedOptimizer:
    """Steps N runs at once, each with its own :class:`OptimizerSpec`.

    Runs are grouped by optimizer kind; each group updates its rows of ``theta`` with the
    rule in the module docstring. ``lrs`` is the (steps, N) table of learning rates —
    the schedule already applied — so update k uses row k.
    """

    def __init__(self, specs: list[OptimizerSpec], n_params: int, lrs, dtype=torch.float32):
        self.specs = list(specs)
        self.dtype = dtype
        lrs = np.asarray(lrs, dtype=np.float64)
        if lrs.ndim != 2 or lrs.shape[1] != len(self.specs):
            raise ValueError("lrs must be a (steps, runs) table of learning rates.")
        by_kind: dict[tuple, list[int]] = {}
        for i, s in enumerate(self.specs):
            by_kind.setdefault(_kind(s), []).append(i)
        self.groups = []
        for k, idx in by_kind.items():
            g = _Group(k, idx, [self.specs[i] for i in idx], n_params, dtype)
            g.prepare(lrs[:, idx])
            self.groups.append(g)
        self._single = len(self.groups) == 1

    def step(self, theta: torch.Tensor, grad: torch.Tensor, k: int) -> torch.Tensor:
        """Return θ after update k. theta, grad: (N, P)."""
        if self._single:
            return self.groups[0].step(theta, grad, k)
        out = theta.clone()
        for g in self.groups:
            out[g.idx] = g.step(theta[g.idx], grad[g.idx], k)
        return out

    def state(self) -> dict[str, torch.Tensor]:
        """Internal state tensors scattered back to (N, P), NaN where a run has no such state."""
        n = len(self.specs)
        out: dict[str, torch.Tensor] = {}
        for g in self.groups:
            for k, v in g.state().items():
                if k not in out:
                    out[k] = torch.full((n, v.shape[1]), float("nan"), dtype=v.dtype)
                out[k][g.idx] = v
        return out
