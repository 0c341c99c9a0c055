"""Every page of the lab loads in a real browser without an exception and draws its charts."""
import pytest

from tests.browser.server import log_tail
from tests.browser.helpers import PAGES, assert_charts_drawn, exceptions, goto, page_name, screenshot


@pytest.mark.parametrize("title,path", PAGES, ids=[page_name(p) for _, p in PAGES])
def test_page_loads_and_draws(page, app_url, title, path):
    goto(page, app_url, path)
    # The browser shows only a redacted message (showErrorDetails = "none"); the server log has the traceback.
    assert exceptions(page) == [], f"{title}: exception shown; server log:\n{log_tail()}"
    assert_charts_drawn(page, min_count=1)
    screenshot(page, page_name(path))
