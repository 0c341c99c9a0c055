"""Load test: N learners using the app at once, against one learner alone, same run.

    python bench/load.py                          # 1 learner, then 10 at once; a table
    python bench/load.py --learners 10 --rounds 3 --json
    python bench/load.py --memory                 # RSS while driving distinct settings
    python bench/load.py --url http://host:8501   # a server that is already running
    python bench/load.py --heavy 2                # 2 of the 10 open maximum-cost links
    python bench/load.py --heavy 2 --root /tmp/base   # the same against another checkout
    python bench/load.py --learners 30 --rounds 2 --ramp 10 --replicas 2 --prewarm sweep
                                                  # a class on deploy/serve.py's layout

Each learner is a lightweight websocket client speaking Streamlit's own protocol
(bench/stclient.py explains it): it connects, opens the first page by its URL, then in
each round clicks every page in the sidebar in turn and, on each page, moves one
setting (the learning-rate widget if the page has one, else its first slider, number,
select box, radio, segmented control or checkbox) to a value drawn at random from the
widget's options, then reads for --think seconds (default 3) before the next page.
Settle time is from sending the request to the server's
``script_finished``: the server-side wait a learner has before the page can draw. The
browser's own rendering and static files are not included.

Phases (the server is started here with `streamlit run app.py` and the repo's
.streamlit/config.toml, via tests/browser/server.py, unless --url is given):

1. warm-up: one learner opens every page once (as the teacher does before class),
   the first by a link to a page other than Home; reported, not compared.
2. single: 1 learner alone, --rounds rounds.
3. concurrent: --learners learners start at the same moment (or spread over --ramp s),
   --rounds rounds each.

Reported per phase: settle-time p50/p95/max (all requests; and per kind: open, change;
and per page), errors (exception elements, page not found, disconnects, timeouts),
server CPU seconds per request, and server RSS (psutil, the process and its children)
at the start, after warm-up, after each phase and after the learners disconnect. The
targets from the robustness issue: no errors at 10 learners, p95(N) <= 4 x p95(1).

--memory: a few learners (--clients) drive DISTINCT settings in turn through every
page: each step moves one widget to a value not used before on that page (cycling the
page's widgets), so every step is a new combination, until the page has none left.
The first --fill steps fill the caches (st.cache_data max_entries bound them); RSS is
sampled after every step, and the growth from the end of the fill to the end of the
next --settings steps is reported (target < 10 %). With few pages there may be fewer
distinct settings than steps; the report says how many there were.

--heavy K (issue 12: one learner's maximum-cost links must not hold up the class):
after the warm-up, two phases with the same number of ordinary learners (--learners − K,
the script above, each phase with its own random settings):

* without: the ordinary learners alone;
* with: the same, while K heavy learners open maximum-cost links (bench/max_links.py's
  LINKS: every page and tab with its costliest settings, a new seed on every visit so the
  server cannot answer from its cache), reading --think seconds after each, until the
  ordinary learners are done.

Reported: the ordinary learners' p95 with the heavy ones over their p95 without (target
<= 1.5), and the heavy learners' own settle times (each link should settle in a few s).
Settle time is measured at the protocol level, as above: in a real browser the page
loads dominate and the difference was not measurable.

--root DIR serves the app from another checkout (e.g. `git worktree add /tmp/base
<commit>`), to take before/after figures in the same time window.

CPU: on a small machine the clients share the cores with the server; the client's own
CPU time is reported so a reader can judge. The load average at start and end is
reported too: figures from a busy machine are not the lead's final numbers.
This is a benchmark: the exit code is 0 whatever the figures (1 only if it cannot run).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import discover_pages, percentile, select_pages, tree_cpu, tree_rss  # noqa: E402
from stclient import Learner, RunResult, show_value  # noqa: E402

TARGET_RATIO = 4.0
TARGET_HEAVY_RATIO = 1.5
TARGET_GROWTH_PCT = 10.0
MB = 1024 * 1024


# ---- the server -----------------------------------------------------------------------

class Server:
    """The app under test: started here (default) or given by URL (and maybe pid)."""

    def __init__(self, url: str, pid: int | None, log: Path | None = None, pids: tuple[int, ...] = (),
                 replicas: tuple[str, ...] = ()):
        self.url, self.log = url, log
        self.replicas = replicas or (None,)               # HAProxy cookie names, for --prewarm
        self.pids = pids or ((pid,) if pid else ())       # several with --replicas: one per replica
        self.pid = self.pids[0] if self.pids else None

    def rss_mb(self) -> float | None:
        return round(sum(tree_rss(p) for p in self.pids) / MB, 1) if self.pids else None

    def cpu_s(self) -> float | None:
        return sum(tree_cpu(p) for p in self.pids) if self.pids else None


@contextmanager
def server(url: str | None, pid: int | None, workers: str = "auto", root: str | None = None, replicas: int = 0):
    if url:
        yield Server(url, pid)
        return
    if replicas:         # deploy/serve.py's layout: N processes behind HAProxy, GDL_WORKERS=0 each
        from contextlib import ExitStack

        from deploy import serve as layout
        if root:
            raise SystemExit("--replicas serves this checkout; run bench/load.py from the other one")
        with ExitStack() as stack:
            started = layout.start(stack, replicas, "127.0.0.1", layout.free_port())
            yield Server(started["proxy"], None, HERE.parent / "artifacts" / "serve-app1.log",
                         pids=tuple(started["pids"].values()), replicas=tuple(started["apps"]))
        return
    from tests.browser.server import ARTIFACTS, serve, server_pid
    log = ARTIFACTS / "load-server.log"
    with serve(directory=Path(root) if root else None, log_path=log, timeout=240, workers=workers) as base:
        yield Server(base, server_pid(urlparse(base).port), log)


# ---- learners -------------------------------------------------------------------------

async def _open(learner: Learner, page: dict) -> RunResult:
    """Open a page: by its URL on a fresh connection, else by clicking it."""
    if learner.ws is None:
        try:
            await learner.connect()
        except Exception as e:                                   # noqa: BLE001
            return RunResult("open", page["name"], errors=[f"connect failed: {type(e).__name__}: {e}"])
        r = await learner.load(page["url_path"], label=page["name"])
    else:
        r = await learner.click_page(page)
    r.kind = "open"
    return r


CPU_TAIL = 0.3   # s after a run's script_finished still counted as its server CPU (as bench/interactions.py)


async def _timed(request, cpu) -> RunResult:
    """``await request``; with ``cpu`` (the server's CPU clock; a learner alone only), the
    server CPU of this one request: from just before it to CPU_TAIL s after it finished."""
    if cpu is None:
        return await request
    c0 = cpu()
    r = await request
    await asyncio.sleep(CPU_TAIL)
    c1 = cpu()
    if c0 is not None and c1 is not None:
        r.cpu = c1 - c0
    return r


async def learner_script(url: str, pages: list[dict], rounds: int, seed: str, timeout: float,
                         think: float = 0.0, delay: float = 0.0, cpu=None) -> list[RunResult]:
    """One learner: every page in turn, moving one setting on each, `rounds` times.
    ``cpu``: the server's CPU clock, to measure each request's server CPU (alone only)."""
    await asyncio.sleep(delay)
    rng = random.Random(seed)
    learner = Learner(url, name=seed, timeout=timeout)
    results: list[RunResult] = []
    try:
        for _ in range(rounds):
            for page in pages:
                r = await _timed(_open(learner, page), cpu)
                results.append(r)
                if r.seconds is None:
                    continue
                widgets = learner.changeable()
                if widgets:
                    w = widgets[0]
                    alts = w.alternatives(learner.values.get(w.id))
                    if alts:
                        results.append(await _timed(learner.set_widget(rng.choice(alts), page["name"]), cpu))
                if think:
                    await asyncio.sleep(max(think - (CPU_TAIL if cpu else 0.0), 0.0))
    finally:
        await learner.close()
    return results


def heavy_links(pages: list[dict]) -> list[tuple[dict, dict, str]]:
    """(page, query, seed key) for every maximum-cost link of bench/max_links.py whose page
    the server has."""
    from max_links import LINKS, SEED_KEYS
    by_file = {p["file"]: p for p in pages}
    return [(by_file[f], q, SEED_KEYS.get((f, tab), SEED_KEYS.get(f, ""))) for f, tab, q in LINKS if f in by_file]


async def heavy_script(url: str, links: list, seed: str, timeout: float, think: float, done: asyncio.Event,
                       delay: float = 0.0, heavy_count: int = 1) -> list[RunResult]:
    """One heavy learner: maximum-cost links in turn, each with a new seed (so every one is
    computed, not served from the cache), until ``done``."""
    from urllib.parse import urlencode
    await asyncio.sleep(delay)
    rng = random.Random(seed)
    learner = Learner(url, name=seed, timeout=timeout)
    results: list[RunResult] = []
    # Each heavy learner starts at its own place in the list, so a short phase still covers
    # the costliest links (the sweep's) and not only the first pages.
    start = int(seed.rsplit("heavy", 1)[-1] or 0) * len(links) // max(1, heavy_count)
    links = links[start:] + links[:start]
    try:
        while not done.is_set():
            for page, query, seed_key in links:
                if done.is_set():
                    break
                q = dict(query)
                if seed_key:
                    lo, hi = (-5.0, 5.0) if seed_key in ("w0", "b0") else (0, 10 ** 6)
                    q[seed_key] = rng.uniform(lo, hi) if isinstance(lo, float) else rng.randint(lo, hi)
                # A fresh session per link, as a link opened in a new tab: a session already on
                # the page would keep its own settings rather than the link's.
                await learner.close()
                try:
                    await learner.connect()
                except Exception as e:                                   # noqa: BLE001
                    results.append(RunResult("heavy", page["name"], errors=[f"connect failed: {e}"]))
                    continue
                r = await learner.load(page["url_path"], urlencode(q), label=page["name"])
                r.kind = "heavy"
                results.append(r)
                if think:
                    try:
                        await asyncio.wait_for(done.wait(), think)
                    except asyncio.TimeoutError:
                        pass
    finally:
        await learner.close()
    return results


async def run_learners(srv: Server, pages: list[dict], n: int, rounds: int, phase: str, args,
                       heavy: int = 0) -> dict:
    cpu0, client0, t0 = srv.cpu_s(), time.process_time(), time.perf_counter()
    spread = args.ramp / n if n > 1 else 0.0
    done = asyncio.Event()
    heavy_tasks = [asyncio.ensure_future(heavy_script(srv.url, heavy_links(pages), f"{phase}:heavy{i}", args.timeout,
                                                      args.think, done, i * 0.5, heavy))
                   for i in range(heavy)]
    try:
        batches = await asyncio.gather(*(
            learner_script(srv.url, pages, rounds, f"{phase}:{i}", args.timeout, args.think, i * spread,
                           cpu=srv.cpu_s if n == 1 and not heavy and srv.pid else None)
            for i in range(n)))
    finally:
        done.set()
    heavy_results = [r for b in await asyncio.gather(*heavy_tasks) for r in b]
    wall = time.perf_counter() - t0
    cpu1 = srv.cpu_s()
    results = [r for b in batches for r in b]
    s = summarize(results)
    s.update(phase=phase, learners=n, rounds=rounds, wall_s=round(wall, 2),
             client_cpu_s=round(time.process_time() - client0, 2))
    if heavy:
        s["heavy"] = dict(summarize(heavy_results), learners=heavy,
                          by_link=[dict(page=r.page, seconds=_r(r.seconds), errors=r.errors) for r in heavy_results])
    if cpu0 is not None and cpu1 is not None:
        s["server_cpu_s"] = round(cpu1 - cpu0, 2)
        s["server_cpu_per_request_s"] = round((cpu1 - cpu0) / max(len(results), 1), 4)
        s["server_cpu_utilisation"] = round((cpu1 - cpu0) / wall, 2)   # cores busy, on average
    per_request = [r.cpu for r in results if r.cpu is not None]
    if per_request:     # a learner alone: each request's own server CPU (median: psutil's 10 ms ticks)
        s["server_cpu_per_request_median_s"] = _r(percentile(per_request, 50))
        s["server_cpu_by_kind_median_s"] = {k: _r(percentile([r.cpu for r in results if r.kind == k
                                                               and r.cpu is not None], 50))
                                            for k in sorted({r.kind for r in results if r.cpu is not None})}
    return s


def summarize(results: list[RunResult]) -> dict:
    def stats(rs):
        xs = [r.seconds for r in rs if r.seconds is not None]
        return dict(n=len(rs), p50=_r(percentile(xs, 50)), p95=_r(percentile(xs, 95)), max=_r(max(xs, default=None)))

    errors = [e for r in results for e in r.errors]
    kinds = sorted({r.kind for r in results})
    names = list(dict.fromkeys(r.page for r in results))
    return dict(requests=len(results), **stats(results),
                by_kind={k: stats([r for r in results if r.kind == k]) for k in kinds},
                by_page={p: stats([r for r in results if r.page == p]) for p in names},
                bytes_p50=_r(percentile([r.bytes for r in results if r.seconds is not None], 50), 0),
                errors=len(errors), error_samples=Counter(errors).most_common(5))


def _r(x, nd=3):
    return None if x is None else round(x, nd)


def deep_link_first(pages: list[dict]) -> list[dict]:
    """The warm-up's order: the first request after the server starts is a shared link to
    a page other than Home (when there is one), the case most likely to go wrong on a
    fresh server; then the rest."""
    return pages[1:] + pages[:1]


# ---- the load test --------------------------------------------------------------------

async def load_test(srv: Server, pages: list[dict], args) -> dict:
    out = dict(mode="load", url=srv.url, pages=[p["name"] for p in pages], cpus=os.cpu_count(),
               loadavg_start=_loadavg(), rss_mb={"start": srv.rss_mb()})
    if args.prewarm:       # deploy/warmup.py, as a teacher runs it before class: on every replica
        from deploy.warmup import warm
        t0, errors = time.perf_counter(), []
        for replica in srv.replicas:
            errors += await warm(srv.url, replica, args.prewarm == "sweep", args.timeout, out=lambda _line: None)
        out["prewarm"] = dict(kind=args.prewarm, replicas=len(srv.replicas), errors=errors,
                              seconds=round(time.perf_counter() - t0, 1))
    out["warmup"] = await run_learners(srv, deep_link_first(pages), 1, 1, "warmup", args)
    out["rss_mb"]["after_warmup"] = srv.rss_mb()
    if args.heavy:
        return await heavy_test(srv, pages, args, out)
    out["single"] = await run_learners(srv, pages, 1, args.rounds, "single", args)
    out["rss_mb"]["after_single"] = srv.rss_mb()
    out["concurrent"] = await run_learners(srv, pages, args.learners, args.rounds, "concurrent", args)
    out["rss_mb"]["after_concurrent"] = srv.rss_mb()
    await asyncio.sleep(2)
    out["rss_mb"]["after_disconnect"] = srv.rss_mb()
    p1, pn = out["single"]["p95"], out["concurrent"]["p95"]
    out["p95_ratio"] = round(pn / p1, 2) if p1 and pn else None
    out["loadavg_end"] = _loadavg()
    out["targets"] = dict(no_errors=out["concurrent"]["errors"] == 0,
                          p95_ratio_within_4x=out["p95_ratio"] is not None and out["p95_ratio"] <= TARGET_RATIO)
    return out


async def heavy_test(srv: Server, pages: list[dict], args, out: dict) -> dict:
    """--heavy K: the ordinary learners without, then with K heavy learners."""
    n = max(1, args.learners - args.heavy)
    out["mode"] = "heavy"
    out["without"] = await run_learners(srv, pages, n, args.rounds, "without", args)
    out["rss_mb"]["after_without"] = srv.rss_mb()
    out["with"] = await run_learners(srv, pages, n, args.rounds, "with", args, heavy=args.heavy)
    out["rss_mb"]["after_with"] = srv.rss_mb()
    p0, p1 = out["without"]["p95"], out["with"]["p95"]
    out["p95_ratio"] = round(p1 / p0, 2) if p0 and p1 else None
    out["loadavg_end"] = _loadavg()
    out["targets"] = dict(no_errors=out["with"]["errors"] == 0 and out["with"]["heavy"]["errors"] == 0,
                          others_p95_within=out["p95_ratio"] is not None and out["p95_ratio"] <= TARGET_HEAVY_RATIO)
    return out


def print_heavy(out: dict) -> None:
    print(f"server {out['url']}  pages: {', '.join(out['pages'])}  cpus: {out['cpus']}  "
          f"load average at start {out['loadavg_start']}, end {out['loadavg_end']}")
    print(f"\n{'phase':<9} {'learners':>8} {'heavy':>5} {'requests':>8} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
          f"{'errors':>6} {'srv CPU/req':>11} {'cores busy':>10} {'wall s':>7}")
    for name in ("without", "with"):
        s = out[name]
        print(f"{name:<9} {s['learners']:>8} {s.get('heavy', {}).get('learners', 0):>5} {s['requests']:>8} "
              f"{_f(s['p50'])} {_f(s['p95'])} {_f(s['max'])} {s['errors']:>6} "
              f"{_f(s.get('server_cpu_per_request_s'), 11)} {_f(s.get('server_cpu_utilisation'), 10)} {_f(s['wall_s'])}")
    h = out["with"]["heavy"]
    print(f"heavy learners' links: n {h['n']}  p50 {_g(h['p50'])}  p95 {_g(h['p95'])}  max {_g(h['max'])}  "
          f"errors {h['errors']}")
    for page, v in h["by_page"].items():
        print(f"    {page:<22} n {v['n']:>3}  p50 {_g(v['p50'])}  p95 {_g(v['p95'])}  max {_g(v['max'])}")
    for name in ("without", "with"):
        for page, v in out[name]["by_page"].items():
            print(f"  {name:<8} {page:<22} n {v['n']:>3}  p50 {_g(v['p50'])}  p95 {_g(v['p95'])}  max {_g(v['max'])}")
        for e, n in out[name]["error_samples"]:
            print(f"    error x{n}: {e}")
    for e, n in h["error_samples"]:
        print(f"    heavy error x{n}: {e}")
    t = out["targets"]
    print(f"\nordinary learners' p95 with/without heavy learners: {out['p95_ratio']} (target <= "
          f"{TARGET_HEAVY_RATIO:g}: {'ok' if t['others_p95_within'] else 'MISSED'}); errors: "
          f"{'none' if t['no_errors'] else 'SOME'}")
    print("server memory MB (PSS, with children): " + ", ".join(f"{k} {v}" for k, v in out["rss_mb"].items()))


# ---- the memory test ------------------------------------------------------------------

class Settings:
    """Hands out settings page by page, new ones first: a widget value that makes a
    combination of the page's widget values not seen on that page before. When a page
    has no new combination left, it repeats one (a cached rerun), so the test still
    makes its number of steps; the report counts the distinct ones."""

    def __init__(self, pages: list[dict], per_visit: int):
        self.pages, self.per_visit = pages, per_visit
        self.seen: dict[str, set] = {p["name"]: set() for p in pages}
        self.exhausted: set[str] = set()
        self.next_page = 0

    def page(self) -> dict:
        p = self.pages[self.next_page % len(self.pages)]
        self.next_page += 1
        return p

    def pick(self, learner: Learner, page: dict):
        """(widget value, is_new) for the page's current widgets; None if it has none."""
        seen, first = self.seen[page["name"]], None
        for w in learner.changeable()[:4]:
            for alt in w.alternatives(learner.values.get(w.id), limit=200):
                combo = {k: show_value(v) for k, v in learner.values.items()}
                combo[alt.id] = show_value(alt)
                key = tuple(sorted(combo.items()))
                if key not in seen:
                    seen.add(key)
                    return alt, True
                first = first or alt
        if first is not None:
            self.exhausted.add(page["name"])
            return first, False
        return None

    def count(self) -> int:
        return sum(len(s) for s in self.seen.values())


async def memory_client(srv: Server, settings: Settings, budget: list[int], samples: list, args, idx: int):
    """Move widgets, page after page, until the shared budget of steps is used up."""
    learner = Learner(srv.url, name=f"memory:{idx}", timeout=args.timeout)
    errors: list[str] = []
    steps = 0
    try:
        while budget[0] > 0:
            page = settings.page()
            r = await _open(learner, page)
            errors += r.errors
            for _ in range(settings.per_visit):
                if budget[0] <= 0 or r.seconds is None:
                    break
                picked = settings.pick(learner, page)
                if picked is None:
                    break
                budget[0] -= 1
                r = await learner.set_widget(picked[0], page["name"])
                errors += r.errors
                samples.append((settings.count(), srv.rss_mb(), r.seconds))
                steps += 1
                if args.reconnect_every and steps % args.reconnect_every == 0:
                    await learner.close()      # a new session from the next page on
                    break
    finally:
        await learner.close()
    return errors


async def memory_test(srv: Server, pages: list[dict], args) -> dict:
    out = dict(mode="memory", url=srv.url, pages=[p["name"] for p in pages], cpus=os.cpu_count(),
               loadavg_start=_loadavg(), rss_mb={"start": srv.rss_mb()})
    out["warmup"] = await run_learners(srv, deep_link_first(pages), 1, 1, "warmup", args)
    out["rss_mb"]["after_warmup"] = srv.rss_mb()
    settings = Settings(pages, per_visit=args.per_visit)
    samples: list = []
    t0 = time.perf_counter()
    budget = [args.fill]
    errors = []
    for batch in await asyncio.gather(*(memory_client(srv, settings, budget, samples, args, i)
                                        for i in range(args.clients))):
        errors += batch
    filled = len(samples)
    await asyncio.sleep(1)
    out["rss_mb"]["after_fill"] = rss_fill = srv.rss_mb()
    budget = [args.settings]
    for batch in await asyncio.gather(*(memory_client(srv, settings, budget, samples, args, i)
                                        for i in range(args.clients))):
        errors += batch
    await asyncio.sleep(1)
    out["rss_mb"]["end"] = rss_end = srv.rss_mb()
    out["rss_mb"]["max"] = max((s[1] for s in samples if s[1] is not None), default=None)
    out["steps"] = dict(fill=filled, measured=len(samples) - filled)
    out["distinct_settings"] = settings.count()
    out["pages_without_new_settings"] = sorted(settings.exhausted)
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    out["settle_p50"] = _r(percentile([s[2] for s in samples if s[2] is not None], 50))
    out["errors"] = len(errors)
    out["error_samples"] = Counter(errors).most_common(5)
    every = max(len(samples) // 20, 1)
    out["rss_curve"] = [dict(step=i + 1, distinct=s[0], rss_mb=s[1]) for i, s in enumerate(samples) if i % every == 0]
    out["growth_pct"] = round((rss_end / rss_fill - 1) * 100, 1) if rss_fill and rss_end else None
    out["loadavg_end"] = _loadavg()
    out["targets"] = dict(memory_flat=out["growth_pct"] is not None and out["growth_pct"] < TARGET_GROWTH_PCT,
                          distinct_settings_reached=out["distinct_settings"] >= args.fill + args.settings,
                          no_errors=not errors)
    return out


# ---- output ---------------------------------------------------------------------------

def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def print_load(out: dict) -> None:
    print(f"server {out['url']}  pages: {', '.join(out['pages'])}  cpus: {out['cpus']}  "
          f"load average at start {out['loadavg_start']}, end {out['loadavg_end']}")
    print(f"\n{'phase':<11} {'learners':>8} {'requests':>8} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'errors':>6}"
          f" {'srv CPU/req':>11} {'cores busy':>10} {'wall s':>7}")
    for name in ("warmup", "single", "concurrent"):
        s = out[name]
        print(f"{name:<11} {s['learners']:>8} {s['requests']:>8} {_f(s['p50'])} {_f(s['p95'])} {_f(s['max'])} "
              f"{s['errors']:>6} {_f(s.get('server_cpu_per_request_s'), 11)} {_f(s.get('server_cpu_utilisation'), 10)}"
              f" {_f(s['wall_s'])}")
    for e, n in out["warmup"]["error_samples"]:
        print(f"  warmup error x{n}: {e}")
    if "prewarm" in out:
        w = out["prewarm"]
        print(f"  before: deploy/warmup.py ({w['kind']}) on {w['replicas']} replica(s), {w['seconds']} s, "
              f"{len(w['errors'])} error(s)" + "".join(f"\n    {e}" for e in w["errors"][:5]))
    if out["single"].get("server_cpu_per_request_median_s") is not None:
        kinds = ", ".join(f"{k} {_g(v)}" for k, v in out["single"]["server_cpu_by_kind_median_s"].items())
        print(f"  single: server CPU per request, median {_g(out['single']['server_cpu_per_request_median_s'])} s ({kinds})")
    for name in ("single", "concurrent"):
        s = out[name]
        kinds = "; ".join(f"{k} p50 {_g(v['p50'])} p95 {_g(v['p95'])}" for k, v in s["by_kind"].items())
        print(f"  {name}: {kinds}")
        for page, v in s["by_page"].items():
            print(f"    {page:<22} n {v['n']:>3}  p50 {_g(v['p50'])}  p95 {_g(v['p95'])}  max {_g(v['max'])}")
        for e, n in s["error_samples"]:
            print(f"    error x{n}: {e}")
    t = out["targets"]
    print(f"\np95 ratio concurrent/single: {out['p95_ratio']} (target <= {TARGET_RATIO:g}: "
          f"{'ok' if t['p95_ratio_within_4x'] else 'MISSED'}); errors at {out['concurrent']['learners']} learners: "
          f"{out['concurrent']['errors']} ({'ok' if t['no_errors'] else 'MISSED'})")
    print("server memory MB (PSS, with children): " + ", ".join(f"{k} {v}" for k, v in out["rss_mb"].items()))


def print_memory(out: dict) -> None:
    print(f"server {out['url']}  pages: {', '.join(out['pages'])}  cpus: {out['cpus']}  "
          f"load average at start {out['loadavg_start']}, end {out['loadavg_end']}")
    for e, n in out["warmup"]["error_samples"]:
        print(f"  warmup error x{n}: {e}")
    print(f"steps: fill {out['steps']['fill']}, measured {out['steps']['measured']}; distinct settings "
          f"{out['distinct_settings']} (pages that ran out of new ones: {', '.join(out['pages_without_new_settings']) or 'none'}); "
          f"settle p50 {out['settle_p50']} s; errors {out['errors']}; {out['wall_s']} s")
    for e, n in out["error_samples"]:
        print(f"  error x{n}: {e}")
    print("server memory MB (PSS, with children): " + ", ".join(f"{k} {v}" for k, v in out["rss_mb"].items()))
    print("RSS curve (step: MB): " + ", ".join(f"{c['step']}: {c['rss_mb']}" for c in out["rss_curve"]))
    ok = out["targets"]["memory_flat"]
    print(f"growth after the caches filled: {out['growth_pct']} % (target < {TARGET_GROWTH_PCT:g} %: "
          f"{'ok' if ok else 'MISSED'})")
    if not out["targets"]["distinct_settings_reached"]:
        print(f"note: only {out['distinct_settings']} distinct settings exist on these pages (asked for "
              f"{out['steps']['fill']} + {out['steps']['measured']}); the other steps repeated cached settings.")


def _f(x, w=7):
    return f"{'-':>{w}}" if x is None else f"{x:>{w}.3f}"


def _g(x):
    return "-" if x is None else f"{x:.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=10, help="concurrent learners (default 10)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds through every page, per learner")
    ap.add_argument("--ramp", type=float, default=0.0, help="spread the learners' start over this many s")
    ap.add_argument("--think", type=float, default=3.0,
                    help="s a learner reads after each page before the next (default 3; 0: a stress test)")
    ap.add_argument("--timeout", type=float, default=120, help="s to wait for one run to finish")
    ap.add_argument("--pages", nargs="*", help="only these pages (name, url path or file)")
    ap.add_argument("--memory", action="store_true", help="memory mode: RSS over distinct settings")
    ap.add_argument("--settings", type=int, default=200, help="memory: distinct settings measured")
    ap.add_argument("--fill", type=int, default=100, help="memory: distinct settings first, to fill caches")
    ap.add_argument("--clients", type=int, default=2, help="memory: learners driving settings at once")
    ap.add_argument("--per-visit", type=int, default=10, help="memory: settings per page visit")
    ap.add_argument("--reconnect-every", type=int, default=0,
                    help="memory: each client starts a new session after this many steps (0: never)")
    ap.add_argument("--workers", default="auto",
                    help="the started server's GDL_WORKERS: training processes (0: train in the server process)")
    ap.add_argument("--heavy", type=int, default=0,
                    help="K of the learners open maximum-cost links; compares the others' p95 with a run without")
    ap.add_argument("--replicas", type=int, default=0,
                    help="serve N app processes behind HAProxy (deploy/serve.py) instead of one; "
                         "server CPU and memory are summed over them")
    ap.add_argument("--prewarm", choices=("plain", "sweep"),
                    help="before the phases, run deploy/warmup.py on every replica: every page and tab once "
                         "(plain), and every option of each page's main setting (sweep)")
    ap.add_argument("--root", help="serve the app from this checkout instead of this one")
    ap.add_argument("--url", help="test a running server instead of starting one")
    ap.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS and CPU")
    ap.add_argument("--json", action="store_true", help="one JSON object with every figure")
    args = ap.parse_args(argv)

    app = Path(args.root) / "app.py" if args.root else None
    pages = select_pages(discover_pages(app) if app else discover_pages(), args.pages)
    if not pages:
        print("no pages to test", file=sys.stderr)
        return 1
    with server(args.url, args.pid, args.workers, args.root, args.replicas) as srv:
        out = asyncio.run((memory_test if args.memory else load_test)(srv, pages, args))
    if args.json:
        print(json.dumps(out))
    else:
        (print_memory if args.memory else print_heavy if args.heavy else print_load)(out)
    phases = ("warmup", "without", "with") if args.heavy else ("warmup", "single", "concurrent")
    errors = out["errors"] + out["warmup"]["errors"] if args.memory else sum(out[k]["errors"] for k in phases)
    errors += len(out.get("prewarm", {}).get("errors", ()))
    if errors and srv.log:
        print(f"{errors} error(s); tracebacks are in the server log: {srv.log}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
