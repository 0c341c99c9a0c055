"""Tab: fastai's learning-rate range test, and a check of its suggestion by training."""
from __future__ import annotations

import math

import streamlit as st

from ui.charts import sweep as charts
from ui.charts.core import loss_chart
from ui.charts.render import chart
import ui.compute.lr_sweep as sweep
from ui.format import number_columns
from ui.layout import friendly_errors, note_box, table
from ui.text import lr_sweep as text

from . import export


def range_settings(state, seed: int, dtype: str) -> tuple[sweep.RangeRequest, str]:
    """The range test's widgets: (the test to run, the suggestion to verify)."""
    r1, r2, r3 = st.columns(3)
    with r1:
        key = state.radio("rt_problem", "Network", format_func=sweep.short_title)
        opt = state.selectbox("rt_opt", "Optimizer", help="fastai runs lr_find with the optimizer "
                              "you will train with — Adam by default.")
        rule = state.radio("rt_rule", "Suggestion to verify", horizontal=True)
    with r2:
        start = state.select_slider("rt_start", "Start rate", format_func=lambda v: f"{v:g}")
        end = state.select_slider("rt_end", "End rate", format_func=lambda v: f"{v:g}")
    with r3:
        iters = state.slider("rt_iters", "Steps of the test", step=10)
        batch = state.number_input("rt_batch", "Mini-batch size (0 = full batch)", step=1)
        steps = state.slider("rt_steps", "Steps of each verification run", step=10)
    if start >= end:
        state.note(text.RANGE_REVERSED)
        start, end = 1e-7, 10.0
    return sweep.RangeRequest(key, opt, start, end, iters, batch, steps, seed, dtype), rule


def range_tab(state, s: sweep.SweepStudy, panel, checked: dict) -> None:
    """The range test and the check of its suggestion; ``checked`` receives the check's
    outcome for the lesson (suggested_lr, check_best)."""
    st.header("The learning-rate range test (fastai's lr_find)")
    st.markdown(text.RANGE_INTRO)
    req, rule = range_settings(state, s.plan.seed, s.plan.dtype)
    with friendly_errors("these range-test settings"):
        rt = sweep.range_test(req)
    note_box(list(rt.notes))
    sug = rt.result.suggestions
    if not sug:
        st.warning(text.RANGE_NO_SUGGESTION, icon="⚠️")
        return
    chart(charts.range_test_chart, rt.result.table, sug, chosen=rule, height=380)
    st.caption(text.range_caption(rt.result, rt.optimizer.display, sweep.problem_title(req.problem_key),
                                  rt.batch_size))
    st.markdown(text.suggestion_lines(sug))
    with st.expander("When the suggestions disagree — known failure modes", icon=":material/warning:"):
        st.markdown(text.FAILURE_MODES)
    verification(rt, sug.get(rule) or next(iter(sug.values())), rule, panel, checked)
    st.caption(text.RANGE_SCRIPT_CAPTION)
    export(rt.problem, rt.run, rt.config, "lr_range_test.py")


def verification(rt: sweep.RangeTest, lr: float, rule: str, panel, checked: dict) -> None:
    st.markdown(text.verify_heading(rule, lr))
    with friendly_errors("the verification runs"):
        v = sweep.verify(rt, lr)
    note_box(list(v.notes))
    checked.update(suggested_lr=lr, check_best=math.nan if v.best is None else float(v.best))
    if panel.hides("check_best"):
        st.info("The three runs appear once you have answered the lesson's question.",
                icon=":material/visibility_off:")
        return
    chart(loss_chart, v.history, log=v.log_scale, color="label", legend_title="rate", x_title="step",
          y_title="training loss" + (" (log scale)" if v.log_scale else ""), height=340)
    finals = text.verification_table(v.summary)
    table(finals, "range_test_check.csv", key="dl-rtcheck", column_config=number_columns(finals))
    if v.best is not None:
        st.markdown(text.verification_sentence(v.best, float(v.summary["final_loss"].iloc[v.best]), v.steps))
    st.caption(text.VERIFY_CAPTION)
