"""axe-core in the real browser on every page and every tab, at laptop and phone widths (issue 19).

Each view is opened fresh from its link (`/<page>?tab=<slug>`), left to settle and draw its
charts, and audited by the axe-core copy that `axe-playwright-python` ships (no network).
The test fails on any violation of impact "serious" or "critical" unless the element is
listed in tests/browser/axe_known_streamlit.toml: Streamlit's own frame, which the app cannot
fix, each entry with the Streamlit issue that tracks it. Every view's full axe result (all
impacts) is kept in artifacts/axe/<view>.json for reading.

The pages and their tabs are read from the source (app.py's PAGES and each page's
`TABS = (Tab("slug", ...), ...)`), so a new page or tab is audited without editing this file.
"""
import ast
import json
import re
import time
import tomllib
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import helpers, server
from tests.browser.helpers import goto

REPO = server.REPO_ROOT
KNOWN_FILE = Path(__file__).with_name("axe_known_streamlit.toml")
OUT = server.ARTIFACTS / "axe"
BLOCKING = ("serious", "critical")
ISSUE_URL = re.compile(r"^https://github\.com/streamlit/streamlit/issues/\d+$")


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def app_pages() -> list[tuple[str, str, str]]:
    """(file, title, url path) of every page in app.py's PAGES, in navigation order."""
    tree = ast.parse((REPO / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in node.targets):
            return [(f, t, u) for f, t, u, *_ in _literal(node.value)
                    if (REPO / "app_pages" / f).exists()]
    raise AssertionError("app.py has no PAGES list")


def tab_slugs(page_file: str) -> list[str]:
    """The slugs of `TABS = (Tab("slug", ...), ...)` in the page's own file or its sections."""
    stem = page_file.removesuffix(".py")
    files = [REPO / "app_pages" / page_file, *sorted((REPO / "app_pages" / "sections" / stem).glob("*.py"))]
    for f in files:
        if not f.exists():
            continue
        for node in ast.parse(f.read_text()).body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TABS" for t in node.targets)
                    and isinstance(node.value, (ast.Tuple, ast.List))):
                return [_literal(call.args[0]) for call in node.value.elts
                        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Tab"]
    return []


def views() -> list[tuple[str, str, str]]:
    """(id, url path, query) of every page and every tab."""
    out = []
    for f, _title, path in app_pages():
        name = helpers.page_name(path)
        slugs = tab_slugs(f)
        if not slugs:
            out.append((name, path, ""))
        out += [(f"{name}-{s}", path, f"tab={s}") for s in slugs]
    return out


def lesson_views() -> list[tuple[str, str, str]]:
    """(id, url path, query) of every built-in lesson in two states: its panel open on the
    first task (a prediction pending), and that task answered (the answer revealed)."""
    from ui.lesson_panel import builtin_lessons
    from ui.lessons import TaskProgress, encode_progress
    out = []
    for item in builtin_lessons().lessons:
        lesson, first = item.lesson, item.tasks[0].task
        out.append((f"lesson-{lesson.id}-open", lesson.page, f"lesson={lesson.id}"))
        answered = TaskProgress("answered", **({"choice": 0} if first.choices else {"number": 0.0}))
        out.append((f"lesson-{lesson.id}-revealed", lesson.page,
                    f"lesson={lesson.id}&lp={encode_progress((answered,))}"))
    return out


VIEWS = views()
LESSON_VIEWS = lesson_views()
# Laptop and phone widths (helpers.DESKTOP / PHONE). A view is loaded once, audited at
# 1400 px, then the window is narrowed to 390 px (Streamlit lays out again in the browser,
# with no new script run) and audited again: half the server work of two loads.
WIDTHS = {"desktop": helpers.DESKTOP["viewport"], "phone": helpers.PHONE["viewport"]}


def load_known() -> list[dict]:
    entries = tomllib.loads(KNOWN_FILE.read_text())["known"]
    for e in entries:
        assert set(e) >= {"rule", "target", "issue", "why"}, f"incomplete entry in {KNOWN_FILE.name}: {e}"
        assert ISSUE_URL.match(e["issue"]), f"{e['rule']}: issue must be a streamlit/streamlit issue: {e['issue']}"
        re.compile(e["target"])
        if "html" in e:
            re.compile(e["html"])
    return entries


KNOWN = load_known()


def target_text(node: dict) -> str:
    """axe's selector for a node (shadow-DOM / frame parts joined by ' >>> ')."""
    return " >>> ".join(t if isinstance(t, str) else " >>> ".join(t) for t in node["target"])


def known_entry(rule: str, node: dict, known: list[dict] | None = None) -> dict | None:
    for e in KNOWN if known is None else known:
        if (e["rule"] == rule and re.search(e["target"], target_text(node))
                and re.search(e.get("html", ""), node.get("html", ""))):
            return e
    return None


def unexplained(results: dict) -> list[str]:
    """Serious or critical violations on nodes that no known-Streamlit entry covers."""
    found = []
    for v in results["violations"]:
        for node in v["nodes"]:
            impact = node.get("impact") or v["impact"]
            if impact in BLOCKING and known_entry(v["id"], node) is None:
                found.append(f"{v['id']} ({impact}): {target_text(node)}\n    {node.get('html', '')[:300]}\n"
                             f"    {node.get('failureSummary', '').strip()[:300]}\n    {v['helpUrl']}")
    return found


def wait_for_charts(page, timeout: float = 15) -> None:
    """Vega draws after the script run: wait until every chart has its svg/canvas."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = helpers.charts(page)
        if all(helpers._drawn(c["locator"]) for c in found):
            return
        time.sleep(0.2)


def audit(page) -> dict:
    wait_for_charts(page)
    return Axe().run(page).response


def audit_view(page, app_url, name, path, query) -> None:
    goto(page, app_url, path, query)
    assert helpers.exceptions(page) == [], f"{name}: exception shown; server log:\n{server.log_tail()}"
    # WCAG 3.1.1 / 2.4.2: the document says its language (the lab is in English) and has a title.
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title().strip()
    # WCAG 1.1.1: every chart is named by its sentence (not Vega's default) and has its table view.
    wait_for_charts(page)
    names = chart_names(page)
    assert all(len(n) > 30 and n.rstrip(".") != "Vega visualization" for _, n in names), names
    tables = page.locator("summary").filter(has_text="Data as a table").count()
    assert tables == len(names), f"{name}: {len(names)} charts but {tables} 'Data as a table' views"
    OUT.mkdir(parents=True, exist_ok=True)
    failures = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(500)               # Streamlit and Vega lay out for the new width
        results = audit(page)
        (OUT / f"{name}-{width}.json").write_text(json.dumps(
            {"url": page.url, "width": viewport["width"], "title": page.title(),
             "lang": page.locator("html").get_attribute("lang"), "violations": results["violations"]}, indent=1))
        failures += [f"[{viewport['width']} px] {b}" for b in unexplained(results)]
    assert failures == [], f"{page.url}: {len(failures)} serious/critical axe violations:\n" + "\n".join(failures)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name,path,query", VIEWS, ids=[v[0] for v in VIEWS])
def test_no_serious_violation_outside_streamlits_known_ones(page, app_url, name, path, query):
    audit_view(page, app_url, name, path, query)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name,path,query", LESSON_VIEWS, ids=[v[0] for v in LESSON_VIEWS])
def test_every_lesson_state_has_no_serious_violation(page, app_url, name, path, query):
    """Each built-in lesson's panel, open on a pending prediction and with that task answered."""
    audit_view(page, app_url, name, path, query)
    assert page.get_by_text("Task 1 of").count() >= 1, f"{name}: the lesson panel is not shown"


# ---- headings in order (WCAG 1.3.1 / 2.4.6) -------------------------------------------

HEADINGS_JS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6,[role=heading]')]
  .filter(h => h.getClientRects().length > 0 && !h.closest('[aria-hidden=true]'))
  .map(h => [Number(h.getAttribute('aria-level') || h.tagName.slice(1)), h.innerText.trim().slice(0, 80)])"""


def heading_skips(levels: list[tuple[int, str]]) -> list[str]:
    """What is wrong with a page's heading outline: it must start with its one h1 and never
    go more than one level deeper than the heading before (h1 → h3 skips h2)."""
    problems = []
    if not levels or levels[0][0] != 1:
        problems.append(f"the first heading is not an h1: {levels[:1]}")
    if sum(1 for lv, _ in levels if lv == 1) != 1:
        problems.append(f"{sum(1 for lv, _ in levels if lv == 1)} h1 headings")
    for (prev, _), (lv, text) in zip(levels, levels[1:]):
        if lv > prev + 1:
            problems.append(f"h{prev} → h{lv} {text!r}")
    return problems


def test_heading_skips_finds_a_skipped_level_and_a_missing_h1():
    assert heading_skips([(1, "Page"), (2, "Section"), (3, "Sub"), (2, "Next"), (3, "Sub")]) == []
    assert heading_skips([(1, "Page"), (3, "Section")]) == ["h1 → h3 'Section'"]
    assert heading_skips([(2, "No title")]) == ["the first heading is not an h1: [(2, 'No title')]", "0 h1 headings"]


HEADING_VIEWS = VIEWS + LESSON_VIEWS


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name,path,query", HEADING_VIEWS, ids=[v[0] for v in VIEWS] + [v[0] for v in LESSON_VIEWS])
def test_headings_are_in_order_and_links_have_names(page, app_url, name, path, query):
    """One h1, then no level skipped — at 1400 and 390 px (the phone layout reflows the same
    elements; a sidebar heading would count too). Every link has a name a screen reader can say."""
    goto(page, app_url, path, query)
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        levels = [tuple(x) for x in page.evaluate(HEADINGS_JS)]
        assert heading_skips(levels) == [], f"{name} at {viewport['width']} px: headings {levels}"
        nameless = page.evaluate("""() => [...document.querySelectorAll('a[href]')]
            .filter(a => a.getClientRects().length && !(a.getAttribute('aria-label') || a.textContent || a.title || '').trim()
                         && !a.querySelector('img[alt]:not([alt=""])'))
            .map(a => a.outerHTML.slice(0, 120))""")
        assert nameless == [], f"{name} at {viewport['width']} px: links without a name: {nameless}"


def test_every_page_and_tab_is_audited():
    """The views come from the source: all pages of app.py, and the tabs the README documents."""
    ids = {v[0] for v in VIEWS}
    assert {"home", "gradient-descent", "loss-explorer", "glossary", "teachers"} <= ids
    assert {f"neural-network-{s}" for s in ("sum", "inside", "seeds", "shop", "depth")} <= ids
    assert {f"optimizer-comparison-{s}" for s in ("race", "batch", "restarts")} <= ids
    assert {f"lr-sweep-{s}" for s in ("article", "curves", "range", "schedules")} <= ids
    assert "neural-network" not in ids   # a page with tabs is audited tab by tab
    lessons = {v[0] for v in LESSON_VIEWS}
    assert {"lesson-gradient-descent-open", "lesson-gradient-descent-revealed",
            "lesson-optimizer-race-revealed", "lesson-lr-sweep-open"} <= lessons


def test_a_known_entry_covers_only_its_rule_and_elements():
    """The known list explains a violation only for its rule and a matching element."""
    entry = {"rule": "button-name", "target": r"stFullScreenFrame", "issue": "", "why": ""}
    node = {"target": ["[data-testid='stFullScreenFrame'] > button"], "html": "<button>", "impact": "serious"}
    other = {"target": ["[data-testid='stMain'] button"], "html": "<button>", "impact": "serious"}
    assert known_entry("button-name", node, [entry]) is entry
    assert known_entry("color-contrast", node, [entry]) is None
    assert known_entry("button-name", other, [entry]) is None
    assert unexplained({"violations": [{"id": "color-contrast", "impact": "serious", "nodes": [node],
                                        "helpUrl": ""}]})            # not in the real list: fails


DESCRIBED_APP = '''
import altair as alt
import pandas as pd
from ui.charts.render import frozen_spec, show

frame = pd.DataFrame({"epoch": [0, 50, 100], "loss": [30.0, 1.2, 0.034]})
show(frozen_spec(alt.Chart(frame).mark_line().encode(x="epoch", y="loss")), description=DESCRIPTION)
show(frozen_spec(alt.Chart(frame).mark_point().encode(x="epoch", y="loss")))
'''


def chart_names(page) -> list[tuple[str, str]]:
    """(role, name) of every chart in Chromium's accessibility tree — what a screen reader
    is given. (Playwright's aria_snapshot() leaves out the graphics-document role that Vega
    gives a chart, so the tree is read over CDP.)"""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [(n["role"]["value"], (n.get("name") or {}).get("value", "")) for n in nodes
            if not n.get("ignored") and (n.get("role") or {}).get("value") == "graphics-document"]


def test_a_chart_description_is_what_a_screen_reader_reads(page, tmp_path):
    """render.show(..., description=) reaches the browser's accessibility tree as the chart's
    name (Vega-Lite's top-level description, which Vega sets as the chart's ARIA label); a
    chart drawn without one is only "Vega visualization"."""
    said = "Loss falls from 30.0 to 0.034 over 100 epochs."
    app = tmp_path / "described_chart.py"
    app.write_text(f"DESCRIPTION = {said!r}\n" + DESCRIBED_APP)
    with server.serve(directory=REPO, entry=str(app), log_path=server.ARTIFACTS / "streamlit-described.log",
                      workers="0") as url:
        goto(page, url)
        helpers.assert_charts_drawn(page, min_count=2)
        names = chart_names(page)
        print("aria snapshot of the described chart's frame:\n"
              + page.locator("[data-testid='stFullScreenFrame']").first.aria_snapshot())
    print("charts in the accessibility tree:", names)
    assert names[0] == ("graphics-document", said)
    assert len(names) == 2 and said not in names[1][1]


STYLED_APP = '''
import streamlit as st
from ui.style import app_style

app_style()
st.title("Motion")
st.button("Play", key="demo.play")
st.button("Step", key="demo.step")
'''


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_hides_play_controls_and_stills_transitions(browser, tmp_path, motion):
    """ui.style.app_style(): when the browser asks for reduced motion, a play control (a
    button keyed '<page>.play') is hidden and transitions are instant; otherwise nothing
    changes. The style element itself takes no room in the page."""
    app = tmp_path / "styled.py"
    app.write_text(STYLED_APP)
    context = browser.new_context(**helpers.DESKTOP, reduced_motion=motion)
    try:
        page = context.new_page()
        with server.serve(directory=REPO, entry=str(app), log_path=server.ARTIFACTS / "streamlit-styled.log",
                          workers="0") as url:
            goto(page, url)
            play = page.get_by_role("button", name="Play")
            step = page.get_by_role("button", name="Step")
            assert step.is_visible()
            assert play.is_visible() is (motion == "no-preference")
            duration = page.evaluate("""() => getComputedStyle(document.querySelector('[data-testid=stButton] button'))
                                            .transitionDuration""")
            if motion == "reduce":
                assert all(float(d.rstrip("ms")) <= 0.01 for d in duration.split(",") if d.endswith("ms")) and \
                    all(float(d.rstrip("s")) <= 0.00001 for d in duration.split(",") if d.endswith("s") and not d.endswith("ms"))
            html_boxes = page.locator("[data-testid='stHtml']").evaluate_all(
                "els => els.map(e => e.closest('[data-testid=stElementContainer]')?.getBoundingClientRect().height ?? 0)")
            assert all(h == 0 for h in html_boxes), html_boxes
    finally:
        context.close()


@pytest.mark.timeout(300)
def test_the_race_play_button_honours_reduced_motion(browser, app_url):
    """On the real page (app.py calls app_style() on every page): the optimizer race's Play
    is hidden when the browser asks for reduced motion — the step slider beside it still
    shows every step — and is there otherwise."""
    for motion, shown in (("reduce", False), ("no-preference", True)):
        context = browser.new_context(**helpers.DESKTOP, reduced_motion=motion)
        try:
            page = context.new_page()
            goto(page, app_url, "optimizer-comparison", "tab=race")
            play = page.locator(".st-key-opt-play")     # the race's Play button (key "opt.play")
            assert play.count() == 1 and "Play" in play.text_content()   # drawn either way; only the style differs
            assert play.is_visible() is shown, motion
            assert page.get_by_label("Show the race up to step").count() >= 1     # the slider stays
        finally:
            context.close()
