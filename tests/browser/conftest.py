"""Fixtures for real-browser tests: one Streamlit server and one Chromium per session,
a fresh browser context per test. Everything under tests/browser/ is marked `browser`."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser import helpers, server


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


@pytest.fixture(scope="session")
def app_url():
    """Base URL of `streamlit run app.py` (from GDL_APP_DIR or the repo root)."""
    with server.serve(log_path=server.LOG) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.access(helpers.CHROMIUM, os.X_OK):
        pytest.fail(f"{helpers.CHROMIUM} missing: run `apt-get install -y chromium`")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=helpers.CHROMIUM, args=helpers.CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser, request, options):
    context = browser.new_context(**options)
    page = context.new_page()
    yield page
    if getattr(request.node, "failed_call", False):  # keep evidence of what the learner saw
        try:
            helpers.screenshot(page, "FAILED-" + request.node.nodeid)
        except Exception as exc:  # a crashed page must not hide the real failure
            print(f"could not take failure screenshot: {exc}")
    context.close()


@pytest.fixture
def page(browser, request):
    """Desktop page, 1400x900."""
    yield from _page(browser, request, helpers.DESKTOP)


@pytest.fixture
def phone_page(browser, request):
    """Phone-sized touch page, 390x844."""
    yield from _page(browser, request, helpers.PHONE)
