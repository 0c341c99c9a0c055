"""Open a class: title, lessons (built-in or the teacher's own file), how long it lasts,
controls to hide or lock on the learners' pages, and a dataset of the teacher's own for
the class's Gradient descent and Loss explorer pages, or for its Shoppers tab.

The dataset (a CSV file or a pasted table) is read by dlcore.tabular.read_table exactly
like a learner's own data, stored with the class (its CSV text, at most MAX_BYTES), and
named in the class's settings by the pages' ``data`` link value (ui.own_data; the
Shoppers' ``c_data``), with ``data_for`` ("line" or "shop") saying which pages: a small
table travels in every learner link itself; a large one travels as "@" and its digest,
and the learner's page fetches it from the class."""
import math

import pandas as pd
import streamlit as st

from classroom.store import DEFAULT_DAYS, StoreError, StoreUnavailable
from dlcore.tabular import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, DataError, read_table, regression_data
from ui.format import md_escape, quote
from ui.own_data import OwnTable, encode_link
from ui.text.teachers import dataset_sentence
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
        with st.expander("A dataset for the class (optional): Gradient descent, Loss explorer or the Shoppers",
                         icon=":material/table_chart:"):
            data_for = st.radio("Learners use it on", list(DATA_FOR), format_func=DATA_FOR.get, horizontal=True,
                                key="class-data-for")
            st.caption(f"Learners' links to these pages open on your table instead of the built-in data. A CSV "
                       f"file (comma, semicolon or tab between values; a header row or none), at most "
                       f"{MAX_BYTES / 1e6:.0f} MB, {MAX_ROWS:,} rows and {MAX_COLUMNS} columns. It is kept with "
                       "the class and deleted with it.")
            data_file = st.file_uploader("Upload a CSV for the class", type=["csv", "txt", "tsv"],
                                         key="class-data-file", max_upload_size=max(1, math.ceil(MAX_BYTES / 1e6)))
            data_text = st.text_area("Or paste a table for the class", height=110, max_chars=MAX_BYTES,
                                     key="class-data-paste", placeholder="hours,score\n10,480\n20,520\n30,710")
        sent = st.form_submit_button("Open the class", type="primary", icon=":material/co_present:")
    if sent:
        _open(db, keys_slot, title, [labels[c] for c in chosen], own, int(days), hide, lock,
              _dataset(data_file, data_text, data_for), data_for)


def _names(text: str) -> list[str]:
    return [k for k in (p.strip() for p in text.split(",")) if k][:20]


MAX_CLASSES_PER_SESSION = 5


DATA_FOR = {"line": "Gradient descent and Loss explorer (x and y columns)",
            "shop": "the Shoppers tab of Neural network (a yes/no column)"}
_NO_DATA = None          # no dataset chosen
_BAD_DATA = False        # a dataset was chosen and refused (the message is on the page)


def _dataset(up, pasted: str, data_for: str = "line"):
    """The teacher's table as (OwnTable, CSV text to store), _NO_DATA, or _BAD_DATA after
    a message that says what was wrong (never a traceback)."""
    if up is not None:
        if up.size > MAX_BYTES:
            st.error(f"**Can't use this file for the class:** it is {up.size / 1e6:.1f} MB; at most "
                     f"{MAX_BYTES / 1e6:.0f} MB are allowed.", icon=":material/table_chart:")
            return _BAD_DATA
        raw, what, source = up.getvalue(), "this file", f"your class's file {quote(up.name, 40)}"
    elif pasted and pasted.strip():
        raw, what, source = pasted.encode("utf-8"), "the pasted table", "your class's table"
    else:
        return _NO_DATA
    try:
        table = read_table(raw)
        # Learners' pages read the stored CSV again: store the text that reads back to itself,
        # so the digest in their links names exactly what they get.
        for _ in range(2):
            text = OwnTable(table, source, "").csv()
            again = read_table(text)
            if OwnTable(again, source, "").csv() == text:
                break
            table = again
        else:
            raise DataError("it does not read back to the same table after saving it as CSV")
        _fits(table, data_for)
    except DataError as err:
        st.error(f"**Can't use {what} for the class:** {md_escape(err)}", icon=":material/table_chart:")
        return _BAD_DATA
    except Exception:            # noqa: BLE001 — a reader bug must not become a traceback
        st.error(f"**Can't use {what} for the class:** it could not be read as a table. Save it as a CSV file "
                 "(comma, semicolon or tab between the values, one row per line) and try again.",
                 icon=":material/table_chart:")
        return _BAD_DATA
    return OwnTable(table, source, encode_link(table)), text.decode("utf-8")


def _fits(table, data_for: str) -> None:
    """The pages the table is for can use it: two numeric columns for a line fit, a
    column with exactly two values for the Shoppers (DataError says what is missing)."""
    if data_for == "shop":
        if not any(table.frame[c].replace("", pd.NA).dropna().nunique() == 2 for c in table.frame.columns):
            raise DataError("no column has exactly two different values, so the Shoppers tab has nothing to "
                            "predict. Add a yes/no (or 0/1) column.")
    else:
        regression_data(table)         # the first two numeric columns, as the pages start


def _open(db, keys_slot, title, lessons, own, days, hide, lock, data=_NO_DATA, data_for="line") -> None:
    if data is _BAD_DATA:
        return
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
        settings = {"hide": _names(hide), "lock": _names(lock)}
        if data:
            settings["data"] = data[0].token      # the pages' data setting: the table, or "@" + its digest
            settings["data_for"] = data_for if data_for in DATA_FOR else "line"
        info, key = db.open_class(title or "Class", lessons, settings, days=days, lesson_file=lesson_file,
                                  dataset=data[1] if data else None, dataset_name=data[0].source if data else "")
    except (StoreError, StoreUnavailable) as err:
        st.error(str(err), icon="🏫")
        return
    st.session_state.setdefault(keys_slot, {})[info.code] = key
    st.query_params["class"] = info.code
    st.rerun()


def attached(db, code: str, info) -> None:
    """On the class's dashboard (teacher session, not the projector view): the dataset the
    class carries, if any, with its CSV to download."""
    try:
        shared = db.class_dataset(code)
    except StoreUnavailable:
        return
    if shared is None:
        return
    with st.container(border=True):
        st.markdown(dataset_sentence(shared.name, shared.csv, not str(info.settings.get("data", "")).startswith("@"),
                                     info.settings.get("data_for", "line")))
        st.download_button("Download the class's data (CSV)", shared.csv.encode("utf-8"),
                           file_name=f"class-{code}-data.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore", key="class-data-download")
