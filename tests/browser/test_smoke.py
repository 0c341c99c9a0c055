"""Every page of the lab loads in a real browser without an exception and draws its charts."""
import random
import time

import pytest

from tests.browser import server
from tests.browser.server import log_tail
from tests.browser.helpers import PAGES, assert_charts_drawn, exceptions, goto, page_name, screenshot


@pytest.mark.parametrize("title,path", PAGES, ids=[page_name(p) for _, p in PAGES])
def test_page_loads_and_draws(page, app_url, title, path):
    goto(page, app_url, path)
    # The browser shows only a redacted message (showErrorDetails = "none"); the server log has the traceback.
    assert exceptions(page) == [], f"{title}: exception shown; server log:\n{log_tail()}"
    assert_charts_drawn(page, min_count=1)
    screenshot(page, page_name(path))


def test_community_cloud_entrypoint_serves_every_page(page):
    """deploy/community-cloud/streamlit_app.py runs app.py from a subfolder (so Cloud uses the
    CPU-torch requirements.txt beside it). st.Page paths must therefore not be relative to the
    entrypoint: build them from Path(__file__).parent in app.py."""
    log = server.ARTIFACTS / "streamlit-cloud-entry.log"
    with server.serve(entry="deploy/community-cloud/streamlit_app.py", log_path=log, workers=None) as url:
        for title, path in PAGES:
            goto(page, url, path)
            assert exceptions(page) == [], f"{title}: exception; server log:\n{log_tail(log_path=log)}"
            assert_charts_drawn(page, min_count=1)
        # Cloud's ~1 GB: the entrypoint keeps training in the server process by default.
        assert server.training_workers(url) == []


def test_the_server_trains_on_its_worker_process(page, app_url):
    """The real server (GDL_WORKERS=auto) starts a training worker, and a page's training
    runs there: the worker's CPU time grows by the sweep's cost, and the page shows the
    sweep's charts (so the result came back)."""
    goto(page, app_url, "")
    deadline = time.monotonic() + 90
    while not server.training_workers(app_url):
        assert time.monotonic() < deadline, "no training worker process started"
        time.sleep(0.5)
    workers = server.training_workers(app_url)

    def cpu():
        return sum(sum(w.cpu_times()[:2]) for w in workers)

    before = cpu()
    seed = random.randrange(10**6, 2**31 - 1)        # a sweep no cache holds
    goto(page, app_url, "lr-sweep", query=f"seed={seed}&steps=5000")
    assert exceptions(page) == [], f"exception shown; server log:\n{log_tail()}"
    assert_charts_drawn(page, min_count=2)
    assert cpu() - before > 0.2     # a 5000-step sweep of dozens of rates: seconds of CPU


def test_community_cloud_requirements_match_root():
    """The Cloud file repeats the root pins (self-contained: no -r include that Cloud might not
    resolve); only torch differs, as the CPU wheel URL of the same version."""
    def pins(path):
        lines = (server.REPO_ROOT / path).read_text().splitlines()
        return {ln.split("==")[0].split(" @ ")[0].strip(): ln.strip() for ln in lines
                if ln.strip() and not ln.lstrip().startswith(("#", "-"))}
    root, cloud = pins("requirements.txt"), pins("deploy/community-cloud/requirements.txt")
    assert root.keys() == cloud.keys()
    assert {k: v for k, v in root.items() if k != "torch"} == {k: v for k, v in cloud.items() if k != "torch"}
    version = root["torch"].split("==")[1]
    assert f"/torch-{version}%2Bcpu-cp311-" in cloud["torch"]
