"""Tab: too small, good, too large — the loss over time of a few rates of the sweep.

The curves picker and the exported curve change only this tab, so it runs as a
fragment: picking rates reruns this tab, not the sweep page."""
from __future__ import annotations

import streamlit as st

from dlcore import RunSpec
from dlcore.sweep_study import snap_rates
from ui.charts import sweep as charts
from ui.charts.render import chart
from ui.sections import fragment
import ui.compute.lr_sweep as sweep
from ui.text import lr_sweep as text

from . import export
from .overview import hidden


def curves_tab(state, s: sweep.SweepStudy, panel, checked=None) -> None:
    st.header("Too small, good, too large — the loss over time")
    if hidden(panel):
        st.info("The loss curves appear once you have answered the lesson's question.",
                icon=":material/visibility_off:")
        return
    snapped, moved = snap_rates(state["curves"], s.view["lr"])
    for v, used in moved:
        state.note(f"rates to plot: {v:g} was not swept; using the nearest swept rate {used:.4g}.")
    if snapped != list(state["curves"]):
        state.set("curves", snapped)
    fragment(state, "curves", "code_run")(picked_curves)(state, s)


def picked_curves(state, s: sweep.SweepStudy) -> None:
    """The curves of the picked rates, their table and the exported curve's code."""
    picked = state.multiselect("curves", "Rates to plot (empty = picked automatically)",
                               options=list(s.view["lr"].to_numpy(dtype=float)), format_func=text.rate_label,
                               max_selections=6, placeholder="automatic: too small · good · too large")
    c = sweep.curves(s, picked)
    chart(charts.role_curves_chart, c.history, c.y, c.y_title, c.roles)
    st.dataframe(text.curve_rows(c.chosen, c.rows, s.table), hide_index=True, width="stretch")
    if not picked:
        st.markdown(text.role_bullets(c.chosen, c.rows, s.table, s.edges["fastest"], s.plan.steps,
                                      s.plan.optimizer.display))
    st.caption(text.CURVES_CAPTION)
    names = text.curve_names(c.chosen, c.rows)
    if state["code_run"] > len(c.chosen) - 1:
        state.set("code_run", len(c.chosen) - 1)
    k = state.radio("code_run", "Show the code for", options=list(range(len(c.chosen))),
                    format_func=lambda j: names[c.rows[j]], horizontal=True)
    k = min(k, len(c.chosen) - 1)
    export(s.plan.problem, RunSpec(s.plan.optimizer.with_lr(c.chosen[k][1]), seed=s.plan.seed), s.plan.config,
           "lr_curve.py")
