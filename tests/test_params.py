"""ui.params: every value from a URL or a widget becomes a valid setting or the default,
with a note — never an exception, never a value outside the declared bounds."""
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ui.params import MAX_RAW, Param, log_options, quote

LR = Param("lr", 0.01, lo=1e-5, hi=2.0, label="learning rate")
EPOCHS = Param("epochs", 100, kind="int", lo=1, hi=5000, label="epochs")
LOG = Param("log", False, kind="bool")
OPT = Param("opt", "SGD", kind="choice", choices=("SGD", "Adam", "RMSprop"))
HIDDEN = Param("hidden", [4], kind="ints", lo=1, hi=64, min_items=0, max_items=12)
DATA = Param("x", [10.0, 20.0], kind="floats", lo=-1e6, hi=1e6, min_items=2, max_items=50)
MULTI = Param("opts", ["SGD", "Adam"], kind="multi", choices=("SGD", "Adam", "RMSprop"), min_items=2)
SNAP = Param("rate", 0.1, lo=0.05, hi=1.05, options=(0.05, 0.1, 0.2, 0.5, 1.0, 1.05))
TEXT = Param("f", "x**2 + y**2", kind="text", max_len=200)
ALL = [LR, EPOCHS, LOG, OPT, HIDDEN, DATA, MULTI, SNAP, TEXT]


def valid(p: Param, v) -> bool:
    if p.kind == "float":
        ok = isinstance(v, float) and math.isfinite(v) and p.lo <= v <= p.hi
        return ok and (not p.options or v in p.options)
    if p.kind == "int":
        return isinstance(v, int) and not isinstance(v, bool) and p.lo <= v <= p.hi
    if p.kind == "bool":
        return isinstance(v, bool)
    if p.kind == "choice":
        return v in p.choices
    if p.kind == "text":
        return isinstance(v, str) and len(v) <= p.max_len and all(c.isprintable() or c in "\n\t" for c in v)
    if p.kind in ("ints", "floats"):
        typ = int if p.kind == "ints" else float
        return (isinstance(v, list) and p.min_items <= len(v) <= p.max_items
                and all(isinstance(x, typ) and p.lo <= x <= p.hi for x in v))
    if p.kind == "multi":
        return isinstance(v, list) and len(v) >= p.min_items and all(x in p.choices for x in v) \
            and len(set(v)) == len(v)
    raise AssertionError(p.kind)


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=500))
def test_any_url_text_gives_a_valid_value(raw):
    for p in ALL:
        v, note = p.parse(raw)
        assert valid(p, v), (p.key, raw, v)
        assert note is None or isinstance(note, str)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                       st.text(max_size=50), st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=5)),
                                                      max_size=80)))
def test_any_widget_value_is_cleaned(value):
    """Widget values are untrusted too (a crafted websocket message can send anything)."""
    for p in ALL:
        v, note = p.clean(value)
        assert valid(p, v), (p.key, value, v)


def test_hostile_numbers_fall_back_with_a_note():
    for raw in ["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "abc", "", " ", "0x10", "1,5"]:
        v, note = LR.parse(raw)
        assert valid(LR, v)
        assert note, raw
    assert LR.parse("1e308") == (2.0, LR.parse("1e308")[1])          # clamped to the maximum, not the default
    assert LR.parse("-3")[0] == 1e-5
    assert LR.parse("nan")[0] == 0.01                                 # not a number → the default
    assert EPOCHS.parse("1e12")[0] == 5000
    assert EPOCHS.parse("12.7")[0] == 13 and EPOCHS.parse("12.7")[1]
    assert EPOCHS.parse("250") == (250, None)


def test_valid_values_pass_unchanged_and_round_trip_through_the_url():
    cases = [(LR, 0.0123), (EPOCHS, 777), (LOG, True), (OPT, "Adam"), (HIDDEN, [8, 8, 3]), (DATA, [1.5, -2.0, 3e4]),
             (MULTI, ["RMSprop", "SGD"]), (SNAP, 0.5), (TEXT, "sin(x)*cos(y)")]
    for p, v in cases:
        assert p.clean(v) == (v, None)
        assert p.parse(p.encode(v)) == (v, None), p.key


def test_choices_lists_and_snapping():
    assert OPT.parse("adam") == ("Adam", None)                           # case-insensitive
    assert OPT.parse("<script>alert(1)</script>")[0] == "SGD"
    assert HIDDEN.parse("4,x,8")[0] == [4, 8] and HIDDEN.parse("4,x,8")[1]
    assert HIDDEN.parse(",".join(["2"] * 100))[0] == [2] * 12            # at most 12 layers
    assert HIDDEN.parse("0,1000")[0] == [1, 64]                          # widths clamped
    assert DATA.parse("5")[0] == [10.0, 20.0]                             # fewer than 2 points → default
    assert MULTI.parse("SGD,SGD,Nope,Adam") [0] == ["SGD", "Adam"]
    assert SNAP.parse("0.47") == (0.5, SNAP.parse("0.47")[1]) and SNAP.parse("0.47")[1]
    assert SNAP.parse("0.2") == (0.2, None)


def test_overlong_and_control_characters():
    assert LR.parse("1" * (MAX_RAW + 1))[0] == 0.01
    v, note = TEXT.clean("x" * 500)
    assert len(v) == 200 and note
    assert TEXT.clean("x\x00+\x1by")[0] == "x+y"


def test_quote_makes_learner_text_inert_markdown():
    q = quote("**bold** <img src=x onerror=alert(1)> `tick`")
    assert q.startswith("`") and q.endswith("`") and q.count("`") == 2   # one code span, no way out of it
    assert len(quote("a" * 1000)) < 60
    assert quote("") == "`(empty)`"


def test_log_options_are_sorted_and_within_bounds():
    opts = log_options(1e-4, 0.5)
    assert list(opts) == sorted(opts) and opts[0] == 1e-4 and opts[-1] == 0.5
    assert 0.01 in opts and 0.002 in opts and 0.05 in opts


def test_snapping_near_zero_keeps_small_values():
    """A slider offering 0 and 1-2-5 values: 0.03 is nearest 0.02/0.05 by ratio, not 0."""
    p = Param("l1", 0.0, lo=0.0, hi=1.0, options=(0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1))
    assert p.parse("0.03")[0] == 0.02
    assert p.parse("0.0004")[0] == 0.0          # below half the smallest positive option
    assert p.parse("0.0006")[0] == 0.001
    assert p.parse("0")[0] == 0.0
