"""Page furniture shared by every page: header, formulas, tables with CSV download,
"show the code", number formatting and a friendly wrapper for configuration errors."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import streamlit as st

from .format import fmt, quote  # re-exported: pages import fmt from here


def header(title: str, lead: str, source: str | None = None) -> None:
    st.title(title)
    st.markdown(lead)
    if source:
        st.caption(source)


def table(df: pd.DataFrame, filename: str, label: str = "Download CSV", height: int | None = None,
          hide_index: bool = True, column_config: dict | None = None, key: str | None = None) -> None:
    """A table and a button to download exactly its data as CSV. Non-finite numbers are
    shown as 'diverged' in the table; the CSV keeps them as nan/inf."""
    shown = df.copy()
    # A column mixing floats and "diverged" cannot be serialised to Arrow: Streamlit would log
    # a traceback and fall back to str() on every render. Convert it to text here instead.
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]) and not np.isfinite(shown[c].dropna().to_numpy()).all():
            shown[c] = shown[c].map(lambda v: fmt(v) if v is not None and not pd.isna(v) and not np.isfinite(v)
                                    else v).astype(str)
    kw = {"height": height} if height else {}
    st.dataframe(shown, hide_index=hide_index, width="stretch", column_config=column_config, **kw)
    st.download_button(label, df.to_csv(index=False).encode(), file_name=filename, mime="text/csv",
                       key=key or f"dl-{filename}", icon=":material/download:")


def code(script: str, filename: str, label: str = "Show the code") -> None:
    """The plain PyTorch script that reproduces what the page shows."""
    with st.expander(f"{label} — a plain PyTorch script that reproduces this", icon=":material/code:"):
        st.caption("Runs on its own (`python " + filename + "`) and repeats this page's computation: the same "
                   "PyTorch operations from the same seed. Its numbers match the page's to float rounding — the "
                   "lab trains many runs at once with batched matrix products, which can round the last bit "
                   "differently from one model at a time.")
        st.code(script, language="python", line_numbers=True)
        st.download_button("Download script", script.encode(), file_name=filename, mime="text/x-python",
                           key=f"dl-{filename}", icon=":material/download:")


@contextmanager
def friendly_errors(what: str = "these settings"):
    """Turn a configuration ValueError from dlcore into a message in the page."""
    try:
        yield
    except ValueError as e:
        st.error(f"Can't use {what}: {e}", icon="🚫")
        st.stop()


def share_hint(state) -> None:
    link = state.link()
    st.caption("🔗 **Share this experiment:** copy the address bar — it holds every setting"
               + (f" ({quote(link, 160)})." if link else " (all defaults right now)."))


def note_box(notes: list[str]) -> None:
    if notes:
        st.info("\n".join(f"- {n}" for n in notes), icon="⏱️")


__all__ = ["header", "fmt", "table", "code", "friendly_errors", "share_hint", "note_box", "quote"]
