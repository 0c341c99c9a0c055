"""Two app replicas behind HAProxy, on this machine, without containers (issue 18).

Started here: a throwaway PostgreSQL (tests/pg.py), two `streamlit run app.py` servers
sharing it (GDL_DATABASE_URL; GDL_WORKERS=0 to save memory; one cookie secret, as in
deploy/compose.yaml) and Debian's HAProxy running deploy/haproxy.cfg itself, the file the
compose deployment uses, with the addresses in its environment variables. Chromium then
shows, through the proxy only:

(a) a learner's browser gets the proxy's GDLSRV cookie on its first response and every
    later request (reloads, each with a new WebSocket) goes to that same replica: HAProxy's
    own log says which replica served each request, by the browser's User-Agent;
(b) a class's prediction made by a learner pinned to one replica appears on the teacher's
    dashboard served by the other one (and in the shared store);
(c) when the learner's replica is killed mid-class, the learner's page reconnects through
    the proxy to the live replica (the cookie now names it) and the answer made before is
    still stored; the new replica has no session for the page, so after a reload the lesson
    goes on from the link and the learner is back in the class from the seat in the address
    (``?seat=``, ui/classroom.py): not asked to join again, counted once on the dashboard,
    and a new answer is stored as theirs.
"""
import os
import re
import signal
import subprocess
import time
import urllib.request
from contextlib import ExitStack
from unittest import mock

import pytest

from classroom.store import ClassStore
from tests.browser.helpers import exceptions, goto, main_text, settle
from tests.browser.server import ARTIFACTS, REPO_ROOT, free_port, log_tail, serve, server_pid
from tests.pg import postgres_server

HAPROXY = "/usr/sbin/haproxy"
CONFIG = REPO_ROOT / "deploy" / "haproxy.cfg"
PROXY_LOG = ARTIFACTS / "replicas-haproxy.log"
APP_LOGS = {name: ARTIFACTS / f"replicas-{name}.log" for name in ("app1", "app2")}
LESSON_PAGE = "optimizer-comparison"


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Cluster:
    def __init__(self, db_url: str, proxy: str, apps: dict[str, str], haproxy: subprocess.Popen):
        self.db_url, self.proxy, self.apps, self.haproxy = db_url, proxy, apps, haproxy

    def log(self) -> str:
        return PROXY_LOG.read_text(errors="replace")

    def served(self, agent: str) -> list[tuple[str, str]]:
        """(replica, request line) of every request HAProxy logged for this User-Agent."""
        out = []
        for line in self.log().splitlines():
            if "{" + agent + "}" in line:
                m = re.search(r" replicas/(\S+) .*\"(\w+ \S+)", line)
                if m:
                    out.append((m.group(1), m.group(2)))
        return out

    def kill(self, name: str) -> None:
        pid = server_pid(int(self.apps[name].rsplit(":", 1)[1]))
        assert pid, f"no server process for {name}"
        os.killpg(os.getpgid(pid), signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster():
    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"{HAPROXY} missing: run `sh scripts/install-test-deps.sh` (apt-get install haproxy)")
    with ExitStack() as stack:
        pg = stack.enter_context(postgres_server())
        db_url = pg.create_database("gdl_replicas")
        ClassStore(db_url).migrate()
        apps = {}
        env = {"GDL_DATABASE_URL": db_url, "STREAMLIT_SERVER_COOKIE_SECRET": "replica-test-shared-secret"}
        for name, log in APP_LOGS.items():
            with mock.patch.dict(os.environ, env):      # serve() hands its environment to the server
                apps[name] = stack.enter_context(serve(log_path=log, workers="0", timeout=180))
        port = free_port()
        proxy_env = dict(os.environ, GDL_PROXY_BIND=f"127.0.0.1:{port}",
                         APP1_ADDR=apps["app1"].removeprefix("http://"), APP2_ADDR=apps["app2"].removeprefix("http://"))
        check = subprocess.run([HAPROXY, "-c", "-f", str(CONFIG)], env=proxy_env, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        log = stack.enter_context(open(PROXY_LOG, "w"))
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(CONFIG)], env=proxy_env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        stack.callback(lambda: (proc.poll() is None and proc.terminate(), proc.wait(10)))
        proxy = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not _ok(proxy + "/_stcore/health"):
            assert proc.poll() is None, PROXY_LOG.read_text()
            assert time.monotonic() < deadline, "the proxy did not answer"
            time.sleep(0.2)
        yield Cluster(db_url, proxy, apps, proc)


