"""Helpers for AppTest-based page tests: run a page, read what its charts draw.

Streamlit sends an Altair chart as a Vega-Lite spec plus named Arrow datasets; these
helpers decode both so a test can check the numbers a chart really shows."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_page(page_file: str | None = None, timeout: float = 90, **query) -> AppTest:
    """app.py opened at app_pages/<page_file> (or Home) with these URL query parameters,
    like a browser following a shared link.

    AppTest can only resolve a page registered by st.navigation with its url_path after a
    first run (before it, switch_page goes by file name), so the app runs once with an empty
    URL; then the query is set — as the link's — and the page opened. Home must not see the
    query: it would treat keys it shares with the page (e.g. lr) as its own."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if page_file:
        at.run()
        at.switch_page(str(ROOT / "app_pages" / page_file))
    for k, v in query.items():
        at.query_params[k] = str(v)
    at.run()
    return at


run_page = open_page


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_datasets(at: AppTest) -> list[pd.DataFrame]:
    """Every dataset of every Altair chart on the page, as DataFrames."""
    out = []
    for c in at.get("vega_lite_chart"):
        for ds in c.proto.datasets:
            out.append(convert_arrow_bytes_to_pandas_df(ds.data.data))
    return out


def find_dataset(at: AppTest, columns: set[str], without: set[str] = frozenset()) -> pd.DataFrame:
    """The first chart dataset having all of ``columns`` and none of ``without``."""
    for df in chart_datasets(at):
        if columns <= set(df.columns) and not (without & set(df.columns)):
            return df
    raise AssertionError(f"no chart dataset with columns {sorted(columns)}")


def page_text(at: AppTest) -> str:
    """All markdown/caption/alert/metric text on the page, joined."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "latex", "title", "header",
                 "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.get("metric")]
    return "\n".join(parts)
