"""Tab "Sum of three": the learner's run of article 001's network — metrics, loss curves,
the printed log, its answers (and a try-it box), held-out inputs and the fact check."""
from __future__ import annotations

import streamlit as st

from dlcore.problems.networks import TEST_INPUTS
from ui.charts import network as nc
from ui.charts.core import loss_chart
from ui.charts.render import chart
from ui.compute import neural_network as nn_compute
from ui.layout import code, fmt, note_box, table
from ui.params import PageState
from ui.sections import fragment
from ui.text import neural_network as text

from .controls import numbers_input, split_numbers


def show(state: PageState, setup: nn_compute.SumSetup, hide: bool = False) -> None:
    """The tab; ``hide``: a lesson's prediction is pending, so no result of the run is drawn."""
    v = nn_compute.sum_view(setup)
    note_box(list(setup.notes))
    st.header("Given three numbers, output their sum")
    st.markdown(text.sum_intro(setup.problem.sizes, setup.problem.activation, setup.spec.display, setup.spec.lr,
                               v.epochs, setup.seed))
    if hide:
        st.info(text.PREDICT_FIRST, icon=":material/visibility_off:")
        return
    _metrics(setup, v)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Loss while training** (MSE, log scale)")
        chart(loss_chart, v.curves, y="loss", x="step", log=True, x_title="epoch", y_title="MSE (log scale)",
              legend_title="loss on", legend={"orient": "top"})
        st.caption("The held-out loss is dominated by inputs far outside the training range, like (−1, −2, −3).")
    with right:
        st.markdown("**The output**, in the article's format")
        st.code(v.console, language=None, wrap_lines=True)
        st.caption(text.LOG_CAPTION)
        with st.expander("The log as a table", icon=":material/table:"):
            table(v.log[["epoch", "loss"]].rename(columns={"loss": "loss (printed)"}), "sum_of_three_log.csv",
                  key="dl-nn-log", column_config={"loss (printed)": st.column_config.NumberColumn(format="%.10f")})
    _does_it_add(state, setup, v)
    _fact_check(setup, v)
    code(v.script, "sum_of_three.py")


def _metrics(setup: nn_compute.SumSetup, v: nn_compute.SumView) -> None:
    c = st.columns(4)
    c[0].metric(f"Training loss after {v.epochs} epochs", fmt(v.train_loss, 4))
    c[1].metric("Loss on 6 held-out inputs", fmt(v.test_loss, 4),
                help="Inputs it never trained on, some far outside 1…5: " +
                     "; ".join(str(list(map(float, r))) for r in TEST_INPUTS))
    c[2].metric("Largest error on the training rows", fmt(v.max_error, 4))
    c[3].metric("Status", v.status,
                help="Dead: every hidden unit of a layer is off (z ≤ 0) for all inputs, so all outputs are equal.")
    if v.diverged:
        st.error(text.diverged_message(v.diverged_at), icon=":material/error:")
    elif v.dead_layer is not None:
        st.warning(text.dead_message(setup.seed, v.dead_layer), icon=":material/heart_broken:")


def _does_it_add(state: PageState, setup: nn_compute.SumSetup, v: nn_compute.SumView) -> None:
    st.subheader("Does it add?")
    a, b = st.columns([3, 2], gap="large")
    with a:
        st.markdown("**Its answer along the inputs (t, t+1, t+2)** — shaded: where it trained")
        chart(nc.answer_line_chart, v.answer_line, v.answer_points)
    with b:
        fragment(state, "try")(try_it)(state, setup.problem, v.theta)
        st.caption("A ReLU network is piecewise linear: from three points it learns *a* function that passes near "
                   "them, but nothing tells it that the answer is x₁ + x₂ + x₃ everywhere. Far from the training "
                   "rows — or for negative numbers, where its ReLUs switch off — its answer drifts from the sum.")
    a, b = st.columns([2, 3], gap="large")
    with a:
        st.markdown("**Training rows** after the last epoch")
        table(v.rows, "sum_of_three_outputs.csv", key="dl-nn-out")
    with b:
        st.markdown("**Held-out inputs** (never trained on)")
        table(v.held, "sum_of_three_heldout.csv", key="dl-nn-held")


def try_it(state: PageState, problem, theta) -> None:
    """The try-it box, run as a fragment: typing reruns only this box (and keeps the link in step)."""
    with st.container(border=True):
        st.markdown("**Try it:** type three numbers — does the network add them?")
        vals, typed = numbers_input(state, "try", "Three numbers, separated by commas", quiet=True,
                                    placeholder="e.g. 10, 20, 30")
        problem_text = text.try_problem(split_numbers(typed))
        if problem_text:
            st.warning(text.try_warning(problem_text, vals), icon=":material/edit_note:")
        x = [float(x) for x in vals]
        y = nn_compute.answer(problem, theta, x)
        k1, k2 = st.columns(2)
        k1.metric("Network says", fmt(y, 5), text.off_by(y, sum(x)), delta_color="off", delta_arrow="off")
        k2.metric("True sum", fmt(sum(x), 6))


def _fact_check(setup: nn_compute.SumSetup, v: nn_compute.SumView) -> None:
    with st.expander("Fact check: the article's printed losses and outputs", icon=":material/fact_check:",
                     expanded=setup.article):
        st.markdown(text.fact_check(setup.seed, nn_compute.ARTICLE_SEED, nn_compute.SEARCH_SEEDS))
        if v.log_vs_article is None:
            st.caption("Set the article's settings (button “The article's settings” above) to compare with its "
                       "printed numbers.")
            return
        a, b = st.columns([3, 2])
        with a:
            table(v.log_vs_article, "article_log_comparison.csv", key="dl-nn-cmp",
                  column_config={"ratio": st.column_config.NumberColumn(format="%.3f")})
        with b:
            table(v.outputs_vs_article, "article_output_comparison.csv", key="dl-nn-cmp-out")
