"""A row of widgets side by side."""
from __future__ import annotations

import streamlit as st


def widget_row(widths, *draws, **columns_kw) -> list:
    """Each of ``draws`` (a function drawing one widget) in its own column; their values."""
    out = []
    for col, draw in zip(st.columns(widths, **columns_kw), draws):
        with col:
            out.append(draw())
    return out
