"""Maximum-cost links: how long one learner waits for a link with every number at its maximum.

    python bench/max_links.py                      # a table, this checkout
    python bench/max_links.py --root /tmp/base     # another checkout (e.g. a git worktree)
    python bench/max_links.py --only lr-sweep --json

Each link in LINKS is a page (and tab) opened with its costliest settings: the most
runs, steps, seeds, restarts, rates and the widest/deepest networks its link parameters
accept (see each page's Param declarations, or the README's "Shareable links" table),
with rates small enough that no run diverges early (a diverged run stops costing).
Every link is opened the way tests/apptest_helpers.py opens a page — Streamlit's AppTest,
GDL_WORKERS=0, so the training runs in this process — with every cache emptied first
(st.cache_data and st.cache_resource): what the first learner to open the link waits.

Per link: wall time and CPU time of this process (user + system, all threads) for the
page's run, and the notes the page shows about what it cut (the ⏱️ boxes). On a
machine shared with other work the wall time stretches with the load, the CPU time much
less: CPU time is the primary figure, taken with one torch thread (as the app runs).
The load average at start and end is printed so a reader can judge.

The target (issue 12): any single link settles within 3 s on the 2-core machine.
This is a benchmark: the exit code is 0 whatever the figures (1 only if it cannot run).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path

TARGET_S = 3.0
HIDDEN_MAX = ",".join(["64"] * 12)

# (page file, tab label for the report, query). Links stay within every Param's limits.
LINKS = [
    ("gradient_descent.py", "-", dict(epochs=5000, lr=0.0001, epoch=4999)),
    ("loss_explorer.py", "-", dict(steps=5000, lr=1e-5, hours=",".join(str(10 + i) for i in range(50)),
                                   scores=",".join(str(400 + 7 * i) for i in range(50)))),
    ("neural_network.py", "sum", dict(tab="sum", hidden=HIDDEN_MAX, epochs=2000, lr=0.0001)),
    ("neural_network.py", "inside", dict(tab="inside", hidden=HIDDEN_MAX, epochs=2000, lr=0.0001)),
    ("neural_network.py", "seeds", dict(tab="seeds", hidden=HIDDEN_MAX, epochs=2000, lr=0.0001, nseeds=200)),
    ("neural_network.py", "shop", dict(tab="shop", c_model="mlp", c_hidden="64,64,64,64", c_epochs=3000,
                                       c_train=800, c_noise=20, c_lr=0.0001, c_l1=0.0001, c_prox=1)),
    ("neural_network.py", "depth", dict(tab="depth", d_depth=12, d_width=64, d_steps=3000, d_lr=0.0001)),
    ("optimizer_comparison.py", "race", dict(view="race", problem="sum3", opts="SGD,Momentum,Nesterov,Adam,AdamW,"
                                             "AdaGrad,RMSprop", steps=5000, inside_open=1)),
    ("optimizer_comparison.py", "race fair", dict(view="race", problem="sum3", opts="SGD,Momentum,Nesterov,Adam,"
                                                  "AdamW,AdaGrad,RMSprop", steps=5000, fair=1, fair_lo=1e-7,
                                                  fair_hi=100, fair_n=6)),
    ("optimizer_comparison.py", "batch", dict(view="batch", b_model="mlp", b_steps=3000, b_opt="Adam", b_lr=1e-5,
                                              b_mid=2)),
    ("optimizer_comparison.py", "restarts", dict(view="restarts", r_surface="rastrigin", r_n=500, r_steps=3000,
                                                 r_lr=1e-5, r_paths=1)),
    ("lr_sweep.py", "Article's table", dict(problem="mlp", n=300, steps=20000, lo=1e-6, hi=1e-5, tol=1e-8,
                                            check=1)),
    ("lr_sweep.py", "Article's table sum3", dict(problem="sum3", n=300, steps=20000, lo=1e-6, hi=1e-5,
                                                 tol=1e-8)),
    ("lr_sweep.py", "Loss curves", dict(tab="Loss curves", problem="sum3", n=300, steps=20000, lo=1e-6, hi=1e-5,
                                        tol=1e-8)),
    ("lr_sweep.py", "Range test", dict(tab="Range test", problem="mlp", n=300, steps=20000, lo=1e-6, hi=1e-5,
                                       tol=1e-8, rt_problem="mlp", rt_iters=500, rt_steps=3000, rt_batch=800)),
    ("lr_sweep.py", "Schedules", dict(tab="Schedules", problem="mlp", n=300, steps=20000, lo=1e-6, hi=1e-5,
                                      tol=1e-8, slr=0.001)),
]

# A setting each link's page computes from (a seed, else a start point), for callers that
# must defeat the cache (bench/load.py --heavy gives it a new value on every visit): by
# (page file, tab), else by page file.
SEED_KEYS = {
    "gradient_descent.py": "w0",
    "loss_explorer.py": "",
    "neural_network.py": "seed",
    ("neural_network.py", "shop"): "c_seed",
    ("neural_network.py", "depth"): "d_seed",
    "optimizer_comparison.py": "seed",
    ("optimizer_comparison.py", "batch"): "b_seed",
    ("optimizer_comparison.py", "restarts"): "r_seed",
    "lr_sweep.py": "seed",
}


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


class Opener:
    """Opens links with AppTest in one process, from the checkout at ``root``."""

    def __init__(self, root: Path, timeout: float):
        os.environ["GDL_WORKERS"] = "0"
        os.chdir(root)                           # .streamlit/config.toml of that checkout
        sys.path.insert(0, str(root))
        import torch
        torch.set_num_threads(1)
        from streamlit.testing.v1 import AppTest
        self.AppTest, self.root, self.timeout = AppTest, root, timeout
        self.components = None

    def open(self, page_file: str, query: dict) -> dict:
        import streamlit as st
        at = self.AppTest.from_file(str(self.root / "app.py"), default_timeout=self.timeout)
        if self.components is not None and hasattr(at, "_bidi_component_manager"):
            at._bidi_component_manager = self.components
        at.run()                                  # registers the pages (untimed)
        self.components = getattr(at, "_bidi_component_manager", None)
        at.switch_page(str(self.root / "app_pages" / page_file))
        for k, v in query.items():
            at.query_params[k] = str(v)
        st.cache_data.clear()
        st.cache_resource.clear()
        errors = []
        c0, t0 = _cpu(), time.perf_counter()
        try:
            at.run()
        except Exception as e:                    # AppTest raises on timeout
            errors.append(f"{type(e).__name__}: {e}")
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        errors += [str(e.value.message if hasattr(e.value, "message") else e.value)[:200] for e in at.exception]
        notes = [str(e.value) for e in at.get("info") if "⏱" in str(getattr(e.proto, "icon", ""))]
        return dict(wall_s=round(wall, 2), cpu_s=round(cpu, 2), notes=notes, errors=errors)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]),
                    help="the checkout to measure (default: this one)")
    ap.add_argument("--only", nargs="*", help="only links whose page file or tab contains one of these")
    ap.add_argument("--timeout", type=float, default=300, help="s per AppTest run")
    ap.add_argument("--json", action="store_true", help="one JSON object per link")
    args = ap.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    opener = Opener(Path(args.root).resolve(), args.timeout)
    opener.open("home.py", {})                    # imports torch, dlcore and the pages' modules (untimed)
    links = [lk for lk in LINKS if not args.only
             or any(w in lk[0] or w in lk[1] or w == lk[0][:-3].replace("_", "-") for w in args.only)]
    print(f"# root {opener.root} · load average at start {_loadavg()}", file=sys.stderr)
    rows = []
    for page, tab, query in links:
        if not (opener.root / "app_pages" / page).exists():
            continue
        r = dict(page=page[:-3], tab=tab, **opener.open(page, query))
        rows.append(r)
        if args.json:
            print(json.dumps(dict(r, query=query)), flush=True)
        else:
            flag = "" if r["cpu_s"] <= TARGET_S else "  > target"
            print(f"{r['page']:22} {r['tab']:22} wall {r['wall_s']:6.2f} s  cpu {r['cpu_s']:6.2f} s  "
                  f"notes {len(r['notes'])}{'  ERRORS ' + '; '.join(r['errors']) if r['errors'] else ''}{flag}",
                  flush=True)
    print(f"# load average at end {_loadavg()} · worst cpu {max(r['cpu_s'] for r in rows):.2f} s, "
          f"worst wall {max(r['wall_s'] for r in rows):.2f} s (target {TARGET_S} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
