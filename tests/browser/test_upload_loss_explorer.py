"""Own data on the Loss explorer in a real browser (issue 17): a CSV goes through Streamlit's
file uploader (Playwright's set_input_files on its <input type=file>) and the page's numbers
are this data's — the line's MSE, the least-squares line, the stability limit 2/λmax from
the data's own Hessian; a shared link carries small data; a 10,000-row file is timed from
the upload to the drawn charts; screenshots at 1400 and 390 px.

References: numpy (closed-form least squares, the Hessian's eigenvalues) and scikit-learn's
mean_squared_error over the file as pandas reads it."""
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import mean_squared_error

from tests.browser.helpers import (DESKTOP, assert_charts_drawn, dismiss_page_not_found, exceptions, goto,
                                   main_text, metric, query, screenshot, settle, ten_thousand_rows,
                                   upload_own_data)
from tests.browser.server import ARTIFACTS, log_tail
from ui.format import short

PATH = "loss-explorer"
TIMING = ARTIFACTS / "upload_timing_loss_explorer.json"


def loss_shown(v):
    """A loss as the page's metrics show it: the whole number, at most 5 significant figures (3 from 1e6)."""
    return short(v, 5 if abs(v) < 1e6 else 3)


def small_csv(tmp_path) -> tuple[Path, np.ndarray, np.ndarray]:
    x = np.array([14.2, 16.4, 11.9, 15.2, 18.5, 22.1, 19.4, 25.1, 23.4, 18.1, 22.6, 17.2])
    y = np.array([215, 325, 185, 332, 406, 522, 412, 614, 544, 421, 445, 408], dtype=np.float64)
    path = tmp_path / "ice_cream.csv"
    path.write_text("temperature,sales\n" + "\n".join(f"{a:g},{b:g}" for a, b in zip(x, y)) + "\n")
    return path, x, y


def limit_of(x) -> float:
    phi = np.stack([x, np.ones_like(x)], axis=1)
    return 2 / np.linalg.eigvalsh(2 / len(x) * phi.T @ phi)[-1]


def check_numbers(page, x, y):
    """The page's MSE (of the line in its link), best line and 2/λmax against numpy / sklearn."""
    page.wait_for_function("() => location.search.includes('c=')", timeout=60_000)
    q = query(page)
    m, c = float(q.get("m", 9)), float(q.get("c", 350))
    assert metric(page, "MSE") == loss_shown(mean_squared_error(y, m * x + c))
    slope, intercept = np.polyfit(x, y, 1)
    assert metric(page, "best line (least squares)").startswith(f"{slope:.4g} · ")
    assert metric(page, "best line (least squares)").endswith(f" + {intercept:.4g}")
    assert metric(page, "limit 2/λmax") == f"{limit_of(x):.4g}"


def test_upload_a_csv_and_every_number_is_its_own(page, app_url, browser, tmp_path):
    path, x, y = small_csv(tmp_path)
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    upload_own_data(page, path, "Using your file")
    assert exceptions(page) == [], log_tail()
    assert_charts_drawn(page, min_count=5)
    check_numbers(page, x, y)
    text = main_text(page)
    assert "sales = 0 · temperature" in text and "Standardising temperature" in text
    screenshot(page, "loss-explorer-own-data")
    # The link carries this small table: a fresh browser opening it sees the same numbers.
    assert query(page)["data"].startswith("temperature,sales;14.2,215")
    other = browser.new_context(**DESKTOP).new_page()
    try:
        other.goto(page.url, wait_until="domcontentloaded")
        settle(other)
        dismiss_page_not_found(other)
        assert exceptions(other) == []
        check_numbers(other, x, y)
    finally:
        other.context.close()


def test_phone_upload(phone_page, app_url, tmp_path):
    path, x, y = small_csv(tmp_path)
    goto(phone_page, app_url, PATH)
    dismiss_page_not_found(phone_page)
    upload_own_data(phone_page, path, "Using your file")
    assert exceptions(phone_page) == []
    assert_charts_drawn(phone_page, min_count=5)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width                 # nothing wider than the phone
    check_numbers(phone_page, x, y)
    screenshot(phone_page, "loss-explorer-own-data-phone")


def test_ten_thousand_rows_upload_to_chart_time(page, app_url, tmp_path):
    big, x, y = ten_thousand_rows(tmp_path)
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    seconds = upload_own_data(page, big, "draws 2,000 of the 10,000 points")
    assert_charts_drawn(page, min_count=5)
    assert exceptions(page) == [], log_tail()
    text = main_text(page)
    assert "too large for a link" in text and "use all 10,000" in text
    check_numbers(page, x, y)
    TIMING.parent.mkdir(parents=True, exist_ok=True)
    TIMING.write_text(json.dumps({"rows": 10_000, "bytes": big.stat().st_size,
                                  "upload_to_settled_charts_s": round(seconds, 2)}) + "\n")
    print(f"\n10,000-row upload to drawn charts (Loss explorer): {seconds:.2f} s")
    assert seconds < 90
    screenshot(page, "loss-explorer-own-data-10000")
