"""ui.format: the one place that turns numbers and learner text into what a page shows."""
import math

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from ui import layout, params
from ui.format import f32, fmt, fmt_num, md_escape, number_columns, quote, short, tex


@pytest.mark.parametrize("value, text", [
    (0.0340846, "0.0341"),        # issue 14: the loss the gradient-descent page shows
    (1284.6, "1285"),             # a whole number keeps all its digits (issue 14 #3: "1284…")
    (123456.7, "123457"),
    (2.0, "2"), (-0.5, "-0.5"), (0.0, "0"), (1.99333, "1.99"), (0.45175737, "0.452"),
    (0.9996, "1"), (9.996, "10"), (999.6, "1000"),
    (0.00123, "0.00123"), (0.000123, "1.23e-4"), (1.23e-97, "1.23e-97"), (4.2e7, "4.2e7"),
    (-1.5e-8, "-1.5e-8"), (np.float32(0.1), "0.1"), (7, "7"),
])
def test_short_rounds_to_what_matters_and_the_whole_number_fits(value, text):
    assert short(value) == text


def test_short_never_says_a_wrong_magnitude():
    """Whatever it rounds, the text read back is within half a unit of the last shown digit."""
    rng = np.random.default_rng(0)
    for x in np.concatenate([10.0 ** rng.uniform(-3, 6, 500), -(10.0 ** rng.uniform(-3, 6, 200))]):
        s = short(x)
        assert len(s) <= 8, (x, s)
        assert math.isclose(float(s), x, rel_tol=0.006), (x, s)


def test_short_and_fmt_name_the_special_values():
    for f in (short, fmt):
        assert f(float("nan")) == "diverged" and f(float("inf")) == "diverged" and f(-np.inf) == "diverged"
        assert f(None) == "—" and f(pd.NA) == "—"
        assert f("n/a") == "n/a"
    assert short(float("nan"), diverged="—") == "—"


def test_fmt_is_the_text_formatter_pages_already_use():
    assert layout.fmt is fmt and params.quote is quote and params.fmt_num is fmt_num
    assert fmt(0.0340846) == "0.0340846"
    assert fmt(1.99333333333, 4) == "1.993"
    assert fmt(2.5e-7) == "2.50000e-07" and fmt(3e9, 3) == "3.00e+09"
    assert fmt_num(1 / 3) == "0.333333"


def test_f32_and_tex_show_what_a_float32_tensor_holds():
    assert f32(0.1) == "0.1" and f32(1 / 3) == "0.33333334"
    assert f32(float("nan")) == "diverged"
    assert tex(1e-20) == r"1\times 10^{-20}" and tex(0.5) == "0.5"
    assert tex(float("inf")) == r"\text{diverged}"


def test_number_columns_give_every_float_column_significant_figures():
    df = pd.DataFrame({"optimizer": ["SGD", "Adam"], "steps": [351, 338], "final loss": [0.00243304, 7.6e-4],
                       "η": [1e-3, 0.3]})
    cfg = number_columns(df, skip=["η"])
    assert set(cfg) == {"final loss"}
    assert cfg["final loss"]["type_config"]["format"] == "%.4g"
    over = st.column_config.NumberColumn("η", format="%.3g")
    cfg = number_columns(df, digits=3, **{"η": over})
    assert cfg["η"] is over and cfg["final loss"]["type_config"]["format"] == "%.3g"


def test_quote_and_md_escape_make_text_inert():
    q = quote("**bold** <img src=x onerror=alert(1)> `tick`")
    assert q.startswith("`") and q.endswith("`") and q.count("`") == 2
    e = md_escape("**x** [a](javascript:1) <b>")
    assert "**" not in e.replace("\\*", "") and "\\[" in e and "\\<b\\>" in e
