"""Four losses for the same errors: the metrics beside the chart, one card per loss, the
Huber δ, and each point's share of each loss."""
from __future__ import annotations

import streamlit as st

from app_pages.sections.gradient_descent.summary import metric_row
from ui import glossary
from ui.charts.loss_explorer import shares_chart
from ui.charts.render import chart
from ui.compute.loss_explorer import Judgement
from ui.params import PageState
from ui.compute.loss_explorer import SHARES_SHOWN
from ui.text.loss_explorer import ARTICLE_NAMES, Names, huber_text, loss_cards, loss_metrics, outliers_text


def loss_row(j: Judgement, delta: float, names: Names = ARTICLE_NAMES) -> None:
    """The four losses as metrics (beside the data chart)."""
    metric_row(loss_metrics(j.losses, delta, names))


def four_losses(state: PageState, j: Judgement, xs, names: Names = ARTICLE_NAMES, deltas=None) -> float:
    """The section; returns the Huber δ chosen (among ``deltas``: default the Param's)."""
    st.header("Four losses for the same errors")
    st.caption("In the glossary: " + ", ".join(glossary.link(slug) for slug in ("mse", "rmse", "mae", "huber"))
               + ". r is a residual, y − ŷ; n the number of points.")
    cards = st.container(horizontal=True, gap="small")      # four cards; two to a row on a phone
    l1, l2 = st.columns([1, 1.25], gap="large")
    with l1:
        delta = state.select_slider("delta", "Huber δ — where squared turns into absolute",
                                    format_func=lambda v: f"{v:g}", **({"options": list(deltas)} if deltas else {}))
        if j.losses["MSE"] > 0:
            w = j.worst
            st.markdown(outliers_text(xs[w], j.table["residual"][w], j.share_of_worst("MSE"),
                                      j.share_of_worst("MAE"), names, j.n))
            st.markdown(huber_text(delta))
    with l2:
        if names == ARTICLE_NAMES and j.n <= SHARES_SHOWN:
            chart(shares_chart, j.shares_shown, "point (study hours)", height=320)
        else:
            few = j.n <= SHARES_SHOWN
            chart(shares_chart, j.shares_shown, f"point ({names.x_title})" if few else "row of the table",
                  height=320, fit=not few)
            if not few:
                st.caption(f"The {SHARES_SHOWN} points with the largest squared errors, of {j.n:,}; each bar is "
                           "that point's share of the loss over all rows.")
    for card in loss_cards(j.losses, delta, names):
        with cards, st.container(border=True, width="stretch", height="stretch"):
            st.markdown(f"**{card.name}**")
            st.latex(card.formula)
            st.markdown(f"### {card.value}")
            st.caption(card.note)
    return delta
