"""dlcore.tabular: a learner's CSV, read safely — good files in every common dialect, and
a corpus of bad ones that each get a plain message (never another exception)."""
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dlcore.tabular import (MAX_COLUMNS, MAX_ROWS, DataError, classification_data, read_table,
                            regression_data)

STUDY = "hours,score\n1,52\n2,55\n3,61\n4,70\n5,74\n"


@pytest.mark.parametrize("raw,delimiter,encoding", [
    (STUDY.encode(), ",", "UTF-8"),
    (b"\xef\xbb\xbf" + STUDY.encode(), ",", "UTF-8 (with BOM)"),
    (STUDY.replace(",", ";").encode(), ";", "UTF-8"),
    (STUDY.replace(",", "\t").encode(), "\t", "UTF-8"),
    (STUDY.replace("\n", "\r\n").encode(), ",", "UTF-8"),
    ('"hours","score"\n"1","52"\n"2","55"\n"3","61"\n"4","70"\n"5","74"\n'.encode(), ",", "UTF-8"),
])
def test_common_dialects_read_the_same_numbers(raw, delimiter, encoding):
    t = read_table(raw)
    assert (t.delimiter, t.encoding, t.header) == (delimiter, encoding, True)
    assert t.numeric == ("hours", "score")
    assert t.frame["score"].tolist() == [52.0, 55.0, 61.0, 70.0, 74.0]


def test_latin1_decimal_commas_and_thousands():
    raw = "durée;note\n1,5;52\n2;1.055,5\n3;61\n".encode("latin-1")
    t = read_table(raw)
    assert t.encoding == "Latin-1" and t.numeric == ("durée", "note")
    assert t.frame["durée"].tolist() == [1.5, 2.0, 3.0]
    assert t.frame["note"].tolist() == [52.0, 1055.5, 61.0]
    assert any("decimal comma" in n for n in t.notes)


def test_no_header_row_gets_column_names():
    t = read_table(b"1,52\n2,55\n3,61\n")
    assert not t.header and t.numeric == ("column 1", "column 2")


def test_quoted_fields_with_delimiters_inside():
    t = read_table(b'name,hours,score\n"Smith, Ann",1,52\n"Lee ""Jo""",2,55\n')
    assert t.text == ("name",) and t.frame["name"].tolist() == ["Smith, Ann", 'Lee "Jo"']


def test_missing_and_non_numeric_cells_are_dropped_and_counted():
    t = read_table(b"x,y\n1,2\n2,\n3,n/a\n4,8\n5,10\n6,12\n")
    assert any("1 cell(s) that are not numbers" in n for n in t.notes)
    data = regression_data(t)
    assert data.x == (1.0, 4.0, 5.0, 6.0) and data.y == (2.0, 8.0, 10.0, 12.0)
    assert any("2 row(s) with a missing value" in n and "4 kept" in n for n in data.notes)


def _bomb_line() -> bytes:
    return b"x,y\n" + b"1" * 20_000 + b",2\n"


BAD = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "too big": (b"x,y\n" + b"1,2\n" * 600_000, "at most 2 MB"),
    "csv bomb (one huge line)": (_bomb_line(), "at most 10,000 are allowed"),
    "too many rows": (b"x,y\n" + b"1,2\n" * (MAX_ROWS + 5), "at most 10,000 rows"),
    "too many columns": ((",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n"
                          + ",".join("1" for _ in range(MAX_COLUMNS + 1)) + "\n").encode(), "at most 50 are allowed"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    "header only": (b"hours,score\n", "no rows of data"),
    "overflow": (b"x,y\n1,2\n2,1e400\n", "too large to compute with"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_files_get_a_plain_message(name):
    raw, says = BAD[name]
    with pytest.raises(DataError) as err:
        read_table(raw)
    assert says in str(err.value)


@pytest.mark.parametrize("raw,says", [
    (b"x\n1\n2\n3\n", "two columns of numbers"),
    (b"name,y\nA,1\nB,2\n", "this table has 1"),
    (b"x,y\n1,2\n", "a line needs at least two"),
    (b"x,y\n3,2\n3,5\n3,7\n", "Every row has the same 'x'"),
    (b"x,y\n1,\n2,\n3,4\n", "Only 1 row(s)"),
])
def test_regression_needs_two_rows_and_an_x_that_varies(raw, says):
    with pytest.raises(DataError) as err:
        regression_data(read_table(raw))
    assert says in str(err.value)


def test_regression_columns_can_be_chosen():
    t = read_table(b"a,b,c\n1,10,5\n2,20,3\n3,30,1\n")
    d = regression_data(t, "c", "a")
    assert (d.x_name, d.y_name, d.x, d.y) == ("c", "a", (5.0, 3.0, 1.0), (1.0, 2.0, 3.0))
    with pytest.raises(DataError, match="two different columns"):
        regression_data(t, "a", "a")
    with pytest.raises(DataError, match="not a column of numbers"):
        regression_data(t, "zzz", "a")


def test_classification_one_hot_encodes_few_categories_and_drops_useless_columns():
    raw = (b"age,city,const,age_again,bought\n"
           b"25,Paris,1,25,yes\n40,Rome,1,40,no\n33,Paris,1,33,yes\n51,Oslo,1,51,no\n29,Rome,1,29,yes\n")
    d = classification_data(read_table(raw), "bought", positive="yes")
    assert d.feature_names == ("age", "city = Paris", "city = Rome")
    assert d.positive == "yes" and d.labels.tolist() == [1, 0, 1, 0, 1]
    np.testing.assert_array_equal(d.features[:, 1], [1, 0, 1, 0, 0])
    notes = " ".join(d.notes)
    assert "one-hot encoded" in notes and "'const' has the same value" in notes and "repeats an earlier" in notes


@pytest.mark.parametrize("raw,says", [
    (b"x,label\n1,a\n2,a\n3,a\n4,a\n", "exactly two values; it has 1"),
    (b"x,label\n1,a\n2,b\n3,c\n4,a\n", "exactly two values; it has 3"),
    (b"x,label\n1,a\n2,b\n", "at least 4"),
    (b"id,label\n" + b"".join(f"u{i},{i % 2}\n".encode() for i in range(20)), "No usable feature columns"),
])
def test_classification_refuses_labels_and_features_it_cannot_use(raw, says):
    with pytest.raises(DataError) as err:
        classification_data(read_table(raw), "label")
    assert says in str(err.value)


def test_random_bytes_never_escape_as_another_exception():
    rng = random.Random(20261206)
    for _ in range(300):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            read_table(raw)
        except DataError:
            pass


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,;\t\n\"-eE xyab")), max_size=400))
def test_any_table_like_text_is_read_or_refused_plainly(text):
    try:
        t = read_table(text.encode())
    except DataError:
        return
    assert len(t.frame.columns) == len(t.numeric) + len(t.text)
    for name in t.numeric:
        try:
            regression_data(t, name)
        except DataError:
            pass
