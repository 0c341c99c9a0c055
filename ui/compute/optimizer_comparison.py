"""Cached calls of the Optimizer comparison page: the race (with a fair race's two-pass tuning
first), the optimizer's recorded state, the three batch-size runs and the random restarts.

Each returns a frozen dataclass holding what the sections draw; the training goes through
``ui.compute.offload`` (a worker process, or this thread under the compute gate) and every
cache is bounded like the shared ones in ``ui.compute``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.comparison import (FairRace, basins, cover_paths, fair_race, known_minima, loss_ups, race_table,
                               restart_summary, start_points, RestartSummary)
from dlcore.metrics import evaluate_classifier
from dlcore.optstate import trace_state
from ui.compute import TTL, grid, offload, script, train

__all__ = ["Race", "race", "fair_tuning", "trace", "BatchComparison", "batch_comparison", "Restarts", "restarts",
           "grid", "script"]


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def fair_tuning(problem, specs: tuple, lrs: tuple, config: dlcore.TrainConfig, seed: int) -> FairRace:
    """Every optimizer at every rate of ``lrs``, then a finer pass around every rate that converged."""
    return offload(fair_race, problem, specs, lrs, replace(config, record_params=False), seed=seed,
                   text="Tuning the learning rates…")


@dataclass(frozen=True)
class Race:
    """A race's runs and what the sections show of them. ``table`` is
    :func:`dlcore.comparison.race_table` (one row per optimizer, in ``labels`` order)."""

    result: dlcore.TrainResult
    labels: tuple[str, ...]
    rates: tuple[float, ...]
    table: pd.DataFrame
    history: pd.DataFrame
    window: tuple | None          # the map's view (grown to hold a line fit's paths)
    minima: tuple
    negative: bool                # some loss is below zero (or the saddle): no log axis

    @property
    def rate(self) -> dict[str, float]:
        return dict(zip(self.labels, self.rates))


def race(setup, runs: tuple, config: dlcore.TrainConfig) -> Race:
    """Train the race (cached in ``ui.compute.train``) and arrange it for the sections."""
    res = train(setup.problem, runs, config)
    rt = race_table(res, setup.problem)
    hist = res.history(max_points=1000 if setup.two_d else 600)
    window = setup.window
    if setup.two_d and setup.axes[0] != "x":          # a line fit: its paths may leave the view
        window = cover_paths(window, hist[setup.axes[0]], hist[setup.axes[1]])
    negative = bool((rt["best_loss"].dropna() < 0).any()) or getattr(setup.problem, "name", "") == "saddle"
    return Race(res, tuple(r.label for r in runs), tuple(r.optimizer.lr for r in runs), rt, hist, window,
                known_minima(setup.problem), negative)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def trace(problem, run, config):
    """The optimizer's state after every update (dlcore.optstate.trace_state)."""
    return offload(trace_state, problem, run, replace(config, record_params=None))


@dataclass(frozen=True)
class BatchComparison:
    """Batch, mini-batch and stochastic runs on the purchase data: ``history`` (one line per
    method, with ``epochs``), ``rows`` (one per method: examples per update, samples seen,
    epochs, train/test loss, test accuracy, share of updates after which the loss went up)."""

    history: pd.DataFrame
    rows: pd.DataFrame
    n_train: int


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def batch_comparison(problem, spec, seed: int, steps: int, mid: int) -> BatchComparison:
    # Three training calls: the batch size is a setting of a whole call (TrainConfig), not of a run.
    # They share the seed, so the initial weights and the shuffling generator match.
    n = problem.n_train_max
    frames, rows = [], []
    for name, bs in ((f"batch (all {n})", None), (f"mini-batch ({mid})", mid), ("stochastic (1)", 1)):
        run = dlcore.RunSpec(spec, seed=seed, label=name)
        res = train(problem, (run,), dlcore.TrainConfig(steps=steps, batch_size=bs, dtype="float32",
                                                        record_params=False))
        h = res.history(max_points=800)
        frames.append(h.assign(epochs=h["samples_seen"] / n))
        metrics, _ = evaluate_classifier(problem, np.array(res.final_params[0]), dtype="float32")
        ok = res.diverged_at[0] < 0
        rows.append({"method": name, "examples per update": n if bs is None else bs,
                     "samples seen": int(res.samples_seen[-1]), "epochs": res.samples_seen[-1] / n,
                     "train loss": float(res.loss[-1, 0]) if ok else float("nan"),
                     "test loss": float(res.test_loss[-1, 0]) if ok else float("nan"),
                     "test accuracy": float(metrics.loc["test", "accuracy"]) if ok else float("nan"),
                     "loss went up": loss_ups(res.loss[:, 0])})
    hist = pd.concat(frames, ignore_index=True)
    return BatchComparison(hist.assign(run=hist["label"]), pd.DataFrame(rows), n)


@dataclass(frozen=True)
class Restarts:
    """Random restarts: ``ends`` (per run: start, end, the minimum reached or "elsewhere" /
    "diverged" in ``reached``, final loss), ``paths`` (or None), the counts, and the map grid."""

    ends: pd.DataFrame
    paths: pd.DataFrame | None
    summary: RestartSummary
    names: tuple[str, ...]
    grid: pd.DataFrame
    first_run: dlcore.RunSpec


def minimum_name(point) -> str:
    return f"({point[0]:.3g}, {point[1]:.3g})"


MAX_PATHS = 60       # paths drawn on the restarts map; every start still counts


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def restarts(surface: str, spec, n: int, layout: str, seed: int, steps: int, with_paths: bool) -> Restarts:
    problem = dlcore.SurfaceProblem(surface)
    d = problem.definition
    runs = tuple(dlcore.RunSpec(spec, start=s, label=f"start {i}")
                 for i, s in enumerate(start_points(d.window, n, layout, seed)))
    # Only the end points are needed for the counts: recording every step of 500 runs was
    # 36 MB to pickle back from the worker. The drawn paths are a second, small batch.
    res = train(problem, runs, dlcore.TrainConfig(steps=steps, dtype="float64", record_params=False))
    b = basins(res, problem, radius=0.1)
    names = tuple(minimum_name(m) for m in d.minima)
    reached = np.where(b["minimum"] >= 0, [names[i] if i >= 0 else "" for i in b["minimum"]],
                       np.where(np.isfinite(b["end_x"]), "elsewhere", "diverged"))
    ends = b.assign(reached=reached, final_loss=np.where(res.diverged_at >= 0, np.nan, res.loss[-1]))
    paths = None
    if with_paths:      # the first MAX_PATHS runs (surfaces are elementwise: the same numbers alone)
        shown = train(problem, runs[:MAX_PATHS], dlcore.TrainConfig(steps=steps, dtype="float64", record_params=True))
        paths = shown.history(max_points=30).merge(ends[["run", "reached"]], on="run")
    return Restarts(ends, paths, restart_summary(b, problem), names, grid(problem, d.window, 50), runs[0])
