"""Cached calls into dlcore, shared by every page.

Each call is an ``st.cache_data`` function bounded with ``max_entries`` (and a TTL, so
memory stops growing on a long-running host). Arguments are dlcore's frozen dataclasses,
which Streamlit hashes by value. Long computations show a progress bar once they take
more than a moment; each update is a Streamlit call, which is where Streamlit can stop
an outdated run when the learner changes a setting (the half-finished result is not
cached).
"""
from __future__ import annotations

import time

import streamlit as st
import torch

import dlcore
from dlcore.lines import loss_grid
from dlcore.sweep import lr_range_test, lr_sweep

# Many small jobs from many sessions: one intra-op thread each avoids oversubscribing
# the host's cores (and is faster for these tiny tensors anyway).
torch.set_num_threads(1)

TTL = 3600


class _Progress:
    """A progress callback that draws a bar only after `delay` seconds."""

    def __init__(self, text: str, delay: float = 0.3):
        self.t0, self.text, self.delay = time.monotonic(), text, delay
        self.bar, self.last = None, 0.0

    def __call__(self, frac: float) -> None:
        now = time.monotonic()
        if now - self.t0 < self.delay:
            return
        if self.bar is None:
            self.bar = st.progress(0.0, text=self.text)
        if now - self.last > 0.1:
            self.bar.progress(min(max(frac, 0.0), 1.0), text=self.text)
            self.last = now

    def done(self):
        if self.bar is not None:
            self.bar.empty()


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def train(problem, runs: tuple, config: dlcore.TrainConfig) -> dlcore.TrainResult:
    p = _Progress("Training…")
    try:
        return dlcore.train(problem, runs, config, progress=p)
    finally:
        p.done()


@st.cache_data(max_entries=24, ttl=TTL, show_spinner=False)
def sweep(problem, optimizer, lrs: tuple, steps: int, tol: float, tol_mode: str, seed: int,
          schedule, batch_size, dtype: str):
    p = _Progress("Sweeping learning rates…")
    try:
        return lr_sweep(problem, optimizer, lrs, steps=steps, tol=tol, tol_mode=tol_mode, seed=seed,
                        schedule=schedule, batch_size=batch_size, dtype=dtype, progress=p)
    finally:
        p.done()


@st.cache_data(max_entries=24, ttl=TTL, show_spinner=False)
def range_test(problem, optimizer, start_lr: float, end_lr: float, num_iter: int, seed: int,
               batch_size, dtype: str):
    return lr_range_test(problem, optimizer, start_lr=start_lr, end_lr=end_lr, num_iter=num_iter, seed=seed,
                         batch_size=batch_size, dtype=dtype)


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def grid(problem, window: tuple, n: int = 50, dtype: str = "float64"):
    return loss_grid(problem, window, n=n, dtype=dtype)


@st.cache_data(max_entries=48, ttl=TTL, show_spinner=False)
def script(problem, run, config) -> str:
    from dlcore.codegen import export_script
    return export_script(problem, run, config)
