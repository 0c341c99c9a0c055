"""The random-restarts tab: many start points at once on a surface with several minima; each
start coloured by the minimum its run reached, and how many found the global minimum."""
from __future__ import annotations

import math

import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.problems.surfaces import surface_def
from ui import glossary
from ui.charts import optimizers as oc
from ui.charts.render import chart
from ui.compute import optimizer_comparison as compute
from ui.format import number_columns
from ui.layout import code, note_box, table
from ui.sources import cite
from ui.text.optimizer_comparison import lr_text, restart_counts, restart_verdict

from .row import widget_row


def restart_settings(state) -> list:
    first = widget_row(
        [1.2, 1, 1.3, 1.2, 1.2],
        lambda: state.selectbox("r_surface", "Surface", format_func=lambda s: surface_def(s).title),
        lambda: state.selectbox("r_opt", "Optimizer"),
        lambda: state.select_slider("r_lr", "Learning rate", format_func=lr_text),
        lambda: state.slider("r_n", "Start points", step=1),
        lambda: state.slider("r_steps", "Steps", step=10),
        gap="medium")
    second = widget_row(
        [1, 1, 3],
        lambda: state.radio("r_layout", "Start points on", horizontal=True,
                            format_func={"random": "random", "grid": "a grid"}.get),
        lambda: state.number_input("r_seed", "Seed", step=1, disabled=state["r_layout"] == "grid"),
        lambda: state.toggle("r_paths", "Show the paths"),
        vertical_alignment="center")
    return [*first, *second]


def restarts_tab(state, panel):
    """The tab; returns (surface, counts) for the lesson."""
    st.markdown(f"{cite('002')}: gradient descent *\"may converge to a local minimum instead of the global minimum … "
                "random initialization and multiple restarts can be used\"*. Here many start points run at once "
                "(one batched call); each dot is a start, coloured by the minimum its run reached. Pick **Uneven "
                "wells** (four minima of different depths) to see " + glossary.link("local-minimum", "local minima") + " that "
                "are worse than the global one, and the " + glossary.link("saddle", "saddle points") + " between.")
    surface, label, lr, n, steps_wanted, layout, seed, show_paths = restart_settings(state)
    d = surface_def(surface)
    runs_n, steps, notes = fit_budget(n, steps_wanted, 2, 1)
    note_box(notes)
    out = compute.restarts(surface, dlcore.preset(label, lr=lr), runs_n, layout, seed, steps, show_paths)
    if panel.hides("minima_reached") or panel.hides("found_global"):
        st.info("Make your prediction in the lesson panel above first: the restarts are shown once you have "
                "submitted it.", icon=":material/visibility_off:")
        return out.summary
    left, right = st.columns([1.35, 1], gap="medium")
    with left:
        chart(oc.restarts_chart, out.grid, d.window, d.log_color, out.ends, d.minima, out.names, out.paths,
              saddles=d.saddles)
        if d.saddles:
            st.caption("◆ minima (coloured like the starts that reached them) · □ saddle points")
        if show_paths and runs_n > compute.MAX_PATHS:
            st.caption(f"Paths are drawn for the first {compute.MAX_PATHS} starts; all {runs_n} are counted.")
    with right:
        counts = restart_counts(out.summary, out.names)
        table(counts, "restarts.csv", column_config=number_columns(counts, share=st.column_config.NumberColumn(
            format="percent")))
        st.markdown(restart_verdict(out.summary, surface))
        k = math.isqrt(runs_n)
        where = (f"{runs_n} random starts drawn uniformly with seed {seed}" if layout == "random"
                 else f"{k} × {k} = {k * k} starts on a grid")
        st.caption(f"A run counts as having reached a minimum when it ends within 0.1 of it after {steps} steps; "
                   f"{where} over [{d.window[0]:g}, {d.window[1]:g}] × [{d.window[2]:g}, {d.window[3]:g}]; "
                   f"{label} at η = {lr:g}; float64.")
    code(compute.script(dlcore.SurfaceProblem(surface), out.first_run, dlcore.TrainConfig(steps=steps,
                                                                                          dtype="float64")),
         "restart_0.py", label="Show the code (the first start point)")
    return out.summary
