"""The sweep's settings, in the page above what they change (on a phone the sidebar is
closed, so settings there were out of sight): problem, optimizer, rate range, steps and
convergence test, the rest under "More settings", and a reset to the defaults."""
from __future__ import annotations

import streamlit as st

from ui.compute.lr_sweep import SweepRequest, problem_title
from ui.layout import reset_button
from ui.text import lr_sweep as text


def sweep_settings(state) -> SweepRequest:
    """The sweep's widgets; the validated settings they hold."""
    with st.container(border=True, key="lr-settings"):
        head, reset = st.columns([3, 1], vertical_alignment="center")
        head.markdown("**Sweep settings**")
        # Every setting but the open tab and the lesson: a reset keeps the learner where they are.
        keys = [p.key for p in state.params if p.key not in ("tab", "lesson", "lp", "lt")]
        with reset:
            reset_button(state, keys=keys, key="lr-reset", width="stretch",
                         help="Every setting of this page back to where the lab starts (the link too); "
                              "the open tab stays open.")
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            problem = state.selectbox("problem", "Problem", format_func=problem_title)
        with c2:
            opt = state.selectbox("opt", "Optimizer", help=text.OPT_HELP)
        with c3:
            lo = state.select_slider("lo", "Smallest learning rate", format_func=text.rate_label)
        with c4:
            hi = state.select_slider("hi", "Largest learning rate", format_func=text.rate_label)
        c5, c6, c7, c8 = st.columns(4)
        with c5:
            n_rates = state.slider("n", "Number of rates (log-spaced)", step=1)
        with c6:
            steps = state.select_slider("steps", "Maximum steps per run")
        with c7:
            tol = state.select_slider("tol", "Convergence tolerance", format_func=lambda v: f"{v:g}")
        with c8:
            mode = state.radio("mode", "Converged when", format_func=lambda m: text.MODES[m], horizontal=True,
                               help=text.MODE_HELP)
        with st.expander("More settings", icon=":material/tune:"):
            m1, m2, m3 = st.columns(3)
            with m1:
                seed = state.number_input("seed", "Seed (initial weights, batch order)", step=1)
            with m2:
                batch = state.number_input("batch", "Mini-batch size (0 = full batch)", step=1, help=text.BATCH_HELP)
            with m3:
                dtype = state.radio("dtype", "Precision", horizontal=True)
    return SweepRequest(problem, opt, lo, hi, n_rates, steps, tol, mode, seed, batch, dtype)
