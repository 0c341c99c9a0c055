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

Every chart reaches the page through :func:`show` (``chart`` and ``draw`` call it), which
gives it a text alternative and a table view (WCAG 1.1.1, issue 19):

* a one-sentence description — the caller's ``description=``, else one written from the
  spec and its data by :func:`ui.charts.describe.describe` when the spec is built (so it is
  cached with it) — becomes Vega-Lite's ``description`` and Streamlit's ``alt``: the chart's
  accessible name, and the context in its toolbar buttons' names;
* a "Data as a table" expander under the chart that, only once opened, shows the numbers
  the marks draw (:func:`ui.charts.describe.tables`: the encoded fields, named by the
  axis and legend titles). Closed, it costs one element and no data.
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
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui.charts import describe as _describe
from ui.format import fmt, number_columns

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


def draw(chart: alt.TopLevelMixin, key: str | None = None, height: int | None = None,
         description: str | None = None) -> None:
    """Render an Altair chart across the container's width (uncached; see :func:`show`)."""
    show(spec(chart), key=key, height=height, description=description)


def fingerprint(df: pd.DataFrame) -> bytes:
    """A cache key for a DataFrame: a hash of its pickle. Streamlit's own DataFrame hash
    runs pandas' per-column hashing, which for pandas 3's Arrow-backed text columns costs
    ~3 ms a frame however small (measured: 20 % of the server's CPU under a class's load,
    for ~15 charts a rerun); pickling costs ~0.2 ms. Equal pickles mean equal frames, so
    a hit is always right; two equal frames laid out differently in memory may pickle
    differently, which only costs a cache miss (the pages build their frames the same way
    on every rerun)."""
    return hashlib.blake2b(pickle.dumps(df, protocol=5), digest_size=16).digest()


