"""A learner works through the Optimizer comparison lesson (lessons/optimizer-comparison.toml)
in Chromium: start, set up, hint, a WRONG prediction, the reveal with the computed answer,
every task in turn (goals met by moving the controls until they turn green), progress
("N of 7 done") that survives a reload because it is in the link.

The predict-before-reveal rule is checked on what the browser really received: before the
learner answers, the numbers that would give the answer away (computed here by a plain
torch.optim loop, tests/optim_reference.py) are in neither the page's HTML nor any
WebSocket frame; after the answer the same strings are there (so the check can see them)."""
import re
import time

import pytest

from tests.browser.helpers import exceptions, goto, main_text, screenshot, settle
from tests.browser.server import log_tail
from tests.optim_reference import STARTS, SURFACES, first_stay_within, surface_run

PATH = "optimizer-comparison"
RACE = {"SGD": 0.001, "Momentum": 0.0005, "Adam": 0.3, "RMSprop": 0.05}    # task 1's setup (the lesson file)
TASKS = 7


def four(v: float) -> str:
    """The page's 4-significant-digit format for numbers in sentences (ui.layout.fmt)."""
    return f"{v:.4g}" if 1e-4 <= abs(v) < 1e6 else f"{v:.3e}"


def first_race():
    """Task 1's race by plain torch.optim loops: each optimizer's final loss and the step
    from which its loss stays within 0.01 of Rosenbrock's minimum (0)."""
    out = {}
    for label, lr in RACE.items():
        hyper = dict(lr=lr, momentum=0.9) if label == "Momentum" else dict(lr=lr)
        run = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], label, hyper, 500)
        out[label] = (run["losses"][-1], first_stay_within(run["losses"], 0.01))
    done = {k: s for k, (_, s) in out.items() if s is not None}
    winner = min(done, key=done.get) if done else "none"
    return out, winner


class Frames:
    """Every WebSocket frame the page receives, as bytes."""

    def __init__(self, page):
        self.data: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._got))

    def _got(self, payload):
        self.data.append(payload if isinstance(payload, bytes) else str(payload).encode())

    def text(self, since: int = 0) -> bytes:
        return b"\n".join(self.data[since:])


def click(page, name: str, exact: bool = True) -> None:
    page.get_by_role("button", name=name, exact=exact).first.click()
    time.sleep(0.3)
    settle(page)


def progress(page) -> str:
    m = re.search(r"(\d+) of (\d+) done", main_text(page))
    assert m, main_text(page)[:1500]
    return m.group(0)


def predict_choice(page, label: str) -> None:
    form = page.locator("[data-testid='stForm']").filter(has_text="Your prediction")
    form.locator("[data-testid='stRadio'] label").filter(has_text=label).first.click()
    form.get_by_role("button", name=re.compile("Submit my prediction")).click()
    time.sleep(0.3)
    settle(page)


def predict_number(page, value: float) -> None:
    form = page.locator("[data-testid='stForm']").filter(has_text="Your prediction")
    box = form.locator("input").first
    box.fill(str(value))
    box.press("Tab")
    form.get_by_role("button", name=re.compile("Submit my prediction")).click()
    time.sleep(0.3)
    settle(page)


