"""Bound the work of one request, so one learner cannot tie up a shared host.

The training loop's cost is roughly steps × (a fixed per-step overhead + work
proportional to runs × parameters × examples). ``fit_budget`` keeps the number of runs
and cuts the steps (then, if needed, the runs) until the estimate fits, and says what
it changed so the page can tell the learner.

Example::

    >>> runs, steps, notes = fit_budget(runs=10, steps=10**12, n_params=2, n_examples=4)
    >>> runs, steps, len(notes)         # steps capped at MAX_STEPS, then cut to ~4 s of work
    (10, 9996, 2)
"""
from __future__ import annotations

import math

__all__ = ["fit_budget", "estimate_seconds", "MAX_STEPS", "MAX_RUNS", "MAX_SECONDS"]

MAX_STEPS = 20_000      # per request
MAX_RUNS = 500          # runs trained together
MAX_SECONDS = 4.0       # estimated compute per request (one core)
_PER_STEP = 4e-4        # seconds of op overhead per step (measured: ~0.3–1 ms)
_PER_MAC = 2e-9         # seconds per run·parameter·example per step (forward + backward)


def estimate_seconds(runs: int, steps: int, n_params: int, n_examples: int, n_layers: int = 1) -> float:
    """Estimated single-core seconds. The fixed per-step cost grows with the number of
    layers (each adds its matmul, activation and their backward ops: measured, a
    13-layer network's step costs ~4x a 1-layer one)."""
    overhead = _PER_STEP * (1 + 0.25 * (max(n_layers, 1) - 1))
    return steps * (overhead + _PER_MAC * runs * max(n_params, 1) * max(n_examples, 1))


def fit_budget(runs: int, steps: int, n_params: int, n_examples: int = 1,
               max_seconds: float = MAX_SECONDS, n_layers: int = 1) -> tuple[int, int, list[str]]:
    """(runs, steps, notes) within the limits; notes say what was reduced and why."""
    notes = []
    runs, steps = int(runs), int(steps)
    if runs > MAX_RUNS:
        notes.append(f"{runs} runs is more than one request may train; using {MAX_RUNS}.")
        runs = MAX_RUNS
    if steps > MAX_STEPS:
        notes.append(f"{steps} steps is more than one request may train; using {MAX_STEPS}.")
        steps = MAX_STEPS
    if estimate_seconds(runs, steps, n_params, n_examples, n_layers) > max_seconds:
        per_step = estimate_seconds(runs, 1, n_params, n_examples, n_layers)
        new_steps = max(1, int(max_seconds / per_step))
        if new_steps >= 50 or runs == 1:
            notes.append(f"To keep the lab fast for everyone, training stops after {new_steps} steps "
                         f"(asked for {steps}).")
            steps = new_steps
        else:
            new_runs = max(1, int(runs * math.sqrt(new_steps / 50)))
            steps = max(1, int(max_seconds / estimate_seconds(new_runs, 1, n_params, n_examples, n_layers)))
            notes.append(f"To keep the lab fast for everyone, this trains {new_runs} runs for {steps} steps "
                         f"(asked for {runs} runs × the steps requested).")
            runs = new_runs
    return runs, steps, notes
