"""Learning-rate schedules as closed forms of the step number.

Each schedule gives the learning rate used by update t = 0, 1, ..., T−1, matching what
``torch.optim.lr_scheduler`` sets when ``scheduler.step()`` is called once after every
``optimizer.step()``:

=============  ==============================================  =========================
kind           lr at step t                                     torch equivalent
=============  ==============================================  =========================
constant       lr                                               (no scheduler)
step           lr · γ^⌊t / step_size⌋                           StepLR(step_size, gamma)
exponential    lr · γ^t                                         ExponentialLR(gamma)
cosine         η_min + (lr − η_min)·(1 + cos(π t / T))/2        CosineAnnealingLR(T_max=T)
onecycle       cosine warm-up lr/div → lr over pct·T steps,     OneCycleLR(max_lr=lr, total_steps=T,
               then cosine anneal → lr/(div·final_div)          cycle_momentum=False)
=============  ==============================================  =========================

One-cycle in torch also cycles momentum by default; we keep momentum fixed
(``cycle_momentum=False``) so that a schedule changes exactly one thing — the rate.

Example::

    >>> ScheduleSpec("step", step_size=2, gamma=0.5).lrs(0.1, 5).round(4).tolist()
    [0.1, 0.1, 0.05, 0.05, 0.025]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import torch

from ._checks import is_number, is_whole

__all__ = ["SCHEDULES", "OPTIONS", "ScheduleSpec"]

SCHEDULES = ("constant", "step", "exponential", "cosine", "onecycle")


# Each schedule's options (the dataclass fields it reads).
OPTIONS = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",), "cosine": ("eta_min",),
           "onecycle": ("pct_start", "div_factor", "final_div_factor")}
_FIELDS = ("kind", "step_size", "gamma", "eta_min", "pct_start", "div_factor", "final_div_factor")


@dataclass(frozen=True, init=False)
class ScheduleSpec:
    """A learning-rate schedule; ``lrs(base_lr, steps)`` returns the rate of every step.

    Every bad value — an unknown schedule, an option no schedule has, a number out of
    range — raises ``ValueError`` with a plain message, like every other config here::

        >>> ScheduleSpec("cosine", T_max=10)
        Traceback (most recent call last):
        ...
        ValueError: Schedules have no option(s) ['T_max']; cosine takes ['eta_min'].
    """

    kind: str = "constant"
    step_size: int = 30          # step: decay every step_size updates
    gamma: float = 0.1           # step / exponential: decay factor
    eta_min: float = 0.0         # cosine: final rate
    pct_start: float = 0.3       # onecycle: fraction of steps spent warming up
    div_factor: float = 25.0     # onecycle: initial rate = lr / div_factor
    final_div_factor: float = 1e4  # onecycle: final rate = initial / final_div_factor

    def __init__(self, *args, **options):
        # Written out (init=False) so that an unknown option is a ValueError naming it, not
        # Python's TypeError "unexpected keyword argument".
        if len(args) > len(_FIELDS):
            raise ValueError(f"ScheduleSpec takes at most {len(_FIELDS)} values, got {len(args)}.")
        given = dict(zip(_FIELDS, args))
        twice = sorted(set(given) & set(options))
        if twice:
            raise ValueError(f"Schedule option(s) {twice} given twice.")
        given.update(options)
        unknown = sorted(set(given) - set(_FIELDS))
        if unknown:
            kind = given.get("kind", "constant")
            takes = f"; {kind} takes {list(OPTIONS[kind])}" if isinstance(kind, str) and kind in OPTIONS else ""
            raise ValueError(f"Schedules have no option(s) {unknown}{takes}.")
        for f in fields(self):
            object.__setattr__(self, f.name, given.get(f.name, f.default))
        self.__post_init__()

    def __post_init__(self):
        if self.kind not in SCHEDULES:
            raise ValueError(f"Unknown schedule {self.kind!r}; choose one of {list(SCHEDULES)}.")
        for name in ("gamma", "eta_min", "pct_start", "div_factor", "final_div_factor"):
            v = getattr(self, name)
            if not is_number(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}.")
        if not (is_whole(self.step_size) and self.step_size >= 1):
            raise ValueError(f"step_size must be a positive integer, got {self.step_size!r}.")
        # gamma > 1 is allowed: a growing rate is what the learning-rate range test uses.
        if not 0 < self.gamma <= 10:
            raise ValueError(f"gamma must be in (0, 10], got {self.gamma}.")
        if self.eta_min < 0:
            raise ValueError(f"eta_min must be ≥ 0, got {self.eta_min}.")
        if not 0 < self.pct_start < 1:
            raise ValueError(f"pct_start must be in (0, 1), got {self.pct_start}.")
        if self.div_factor <= 0 or self.final_div_factor <= 0:
            raise ValueError("div_factor and final_div_factor must be positive.")

    def check_steps(self, steps: int) -> int:
        """``steps`` if this schedule can run that many updates, else ValueError — where
        torch.optim.lr_scheduler would refuse them too. OneCycleLR's warm-up ends at step
        pct_start·T − 1; when that is step 0 (pct_start·T = 1) torch divides by zero."""
        if not (is_whole(steps) and steps >= 0):
            raise ValueError(f"The number of steps must be a whole number ≥ 0, got {steps!r}.")
        if self.kind == "onecycle":
            total = max(int(steps), 2)
            if float(self.pct_start * total) - 1 == 0:
                span = f"{total} steps" if total == steps else f"{total} steps (a one-cycle spans at least 2)"
                raise ValueError(f"One-cycle needs pct_start × steps ≠ 1: with pct_start {self.pct_start} and "
                                 f"{span} the warm-up has no length (torch's OneCycleLR fails there). "
                                 "Choose another pct_start or number of steps.")
        return int(steps)

    def lrs(self, base_lr: float, steps: int) -> np.ndarray:
        """Learning rate of each of ``steps`` updates, as float64."""
        steps = self.check_steps(steps)
        if not (is_number(base_lr) and base_lr > 0):
            raise ValueError(f"The base learning rate must be a positive number, got {base_lr!r}.")
        t = np.arange(steps, dtype=np.float64)
        if self.kind == "constant":
            return np.full(steps, float(base_lr))
        if self.kind == "step":
            return base_lr * self.gamma ** np.floor(t / self.step_size)
        if self.kind == "exponential":
            return base_lr * self.gamma ** t
        if self.kind == "cosine":
            T = max(steps, 1)
            return self.eta_min + (base_lr - self.eta_min) * (1 + np.cos(np.pi * t / T)) / 2
        return _onecycle(base_lr, steps, self.pct_start, self.div_factor, self.final_div_factor)

    def torch_scheduler(self, optimizer: torch.optim.Optimizer, steps: int):
        """The equivalent ``torch.optim.lr_scheduler`` object, or None for constant."""
        steps = self.check_steps(steps)
        S = torch.optim.lr_scheduler
        if self.kind == "constant":
            return None
        if self.kind == "step":
            return S.StepLR(optimizer, step_size=self.step_size, gamma=self.gamma)
        if self.kind == "exponential":
            return S.ExponentialLR(optimizer, gamma=self.gamma)
        if self.kind == "cosine":
            return S.CosineAnnealingLR(optimizer, T_max=max(steps, 1), eta_min=self.eta_min)
        lr = optimizer.param_groups[0]["lr"]
        return S.OneCycleLR(optimizer, max_lr=lr, total_steps=max(steps, 2), pct_start=float(self.pct_start),
                            div_factor=self.div_factor, final_div_factor=self.final_div_factor,
                            cycle_momentum=False)

    def torch_code(self, steps: int) -> str | None:
        """Source line constructing the scheduler, for exported scripts."""
        steps = self.check_steps(steps)
        S = "torch.optim.lr_scheduler"
        if self.kind == "constant":
            return None
        if self.kind == "step":
            return f"{S}.StepLR(optimizer, step_size={self.step_size}, gamma={self.gamma!r})"
        if self.kind == "exponential":
            return f"{S}.ExponentialLR(optimizer, gamma={self.gamma!r})"
        if self.kind == "cosine":
            return f"{S}.CosineAnnealingLR(optimizer, T_max={max(steps, 1)}, eta_min={self.eta_min!r})"
        return (f"{S}.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]['lr'], total_steps={max(steps, 2)},"
                f" pct_start={float(self.pct_start)!r}, div_factor={self.div_factor!r},"
                f" final_div_factor={self.final_div_factor!r}, cycle_momentum=False)")


def _onecycle(max_lr: float, steps: int, pct_start: float, div: float, final_div: float) -> np.ndarray:
    """torch.optim.lr_scheduler.OneCycleLR's two-phase cosine schedule (anneal_strategy='cos')."""
    total = max(steps, 2)
    initial = max_lr / div
    minimum = initial / final_div
    phases = [(float(pct_start * total) - 1, initial, max_lr), (total - 1, max_lr, minimum)]
    out = np.empty(steps)
    for t in range(steps):
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                pct = (t - start) / (end - start)      # end ≠ start: see ScheduleSpec.check_steps
                out[t] = b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1)
                break
            start = end
    return out
