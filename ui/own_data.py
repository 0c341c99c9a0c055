"""A learner's own data on a page: upload a CSV or paste a table — the ONE mechanism.

A page declares :func:`data_param` (and, for a line fit, :func:`xy_params`) among its
settings and calls :func:`own_table` where the data box belongs::

    state = PageState("gd", [..., data_param(), *xy_params()])
    own = own_table(state)                     # None: the page's built-in data
    if own is not None:
        data = own_regression(state, own)      # x and y chosen among the numeric columns
        if data is not None:
            xs, ys = data.x, data.y            # ... everything on the page uses these

What it does, for every page the same way:

* **Reading.** The file (at most ``dlcore.tabular.MAX_BYTES``, checked by the uploader and
  again on the server) or the pasted text is read by :func:`dlcore.tabular.read_table`.
  Any failure — a :class:`~dlcore.tabular.DataError` or anything else — becomes a message
  in the page that says what was wrong; the data in use stays as it was. The notes (what
  was dropped or changed) are shown.
* **Keeping it.** The parsed table lives in ``st.session_state`` (keyed by page and
  ``name``): it survives reruns and page changes. It is never written to disk or logged.
  "Download this data as CSV" gives it back; "Use the built-in data again" drops it.
* **The link.** Small data (its compact text, ``name,name;1,2;3,4``, fits a link value:
  :data:`LINK_CHARS` characters) goes into the share link as the setting ``data``; opening
  such a link reads it back through the same :func:`read_table` (so it is checked like any
  upload). Larger data says plainly that the link carries the settings but not the data
  (the setting holds "@" and a digest, so whoever opens the link is told so, and a reset
  of the page's settings goes back to the built-in data in both cases).
"""
from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dlcore.tabular import (MAX_BYTES, MAX_COLUMNS, MAX_ROWS, ClassificationData, DataError, RegressionData, Table,
                            classification_data, read_table, regression_data)
from ui import safety
from ui.format import md_escape, quote
from ui.params import MAX_RAW, PageState, Param

__all__ = ["OwnTable", "data_param", "xy_params", "own_table", "choose_xy", "own_regression", "label_params",
           "choose_label", "own_classification", "encode_link", "decode_link", "LINK_CHARS"]

LINK_CHARS = MAX_RAW            # the longest value a link setting may hold (ui.params refuses longer ones)
_ROW, _CELL = ";", ","


@dataclass(frozen=True)
class OwnTable:
    """The learner's table in use on a page."""

    table: Table
    source: str          # where it came from, for the page: "your file data.csv", "the pasted table", "the link"
    link: str            # its compact text when it fits a link, else ""

    @property
    def frame(self) -> pd.DataFrame:
        return self.table.frame

    @property
    def in_link(self) -> bool:
        return bool(self.link)

    @property
    def token(self) -> str:
        """What the page's ``data`` setting holds: the compact table, or — too large for a
        link — "@" and its digest (a link with it says the data did not travel with it)."""
        return self.link or "@" + self.digest[:10]

    def csv(self) -> bytes:
        return self._csv

    @functools.cached_property
    def _csv(self) -> bytes:            # written once per table, not on every rerun
        return self.table.frame.to_csv(index=False).encode("utf-8")

    @functools.cached_property
    def digest(self) -> str:
        """A stable key of the data (16 hex digits of its CSV's SHA-256), e.g. for caches."""
        return hashlib.sha256(self.csv()).hexdigest()[:16]


# ---- settings a page declares ----------------------------------------------------------
def data_param(key: str = "data") -> Param:
    """The link setting that carries small data (compact text, checked by read_table)."""
    return Param(key, "", "text", max_len=LINK_CHARS, label="own data")


def xy_params(x: str = "x", y: str = "y") -> tuple[Param, Param]:
    """The x and y column settings of a line fit on own data ("" = the first two numeric columns)."""
    return (Param(x, "", "text", max_len=40, label="x column"), Param(y, "", "text", max_len=40, label="y column"))


def label_params(label: str = "label", positive: str = "positive") -> tuple[Param, Param]:
    """The label column and its positive class of a classification on own data
    ("" = the last column with two values; the larger/later value)."""
    return (Param(label, "", "text", max_len=40, label="label column"),
            Param(positive, "", "text", max_len=60, label="positive class"))