def _context(browser, agent: str, pin: str | None = None, proxy: str = ""):
    context = browser.new_context(user_agent=agent, viewport={"width": 1400, "height": 900})
    if pin:        # as if this browser had been sent to `pin` before: the proxy honours its cookie
        context.add_cookies([{"name": "GDLSRV", "value": pin, "url": proxy}])
    return context


def _cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "GDLSRV"), None)


def _wait(predicate, timeout: float, what: str, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll)


def _click(page, name: str) -> None:
    button = page.get_by_role("button", name=name, exact=True).first
    try:
        button.wait_for(timeout=30_000)
    except Exception as err:
        raise AssertionError(f"no button {name!r} on the page:\n{main_text(page)[:3000]}") from err
    button.click()
    time.sleep(0.3)
    settle(page)


def _predict_first_choice(page) -> None:
    form = page.locator("[data-testid='stForm']").filter(has_text="Your prediction")
    form.locator("[data-testid='stRadio'] [role='radiogroup'] label").first.click()
    time.sleep(0.3)
    form.get_by_role("button", name=re.compile("Submit my prediction")).click()
    time.sleep(0.3)
    settle(page)


def _join(page, nickname: str) -> None:
    form = page.locator("[data-testid='stForm']").filter(has_text="Join your class")
    form.locator("input").first.fill(nickname)
    form.get_by_role("button", name="Join").click()
    time.sleep(0.3)
    settle(page)


def _predictions(store: ClassStore, code: str, key: str) -> int:
    return sum(len(t.predictions) for t in store.dashboard(code, key)[2])


def test_a_learner_stays_on_the_replica_the_proxy_chose(cluster, browser):
    context = _context(browser, "gdl-learner-sticky")
    page = context.new_page()
    goto(page, cluster.proxy, "")
    first = _cookie(context)
    assert first in ("app1", "app2"), context.cookies()
    for path in ("gradient-descent", "", LESSON_PAGE):         # each load opens a new WebSocket
        goto(page, cluster.proxy, path)
        page.reload(wait_until="domcontentloaded")
        settle(page)
        assert exceptions(page) == []
    assert _cookie(context) == first
    context.close()                 # HAProxy logs a WebSocket when it closes
    served = _wait(lambda: [s for s in cluster.served("gdl-learner-sticky") if "/_stcore/stream" in s[1]]
                   and cluster.served("gdl-learner-sticky"), 15, "the proxy's log lines")
    streams = [s for s in served if "/_stcore/stream" in s[1]]
    assert len(streams) >= 6, served                               # 3 visits x (goto + reload)
    assert {replica for replica, _ in served} == {first}, served


