"""Start and stop `streamlit run app.py` in its own process group.

Used by the browser-test fixture (tests/browser/conftest.py) and by scripts/screenshots.py.
GDL_APP_DIR points at another app folder (default: the repository root).
"""
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from deploy.serve import app_command, free_port, stop as _stop, wait_healthy  # noqa: F401 (free_port: re-exported)

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
LOG = ARTIFACTS / "streamlit-server.log"


def log_tail(chars: int = 4000, log_path: Path = LOG) -> str:
    """End of the server log: with showErrorDetails = "none" the traceback is only there."""
    return log_path.read_text(errors="replace")[-chars:] if log_path.exists() else ""


def app_dir() -> Path:
    return Path(os.environ.get("GDL_APP_DIR") or REPO_ROOT).resolve()


def _env(workers: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GDL_WORKERS"}
    env["PYTHONUNBUFFERED"] = "1"
    if workers is not None:
        env["GDL_WORKERS"] = workers
    return env


def server_pid(port: int) -> int | None:
    """The pid of the `streamlit run` child of this process serving on ``port`` (serve()
    yields only the URL; the process is found by its command line)."""
    import psutil
    for child in psutil.Process().children(recursive=True):
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if "streamlit" in " ".join(cmd) and str(port) in cmd:
            return child.pid
    return None


def training_workers(url: str) -> list:
    """The training worker processes (psutil) of the server at ``url``: the processes the
    forkserver forked (ui/workers.py), i.e. its children, not the forkserver itself."""
    import psutil
    pid = server_pid(urlparse(url).port)
    if pid is None:
        return []
    try:
        return [w for c in psutil.Process(pid).children() if "forkserver" in " ".join(c.cmdline())
                for w in c.children()]
    except psutil.Error:
        return []


@contextmanager
def serve(directory: Path | None = None, log_path: Path | None = None, timeout: float = 120,
          entry: str = "app.py", workers: str | None = "auto"):
    """Run `streamlit run <entry>` in `directory` on a free loopback port; yield the base URL.
    ``workers`` is the server's GDL_WORKERS (training processes; the suite's in-process
    tests set 0 for themselves, the real server gets the app's default); None leaves the
    variable unset, as on a host that never heard of it."""
    directory = Path(directory or app_dir())
    log_path = Path(log_path or LOG)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(app_command(port, entry), cwd=directory, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=_env(workers))
        try:
            wait_healthy(url, proc, log_path, timeout)
            yield url
        finally:
            _stop(proc)
