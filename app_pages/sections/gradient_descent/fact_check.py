"""Fact check: what does the article's code really print? Filled in last (its 2000-epoch
run is cached once per server) so the rest of the page never waits for it."""
from __future__ import annotations

import streamlit as st
import torch

from ui.compute.gradient_descent import fact_check
from ui.text.gradient_descent import ARTICLE_PRINTS, fact_check_text, torch_prints


def fact_check_box(box) -> None:
    with box:
        with st.spinner("Training the article's loop for 2000 epochs to check its printed result…"):
            fc = fact_check()
        a, b = st.columns(2, gap="large")
        with a:
            st.markdown("**The article prints** (lr 0.01, 100 epochs):")
            st.code(ARTICLE_PRINTS, language="text")
        with b:
            st.markdown(f"**PyTorch {torch.__version__.split('+')[0]} prints** for the same code:")
            st.code(torch_prints(fc), language="text")
        found, why = fact_check_text(fc)
        st.markdown(found)
        with st.expander("Why so slow? The bowl's two curvatures", icon=":material/insights:"):
            st.markdown(why)
