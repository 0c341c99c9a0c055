"""Cached calls into dlcore, shared by every page.

Each call is an ``st.cache_data`` function bounded with ``max_entries`` (and a TTL, so
memory stops growing on a long-running host). Arguments are dlcore's frozen dataclasses,
which Streamlit hashes by value. The training itself goes through :func:`offload`: to a
worker process when the server has them (ui/workers.py), else into this thread under
:func:`gated`. Long computations show a progress bar once they take more than a moment;
each update is a Streamlit call, which is where Streamlit can stop an outdated run when
the learner changes a setting (the half-finished result is not cached, and a worker's job
is cancelled).
"""
from __future__ import annotations

import gc
import importlib
import inspect
import threading
import time
from contextlib import contextmanager

import streamlit as st
import torch

import dlcore
from ui import workers
from ui.gate import QUANTUM, FairGate, effective_cpus  # noqa: F401 - QUANTUM is patched in tests
from dlcore.lines import loss_grid

# Many small jobs from many sessions: one intra-op thread each avoids oversubscribing
# the host's cores (and is faster for these tiny tensors anyway).
torch.set_num_threads(1)

TTL = 3600


# Streamlit runs a full garbage collection (gc.collect(2)) after every script run, under
# the GIL. With torch, pandas, Altair and scikit-learn loaded that walks ~300k long-lived
# objects: measured 0.16 s per rerun — a third of the server's CPU per request under load.
# Those objects (modules, classes, schema tables) live as long as the process, so they are
# moved once into the collector's permanent generation (gc.freeze); the per-run collection
# then only walks what the run created. Results, sessions and caches are created later and
# are still collected as usual.
_HEAVY_MODULES = ("pandas", "numpy", "altair", "altair.vegalite.v6.schema.channels",
                  "sklearn.metrics", "dlcore", "ui.charts.render", "ui.layout", "ui.params")
_frozen = False
_frozen_lock = threading.Lock()


def freeze_long_lived_objects() -> int:
    """Import the libraries every page uses and freeze what exists; once per process.
    Returns how many objects were frozen (0 if already done)."""
    global _frozen
    with _frozen_lock:
        if _frozen:
            return 0
        for name in _HEAVY_MODULES:
            importlib.import_module(name)
        gc.collect()
        gc.freeze()
        _frozen = True
        return gc.get_freeze_count()


# Training loops run a few thousand tiny torch ops each, and each op releases and retakes
# the GIL. Sessions are threads of one process, so ten loops at once spend much of their
# time handing the GIL around: measured, ten 0.45 s jobs all finished after 8.4 s. Letting
# one loop per core run at a time finishes them all in 4.1 s, half of them by 2.4 s.
# (This is the path without worker processes; see offload.)
_SLOTS = max(1, min(effective_cpus(), 4))


_GATE = FairGate(_SLOTS)
_held = threading.local()     # re-entrant per thread: nested heavy calls must not deadlock


class _Progress:
    """A progress callback that draws a bar only after `delay` seconds. Each update is a
    Streamlit call, which is where Streamlit stops a run that a newer one replaced."""

    def __init__(self, text: str, delay: float = 0.3):
        self.t0, self.text, self.delay = time.monotonic(), text, delay
        self.bar, self.last = None, 0.0

    def __call__(self, frac: float, text: str | None = None) -> None:
        now = time.monotonic()
        if now - self.t0 < self.delay:
            return
        if self.bar is None:
            self.bar = st.progress(0.0, text=text or self.text)
        if now - self.last > 0.1:
            self.bar.progress(min(max(frac, 0.0), 1.0), text=text or self.text)
            self.last = now

    def done(self):
        if self.bar is not None:
            self.bar.empty()


@contextmanager
def gated(text: str = "Training…"):
    """Run heavy work with at most one loop per CPU core at a time; yields the progress
    callback. While waiting for a slot the bar says so, and keeps yielding to Streamlit,
    so a learner who changes a setting meanwhile is not stuck behind the old request.
    Each progress call after QUANTUM seconds of running hands the slot to the longest
    waiter (if any) and waits for the next turn."""
    p = _Progress(text)
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield p
        finally:
            _held.depth -= 1
            p.done()
        return
    ticket = _GATE.enter()
    turn = [0.0]

    def wait_turn(frac: float) -> None:
        while not _GATE.wait(ticket, timeout=0.1):
            # A Streamlit call: where a run replaced by a newer one stops (and leaves the queue).
            p(frac, WAITING)
        turn[0] = time.monotonic()

    def progress(frac: float, text: str | None = None) -> None:
        p(frac, text)
        if time.monotonic() - turn[0] > QUANTUM and _GATE.requeue(ticket):
            wait_turn(frac)

    try:
        wait_turn(0.0)
        _held.depth = 1
        yield progress
    finally:
        _held.depth = 0
        _GATE.leave(ticket)
        p.done()


WAITING = "Waiting for a free moment on the server — other learners are training…"


def start_workers() -> None:
    """Start the training worker processes in the background (once per server; how many
    comes from GDL_WORKERS, see ui/workers.py). Until they are up, work runs in-process."""
    workers.start()


def offload(fn, *args, text: str = "Training…", **kwargs):
    """``fn(*args, **kwargs)`` — a module-level dlcore function — with ``progress=`` when
    ``fn`` takes one. On a worker process when the pool is up (so sessions' training uses
    every core), else in this thread under ``gated``. A bar shows progress once the work
    takes a moment; when Streamlit stops this run because the learner changed a setting,
    the bar's update raises here and the worker's job is cancelled."""
    wants = "progress" in inspect.signature(fn).parameters
    pool = None if getattr(_held, "depth", 0) else workers.pool()
    if pool is not None:
        # A worker that died is replaced and the call tried once more; if that worker
        # dies too, the call runs in this thread below.
        for _ in range(2):
            p = _Progress(text)
            job = pool.submit(fn, args, kwargs, wants)
            try:
                while not job.wait(0.1):
                    p(job.frac, job.text if job.started else WAITING)
            except BaseException:
                job.cancel()
                raise
            finally:
                p.done()
            try:
                return job.outcome()
            except workers.WorkerLost:
                continue
    with gated(text) as p:
        return fn(*args, progress=p, **kwargs) if wants else fn(*args, **kwargs)


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def train(problem, runs: tuple, config: dlcore.TrainConfig) -> dlcore.TrainResult:
    return offload(dlcore.train, problem, runs, config, text="Training…")


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def grid(problem, window: tuple, n: int = 50, dtype: str = "float64"):
    return loss_grid(problem, window, n=n, dtype=dtype)


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def script(problem, run, config) -> str:
    from dlcore.codegen import export_script
    return export_script(problem, run, config)
