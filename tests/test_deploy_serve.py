"""deploy/serve.py: N replicas behind HAProxy on one machine, started and stopped by one
command (issue 18). Runs the real script, the real Streamlit servers and Debian's HAProxy;
a page is loaded through the proxy on each replica with Streamlit's own protocol
(bench/stclient.py), and HAProxy's log says which replica served it."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy import serve

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = "/usr/sbin/haproxy"


def _haproxy_check(text: str, tmp_path, replicas: int) -> subprocess.CompletedProcess:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    env = dict(os.environ, GDL_PROXY_BIND="127.0.0.1:1",
               **{f"APP{i}_ADDR": f"127.0.0.1:{10 + i}" for i in range(1, replicas + 1)})
    return subprocess.run([HAPROXY, "-c", "-f", str(cfg)], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("replicas", [1, 2, 4])
def test_the_proxy_config_names_one_server_per_replica_and_haproxy_accepts_it(tmp_path, replicas):
    text = serve.haproxy_config(replicas)
    servers = re.findall(r"^\s*server (app\d+) \"\$\{(APP\d+)_ADDR\}\" cookie (app\d+)", text, re.M)
    assert servers == [(f"app{i}", f"APP{i}", f"app{i}") for i in range(1, replicas + 1)]
    check = _haproxy_check(text, tmp_path, replicas)
    assert check.returncode == 0, check.stdout + check.stderr


def test_out_of_range_replicas_are_refused_with_a_message():
    r = subprocess.run([sys.executable, "deploy/serve.py", "--replicas", "0"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--replicas must be between 1 and" in r.stderr
    assert "Traceback" not in r.stderr


def _load(url: str, replica: str):
    from bench.stclient import load_page
    return load_page(url, "gradient-descent", headers={"Cookie": f"GDLSRV={replica}"})


def test_two_replicas_serve_pages_through_the_proxy_and_stop_together(tmp_path):
    port = serve.free_port()
    env = dict(os.environ, GDL_DATABASE_URL=f"sqlite:///{tmp_path / 'class.sqlite3'}")
    env.pop("GDL_WORKERS", None)
    proc = subprocess.Popen([sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        first = proc.stdout.readline()          # printed once every process answers
        assert f"2 replica(s) behind HAProxy at {url}" in first, first + proc.stdout.read()[-3000:]
        apps = [p for p in _children(proc.pid) if "streamlit" in " ".join(p.cmdline())]
        assert len(apps) == 2
        for p in apps:            # GDL_WORKERS=0 by default: no training worker beside each replica
            assert p.environ().get("GDL_WORKERS") == "0"
            assert p.environ().get("GDL_DATABASE_URL") == env["GDL_DATABASE_URL"]
        secrets = {p.environ().get("STREAMLIT_SERVER_COOKIE_SECRET") for p in apps}
        assert len(secrets) == 1 and None not in secrets and len(secrets.pop()) >= 32

        for replica in ("app1", "app2"):
            run = _load(url, replica)
            assert run.errors == [] and run.seconds is not None and run.bytes > 10_000, run.errors
        log = (ROOT / "artifacts" / "serve-haproxy.log").read_text()
        served = set(re.findall(r" replicas/(app\d) ", log))
        assert served == {"app1", "app2"}, log[-2000:]
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0
    deadline = time.monotonic() + 30
    while serve.healthy(url) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not serve.healthy(url)
    assert not [p for p in apps if p.is_running() and p.status() != "zombie"]


def _children(pid: int):
    import psutil
    deadline = time.monotonic() + 10
    while True:
        kids = psutil.Process(pid).children(recursive=True)
        if len(kids) >= 3 or time.monotonic() > deadline:
            return kids
        time.sleep(0.2)
