"""The learner's data and line.

The data is ONE of two things, never both:

* the editable table of points (the article's four students, or the learner's edits) —
  small, and carried by the link as ``hours`` and ``scores``;
* the learner's own table, uploaded or pasted (ui.own_data, the mechanism every page
  shares), with x and y chosen among its numeric columns. While it is in use it REPLACES
  the editable table; the edited points stay in the session and in the link, and come
  back with "Use the built-in data again". Small own data travels in the link (setting
  ``data``); larger data is said not to.

The line: two sliders whose ranges follow the data."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlcore.line_explorer import SliderRanges, X_LIMIT, Y_LIMIT, parse_points, points_frame
from ui import safety
from dlcore.theory import quadratic_theory
from ui.compute.loss_explorer import ARTICLE_LINE, ARTICLE_X, ARTICLE_Y, line_ranges, overflow, problem_of, rates_for
from ui.format import number_columns
from ui.own_data import own_regression, own_table
from ui.params import PageState
from ui.text.loss_explorer import ARTICLE_NAMES, Names

ss = st.session_state
K_SRC, K_VER, K_BASE, K_EDITED, K_VALID = (f"loss.{k}" for k in ("src", "ver", "base", "edited", "valid"))


@dataclass(frozen=True)
class Data:
    """The points every section uses, and what they are called."""
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    names: Names = ARTICLE_NAMES
    own: bool = False                   # the learner's uploaded/pasted table (not the editable one)
    columns: tuple[str, str] = ("", "")  # own data: the x and y columns as named in the file

    @property
    def article(self) -> bool:
        return (self.xs, self.ys) == (ARTICLE_X, ARTICLE_Y)

    @property
    def key(self) -> tuple:
        """Identifies the data (for "is this new data?")."""
        return (len(self.xs), hash(self.xs), hash(self.ys))


K_DATA = "loss.data_key"


def data_section(state: PageState, lesson: bool = False) -> Data:
    """The own-data box (upload or paste) and, below it, either the learner's own table
    (x and y chosen among its columns) or the editable table of points. While a lesson is
    open (``lesson``) the page uses the lesson's points: its questions are about them."""
    data = None
    if lesson:
        st.caption("While a lesson is open the page uses the lesson's data. Your own table, if you brought one, "
                   "stays in this session and comes back when you close the lesson.")
        own = None
    else:
        own = own_table(state, reset=("x", "y"), title="Use your own data: upload a CSV or paste a table")
    if own is not None:
        with st.container(border=True):
            st.markdown("**Your data** — choose the columns")
            chosen = own_regression(state, own)
            if chosen is not None:
                data = Data(chosen.x, chosen.y, Names.of_columns(chosen.x_name, chosen.y_name), own=True,
                            columns=(chosen.x_name, chosen.y_name))
                _own_view(data)
            else:
                st.caption("Until these columns work, the page uses the editable table below.")
    if data is None:
        xs, ys = data_editor(state)
        data = Data(xs, ys)
    _new_data_moves_the_line(state, data)
    return data


def _own_view(data: Data) -> None:
    import pandas as pd
    n = len(data.xs)
    frame = pd.DataFrame({data.names.x_title: data.xs, data.names.y_title: data.ys})
    st.dataframe(frame, hide_index=True, height=min(36 * (min(n, 8) + 1) + 4, 330), width="stretch",
                 column_config=number_columns(frame, digits=6))
    st.caption(f"{n:,} rows of x = {_plain(data.names.x_title)}, y = {_plain(data.names.y_title)}. While your table "
               "is in use it replaces the editable table of points; that table, with your edits, comes back with "
               "“Use the built-in data again”.")


def _plain(name: str) -> str:
    from ui.format import quote
    return quote(name, 40)


def _new_data_moves_the_line(state: PageState, data: Data) -> None:
    """Other data (own data chosen, or back to the points) starts the line flat through the
    mean of y, on the new sliders' grid — unless this run opened a link that sets the line,
    or the line still fits the new data's sliders. New own data also starts gradient
    descent at a rate that converges on it (unless the link sets one)."""
    ss = st.session_state
    old, ss[K_DATA] = ss.get(K_DATA), data.key
    if old == data.key or (state.entering and {"m", "c"} & state.linked) or (old is None and not data.own):
        return
    if overflow(data.xs, data.ys):           # no sliders for numbers beyond float64 (the page says so)
        return
    import numpy as np
    rng = line_ranges(data.xs, data.ys, 0.0, float(np.mean(data.ys)))
    m, c = state.current("m"), state.current("c")
    if rng.m_lo <= m <= rng.m_hi and rng.c_lo <= c <= rng.c_hi and not data.own:
        return
    c0 = round(float(np.mean(data.ys)) / rng.c_step) * rng.c_step
    state.set("m", 0.0)
    state.set("c", float(f"{c0:.12g}"))
    if data.own and not (state.entering and "lr" in state.linked):
        # ... and gradient descent at a rate that converges on it: the largest offered at or below half the limit.
        limit = quadratic_theory(problem_of(data.xs, data.ys)).lr_diverge
        state.set("lr", max((r for r in rates_for(data.xs, data.ys) if r <= limit / 2), default=limit / 2))


