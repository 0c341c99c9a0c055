"""What a training call returns: arrays per step and run, and tidy DataFrames of them.

Steps are counted in updates: row ``step = t`` holds the state after t updates, so
step 0 is the start and step T the end. A run that diverged stops at its
``diverged_at`` step; its history ends there (that last row may hold inf/NaN — chart
builders draw only finite values and mark the point).

Example::

    >>> from dlcore import train, RunSpec, TrainConfig, OptimizerSpec, LINE_FIT
    >>> res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=0.01))], TrainConfig(steps=100))
    >>> h = res.history()
    >>> list(h.columns[:5]), len(h)
    (['run', 'label', 'step', 'loss', 'grad_norm'], 101)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TrainResult", "thin_steps", "converged_at"]


def thin_steps(n_steps: int, max_points: int | None, keep: "list[int] | np.ndarray" = ()) -> np.ndarray:
    """Indices 0..n_steps−1 thinned to about ``max_points``, always keeping the first and
    last step and every index in ``keep`` (e.g. divergence points)."""
    if max_points is None or n_steps <= max_points:
        return np.arange(n_steps)
    base = np.unique(np.round(np.linspace(0, n_steps - 1, max(2, max_points))).astype(np.int64))
    extra = [k for k in keep if 0 <= k < n_steps]
    return np.unique(np.concatenate([base, np.asarray(extra, dtype=np.int64), [0, n_steps - 1]]))


def converged_at(loss: np.ndarray, tol: float, optimum: float | None = None) -> np.ndarray:
    """First step from which the loss stays within ``tol`` (of ``optimum`` when given),
    per run; -1 where that never happens. ``loss`` is (T+1, N)."""
    gap = loss - optimum if optimum is not None else loss
    with np.errstate(invalid="ignore"):
        below = np.isfinite(gap) & (gap < tol)
    # stays_below[t] is True when every step from t to the end is below tolerance.
    stays_below = np.logical_and.accumulate(below[::-1], axis=0)[::-1]
    first = np.argmax(stays_below, axis=0)
    return np.where(stays_below.any(axis=0), first, -1)


@dataclass(frozen=True, eq=False)
class TrainResult:
    """Arrays are (steps+1, runs[, ...]); ``lr`` is (steps, runs) — the rate of each update."""

    runs: tuple
    config: object
    param_names: tuple[str, ...]
    optimum: float | None
    loss: np.ndarray
    grad_norm: np.ndarray
    batch_loss: np.ndarray | None
    test_loss: np.ndarray | None
    lr: np.ndarray
    params: np.ndarray | None
    final_params: np.ndarray
    layer_grad_norm: np.ndarray | None
    layer_names: tuple[str, ...]
    diverged_at: np.ndarray
    samples_seen: np.ndarray
    grads: np.ndarray | None = None       # (steps, runs, P): the gradient each update used (after clipping)
    opt_state: dict | None = None         # internal name -> (steps, runs, P): optimizer state after each update

    def __post_init__(self):
        # Results are cached and shared between sessions: make accidental mutation fail loudly.
        for name in ("loss", "grad_norm", "batch_loss", "test_loss", "lr", "params", "final_params",
                     "layer_grad_norm", "diverged_at", "samples_seen", "grads"):
            a = getattr(self, name)
            if a is not None:
                a.setflags(write=False)
        for a in (self.opt_state or {}).values():
            a.setflags(write=False)

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def steps(self) -> int:
        return self.loss.shape[0] - 1

    @property
    def labels(self) -> list[str]:
        return [r.name for r in self.runs]

    def last_step(self) -> np.ndarray:
        """Last recorded step of each run (its divergence step, or T)."""
        return np.where(self.diverged_at >= 0, self.diverged_at, self.steps)

    def converged_at(self, tol: float | None = None, mode: str | None = None) -> np.ndarray:
        cfg = self.config
        tol = cfg.tol if tol is None else tol
        mode = cfg.tol_mode if mode is None else mode
        opt = self.optimum if mode == "gap" else None
        return converged_at(self.loss, tol, opt)

    def history(self, max_points: int | None = None, runs: "list[int] | None" = None,
                params: bool = True) -> pd.DataFrame:
        """Tidy per-step table: run, label, step, loss, grad_norm, lr, samples_seen,
        diverged (True on the step a run diverged), [batch_loss], [test_loss], and one
        column per parameter when θ was recorded and
        there are at most 8 parameters (``params=False`` leaves them out).

        ``max_points`` thins long runs for display, keeping the first and last step and
        each run's divergence step. Rows after a run's divergence are dropped.
        """
        runs = list(range(self.n_runs)) if runs is None else list(runs)
        keep = [int(d) for d in self.diverged_at[runs] if d >= 0]
        steps = thin_steps(self.steps + 1, max_points, keep)
        lr_full = np.vstack([self.lr, self.lr[-1:]]) if self.lr.shape[0] else self.lr  # final row: n/a
        frames = []
        labels = self.labels
        with_params = params and self.params is not None and len(self.param_names) <= 8
        for i in runs:
            s = steps[steps <= self.last_step()[i]]
            d = {"run": i, "label": labels[i], "step": s, "loss": self.loss[s, i].astype(np.float64),
                 "grad_norm": self.grad_norm[s, i].astype(np.float64),
                 "lr": np.where(s < self.steps, lr_full[s, i], np.nan),
                 "samples_seen": self.samples_seen[s], "diverged": s == self.diverged_at[i]}
            if self.batch_loss is not None:
                d["batch_loss"] = self.batch_loss[s, i].astype(np.float64)
            if self.test_loss is not None:
                d["test_loss"] = self.test_loss[s, i].astype(np.float64)
            if with_params:
                for k, name in enumerate(self.param_names):
                    d[name] = self.params[s, i, k].astype(np.float64)
            frames.append(pd.DataFrame(d))
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """One row per run: settings, final/best loss, steps to converge, divergence, final θ."""
        conv = self.converged_at()
        last = self.last_step()
        rows = []
        for i, r in enumerate(self.runs):
            div = int(self.diverged_at[i])
            final = float(self.loss[self.steps, i]) if div < 0 else np.nan
            finite = self.loss[: last[i] + 1, i]
            finite = finite[np.isfinite(finite)]
            row = {"run": i, "label": r.name, "optimizer": r.optimizer.name, "lr": r.optimizer.lr,
                   "schedule": r.schedule.kind, "seed": r.seed,
                   "final_loss": final, "best_loss": float(finite.min()) if finite.size else np.nan,
                   "converged_at": int(conv[i]) if conv[i] >= 0 else pd.NA,
                   "diverged_at": div if div >= 0 else pd.NA}
            if self.test_loss is not None:
                row["final_test_loss"] = float(self.test_loss[self.steps, i]) if div < 0 else np.nan
            if len(self.param_names) <= 8:
                for k, name in enumerate(self.param_names):
                    row[name] = float(self.final_params[i, k]) if div < 0 else np.nan
            rows.append(row)
        df = pd.DataFrame(rows)
        for c in ("converged_at", "diverged_at"):
            df[c] = df[c].astype("Int64")
        return df

    def layer_history(self, max_points: int | None = None) -> pd.DataFrame:
        """Per-layer gradient norms: run, label, step, layer, grad_norm."""
        if self.layer_grad_norm is None:
            raise ValueError("Per-layer gradient norms were not recorded (TrainConfig.record_layer_grads).")
        steps = thin_steps(self.steps + 1, max_points, [int(d) for d in self.diverged_at if d >= 0])
        frames = []
        for i in range(self.n_runs):
            s = steps[steps <= self.last_step()[i]]
            for k, name in enumerate(self.layer_names):
                frames.append(pd.DataFrame({"run": i, "label": self.labels[i], "step": s, "layer": name,
                                            "grad_norm": self.layer_grad_norm[s, i, k].astype(np.float64)}))
        return pd.concat(frames, ignore_index=True)
