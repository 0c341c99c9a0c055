"""The Neural Network page in headless Chromium: loads, draws, reacts, shares, fits a phone."""
import re

import torch
import torch.nn as nn

from tests.browser.helpers import (PHONE, assert_charts_drawn, exceptions, goto, main_text, screenshot, settle)
from tests.browser.server import log_tail

PATH = "neural-network"
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]


def article_last_line(seed: int, lr: float = 0.01) -> str:
    """The last log line article 001's script prints with torch.manual_seed(seed) (and learning rate lr)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.tensor(X3), torch.tensor([[6.0], [9.0], [12.0]])
    for _ in range(100):
        loss = nn.MSELoss()(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return f"Epoch [100/100], Loss: {loss.item()}"


def no_exception(page):
    assert exceptions(page) == [], f"exception shown; server log:\n{log_tail()}"


def test_loads_draws_and_shows_the_articles_log(page, app_url):
    goto(page, app_url, PATH)
    no_exception(page)
    assert_charts_drawn(page, min_count=2)
    text = main_text(page)
    assert article_last_line(601) in text                 # the key number, digit for digit
    assert "Given three numbers, output their sum" in text
    screenshot(page, "neural-network")


def test_changing_the_seed_retrains(page, app_url):
    goto(page, app_url, PATH)
    box = page.get_by_role("spinbutton", name="Seed (initial weights)")
    box.fill("0")
    box.press("Enter")
    settle(page)
    no_exception(page)
    text = main_text(page)
    assert article_last_line(0) in text and "dead ReLU" in text
    assert "seed=0" in page.url


def test_a_shared_link_reproduces_the_numbers_in_a_fresh_browser(page, app_url, browser):
    goto(page, app_url, PATH, "seed=11&lr=0.02")
    no_exception(page)
    first = re.findall(r"Epoch \[\d+/100\], Loss: [\d.e-]+", main_text(page))
    assert first[-1] == article_last_line(11, lr=0.02)
    other = browser.new_context()
    try:
        p2 = other.new_page()
        goto(p2, app_url, PATH, "seed=11&lr=0.02")
        assert re.findall(r"Epoch \[\d+/100\], Loss: [\d.e-]+", main_text(p2)) == first
    finally:
        other.close()


def test_tabs_are_lazy_and_bound_to_the_url(page, app_url):
    goto(page, app_url, PATH)
    page.get_by_role("tab", name="Gradients through depth").click()
    settle(page)
    no_exception(page)
    assert "tab=depth" in page.url
    assert "Vanishing and exploding gradients" in main_text(page)
    assert_charts_drawn(page, min_count=3)
    screenshot(page, "neural-network-depth")
    goto(page, app_url, PATH, "tab=shop")
    no_exception(page)
    assert "How good is it?" in main_text(page)
    assert_charts_drawn(page, min_count=5)
    screenshot(page, "neural-network-shop")


def test_phone_viewport(phone_page, app_url):
    goto(phone_page, app_url, PATH, "tab=inside")
    no_exception(phone_page)
    assert_charts_drawn(phone_page, min_count=1)
    assert "The forward pass, worked out" in main_text(phone_page)
    screenshot(phone_page, "neural-network-phone")
    assert PHONE["viewport"]["width"] == 390
