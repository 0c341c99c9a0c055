"""Tab "Gradients through depth": a deep narrow network, Sigmoid against ReLU — gradient size
per layer, loss curves, and what clipping does."""
from __future__ import annotations

import streamlit as st

from ui import glossary
from ui.charts import network as nc
from ui.charts.render import chart
from ui.compute import neural_network as nn_compute
from ui.layout import code, fmt, note_box
from ui.text import neural_network as text

NAMES = ("Sigmoid", "ReLU")


def show(setup: nn_compute.DepthSetup) -> None:
    v = nn_compute.depth_view(setup)
    note_box(list(v.notes))
    st.header("Vanishing and exploding gradients")
    st.markdown(text.depth_intro(v.sizes, setup.depth, setup.width))
    st.caption("In the glossary: " + glossary.link("vanishing-gradient", "vanishing gradients") + " · "
               + glossary.link("clipping", "gradient clipping") + " · " + glossary.link("relu", "ReLU"))
    c = st.columns(4)
    for i, name in enumerate(NAMES):
        c[i].metric(f"{name}: layer 1 ÷ output layer", text.ratio_text(v.ratio[name]),
                    help="Gradient norm of the first layer divided by that of the output layer, at step 0.")
    for i, name in enumerate(NAMES):
        c[2 + i].metric(f"{name}: final loss", fmt(v.final_loss[name], 4))
    a_col, b_col = st.columns([2, 3], gap="large")
    with a_col:
        st.markdown("**At the first step:** gradient size per layer")
        chart(nc.layer_profile_chart, v.profile)
        st.caption("Log scale: one grid line is a factor of 10. A straight falling line means the gradient is "
                   "multiplied by about the same factor in every layer on the way back.")
    with b_col:
        st.markdown("**Training loss** (MSE, log scale)")
        chart(nc.depth_curves_chart, v.loss_curves)
    st.markdown("**Per-layer gradient norms while training** (before clipping; light = near the inputs, dark = near "
                "the output; a line that stops has hit exactly 0)")
    chart(nc.layer_history_chart, v.layer_history)
    if v.clip_effect is not None:
        st.markdown(text.clip_effect(v.clip_effect, setup.clip, setup.lr))
        chart(nc.depth_curves_chart, v.clip_effect.grad_curves, "grad_norm", "‖gradient‖ before clipping (log)",
              setup.clip)
        st.caption("Dashed: the clip norm. Above it, the clipped run's gradient is scaled down to that length "
                   "before each step; the unclipped run takes the full step.")
    else:
        st.caption("Turn on gradient clipping in the settings above to compare clipped and unclipped training.")
    code(v.script, "deep_relu.py", label="Show the code (the ReLU run)")
