"""ui.charts.render: one cache of finished chart specs — keyed on the builder and its
arguments, or on an identity the caller gives — equal to converting the chart directly."""
import altair as alt
import numpy as np
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


# ---- every chart's text alternative and table view (issue 19) ------------------------

TABLE_APP = '''
import pandas as pd
import streamlit as st
from tests.test_render import line
from ui.charts import render

k = st.session_state.get("k", 3.0)
df = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, k, 2 * k]})
render.chart(line, df, title="t")
render.chart(line, df, title="t", description=st.session_state.get("said"))
ph = st.empty()
render.show(render.cached_spec(line, df, title="p"), where=ph)
with st.empty():              # a placeholder used as a context holds the chart and its table too
    render.chart(line, df, title="ctx")
render.show(render.cached_spec(line, df, title="frame"), table=False)
'''


def _app():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_string(TABLE_APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _table_keys(at) -> list[str]:
    return sorted(k for k in at.session_state.keys() if str(k).startswith("_gdl.table."))


def test_a_cached_spec_carries_its_description_and_table_plan_and_the_browser_gets_neither_key():
    render._cached_spec.clear()
    s = render.cached_spec(line, _frame(3.0), title="t")
    assert s["description"] == "t. Line chart of y against x: rises from 0 to 6 over x 0 to 2."
    assert s[render.META]["tables"][0]["columns"] == [("x", "x"), ("y", "y")]
    at = _app()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 5
    import json
    for c in charts:
        sent = json.loads(c.proto.spec)
        assert render.META not in sent and "description" not in sent     # the text goes as alt
    assert charts[0].proto.alt == "t. Line chart of y against x: rises from 0 to 6 over x 0 to 2."
    assert charts[1].proto.alt == charts[0].proto.alt                    # no description given: the auto one
    at.session_state["said"] = "Loss rises from 0 to 6."
    at.run()
    assert at.get("vega_lite_chart")[1].proto.alt == "Loss rises from 0 to 6."


def test_every_chart_has_a_closed_table_view_that_opens_with_the_charts_numbers():
    at = _app()
    # four charts with a table (the animation frame has none), all closed: no data sent
    assert [e.label for e in at.expander] == [render.TABLE_LABEL] * 4
    assert len(at.table) == 0 and len(at.dataframe) == 0
    keys = _table_keys(at)
    assert len(keys) == 4 and len(set(keys)) == 4
    at.session_state[keys[0]] = True
    at.session_state["k"] = 5.0              # new numbers: the same key, still open
    at.run()
    assert _table_keys(at) == keys and not at.exception
    # a real table (screen readers read its cells), numbers to 4 significant figures
    assert len(at.table) == 1 and len(at.dataframe) == 0
    shown = at.table[0].value
    pd.testing.assert_frame_equal(shown.reset_index(drop=True),
                                  pd.DataFrame({"x": [f"{v:.4g}" for v in (0.0, 1.0, 2.0)],
                                                "y": [f"{v:.4g}" for v in (0.0, 5.0, 10.0)]}), check_dtype=False)


LONG_APP = '''
import numpy as np, pandas as pd, streamlit as st
from tests.test_render import line
from ui.charts import render
df = pd.DataFrame({"x": np.arange(150.0), "y": np.arange(150.0) ** 2})
render.chart(line, df, title="long")
'''


def test_a_long_dataset_opens_as_every_kth_row_in_a_table_and_all_rows_in_a_grid():
    from streamlit.testing.v1 import AppTest
    from tests.chart_checks import assert_charts_described
    at = AppTest.from_string(LONG_APP, default_timeout=60)
    at.run()
    assert_charts_described(at)
    at.session_state[_table_keys(at)[0]] = True
    at.run()
    step = -(-150 // render.TABLE_ROWS)                      # 3: rows 0, 3, 6, ...
    table = at.table[0].value.reset_index(drop=True)
    assert table["x"].tolist() == [f"{v:.4g}" for v in np.arange(0.0, 150.0, step)]
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 150
    assert step == 3 and "150 rows — every 3rd row as a table" in at.caption[0].value


def test_the_table_names_columns_by_the_charts_titles():
    df = pd.DataFrame({"step": [0, 1], "loss": [2.0, 1.0], "label": ["SGD", "SGD"], "run": [0, 0],
                       "diverged": [False, False]})
    from ui.charts.core import loss_chart
    s = render.frozen_spec(loss_chart(df, x_title="epoch", y_title="loss (MSE)", legend_title="optimizer"))
    assert dict(s[render.META]["tables"][0]["columns"]) == {"label": "optimizer", "step": "epoch",
                                                            "loss": "loss (MSE)"}
