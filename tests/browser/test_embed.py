"""Every page in Streamlit's ``?embed=true`` view inside an <iframe> of a small HTML page
served from another local origin (as an LMS would embed it): it loads, draws, shows no
exception; and a link that shapes the page (``?hide=…&lock=…``) hides a control (absent)
and locks another (drawn, disabled, at the link's value) inside the iframe."""
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from tests.browser.helpers import PAGES, exceptions, main_text, settle
from tests.browser.server import log_tail

HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>A course page</title></head>
<body><h1>Week 3: gradient descent</h1>
<iframe id="lab" title="Gradient Descent Lab" width="1150" height="820" style="border:1px solid #888"></iframe>
<script>document.getElementById("lab").src = new URLSearchParams(location.search).get("src");</script>
</body></html>"""

EMBEDDED = [*PAGES, ("Glossary", "glossary"), ("For teachers", "teachers")]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A tiny course site on its own 127.0.0.1 port (another origin than the app)."""
    folder = tmp_path_factory.mktemp("lms")
    (folder / "course.html").write_text(HOST_PAGE)
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/course.html"
    httpd.shutdown()
    httpd.server_close()


def embedded(page, host, app_url, path, query=""):
    """Open the course page with the lab's page in its iframe; return the settled frame."""
    src = f"{app_url}/{path}?embed=true" + (f"&{query}" if query else "")
    page.goto(f"{host}?src={quote(src, safe='')}", wait_until="domcontentloaded")
    page.wait_for_selector("iframe#lab")
    frame = page.frame_locator("iframe#lab")
    frame.locator("[data-testid='stApp']").wait_for(timeout=90_000)
    inner = next(f for f in page.frames if f.url.startswith(app_url))
    settle(inner)
    return inner


@pytest.mark.parametrize("title,path", EMBEDDED, ids=[p or "home" for _, p in EMBEDDED])
def test_every_page_loads_in_an_iframe(page, host, app_url, title, path):
    inner = embedded(page, host, app_url, path)
    assert exceptions(inner) == [], log_tail()
    text = main_text(inner)
    assert title.split()[0] in text or path == "", text[:500]
    assert "There was a problem" not in text and "error id" not in text.lower()
    assert page.locator("h1").inner_text() == "Week 3: gradient descent"    # the host page around it


def test_a_link_hides_and_locks_controls_inside_the_iframe(page, host, app_url):
    inner = embedded(page, host, app_url, "gradient-descent", "hide=lr&lock=epochs&epochs=40")
    assert exceptions(inner) == [], log_tail()
    sliders = inner.locator("[data-testid='stSlider']").filter(has_text="Learning rate η")
    assert sliders.count() == 0                                            # hidden: not drawn at all
    epochs = inner.locator("[data-testid='stNumberInput']").filter(has_text="Epochs").locator("input")
    assert epochs.count() == 1 and epochs.is_disabled()                   # locked: shown, not changeable
    assert epochs.input_value() == "40"
    # Without the shaping params the same page in the same iframe has both, changeable.
    inner = embedded(page, host, app_url, "gradient-descent")
    assert inner.locator("[data-testid='stSlider']").filter(has_text="Learning rate η").count() == 1
    epochs = inner.locator("[data-testid='stNumberInput']").filter(has_text="Epochs").locator("input")
    assert epochs.is_enabled()
