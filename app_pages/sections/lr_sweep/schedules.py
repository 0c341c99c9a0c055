"""Tab: learning-rate schedules side by side, from the sweep's best rate."""
from __future__ import annotations

import streamlit as st

from dlcore.lr_study import schedule_specs
from ui.charts.core import loss_chart
from ui.charts.render import chart
import ui.compute.lr_sweep as sweep
from ui.layout import friendly_errors
from ui.text import lr_sweep as text

from . import export

KINDS = tuple(schedule_specs(3))   # the order of schedule_runs


def schedules_tab(state, s: sweep.SweepStudy, panel=None, checked=None) -> None:
    st.header("Learning-rate schedules side by side")
    st.markdown(text.SCHEDULES_INTRO)
    auto = sweep.auto_rate(s)
    slr = state.select_slider("slr", "Base (peak) learning rate",
                              format_func=text.auto_rate_label(s.edges["fastest"], auto))
    with friendly_errors("these schedules"):
        sc = sweep.schedules(s, auto if slr == 0 else slr)
    s1, s2 = st.columns(2, gap="medium")
    with s1:
        st.subheader("The rate at every step")
        chart(loss_chart, sc.rates, y="lr", color="label", legend_title="schedule", y_title="learning rate η",
              x_title="step", height=340)
    with s2:
        st.subheader("The loss it gives")
        chart(loss_chart, sc.history, y=sc.y, log=True, color="label", legend_title="schedule", y_title=sc.y_title,
              x_title="step", height=340)
    st.dataframe(text.schedule_table(KINDS, sc.outcome), hide_index=True, width="stretch")
    st.markdown(text.SCHEDULE_LIST)
    st.markdown(text.schedule_facts(KINDS, sc.outcome, s.plan.optimizer.display, sc.base))
    st.caption(text.SCHEDULES_WHY)
    with st.expander("Detail: why one-cycle keeps the momentum fixed here", icon=":material/info:"):
        st.markdown(text.ONECYCLE_NOTE)
    kind = state.radio("code_sched", "Show the code for", horizontal=True)
    export(s.plan.problem, sc.runs[KINDS.index(kind)], s.plan.config, f"lr_schedule_{kind}.py")
