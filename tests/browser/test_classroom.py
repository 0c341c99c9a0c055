"""A class period in real browsers, once against a fresh SQLite store and once against a
PostgreSQL server started here (tests/pg.py): a teacher opens a class on the For teachers
page (QR code shown), opens the teacher link on the projected screen (the key leaves the
address bar), three learners (one with a hostile nickname) join by the learner link at the
same time and predict on the first task; the dashboard (refreshing itself) shows 3 joined
and their predictions; the teacher reveals a task one learner has not answered and that
learner's page shows the answer by itself; the CSV holds the answers; the projector view
holds no key, no reveal switch and no nickname; nothing a learner receives holds the key."""
import contextlib
import csv
import io
import os
import re
import time
from pathlib import Path

import pytest

from tests.browser import server
from tests.browser import test_lessons as walk
from tests.browser.helpers import DESKTOP, PHONE, assert_charts_drawn, exceptions, main_text, screenshot, settle
from tests.browser.server import ARTIFACTS
from tests.pg import postgres_server

HOSTILE = "<img src=x onerror=alert(1)>"
NICKS = ("Ada-7q", "Bo-9z", HOSTILE)
PICKS = ("SGD", "Momentum", "Adam")       # the three learners' predictions on task 1
TIMINGS: dict = {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def class_url(request, tmp_path_factory):
    """The real app on its own store: a fresh SQLite data folder, or a fresh PostgreSQL."""
    names = ("GDL_DATA_DIR", "GDL_DATABASE_URL")
    saved = {k: os.environ.get(k) for k in names}
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            os.environ["GDL_DATA_DIR"] = str(tmp_path_factory.mktemp("gdl-class-data"))
            os.environ.pop("GDL_DATABASE_URL", None)
        else:
            pg = stack.enter_context(postgres_server())
            os.environ["GDL_DATABASE_URL"] = pg.create_database("gdl_class")
        try:
            url = stack.enter_context(server.serve(log_path=ARTIFACTS / f"streamlit-class-{request.param}.log"))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        yield request.param, url


def wait_for(page, pattern: str, timeout: float = 60) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, main_text(page))
        if m:
            return m
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} not on {page.url}:\n{main_text(page)[:3000]}")
        time.sleep(0.25)


def open_context(browser, options, dialogs):
    ctx = browser.new_context(**options)
    page = ctx.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return ctx, page