def data_editor(state: PageState) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The editable table of points; returns the valid data in use (the last valid data
    while an edit is incomplete)."""
    with st.container(border=True):
        st.markdown("**Your data** — edit cells, add rows at the bottom, select rows to delete them")
        if st.button("Article's data", icon=":material/restart_alt:",
                     help="Back to 10, 20, 30, 40 → 480, 520, 710, 680."):
            state.set("hours", list(ARTICLE_X))
            state.set("scores", list(ARTICLE_Y))
        src = (tuple(state["hours"]), tuple(state["scores"]))
        if ss.get(K_SRC) != src:                       # first visit, a shared link with other data, or a reset
            ss[K_SRC], ss[K_VER], ss[K_BASE], ss[K_EDITED] = src, ss.get(K_VER, 0) + 1, points_frame(*src), None
        editor_key = f"loss.table.{ss[K_VER]}"
        if editor_key not in ss and ss.get(K_EDITED) is not None:
            ss[K_BASE] = ss[K_EDITED]                  # back on this page: carry on from the table as it was left
        edited = st.data_editor(
            ss[K_BASE], key=editor_key, num_rows="dynamic", hide_index=True, width="stretch",
            height=min(36 * (len(ss[K_BASE]) + 2), 300),
            column_config={
                "hours": st.column_config.NumberColumn("study hours", min_value=-X_LIMIT, max_value=X_LIMIT,
                                                       format="%g"),
                "score": st.column_config.NumberColumn("exam score", min_value=-Y_LIMIT, max_value=Y_LIMIT,
                                                       format="%g")})
        ss[K_EDITED] = edited
        return _use(state, edited, src)


def _use(state: PageState, edited, src) -> tuple[tuple[float, ...], tuple[float, ...]]:
    try:
        xs, ys, notes = parse_points(edited.get("hours", []), edited.get("score", []))
    except ValueError as e:
        xs, ys = ss.get(K_VALID) or (ARTICLE_X, ARTICLE_Y)
        st.error(f"{e} Until then the page keeps using the last valid data ({len(xs)} points).",
                 icon=":material/block:")
        return xs, ys
    ss[K_VALID] = (xs, ys)
    if (xs, ys) != src:                                # a valid edit: it becomes the page's data (and the link's)
        state.set("hours", list(xs))
        state.set("scores", list(ys))
        ss[K_SRC] = (xs, ys)
    for n in notes:
        st.caption(n)
    return xs, ys


@dataclass(frozen=True)
class Line:
    m: float
    c: float
    squares: bool
    ranges: SliderRanges


def line_controls(state: PageState, xs, ys, names: Names = ARTICLE_NAMES) -> Line:
    """Slope and intercept sliders (ranges around the data's best line) and the squares toggle."""
    with st.container(border=True):
        st.markdown(f"**Your line** — {names.y} = m · {names.x} + c")
        if names == ARTICLE_NAMES and st.button("Article's line: 9 · hours + 350", icon=":material/restart_alt:"):
            state.set("m", ARTICLE_LINE[0])
            state.set("c", ARTICLE_LINE[1])
        rng = line_ranges(xs, ys, state.current("m"), state.current("c"))
        # The sliders' ranges follow the data; follow_slider hands each new slider the current line.
        if names == ARTICLE_NAMES:
            m_label, c_label = "Slope m (points per hour)", "Intercept c (points at 0 hours)"
        else:
            m_label, c_label = f"Slope m ({names.slope_unit})", f"Intercept c ({names.y} at {names.x} = 0)"
        m = state.follow_slider("m", m_label, rng.m_lo, rng.m_hi, step=rng.m_step)
        c = state.follow_slider("c", c_label, rng.c_lo, rng.c_hi, step=rng.c_step)
        squares = state.toggle("squares", "Draw each squared error as a square",
                               help="A square on each residual: its area is that point's squared error, so the "
                                    "MSE is the average area.")
    return Line(m=m, c=c, squares=squares, ranges=rng)


def use_line(state: PageState, m: float, c: float, ranges: SliderRanges | None = None) -> None:
    """A button's callback: move the sliders to the line (m, c), inside their ranges."""
    if ranges is not None:
        m, c = ranges.clamp(m, c)
    state.set("m", float(m))
    state.set("c", float(c))


use_line_callback = safety.callback(use_line)


def on_options(state: PageState, key: str, options, what: str) -> list:
    """The options a select slider offers for this data (they follow the data); a held
    value that is not among them moves to the nearest (by ratio), with a note when a link
    asked for it. Call before the value is used. Returns the options to draw."""
    from ui.compute.loss_explorer import nearest_rate
    now = state.current(key)
    opts = list(options)
    if now not in opts:
        near = nearest_rate(opts, now)
        if state.fixed(key):
            return sorted(set(opts) | {now})
        if state.entering and key in state.linked:
            state.note(f"{what}: {now:g} is not on this data's slider; using the nearest value {near:g}.")
        state.set(key, near)
        held = state.current(key)
        if held not in opts:             # beyond the setting's own bounds (extreme data): offer it too
            opts = sorted(set(opts) | {held})
    return opts
