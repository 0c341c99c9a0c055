"""ui.sections: URL-bound lazy tabs (one `tab` parameter with short slugs, old links still
open the same tab) and fragments that keep the URL in step — AppTest on a tiny page."""
from streamlit.testing.v1 import AppTest

from ui.sections import Tab, tab_param


def _page():
    import streamlit as st

    from ui.params import PageState, Param
    from ui.sections import Tab, fragment, lazy_tabs, tab_param

    tabs = (Tab("race", ":material/sports_score: Optimizer race"),
            Tab("curves", "Loss curves", aliases=("Loss curve",)),
            Tab("restarts", "Random restarts"))
    state = PageState("p", [tab_param(tabs, legacy_keys=("view",)), Param("k", 1, "int", lo=0, hi=9)])
    opened = lazy_tabs(state, tabs)

    def section(name):
        def run():
            st.session_state.setdefault("ran", []).append(name)
            st.markdown(f"section {name}")
        return run

    opened.show({t.slug: section(t.slug) for t in tabs})
    with opened:
        st.caption(f"open: {opened.slug}")

    @fragment(state, "k")
    def part():
        state.slider("k", "k")

    state.finish()
    part()          # after finish(): only the fragment's own sync can put k in the URL


def _open(**query) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("section ")]


def test_only_the_open_tab_runs_and_the_default_tab_stays_out_of_the_url():
    at = _open()
    assert _shown(at) == ["section race"]
    assert [t.label for t in at.tabs] == [":material/sports_score: Optimizer race", "Loss curves",
                                          "Random restarts"]
    assert at.session_state["ran"] == ["race"]
    assert "tab" not in at.query_params
    # The open tab's content is inside that tab.
    assert [m.value for m in at.tabs[0].markdown] == ["section race"]
    assert not at.tabs[1].markdown


def test_a_link_opens_its_tab_by_slug():
    at = _open(tab="restarts")
    assert _shown(at) == ["section restarts"]
    assert at.query_params["tab"] in ("restarts", ["restarts"])
    assert [m.value for m in at.tabs[2].markdown] == ["section restarts"]


def test_old_links_open_the_same_tab_and_are_rewritten():
    for query in ({"view": "curves"}, {"tab": "Loss curves"}, {"tab": "loss CURVES"}, {"tab": "Loss curve"},
                  {"tab": "Optimizer race"}):
        at = _open(**query)
        want = "race" if "race" in str(query) else "curves"
        assert _shown(at) == [f"section {want}"], query
        assert not at.warning, query                       # accepted silently, no "adjusted" note
        assert "view" not in at.query_params
        if want == "curves":
            assert at.query_params["tab"] in ("curves", ["curves"]), query


def test_an_unknown_tab_falls_back_to_the_first_with_a_note():
    at = _open(tab="<b>nope</b>")
    assert _shown(at) == ["section race"]
    assert at.warning and "tab" in at.warning[0].value


def test_switching_tabs_runs_the_new_section_only_and_updates_the_url():
    at = _open()
    at.session_state["p.tab"] = "curves"       # what the tabs' on_change callback writes
    at.session_state["ran"] = []
    at.run()
    assert _shown(at) == ["section curves"] and at.session_state["ran"] == ["curves"]
    assert at.query_params["tab"] in ("curves", ["curves"])


def test_a_fragment_section_writes_its_settings_to_the_url():
    at = _open()
    at.slider(key="p.k").set_value(4).run()
    assert at.query_params["k"] in ("4", ["4"])


def test_tab_param_accepts_titles_and_aliases():
    tabs = (Tab("article", "Article's table"), Tab("curves", "Loss curves"),
            Tab("batch", ":material/stacks: Batch vs mini-batch"))
    p = tab_param(tabs)
    assert p.key == "tab" and p.default == "article" and p.choices == ("article", "curves", "batch")
    assert p.parse("Article's table") == ("article", None)
    assert p.parse("Batch vs mini-batch") == ("batch", None)
    assert p.parse("curves") == ("curves", None)
