"""The sweep's settings: problem, optimizer, rate range, steps and convergence test."""
from __future__ import annotations

import streamlit as st

from ui.compute.lr_sweep import SweepRequest, problem_title
from ui.text import lr_sweep as text


def sweep_settings(state) -> SweepRequest:
    """The sweep's widgets; the validated settings they hold."""
    st.subheader("Sweep")
    problem = state.selectbox("problem", "Problem", format_func=problem_title)
    opt = state.selectbox("opt", "Optimizer", help=text.OPT_HELP)
    lo = state.select_slider("lo", "Smallest learning rate", format_func=text.rate_label)
    hi = state.select_slider("hi", "Largest learning rate", format_func=text.rate_label)
    n_rates = state.slider("n", "Number of rates (log-spaced)", step=1)
    steps = state.select_slider("steps", "Maximum steps per run")
    tol = state.select_slider("tol", "Convergence tolerance", format_func=lambda v: f"{v:g}")
    mode = state.radio("mode", "Converged when", format_func=lambda m: text.MODES[m], horizontal=True,
                       help=text.MODE_HELP)
    with st.expander("More settings", icon=":material/tune:"):
        seed = state.number_input("seed", "Seed (initial weights, batch order)", step=1)
        batch = state.number_input("batch", "Mini-batch size (0 = full batch)", step=1, help=text.BATCH_HELP)
        dtype = state.radio("dtype", "Precision", horizontal=True)
    return SweepRequest(problem, opt, lo, hi, n_rates, steps, tol, mode, seed, batch, dtype)
