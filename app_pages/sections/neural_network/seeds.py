"""Tab "Many seeds": the learner's network trained from many seeds in one batched run, what
became of each (dead ReLU, units alive), and the fact check against the article's log."""
from __future__ import annotations

import streamlit as st

from ui import glossary, safety
from ui.charts import network as nc
from ui.charts.render import chart
from ui.compute import neural_network as nn_compute
from ui.layout import fmt, note_box, table
from ui.params import PageState
from ui.text import neural_network as text

DEAD_RELU = (
    "A ReLU neuron outputs max(0, z). If **z ≤ 0 for every training input**, it outputs 0 for all of them "
    "*and* its gradient is 0 — no example can ever move its weights again: it is **dead**. When every "
    "neuron of a hidden layer is dead, the layer outputs zeros whatever the input, so:\n"
    "1. all outputs are equal (only the biases after the dead layer still matter);\n"
    "2. the weights into the layer get **zero gradient**, and the weights out of it multiply zeros — "
    "they get zero gradient too;\n"
    "3. so **only the output bias learns**: under MSE its gradient is 2·(b − mean target), and it slides "
    "towards the mean target, **9**: the network answers ≈9 for everything, the best a constant can do.\n\n"
    "Why does it happen *here*? The initial outputs are near 0 while the targets are 6–12, so the first "
    "loss is ~90 and the first gradient is huge. An active neuron whose outgoing weight is negative is "
    "pulling the output *down*, so the first step shoves its z far below zero — on all three inputs at "
    "once. If the neurons that start active all have negative outgoing weights, one step kills the layer.")


def show(state: PageState, setup: nn_compute.SumSetup, hide: bool = False) -> None:
    """The tab; ``hide``: a lesson's prediction is pending, so no result of the run is drawn."""
    n = state.slider("nseeds", "Number of seeds trained together", step=1)
    if hide:
        st.info(text.PREDICT_FIRST, icon=":material/visibility_off:")
        return
    v = nn_compute.seeds_view(setup, n)
    note_box(list(v.notes))
    seed, n_seeds = setup.seed, len(v.seeds)
    st.header(text.seeds_heading(v.seeds, v.consecutive))
    st.markdown(text.seeds_intro(setup.problem.sizes, n_seeds, setup.problem.activation))
    st.caption("These runs are trained together in one batch; the first tab's numbers come from a plain PyTorch "
               "loop and agree with them to about five significant digits (float32 rounding in a different order).")
    c = st.columns(4)
    c[0].metric("Seeds", n_seeds)
    c[1].metric("Dead (all outputs equal)", f"{v.n_dead} of {n_seeds}")
    c[2].metric("Median final loss", fmt(v.median_loss, 3))
    c[3].metric(f"Your seed ({seed}): final loss", fmt(v.summary["final_loss"].iloc[0], 4),
                v.summary["outcome"].iloc[0], delta_color="off", delta_arrow="off")
    chart(nc.seeds_chart, v.history, seed)
    chart(nc.final_loss_strip, v.summary, seed)
    _dead_relu(state, setup, v)
    with st.expander("Every seed", icon=":material/table:"):
        table(v.summary, "seeds.csv", key="dl-nn-seeds")
    _fact_check(state, seed)


def _dead_relu(state: PageState, setup: nn_compute.SumSetup, v: nn_compute.SeedsView) -> None:
    st.subheader("Dead ReLU: why some seeds never learn")
    st.caption("In the glossary: " + glossary.link("dead-relu", "dead ReLU") + " · " + glossary.link("relu", "ReLU")
               + " · " + glossary.link("seed", "seed"))
    if setup.problem.activation != "relu":
        st.info(text.no_dead_units(setup.problem.activation), icon=":material/info:")
        return
    st.markdown(DEAD_RELU)
    ex = v.example
    if ex is not None:
        st.warning(text.dead_example_message(ex, setup.spec.lr), icon=":material/heart_broken:")
        if not ex.yours:
            st.button(f"Open seed {ex.seed} in the other tabs", on_click=safety.callback(state.set),
                      args=("seed", ex.seed), icon=":material/open_in_new:")
    else:
        st.success(text.none_died(len(v.seeds)), icon=":material/check_circle:")
    st.caption("Remedies: a smaller learning rate or Adam (gentler first steps), LeakyReLU (a small slope for "
               "z < 0 keeps gradients alive), or scaling the targets down.")


def _fact_check(state: PageState, seed: int) -> None:
    st.subheader("Fact check: can the article's run be reproduced?")
    s = nn_compute.article_search()
    st.markdown(text.search_summary(s))
    a, b = st.columns([3, 2])
    with a:
        table(s.comparison, "article_vs_closest_seed.csv", key="dl-nn-fact")
    with b:
        table(s.ranked.rename(columns={"run": "seed", "distance": "rms log-ratio", "factor": "typical factor"}),
              "closest_seeds.csv", key="dl-nn-ranked")
    if s.best != nn_compute.ARTICLE_SEED:
        st.info(f"The default seed of this page ({nn_compute.ARTICLE_SEED}) is no longer the closest on this "
                "PyTorch build.")
    if s.best != seed:
        st.button(f"Use seed {s.best}", on_click=safety.callback(state.set), args=("seed", s.best),
                  icon=":material/open_in_new:")
