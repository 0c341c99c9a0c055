"""No traceback, server path or source line reaches a visitor when a page fails (issue 12).

A real server (the lab's .streamlit/config.toml) runs tests/browser/apps/failing_app.py,
whose pages fail in the three ways a page can: in the script run (caught by
ui.safety.run_page), in a widget callback and in a fragment rerun (both drawn by
Streamlit's own handler under showErrorDetails = "none")."""
import re

import pytest

from tests.browser import server
from tests.browser.helpers import goto

SECRET = "SECRET-7d1c"
# Anything that would tell a visitor about the server or its code.
LEAKS = [SECRET, str(server.REPO_ROOT), "/work/", "site-packages", "Traceback", 'File "', ".py",
         "RuntimeError", "_boom", "Ask Google", "Ask ChatGPT"]


@pytest.fixture(scope="module")
def failing_url():
    log = server.ARTIFACTS / "streamlit-failing-app.log"
    with server.serve(directory=server.REPO_ROOT, entry="tests/browser/apps/failing_app.py",
                      log_path=log, workers="0") as url:
        yield url, log


def _visible(page) -> str:
    """Everything the browser has: the rendered text and the whole DOM (hidden parts too)."""
    return page.locator("[data-testid='stApp']").inner_text() + page.content()


def _assert_no_leak(page):
    seen = _visible(page)
    leaked = [s for s in LEAKS if s in seen]
    assert leaked == [], f"the browser received {leaked}"


def test_a_failing_page_shows_a_message_and_an_error_id_only(page, failing_url):
    url, log = failing_url
    goto(page, url, "raises")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Drawn before the failure." in text          # what the page drew is kept
    assert "unexpected problem" in text
    code = re.search(r"error code ([0-9A-F]{6})", text)
    assert code, text
    assert page.locator("[data-testid='stException']").count() == 0
    _assert_no_leak(page)
    # The server log has the full traceback under the same id, for the teacher to match.
    logged = log.read_text(errors="replace")
    assert f"error {code.group(1)}" in logged and "Traceback" in logged and SECRET in logged


def test_two_failures_get_different_ids(page, failing_url):
    url, _ = failing_url
    ids = set()
    for _ in range(2):
        goto(page, url, "raises")
        ids.add(re.search(r"error code ([0-9A-F]{6})", page.locator("[data-testid='stMain']").inner_text()).group(1))
    assert len(ids) == 2


@pytest.mark.parametrize("path,button", [("callback", "Fail"), ("fragment", "Fail inside the fragment")])
def test_guarded_callbacks_and_fragments_show_the_same_message(page, failing_url, path, button):
    """ui.safety.callback / ui.safety.fragment: the pages' callbacks and fragments."""
    url, _ = failing_url
    goto(page, url, path)
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text("error code", exact=False).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    _assert_no_leak(page)


@pytest.mark.parametrize("path,button", [("callback", "Fail unguarded"),
                                         ("fragment", "Fail inside the unguarded fragment")])
def test_unguarded_failures_are_redacted_by_streamlit(page, failing_url, path, button):
    """Should a callback or fragment miss the wrapper, Streamlit's own box still applies
    showErrorDetails = "none" (.streamlit/config.toml): no path, source line or message.
    (Its "Ask Google / Ask ChatGPT" links appear only to a browser on localhost.)"""
    url, _ = failing_url
    goto(page, url, path)
    page.get_by_role("button", name=button, exact=True).click()
    page.locator("[data-testid='stException']").first.wait_for(timeout=30_000)
    seen = _visible(page)
    leaked = [s for s in LEAKS if s in seen and not s.startswith("Ask ")]
    assert leaked == [], f"the browser received {leaked}"
