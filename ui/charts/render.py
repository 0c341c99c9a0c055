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

:func:`chart` goes further for a page's rerun: it caches the finished spec — datasets
already serialised to Arrow, which ``st.vega_lite_chart`` sends as is — keyed on the
builder and its arguments (or on an ``ident`` the caller gives), so a cached rerun builds
no Altair objects at all (building layered charts deep-copies every subchart and was most
of a rerun). :func:`cached_spec` returns such a spec without drawing it (e.g. for a
chart drawn in a placeholder later, via :func:`show`). There is one spec cache.
"""
from __future__ import annotations

import hashlib
import importlib
import pickle
import threading

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

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


def fingerprint(df: pd.DataFrame) -> bytes:
    """A cache key for a DataFrame: a hash of its pickle. Streamlit's own DataFrame hash
    runs pandas' per-column hashing, which for pandas 3's Arrow-backed text columns costs
    ~3 ms a frame however small (measured: 20 % of the server's CPU under a class's load,
    for ~15 charts a rerun); pickling costs ~0.2 ms. Equal pickles mean equal frames, so
    a hit is always right; two equal frames laid out differently in memory may pickle
    differently, which only costs a cache miss (the pages build their frames the same way
    on every rerun)."""
    return hashlib.blake2b(pickle.dumps(df, protocol=5), digest_size=16).digest()


@st.cache_data(max_entries=160, ttl=3600, show_spinner=False, hash_funcs={pd.DataFrame: fingerprint})
def _cached_spec(builder: str, args: tuple, kwargs: dict, props: dict | None = None,
                 legend: dict | None = None, ident=None, _given: tuple | None = None) -> dict:
    """THE spec cache: every cached chart of the app is an entry here. Keyed on the builder
    and its arguments — or, when ``ident`` is given, on the builder and ``ident`` only (the
    arguments then arrive unhashed in ``_given``)."""
    if _given is not None:
        args, kwargs = _given
    module, name = builder.split(":")
    fn = getattr(importlib.import_module(module), name)
    c = fn(*args, **kwargs)
    if props:
        c = c.properties(**props)
    if legend:
        c = c.configure_legend(**legend)
    return frozen_spec(c)


def cached_spec(builder, *args, ident=None, props: dict | None = None, legend: dict | None = None,
                **kwargs) -> dict:
    """The finished spec of ``builder(*args, **kwargs)`` (datasets as Arrow, see
    :func:`frozen_spec`) from the one spec cache.

    ``builder`` is a module-level chart builder, looked up by name inside the cache. By
    default its arguments are the key: plain values or DataFrames (hashed by
    :func:`fingerprint`). Pass ``ident`` — any hashable value that determines the arguments,
    e.g. the key of the computation that produced them — to skip hashing the arguments
    altogether (large frames, or arguments Streamlit cannot hash such as Altair layers);
    then equal ``ident`` means equal chart."""
    name = f"{builder.__module__}:{builder.__qualname__}"
    if ident is not None:
        return _cached_spec(name, (), {}, props, legend, ident=ident, _given=(args, kwargs))
    return _cached_spec(name, args, kwargs, props, legend)


def frozen_spec(chart: alt.TopLevelMixin) -> dict:
    """:func:`spec` with every dataset already serialised to Arrow — ready to cache and to
    hand to ``st.vega_lite_chart`` any number of times without converting again."""
    out = spec(chart)
    out["datasets"] = {k: convert_anything_to_arrow_bytes(v) if isinstance(v, pd.DataFrame) else v
                       for k, v in out["datasets"].items()}
    return out


def chart(builder, *args, key: str | None = None, on_select=None, selection_mode=None, where=None,
          props: dict | None = None, legend: dict | None = None, ident=None, description: str | None = None,
          **kwargs) -> None:
    """Draw ``builder(*args, **kwargs)`` from the cache of finished specs (:func:`cached_spec`).

    ``builder`` is a module-level chart builder (it is looked up by name inside the
    cache); its arguments must be plain values or DataFrames, which Streamlit hashes —
    or give ``ident`` (see :func:`cached_spec`) and they are not hashed.
    ``where`` is a container or placeholder to draw into (default: the current one);
    ``key``/``on_select``/``selection_mode`` are passed to ``st.vega_lite_chart``;
    ``props``/``legend`` are applied as ``.properties(**props)`` / ``.configure_legend(**legend)``;
    ``description`` is the chart's text alternative (see :func:`show`)."""
    s = cached_spec(builder, *args, ident=ident, props=props, legend=legend, **kwargs)
    show(s, key=key, on_select=on_select, selection_mode=selection_mode, where=where, description=description)


def show(spec_: dict, key: str | None = None, on_select=None, selection_mode=None, where=None,
         height: int | None = None, description: str | None = None) -> None:
    """Send a finished spec (from :func:`cached_spec` or :func:`frozen_spec`) across the
    container's width.

    ``description`` — one sentence saying what the chart shows with its key numbers, e.g.
    "Loss falls from 30.0 to 0.034 over 100 epochs" — becomes Vega-Lite's top-level
    ``description``, which Vega gives the drawn chart as its ARIA label: what a screen
    reader says instead of reading the marks point by point. It is set on a copy, so the
    cached spec stays shared and the text can change without rebuilding the chart."""
    if description:
        spec_ = {**spec_, "description": description}
    extra = {k: v for k, v in (("key", key), ("on_select", on_select), ("selection_mode", selection_mode),
                               ("height", height)) if v is not None}
    (where or st).vega_lite_chart(spec_, width="stretch", **extra)
