"""Warm the app before class: open every page and tab once, on every replica.

    python deploy/warmup.py https://lab.example.org                # every page and tab
    python deploy/warmup.py https://lab.example.org --replicas app1 app2   # behind deploy/haproxy.cfg
    python deploy/warmup.py http://127.0.0.1:8501 --sweep          # also every option of each page's main setting

Run it from a checkout with the app's requirements installed (it speaks Streamlit's own
protocol with bench/stclient.py, like the load test), a few minutes before the class.
What it does: the first learner of a fresh server otherwise pays the server's imports of
torch, pandas and Altair and every page's first computation (2-5 s per page, see
bench/README.md); after this, a learner opening a page at its default settings gets it
from the caches.

* ``--replicas``: behind HAProxy (deploy/haproxy.cfg) each replica has its own caches. The
  proxy's cookie ``GDLSRV`` picks the replica, so the script sends ``GDLSRV=<name>`` for
  each name in turn (the names are the ``cookie`` names in haproxy.cfg).
* ``--sweep``: on each page, also move the page's main setting (the learning rate where
  there is one) through its options, so the views learners pick next are precomputed
  too. The caches are bounded (each page keeps a few dozen results), so this helps most on
  a fresh server and costs a minute or two.
* A sleeping Community Cloud app cannot be woken by this script: open its address in a
  browser and press the wake-up button first (deploy/README.md, "Before class").

Exit code 0 when every page opened without an error, 1 otherwise (the errors are listed).
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import discover_pages  # noqa: E402
from bench.stclient import Learner  # noqa: E402

def tabs(page: dict) -> list[str]:
    """The slugs of a page's tabs after the first (the default view), read from the page's
    source and its sections' (``Tab("slug", ...)``, ui/sections.py), so new tabs are warmed
    without editing this script."""
    files = [page["path"], *sorted((page["path"].parent / "sections" / page["path"].stem).glob("*.py"))]
    slugs = []
    for f in files:
        for node in ast.walk(ast.parse(f.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Tab" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                slugs.append(node.args[0].value)
    return list(dict.fromkeys(slugs))[1:]


async def warm(url: str, replica: str | None, sweep: bool, timeout: float, out=print) -> list[str]:
    """Open every page (and tab) at its default settings on one replica; the errors."""
    errors: list[str] = []
    headers = {"Cookie": f"GDLSRV={replica}"} if replica else None
    where = f" on {replica}" if replica else ""
    for page in discover_pages():
        links = [""] + [f"tab={t}" for t in tabs(page)]
        for query in links:
            learner = Learner(url, name="warmup", timeout=timeout, headers=headers)
            try:
                await learner.connect()
                t0 = time.perf_counter()
                r = await learner.load(page["url_path"], query)
                took = time.perf_counter() - t0
                done = [r]
                if sweep and not query and r.seconds is not None:
                    widgets = learner.changeable()
                    if widgets:
                        w = widgets[0]
                        for state in w.alternatives(learner.values.get(w.id)):
                            done.append(await learner.set_widget(state, page["name"]))
                problems = [e for x in done for e in x.errors]
                errors += [f"{page['name']}?{query}{where}: {e}" for e in problems]
                out(f"{page['name'] + ('?' + query if query else ''):<32}{where:>9} {took:6.1f} s"
                    + (f"  +{len(done) - 1} settings" if len(done) > 1 else "")
                    + ("  ERROR " + problems[0] if problems else ""))
            except Exception as e:                                   # noqa: BLE001
                errors.append(f"{page['name']}?{query}{where}: {type(e).__name__}: {e}")
                out(f"{page['name']:<32}{where:>9}  ERROR {type(e).__name__}: {e}")
            finally:
                await learner.close()
    return errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", help="the app's address, e.g. https://lab.example.org or http://127.0.0.1:8501")
    ap.add_argument("--replicas", nargs="*", default=[None],
                    help="HAProxy cookie names of the replicas to warm (deploy/haproxy.cfg: app1 app2)")
    ap.add_argument("--sweep", action="store_true", help="also every option of each page's main setting")
    ap.add_argument("--timeout", type=float, default=180, help="s to wait for one page")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    errors = []
    for replica in args.replicas or [None]:
        errors += asyncio.run(warm(args.url, replica, args.sweep, args.timeout))
    print(f"warmed in {time.perf_counter() - t0:.0f} s; {len(errors)} error(s)")
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
