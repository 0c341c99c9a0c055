"""Page-latency benchmark: the server-side cost of one full rerun of every page, and
the size of the chart data each page sends to the browser.

    python bench/pages.py                  # a table
    python bench/pages.py --json           # one JSON object per page
    python bench/pages.py --repeat 5 --pages home lr-sweep

Pages are discovered from app.py's PAGES list (only those whose file exists), so new
pages are measured without changing this file. Every page is run at its default
settings with Streamlit's AppTest, in this process:

* cold:   caches emptied (st.cache_data and st.cache_resource), then a full run;
* cached: a second, fresh session with the same (default) settings, caches kept.

Each is repeated --repeat times and the median is reported. Python modules (torch,
dlcore, the page) are imported by an untimed warm-up run first, so "cold" is what the
first learner to open a page sees on a server that is already up, not the server start.

Two timings per run:

* ``*_s``        wall time of ``AppTest.run()``. This includes AppTest's own overhead:
                 its mock runtime and parsing every message into an element tree. (A
                 fresh AppTest also scans all installed packages for components, about
                 0.5 s; we share one component registry between runs so that this
                 one-off cost, which a real server pays once at start, is not counted.)
* ``*_script_s`` from the ScriptRunner's SCRIPT_STARTED to its SCRIPT_STOPPED event:
                 the time the script thread spends running app.py and the page, which
                 is what a real server spends per rerun (minus websocket sending).

The targets from the robustness issue (cached < 0.2 s, cold < 1 s) are checked against
the wall time, the conservative figure. For the time a learner waits on a real server,
under concurrency, see bench/load.py.

Per page it also reports every Altair/Vega-Lite chart: data rows (summed over the
chart's Arrow datasets, plus any inline ``data.values``), and bytes of spec + datasets.
Rows approximate marks; the issue asks for at most a few thousand per chart
(MAX_CHART_ROWS). With --json it also gives ``cache``: what the page's default view
stores in each st.cache_data function (entries, bytes, max_entries), from which the
memory bound of a full cache follows (max_entries x bytes per entry). This is a benchmark: the exit code is 0 whatever the figures.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import APP, ROOT, discover_pages, select_pages  # noqa: E402

TARGET_CACHED_S = 0.2
TARGET_COLD_S = 1.0
MAX_CHART_ROWS = 5000   # "a few thousand marks" per chart


# ---- timing the script thread ---------------------------------------------------------

def _install_script_timer():
    """Make AppTest's LocalScriptRunner record when the script starts and stops.

    Returns a dict whose "start"/"end" are set by the most recent run (perf_counter), or
    None if this Streamlit version's AppTest is laid out differently.
    """
    try:
        import streamlit.testing.v1.app_test as app_test_mod
        from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    except ImportError:
        return None
    base = getattr(app_test_mod, "LocalScriptRunner", None)
    if base is None:
        return None
    stamps: dict = {"start": None, "end": None}
    stopped = {ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR,
               ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN}

    class TimedLocalScriptRunner(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stamps["start"] = stamps["end"] = None
            self.on_event.connect(self._stamp, weak=False)

        def _stamp(self, sender, event=None, **_):
            now = time.perf_counter()
            if event == ScriptRunnerEvent.SCRIPT_STARTED:
                stamps["start"], stamps["end"] = now, None
            elif event in stopped and stamps["end"] is None:
                stamps["end"] = now

    app_test_mod.LocalScriptRunner = TimedLocalScriptRunner
    return stamps


# ---- one run --------------------------------------------------------------------------

class Runner:
    """Runs pages with AppTest, sharing one component registry between sessions."""

    def __init__(self, timeout: float = 120):
        from streamlit.testing.v1 import AppTest
        self.AppTest = AppTest
        self.timeout = timeout
        self.stamps = _install_script_timer()
        self.components = None

    def session(self):
        at = self.AppTest.from_file(str(APP), default_timeout=self.timeout)
        if self.components is not None and hasattr(at, "_bidi_component_manager"):
            at._bidi_component_manager = self.components
        return at

    def run_page(self, page: dict, cold: bool):
        """A fresh session opens the app (Home, untimed), then switches to the page and
        runs it (timed), as a learner does when clicking the page in the sidebar.

        AppTest can only switch to a page with a custom url_path after a first run has
        registered the pages, hence the untimed Home run. Returns (at, wall_s, script_s,
        errors)."""
        import streamlit as st
        at = self.session()
        at.run(timeout=self.timeout)
        if self.components is None:
            self.components = getattr(at, "_bidi_component_manager", None)
        at.switch_page(str(page["path"]))
        if cold:
            st.cache_data.clear()
            st.cache_resource.clear()
        errors = []
        t0 = time.perf_counter()
        try:
            at.run(timeout=self.timeout)
        except Exception as e:          # AppTest raises on timeout
            errors.append(f"{type(e).__name__}: {e}")
        wall = time.perf_counter() - t0
        script = None
        if self.stamps and self.stamps["start"] is not None and self.stamps["end"] is not None:
            script = self.stamps["end"] - self.stamps["start"]
        errors += [_exception_text(e) for e in at.exception]
        errors += _wrong_page(at, page)
        return at, wall, script, errors


def _exception_text(el) -> str:
    msg = getattr(el, "message", None) or getattr(el, "value", None) or str(el.proto)
    return str(msg).strip().splitlines()[0][:300] if str(msg).strip() else "exception"


def _wrong_page(at, page: dict) -> list[str]:
    """An error if the run did not land on the page's file (AppTest falls back to the
    default page silently when a page hash does not match)."""
    pages = getattr(at, "_registered_pages", None)
    current = getattr(at, "_finished_page_script_hash", None)
    if not pages or not current or current not in pages:
        return []
    ran = Path(str(pages[current].get("script_path", ""))).resolve()
    want = Path(page["path"]).resolve()
    return [] if ran == want else [f"ran {ran.name} instead of {want.name}"]


# ---- cache footprint ------------------------------------------------------------------

def cache_footprint() -> dict:
    """Per st.cache_data function: entries, bytes held (values are stored pickled) and
    max_entries. Read from Streamlit's internals, so {} if they change. Taken right
    after a cold run, it is what one page's default view puts in the caches; times
    max_entries it bounds what a function's cache can grow to, for entries that size."""
    try:
        from streamlit.runtime.caching import cache_data_api
        out = {}
        for caches in cache_data_api._data_caches._function_caches.values():
            for cache in caches.values():
                items = [s for family in cache.get_stats().values() for s in family]
                if items:
                    out[cache.display_name] = dict(entries=len(items), bytes=sum(i.byte_length for i in items),
                                                   max_entries=getattr(cache, "max_entries", None))
        return out
    except Exception:                      # noqa: BLE001 - internals of another version
        return {}


