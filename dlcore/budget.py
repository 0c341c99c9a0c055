"""Bound the work of one request, so one learner cannot tie up a shared host.

A learner who drags every slider to the right (300 rates × 20,000 steps, 500 restarts ×
3000 steps, 200 seeds of a 12-layer network, …) should still get an answer within a few
seconds (issue 12: any single link settles within 3 s on a 2-core machine). The page
itself — charts, tables, the rerun — takes up to about a second; training gets the rest.

``fit_budget`` keeps the number of runs and cuts the steps (then, if needed, the runs)
until the estimated training time fits ``max_seconds``, and says what it changed so the
page can tell the learner.

The estimate (:func:`estimate_seconds`) is per step of one batched training call:

* a fixed cost per call (the Python loop and the kernels' launch overhead), growing with
  each further layer of a network (its matmul, activation and their backward ops) and
  with each further optimizer kind trained in the same call (its own group of update
  ops);
* per run and parameter (the update and the gradient buffers);
* per run, example and √parameters (the activations: an MLP with P parameters has about
  2√P units);
* per run, parameter and example (the matmuls);
* per run twice as much in float64.

A page that makes several training calls of the same size for one request (three
optimizers trained one after the other, say) passes ``calls``. The constants were fitted
on single-threaded CPU time on the project's 2-core machine (bench/max_links.py and
bench/README.md; within ±25 % over lines, surfaces, the purchase models and the
sum-of-three network from 1 to 13 layers, 1 to 500 runs), then raised by a quarter for
what the pages record on top (histories, optimizer state) — the per-parameter cost by
three quarters, for the memory-bound case of tens of runs of a 12 × 64 network.

Example::

    >>> runs, steps, notes = fit_budget(runs=10, steps=10**12, n_params=2, n_examples=4)
    >>> runs, steps, len(notes)         # steps capped at MAX_STEPS, then cut to ~1.5 s of work
    (10, 5944, 2)
"""
from __future__ import annotations

import math

__all__ = ["fit_budget", "estimate_seconds", "MAX_STEPS", "MAX_RUNS", "MAX_SECONDS"]

MAX_STEPS = 20_000      # per request
MAX_RUNS = 500          # runs trained together
MAX_SECONDS = 1.5       # estimated training per budgeted call (one core); the page adds up to ~1 s
_PER_STEP = 2.5e-4      # s per step of one call (loop, launches): measured 0.22-0.30 ms
_PER_LAYER = 9e-5       # s per step for each further layer: measured ~0.07 ms
_PER_KIND = 1.1e-4      # s per step for each further optimizer kind in the same call: measured ~0.09 ms
_PER_PARAM = 6e-8       # s per run·parameter per step (update, gradient buffers; memory-bound once the
                        # runs' parameters outgrow the cache: 49 runs of a 12 × 64 network, 2.3M numbers)
_PER_ACTIVATION = 2e-8  # s per run·example·√parameter per step (activations)
_PER_MAC = 2e-11        # s per run·parameter·example per step (matmuls, forward + backward)
_FLOAT64 = 2.0          # float64 costs about twice per run (measured 1.3-3.2x on the large requests)


def estimate_seconds(runs: int, steps: int, n_params: int, n_examples: int, n_layers: int = 1,
                     kinds: int = 1, calls: int = 1, dtype: str = "float32") -> float:
    """Estimated single-core seconds to train ``runs`` runs for ``steps`` steps, in
    ``calls`` training calls of that size, each batching ``kinds`` optimizer kinds, on a
    model of ``n_params`` parameters in ``n_layers`` layers evaluated on ``n_examples``
    examples per step, in ``dtype``.

    >>> one = estimate_seconds(1, 1000, 21, 9, n_layers=2)
    >>> estimate_seconds(1, 1000, 21, 9, n_layers=13) > 3 * one      # a deep network's step
    True
    >>> math.isclose(estimate_seconds(1, 1000, 21, 9, n_layers=2, calls=3), 3 * one)
    True
    """
    p, n = max(int(n_params), 1), max(int(n_examples), 1)
    fixed = _PER_STEP + _PER_LAYER * (max(int(n_layers), 1) - 1) + _PER_KIND * (max(int(kinds), 1) - 1)
    per_run = _PER_PARAM * p + _PER_ACTIVATION * n * math.sqrt(p) + _PER_MAC * p * n
    if dtype == "float64":
        per_run *= _FLOAT64
    return max(int(calls), 1) * steps * (fixed + runs * per_run)


def fit_budget(runs: int, steps: int, n_params: int, n_examples: int = 1,
               max_seconds: float = MAX_SECONDS, n_layers: int = 1, kinds: int = 1,
               calls: int = 1, dtype: str = "float32") -> tuple[int, int, list[str]]:
    """(runs, steps, notes) within the limits; notes say what was reduced and why.

    ``n_layers``: layers of the network (each adds per-step overhead); ``kinds``: optimizer
    kinds trained together in one call; ``calls``: training calls of this size the request
    makes (the budget covers all of them); ``dtype``: the training precision."""
    notes = []
    runs, steps = int(runs), int(steps)

    def est(r, s):
        return estimate_seconds(r, s, n_params, n_examples, n_layers, kinds, calls, dtype)

    if runs > MAX_RUNS:
        notes.append(f"{runs} runs is more than one request may train; using {MAX_RUNS}.")
        runs = MAX_RUNS
    if steps > MAX_STEPS:
        notes.append(f"{steps} steps is more than one request may train; using {MAX_STEPS}.")
        steps = MAX_STEPS
    if est(runs, steps) > max_seconds:
        new_steps = max(1, int(max_seconds / est(runs, 1)))
        if new_steps >= 50 or runs == 1:
            notes.append(f"To keep the lab fast for everyone, training stops after {new_steps} steps "
                         f"(asked for {steps}).")
            steps = new_steps
        else:
            new_runs = max(1, int(runs * math.sqrt(new_steps / 50)))
            # Fewer runs leave room for more steps, but never more than were asked for.
            new_steps = min(steps, max(1, int(max_seconds / est(new_runs, 1))))
            notes.append(f"To keep the lab fast for everyone, this trains {new_runs} runs for {new_steps} steps "
                         f"(asked for {runs} runs × {steps} steps).")
            steps = new_steps
            runs = new_runs
    return runs, steps, notes