# ---- the link's compact text ------------------------------------------------------------
def _cell(v) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def encode_link(table: Table) -> str:
    """The table as ``a,b;1,2;3,4`` when that text fits a link value and reads back to the
    same table, else ""."""
    names = [str(c) for c in table.frame.columns]
    rows = [names] + [[_cell(v) for v in row] for row in table.frame.itertuples(index=False)]
    cells = [c for r in rows for c in r]
    if any(_ROW in c or _CELL in c or c != c.strip() or not c.isprintable() or '"' in c for c in cells):
        return ""
    text = _ROW.join(_CELL.join(r) for r in rows)
    if len(text) > LINK_CHARS:
        return ""
    try:
        back = decode_link(text)
    except Exception:            # noqa: BLE001 — anything that does not read back stays out of links
        return ""
    same = (list(back.frame.columns) == names and back.numeric == table.numeric
            and back.frame.equals(table.frame))
    return text if same else ""


def decode_link(text: str) -> Table:
    """A link's compact text back to a table, read (and checked) by read_table."""
    return read_table(text.replace(_ROW, "\n").encode("utf-8"))


def _here(where):
    """A container to draw in: ``where``, or a new one here (``st`` itself counts as here)."""
    return st.container() if where is None or where is st else where


# ---- the box --------------------------------------------------------------------------
def _keys(state: PageState, name: str) -> tuple[str, str]:
    return f"_gdl_own.{state.page}.{name}", f"_gdl_own.{state.page}.{name}#uploads"


def _read(raw: bytes, what: str) -> Table | None:
    """read_table with every failure turned into a message (never a traceback or a path)."""
    try:
        return read_table(raw)
    except DataError as err:
        st.error(f"**Can't use {what}:** {md_escape(err)}", icon=":material/table_chart:")
    except Exception:            # noqa: BLE001 — a reader bug must not become a traceback; no data is logged
        st.error(f"**Can't use {what}:** it could not be read as a table. Save it as a CSV file (comma, "
                 "semicolon or tab between the values, one row per line) and try again.",
                 icon=":material/table_chart:")
    return None


def _use(state: PageState, name: str, table: Table, source: str) -> OwnTable:
    own = OwnTable(table, source, encode_link(table))
    st.session_state[_keys(state, name)[0]] = own
    if not state.fixed(name):
        state.set(name, own.token)
    return own


def _class_data(token: str) -> OwnTable | None:
    """The table the learner's class attached (ui.classroom.class_table), when the link's
    "@digest" names it; None otherwise (no class, no store, another table)."""
    try:
        from ui.classroom import class_table     # lazy: only links with "@…" need the class store
    except ImportError:
        return None
    table = class_table()
    if table is None:
        return None
    own = OwnTable(table, "your class's data", encode_link(table))
    return own if own.token == token else None


def _drop(state: PageState, name: str, reset: tuple[str, ...]) -> None:
    """Callback of "Use the built-in data again": forget the table, empty the uploader."""
    key, uploads = _keys(state, name)
    st.session_state.pop(key, None)
    st.session_state[uploads] = st.session_state.get(uploads, 0) + 1
    state.reset([name, *reset])


