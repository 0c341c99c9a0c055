"""Own data on the Gradient descent page in a real browser (issue 17): a CSV goes through
Streamlit's file uploader (Playwright's set_input_files on its <input type=file>), and the
page fits it; a shared link carries small data; a 10,000-row file is timed from the upload
to the drawn charts; screenshots at 1400 and 390 px.

The reference run is a plain torch.optim.SGD loop over the file as pandas reads it."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tests.browser.helpers import (DESKTOP, assert_charts_drawn, dismiss_page_not_found, exceptions, goto,
                                   main_text, metric, query, screenshot, settle, ten_thousand_rows,
                                   upload_own_data)
from tests.browser.server import ARTIFACTS, log_tail
from ui.format import short

PATH = "gradient-descent"
OWN_CSV = Path(__file__).resolve().parents[1] / "data" / "own_line.csv"
TIMING = ARTIFACTS / "upload_timing.json"


def torch_sgd(x, y, lr, epochs):
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    w, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        torch.mean((w * xt + b - yt) ** 2).backward()
        opt.step()
    return w.item(), b.item()


def test_upload_a_csv_and_the_page_fits_it(page, app_url, browser):
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    upload_own_data(page, OWN_CSV, "Using your file")
    assert exceptions(page) == [], log_tail()
    page.wait_for_function("() => location.search.includes('olr=')", timeout=60_000)
    q = query(page)
    df = pd.read_csv(OWN_CSV, sep=";", decimal=",")[["Stunden", "Punkte"]].dropna()
    x, y = df["Stunden"].to_numpy(np.float64), df["Punkte"].to_numpy(np.float64)
    w, b = torch_sgd(x, y, float(q["olr"]), 100)
    assert metric(page, "w after 100 epochs") == short(w, 4)
    assert metric(page, "b after 100 epochs") == short(b, 4)
    text = main_text(page)
    assert "5 points" in text and "Stunden" in text
    w_star = np.polyfit(x, y, 1)[0]
    assert f"best fit ({short(w_star)}" in text
    assert_charts_drawn(page, min_count=3)
    screenshot(page, "gradient-descent-own-data")
    # The link carries this small table: a learner opening it in a fresh browser sees the same fit.
    assert q["data"].startswith("Stunden,Punkte,Name;1.5,52,Ann")
    other = browser.new_context(**DESKTOP).new_page()
    try:
        other.goto(page.url, wait_until="domcontentloaded")
        settle(other)
        dismiss_page_not_found(other)
        assert exceptions(other) == []
        assert metric(other, "w after 100 epochs") == short(w, 4)
        assert "Using the link" in main_text(other)
    finally:
        other.context.close()


def test_phone_upload(phone_page, app_url):
    goto(phone_page, app_url, PATH)
    dismiss_page_not_found(phone_page)
    upload_own_data(phone_page, OWN_CSV, "Using your file")
    assert exceptions(phone_page) == []
    assert_charts_drawn(phone_page, min_count=3)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width                 # nothing wider than the phone
    screenshot(phone_page, "gradient-descent-own-data-phone")


def test_ten_thousand_rows_upload_to_chart_time(page, app_url, tmp_path):
    big, x, y = ten_thousand_rows(tmp_path)
    goto(page, app_url, PATH)
    dismiss_page_not_found(page)
    seconds = upload_own_data(page, big, "10,000 points")
    assert_charts_drawn(page, min_count=3)
    assert exceptions(page) == [], log_tail()
    text = main_text(page)
    assert "too large for a link" in text and "400 of the 10,000 points are drawn" in text
    page.wait_for_function("() => location.search.includes('olr=')", timeout=60_000)
    w, _ = torch_sgd(x, y, float(query(page)["olr"]), 100)
    assert metric(page, "w after 100 epochs") == short(w, 4)
    TIMING.parent.mkdir(parents=True, exist_ok=True)
    TIMING.write_text(json.dumps({"rows": 10_000, "bytes": big.stat().st_size,
                                  "upload_to_settled_charts_s": round(seconds, 2)}) + "\n")
    print(f"10,000-row upload to drawn charts: {seconds:.2f} s")
    assert seconds < 60
    screenshot(page, "gradient-descent-own-data-10000")
