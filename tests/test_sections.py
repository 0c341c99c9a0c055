"""ui.sections: URL-bound lazy tabs (one `tab` parameter with short slugs, old links still
open the same tab) and fragments that keep the URL in step — AppTest on a tiny page."""
from streamlit.testing.v1 import AppTest

from ui.sections import Tab, tab_param


def _page():
    import streamlit as st

    from ui.params import PageState, Param
    from ui.sections import Tab, fragment, lazy_expander, lazy_tabs, tab_param

    tabs = (Tab("race", ":material/sports_score: Optimizer race"),
            Tab("curves", "Loss curves", aliases=("Loss curve",)),
            Tab("restarts", "Random restarts"))
    state = PageState("p", [tab_param(tabs, legacy_keys=("view",)), Param("k", 1, "int", lo=0, hi=9),
                            Param("more", False, "bool")])
    opened = lazy_tabs(state, tabs)
    fold = lazy_expander(state, "more", "More details")
    if fold.open:
        with fold:
            st.markdown("details ran")

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


# ---- page furniture: "Next →" footer and "Reset to defaults" (ui.layout) ------------------------
from ui.layout import neighbours, teaching_order  # noqa: E402


def test_teaching_order_is_app_pys_and_next_walks_the_lessons():
    files = [f for f, _, _ in teaching_order()]
    assert files[:6] == ["home.py", "gradient_descent.py", "loss_explorer.py", "neural_network.py",
                         "optimizer_comparison.py", "lr_sweep.py"]
    assert neighbours("home.py") == (None, teaching_order()[1])
    before, after = neighbours("/anywhere/app_pages/neural_network.py")
    assert before[1] == "Loss explorer" and after[1] == "Optimizer comparison"
    assert neighbours("lr_sweep.py")[1] is None and neighbours("nope.py") == (None, None)


def _footer_page():
    from pathlib import Path

    import streamlit as st

    from ui.layout import ROOT, next_page, reset_button, teaching_order
    from ui.params import PageState, Param

    st.navigation([st.Page(str(ROOT / "app_pages" / f), title=t, default=(i == 0))
                   for i, (f, t, _) in enumerate(teaching_order())])          # registered, not run
    state = PageState("foot", [Param("a", 1, "int", lo=0, hi=9), Param("b", 2, "int", lo=0, hi=9)])
    state.number_input("a", "a")
    state.number_input("b", "b")
    reset_button(state)
    reset_button(state, keys=["b"], label="Reset b")
    next_page(str(Path("app_pages") / st.session_state.get("page", "neural_network.py")))
    state.finish()


def test_footer_links_to_the_neighbouring_pages_and_reset_restores_defaults():
    at = AppTest.from_function(_footer_page, default_timeout=30)
    at.query_params["a"], at.query_params["b"] = "5", "6"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    links = [(p.proto.label, p.proto.page) for p in at.get("page_link")]
    # (this test's navigation names pages after their files; app.py gives them its url paths)
    assert links == [("← Loss explorer", "loss_explorer"), ("Next → Optimizer comparison", "optimizer_comparison")]
    at.button[1].click().run()                          # "Reset b"
    assert at.number_input(key="foot.a").value == 5 and at.number_input(key="foot.b").value == 2
    assert "b" not in at.query_params
    at.button[0].click().run()                          # "Reset to defaults"
    assert at.number_input(key="foot.a").value == 1 and dict(at.query_params) == {}
    at.session_state["page"] = "lr_sweep.py"           # the last lesson leads back to the start
    at.run()
    assert [p.proto.label for p in at.get("page_link")] == ["← Optimizer comparison", "Next → Home"]


def test_lazy_expander_runs_its_content_only_when_open_and_is_in_the_link():
    at = _open()
    assert len(at.expander) == 1 and "details ran" not in [m.value for m in at.markdown]
    at = _open(more="1")
    assert [m.value for m in at.expander[0].markdown] == ["details ran"]
    assert at.query_params["more"] in ("1", ["1"])
    at.session_state["p.more"] = False          # what the expander's on_change callback writes on closing
    at.run()
    assert "details ran" not in [m.value for m in at.markdown] and "more" not in at.query_params
