"""Every epoch as a table (with CSV download), and the script that reproduces the run."""
from __future__ import annotations

import streamlit as st

from ui.compute.gradient_descent import CSV_NAME, Lesson, every_epoch, script
from ui.layout import code, table


def epochs_table(ls: Lesson) -> None:
    """Every epoch (folded: full precision for those who want it) and the script."""
    with st.expander("Every epoch: w, b, the loss and the gradients, as a table (CSV)", icon=":material/table:"):
        st.caption("Epoch numbers follow the article's loop (`for epoch in range(epochs)`): w and b at the start of "
                   "the epoch, the loss there (the article's `losses[epoch]`), the gradients autograd computed, and "
                   "w, b after the update. Non-finite values read “diverged”.")
        if ls.summary.last < 1:
            st.info("No epoch finished: the loss was already beyond float32 at the start.", icon=":material/info:")
        else:
            ep = every_epoch(ls)
            table(ep, f"gradient_descent_lr{ls.lr:g}_{ls.summary.epochs}epochs.csv",
                  label="Download every epoch (CSV)", height=280,
                  column_config={c: st.column_config.NumberColumn(format="%.8g") for c in ep.columns if c != "epoch"})
    if ls.data.csv:
        st.caption(f"Your data has {ls.data.n:,} points, too many to write into the script: it reads them from "
                   f"`{CSV_NAME}` — save it with “Download this data as CSV” in the data box above, next to the "
                   "script or notebook.")
    code(script(ls), "gradient_descent_my_data.py" if ls.data.own else "gradient_descent.py")