def own_table(state: PageState, *, name: str = "data", where=None, reset: tuple[str, ...] = (),
              title: str = "Use your own data: upload a CSV or paste a table",
              expanded: bool | None = None) -> OwnTable | None:
    """The own-data box (in ``where``, default: here). Returns the learner's table in use,
    or None for the page's built-in data. ``name`` is the page's :func:`data_param` key;
    ``reset`` lists settings that go back to their defaults with the built-in data (e.g.
    the column choices)."""
    ss = st.session_state
    key, uploads = _keys(state, name)
    own: OwnTable | None = ss.get(key)
    linked = state[name]
    if linked.startswith("@") and (own is None or own.token != linked):   # a link made with large data
        shared = _class_data(linked)
        if shared is not None:                   # the learner's class attached this table (For teachers page)
            own = ss[key] = shared
        else:
            state.note("This link was made with the sender's own data, which is too large to travel in a link: "
                       "ask them for the CSV file and upload it. Showing the built-in data.")
            if not state.fixed(name):
                state.set(name, "")
            ss.pop(key, None)
            own = None
    elif linked and (own is None or own.token != linked):        # from a link (or a saved setting)
        try:
            own = OwnTable(decode_link(linked), "the link", "")
            own = OwnTable(own.table, own.source, encode_link(own.table) or linked)
            ss[key] = own
        except Exception as err:   # noqa: BLE001 — a bad link value is a note, not a failure
            detail = str(err) if isinstance(err, DataError) else "it is not a table"
            state.note(f"The data in the link could not be used ({detail}); using the built-in data.")
            if not state.fixed(name):
                state.set(name, "")
            ss.pop(key, None)
            own = None
    elif not linked and own is not None:                          # the setting was reset: built-in data
        ss.pop(key, None)
        own = None
    opened = bool(own) if expanded is None else expanded
    with _here(where), st.expander(title, icon=":material/upload_file:", expanded=opened):
        if state.fixed(name):
            st.caption("This link fixes the data: it cannot be changed here.")
            return own
        st.caption(f"A CSV file (comma, semicolon or tab between values; a header row or none), at most "
                   f"{MAX_BYTES / 1e6:.0f} MB, {MAX_ROWS:,} rows and {MAX_COLUMNS} columns. It stays in this "
                   "browser session only: it is not saved on the server.")
        n = ss.get(uploads, 0)
        up = st.file_uploader("Upload a CSV", type=["csv", "txt", "tsv"], key=f"{uploads}.{n}",
                              max_upload_size=max(1, math.ceil(MAX_BYTES / 1e6)))
        if up is not None and ss.get(f"{uploads}.id") != up.file_id:      # a new file
            if up.size > MAX_BYTES:
                st.error(f"**Can't use this file:** it is {up.size / 1e6:.1f} MB; at most "
                         f"{MAX_BYTES / 1e6:.0f} MB are allowed.", icon=":material/table_chart:")
            else:
                table = _read(up.getvalue(), "this file")
                if table is not None:
                    own = _use(state, name, table, f"your file {quote(up.name)}")
                    ss[f"{uploads}.id"] = up.file_id
        with st.form(f"{uploads}.paste", border=False):
            pasted = st.text_area("Or paste a table", height=120, max_chars=MAX_BYTES,
                                  placeholder="hours,score\n10,480\n20,520\n30,710\n40,680",
                                  help="Copy cells from a spreadsheet (tab-separated) or type comma-separated "
                                       "values, one row per line.")
            sent = st.form_submit_button("Use the pasted table", icon=":material/content_paste:")
        if sent:
            if not pasted.strip():
                st.warning("The box is empty: paste a table first.", icon=":material/content_paste:")
            else:
                table = _read(pasted.encode("utf-8"), "the pasted table")
                if table is not None:
                    own = _use(state, name, table, "the pasted table")
        if own is not None:
            _describe(state, name, own, reset)
    return own


def _describe(state: PageState, name: str, own: OwnTable, reset: tuple[str, ...]) -> None:
    t = own.table
    rows = len(t.frame)
    st.success(f"Using {own.source}: {rows:,} row(s); numeric columns: "
               f"{', '.join(quote(c, 24) for c in t.numeric) or 'none'}"
               + (f"; text columns: {', '.join(quote(c, 24) for c in t.text)}" if t.text else "") + ".",
               icon=":material/table_chart:")
    if t.notes:
        st.info("\n".join(f"- {md_escape(n)}" for n in t.notes), icon=":material/edit_note:")
    if own.in_link:
        st.caption("🔗 The share link carries this data: whoever opens it sees the same table.")
    else:
        st.caption(f"🔗 This table is too large for a link (a link setting holds {LINK_CHARS} characters): the "
                   "link carries the settings but not the data — send the CSV along with it.")
    left, right = st.columns(2)
    left.download_button("Download this data as CSV", own.csv(), file_name="my_data.csv", mime="text/csv",
                         key=f"_gdl_own.{state.page}.{name}#csv", icon=":material/download:")
    right.button("Use the built-in data again", key=f"_gdl_own.{state.page}.{name}#drop", icon=":material/undo:",
                 on_click=safety.callback(_drop), args=(state, name, tuple(reset)))


