"""A class's dashboard (teacher session only) and its projector view.

It redraws itself every few seconds (a fragment with run_every): how many learners joined
and are active, and for each predict task the class's predictions beside what the
learners' PyTorch runs computed, with a switch that reveals the answer to the class. The
projector view draws the same aggregates with no control, key or nickname."""
from datetime import datetime, timezone
from io import BytesIO

import segno
import streamlit as st

from classroom.store import StoreError, StoreUnavailable
from app_pages.sections.teachers import open_class
from ui import safety
from ui.charts.classroom import choice_chart, number_chart
from ui.charts.render import draw
from ui.lesson_panel import lessons_for_class
from ui.text.teachers import app_base, learner_link, share_sentence, task_view, teacher_link

REFRESH_SECONDS = 3


def show(db, code: str, key: str) -> None:
    info = db.find_class(code)
    projector = st.toggle("Projector view", key="teacher-projector",
                          help="Only the code, the QR code and the class's answers: no controls, links or names.")
    base = app_base(st.context.url or "", "teachers")
    lessons = lessons_for_class(info)
    first_page = lessons[0].lesson.page if lessons else ""
    join_url = learner_link(base, first_page, code, lessons[0].id if lessons else "",
                            info.settings.get("hide", ()), info.settings.get("lock", ()),
                            data=info.settings.get("data", ""), data_for=info.settings.get("data_for", "line"))
    _join_panel(code, join_url, info, projector)
    if not projector:
        open_class.attached(db, code, info)
    if not projector:
        _teacher_tools(db, code, key, base, lessons, info)
    _live(db, code, key, lessons, projector)


def _join_panel(code: str, url: str, info, projector: bool) -> None:
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown(f"## Class code: `{code}`")
        st.markdown("Learners open the link (or scan the code), or type the class code on the lab's Home page.")
        if not projector:
            st.markdown("**Learner link** (safe to share: it holds no teacher key)")
            st.code(url, language=None, wrap_lines=True)
            st.caption(f"The class and its answers are deleted on {info.expires_at:%d %B %Y}.")
    with right:
        png = BytesIO()
        segno.make(url, error="m").save(png, kind="png", scale=10, border=2)
        st.image(png.getvalue(), caption="Scan to join", width=320)


def _teacher_tools(db, code, key, base, lessons, info) -> None:
    with st.expander("Your teacher link, the answers as CSV, and closing the class", icon=":material/key:"):
        st.markdown("**Your teacher link** opens this dashboard from another device. Keep it private: "
                    "do not project it.")
        st.code(teacher_link(base, code, key), language=None, wrap_lines=True)
        for item in lessons[1:]:
            st.markdown(f"Learner link for **{item.lesson.title}**:")
            st.code(learner_link(base, item.lesson.page, code, item.id, info.settings.get("hide", ()),
                                 info.settings.get("lock", ()), data=info.settings.get("data", ""),
                                 data_for=info.settings.get("data_for", "line")),
                    language=None, wrap_lines=True)
        # The CSV is made when the button is clicked: this part of the page is drawn once,
        # while the answers keep arriving (made here, it held only the answers at opening).
        st.download_button("Download the class's answers (CSV)", lambda: _csv(db, code, key),
                           file_name=f"class-{code}-answers.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore")
        st.button("Close the class now (deletes its answers at the next clean-up)", key="teacher-close",
                  on_click=safety.callback(db.close_class), args=(code, key))


def _csv(db, code: str, key: str) -> bytes:
    try:
        return db.answers_csv(code, key).encode()
    except (StoreError, StoreUnavailable) as err:
        return f"The answers could not be read: {err}\n".encode()


@safety.fragment(run_every=REFRESH_SECONDS)
def _live(db, code: str, key: str, lessons, projector: bool) -> None:
    try:
        joined, active, summaries = db.dashboard(code, key)
    except (StoreError, StoreUnavailable) as err:
        st.warning(f"The class's answers cannot be shown right now: {err}", icon="🏫")
        return
    cols = st.columns(3)
    cols[0].metric("Learners joined", joined)
    cols[1].metric("Active in the last 5 minutes", active)
    cols[2].metric("Updated", datetime.now(timezone.utc).strftime("%H:%M:%S UTC"))
    by_task = {(s.lesson_id, s.task_id): s for s in summaries}
    for item in lessons:
        st.header(item.lesson.title, divider="gray")
        for n, checked in enumerate(item.tasks, start=1):
            _task(db, code, key, item.id, n, checked.task, by_task.get((item.id, checked.task.id)), joined, projector)


def _task(db, code, key, lesson_id, n, task, summary, joined, projector) -> None:
    st.markdown(f"**Task {n}: {task.title}**")
    if task.kind != "predict":
        done = summary.finished if summary else 0
        st.progress(done / joined if joined else 0.0, text=f"{done} of {joined} met the goal")
        return
    labels = tuple(c.label for c in task.choices)
    view = task_view(lesson_id, task.id, task.title, labels, summary.predictions if summary else (),
                     summary.truths if summary else (), summary.finished if summary else 0, task.tolerance)
    revealed = bool(summary and summary.revealed)
    if labels:
        draw(choice_chart(labels, tuple(c for _, c in view.counts), view.truth if revealed or not projector else ""))
    elif view.numbers:
        truth = float(view.truth) if view.truth not in ("", "diverged") and (revealed or not projector) else None
        draw(number_chart(view.numbers, truth))
    st.caption(share_sentence(view, joined))
    if not projector:
        st.toggle("Reveal the answer to the class", value=revealed, key=f"reveal-{lesson_id}-{task.id}",
                  on_change=safety.callback(_switch), args=(db, code, key, lesson_id, task.id, not revealed))


def _switch(db, code, key, lesson_id, task_id, on) -> None:
    db.set_reveal(code, key, lesson_id, task_id, on)
