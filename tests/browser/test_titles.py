"""Each page has its own document title (WCAG 2.4.2): what a screen reader announces and
a browser tab shows."""
from tests.browser.helpers import PAGES, goto


def test_every_page_has_its_own_title(page, app_url):
    titles = {}
    for title, path in PAGES:
        goto(page, app_url, path)
        page.wait_for_function("t => document.title.startsWith(t)", arg=title, timeout=15_000)
        titles[path] = page.title()
        assert titles[path] == f"{title} · Gradient Descent Lab"
    assert len(set(titles.values())) == len(PAGES)
