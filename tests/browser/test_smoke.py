"""Every page of the lab loads in a real browser without an exception and draws its charts."""
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
    with server.serve(entry="deploy/community-cloud/streamlit_app.py", log_path=log) as url:
        for title, path in PAGES:
            goto(page, url, path)
            assert exceptions(page) == [], f"{title}: exception; server log:\n{log_tail(log_path=log)}"
            assert_charts_drawn(page, min_count=1)


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
