"""Optimizer comparison in a real browser: loads, draws, shows the numbers PyTorch computes,
reacts to the step slider, reproduces a shared link in a fresh browser, works on a phone."""
import re

from tests.browser.helpers import (assert_charts_drawn, exceptions, goto, main_text, screenshot, settle)
from tests.browser.server import log_tail
from tests.optim_reference import STARTS, SURFACES, surface_run

PATH = "optimizer-comparison"


def four(v: float) -> str:
    """The page's 4-significant-digit format for numbers in sentences (ui.layout.fmt)."""
    return f"{v:.4g}" if 1e-4 <= abs(v) < 1e6 else f"{v:.3e}"


def at_step_caption(page) -> str:
    text = main_text(page)
    m = re.search(r"At step \d+:[^\n]*", text)
    assert m, text[:2000]
    return m.group(0)


def step_thumb(page):
    return (page.locator("[data-testid='stSlider']").filter(has_text="Show the race up to step")
            .locator("input[type='range']"))


def test_default_view_loads_draws_and_shows_torch_numbers(page, app_url):
    goto(page, app_url, PATH)
    assert exceptions(page) == [], log_tail()
    assert_charts_drawn(page, min_count=2)
    ref = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], "Momentum", dict(lr=0.0005), 500)
    text = main_text(page)
    assert f"Momentum loss {four(ref['losses'][-1])}" in text
    assert "converged first, at step 130" in text
    screenshot(page, "optimizer-comparison")


def test_step_slider_moves_the_race_back_to_the_start(page, app_url):
    goto(page, app_url, PATH)
    assert "At step 500:" in at_step_caption(page)
    thumb = step_thumb(page)
    thumb.focus()
    thumb.press("Home")
    settle(page)
    cap = at_step_caption(page)
    assert cap.startswith("At step 0:"), cap
    assert "SGD loss 409" in cap                  # f(−2, 2) = 3² + 100·(2 − 4)² = 409
    assert exceptions(page) == []
    assert "step=0" in page.url                   # the step is part of the shareable link
    assert_charts_drawn(page, min_count=2)


def test_shared_link_reproduces_the_numbers_in_a_fresh_browser(browser, app_url):
    query = "problem=bowl&opts=SGD,Adam&steps=120&SGD.lr=0.05&Adam.lr=0.2"
    captions = []
    for _ in range(2):                              # two independent browser contexts
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        goto(page, app_url, PATH, query)
        assert exceptions(page) == [], log_tail()
        captions.append(at_step_caption(page))
        ctx.close()
    assert captions[0] == captions[1]
    for label, lr in (("SGD", 0.05), ("Adam", 0.2)):
        ref = surface_run(SURFACES["bowl"], STARTS["bowl"], label, dict(lr=lr), 120)
        assert f"{label} loss {four(ref['losses'][-1])}" in captions[0], captions[0]


def test_phone_viewport(phone_page, app_url):
    goto(phone_page, app_url, PATH)
    assert exceptions(phone_page) == [], log_tail()
    assert_charts_drawn(phone_page, min_count=2)
    screenshot(phone_page, "optimizer-comparison-phone")


def test_other_tabs_in_the_browser(page, app_url):
    for view in ("batch", "restarts"):
        goto(page, app_url, PATH, f"view={view}")
        assert exceptions(page) == [], log_tail()
        assert_charts_drawn(page, min_count=1)
        screenshot(page, f"optimizer-comparison-{view}")


def test_clicking_the_map_starts_every_optimizer_there(page, app_url):
    # Home first: on a server's very first session Streamlit may show a "Page not found" dialog
    # over a deep link until st.navigation has run once, and a dialog would swallow the click.
    goto(page, app_url, "")
    goto(page, app_url, PATH, "steps=100")
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + 0.3 * box["height"])   # upper right of the map
    settle(page)
    assert exceptions(page) == [], log_tail()
    assert "own_start=1" in page.url
    x = float(re.search(r"sx=(-?[0-9.]+)", page.url).group(1))
    y = float(re.search(r"sy=(-?[0-9.]+)", page.url).group(1))
    assert 1.0 < x < 2.0 and 1.5 < y < 3.0, (x, y)      # the Rosenbrock view is [−2.2, 2] × [−1, 3]
    cap = at_step_caption(page)
    for label, lr in (("SGD", 0.001), ("Adam", 0.3)):
        ref = surface_run(SURFACES["rosenbrock"], (x, y), label, dict(lr=lr), 100)
        assert f"{label} loss {four(ref['losses'][-1])}" in cap, cap
    # one mechanism: the click wrote the same settings the keyboard's number inputs hold
    assert float(page.get_by_label("Start x").input_value()) == x
    assert float(page.get_by_label("Start y").input_value()) == y


def test_fair_race_shows_the_search_of_each_optimizer(page, app_url):
    """Issue 14 #2: with the fair race on, one search panel per optimizer (its first grid and
    second pass) is drawn under "How the fair race chose the rates"."""
    goto(page, app_url, PATH, "opts=SGD,Momentum,Adam,RMSprop&fair=1")
    assert exceptions(page) == [], log_tail()
    text = main_text(page)
    assert "How the fair race chose the rates" in text
    assert re.search(r"SGD \d+, Momentum \d+, Adam \d+, RMSprop \d+ more — \d+ runs in two batched calls", text)
    assert_charts_drawn(page, min_count=7)           # map, loss, four search panels, loss vs rate
    page.get_by_text("How the fair race chose the rates").first.scroll_into_view_if_needed()
    screenshot(page, "optimizer-comparison-fair-search")


def test_seven_optimizers_stay_legible(page, app_url):
    """Issue 14 #6: with all seven optimizers the cards wrap into rows (names and "weight decay"
    are not broken into syllables) and every chip of the picker is in view."""
    goto(page, app_url, PATH, "opts=SGD,Momentum,Nesterov,Adam,AdamW,AdaGrad,RMSprop&steps=50")
    assert exceptions(page) == [], log_tail()
    rules = page.locator("[data-testid='stCaptionContainer']").filter(has_text="θ ←")
    assert rules.count() == 7
    widths = [rules.nth(i).bounding_box()["width"] for i in range(7)]
    assert min(widths) > 150, widths                     # seven in one row left each about 100 px
    tops = sorted({round(rules.nth(i).bounding_box()["y"]) for i in range(7)})
    assert len(tops) == 2, tops                          # two rows: four cards, then three
    picker = page.locator("[data-testid='stMultiSelect']").first
    box = picker.bounding_box()
    for label in ("SGD", "Momentum", "Nesterov", "Adam", "AdamW", "AdaGrad", "RMSprop"):
        b = picker.get_by_text(label, exact=True).first.bounding_box()
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1, label
        assert box["y"] - 1 <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"] + 1, label
    screenshot(page, "optimizer-comparison-seven")


def test_wells_restarts_and_old_view_link(page, app_url):
    """Issue 14 #8 and #10: the wells surface reports the global minimum; ?view= still works."""
    goto(page, app_url, PATH, "view=restarts&r_surface=wells&r_n=25&r_layout=grid")
    assert exceptions(page) == [], log_tail()
    assert "tab=restarts" in page.url and "view=" not in page.url
    assert re.search(r"\d+ of 25 starts found the global minimum", main_text(page))
    assert_charts_drawn(page, min_count=1)