def wait_text(page, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = main_text(page)
        if needle in text:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{needle!r} not on the page:\n{text[:3000]}")
        time.sleep(0.3)


def thumb(page, label_text: str, nth: int = 0):
    """The slider thumb of the nth slider whose label contains label_text."""
    return (page.locator("[data-testid='stSlider']").filter(has_text=label_text).nth(nth)
            .locator("input[type='range']"))


def move(page, handle, presses: int, key: str = "ArrowRight") -> None:
    handle.focus()
    for _ in range(presses):
        handle.press(key)
        time.sleep(0.15)
    time.sleep(0.5)
    settle(page)


def reveal_line(page) -> str:
    m = re.search(r"(Right!|Not quite\.)[^\n]*PyTorch computed[^\n]*", main_text(page))
    assert m, main_text(page)[:3000]
    return m.group(0)


def start_and_set_up(page, app_url, frames):
    goto(page, app_url, PATH)
    assert exceptions(page) == [], log_tail()
    mark = len(frames.data)       # the default race is task 1's: it is on the page until the lesson starts
    click(page, "Start the lesson")
    assert progress(page) == f"0 of {TASKS} done"
    assert "lesson=optimizer-race" in page.url
    click(page, "Set up the experiment")
    assert exceptions(page) == [], log_tail()
    assert "the race is shown once you have submitted it" in main_text(page)
    return mark


def hidden_strings(race, winner):
    """What would give task 1's answer away: each optimizer's final loss as the page writes
    it, and the winner's converged step in the page's sentence."""
    losses = [four(loss) for loss, _ in race.values()]
    steps = race[winner][1]
    return losses, f"converged first, at step {steps}"


def assert_hidden(page, frames, losses, sentence, since=0):
    html, sent = page.content(), frames.text(since)
    for s in [*losses, sentence]:
        assert s not in html, f"{s!r} is in the page before the prediction"
        assert s.encode() not in sent, f"{s!r} was sent over the WebSocket before the prediction"


def test_a_learner_completes_the_optimizer_lesson(page, app_url):
    t0 = time.monotonic()
    frames = Frames(page)
    race, winner = first_race()
    assert winner != "none"
    losses, sentence = hidden_strings(race, winner)

    mark = start_and_set_up(page, app_url, frames)
    assert_hidden(page, frames, losses, sentence, mark)

    # A hint, then a WRONG prediction.
    click(page, "Show a hint (1 of 2)")
    assert "Hint 1:" in main_text(page) and "valley floor is nearly flat" in main_text(page)
    assert_hidden(page, frames, losses, sentence, mark)
    wrong = next(label for label in RACE if label != winner)
    before_answer = len(frames.data)
    predict_choice(page, wrong)
    line = reveal_line(page)
    assert line.startswith("Not quite.") and f"You predicted {wrong}" in line and f"PyTorch computed {winner}" in line
    text = main_text(page)
    assert sentence in text, text[:3000]                  # the reveal fills the explanation from the run
    html, sent = page.content(), frames.text(before_answer)
    for s in [*losses, sentence]:                          # now sent: so the check above could see them
        assert s in html and s.encode() in sent, s
    assert progress(page) == f"1 of {TASKS} done"
    assert "lp=c" in page.url and "h1" in page.url

    # A reload keeps the progress: it is in the link.
    url = page.url
    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert page.url == url
    assert progress(page) == f"1 of {TASKS} done"
    assert reveal_line(page).startswith("Not quite.")
    screenshot(page, "lesson-optimizer-task1-laptop")

    # Task 2 (goal): Momentum at 0.0001 loses to Adam; move its rate up until it wins.
    click(page, "Next task →")
    # Task 1's rates already make Momentum win: moving on puts task 2's own experiment in
    # place, so the goal is not credited before the learner works for it.
    wait_text(page, "Not met yet")
    assert progress(page) == f"1 of {TASKS} done"
    click(page, "Set up the experiment")
    wait_text(page, "Not met yet")
    rate = thumb(page, "learning rate η", 0)               # the first card is Momentum's
    assert rate.get_attribute("aria-valuetext") == "0.0001"
    move(page, rate, 3)                                     # 0.0001 → 0.0002 → 0.0003 → 0.0005
    assert rate.get_attribute("aria-valuetext") == "0.0005"
    wait_text(page, "Goal met!")
    assert progress(page) == f"2 of {TASKS} done"

    # Tasks 3-5 (predict): set up, predict, see the computed answer.
    for task, choice in ((3, "Adam"), (4, "Yes, it converges"), (5, "stochastic (1)")):
        click(page, "Next task →")
        assert f"Task {task} of {TASKS}" in main_text(page)
        click(page, "Set up the experiment")
        assert exceptions(page) == [], log_tail()
        predict_choice(page, choice)
        line = reveal_line(page)
        assert f"You predicted {choice}" in line, line
        assert progress(page) == f"{task} of {TASKS} done"

    # Task 6 (predict a number): how many of Himmelblau's minima random restarts reach.
    click(page, "Next task →")
    click(page, "Set up the experiment")
    assert "the restarts are shown once you have submitted it" in main_text(page)
    predict_number(page, 4)
    line = reveal_line(page)
    assert re.search(r"PyTorch computed [1-4]\b", line), line
    assert progress(page) == f"6 of {TASKS} done"

    # Task 7 (goal): reach the deepest of the uneven wells from a third of the starts.
    click(page, "Next task →")
    click(page, "Set up the experiment")
    wait_text(page, "Not met yet")
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Optimizer").first
    box.click()
    page.get_by_role("option", name="Adam", exact=True).click()
    time.sleep(0.3)
    settle(page)
    lr = thumb(page, "Learning rate")
    assert lr.get_attribute("aria-valuetext") == "0.01"
    move(page, lr, 6)                                       # 0.01 → 0.3
    assert lr.get_attribute("aria-valuetext") == "0.3"
    wait_text(page, "Goal met!")
    assert progress(page) == f"{TASKS} of {TASKS} done"
    assert "Lesson complete" in main_text(page)
    assert exceptions(page) == [], log_tail()
    screenshot(page, "lesson-optimizer-complete-laptop")

    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert progress(page) == f"{TASKS} of {TASKS} done"
    print(f"whole lesson in the browser: {time.monotonic() - t0:.0f} s")


def test_phone_first_task(phone_page, app_url):
    page = phone_page
    frames = Frames(page)
    race, winner = first_race()
    losses, sentence = hidden_strings(race, winner)
    mark = start_and_set_up(page, app_url, frames)
    assert_hidden(page, frames, losses, sentence, mark)
    click(page, "Show a hint (1 of 2)")
    wrong = next(label for label in reversed(RACE) if label != winner)
    predict_choice(page, wrong)
    line = reveal_line(page)
    assert line.startswith("Not quite.") and f"PyTorch computed {winner}" in line
    assert progress(page) == f"1 of {TASKS} done"
    screenshot(page, "lesson-optimizer-task1-phone")
    # Nothing of the lesson panel is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert progress(page) == f"1 of {TASKS} done"
