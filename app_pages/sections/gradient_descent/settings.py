"""The page's settings box: learning rate, epochs, start (w, b)."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.compute.gradient_descent import Data, lr_range
from ui.format import short
from ui.layout import reset_button
from ui.params import PageState


@dataclass(frozen=True)
class Settings:
    lr: float
    epochs: int
    w0: float
    b0: float


def settings(state: PageState, data: Data) -> Settings:
    with st.container(border=True):
        c_lr, c_ep, c_w, c_b = st.columns([2.2, 1, 1.2, 1.2], gap="medium")
        with c_lr:
            if data.own:         # the range follows the data's own stability limit
                lo, hi, step, _ = lr_range(data.limit)
                lr = state.follow_slider("olr", "Learning rate η", lo, hi, step=step, format="%.3g",
                                         help=f"Up to 1.5 × the stability limit 2/λmax = {short(data.limit, 4)} "
                                              "of your data: past it plain gradient descent diverges (λmax: the "
                                              "bowl's steepest curvature).")
            else:
                lr = state.select_slider("lr", "Learning rate η", format_func=lambda v: f"{v:g}",
                                         help=f"Log-spaced. Past 2/λmax ≈ {data.limit:.4f} plain gradient descent "
                                              "diverges on this data (λmax: the bowl's steepest curvature).")
        with c_ep:
            epochs = state.number_input("epochs", "Epochs", step=50,
                                        help=f"Full passes over the {data.n:,} points (one update each)."
                                        if data.own else "Full passes over the four points (one update each).")
        with c_w:
            w0 = state.slider("w0", "Start w", step=0.1)
        with c_b:
            b0 = state.slider("b0", "Start b", step=0.1)
        reset_button(state, help="The article's settings and data: η = 0.01, 100 epochs, from w = b = 0 (the link "
                                 "too).")
    return Settings(lr=lr, epochs=epochs, w0=w0, b0=b0)
