"""Print a generated README section, or write it between its markers (--write).
Shared by scripts/url_params.py and scripts/lesson_fields.py."""
from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def print_or_write(text: str, start: str, end: str) -> None:
    if "--write" not in sys.argv:
        print(text)
        return
    src = README.read_text()
    if start not in src:
        raise SystemExit(f"README.md has no {start} marker")
    README.write_text(src[:src.index(start)] + text + src[src.index(end) + len(end):])
