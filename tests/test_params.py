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


# ---- PageState's public methods, on tiny scripts run by Streamlit's AppTest -------------------
from streamlit.testing.v1 import AppTest  # noqa: E402


def _state_script():
    import streamlit as st

    from ui.params import PageState, Param

    state = PageState("t", [Param("x", 1.0, lo=0.0, hi=10.0, label="x"),
                            Param("n", 3, kind="int", lo=1, hi=9, label="n"),
                            Param("tab", "race", kind="choice", choices=("race", "batch"),
                                  aliases=(("Optimizer race", "race"),), legacy_keys=("view",))])
    if st.session_state.get("try_set"):
        state.set("n", 8)                          # e.g. a lesson's "Set up"
    st.markdown(f"current={state.current('x')} held={state['x']} tab={state['tab']}")
    st.caption(f"entering={state.entering} linked={sorted(state.linked)}")
    st.button("reset", key="reset", on_click=state.reset)
    st.button("reset n", key="reset_n", on_click=state.reset, args=(["n"],))
    state.slider("x", "x")
    if st.session_state.get("show_n", True):
        state.number_input("n", "n")
    if st.button("jump", key="jump"):            # a click handled after the slider is drawn
        state.set_pending("x", 9.0)
        st.rerun()
    state.finish()


def _app(**query) -> AppTest:
    at = AppTest.from_function(_state_script, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("current="))


def test_current_is_the_value_the_widget_holds_before_it_is_drawn():
    at = _app()
    at.slider(key="t.x").set_value(7.0).run()
    # state["x"] is still the last run's value until the slider is drawn; current() is already 7.
    assert _line(at).startswith("current=7.0 held=1.0")
    at.run()                                       # nothing moved: both agree
    assert _line(at).startswith("current=7.0 held=7.0")


def test_reset_puts_every_setting_back_to_its_default_and_clears_the_url():
    at = _app(x="4", n="5")
    assert at.slider(key="t.x").value == 4.0 and at.number_input(key="t.n").value == 5
    at.button(key="reset_n").click().run()
    assert at.number_input(key="t.n").value == 3 and at.slider(key="t.x").value == 4.0
    assert at.query_params["x"] in ("4", ["4"]) and "n" not in at.query_params
    at.button(key="reset").click().run()
    assert at.slider(key="t.x").value == 1.0
    assert "x" not in at.query_params and "n" not in at.query_params


def test_reset_also_resets_a_setting_whose_widget_is_not_on_screen():
    at = _app(n="5")
    at.session_state["show_n"] = False
    at.run()
    at.button(key="reset").click().run()
    at.session_state["show_n"] = True
    at.run()
    assert at.number_input(key="t.n").value == 3 and "n" not in at.query_params


def test_set_pending_reaches_a_widget_already_drawn():
    at = _app()
    at.button(key="jump").click().run()
    assert not at.exception
    assert at.slider(key="t.x").value == 9.0
    assert at.query_params["x"] in ("9", ["9"])


def test_old_link_names_and_values_are_accepted_and_rewritten():
    at = _app(view="batch")
    assert "tab=batch" in _line(at)
    assert not at.warning                          # no "unknown link setting" note for the old name
    assert "view" not in at.query_params and at.query_params["tab"] in ("batch", ["batch"])
    at = _app(tab="optimizer RACE", x="2")
    assert "tab=race" in _line(at) and not at.warning
    assert "tab" not in at.query_params            # the default tab leaves the URL


def test_aliases_map_old_choice_values_without_a_note():
    p = Param("tab", "article", kind="choice", choices=("article", "curves"),
              aliases=(("Article's table", "article"), ("Loss curves", "curves")))
    assert p.parse("Loss curves") == ("curves", None)
    assert p.parse("loss CURVES ") == ("curves", None)
    assert p.parse("curves") == ("curves", None)
    v, note = p.parse("Range test")
    assert v == "article" and note


def _follow_script():
    import streamlit as st

    from ui.params import PageState, Param

    state = PageState("f", [Param("hi", 10, kind="int", lo=0, hi=100, label="hi"),
                            Param("ep", -1, kind="int", lo=-1, hi=100, label="epoch shown"),
                            Param("e", 0, kind="int", lo=0, hi=100, label="epoch")])
    hi = state.number_input("hi", "hi")
    ep = state.follow_slider("ep", "ep", 0, hi, end=-1)
    e = state.follow_slider("e", "e", 0, hi)
    st.markdown(f"ep={ep} e={e}")
    if st.button("end", key="end"):
        state.set_pending("ep", -1)
        st.rerun()
    state.finish()