def test_a_class_across_replicas_survives_losing_one(cluster, browser):
    store = ClassStore(cluster.db_url)
    info, key = store.open_class("Period 3", ["optimizer-race"])
    code = info.code

    # The teacher's dashboard on app1, the learner on app2.
    teacher_ctx = _context(browser, "gdl-teacher", "app1", cluster.proxy)
    learner_ctx = _context(browser, "gdl-learner-ada", "app2", cluster.proxy)
    teacher, learner = teacher_ctx.new_page(), learner_ctx.new_page()
    goto(teacher, cluster.proxy, "teachers", f"class={code}&key={key}")
    assert f"Class code: {code}" in main_text(teacher), main_text(teacher)[:2000]

    t0 = time.monotonic()
    goto(learner, cluster.proxy, LESSON_PAGE, f"class={code}")
    _join(learner, "Ada")
    _click(learner, "Start the lesson")
    _click(learner, "Set up the experiment")
    _predict_first_choice(learner)
    assert exceptions(learner) == [], log_tail(3000, APP_LOGS["app2"])
    assert _predictions(store, code, key) == 1, store.dashboard(code, key)[:2]
    # (b) the dashboard that app1 serves counts what app2 stored (it refreshes every 3 s).
    _wait(lambda: "1 of 1 learner predicted" in main_text(teacher), 30, "the prediction on app1's dashboard")
    cross = time.monotonic() - t0
    assert _cookie(teacher_ctx) == "app1" and _cookie(learner_ctx) == "app2"

    # (c) app2 dies mid-class. The learner's page reconnects through the proxy to app1.
    _click(learner, "Next task →")
    lesson_url = learner.url
    cluster.kill("app2")
    t_kill = time.monotonic()
    _wait(lambda: _cookie(learner_ctx) == "app1", 90, "the learner's browser to be sent to app1")
    settle(learner)
    reconnect = time.monotonic() - t_kill
    assert exceptions(learner) == [], log_tail(3000, APP_LOGS["app1"])
    assert learner.url == lesson_url                         # the lesson's place is in the link
    assert _predictions(store, code, key) == 1               # nothing stored was lost
    assert "seat=" in lesson_url                             # the learner's seat is in the address
    # app1 has a fresh session for this browser: the seat in the address takes the learner
    # back into the class (no second join), who skips task 2 and predicts task 3; both are
    # stored beside the first prediction, under the one learner.
    # Streamlit's page reconnects by itself (the proxy sends it to app1), but a new
    # session is only run by the learner's next action; a reload is the simplest one.
    _wait(lambda: learner.locator("[data-testid='stApp']").get_attribute("data-test-connection-state")
          == "CONNECTED", 60, "the learner's page to reconnect")
    learner.reload(wait_until="domcontentloaded")
    settle(learner)
    assert learner.url == lesson_url
    try:
        _wait(lambda: "Skip this task" in main_text(learner), 60, "the lesson on app1")
    except AssertionError:
        raise AssertionError("the lesson on app1: " + learner.url + "\n" + main_text(learner)[:3000]) from None
    assert "Join your class" not in main_text(learner)
    _click(learner, "Skip this task")                       # a skip moves on to task 3
    _click(learner, "Set up the experiment")
    _predict_first_choice(learner)
    assert exceptions(learner) == [], log_tail(3000, APP_LOGS["app1"])
    _wait(lambda: _predictions(store, code, key) == 2, 30, "the second prediction in the store")
    joined, _, summaries = store.dashboard(code, key)
    assert joined == 1                                       # one learner, before and after the failover
    tasks = {t.task_id: len(t.predictions) for t in summaries}
    assert tasks.get("rosenbrock-winner") == 1, tasks
    _wait(lambda: _cookie(teacher_ctx) == "app1" and "Learners joined" in main_text(teacher), 15,
          "the teacher's dashboard to keep running on app1")
    teacher_ctx.close()
    learner_ctx.close()
    print(f"\nreplicas: learner joined and predicted on app2, shown on app1's dashboard, in {cross:.1f} s; "
          f"learner back on app1 {reconnect:.1f} s after app2 was killed")
    # Every teacher request went to app1; the learner's went to app2 until it died, then app1.
    served_teacher = _wait(lambda: cluster.served("gdl-teacher"), 15, "the teacher's log lines")
    assert {r for r, _ in served_teacher} == {"app1"}, served_teacher
    served_learner = cluster.served("gdl-learner-ada")
    streams = [r for r, line in served_learner if "/_stcore/stream" in line]
    assert streams[0] == "app2" and streams[-1] == "app1", served_learner
    assert streams == sorted(streams, reverse=True), served_learner     # app2 first, then only app1
