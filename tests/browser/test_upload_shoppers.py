"""The shoppers tab on a learner's own CSV in headless Chromium: the file goes through the real
file uploader (Playwright's set_input_files), the metrics appear and equal scikit-learn's on a
plain torch loop, the choices survive a trip to the built-in shoppers, a 10,000-row file is
timed, and the page fits a phone."""
import time

import numpy as np
import torch
from sklearn import metrics as skm

from dlcore.problems.own_classification import OwnClassification, prepare
from dlcore.tabular import read_table
from tests.browser.helpers import exceptions, goto, main_text, screenshot, settle
from tests.browser.server import log_tail
from tests.test_own_classification import churn_csv, pandas_reference, torch_loop

PATH = "neural-network"
QUERY = "tab=shop&c_src=own&c_model=logistic&c_opt=adam&c_lr=0.05&c_epochs=150&c_seed=2"


def no_exception(page):
    assert exceptions(page) == [], f"exception shown; server log:\n{log_tail()}"


def upload(page, name: str, raw: bytes, wait_for: str = "Test accuracy", timeout: float = 180) -> float:
    """Put the file into the page's file uploader; seconds until ``wait_for`` is shown and the page settled."""
    t0 = time.monotonic()
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": raw}])
    page.get_by_text(wait_for, exact=False).first.wait_for(timeout=timeout * 1000)
    settle(page, timeout)
    return time.monotonic() - t0


def choice(page, option: str) -> None:
    """Click an option of the "Data" segmented control (a group of toggle buttons)."""
    page.locator("[data-testid='stButtonGroup'] button", has_text=option).first.click()
    settle(page)


def reference_test_accuracy(raw: bytes) -> float:
    """The page's settings (QUERY) on pandas' data with the seed's split, torch.optim, sklearn."""
    X, y, _, _ = pandas_reference(raw, "churned", "yes")
    tr, te = OwnClassification(prepare(read_table(raw), "churned", positive="yes"), split_seed=2).split()
    m, s = X[tr].mean(axis=0), X[tr].std(axis=0)
    Z = (X - m) / s
    net = torch_loop(Z[tr], y[tr], (Z.shape[1], 1), "adam", 0.05, 150, 2)
    with torch.no_grad():
        p = torch.sigmoid(net(torch.tensor(Z[te]))).squeeze(1).numpy()
    return skm.accuracy_score(y[te], (p >= 0.5).astype(int))


def big_csv(n: int = 10_000, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    colour = rng.choice(["red", "green", "blue"], n)
    z = X[:, 0] - 0.5 * X[:, 1] ** 2 + 0.8 * X[:, 2] + (colour == "red") - 0.3
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    lines = ["a,b,c,d,e,f,colour,label"] + [",".join(f"{v:.4f}" for v in X[i]) + f",{colour[i]},{y[i]}"
                                            for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_upload_through_the_file_uploader_shows_the_metrics(page, app_url):
    goto(page, app_url, PATH, QUERY)
    no_exception(page)
    assert "Upload a CSV or paste a table" in main_text(page)
    raw = churn_csv()
    upload(page, "churn.csv", raw)
    no_exception(page)
    text = main_text(page)
    assert "Your data: 233 rows · 5 features → churned" in text
    assert "one-hot encoded (2 column(s), 'basic' as the baseline)" in text
    assert "7 row(s) with a missing value" in text
    acc = page.locator("[data-testid='stMetric']").filter(has_text="Test accuracy").first.inner_text()
    assert f"{reference_test_accuracy(raw):.1%}" in acc, acc
    assert "ROC AUC" in text and "(majority class)" in text
    screenshot(page, "neural-network-own-data")


def test_own_data_survives_a_trip_to_the_built_in_shoppers(page, app_url):
    goto(page, app_url, PATH, QUERY)
    upload(page, "churn.csv", churn_csv())
    choice(page, "1000 shoppers (built-in)")
    assert "Who buys? 1000 shoppers" in main_text(page)
    choice(page, "Use my own data")
    no_exception(page)
    text = main_text(page)
    assert "Your data: 233 rows · 5 features → churned" in text and "Test accuracy" in text


def test_a_10000_row_file_is_timed_from_upload_to_metrics(page, app_url):
    goto(page, app_url, PATH, "tab=shop&c_src=own")
    seconds = upload(page, "big.csv", big_csv(), timeout=240)
    no_exception(page)
    text = main_text(page)
    assert "Your data: 10,000 rows · 8 features → label" in text and "ROC AUC" in text
    print(f"\n10,000-row file: {seconds:.1f} s from set_input_files to the metrics on screen")
    assert seconds < 120


def test_own_data_on_a_phone(phone_page, app_url):
    goto(phone_page, app_url, PATH, QUERY)
    upload(phone_page, "churn.csv", churn_csv())
    no_exception(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width}px wide on a 390px phone"
    screenshot(phone_page, "neural-network-own-data-phone")
