"""Server CPU per section-local interaction: what running a section as an st.fragment saves.

    python bench/interactions.py                       # every target, 20 interactions each; a table
    python bench/interactions.py --repeat 10 --json    # one JSON object per target
    python bench/interactions.py --app-dir /tmp/base   # another checkout of the app (e.g. a git worktree)
    python bench/interactions.py --list                # every widget on every page/tab, with its fragment
    python bench/interactions.py --only race-step nn-try
    python bench/interactions.py --compare before.json after.json   # markdown table of two --json runs

Before/after (issue 13): measure a worktree of the commit before the change and the
current tree in the same session, one after the other:

    git worktree add /tmp/before <commit>
    python bench/interactions.py --app-dir /tmp/before --json > before.json
    python bench/interactions.py --json > after.json
    python bench/interactions.py --compare before.json after.json
    git worktree remove --force /tmp/before

A widget that only changes its own section (the step-through slider on Gradient descent,
the race's step slider and Play button, the "try it" box and the diagram epoch on Neural
network, the curves picker on the LR sweep, ...) should rerun only that section, not the
page. For each such widget (TARGETS below) this starts the real app server with
`streamlit run app.py` (tests/browser/server.py, as bench/load.py does; GDL_WORKERS from
--workers, default auto as in the load bench), opens the widget's page at its default
settings (plus only the tab parameter of the widget's tab, a link a learner could share),
moves the widget --warmup times untimed, then --repeat times measured. Each interaction
moves the widget to its next value (a learner scrubbing a slider, ticking the next rate,
typing the next three numbers, clicking the button), sends it as the browser does and
waits for that run to finish.

Per interaction:
* server CPU s = user + system CPU of the server process tree (bench/common.tree_cpu:
  the server, its forkserver and training workers) from just before the request to
  --settle-pause s after the run finished (so the tail of the run - delivering
  messages, the runner thread ending - is counted). The server's idle CPU over the same
  pause is measured separately and reported (it is ~0); it is not subtracted.
* settle s = request sent -> the server's script_finished for that run.
* scope = "fragment" if the server ran only fragments (its new_session/script_finished
  name the fragment ids, status FINISHED_FRAGMENT_RUN_SUCCESSFULLY), else "full".
  A section-local widget whose runs are "full" reran the whole page.
Reported: the median (and mean) of each over the measured interactions.

Widgets are found by their label (or, for icon buttons, their help text) in the run's
delta stream, never by position, so the targets keep working when a page is split into
section modules; a target whose widget is absent is reported as "not found". A fragment
rerun is driven as the browser does (Streamlit 1.67: runtime/app_session.py,
runtime/scriptrunner; the frontend's WidgetStateManager): the widget's element carries
``delta.fragment_id``; a change of that widget is sent as
``BackMsg(rerun_script=ClientState(fragment_id=..., widget_states=<every widget>))``;
the server answers with a new_session whose ``metadata.run.fragment_ids`` is non-empty,
deltas for the fragment's elements only, and ``script_finished`` =
FINISHED_FRAGMENT_RUN_SUCCESSFULLY. The elements outside the fragment stay, so the
client keeps their widgets and replaces only the fragment's.

CPU seconds per interaction are much less sensitive to other load on the machine than
wall-clock settle times (a busy machine stretches the wall time of a run, not the CPU it
needs); compare settle times only between runs made in the same session.
This is a benchmark: the exit code is 0 whatever the figures (1 only if it cannot run).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import tree_cpu  # noqa: E402
from stclient import Learner, Widget, show_value  # noqa: E402

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

KINDS = ("slider", "number_input", "selectbox", "radio", "checkbox", "button_group", "multiselect",
         "text_input", "text_area", "button")
_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
_MAIN, _SIDEBAR = 0, 1


@dataclass(frozen=True)
class Target:
    """A section-local widget: on which page (URL path) and tab (query string), found by
    a regular expression on its label (or help text, for icon-only buttons)."""
    name: str
    page: str
    query: str
    label: str
    kinds: tuple[str, ...]
    what: str
    by_help: bool = False
    repeat: int | None = None          # fewer interactions for slow ones (Play animates)


TARGETS = (
    Target("gd-epoch", "gradient-descent", "", r"^Epoch to inspect", ("slider",),
           "step-through epoch slider"),
    Target("gd-next", "gradient-descent", "", r"^Next epoch$", ("button",), "step-through next-epoch button",
           by_help=True),
    Target("race-step", "optimizer-comparison", "view=race", r"^Show the race up to step", ("slider",),
           "race step slider"),
    Target("race-play", "optimizer-comparison", "view=race", r"^Play$", ("button",), "race Play button",
           repeat=6),
    Target("nn-try", "neural-network", "tab=sum", r"^Three numbers", ("text_input",), "\"try it\" numbers"),
    Target("nn-epoch", "neural-network", "tab=inside", r"^Epoch \(0 = the initial", ("slider", "number_input"),
           "diagram epoch"),
    Target("nn-row", "neural-network", "tab=inside", r"^Input \(a training row", ("button_group", "radio",
                                                                                  "selectbox"),
           "diagram input"),
    Target("sweep-curves", "lr-sweep", "tab=Loss+curves", r"^Rates to plot", ("multiselect",),
           "curves picker"),
    Target("sweep-code-rate", "lr-sweep", "", r"^Show the code for the run at", ("slider", "selectbox"),
           "code export rate"),
    Target("race-code", "optimizer-comparison", "view=race", r"^Show the code for", ("selectbox", "radio"),
           "race: code shown for"),
    Target("restarts-paths", "optimizer-comparison", "view=restarts", r"^Show the paths", ("checkbox",),
           "restarts: show the paths"),
    Target("sweep-code-run", "lr-sweep", "tab=Loss+curves", r"^Show the code for$", ("radio", "selectbox"),
           "curves: code shown for"),
    Target("sweep-code-sched", "lr-sweep", "tab=Schedules", r"^Show the code for$", ("radio", "selectbox",
                                                                                    "button_group"),
           "schedules: code shown for"),
    Target("loss-huber", "loss-explorer", "", r"^Huber δ", ("slider",), "Huber δ"),
    Target("loss-zoom", "loss-explorer", "", r"^Zoom in", ("checkbox",), "loss map zoom"),
)


# ---- the client: stclient.Learner, plus buttons, text, multiselects and fragments --------

class FragmentLearner(Learner):
    """A Learner that also keeps each widget's fragment id, sends a change of a widget in
    a fragment as that fragment's rerun, and merges a fragment run's widgets into the
    page's (instead of replacing them)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fragment_of: dict[str, str] = {}     # widget id -> fragment id ("" outside fragments)
        self.last_scope = ""                      # "full" / "fragment": the last finished run
        self.last_fragments: list[str] = []

    async def load(self, url_path: str = "", query: str = "", label: str | None = None):
        r = await super().load(url_path, query, label)
        if not self.query_string:                 # the address bar holds the link's query
            self.query_string = query.lstrip("?")
        return r

    def find(self, target: Target) -> Widget | None:
        rx = re.compile(target.label)
        for w in self.widgets.values():
            text = getattr(w.proto, "help", "") if target.by_help else w.label
            if w.kind in target.kinds and rx.search(text or ""):
                return w
        return None

    async def send(self, state: WidgetState, page_name: str, trigger: bool = False):
        """A widget change (or a button click, ``trigger``), as the browser sends it."""
        if not trigger:
            self.values[state.id] = state
        cs = ClientState(page_script_hash=self.page_hash, page_name="", query_string=self.query_string,
                         fragment_id=self.fragment_of.get(state.id, ""))
        cs.widget_states.widgets.extend(self.values[i] for i in self.widgets if i in self.values and i != state.id)
        if trigger or state.id in self.widgets:
            cs.widget_states.widgets.append(state)
        r = await self._rerun(cs, "change", page_name)
        r.detail = f"{state.id} = {show_value(state)}"
        return r

    async def _until_finished(self, r) -> None:
        fresh: dict[str, Widget] = {}
        frag: dict[str, str] = {}
        started, run_fragments = False, []
        while True:
            raw = await self.ws.recv()
            r.bytes += len(raw)
            r.messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            t = msg.WhichOneof("type")
            if t == "new_session":
                started, fresh, frag = True, {}, {}
                run_fragments = list(msg.metadata.run.fragment_ids)
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif t == "navigation":
                self.pages = {}
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
                    self.pages[p.page_name] = p.page_script_hash
                self.page_hash = msg.navigation.page_script_hash
            elif t == "delta" and msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                kind = el.WhichOneof("type")
                if kind == "exception":
                    r.errors.append("exception: " + (el.exception.type or "?") + " "
                                    + (el.exception.message or "(details hidden)")[:200])
                elif kind in KINDS:
                    proto = getattr(el, kind)
                    path = list(msg.metadata.delta_path)
                    fresh[proto.id] = Widget(proto.id, kind, proto, path[0] if path else _MAIN)
                    frag[proto.id] = msg.delta.fragment_id
            elif t == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif t == "page_not_found":
                r.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
            elif t == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                r.errors.append("compile error: " + msg.session_event.script_compilation_exception.message[:200])
            elif t == "script_finished" and started and msg.script_finished in _DONE:
                fragment_run = msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                self.last_scope = "fragment" if fragment_run or run_fragments else "full"
                self.last_fragments = run_fragments
                self._merge(fresh, frag, set(run_fragments) if self.last_scope == "fragment" else None)
                return

    def _merge(self, fresh: dict[str, Widget], frag: dict[str, str], fragments: set[str] | None) -> None:
        """After a full run: the run's widgets. After a fragment run: the page's widgets
        outside the rerun fragments, and the fragments' new ones (as the browser's tree)."""
        if fragments is None:
            widgets, owners = fresh, frag
        else:
            widgets = {i: w for i, w in self.widgets.items()
                       if self.fragment_of.get(i, "") not in fragments and i not in fresh}
            widgets.update(fresh)
            owners = {i: self.fragment_of.get(i, "") for i in widgets}
            owners.update(frag)
        old = self.values
        self._adopt(widgets)
        # _adopt keeps only values of widgets in `widgets`; `old` covers the kept ones.
        for i in widgets:
            if i not in self.values and i in old:
                self.values[i] = old[i]
        self.fragment_of = owners


