"""The Home page's list of lessons, each with the learner's progress, and the sources.

Progress is what the lesson panel last saw in this session (it records done/total per
lesson in the session as the learner works); a lesson not started shows "not started"."""
from __future__ import annotations

import streamlit as st

from ui.layout import teaching_order, ROOT
from ui.lesson_panel import builtin_lessons
from ui.sources import ARTICLES

PROGRESS = "_gdl_lesson_progress"      # session: lesson id -> (done, total); written by ui.lesson_panel


def lesson_rows() -> list[tuple[str, str, str, int, int]]:
    """(lesson id, title, page file, done, total) in teaching order."""
    files = {f.removesuffix(".py").replace("_", "-"): f for f, _t, _i in teaching_order()}
    seen = st.session_state.get(PROGRESS, {})
    rows = []
    order = [f for f, _t, _i in teaching_order()]
    for item in builtin_lessons().lessons:
        page_file = _page_file(item.lesson.page, files)
        if page_file is None:
            continue
        done, total = seen.get(item.id, (0, len(item.tasks)))
        rows.append((item.id, item.lesson.title, page_file, done, total))
    return sorted(rows, key=lambda r: order.index(r[2]))


def _page_file(url_path: str, files: dict[str, str]) -> str | None:
    return files.get(url_path)


def show_lessons() -> None:
    """One row per lesson: its page, its title, and how far this learner got."""
    rows = lesson_rows()
    if not rows:
        return
    st.header("Lessons", anchor="lessons")
    st.markdown("Each page has a guided lesson: predict, run, explain. Start one on its page.")
    for lesson_id, title, page_file, done, total in rows:
        cols = st.columns([3, 1], vertical_alignment="center")
        with cols[0]:
            st.page_link(str(ROOT / "app_pages" / page_file), label=title, icon=":material/school:",
                         query_params={"lesson": lesson_id})
        cols[1].markdown(f"{done} of {total} done" if done else "not started")


def show_sources() -> None:
    """The articles the lab is built from, by title, with what each claims."""
    st.header("Sources", anchor="sources")
    st.markdown("The lab checks three articles against what PyTorch really computes; where their printed "
                "numbers differ, the pages show both and say why. You do not need to have read them.")
    for article in ARTICLES.values():
        st.markdown(f"- *{article.title}* — {article.claim}")