@st.cache_data(max_entries=400, ttl=3600, show_spinner=False, hash_funcs={pd.DataFrame: fingerprint})
def _cached_spec(builder: str, args: tuple, kwargs: dict, props: dict | None = None,
                 legend: dict | None = None, ident=None, _given: tuple | None = None) -> dict:
    """THE spec cache: every cached chart of the app is an entry here. 400 entries: one class
    asks for more than 160 (8 pages, up to 64 learning-rate options, several charts each);
    bench/load.py --memory with 400 (2 cores, 260 distinct settings, well past 400 specs):
    RSS 706 → 757 MB, 7.2 % growth after the fill (target < 10 %), no errors. Keyed on the builder
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
    out = annotated(spec(chart))
    out["datasets"] = {k: convert_anything_to_arrow_bytes(v) if isinstance(v, pd.DataFrame) else v
                       for k, v in out["datasets"].items()}
    return out


META = "_gdl"          # our key in a spec: read by show(), never sent to the browser


def annotated(spec_: dict) -> dict:
    """``spec_`` with its text alternative (Vega-Lite ``description``, unless the builder set
    one) and, under :data:`META`, its table plan and a signature (kind and axes: stable while
    the data changes). Read from the data while it is still DataFrames, so a cached spec
    carries them and a cached rerun computes nothing."""
    if META in spec_:
        return spec_
    out = {**spec_, META: {"tables": _describe.tables(spec_), "sig": _describe.signature(spec_)}}
    out.setdefault("description", _describe.describe(spec_))
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


TABLE_LABEL = "Data as a table"


def show(spec_: dict, key: str | None = None, on_select=None, selection_mode=None, where=None,
         height: int | None = None, description: str | None = None, table: bool = True) -> None:
    """Send a finished spec (from :func:`cached_spec` or :func:`frozen_spec`; a plain
    :func:`spec` works too) across the container's width, with its text alternative and,
    unless ``table=False`` (animation frames), its "Data as a table" view.

    ``description`` — one sentence saying what the chart shows with its key numbers, e.g.
    "Loss falls from 30.0 to 0.034 over 100 epochs" — overrides the one written from the
    spec (:func:`annotated`). It goes as Streamlit's ``alt``, which the browser sets as the
    spec's top-level ``description``, which Vega gives the drawn chart as its ARIA label:
    what a screen reader says instead of reading the marks point by point. The spec is
    copied, so the cached spec stays shared.

    The chart and its table are drawn in one container, so a placeholder (``where=``, or a
    ``with placeholder:`` block) holds both."""
    spec_ = annotated(spec_)
    meta = spec_[META]
    text = description or spec_["description"]
    # The text goes as Streamlit's ``alt``, which the browser puts into the spec's
    # ``description`` (Streamlit warns when both are given).
    send = {k: v for k, v in spec_.items() if k not in (META, "description")}
    extra = {k: v for k, v in (("key", key), ("on_select", on_select), ("selection_mode", selection_mode),
                               ("height", height)) if v is not None}
    # One container for the chart and its table: drawn into a placeholder (``where=``, or a
    # ``with placeholder:`` block) the pair still replaces the placeholder's one element.
    box = (where or st).container() if table and meta["tables"] else (where or st)
    box.vega_lite_chart(send, width="stretch", alt=text, **extra)
    if table and meta["tables"]:
        data_table(box, spec_, key)


def _table_key(spec_: dict, key: str | None) -> str:
    """A widget key for the chart's table expander that stays the same across reruns while
    the chart's kind and axes do (so an open table stays open as a slider moves): the
    caller's chart key, else the chart's signature numbered by its order among charts of the
    same signature in this run."""
    ctx = get_script_run_ctx()
    base = f"_gdl.table.{key or spec_[META]['sig']}"
    if ctx is None:
        return base
    n = 0
    while f"{base}.{n}" in ctx.shared.widget_user_keys_this_run:
        n += 1
    return f"{base}.{n}"


TABLE_ROWS = 60         # rows drawn as a real <table>; a longer dataset is thinned for it


def _nth(k: int) -> str:
    """2 → '2nd', 3 → '3rd', 11 → '11th', 21 → '21st'."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns as text with 4 significant figures (the tables' convention,
    ui.format.number_columns), 'diverged' for NaN/inf."""
    return df.assign(**{c: df[c].map(lambda v: fmt(v, 4)) for c in df.columns
                        if pd.api.types.is_float_dtype(df[c])})


def data_table(box, spec_: dict, key: str | None = None) -> None:
    """The "Data as a table" expander under a chart: closed, it is only a label; opened, it
    reruns and shows each dataset the marks draw, as the chart's columns with their titles.

    The numbers go in a real HTML table (st.table), which a screen reader reads cell by
    cell with its column headers — Streamlit's data grid is a canvas that screen readers
    cannot read. A dataset longer than :data:`TABLE_ROWS` is shown as every k-th row in the
    table, and in full in a data grid below it (whose toolbar downloads it as CSV)."""
    fold = box.expander(TABLE_LABEL, icon=":material/table:", key=_table_key(spec_, key), on_change="rerun")
    if not fold.open:
        return
    plans = spec_[META]["tables"]
    with fold:
        for plan in plans:
            df = _describe.frame_of(spec_["datasets"].get(plan["data"]))
            if df is None:
                continue
            cols = [f for f, _ in plan["columns"] if f in df.columns]
            df = df[cols].rename(columns=dict(plan["columns"])).reset_index(drop=True)
            what = plan["what"] if len(plans) > 1 else "The chart's data"
            if len(df) <= TABLE_ROWS:
                if len(plans) > 1:
                    st.caption(f"{what}: {len(df)} rows")
                st.table(_as_text(df), hide_index=True, alt=f"{what}: {len(df)} rows")
                continue
            step = -(-len(df) // TABLE_ROWS)
            st.caption(f"{what}: {len(df):,} rows — every {_nth(step)} row as a table; all rows in the grid "
                       "below it (its toolbar downloads them as CSV).")
            st.table(_as_text(df.iloc[::step]), hide_index=True, alt=f"{what}: every {_nth(step)} of {len(df)} rows")
            st.dataframe(df, hide_index=True, height=300, column_config=number_columns(df))
