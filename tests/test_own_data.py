"""The shared own-data box (ui/own_data.py) on a tiny page run by Streamlit's AppTest:
the real st.file_uploader and the paste form, the notes, the session, the link.

Reference values are the CSV's own numbers (pandas reads the same bytes), never the
code under test."""
import io
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dlcore.tabular import MAX_BYTES, read_table
from ui.own_data import LINK_CHARS, decode_link, encode_link

SMALL = b"hours,score\n10,480\n20,520\n30,710\n40,680\n"


def _script():
    import streamlit as st

    from ui.own_data import data_param, own_regression, own_table, xy_params
    from ui.params import PageState, Param

    state = PageState("t", [Param("lr", 0.01, lo=1e-4, hi=1.0, label="lr"), data_param(), *xy_params()])
    own = own_table(state, reset=("x", "y"))
    if own is None:
        st.markdown("DATA built-in")
    else:
        data = own_regression(state, own)
        if data is not None:
            st.markdown(f"DATA {own.source} x={data.x_name} y={data.y_name} n={len(data.x)} "
                        f"sum_x={sum(data.x)!r} sum_y={sum(data.y)!r} link={own.in_link}")
    state.finish()


def _app(**query) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("DATA"))


def _paste(at, text: str) -> AppTest:
    at.text_area[0].input(text)
    at.button[0].click()         # the form's "Use the pasted table"
    return at.run()


def _messages(at) -> str:
    """Every message on the page, markdown escapes removed (the page escapes punctuation)."""
    text = "\n".join(e.value for e in [*at.error, *at.warning, *at.info, *at.success, *at.caption])
    return re.sub(r"\\(.)", r"\1", text)


def test_upload_through_the_file_uploader_uses_the_file():
    at = _app()
    assert _line(at) == "DATA built-in"
    at.file_uploader[0].upload("study.csv", SMALL, "text/csv")
    at.run()
    assert not at.exception
    ref = pd.read_csv(io.BytesIO(SMALL))
    assert _line(at) == (f"DATA your file `study.csv` x=hours y=score n=4 sum_x={float(ref.hours.sum())!r} "
                         f"sum_y={float(ref.score.sum())!r} link=True")
    # the data is in the link, compact, and reads back to the same numbers
    assert at.query_params["data"] == "hours,score;10,480;20,520;30,710;40,680"
    # it survives reruns (the uploader keeps the file; a rerun does not re-read it)
    at.run()
    assert "your file" in _line(at)


def test_paste_a_table_with_semicolons_and_decimal_commas_shows_the_note():
    at = _paste(_app(), "a;b;c\n1,5;2;7\n2,5;4;8\n3,5;7;9\n;1;1\n")
    assert not at.exception
    line = _line(at)
    assert "the pasted table" in line and "x=a y=b" in line
    assert "n=3" in line                              # the row with a missing a was left out
    assert f"sum_x={1.5 + 2.5 + 3.5!r}" in line
    text = _messages(at)
    assert "decimal comma" in text and "1 row(s) with a missing value" in text


def test_choose_other_columns():
    at = _paste(_app(), "a,b,c\n1,2,30\n2,4,10\n3,7,20\n")
    at.selectbox(key="t.x").select("c").run()
    assert "x=c y=b" in _line(at) and "sum_x=60.0" in _line(at) and "sum_y=13.0" in _line(at)
    assert at.query_params["x"] == "c" and at.query_params["y"] == "b"
    at.selectbox(key="t.x").select("b").run()
    assert "x=b y=a" in _line(at)                     # x took y's column: y moves to the first other one


