"""The learning-rate sweep page in headless Chromium: it loads, draws, shows its key
numbers, reacts to a widget, reproduces from a shared link and works on a phone."""
import re

from tests.browser.helpers import assert_charts_drawn, exceptions, goto, main_text, screenshot, settle
from tests.browser.server import log_tail

PATH = "lr-sweep"


def dismiss_first_load_modal(page) -> None:
    """Streamlit shows a spurious "Page not found" modal over the (correct) page on the first
    visit of a non-default page after the server starts (streamlit/streamlit#9992)."""
    close = page.locator("[role='dialog'] button[aria-label='Close']")
    if close.count():
        close.first.click()


def close_sidebar(page) -> None:
    """app.py opens the sidebar on every device; on a phone it covers the page until closed."""
    btn = page.locator("[data-testid='stSidebarCollapseButton'] button")
    if btn.count() and btn.first.is_visible():
        btn.first.click()
        page.wait_for_timeout(500)


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_default_view(page, app_url):
    goto(page, app_url, PATH)
    assert exceptions(page) == [], log_tail()
    assert_charts_drawn(page, min_count=2)
    text = main_text(page)
    # 2/λmax of the line fit (λmax of (2/n)·ΦᵀΦ for x = 1..4) and the article's table.
    assert metric(page, "Diverges above") == "0.1198"
    assert "The table of Gradient Descent in PyTorch, measured" in text and "1 of 5 rows agree" in text
    dismiss_first_load_modal(page)
    screenshot(page, "lr-sweep")


def test_widget_change_updates_the_metric_and_the_link_reproduces_it(page, app_url, browser):
    goto(page, app_url, PATH, "steps=300&n=30")
    before = metric(page, "Diverges above")
    sel = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Optimizer")
    sel.locator("input, [role='combobox']").first.click()
    page.locator("[role='option']").filter(has_text=re.compile(r"^Momentum$")).first.click()
    settle(page)
    after = metric(page, "Diverges above")
    assert (before, after) == ("0.1198", "0.2275")        # 2(1 + μ)/λmax with μ = 0.9
    assert "opt=Momentum" in page.url
    fastest = metric(page, "Fastest rate measured")
    converged = metric(page, "Rates that converged")

    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        fresh = other.new_page()
        fresh.goto(page.url, wait_until="domcontentloaded")
        settle(fresh)
        assert exceptions(fresh) == [], log_tail()
        assert (metric(fresh, "Diverges above"), metric(fresh, "Fastest rate measured"),
                metric(fresh, "Rates that converged")) == (after, fastest, converged)
        assert_charts_drawn(fresh, min_count=2)
    finally:
        other.close()


def test_range_test_tab_draws_and_marks_suggestions(page, app_url):
    goto(page, app_url, PATH, "tab=Range+test&steps=100&rt_steps=100")
    assert exceptions(page) == [], log_tail()
    assert_charts_drawn(page, min_count=4)               # two sweep charts, the range test, its check
    assert re.search(r"valley → η = [0-9.e-]+", main_text(page))
    screenshot(page, "lr-sweep-range-test")


def test_phone(phone_page, app_url):
    goto(phone_page, app_url, PATH, "steps=300")
    assert exceptions(phone_page) == [], log_tail()
    close_sidebar(phone_page)
    dismiss_first_load_modal(phone_page)
    charts = assert_charts_drawn(phone_page, min_count=2)
    assert charts[0]["box"]["width"] <= 390                 # fits the phone's width
    assert metric(phone_page, "Diverges above") == "0.1198"
    # Issue 14 #5: the settings are in the page, in sight on a phone with the sidebar closed,
    # above the numbers they change.
    problem = phone_page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Problem")
    assert problem.first.is_visible()
    box = problem.first.bounding_box()
    assert box["width"] <= 390
    first_metric = phone_page.locator("[data-testid='stMetric']").first.bounding_box()
    assert box["y"] < first_metric["y"]
    screenshot(phone_page, "lr-sweep-phone")
