"""A whole class on one machine: N app processes behind HAProxy, without containers.

    python deploy/serve.py                      # 2 replicas behind HAProxy on :8501
    python deploy/serve.py --replicas 3 --port 8080 --address 0.0.0.0
    python deploy/serve.py --replicas 2 --warmup --sweep   # and warm every replica before class

Why: one Streamlit server draws every learner's pages in one Python process, under one
interpreter lock, so it uses at most one core for pages however many the machine has. On
the 2-core machine of bench/README.md ("A whole class on one machine"), 30 learners at
classroom pace waited p95 3.4 s on one process and 0.2 s on two replicas behind HAProxy.

What it runs (and stops, all together, on Ctrl+C or SIGTERM):

* ``--replicas`` × ``streamlit run app.py`` on loopback ports, each with
  ``GDL_WORKERS=0`` (pages and training in the same process: a training worker per
  replica would compete with the other replica for the same cores) unless
  ``GDL_WORKERS`` is set, and one shared ``STREAMLIT_SERVER_COOKIE_SECRET`` (random unless
  set): Streamlit signs its XSRF cookie with it, so a learner moved to another replica by
  a failover keeps a cookie that replica accepts.
* the class store: ``GDL_DATABASE_URL`` if set, else the app's embedded SQLite file, one
  file shared by the replicas (the store takes SQLite's file lock for migrations and
  writes; tests/test_classroom_store.py runs two processes on it).
* Debian's HAProxy (``apt-get install haproxy``) with deploy/haproxy.cfg — the file the
  compose deployment and tests/browser/test_replicas.py use — listening on ``--address``
  and ``--port``. For more than two replicas the ``server`` lines for app3… are added to a
  copy of it, as its header says. Each browser is pinned to one replica by the proxy's
  ``GDLSRV`` cookie; a replica that dies is taken out and its learners reconnect to a live one.

Exit code: 0 after a clean stop, 1 when a process could not start (its log is printed).
Logs: ``artifacts/serve-app1.log`` …, ``artifacts/serve-haproxy.log``.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "haproxy.cfg"
LOGS = ROOT / "artifacts"
MAX_REPLICAS = 16
_SERVER_LINE = re.compile(r'^([ \t]*)server app2 "\$\{APP2_ADDR\}" cookie app2[ \t]*$', re.M)


def haproxy_config(replicas: int) -> str:
    """deploy/haproxy.cfg with one ``server appN`` line per replica (it names app1 and app2;
    one replica: app2 is dropped)."""
    text = CONFIG.read_text()
    m = _SERVER_LINE.search(text)
    if m is None:
        raise RuntimeError(f"{CONFIG} has no `server app2` line to extend")
    indent = m.group(1)
    lines = [f'{indent}server app{i} "${{APP{i}_ADDR}}" cookie app{i}' for i in range(2, replicas + 1)]
    return text[:m.start()] + "\n".join(lines) + text[m.end():]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    """The server at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it started
    (its process group: a server's training workers too): SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def app_command(port: int, entry: str = "app.py") -> list[str]:
    """``streamlit run`` of the app on a loopback port (run with the checkout as cwd)."""
    return [sys.executable, "-m", "streamlit", "run", entry, "--server.headless", "true",
            "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Return once ``url`` answers its health check; RuntimeError (with the end of ``log``)
    if ``proc`` exits first or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            state = f"exited with {proc.returncode}" if proc.poll() is not None else f"not healthy after {timeout:g} s"
            raise RuntimeError(f"{url} {state}; see {log}:\n{tail}")
        time.sleep(0.25)


def start(stack: ExitStack, replicas: int, address: str, port: int, timeout: float = 180) -> dict:
    """Start the replicas and the proxy (stopped when ``stack`` closes). Returns
    {"proxy": url, "apps": {name: url}, "procs": {name: Popen}, "pids": {name: pid}, "haproxy": pid}."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.access(haproxy, os.X_OK):
        raise RuntimeError("HAProxy is not installed: apt-get install -y haproxy")
    LOGS.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("GDL_WORKERS", "0")
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    apps, pids, procs = {}, {}, {}
    for i in range(1, replicas + 1):
        name, app_port = f"app{i}", free_port()
        log = LOGS / f"serve-{name}.log"
        out = stack.enter_context(open(log, "w"))
        proc = subprocess.Popen(app_command(app_port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        stack.callback(stop, proc)
        apps[name], pids[name], procs[name] = f"http://127.0.0.1:{app_port}", proc.pid, proc
    for name, proc in procs.items():       # they start in parallel; wait for each
        wait_healthy(apps[name], proc, LOGS / f"serve-{name}.log", timeout)

    cfg = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gdl-haproxy-"))) / "haproxy.cfg"
    cfg.write_text(haproxy_config(replicas))
    proxy_env = dict(os.environ, GDL_PROXY_BIND=f"{address}:{port}",
                     **{f"APP{i}_ADDR": apps[f"app{i}"].removeprefix("http://") for i in range(1, replicas + 1)})
    check = subprocess.run([haproxy, "-c", "-f", str(cfg)], env=proxy_env, capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError("HAProxy refused the configuration:\n" + check.stdout + check.stderr)
    log = LOGS / "serve-haproxy.log"
    out = stack.enter_context(open(log, "w"))
    proxy = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], env=proxy_env, stdout=out,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    stack.callback(stop, proxy)
    url = f"http://{'127.0.0.1' if address in ('', '0.0.0.0', '::') else address}:{port}"
    wait_healthy(url, proxy, log, 30)
    return {"proxy": url, "apps": apps, "procs": procs, "pids": pids, "haproxy": proxy.pid}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicas", type=int, default=2, help="app processes (default 2: one per core of a 2-core host)")
    ap.add_argument("--port", type=int, default=8501, help="the proxy's port, the one learners open (default 8501)")
    ap.add_argument("--address", default="127.0.0.1",
                    help="the proxy's address (default 127.0.0.1; 0.0.0.0 to serve the network, "
                         "behind Caddy for HTTPS: deploy/Caddyfile)")
    ap.add_argument("--warmup", action="store_true", help="open every page and tab on every replica once started")
    ap.add_argument("--sweep", action="store_true", help="with --warmup: also every option of each page's main setting")
    args = ap.parse_args(argv)
    if not 1 <= args.replicas <= MAX_REPLICAS:
        ap.error(f"--replicas must be between 1 and {MAX_REPLICAS}")

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with ExitStack() as stack:
        try:
            started = start(stack, args.replicas, args.address, args.port)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
        print(f"Gradient Descent Lab: {args.replicas} replica(s) behind HAProxy at {started['proxy']}", flush=True)
        if args.warmup:
            cmd = [sys.executable, str(ROOT / "deploy" / "warmup.py"), started["proxy"], "--replicas",
                   *started["apps"], *(["--sweep"] if args.sweep else [])]
            subprocess.run(cmd, cwd=ROOT)
        try:
            running = dict(started["procs"])
            while not stopping:
                for name, proc in list(running.items()):
                    if proc.poll() is not None:
                        print(f"{name} stopped; the proxy sends its learners to the others "
                              f"(log: artifacts/serve-{name}.log)", file=sys.stderr, flush=True)
                        del running[name]
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
