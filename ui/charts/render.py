"""Draw Altair charts fast and without a process-wide lock.

``st.altair_chart`` converts a chart with ``chart.to_dict()`` — full JSON-schema
validation — inside a lock shared by every session, because it switches Altair's global
data transformer and theme for each call. Measured here that was ~80 % of a page's
rerun, and with a class of learners the sessions queued on that lock.

:func:`draw` does the same job differently: a data transformer that is enabled once and
never switched hands each DataFrame to Streamlit by name (as Arrow, like
``st.altair_chart``), the chart is converted with ``validate=False`` (our builders are
fixed code, exercised by the tests), and the spec goes to ``st.vega_lite_chart``. The
per-call dataset store is thread-local, so concurrent sessions never share it.
"""
from __future__ import annotations

import hashlib
import threading

import altair as alt
import pandas as pd
import streamlit as st

_local = threading.local()


def _by_name(data):
    """Altair data transformer: replace a DataFrame by a named reference and keep the
    DataFrame in this thread's store for the spec's ``datasets``."""
    if isinstance(data, pd.DataFrame):
        store = getattr(_local, "datasets", None)
        if store is None:   # a conversion outside draw(): fall back to inline values
            return alt.to_values(data)
        name = "d" + hashlib.blake2b(f"{id(data):x}".encode(), digest_size=8).hexdigest()
        store[name] = data      # the same DataFrame in several layers is sent once
        return {"name": name}
    return data


alt.data_transformers.register("gdl_by_name", _by_name)
alt.data_transformers.enable("gdl_by_name")
# Altair's default theme adds a fixed view size; Streamlit sizes charts itself.
alt.theme.enable("none")


def spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of ``chart`` with its DataFrames under ``datasets``."""
    _local.datasets = {}
    try:
        out = chart.to_dict(validate=False)
        out["datasets"] = {**out.get("datasets", {}), **_local.datasets}
    finally:
        _local.datasets = None
    return out


def draw(chart: alt.TopLevelMixin, key: str | None = None, height: int | None = None) -> None:
    """Render an Altair chart across the container's width."""
    kw = {"key": key} if key else {}
    if height is not None:
        kw["height"] = height
    st.vega_lite_chart(spec(chart), width="stretch", **kw)
