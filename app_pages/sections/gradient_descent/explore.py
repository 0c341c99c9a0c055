"""The loss curve, the ball in the bowl and one epoch opened up. A fragment: the epoch
slider, its ◀ ▶ buttons and the log-scale toggle rerun only this section (and keep the
link in step)."""
from __future__ import annotations

import streamlit as st

from ui import glossary, safety
from ui.charts.gradient_descent import bowl_chart, epoch_fit_chart, epoch_loss_chart
from ui.charts.render import chart
from ui.compute.gradient_descent import Lesson, epoch_view
from ui.format import f32, number_columns
from ui.params import PageState
from ui.sections import fragment
from ui.text.gradient_descent import (fit_title, forward_table, gradient_table, off_picture, update_latex,
                                      update_verdict)

from .summary import callout

def explore(state: PageState, ls: Lesson) -> None:
    @fragment(state, "epoch", "log")
    def section() -> None:
        left, right = st.columns(2, gap="large")
        with left:
            st.header("Loss over epochs")
            log = state.toggle("log", "Log scale",
                               help="A log scale shows the slow final approach (and a blow-up) clearly.")
        with right:
            st.header("The ball in the bowl")
            st.caption("The loss over every (w, b): darker is lower. The path is gradient descent's (w, b) after "
                       f"each epoch; ◆ marks the start and the {ls.data.best_label()}.")
        st.header("Step through one epoch")
        epoch = step_slider(state, ls.summary.last_epoch)
        view = epoch_view(ls, epoch)
        with left:
            chart(epoch_loss_chart, view.history, log=log, epoch=epoch, height=330)
        with right:
            chart(bowl_chart, view.grid, view.window, view.history, view.markers, height=330, step=view.bowl_step)
            if not view.ball_in_window:
                st.caption(off_picture(view.step, epoch))
        one_epoch(ls, view)
    section()


def step_slider(state: PageState, last_epoch: int) -> int:
    """The epoch slider, whose range follows the run (0 … its last finite epoch), with
    previous/next buttons."""
    if last_epoch < 1:
        st.caption("Only epoch 0 was trained: it is shown below.")
        return state.follow_slider("epoch", "", 0, last_epoch)

    def nudge(delta: int) -> None:
        state.set("epoch", min(max(state.current("epoch") + delta, 0), last_epoch))

    sl, prev_b, next_b = st.columns([10, 1, 1], vertical_alignment="bottom")
    with sl:
        epoch = state.follow_slider("epoch", "Epoch to inspect (as in `for epoch in range(epochs)`)", 0, last_epoch,
                                    step=1)
    prev_b.button("", icon=":material/chevron_left:", help="Previous epoch", on_click=safety.callback(nudge),
                  args=(-1,), width="stretch", disabled=epoch <= 0)
    next_b.button("", icon=":material/chevron_right:", help="Next epoch", on_click=safety.callback(nudge),
                  args=(1,), width="stretch", disabled=epoch >= last_epoch)
    return epoch


def one_epoch(ls: Lesson, view) -> None:
    """The line at this epoch, the forward and backward pass, and the update."""
    s, epoch = view.step, view.epoch
    fit_col, num_col = st.columns([1, 1.15], gap="large")
    with fit_col:
        if view.line_drawable:
            chart(epoch_fit_chart, view.points, s.w, s.b, view.w_next, view.b_next, height=350,
                  props={"title": fit_title(s, epoch)}, legend={"orient": "bottom"}, **axis_titles(ls))
            if len(view.points) < ls.data.n:
                st.caption(f"{len(view.points)} of the {ls.data.n:,} points are drawn (evenly spread along x); "
                           "the loss and the gradients use all of them.")
        else:
            st.info("At this epoch the line is far off the chart — the run has diverged.")
    with num_col:
        st.markdown("**Update** — the step against the gradient, with this epoch's numbers:")
        st.latex(update_latex(s))
        callout(update_verdict(s, epoch, view.w_next, view.b_next, view.agrees, ls.summary.diverged_at))
        with st.expander("Forward and backward pass in numbers (autograd checked by finite differences)",
                         icon=":material/calculate:"):
            passes(s)


def axis_titles(ls: Lesson) -> dict:
    """The fit chart's axis titles: the learner's column names on own data."""
    d = ls.data
    if not d.own:
        return {}
    x = f"({d.x_name} − mean)/std" if d.problem.standardize else d.x_name
    return {"x_title": x[:48], "y_title": d.y_name[:48]}


FORWARD_ROWS = 200      # rows of the forward-pass table shown for a large data set


def passes(s) -> None:
    """The forward pass (predictions, residuals, their squares, the loss) and the backward
    pass (autograd's gradients beside central finite differences)."""
    rows = forward_table(s)
    st.markdown(f"**Forward pass** at w = `{f32(s.w)}`, b = `{f32(s.b)}`:")
    if len(rows) > FORWARD_ROWS:
        st.caption(f"The first {FORWARD_ROWS} of {len(rows):,} rows; the loss is the mean over all of them.")
        rows = rows.head(FORWARD_ROWS)
    st.dataframe(rows, hide_index=True, width="stretch", column_config=number_columns(rows, digits=6))
    st.markdown(f"**Loss** L = mean of the last column = **{f32(s.loss)}**")
    st.markdown("**Backward pass** — what `loss.backward()` puts in `w.grad` and `b.grad`, beside a central "
                f"{glossary.link('finite-difference', 'finite difference')} of the loss:")
    st.dataframe(gradient_table(s), hide_index=True, width="stretch", column_config={
        "gradient": st.column_config.TextColumn(width="small"),
        "autograd": st.column_config.NumberColumn(format="%.8g"),
        "finite diff.": st.column_config.NumberColumn(format="%.8g"),
        "difference": st.column_config.NumberColumn(format="%.1e")})
    st.caption("By hand: ∂L/∂w = (2/n)·Σ(ŷ − y)·x and ∂L/∂b = (2/n)·Σ(ŷ − y). "
               "Autograd works in float32 like the article's tensors; the finite difference "
               f"[L(w + h) − L(w − h)] / 2h uses float64 and h = {s.fd_step:g} (exact for this quadratic loss "
               "up to rounding), so the difference is float32's rounding.")