def _follow(**query) -> AppTest:
    at = AppTest.from_function(_follow_script, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ep_e(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("ep="))


def test_follow_slider_keeps_its_value_when_the_range_moves():
    at = _follow()
    assert _ep_e(at) == "ep=-1 e=0" and at.slider(key="f.ep").value == 10     # -1 shows as the last
    at.slider(key="f.e").set_value(7).run()
    at.number_input(key="f.hi").set_value(20).run()
    # A wider range: "the last" stays the last; a plain value stays where it was.
    assert _ep_e(at) == "ep=-1 e=7" and at.slider(key="f.ep").value == 20 and at.slider(key="f.e").value == 7
    assert at.slider(key="f.ep").max == 20
    at.number_input(key="f.hi").set_value(5).run()
    assert _ep_e(at) == "ep=-1 e=5" and at.slider(key="f.e").value == 5      # clamped into the new range
    assert not at.warning and at.query_params["e"] in ("5", ["5"]) and "ep" not in at.query_params


def test_follow_slider_moved_off_the_end_and_back():
    at = _follow()
    at.slider(key="f.ep").set_value(4).run()
    assert _ep_e(at).startswith("ep=4") and at.query_params["ep"] in ("4", ["4"])
    at.number_input(key="f.hi").set_value(30).run()
    assert _ep_e(at).startswith("ep=4") and at.slider(key="f.ep").value == 4
    at.button(key="end").click().run()                       # a pending value, set after the slider is drawn
    assert _ep_e(at).startswith("ep=-1") and at.slider(key="f.ep").value == 30
    assert "ep" not in at.query_params


def test_follow_slider_from_a_link_and_an_empty_range():
    at = _follow(hi="50", ep="60", e="30")
    assert _ep_e(at) == "ep=-1 e=30" and at.slider(key="f.ep").value == 50   # past the end shows the end
    at = _follow(hi="0", e="30")
    assert _ep_e(at) == "ep=-1 e=0" and not at.slider


def test_state_says_which_settings_came_from_the_link():
    at = _app(view="batch", x="3", junk="1")
    assert at.caption[0].value == "entering=True linked=['tab', 'x']"
    at.run()
    assert at.caption[0].value == "entering=False linked=[]"



# ---- links that shape a page: ?hide=…&lock=… (issue 16) -----------------------------------------
def test_hidden_settings_are_not_drawn_and_locked_ones_cannot_change():
    at = _app(hide="x", lock="n", x="4", n="5")
    assert not at.slider                                   # hidden: no widget at all
    assert _line(at).startswith("current=4.0 held=4.0")    # …but the link's value is used
    n = at.number_input(key="t.n")
    assert n.disabled and n.value == 5
    assert not at.warning
    at.session_state["t.n"] = 7                            # a crafted message (AppTest, like a browser,
    at.run()                                               # cannot move a disabled widget)
    assert at.number_input(key="t.n").value == 5 and at.query_params["n"] in ("5", ["5"])
    at.button(key="reset").click().run()                   # reset leaves what the link fixed
    assert at.number_input(key="t.n").value == 5 and _line(at).startswith("current=4.0")
    assert at.query_params["hide"] in ("x", ["x"]) and at.query_params["lock"] in ("n", ["n"])
    at.session_state["try_set"] = True
    at.run()
    assert at.number_input(key="t.n").value == 5
    assert "locked by this link" in at.warning[0].value


def test_shaping_keys_are_validated_and_the_class_key_is_accepted():
    at = _app(hide="nope,x", lock="tab", **{"class": "ABC123"})
    assert not at.slider
    text = at.warning[0].value
    assert "nope" in text and "tab" in text and "unknown" not in text.lower()
    at = _app(**{"class": "ABC123", "embed": "true"})
    assert not at.warning


def test_a_locked_follow_slider_shows_the_links_value_disabled():
    at = _follow(hi="20", e="12", lock="e", hide="ep")
    s = at.slider(key="f.e")
    assert s.disabled and s.value == 12 and len(at.slider) == 1
    assert _ep_e(at) == "ep=-1 e=12"
    at.session_state["f.e"] = 3                            # a crafted value for the disabled slider
    at.run()
    assert _ep_e(at) == "ep=-1 e=12" and at.query_params["e"] in ("12", ["12"])


def test_a_real_page_honours_hide_and_lock():
    from tests.apptest_helpers import open_page

    at = open_page("gradient_descent.py", hide="lr", lock="epochs", epochs="50", lr="0.05")
    assert not at.exception, [e.value for e in at.exception]
    assert not [w for w in at.select_slider if w.key == "gd.lr"]
    ep = at.number_input(key="gd.epochs")
    assert ep.disabled and ep.value == 50
    assert any("η = 0.05" in m.value for m in [*at.markdown, *at.info, *at.warning, *at.error])
