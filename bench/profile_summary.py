"""Summarise a py-spy profile of the server into the cost table of bench/README.md.

    pip install py-spy
    py-spy record -p <server pid> -r 100 --gil --nonblocking -f raw -o server.txt &
    python bench/load.py --url http://127.0.0.1:8501 --pid <server pid> --learners 30 --rounds 2 --ramp 10 --think 3
    kill -INT %1
    python bench/profile_summary.py server.txt

``--gil`` keeps only the samples in which a thread holds the GIL: what the server process
spends its one usable core on. Each sample is counted once, in the first row of COSTS
whose test matches its stack (the order matters: a chart built on a cache miss is counted
there, not under the page that asked for it). Then the share per page, and the app-wide
code's share (the files every page runs through).
"""
from __future__ import annotations

import collections
import re
import sys

WIDGETS = ("SliderMixin", "SelectSliderMixin", "SelectboxMixin", "NumberInputMixin", "CheckboxMixin",
           "RadioMixin", "MultiSelectMixin", "ButtonGroupMixin", "TextWidgetsMixin", "ButtonMixin")
COSTS = [
    ("chart specs built on a cache miss (Altair, to_dict, Arrow)",
     lambda s: "_cached_spec (" in s and "_handle_cache_miss" in s),
    ("cache keys: hashing st.cache_data arguments", lambda s: "_make_value_key" in s),
    ("cache hits: reading cached values", lambda s: "read_result" in s),
    ("compute on a cache miss (in the server process)", lambda s: "_handle_cache_miss" in s),
    ("imports (first use of modules)", lambda s: "_find_and_load" in s),
    ("Streamlit sending elements (protobuf, enqueue)",
     lambda s: "DeltaGenerator._enqueue" in s or "enqueue_message" in s),
    ("widgets (st.slider etc.)", lambda s: any(w in s for w in WIDGETS)),
    ("tables (st.dataframe)", lambda s: "table (ui/layout.py" in s or "ArrowMixin.dataframe" in s),
    ("Streamlit event loop, WebSocket, sessions", lambda s: "_run_server_loop" in s or "BaseEventLoop" in s),
]
APP_WIDE = ("app.py", "ui/params.py", "ui/sections.py", "ui/safety.py", "ui/lesson_panel.py", "ui/lessons.py",
            "ui/classroom.py", "classroom/store.py")


def read(path: str):
    for line in open(path):
        line = line.rstrip()
        if line:
            stack, count = line.rsplit(" ", 1)
            yield stack, int(count)


def summarise(path: str) -> dict:
    total, costs, pages, app_wide = 0, collections.Counter(), collections.Counter(), 0
    for stack, n in read(path):
        total += n
        costs[next((name for name, test in COSTS if test(stack)), "page code (pandas, text, layout)")] += n
        page = re.search(r"<module> \(app_pages/(\w+)\.py", stack)
        pages[page.group(1) if page else "(outside a page)"] += n
        # app-wide: the deepest app frame is one of the app-wide files (not a page called through them)
        frames = [f for f in stack.split(";") if re.search(r"\((app_pages|ui|dlcore|classroom|app\.py)", f)]
        if frames and any(f"({w}" in frames[-1] or f"/{w}" in frames[-1] for w in APP_WIDE):
            app_wide += n
    return dict(total=total, costs=costs, pages=pages, app_wide=app_wide)


def main(argv=None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    out = summarise(args[0])
    t = out["total"] or 1
    print(f"{out['total']} samples")
    print("\ncost                                                        share")
    for name, n in out["costs"].most_common():
        print(f"{name:<60}{100 * n / t:5.1f} %")
    print("\npage")
    for name, n in out["pages"].most_common():
        print(f"{name:<60}{100 * n / t:5.1f} %")
    print(f"\napp-wide code (deepest app frame in {', '.join(APP_WIDE)}): {100 * out['app_wide'] / t:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
