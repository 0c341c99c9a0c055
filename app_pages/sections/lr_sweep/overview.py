"""What every tab shares: the headline numbers, the two sweep charts, the theory behind
them and every run of the sweep."""
from __future__ import annotations

import streamlit as st

from dlcore.lr_study import fastest_headline
from ui.charts import sweep as charts
from ui.charts.render import show
import ui.compute.lr_sweep as sweep
from ui.format import number_columns
from ui.layout import friendly_errors, note_box, table
from ui.text import lr_sweep as text


# What would give a lesson's prediction away: a result is not drawn while a task hides
# one of its fields (ui/lesson_panel.py).
SWEEP_FIELDS = ("steps_at_0_001", "steps_at_0_01", "steps_at_0_1", "steps_at_1", "diverges_at_1", "diverges_at_10",
                "first_diverging", "last_stable", "limit", "fastest_lr", "fastest_steps", "converged",
                "article_agree", "shape_holds")


def hidden(panel, *fields) -> bool:
    """Whether a lesson task hides any of ``fields`` (default: any result of the sweep)."""
    return any(panel.hides(f) for f in (fields or SWEEP_FIELDS))


def overview(state, req: sweep.SweepRequest, panel) -> sweep.SweepStudy:
    """Train the sweep (one batched call), show what it measured; return it for the tabs."""
    plan = sweep.plan_sweep(req)
    if plan.range_note:
        state.note(plan.range_note)
    with friendly_errors("these sweep settings"):
        s = sweep.study(plan)
    if s.precision_limited:
        st.info(text.resolution_note(s.resolution, plan.tol), icon=":material/straighten:")
    note_box(list(plan.budget_notes))
    st.caption(text.settings_caption(plan.title, plan.about, plan.optimizer.display, len(plan.rates.rates),
                                     plan.steps, plan.dtype, plan.seed, plan.batch_size, plan.rates.n_grid))
    if hidden(panel):
        st.info("The sweep's numbers and charts appear once you have answered the lesson's question.",
                icon=":material/visibility_off:")
        return s
    headlines(s)
    sweep_charts(s)
    if s.prediction.theory is not None:
        theory(s)
    with st.expander(f"All {len(s.table)} runs of the sweep — the numbers behind the charts",
                     icon=":material/table:"):
        runs = sweep.runs_table(s)
        # Shown with 4 significant figures; the CSV (and the cell's full value) keep every digit.
        table(runs, "lr_sweep.csv", key="dl-sweep", column_config=number_columns(runs, skip=("final_loss",)))
        st.caption(text.runs_caption(plan.rates.n_grid, plan.tol, s.reference_kind, s.reference, s.result.optimum))
    return s


def headlines(s: sweep.SweepStudy) -> None:
    fast = text.fastest_headline(*fastest_headline(s.edges, s.plan.steps), s.prediction)
    shown = (text.limit_headline(s.prediction, s.plan.optimizer.display, s.edges), fast,
             text.counts_headline(s.edges, len(s.view), s.plan.steps), text.article_headline(s.verdict))
    for col, h in zip(st.columns(4), shown):
        with col:
            st.metric(h.label, h.value, border=True, help=h.help)
            st.caption(h.caption)


def sweep_charts(s: sweep.SweepStudy) -> None:
    spec_steps, spec_final = sweep.sweep_specs(s)
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Steps to converge**")
        show(spec_steps)
    with right:
        st.markdown("**Where each rate ends up**")
        show(spec_final)
    st.caption(text.chart_legend(s.prediction, s.plan.optimizer.momentum, s.precision_limited, charts.mark_names()))


def theory(s: sweep.SweepStudy) -> None:
    with st.expander(text.THEORY_TITLE, icon=":material/functions:"):
        st.markdown(text.THEORY_INTRO)
        st.latex(text.THEORY_LATEX)
        for paragraph in text.theory_details(s.prediction, s.plan.optimizer):
            st.markdown(paragraph)
