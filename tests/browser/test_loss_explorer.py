"""The Loss Explorer in a real browser: it loads and draws, shows MSE = 2675.00, a cell
edited in the data table changes the numbers and the link, the link reproduces them in a
fresh browser, and it works on a phone."""
import time

from tests.browser.helpers import DESKTOP, assert_charts_drawn, exceptions, goto, main_text, screenshot, settle
from tests.browser.server import log_tail
from tests.browser.test_gradient_descent import dismiss_page_not_found, metric

PATH = "loss-explorer"


def test_loads_draws_and_shows_the_articles_mse(page, app_url):
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    assert exceptions(page) == [], log_tail()
    assert_charts_drawn(page, min_count=5)
    assert metric(page, "MSE") == "2675"          # metrics: the whole number, ≤ 5 significant figures (issue 14 #3)
    text = main_text(page)
    assert "2675.00 is right" in text and "7.9 · hours + 400" in text
    screenshot(page, "loss-explorer")


def edit_cell(page, row: int, text: str):
    """Select the score cell of a data-editor row (0-based), open its editor with Enter,
    fill in the text and commit it with Enter — as a learner would with the keyboard."""
    grid = page.locator("[data-testid='stDataFrame']").first
    canvas = grid.locator("canvas").first       # the grid itself: header row first (the toolbar sits above it)
    canvas.wait_for()
    box = canvas.bounding_box()
    row_h = 35                                 # Streamlit's default row height (header row included)
    editor = page.locator("#portal input, #portal textarea, .gdg-input").first
    for _ in range(5):                         # the grid may still be laying out: retry until the editor opens
        page.mouse.click(box["x"] + box["width"] - 40, box["y"] + row_h * (row + 1) + row_h / 2)
        time.sleep(0.3)
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=2000)
            break
        except Exception:
            page.keyboard.press("Escape")
    editor.fill(text)
    page.keyboard.press("Enter")
    time.sleep(0.5)
    settle(page)


def test_editing_the_table_then_sharing_the_link(page, app_url, browser):
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    edit_cell(page, 1, "600")                  # the second student's score 520 → 600
    # 9·20 + 350 = 530: residuals 40, 70, 90, −30 → (1600 + 4900 + 8100 + 900) / 4
    assert metric(page, "MSE") == "3875"
    assert "scores=480%2C600%2C710%2C680" in page.url, page.url
    assert_charts_drawn(page, min_count=5)
    other = browser.new_context(**DESKTOP).new_page()
    try:
        other.goto(page.url, wait_until="domcontentloaded")
        settle(other)
        dismiss_page_not_found(other)
        assert exceptions(other) == []
        assert metric(other, "MSE") == "3875"
    finally:
        other.context.close()


def test_phone(phone_page, app_url):
    goto(phone_page, app_url, PATH)
    dismiss_page_not_found(phone_page)
    assert exceptions(phone_page) == []
    assert_charts_drawn(phone_page, min_count=5)
    assert "2675.00" in main_text(phone_page)
    screenshot(phone_page, "loss-explorer-phone")


# Every metric value (and what is inside it) whose text is wider than its box: Streamlit cuts it with "…".
CLIPPED = """() => [...document.querySelectorAll(
    '[data-testid=stMetricValue], [data-testid=stMetricValue] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


def _no_clipped_metric(p, app_url):
    # One score edited to 0 (as a link): MSE (1600 + 100 + 8100 + 710²) / 4 = 128475 read "1284…" (issue 14 #3).
    goto(p, app_url, PATH, query="scores=480,520,710,0")
    dismiss_page_not_found(p)
    assert exceptions(p) == []
    assert metric(p, "MSE") == "128475"
    assert p.evaluate(CLIPPED) == []


def test_big_mse_fits_its_metric_on_a_laptop(page, app_url):
    _no_clipped_metric(page, app_url)


def test_big_mse_fits_its_metric_on_a_phone(phone_page, app_url):
    _no_clipped_metric(phone_page, app_url)
    screenshot(phone_page, "loss-explorer-big-mse-phone")
