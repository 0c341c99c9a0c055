"""The data the page fits: the article's four points, or the learner's own table (the
shared own-data box, ui.own_data) with its x and y columns and "Standardise x"."""
from __future__ import annotations

import streamlit as st

from ui.compute.gradient_descent import ARTICLE, Data, lr_range, page_data
from ui.format import md_escape, quote
from ui.own_data import own_regression, own_table
from ui.params import PageState
from ui.text.gradient_descent import own_data_text, standardise_text

OWN_KEYS = ("x", "y", "std", "olr")     # settings that belong to the learner's data


def data_section(state: PageState) -> Data:
    """The own-data box and, with a table in use, its column choice, the standardise
    toggle and what they mean; returns the data the page fits."""
    own = own_table(state, reset=OWN_KEYS)
    if own is None:
        return ARTICLE
    with st.container(border=True):
        reg = own_regression(state, own)
        if reg is None:
            st.info("Until then the page shows the article's four points.", icon=":material/info:")
            return ARTICLE
        std = state.toggle("std", "Standardise x", help="Fit the line to x′ = (x − mean)/std instead of x: the "
                                                          "same best line, a rounder bowl.")
        try:
            raw = page_data(reg.x, reg.y, x_name=reg.x_name, y_name=reg.y_name, standardize=False)
            scaled = page_data(reg.x, reg.y, x_name=reg.x_name, y_name=reg.y_name, standardize=True)
        except ValueError as err:
            st.error(f"**Can't fit a line to these columns:** {md_escape(err)} The page shows the article's four "
                     "points.", icon=":material/table_chart:")
            return ARTICLE
        data = scaled if std else raw
        mean, sd = scaled.problem.x_scale()
        st.markdown(own_data_text(data.n, quote(reg.x_name, 24), quote(reg.y_name, 24), own.source,
                                  std, data.limit, data.w_star, data.b_star))
        st.markdown(standardise_text(raw.theory, scaled.theory, std, mean, sd))
    _rate_follows(state, own.digest, reg.x_name, reg.y_name, std, data)
    return data


def _rate_follows(state: PageState, digest: str, x: str, y: str, std: bool, data: Data) -> None:
    """A new table, other columns or the standardise toggle make a new bowl: the learning
    rate starts again at 0.4 × its stability limit (a link's own rate is kept on arrival)."""
    ss = st.session_state
    key, mark = "_gd.own_data", (digest, x, y, std)
    first = ss.get(key) is None
    changed = ss.get(key) != mark
    ss[key] = mark
    keep = first and "olr" in state.linked
    if state.current("olr") == 0 or (changed and not keep):
        state.set("olr", lr_range(data.limit)[3])
