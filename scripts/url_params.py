"""Print the README's "Shareable links" section from the pages' own Param declarations.

Every page declares its URL settings as ``Param(key, default, kind, lo=, hi=, choices=,
options=, label=)`` (ui/params.py) and hands them to ``PageState``, which records them in
``ui.params.DECLARED``. This script opens each page once with Streamlit's AppTest (no
browser, no server) and renders one markdown table per page from those very objects, so
the README documents exactly what the code accepts — limits and defaults included.
tests/test_readme.py checks that the README holds the current output.

    python scripts/url_params.py            # print the section
    python scripts/url_params.py --write    # replace it in README.md
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- url-params:start -->", "<!-- url-params:end -->"


def app_pages() -> list[tuple[str, str, str]]:
    """(file, title, url path) from app.py's PAGES list, in navigation order."""
    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            return [tuple(ast.literal_eval(e))[:3] for e in node.value.elts]
    raise SystemExit("PAGES not found in app.py")


def declared_params() -> dict[str, tuple]:
    """page file -> the Param tuple its PageState declared, at default settings."""
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from ui.params import DECLARED

    out = {}
    for i, (file, _title, _url) in enumerate(app_pages()):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        if i:                                   # the first page is where the app opens
            at.run()
            at.switch_page(str(ROOT / "app_pages" / file))
        DECLARED.clear()
        at.run()
        if at.exception:
            raise SystemExit(f"{file} raised: {at.exception[0].message}")
        if len(DECLARED) > 1:
            raise SystemExit(f"{file} declared several PageStates: {sorted(DECLARED)}")
        out[file] = next(iter(DECLARED.values()), ())
    return out


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return ",".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def accepts(p) -> str:
    k = p.kind
    if k in ("float", "int"):
        rng = f"{_fmt(p.lo) if p.lo is not None else '−∞'} … {_fmt(p.hi) if p.hi is not None else '∞'}"
        word = "whole number" if k == "int" else "number"
        return f"{word}, {rng}" + (" (snapped to the nearest slider value)" if p.options else "")
    if k == "bool":
        return "0 or 1"
    if k == "choice":
        return "one of " + ", ".join(f"`{c}`" for c in p.choices)
    if k == "multi":
        return "comma list of " + ", ".join(f"`{c}`" for c in p.choices)
    if k in ("ints", "floats"):
        word = "whole numbers" if k == "ints" else "numbers"
        return f"comma list of {word}, {_fmt(p.lo)} … {_fmt(p.hi)}, up to {p.max_items}"
    if k == "text":
        return f"text, up to {p.max_len} characters"
    return k


SHAPING = ("Every page also takes `hide` and `lock`: comma lists of that page's own setting keys "
           "(not `tab` or the lesson keys). `?hide=lr,epochs` leaves those controls out (their values stay "
           "as the link sets them); `?lock=seed` shows them but they cannot be changed. `?class=CODE` joins "
           "a class (see *For teachers*), and Streamlit's `?embed=true` works with all of them.")


def section() -> str:
    params = declared_params()          # puts the repository on sys.path
    from ui.params import SHAPE_KEYS    # the keys every page adds: documented once, above

    lines = [START, "", SHAPING, ""]
    for file, title, url in app_pages():
        ps = tuple(p for p in params.get(file, ()) if p.key not in SHAPE_KEYS)
        lines.append(f"**{title}** — `/{url}`")
        lines.append("")
        if not ps:
            lines += ["No settings.", ""]
            continue
        lines += ["| parameter | meaning | accepts | default |", "| --- | --- | --- | --- |"]
        for p in ps:
            label = str(p.label).replace("|", "\\|")
            default = _fmt(p.default) if p.default not in ("", [], ()) else "(empty)"
            lines.append(f"| `{p.key}` | {label} | {accepts(p)} | `{default}` |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from readme_section import print_or_write
    print_or_write(section(), START, END)


if __name__ == "__main__":
    main()
