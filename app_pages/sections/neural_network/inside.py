"""Tab "Inside the network": the network at one epoch on one input — the diagram, the forward
pass worked out, every neuron, and every weight over the epochs. The epoch slider and the
input picker rerun only this tab (a fragment)."""
from __future__ import annotations

import streamlit as st

from dlcore.network_view import MAX_DIAGRAM_EDGES
from ui.charts import network as nc
from ui.charts.render import chart
from ui.compute import neural_network as nn_compute
from ui.layout import note_box, table
from ui.params import PageState
from ui.sections import fragment
from ui.text import neural_network as text

ROWS = {"1": "1, 2, 3", "2": "2, 3, 4", "3": "3, 4, 5", "try": "try-it"}


def show(state: PageState, setup: nn_compute.SumSetup, hide: bool = False) -> None:
    """The tab; ``hide``: a lesson's prediction is pending, so no result of the run is drawn."""
    note_box(list(setup.notes))
    st.header("Inside the network")
    st.markdown(text.inside_intro(setup.problem.activation))
    if hide:
        st.info(text.PREDICT_FIRST, icon=":material/visibility_off:")
        return
    fragment(state, "ep", "row")(at_epoch)(state, setup)


def at_epoch(state: PageState, setup: nn_compute.SumSetup) -> None:
    """The network at the chosen epoch and input; run as a fragment (moving the epoch or the
    input reruns only this)."""
    problem = setup.problem
    c1, c2 = st.columns([3, 2])
    with c1:
        last = nn_compute.last_epoch(setup)
        ep = state.follow_slider("ep", "Epoch (0 = the initial weights)", 0, last, end=-1)
        ep = last if ep < 0 else min(ep, last)
    with c2:
        row = state.segmented("row", "Input (a training row, or your try-it numbers)", format_func=ROWS.get) or "1"
    x = tuple(problem.inputs[int(row) - 1]) if row != "try" else tuple(float(v) for v in state["try"])
    v = nn_compute.inside_view(setup, ep, x)
    if not v.finite:
        st.error("The weights are not finite at this epoch (training diverged). Pick an earlier epoch.",
                 icon=":material/error:")
        return
    if v.diagram is None:
        st.info(text.too_many_weights(v.n_edges, MAX_DIAGRAM_EDGES), icon=":material/hub:")
    else:
        chart(nc.network_diagram, v.diagram.nodes, v.diagram.edges, text.ACTS[problem.activation])
    st.markdown(text.output_sentence(ep, list(x), v.output))
    _forward_pass(v, problem)
    with st.expander(f"Every neuron at epoch {ep} ({len(v.neurons)} rows)", expanded=len(problem.sizes) > 3):
        table(v.neurons, f"neurons_epoch{ep}.csv", key="dl-nn-neurons")
    if v.param_paths is not None:
        st.markdown("**Every weight and bias over the epochs** (dashed line: the epoch shown above)")
        chart(nc.param_paths_chart, v.param_paths, ep)
        caption = text.off_units_caption(ep, v.off_units)
        if caption:
            st.caption(caption)


def _forward_pass(v: nn_compute.InsideView, problem) -> None:
    st.subheader("The forward pass, worked out")
    fp = text.forward_pass(v.view, list(v.x), problem.activation, problem.sizes)
    if fp.first_layer:
        st.latex(fp.first_layer)
    if fp.output:
        st.latex(fp.output)
        st.caption("The output layer has no activation: y is just the weighted sum of the hidden neurons' "
                   "values plus its bias — as `nn.Linear(4, 1)` computes it.")
