"""Print the README's "Lesson fields" section: the fields each page offers to lessons.

A lesson's goals, choices and explanations may name these fields (ui/lessons.py). They are
declared by each page's text module as LESSON_FIELDS (ui/lesson_fields.py collects them);
this script renders those very declarations, and tests/test_lesson_fields.py checks that
the README holds the current output.

    python scripts/lesson_fields.py            # print the section
    python scripts/lesson_fields.py --write    # replace it in README.md
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- lesson-fields:start -->", "<!-- lesson-fields:end -->"


def section() -> str:
    sys.path.insert(0, str(ROOT))
    from ui.lesson_fields import PAGE_FIELDS, PAGE_TEXT_MODULES

    lines = [START, ""]
    for page in PAGE_TEXT_MODULES:
        fields = PAGE_FIELDS.get(page)
        lines.append(f"**`{page}`**")
        lines.append("")
        if not fields:
            lines += ["No lesson fields yet.", ""]
            continue
        lines += ["| field | kind | meaning | unit |", "| --- | --- | --- | --- |"]
        for name, f in fields.items():
            meaning = f.meaning.replace("|", "\\|")
            lines.append(f"| `{name}` | {f.kind} | {meaning} | {f.unit or '—'} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from readme_section import print_or_write
    print_or_write(section(), START, END)


if __name__ == "__main__":
    main()
