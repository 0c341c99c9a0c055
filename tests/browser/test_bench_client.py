"""bench/stclient.py drives the real server the way a browser does (no timings asserted):
a widget change reaches the page, and every page opens from the sidebar without errors."""
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from common import discover_pages  # noqa: E402
from stclient import Learner, show_value  # noqa: E402


async def _drive(url):
    learner = Learner(url, timeout=120)
    await learner.connect()
    try:
        first = await learner.load("")
        widget = learner.changeable()[0]
        choice = next(a for a in widget.alternatives(learner.values[widget.id]) if show_value(a) == "0.5")
        changed = await learner.set_widget(choice, "home")
        opened = [await learner.click_page(p) for p in discover_pages()]
        return first, widget, changed, opened
    finally:
        await learner.close()


def test_protocol_client_changes_a_setting_and_opens_every_page(app_url):
    # Its own thread: once a Playwright test has run, Playwright's sync API keeps an event
    # loop running in this one, and asyncio.run refuses to start inside it.
    with ThreadPoolExecutor(1) as pool:
        first, widget, changed, opened = pool.submit(asyncio.run, _drive(app_url)).result()
    assert first.errors == [] and first.seconds is not None
    assert "learning rate" in widget.label.lower()
    assert changed.errors == [] and changed.query_string == "lr=0.5"   # the page wrote the new value to the URL
    for r in opened:
        assert r.errors == [] and r.seconds is not None, r
