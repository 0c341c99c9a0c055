"""The loss landscape, and gradient descent from the learner's line: settings, verdict,
every rate on both scalings, the learner's run, and why raw hours need a tiny step."""
from __future__ import annotations

import streamlit as st

from app_pages.sections.gradient_descent.summary import callout, metric_row
from ui.charts.core import loss_chart
from ui.charts.loss_explorer import landscape_chart, rate_chart
from ui.charts.render import chart
from ui.compute.loss_explorer import Descent, Judgement, descent, gap_curve, landscape, rates_for
from ui.format import fmt
from ui.layout import note_box
from ui.params import PageState
from ui.text.loss_explorer import (ARTICLE_NAMES, Names, best_line_metrics, descent_verdict, rate_caption,
                                  standardise_effect, theory_metrics, why_raw, why_std, window_caption)

from .data import Line, on_options, use_line_callback


def landscape_header():
    """The landscape's heading and its two (still empty) columns: chart and info."""
    st.header("The loss landscape")
    st.caption("The MSE of every line (slope, intercept): darker is lower, each band one step of log(MSE) like the "
               "contour lines of a map. ● is your line, ◆ the best line (least squares); the dark path is gradient "
               "descent's, from the section below. The valley is long and thin: many lines through the middle of "
               "the data are almost equally good.")
    return st.columns([1.75, 1], gap="large")


def learning_rate(state: PageState, rates) -> float:
    """The learning-rate slider over this data's rates (its range follows the data's
    stability limit); a held rate that is not among them moves to the nearest one."""
    options = on_options(state, "lr", rates, "learning rate")
    return state.select_slider("lr", "Learning rate η", options=options, format_func=lambda v: f"{v:g}",
                               help=f"From {options[0]:g} to {options[-1]:g}: the range follows this data's "
                                    "stability limit 2/λmax (below), with extra rates just around it.")


def gradient_descent(state: PageState, xs, ys, line: Line, j: Judgement, names: Names = ARTICLE_NAMES) -> Descent:
    st.header("Let gradient descent find it")
    controls, result = st.columns([1, 1.5], gap="large")
    x = names.x
    with controls, st.container(border=True):
        st.markdown(f"**Gradient descent from your line** ({names.y} = {fmt(line.m, 6)} · {x} + {fmt(line.c, 6)}), "
                    "plain SGD on the MSE")
        std = state.toggle("std", f"Standardise the {x} first" if names == ARTICLE_NAMES else f"Standardise {x} first",
                           help=f"Feed ({x} − mean)/std to the model instead of raw {x}; the line found is "
                                f"mapped back to {names.y} = m · {x} + c.")
        effect = st.empty()
        lr = learning_rate(state, rates_for(xs, ys))
        steps = state.select_slider("steps", "Steps", format_func=lambda v: f"{v:g}")
    d = descent(xs, ys, line.m, line.c, std, lr, steps, x_name=names.x)
    gap0 = j.losses["MSE"] - j.best[2]
    effect.caption(standardise_effect(d.theory[d.raw], d.theory[d.standard], gap0, gap0, names))
    note_box(list(d.budget_notes))
    mine, th = d.mine, d.my_theory
    mse_star = j.best[2]
    with result:
        callout(descent_verdict(d.lr, d.scale, mine["status"], d.diverged_at, th.lr_diverge, d.steps, d.end,
                                float(mine["gap"]), mse_star, names))
        metric_row(theory_metrics(th, d.lr))
    rates_and_run(d, names)
    with st.expander(f"Why raw {x} need a tiny step — and why standardising fixes it (the Hessian, its "
                     "eigenvalues, the condition number)", icon=":material/insights:"):
        st.markdown(why_raw(d.theory[d.raw], names))
        st.markdown(why_std(d.theory[d.standard], *d.std_problem.x_scale(), names))
    return d


def rates_and_run(d: Descent, names: Names = ARTICLE_NAMES) -> None:
    c_a, c_b = st.columns(2, gap="large")
    limits = {d.raw: d.theory[d.raw].lr_diverge, d.standard: d.theory[d.standard].lr_diverge}
    with c_a:
        st.markdown(f"**How close each learning rate gets in {d.steps} steps**")
        chart(rate_chart, d.sweep, limits, chosen={"lr": d.lr, "scale": d.scale, "gap": float(d.mine["gap"])},
              height=330)
        st.caption(rate_caption(d.steps, limits[d.raw], limits[d.standard], names))
    with c_b:
        st.markdown(f"**Your run: loss above the best line, step by step** ({d.scale}, η = {d.lr:g})")
        chart(loss_chart, gap_curve(d), y="gap", log=True, x_title="step", y_title="MSE − best MSE (log)",
              legend_title="run", height=330, legend={"disable": True})


def landscape_view(state: PageState, columns, xs, ys, line: Line, j: Judgement, d: Descent,
                   names: Names = ARTICLE_NAMES) -> None:
    """Fill the landscape's columns: the zoom toggle, the map with gradient descent's path,
    the best line and buttons to use it (or the line gradient descent found)."""
    land_chart, land_info = columns
    m_star, c_star, _ = j.best
    with land_info:
        zoom = state.toggle("zoom", "Zoom in", help="On: just around your line, the best line and gradient "
                                                    "descent's path, where the valley and the path along it are "
                                                    "visible. Off: the whole range of the sliders.")
    view = landscape(xs, ys, line.m, line.c, d, line.ranges, zoom)
    with land_chart:
        chart(landscape_chart, view.grid, view.window, view.path, (line.m, line.c), (m_star, c_star), height=400)
    with land_info:
        best_line, best_mse, lower = best_line_metrics(j.best, j.losses["MSE"], names)
        st.metric(best_line.label, best_line.value, help=best_line.help)
        st.metric(best_mse.label, best_mse.value, help=best_mse.help, delta=lower, delta_color="inverse")
        st.button("Use the best line", icon=":material/my_location:", on_click=use_line_callback,
                  args=(state, m_star, c_star))
        if d.found:
            st.button("Use the line gradient descent found", icon=":material/trending_down:",
                      on_click=use_line_callback, args=(state, *d.end, line.ranges))
        st.caption(window_caption(view.window, zoom))
