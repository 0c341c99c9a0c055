"""Print the README's "Shareable links" section from the pages' Param declarations.

Every page declares its URL settings as ``Param(key, default, kind=..., lo=..., hi=...,
choices=..., label=...)`` (ui/params.py). This script reads those calls from the page
files with ``ast`` — no page code runs — and renders one markdown table per page, so the
README documents exactly what the code accepts. tests/test_readme.py checks that the
README holds the current output.

    python scripts/url_params.py            # print the section
    python scripts/url_params.py --write    # replace it in README.md
"""
from __future__ import annotations

import ast
import re
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


def pages_dir() -> Path:
    src = (ROOT / "app.py").read_text()
    m = re.search(r'HERE / "([^"]+)" / f', src)
    return ROOT / (m.group(1) if m else "app_pages")


def _lit(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def params_of(path: Path) -> list[dict]:
    """Every Param(...) call with literal-enough arguments in a page file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Param" and len(node.args) >= 2:
            key = _lit(node.args[0])
            if not isinstance(key, str):
                continue            # keys built in code (e.g. per optimizer) are documented by pattern below
            d = {"key": key, "default": _lit(node.args[1]), "kind": "float"}
            for kw in node.keywords:
                d[kw.arg] = _lit(kw.value)
            out.append(d)
    return out


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return ",".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def accepts(d: dict) -> str:
    k = d.get("kind", "float")
    if k in ("float", "int"):
        rng = f"{_fmt(d.get('lo', '−∞'))} … {_fmt(d.get('hi', '∞'))}"
        word = "whole number" if k == "int" else "number"
        return f"{word}, {rng}" + (" (snapped to the slider's values)" if d.get("options") else "")
    if k == "bool":
        return "0 or 1"
    if k == "choice":
        ch = d.get("choices")
        return "one of " + (", ".join(f"`{c}`" for c in ch) if isinstance(ch, (list, tuple)) else f"`{ch}`")
    if k == "multi":
        ch = d.get("choices")
        return "comma list of " + (", ".join(f"`{c}`" for c in ch) if isinstance(ch, (list, tuple)) else f"`{ch}`")
    if k in ("ints", "floats"):
        word = "whole numbers" if k == "ints" else "numbers"
        return f"comma list of {word}, {_fmt(d.get('lo', '−∞'))} … {_fmt(d.get('hi', '∞'))}, up to {d.get('max_items', 64)}"
    if k == "text":
        return f"text, up to {d.get('max_len', 200)} characters"
    return k


def section() -> str:
    lines = [START, ""]
    for file, title, url in app_pages():
        path = pages_dir() / file
        if not path.exists():
            continue
        ps = params_of(path)
        lines.append(f"**{title}** — `/{url}`" if url else f"**{title}** — `/`")
        lines.append("")
        if not ps:
            lines += ["No settings.", ""]
            continue
        lines += ["| parameter | meaning | accepts | default |", "| --- | --- | --- | --- |"]
        for d in ps:
            label = str(d.get("label", "")).replace("|", "\\|")
            lines.append(f"| `{d['key']}` | {label} | {accepts(d)} | `{_fmt(d['default'])}` |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main():
    text = section()
    if "--write" in sys.argv:
        readme = ROOT / "README.md"
        src = readme.read_text()
        if START in src:
            src = src[:src.index(START)] + text + src[src.index(END) + len(END):]
        else:
            raise SystemExit(f"README.md has no {START} marker")
        readme.write_text(src)
    else:
        print(text)


if __name__ == "__main__":
    main()
