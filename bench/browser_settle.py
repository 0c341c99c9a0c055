"""Slider settle time in a real browser, per page, for a learner alone (issue 18).

    python bench/browser_settle.py                    # starts `streamlit run app.py` (GDL_WORKERS auto)
    python bench/browser_settle.py --url http://127.0.0.1:8501 --moves 6 --json

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens each page at
its default settings, waits until it is steady, then moves the page's main slider with the
keyboard: the learning-rate slider where the page has one, else the first slider of the
main area. ``--moves`` presses of the right arrow (each a value not seen before: the
server computes it), then as many of the left arrow (back over values it has seen: served
from the caches). Per press, **settle** = key press → Streamlit's script state back to
"not running" with no "Running…" status and no loading skeleton, confirmed steady for
0.3 s. The time reported is when the last run the press caused ended, read from a
MutationObserver on the app's script state in the page's own clock: polling that state
from here takes 10-30 ms a round and missed short runs (counted as a flat 1 s until
2026-12-06 19:15). A press that starts no run within 1 s is not timed and is counted
apart ("without a run").
This includes what the learner waits for beyond the server: the browser's own debounce of
slider input, the websocket, React drawing the new elements and Vega drawing the charts
(Vega's drawing after the elements arrive is not tracked by Streamlit's script state, so
chart drawing that outlasts the run is not included).

Before the timed presses, the page is warmed by one press right and one left (the first
learner of the day pays more; bench/README.md, deploy/warmup.py). Reported per page:
median (and max) settle of all presses, of new values and of revisits. Target (issue 18):
median ≤ 0.3 s. Exit code 0 whatever the figures; a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import discover_pages, select_pages  # noqa: E402
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, goto  # noqa: E402

TARGET_S = 0.3
PREFERRED = re.compile(r"learning rate|η", re.I)
_APP = "[data-testid='stApp']"
_BUSY = "[data-testid='stStatusWidget'], [data-testid='stSkeleton']"
_IDLE = ("notRunning", "compilationError")


def main_slider(page):
    """(label, thumb locator) of the page's main slider, or None."""
    sliders = page.locator("[data-testid='stMain'] [data-testid='stSlider']")
    best = None
    for i in range(sliders.count()):
        s = sliders.nth(i)
        # Streamlit 1.67's slider is React Aria's: the thumb is a visually hidden range input.
        thumb = s.locator("input[type='range']").first
        if not thumb.count() or thumb.is_disabled():
            continue
        label = (s.locator("[data-testid='stWidgetLabel']").first.inner_text() if
                 s.locator("[data-testid='stWidgetLabel']").count() else f"slider {i + 1}").strip()
        if PREFERRED.search(label):
            return label, thumb
        best = best or (label, thumb)
    return best


def _idle(page) -> bool:
    app = page.locator(_APP)
    return (app.get_attribute("data-test-connection-state") == "CONNECTED"
            and app.get_attribute("data-test-script-state") in _IDLE
            and page.locator(_BUSY).count() == 0)


# Every change of the app's script state, stamped with the page's own clock. Polling the
# attribute from here takes ~10-30 ms a round, so a run that starts and ends between two
# polls went unseen and the press was counted as "no run" (a flat 1 s); the browser's
# MutationObserver sees every transition.
_WATCH = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__gdlRuns = [];
  new MutationObserver(() => window.__gdlRuns.push([performance.now(), app.getAttribute("data-test-script-state")]))
    .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def watch(page) -> None:
    """Start recording the script-state transitions of ``page`` (once per page load)."""
    page.evaluate(_WATCH)


def press_and_settle(page, thumb, key: str, timeout: float = 60, steady: float = 0.3) -> float | None:
    """Press ``key`` on the slider's thumb; seconds until the run it caused was over and
    the page idle again (None when the press started no run: the value did not change).
    Times are the page's own (performance.now()) from just before the key."""
    thumb.focus()
    t0 = page.evaluate("performance.now()")
    start = time.perf_counter()
    thumb.press(key)
    first_idle = None
    while time.perf_counter() - start < timeout:
        now = time.perf_counter()
        runs = page.evaluate("t => window.__gdlRuns.filter(r => r[0] >= t)", t0)
        ran = any(state not in _IDLE for _, state in runs)
        if _idle(page) and (ran or now - start > 1.0):
            # A run may start a moment after the key (the slider's debounce): an idle page
            # with no run seen counts as "no run" once 1 s has passed.
            first_idle = first_idle or now
            if now - first_idle >= steady:
                if not ran:
                    return None
                ended = [t for t, state in runs if state in _IDLE]
                return (max(ended) - t0) / 1000
        else:
            first_idle = None
        time.sleep(0.01)
    raise TimeoutError(f"no settle within {timeout}s after {key} on {page.url}")


def measure(url: str, moves: int, out=print, pages: list[str] | None = None) -> list[dict]:
    from playwright.sync_api import sync_playwright
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for p in select_pages(discover_pages(), pages):
                page = browser.new_context(**DESKTOP).new_page()
                goto(page, url, p["url_path"])
                found = main_slider(page)
                if found is None:
                    out(f"{p['name']:<22} no slider")
                    page.context.close()
                    continue
                label, thumb = found
                watch(page)
                press_and_settle(page, thumb, "ArrowRight")     # warm: one new value, one back
                press_and_settle(page, thumb, "ArrowLeft")
                fresh = [press_and_settle(page, thumb, "ArrowRight") for _ in range(moves)]
                back = [press_and_settle(page, thumb, "ArrowLeft") for _ in range(moves)]
                no_run = sum(t is None for t in fresh + back)
                fresh, back = [t for t in fresh if t is not None], [t for t in back if t is not None]
                every = fresh + back
                if not fresh or not back:
                    out(f"{p['name']:<22} {label[:34]:<34} the presses started no run ({no_run} of {2 * moves})")
                    page.context.close()
                    continue
                row = dict(page=p["name"], slider=label, n=len(every), no_run=no_run,
                           median=round(statistics.median(every), 3), max=round(max(every), 3),
                           new_median=round(statistics.median(fresh), 3),
                           revisit_median=round(statistics.median(back), 3))
                rows.append(row)
                out(f"{row['page']:<22} {label[:34]:<34} median {row['median']:.3f} s (new values "
                    f"{row['new_median']:.3f}, revisits {row['revisit_median']:.3f}), max {row['max']:.3f}"
                    + (f", {no_run} press(es) without a run" if no_run else "")
                    + f"{'' if row['median'] <= TARGET_S else '  > target'}")
                page.context.close()
        finally:
            browser.close()
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--moves", type=int, default=5, help="presses right, then as many left, per page")
    ap.add_argument("--workers", default="auto", help="the started server's GDL_WORKERS")
    ap.add_argument("--pages", nargs="*", help="only these pages (name, url path or file)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.url:
        ctx = nullcontext(args.url)
    else:
        from tests.browser.server import ARTIFACTS, serve
        ctx = serve(log_path=ARTIFACTS / "browser-settle-server.log", workers=args.workers)
    with ctx as url:
        rows = measure(url, args.moves, out=(lambda *_: None) if args.json else print, pages=args.pages)
    if args.json:
        print(json.dumps(dict(url=url, target_s=TARGET_S, pages=rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
