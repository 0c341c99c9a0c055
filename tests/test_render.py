"""ui.charts.render: one cache of finished chart specs — keyed on the builder and its
arguments, or on an identity the caller gives — equal to converting the chart directly."""
import altair as alt
import pandas as pd
import pyarrow as pa

from ui.charts import render

CALLS: list = []


def line(df: pd.DataFrame, title: str = "") -> alt.Chart:
    """A module-level builder (the cache looks builders up by name)."""
    CALLS.append(title)
    return alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q").properties(title=title)


def _frame(k: float) -> pd.DataFrame:
    return pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, k, 2 * k]})


def _data(spec: dict) -> list[pd.DataFrame]:
    return [pa.ipc.open_stream(v).read_all().to_pandas() if isinstance(v, bytes) else pd.DataFrame(v)
            for v in spec["datasets"].values()]


def test_cached_spec_equals_the_directly_converted_chart_and_is_built_once():
    render._cached_spec.clear()
    CALLS.clear()
    a = render.cached_spec(line, _frame(3.0), title="t1")
    b = render.cached_spec(line, _frame(3.0), title="t1")       # an equal frame, built again: a hit
    assert CALLS == ["t1"] and a == b
    direct = render.frozen_spec(line(_frame(3.0), title="t1"))
    assert a["mark"] == direct["mark"] and a["encoding"] == direct["encoding"] and a["title"] == "t1"
    pd.testing.assert_frame_equal(_data(a)[0], _frame(3.0))
    render.cached_spec(line, _frame(4.0), title="t1")           # other data: built again
    assert CALLS.count("t1") == 3


def test_ident_keys_the_cache_without_hashing_the_arguments():
    render._cached_spec.clear()
    CALLS.clear()
    a = render.cached_spec(line, _frame(1.0), title="id", ident=("run", 1))
    b = render.cached_spec(line, _frame(9.0), title="id", ident=("run", 1))   # same identity: same chart
    c = render.cached_spec(line, _frame(9.0), title="id", ident=("run", 2))
    assert CALLS == ["id", "id"]
    pd.testing.assert_frame_equal(_data(b)[0], _frame(1.0))
    pd.testing.assert_frame_equal(_data(c)[0], _frame(9.0))
    assert a == b


def test_frozen_spec_keeps_data_as_arrow_and_each_frame_once():
    df = _frame(2.0)
    layered = alt.layer(line(df), alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q"))
    s = render.frozen_spec(layered)
    assert len(s["datasets"]) == 1 and all(isinstance(v, bytes) for v in s["datasets"].values())


def test_fit_chart_owns_its_x_range_and_draws_extra_fits_across_it():
    from ui.charts.core import fit_chart, fit_x_range

    pts = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.0]})
    lo, hi = fit_x_range(pts)
    assert (lo, hi) == (1.0 - 0.08 * 3, 4.0 + 0.08 * 3)
    s = render.spec(fit_chart(pts, 2.0, 0.0, extra_fits=(("gradient descent", 1.5, 0.5),)))
    lines = next(df for df in s["datasets"].values() if "label" in df.columns)
    gd = lines[lines["label"] == "gradient descent"]
    assert gd["x"].tolist() == [lo, hi] and gd["y"].tolist() == [1.5 * lo + 0.5, 1.5 * hi + 0.5]
    assert lines[lines["label"] == "your line"]["x"].tolist() == [lo, hi]
