"""Helpers for driving the Streamlit app in headless Chromium (Playwright, sync API)."""
import re
import time
from pathlib import Path

from tests.browser.server import ARTIFACTS

# (title, url_path) of every page in app.py's st.navigation; "" is Home.
PAGES = [
    ("Home", ""),
    ("Gradient descent", "gradient-descent"),
    ("Loss explorer", "loss-explorer"),
    ("Neural network", "neural-network"),
    ("Optimizer comparison", "optimizer-comparison"),
    ("Learning-rate sweep", "lr-sweep"),
]

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download is unavailable
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"viewport": {"width": 1400, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCREENSHOTS = ARTIFACTS / "screenshots"

_APP = "[data-testid='stApp']"
_DRAWN = "[data-testid='stMain'] [data-testid='stElementContainer']"
_BUSY = "[data-testid='stStatusWidget'], [data-testid='stSkeleton']"
_IDLE_STATES = ("notRunning", "compilationError")


def page_name(path: str) -> str:
    """File-name stem for a page: its url path, or "home"."""
    return path or "home"


def settle(page, timeout: float = 90) -> float:
    """Wait until Streamlit's script run has finished and the page is steady for ~0.5 s.

    Steady means: connected, the app's script state is not running, the main area has
    element containers, and no status widget ("Running...") or loading skeleton is shown.
    Returns the seconds waited; raises TimeoutError otherwise.
    """
    t0, calm = time.monotonic(), 0
    page.wait_for_selector(_APP, timeout=timeout * 1000)
    app = page.locator(_APP)
    while time.monotonic() - t0 < timeout:
        idle = (app.get_attribute("data-test-connection-state") == "CONNECTED"
                and app.get_attribute("data-test-script-state") in _IDLE_STATES)
        ready = idle and page.locator(_DRAWN).count() > 0 and page.locator(_BUSY).count() == 0
        calm = calm + 1 if ready else 0
        if calm >= 5:
            return time.monotonic() - t0
        time.sleep(0.1)
    raise TimeoutError(f"Streamlit page did not settle within {timeout}s: {page.url}")


def goto(page, app_url: str, path: str = "", query: str = "", timeout: float = 90):
    """Open a page by its url path (plus an optional query string) and wait for it to settle."""
    url = f"{app_url.rstrip('/')}/{path}" + (f"?{query.lstrip('?')}" if query else "")
    page.goto(url, wait_until="domcontentloaded")
    settle(page, timeout)
    return page


def exceptions(page) -> list[str]:
    """Texts of every st.exception / uncaught-exception box on the page."""
    return [t.strip() for t in page.locator("[data-testid='stException']").all_inner_texts()]


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def charts(page) -> list[dict]:
    """Vega-Lite (Altair / st.line_chart ...) charts with their bounding boxes."""
    found = page.locator("[data-testid='stVegaLiteChart']")
    return [{"locator": found.nth(i), "box": found.nth(i).bounding_box()} for i in range(found.count())]


def _drawn(chart) -> bool:
    marks = chart.locator("canvas, svg")
    for i in range(marks.count()):
        box = marks.nth(i).bounding_box()
        if box and box["width"] > 0 and box["height"] > 0:
            return True
    return False


def assert_charts_drawn(page, min_count: int = 1, timeout: float = 15) -> list[dict]:
    """Assert at least min_count charts exist and each has a canvas/svg of non-zero size.

    Vega renders asynchronously after the script run, so this polls up to `timeout` s.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = charts(page)
        blank = [i for i, c in enumerate(found) if not _drawn(c["locator"])]
        if len(found) >= min_count and not blank:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url}: expected >= {min_count} drawn charts, found "
                                 f"{len(found)}, not drawn (by index): {blank}")
        time.sleep(0.2)


def screenshot(page, name: str, directory: Path = SCREENSHOTS) -> Path:
    """Full-page PNG at <directory>/<name>.png (name sanitised); returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


# ---- Own data (issue 17): the box ui.own_data draws on the line-fit pages -----------------
def dismiss_page_not_found(page):
    """Close Streamlit's "Page not found" dialog if a link's path raised it."""
    dialog = page.get_by_role("dialog")
    if dialog.count() and "Page not found" in dialog.inner_text():
        page.keyboard.press("Escape")


def metric(page, label: str) -> str:
    """The shown value of the first st.metric whose label contains ``label``."""
    m = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return m.locator("[data-testid='stMetricValue']").inner_text().strip()


def query(page) -> dict:
    """The page's address query, one value per key (the last)."""
    from urllib.parse import parse_qs, urlparse
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def upload_own_data(page, path: Path, wait_for: str, timeout: float = 180) -> float:
    """Open the "Use your own data" box, hand the file to its uploader (Playwright's
    set_input_files on the <input type=file>), wait until the page shows ``wait_for`` and
    has settled; seconds from the upload to settled."""
    box = page.locator("[data-testid='stExpander']").filter(has_text="Use your own data").first
    if not box.locator("[data-testid='stFileUploader']").is_visible():
        box.locator("summary").click()
    t0 = time.monotonic()
    box.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text(wait_for).first.wait_for(timeout=timeout * 1000)
    settle(page, timeout)
    return time.monotonic() - t0


def ten_thousand_rows(directory: Path) -> tuple[Path, "np.ndarray", "np.ndarray"]:
    """A 10,000-row CSV (area, price: a noisy line, seed 17) for the upload timings, and its columns."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(17)
    x = rng.uniform(0, 100, 10_000).round(3)
    y = (3.2 * x + 40 + rng.normal(0, 12, 10_000)).round(3)
    big = directory / "ten_thousand.csv"
    pd.DataFrame({"area": x, "price": y}).to_csv(big, index=False)
    return big, x, y