# ---- the next value of a widget ----------------------------------------------------------

def next_value(learner: FragmentLearner, w: Widget, i: int) -> tuple[WidgetState, bool] | None:
    """(the i-th interaction's widget state, is a button click), or None if it cannot move."""
    if getattr(w.proto, "disabled", False):
        return None
    cur = learner.values.get(w.id)
    ws = WidgetState(id=w.id)
    if w.kind == "button":
        ws.trigger_value = True
        return ws, True
    if w.kind == "multiselect":
        opts = w.options()
        if not opts:
            return None
        k = max(min(w.proto.max_selections or 2, 2), 1)
        # cycle: one rate, then two neighbouring rates, moving along the options
        j = i % len(opts)
        pick = [opts[j]] if i % 2 == 0 or k < 2 else [opts[j], opts[(j + len(opts) // 2) % len(opts)]]
        ws.string_array_value.data[:] = pick
        return ws, False
    if w.kind in ("text_input", "text_area"):
        ws.string_value = ", ".join(str(v) for v in (i + 1, 2 * i + 3, 3 * i + 5))
        return ws, False
    if w.kind == "slider" and w.proto.type != Slider.SELECT_SLIDER and cur is not None:
        # drag forward through the range by about 1/40 of it, wrapping (a learner scrubbing;
        # not one step at a time, so values differ from those a next-button target visits)
        p = w.proto
        step = p.step or 1
        stride = max(1, round((p.max - p.min) / step / 40)) * step
        v = cur.double_array_value.data[0] + stride
        if v > p.max + 1e-12:
            v = p.min
        ws.double_array_value.data[:] = [round(v, 12)]
        return ws, False
    alts = w.alternatives(cur, limit=2)
    return (alts[0], False) if alts else None


# ---- measuring -----------------------------------------------------------------------------

@dataclass
class Measured:
    target: Target
    found: bool = False
    widget: str = ""
    fragment: bool = False                # the widget's element is inside a fragment
    cpu: list[float] = field(default_factory=list)
    settle: list[float] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        def med(xs):
            return round(statistics.median(xs), 4) if xs else None

        def mean(xs):
            return round(statistics.fmean(xs), 4) if xs else None
        return dict(name=self.target.name, page=self.target.page, query=self.target.query, widget=self.target.what,
                    found=self.found, label=self.widget, in_fragment=self.fragment, runs=len(self.cpu),
                    cpu_s_median=med(self.cpu), cpu_s_mean=mean(self.cpu),
                    settle_s_median=med(self.settle), settle_s_mean=mean(self.settle),
                    fragment_runs=self.scopes.count("fragment"), full_runs=self.scopes.count("full"),
                    errors=len(self.errors), error_samples=sorted(set(self.errors))[:3])


async def measure(url: str, pid: int, target: Target, repeat: int, warmup: int, pause: float,
                  timeout: float) -> Measured:
    m = Measured(target)
    learner = FragmentLearner(url, name=target.name, timeout=timeout)
    try:
        await learner.connect()
        r = await learner.load(target.page, target.query, label=target.page)
        m.errors += r.errors
        n = repeat if target.repeat is None else min(repeat, target.repeat)
        for i in range(-warmup, n):
            w = learner.find(target)
            if w is None:
                break
            m.found, m.widget = True, w.label or getattr(w.proto, "help", "")
            m.fragment = m.fragment or bool(learner.fragment_of.get(w.id))
            nv = next_value(learner, w, i + warmup)
            if nv is None:
                m.errors.append(f"{target.name}: widget cannot move (disabled or no other value)")
                break
            await asyncio.sleep(pause)
            cpu0 = tree_cpu(pid)
            r = await learner.send(nv[0], target.page, trigger=nv[1])
            await asyncio.sleep(pause)
            cpu1 = tree_cpu(pid)
            m.errors += r.errors
            if r.seconds is None:
                break
            if i >= 0:
                m.cpu.append(cpu1 - cpu0)
                m.settle.append(r.seconds)
                m.scopes.append(learner.last_scope)
    finally:
        await learner.close()
    return m


async def idle_cpu(pid: int, seconds: float) -> float:
    c0 = tree_cpu(pid)
    await asyncio.sleep(seconds)
    return tree_cpu(pid) - c0


async def list_widgets(url: str, timeout: float) -> list[dict]:
    """Every widget on every page of TARGETS' pages and tabs, with its fragment id."""
    out = []
    seen = []
    for t in TARGETS:
        if (t.page, t.query) in seen:
            continue
        seen.append((t.page, t.query))
        learner = FragmentLearner(url, timeout=timeout)
        await learner.connect()
        r = await learner.load(t.page, t.query)
        for w in learner.widgets.values():
            out.append(dict(page=t.page, query=t.query, kind=w.kind, label=w.label or "",
                            help=(getattr(w.proto, "help", "") or "")[:60], id=w.id[-40:],
                            fragment=learner.fragment_of.get(w.id, ""), errors=r.errors))
        await learner.close()
    return out


# ---- main ----------------------------------------------------------------------------------

def run(args) -> dict:
    from tests.browser.server import ARTIFACTS, serve, server_pid
    app_dir = Path(args.app_dir or HERE.parent).resolve()
    targets = [t for t in TARGETS if not args.only or t.name in args.only]
    log = ARTIFACTS / "interactions-server.log"
    out = dict(app_dir=str(app_dir), cpus=os.cpu_count(), loadavg_start=_loadavg(), repeat=args.repeat,
               warmup=args.warmup, pause_s=args.settle_pause, workers=args.workers)
    with serve(directory=app_dir, log_path=log, timeout=240, workers=args.workers) as url:
        pid = server_pid(urlparse(url).port)
        if args.list:
            out["widgets"] = asyncio.run(list_widgets(url, args.timeout))
            return out

        async def all_targets():
            # warm-up: every page once (imports, the first training runs), as load.py's warm-up
            learner = FragmentLearner(url, timeout=args.timeout)
            await learner.connect()
            for page in dict.fromkeys((t.page, t.query) for t in targets):
                await learner.load(*page)
            await learner.close()
            idle = await idle_cpu(pid, 3.0)
            res = [await measure(url, pid, t, args.repeat, args.warmup, args.settle_pause, args.timeout)
                   for t in targets]
            return idle, res

        idle, res = asyncio.run(all_targets())
    out["idle_cpu_per_s"] = round(idle / 3.0, 4)
    out["targets"] = [m.summary() for m in res]
    out["loadavg_end"] = _loadavg()
    return out


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _f(x, w=8, nd=3):
    return f"{'-':>{w}}" if x is None else f"{x:>{w}.{nd}f}"


def print_table(out: dict) -> None:
    if "widgets" in out:
        for w in out["widgets"]:
            print(f"{w['page']:<22} {w['query']:<16} {w['kind']:<13} {w['fragment'][:10] or '-':<10} "
                  f"{w['label'][:50]!r} {w['help']!r}")
        return
    print(f"app {out['app_dir']}  cpus {out['cpus']}  load average start {out['loadavg_start']} end "
          f"{out['loadavg_end']}  idle server CPU {out['idle_cpu_per_s']} s/s  pause {out['pause_s']} s")
    print(f"\n{'target':<16} {'page':<21} {'widget':<30} {'in frag':>7} {'runs':>4} {'CPU s med':>9} {'mean':>7} "
          f"{'settle med':>10} {'mean':>7} {'frag/full':>9} {'err':>3}")
    for s in out["targets"]:
        if not s["found"]:
            print(f"{s['name']:<16} {s['page']:<21} {s['widget']:<30}  not found")
            continue
        print(f"{s['name']:<16} {s['page']:<21} {s['widget'][:30]:<30} {('yes' if s['in_fragment'] else 'no'):>7} "
              f"{s['runs']:>4} {_f(s['cpu_s_median'], 9)} {_f(s['cpu_s_mean'], 7)} {_f(s['settle_s_median'], 10)} "
              f"{_f(s['settle_s_mean'], 7)} {s['fragment_runs']:>4}/{s['full_runs']:<4} {s['errors']:>3}")
        for e in s["error_samples"]:
            print(f"    error: {e}")


def compare_table(before: dict, after: dict) -> str:
    """A markdown table of two --json runs (before, after), target by target: median
    (mean) server CPU seconds and settle seconds per interaction, and what each
    interaction reran."""
    def cell(s, key, nd=3):
        if not s or not s["found"] or s[key + "_median"] is None:
            return "-"
        return f"{s[key + '_median']:.{nd}f} ({s[key + '_mean']:.{nd}f})"

    def scope(s):
        if not s or not s["found"]:
            return "not found"
        return "fragment" if s["full_runs"] == 0 and s["fragment_runs"] else (
            "whole page" if s["fragment_runs"] == 0 else f"{s['fragment_runs']} fragment / {s['full_runs']} full")
    b = {s["name"]: s for s in before["targets"]}
    a = {s["name"]: s for s in after["targets"]}
    rows = ["| page | widget | server CPU s before | after | settle s before | after | reran before → after | runs |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in dict.fromkeys(list(b) + list(a)):
        sb, sa = b.get(name), a.get(name)
        s = sa or sb
        runs = "/".join(str(x["runs"]) for x in (sb, sa) if x)
        rows.append(f"| {s['page']} | {s['widget']} | {cell(sb, 'cpu_s')} | {cell(sa, 'cpu_s')} | "
                    f"{cell(sb, 'settle_s')} | {cell(sa, 'settle_s')} | {scope(sb)} → {scope(sa)} | {runs} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20, help="measured interactions per widget (default 20)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed interactions first (default 3)")
    ap.add_argument("--settle-pause", type=float, default=0.3,
                    help="s waited before and after each interaction; the CPU window ends after it")
    ap.add_argument("--timeout", type=float, default=120, help="s to wait for one run to finish")
    ap.add_argument("--workers", default="auto", help="the server's GDL_WORKERS (default auto, as bench/load.py)")
    ap.add_argument("--app-dir", help="the app folder to serve (default: this checkout)")
    ap.add_argument("--only", nargs="*", help="only these targets: " + ", ".join(t.name for t in TARGETS))
    ap.add_argument("--list", action="store_true", help="list the widgets of the targets' pages and exit")
    ap.add_argument("--json", action="store_true", help="one JSON object with every figure")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                    help="print a markdown table comparing two --json outputs, and exit")
    args = ap.parse_args(argv)
    if args.compare:
        before, after = (json.loads(Path(p).read_text()) for p in args.compare)
        print(compare_table(before, after))
        return 0
    out = run(args)
    if args.json:
        print(json.dumps(out))
    else:
        print_table(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
