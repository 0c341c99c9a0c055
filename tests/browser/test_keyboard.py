"""One full experiment per page with the keyboard only (issue 19, WCAG 2.1.1): Tab and
Shift+Tab to reach a control, arrow keys / typing / Enter / Space to use it — never a mouse
click — and the result the learner reads changes.

"The result" is read the way a screen-reader user gets it: the charts' accessible names
(the one-sentence descriptions ui.charts.render gives every chart, read from Chromium's
accessibility tree) and the page text. Each step first checks that the control it needs is
reachable in the page's tab order, then checks what changed."""
import re
import time

import pytest

from tests.browser import helpers
from tests.browser.helpers import goto, settle
from tests.browser.server import log_tail
from tests.browser.test_accessibility import chart_names

# The focused element as a screen reader names it: aria-label, its <label>, or its text.
FOCUSED_JS = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) ||
                e.innerText || '';
  return {tag: e.tagName, role: e.getAttribute('role') || '', name: label.trim(), value: e.value ?? '',
          now: e.getAttribute('aria-valuenow') || ''}; }"""
MAX_TABS = 150
ICON = re.compile(r"^[a-z_]+\n\n")


def focused(page) -> dict:
    return page.evaluate(FOCUSED_JS) or {}


def tab_to(page, name: str, backwards: bool = False, role: str | None = None) -> dict:
    """Press Tab (Shift+Tab) until the focused element's name matches ``name`` (a regex,
    anchored at the start); fail if it is not in the tab order."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        f = focused(page)
        said = ICON.sub("", f.get("name", ""))      # a button's Material icon is not part of its name
        seen.append(said[:40])
        if re.match(name, said) and (role is None or f.get("role") == role):
            return f
    raise AssertionError(f"{name!r} is not reachable with {key} in {MAX_TABS} presses; focus went: {seen}")


def press(page, *keys: str, pause: float = 0.15) -> None:
    for k in keys:
        page.keyboard.press(k)
        time.sleep(pause)
    time.sleep(0.6)        # Streamlit's widget debounce, then the rerun
    settle(page)


def described(page) -> list[str]:
    """The charts' accessible names, as a screen reader reads them."""
    helpers.assert_charts_drawn(page, min_count=1, timeout=60)
    return [n for _, n in chart_names(page)]


def wait_for_change(page, before, read, timeout: float = 60):
    deadline = time.monotonic() + timeout
    now = read(page)
    while now == before and time.monotonic() < deadline:
        time.sleep(0.5)
        settle(page)
        now = read(page)
    return now


def no_errors(page):
    assert helpers.exceptions(page) == [], f"exception shown; server log:\n{log_tail()}"


@pytest.mark.timeout(300)
def test_gradient_descent_learning_rate_with_arrow_keys(page, app_url):
    goto(page, app_url, "gradient-descent")
    before = described(page)
    assert "η = 0.01 falls from 30" in before[0]
    f = tab_to(page, "Epochs")
    tab_to(page, "Learning rate η", backwards=True)          # Shift+Tab comes back in order
    assert f["tag"] == "INPUT"
    press(page, "ArrowRight", "ArrowRight")
    after = wait_for_change(page, before, described)
    no_errors(page)
    assert after[0] != before[0] and "η = 0.01 " not in after[0], after[0]
    assert re.search(r"η = 0\.0[2-9]|η = 0\.1", after[0]), after[0]


@pytest.mark.timeout(300)
def test_loss_explorer_slope_with_arrow_keys(page, app_url):
    goto(page, app_url, "loss-explorer")
    before = described(page)
    tab_to(page, r"Slope m")
    press(page, "ArrowRight", "ArrowRight", "ArrowRight")
    after = wait_for_change(page, before, described)
    no_errors(page)
    # the fitted line's chart says where the learner's line now runs
    line_before = next(d for d in before if "your line" in d)
    line_after = next(d for d in after if "your line" in d)
    assert line_after != line_before, line_after


@pytest.mark.timeout(300)
def test_neural_network_epochs_with_arrow_keys(page, app_url):
    """A number input: ArrowDown steps it down (by 10), Enter applies it."""
    goto(page, app_url, "neural-network")
    before = described(page)
    assert "over epoch 0 to 100" in before[0], before[0]
    tab_to(page, "Epochs")
    press(page, "ArrowDown", "ArrowDown", "Enter")
    after = wait_for_change(page, before, described, timeout=120)
    no_errors(page)
    assert "over epoch 0 to 80" in after[0], after[0]


@pytest.mark.timeout(300)
def test_optimizer_comparison_start_point_typed_not_clicked(page, app_url):
    """The start point, which a mouse picks by clicking the map, is typed instead: Space
    turns on "Choose the start", then the Start x / Start y number inputs take the values."""
    goto(page, app_url, "optimizer-comparison")
    before = described(page)
    tab_to(page, "Choose the start", role="switch")
    press(page, "Space")
    tab_to(page, "Start x")
    press(page, "Control+a", "0", "Enter")
    tab_to(page, "Start y")
    press(page, "Control+a", "0", "Enter")
    after = wait_for_change(page, before, described, timeout=120)
    no_errors(page)
    race_map = next(d for d in after if d.startswith("Heatmap"))
    assert "path from (0, 0)" in race_map, race_map


@pytest.mark.timeout(300)
def test_lr_sweep_tab_and_rate_count_with_the_keyboard(page, app_url):
    goto(page, app_url, "lr-sweep")
    before = described(page)
    tab_to(page, "Number of rates")
    press(page, "ArrowLeft", "ArrowLeft", "ArrowLeft")
    after = wait_for_change(page, before, described, timeout=120)
    no_errors(page)
    assert after != before
    # switch to the "Loss curves" tab: focus the tab list, arrow to the tab, Enter
    tab_to(page, r".*Article's table|.*article", role="tab", backwards=True)
    press(page, "ArrowRight", "Enter")
    curves = wait_for_change(page, after, described, timeout=120)
    no_errors(page)
    assert any("against step" in d for d in curves), curves


@pytest.mark.timeout(300)
def test_lesson_prediction_answered_from_the_keyboard(page, app_url):
    """Gradient descent's lesson: Tab into the prediction's choices, Space picks one, Tab
    to "Submit my prediction", Enter: the answer is revealed (the task is marked done)."""
    goto(page, app_url, "gradient-descent", "lesson=gradient-descent")
    assert "Task 1 of" in helpers.main_text(page)
    first = tab_to(page, "2.0, as the article prints")          # the first choice of the radio group
    assert first["tag"] == "INPUT"
    press(page, "ArrowDown", "Space")
    tab_to(page, "Submit my prediction")
    press(page, "Enter")
    text = wait_for_change(page, "", lambda p: "✅" in helpers.main_text(p) and helpers.main_text(p) or "")
    no_errors(page)
    assert "✅ Task 1 of" in text
    assert "Submit my prediction" not in text