# ---- column choices ---------------------------------------------------------------------
def _column(state: PageState, key: str, label: str, options: list[str], default: str, where, **kw) -> str:
    """A selectbox bound to a text setting whose choices are the table's columns; a value
    that is not a column (another table, a link) falls back to ``default``."""
    if state.current(key) not in options:
        if state.fixed(key):             # a link fixed a column this table does not have
            return default
        state.set(key, default)
    with where:
        v = state.widget(st.selectbox, key, label, options=options, **kw)
    return v if v in options else default


def choose_xy(state: PageState, table: Table, *, x: str = "x", y: str = "y", where=None) -> tuple[str, str]:
    """x and y column selectboxes among the numeric columns (the first two by default)."""
    cols = list(table.numeric)
    if len(cols) < 2:
        raise DataError(f"A line fit needs two columns of numbers; this table has {len(cols)}"
                        + (f" ({', '.join(map(repr, cols))})." if cols else "."))
    with _here(where):
        left, right = st.columns(2)
    xs = _column(state, x, "x (input) column", cols, cols[0], left)
    y_default = next(c for c in cols if c != xs)
    if state.current(y) == xs and not state.fixed(y):
        state.set(y, y_default)          # x took y's column: y moves to the next one
    ys = _column(state, y, "y (target) column", cols, y_default, right)
    return xs, ys


def own_regression(state: PageState, own: OwnTable, *, x: str = "x", y: str = "y", where=None) -> RegressionData | None:
    """Choose x and y and check them (dlcore.tabular.regression_data); a problem is shown
    as a message and gives None (the page then says it shows the built-in data)."""
    try:
        xs, ys = choose_xy(state, own.table, x=x, y=y, where=where)
        data = regression_data(own.table, xs, ys)
        _more_notes(data.notes, own.table, where)
        return data
    except DataError as err:
        _here(where).error(f"**Can't fit a line to this table:** {md_escape(err)}", icon=":material/table_chart:")
        return None


def _more_notes(notes, table: Table, where) -> None:
    """The notes the column choice added (rows left out, columns encoded) to the table's own."""
    extra = [n for n in notes if n not in table.notes]
    if extra:
        _here(where).info("\n".join(f"- {md_escape(n)}" for n in extra), icon=":material/edit_note:")


def _binary_columns(table: Table) -> list[str]:
    out = []
    for c in table.frame.columns:
        values = table.frame[c].replace("", pd.NA).dropna()
        if values.nunique() == 2:
            out.append(c)
    return out


def choose_label(state: PageState, table: Table, *, label: str = "label", positive: str = "positive",
                 where=None) -> tuple[str, str]:
    """The label column (columns with exactly two values; the last by default) and which of
    its two values counts as positive (the later in sorted order by default)."""
    cols = _binary_columns(table)
    if not cols:
        raise DataError("No column has exactly two different values, so there is nothing to classify. "
                        "Add a label column (e.g. 0/1 or yes/no).")
    with _here(where):
        left, right = st.columns(2)
    lab = _column(state, label, "Label column (two values)", cols, cols[-1], left)
    values = table.frame[lab].replace("", pd.NA).dropna()
    classes = sorted(values.map(lambda v: f"{v:g}" if isinstance(v, float) else str(v)).unique())
    pos = _column(state, positive, "Counts as positive", classes, classes[-1], right)
    return lab, pos


def own_classification(state: PageState, own: OwnTable, features: list[str] | None = None, *,
                       label: str = "label", positive: str = "positive", where=None) -> ClassificationData | None:
    """Choose the label and its positive class, and check the data
    (dlcore.tabular.classification_data, features default: every other column); a problem
    is shown as a message and gives None."""
    try:
        lab, pos = choose_label(state, own.table, label=label, positive=positive, where=where)
        data = classification_data(own.table, lab, features, positive=pos)
        _more_notes(data.notes, own.table, where)
        return data
    except DataError as err:
        _here(where).error(f"**Can't classify with this table:** {md_escape(err)}", icon=":material/table_chart:")
        return None
