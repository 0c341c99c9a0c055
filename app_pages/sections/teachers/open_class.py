"""Open a class: title, lessons (built-in or the teacher's own file), how long it lasts,
and controls to hide or lock on the learners' pages."""
import streamlit as st

from classroom.store import DEFAULT_DAYS, StoreError, StoreUnavailable
from ui.lesson_panel import builtin_lessons, teacher_lesson
from ui.lessons import LessonError


def show(db, keys_slot: str) -> None:
    report = builtin_lessons()
    if report.errors:
        # A malformed lesson file is left out and every page works; the teacher is told why.
        with st.expander(f"{len(report.errors)} lesson file(s) could not be used", icon=":material/warning:",
                         expanded=True):
            for message in report.errors:
                st.text(message)         # file, task and field, as plain text
    if not report.lessons:
        st.info("No lessons are installed, so there is nothing to open a class for yet.", icon="📘")
        return
    labels = {f"{item.lesson.title} ({item.lesson.page})": item.id for item in report.lessons}
    with st.form("open-class"):
        title = st.text_input("Class name", max_chars=60, placeholder="e.g. Year 12 maths, period 3")
        chosen = st.multiselect("Lessons", list(labels), default=list(labels)[:1])
        own = st.file_uploader("Or add a lesson file of your own (.toml)", type=["toml"],
                               help="Checked exactly like the built-in lessons; see the README's "
                                    "'Writing a lesson'.")
        cols = st.columns(3)
        days = cols[0].number_input("Keep the class for (days)", 1, 90, DEFAULT_DAYS,
                                    help="Then the class and every answer in it are deleted.")
        hide = cols[1].text_input("Hide these controls", max_chars=120, placeholder="e.g. lr,epochs",
                                  help="Setting names from the page's link (README: Shareable links).")
        lock = cols[2].text_input("Lock these controls", max_chars=120, placeholder="e.g. seed",
                                  help="Shown but not changeable by learners.")
        sent = st.form_submit_button("Open the class", type="primary", icon=":material/co_present:")
    if sent:
        _open(db, keys_slot, title, [labels[c] for c in chosen], own, int(days), hide, lock)


def _names(text: str) -> list[str]:
    return [k for k in (p.strip() for p in text.split(",")) if k][:20]


MAX_CLASSES_PER_SESSION = 5


def _open(db, keys_slot, title, lessons, own, days, hide, lock) -> None:
    opened = st.session_state.get(keys_slot, {})
    if len(opened) >= MAX_CLASSES_PER_SESSION:
        st.warning(f"One browser session can open at most {MAX_CLASSES_PER_SESSION} classes.", icon="🏫")
        return
    lesson_file = None
    if own is not None:
        try:
            extra = teacher_lesson(own.getvalue(), own.name)
        except LessonError as err:
            st.error(f"Your lesson file was not accepted: {err}", icon="📘")
            return
        lessons, lesson_file = [extra.id, *lessons], own.getvalue().decode("utf-8", "replace")
    if not lessons:
        st.warning("Choose at least one lesson.", icon="📘")
        return
    try:
        info, key = db.open_class(title or "Class", lessons, {"hide": _names(hide), "lock": _names(lock)},
                                  days=days, lesson_file=lesson_file)
    except (StoreError, StoreUnavailable) as err:
        st.error(str(err), icon="🏫")
        return
    st.session_state.setdefault(keys_slot, {})[info.code] = key
    st.query_params["class"] = info.code
    st.rerun()
