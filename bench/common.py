"""Shared by the benchmarks: the app's pages, percentiles, server memory."""
from __future__ import annotations

import ast
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def discover_pages(app: Path = APP) -> list[dict]:
    """The pages in app.py's PAGES list whose file exists, in teaching order.

    PAGES is read from the source with ast (app.py is a Streamlit script and cannot be
    imported outside a run). Each page: file, title, url_path ("" for Home), name
    (url_path, or "home") and path (the file, absolute).
    """
    tree = ast.parse(app.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            entries = ast.literal_eval(node.value)
            break
    else:
        raise RuntimeError(f"no PAGES list in {app}")
    folder = pages_dir(app, [e[0] for e in entries])
    return [dict(file=file, title=title, url_path=url_path, name=url_path or "home", path=folder / file)
            for file, title, url_path, *_ in entries if (folder / file).exists()]


def pages_dir(app: Path, files: list[str]) -> Path:
    """The folder app.py builds its page paths from (``HERE / "pages" / f``): the first
    string in app.py naming a folder beside it that holds one of the PAGES files, so the
    tools follow if the folder is renamed. Default: app_pages/."""
    for node in ast.walk(ast.parse(app.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value and "\n" not in node.value:
            folder = app.parent / node.value
            if folder.is_dir() and folder != app.parent and any((folder / f).exists() for f in files):
                return folder
    return app.parent / "app_pages"


def select_pages(pages: list[dict], wanted: list[str] | None) -> list[dict]:
    """Pages whose name, url path or file (with or without .py) is in wanted."""
    if not wanted:
        return pages
    return [p for p in pages if {p["name"], p["url_path"], p["file"], p["file"][:-3]} & set(wanted)]


def percentile(xs, q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation; None for no data."""
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _tree_sum(pid: int, measure) -> float:
    """``measure(process)`` summed over a process and all its children (psutil); a
    process that ends meanwhile counts 0."""
    import psutil
    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += measure(p)
        except psutil.NoSuchProcess:
            pass
    return total


def tree_rss(pid: int) -> int:
    """Memory in bytes of a process and all its children: the sum of their proportional
    set sizes (PSS: each shared page counted once, split among the processes sharing it).
    Summing RSS instead would count torch's pages once per training worker, since the
    workers share them with the forkserver they were forked from (ui/workers.py). Where
    PSS is not available, RSS."""
    def pss(p):
        try:
            return p.memory_full_info().pss
        except (AttributeError, OSError):
            return p.memory_info().rss
    return _tree_sum(pid, pss)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children."""
    return float(_tree_sum(pid, lambda p: sum(p.cpu_times()[:2])))