@pytest.mark.parametrize("raw, says", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    (b"a," * 20_000 + b"\n1,2\n", "characters"),                # a CSV bomb: one huge line
    (b"name,city\nann,paris\nbob,rome\n", "two columns of numbers"),
    (b"x,y\n1,2\n", "at least two"),
    (b"x,y\n3,1\n3,2\n3,5\n", "same"),
    (b"", "empty"),
])
def test_bad_files_give_a_message_and_keep_the_data_in_use(raw, says):
    at = _paste(_app(), "p,q\n1,1\n2,3\n")
    before = _line(at)
    at.file_uploader[0].upload("bad.csv", raw, "text/csv")
    at.run()
    assert not at.exception
    text = _messages(at)
    assert says in text, text
    assert "Traceback" not in text and "/work" not in text and ".py" not in text
    if says in ("two columns of numbers", "at least two", "same"):
        return              # readable tables: they replace the data, and the fit explains what is wrong
    assert _line(at) == before


def test_random_bytes_never_raise():
    rng = np.random.default_rng(7)
    at = _app()
    for i in range(5):
        at.file_uploader[0].set_value((f"r{i}.csv", rng.integers(0, 256, 3000, dtype=np.uint8).tobytes(), "text/csv"))
        at.run()
        assert not at.exception


def test_too_large_file_is_refused_on_the_server():
    at = _app()
    at.file_uploader[0].upload("big.csv", b"x,y\n" + b"1,2\n" * (MAX_BYTES // 4 + 10), "text/csv")
    at.run()
    assert not at.exception
    assert "at most 2 MB" in _messages(at)
    assert _line(at) == "DATA built-in"


def test_large_data_is_kept_but_not_put_in_the_link():
    rows = "\n".join(f"{i},{2 * i + 1}" for i in range(300))
    at = _paste(_app(), "x,y\n" + rows)
    assert "n=300" in _line(at) and "link=False" in _line(at)
    assert at.query_params["data"].startswith("@")
    assert "carries the settings but not the data" in _messages(at)
    # whoever opens that link is told the data did not travel with it
    other = _app(data=at.query_params["data"])
    assert _line(other) == "DATA built-in"
    assert "too large to travel in a link" in _messages(other)


def test_the_link_carries_small_data_back():
    at = _app(data="hours,score;10,480;20,520;30,710;40,680", y="hours", x="score")
    assert not at.exception
    assert _line(at) == "DATA the link x=score y=hours n=4 sum_x=2390.0 sum_y=100.0 link=True"


def test_a_bad_link_value_is_a_note_and_the_built_in_data():
    at = _app(data="a,b")              # a header, no rows
    assert not at.exception
    assert _line(at) == "DATA built-in"
    assert "could not be used" in _messages(at)


def test_built_in_again_forgets_the_data_and_empties_the_uploader():
    at = _app()
    at.file_uploader[0].upload("study.csv", SMALL, "text/csv")
    at.run()
    at.selectbox(key="t.x").select("score").run()
    at.button(key="_gdl_own.t.data#drop").click().run()
    assert _line(at) == "DATA built-in"
    assert "data" not in at.query_params and "x" not in at.query_params
    assert at.file_uploader[0].value is None       # a new, empty uploader
    at.run()
    assert _line(at) == "DATA built-in"


def test_encode_link_round_trips_exactly_and_refuses_what_does_not_fit():
    t = read_table(b"a,b\n0.1,1e-07\n-2.5,123456789.125\n3,\n")
    text = encode_link(t)
    assert text and len(text) <= LINK_CHARS
    back = decode_link(text)
    assert back.frame.equals(t.frame)
    big = read_table(("x,y\n" + "\n".join(f"{i}.5,{i}" for i in range(200))).encode())
    assert encode_link(big) == ""
    odd = read_table('"a;b",c\n1,2\n3,4\n'.encode())
    assert encode_link(odd) == ""                  # a name with the row separator stays out of links


def test_a_link_can_lock_the_data():
    """A teacher's link with ?lock=data: the learner sees the link's table and no uploader."""
    at = _app(data="hours,score;10,480;20,520;30,710;40,680", lock="data")
    assert not at.exception
    assert "DATA the link x=hours y=score n=4" in _line(at)
    assert len(at.file_uploader) == 0 and "fixes the data" in _messages(at)