# ---- chart data -----------------------------------------------------------------------

def _inline_rows(spec) -> int:
    """Rows given inline in a Vega-Lite spec (data.values), anywhere in it."""
    if isinstance(spec, dict):
        n = 0
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            n += len(data["values"])
        return n + sum(_inline_rows(v) for k, v in spec.items() if k != "data")
    if isinstance(spec, list):
        return sum(_inline_rows(v) for v in spec)
    return 0


def chart_stats(at) -> list[dict]:
    """Per Vega-Lite chart: data rows and bytes (spec + Arrow datasets)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    out = []
    for el in at.get("vega_lite_chart"):
        proto = el.proto
        rows = sum(len(convert_arrow_bytes_to_pandas_df(ds.data.data)) for ds in proto.datasets)
        try:
            rows += _inline_rows(json.loads(proto.spec))
        except ValueError:
            pass
        data_bytes = sum(len(ds.data.data) for ds in proto.datasets)
        out.append(dict(rows=rows, datasets=len(proto.datasets), spec_bytes=len(proto.spec.encode()),
                        data_bytes=data_bytes, bytes=len(proto.spec.encode()) + data_bytes))
    return out


# ---- benchmark ------------------------------------------------------------------------

def bench_page(runner: Runner, page: dict, repeat: int) -> dict:
    runner.run_page(page, cold=False)         # warm-up: imports and first-call overheads
    cold, cold_script, cached, cached_script, errors, at = [], [], [], [], [], None
    for _ in range(repeat):
        _, wall, script, errs = runner.run_page(page, cold=True)
        cold.append(wall), cold_script.append(script), errors.extend(errs)
        caches = cache_footprint()
        at, wall, script, errs = runner.run_page(page, cold=False)
        cached.append(wall), cached_script.append(script), errors.extend(errs)
    charts = chart_stats(at)

    def med(xs):
        xs = [x for x in xs if x is not None]
        return round(statistics.median(xs), 4) if xs else None

    r = dict(name=page["name"], title=page["title"], file=page["file"],
             cold_s=med(cold), cached_s=med(cached),
             cold_script_s=med(cold_script), cached_script_s=med(cached_script),
             charts=len(charts), max_chart_rows=max((c["rows"] for c in charts), default=0),
             chart_bytes=sum(c["bytes"] for c in charts), chart_detail=charts, cache=caches,
             exceptions=sorted(set(errors)), repeat=repeat)
    r["meets_targets"] = (not r["exceptions"] and r["cached_s"] is not None and r["cached_s"] < TARGET_CACHED_S
                          and r["cold_s"] < TARGET_COLD_S and r["max_chart_rows"] <= MAX_CHART_ROWS)
    return r


def _quiet():
    """AppTest outside a server logs 'missing ScriptRunContext' / 'No runtime found' on
    every run (and resets log levels when it reads config), so filter those loggers."""
    warnings.filterwarnings("ignore")
    from streamlit.logger import get_logger
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api"):
        get_logger(name).addFilter(lambda record: record.levelno >= logging.ERROR)


def _row(r: dict) -> str:
    def f(x):
        return "   -  " if x is None else f"{x:6.3f}"
    verdict = "ok" if r["meets_targets"] else "MISSED"
    return (f"{r['name']:<22} {f(r['cold_s'])} {f(r['cold_script_s'])}   {f(r['cached_s'])} {f(r['cached_script_s'])}"
            f"   {r['charts']:>6} {r['max_chart_rows']:>8} {r['chart_bytes'] / 1024:>9.1f}"
            f" {sum(c['bytes'] for c in r['cache'].values()) / 1024:>9.1f}   {len(r['exceptions']):>3}  {verdict}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="one JSON object per page")
    ap.add_argument("--repeat", type=int, default=3, help="cold and cached runs per page (median reported)")
    ap.add_argument("--pages", nargs="*", help="only these pages (name, url path or file)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per AppTest run")
    ap.add_argument("--workers", default=None,
                    help="training processes, as the server's GDL_WORKERS (default: that variable, else auto)")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    _quiet()
    # Train as the server does: on its worker processes, started (and ready) before any
    # timing, so their start-up is not counted as a page's cold cost.
    from ui import workers
    n = workers.configured_workers(args.workers)
    os.environ["GDL_WORKERS"] = str(n)
    workers.start(n, wait=True)
    pages = select_pages(discover_pages(), args.pages)
    runner = Runner(timeout=args.timeout)
    if not args.json:
        print(f"{len(pages)} page(s); median of {args.repeat}; {n} training worker process(es). Times in s (wall = AppTest.run(), script = "
              "script thread only); targets: cached < 0.2, cold < 1, rows/chart <= 5000.\n")
        print(f"{'page':<22} {'cold':>6} {'script':>6}   {'cached':>6} {'script':>6}   "
              f"{'charts':>6} {'max rows':>8} {'chart KiB':>9} {'cache KiB':>9}   {'exc':>3}")
    for page in pages:
        r = bench_page(runner, page, args.repeat)
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            print(_row(r), flush=True)
            for e in r["exceptions"]:
                print(f"    exception: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
