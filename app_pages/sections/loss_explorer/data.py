"""The learner's data (an editable table) and line (two sliders whose ranges follow the data)."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlcore.line_explorer import SliderRanges, X_LIMIT, Y_LIMIT, parse_points, points_frame
from ui import safety
from ui.compute.loss_explorer import ARTICLE_LINE, ARTICLE_X, ARTICLE_Y, line_ranges
from ui.params import PageState

ss = st.session_state
K_SRC, K_VER, K_BASE, K_EDITED, K_VALID = (f"loss.{k}" for k in ("src", "ver", "base", "edited", "valid"))


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


def line_controls(state: PageState, xs, ys) -> Line:
    """Slope and intercept sliders (ranges around the data's best line) and the squares toggle."""
    with st.container(border=True):
        st.markdown("**Your line** — score = m · hours + c")
        if st.button("Article's line: 9 · hours + 350", icon=":material/restart_alt:"):
            state.set("m", ARTICLE_LINE[0])
            state.set("c", ARTICLE_LINE[1])
        rng = line_ranges(xs, ys, state.current("m"), state.current("c"))
        # The sliders' ranges follow the data; follow_slider hands each new slider the current line.
        m = state.follow_slider("m", "Slope m (points per hour)", rng.m_lo, rng.m_hi, step=rng.m_step)
        c = state.follow_slider("c", "Intercept c (points at 0 hours)", rng.c_lo, rng.c_hi, step=rng.c_step)
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