def test_a_class_period(browser, class_url):
    kind, url = class_url
    dialogs: list[str] = []
    contexts = []
    try:
        # --- the teacher opens a class --------------------------------------------------
        ctx, opener = open_context(browser, DESKTOP, dialogs)
        contexts.append(ctx)
        walk.goto(opener, url, "teachers")
        opener.get_by_label("Class name").fill("Period 3")
        lessons = opener.locator("[data-testid='stMultiSelect'] input")
        lessons.click()
        lessons.press("Backspace")                          # the first lesson is chosen by default
        lessons.fill("optimizer")
        opener.get_by_role("option", name=re.compile("Which optimizer wins")).click()
        opener.keyboard.press("Escape")
        walk.click(opener, "Open the class")
        assert exceptions(opener) == [], server.log_tail(log_path=ARTIFACTS / f"streamlit-class-{kind}.log")
        code = wait_for(opener, r"Class code: ([A-Z0-9]{6})").group(1)
        qr = opener.locator("[data-testid='stImage'] img").first
        qr.wait_for()
        assert opener.evaluate("img => img.complete && img.naturalWidth", qr.element_handle()) >= 200
        codes = opener.locator("[data-testid='stCode']").all_text_contents()
        teacher_link = next(c.strip() for c in codes if "key=" in c)
        learner_link = next(c.strip() for c in codes if f"class={code}" in c and "key=" not in c)
        key = re.search(r"key=([A-Za-z0-9_-]+)", teacher_link).group(1)
        assert len(key) >= 22 and "lesson=optimizer-race" in learner_link
        assert "key" not in opener.url

        # --- the teacher link on the projected screen: the key leaves the address bar --------
        ctx, dash = open_context(browser, DESKTOP, dialogs)
        contexts.append(ctx)
        dash.goto(teacher_link, wait_until="domcontentloaded")
        settle(dash)
        wait_for(dash, rf"Class code: {code}")
        assert key not in dash.url and "key=" not in dash.url, dash.url
        wait_for(dash, r"Learners joined\s+0")

        # --- three learners join at once and predict on the first task ------------------
        learners = []
        for nick in NICKS:
            ctx, page = open_context(browser, DESKTOP, dialogs)
            contexts.append(ctx)
            frames = walk.Frames(page)
            page.goto(learner_link, wait_until="domcontentloaded")
            learners.append((page, frames, nick))
        t_join = time.monotonic()
        for page, _, nick in learners:
            settle(page)
            page.get_by_label("Nickname (optional)").press_sequentially(nick)   # typed: the box stops at 24
            walk.click(page, "Join")
            assert exceptions(page) == []
            assert "Join your class" not in main_text(page)
        TIMINGS[f"{kind}: 3 learners open the link and join"] = time.monotonic() - t_join
        wait_for(dash, r"Learners joined\s+3", timeout=30)

        race, winner = walk.first_race()                   # plain torch.optim loops (test_lessons.py)
        right = sum(p == winner for p in PICKS)
        for (page, _, _), pick in zip(learners, PICKS):
            walk.wait_text(page, "Task 1 of 7")
            walk.click(page, "Set up the experiment")
            walk.predict_choice(page, pick)
            assert "PyTorch computed" in walk.reveal_line(page)
        t_predicted = time.monotonic()
        wait_for(dash, rf"3 of 3 learners predicted; 3 finished the task; {round(100 * right / 3)}% of the "
                       "predictions were right", timeout=45)
        TIMINGS[f"{kind}: dashboard shows all 3 predictions after the last one"] = time.monotonic() - t_predicted
        assert_charts_drawn(dash, min_count=4)             # one per multiple-choice predict task
        screenshot(dash, f"class-dashboard-{kind}")

        # --- a reveal reaches a learner who has not answered -----------------------------
        page, frames, nick = learners[2]
        walk.click(page, "Next task →")
        walk.click(page, "Skip this task")
        walk.wait_text(page, "Task 3 of 7")
        walk.click(page, "Set up the experiment")
        assert "Your teacher revealed" not in main_text(page)
        switches = dash.locator("[data-testid='stCheckbox']").filter(has_text="Reveal the answer to the class")
        switches.nth(1).locator("label").click()         # task 3: the fair race (the 2nd predict task)
        t_reveal = time.monotonic()
        settle(dash)
        line = walk.wait_text(page, "Your teacher revealed the answer", timeout=30)
        TIMINGS[f"{kind}: a reveal reaches the learner's page"] = time.monotonic() - t_reveal
        assert re.search(r"Your teacher revealed the answer: PyTorch computed (Momentum|Adam|Neither converges)",
                         line), line
        assert "Submit my prediction" in main_text(page)   # still free to predict afterwards

        # --- the CSV ----------------------------------------------------------------------
        dash.get_by_text("Your teacher link, the answers as CSV").click()
        with dash.expect_download() as got:
            dash.get_by_role("button", name=re.compile("Download the class's answers")).click()
        rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
        preds = [r for r in rows if r["task"] == "rosenbrock-winner" and r["kind"] == "prediction"]
        labels = ("SGD", "Momentum", "Adam", "RMSprop")
        assert sorted((r["nickname"], labels[int(r["choice"])]) for r in preds) == \
            sorted((n[:24], p) for n, p in zip(NICKS, PICKS))      # the join box takes 24 characters
        assert any(r["kind"] == "skipped" and r["task"] == "momentum-beats-adam" for r in rows)

        # --- the projector view -------------------------------------------------------------
        dash.get_by_text("Projector view").click()
        settle(dash)
        wait_for(dash, rf"Class code: {code}")
        time.sleep(4)                                       # one more refresh of the live part
        html, text = dash.content(), main_text(dash)
        assert key not in html and "Reveal the answer" not in text and "teachers?" not in text
        for n in NICKS:
            for form in {n, n[:24], n[:24].replace("<", "&lt;").replace(">", "&gt;")}:
                assert form not in html, form
        assert_charts_drawn(dash, min_count=4)             # the aggregates stay on the projector
        screenshot(dash, f"class-projector-{kind}")

        # --- nothing a learner received holds the key; no script ran -------------------------
        for page, frames, _ in learners:
            assert key not in page.content()
            assert key.encode() not in frames.text()
            assert exceptions(page) == []
        assert dialogs == []
    finally:
        for ctx in contexts:
            ctx.close()
    print("\n".join(f"{k}: {v:.1f} s" for k, v in TIMINGS.items()))


def test_a_learner_on_a_phone_joins_by_code(browser, class_url):
    """The Home page's code box on a phone: an unknown code is refused plainly, a real one joins."""
    kind, url = class_url
    dialogs: list[str] = []
    ctx, opener = open_context(browser, DESKTOP, dialogs)
    ctx2, phone = open_context(browser, PHONE, dialogs)
    try:
        walk.goto(opener, url, "teachers")
        walk.click(opener, "Open the class")
        code = wait_for(opener, r"Class code: ([A-Z0-9]{6})").group(1)
        walk.goto(phone, url, "")
        phone.get_by_role("textbox", name="Class code").fill("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")
        walk.click(phone, "Join")
        wait_for(phone, "no open class with that code")
        phone.get_by_role("textbox", name="Class code").fill(code.lower())
        phone.get_by_role("textbox", name="Nickname (optional)").press_sequentially(HOSTILE)
        walk.click(phone, "Join")
        text = wait_for(phone, rf"You are in class {code}").string
        assert f"Nickname: {HOSTILE[:24]}" in text         # shown as text, not as an element
        assert phone.locator("[data-testid='stMain'] img[src='x']").count() == 0
        assert dialogs == []
        screenshot(phone, f"class-join-phone-{kind}")
    finally:
        ctx.close()
        ctx2.close()
