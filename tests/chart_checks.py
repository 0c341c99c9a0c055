"""Checks on what AppTest charts really draw: every value a chart puts on a quantitative
position channel (x, y, x2, y2) is finite — diverged runs must end in a marker, never in NaN/inf."""
from __future__ import annotations

import json

import numpy as np
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

POSITION = ("x", "y", "x2", "y2")


def _layers(spec: dict):
    yield spec
    for child in spec.get("layer", []):
        yield from _layers(child)


def drawn_columns(at) -> list[tuple[str, str, np.ndarray]]:
    """(dataset name, field, values) for every positional field of every chart layer."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        data = {ds.name: convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in chart.proto.datasets}
        for layer in _layers(spec):
            name = (layer.get("data") or {}).get("name")
            if name not in data:
                continue
            df = data[name]
            for ch in POSITION:
                enc = (layer.get("encoding") or {}).get(ch)
                if not isinstance(enc, dict) or enc.get("type") not in (None, "quantitative"):
                    continue
                field = enc.get("field")
                if field in df.columns:
                    out.append((name, field, df[field].to_numpy(dtype=float)))
    return out


def assert_drawn_finite(at) -> None:
    cols = drawn_columns(at)
    assert cols, "no chart data found"
    for name, field, values in cols:
        assert np.isfinite(values).all(), f"chart dataset {name}: non-finite values in {field!r}"


def assert_charts_described(at) -> None:
    """Every chart AppTest saw carries its text alternative (Streamlit's ``alt``: the sentence
    ui.charts.render gives every chart) and has its "Data as a table" view (issue 19)."""
    from ui.charts.render import TABLE_LABEL
    charts = at.get("vega_lite_chart")
    assert charts, "no chart found"
    for i, c in enumerate(charts):
        assert len(c.proto.alt.strip()) > 20, f"chart {i} has no text alternative: {c.proto.alt!r}"
    tables = [e for e in at.expander if e.label == TABLE_LABEL]
    assert len(tables) >= len(charts), f"{len(charts)} charts but {len(tables)} table views"
