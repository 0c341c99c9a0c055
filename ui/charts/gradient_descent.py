"""Charts of the Gradient Descent page: the loss curve with the inspected epoch marked,
and "the ball in the bowl" — the (w, b) path over the loss surface with the inspected
epoch's step drawn as an arrow.

Built from the shared layers in :mod:`ui.charts.core`; like them, nothing non-finite
is ever drawn.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from .core import HEIGHT, finite, fit_chart, loss_chart, markers_layer, paths_layer, surface_layer

STEP_COLOR = "#D55E00"
PATH_COLOR = "#111827"


def _nice_unit(span: float) -> float:
    if not (math.isfinite(span) and span > 0):
        return 0.5
    k = math.floor(math.log10(span / 8))
    for m in (1, 2, 5, 10):
        if m * 10.0 ** k >= span / 8:
            return m * 10.0 ** k
    return 10.0 ** (k + 1)


def window_around(path: pd.DataFrame, x: str, y: str, anchors, cap: float | None = None,
                  pad: float = 0.12) -> tuple[float, float, float, float]:
    """A round (x0, x1, y0, y1) holding the anchors and every finite path point within
    ``cap`` of the first anchor (so a run that flies off does not shrink the picture to
    a dot), padded by ``pad`` of the span on each side."""
    ax = np.array([a[0] for a in anchors], dtype=float)
    ay = np.array([a[1] for a in anchors], dtype=float)
    d = finite(path, [x, y])
    px, py = d[x].to_numpy(dtype=float), d[y].to_numpy(dtype=float)
    if cap is not None and len(px):
        near = np.hypot(px - ax[0], py - ay[0]) <= cap
        px, py = px[near], py[near]
    xs, ys = np.concatenate([ax, px]), np.concatenate([ay, py])
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    span = max(x1 - x0, y1 - y0, 0.5)
    unit = _nice_unit(span)
    px_, py_ = max(x1 - x0, span * 0.3) * pad, max(y1 - y0, span * 0.3) * pad
    r = lambda v: float(f"{v:.10g}")  # noqa: E731
    return (r(math.floor((x0 - px_) / unit) * unit), r(math.ceil((x1 + px_) / unit) * unit),
            r(math.floor((y0 - py_) / unit) * unit), r(math.ceil((y1 + py_) / unit) * unit))


def epoch_loss_chart(history: pd.DataFrame, log: bool, epoch: int | None = None,
                     height: int = HEIGHT) -> alt.Chart:
    """Loss against epoch (x = the number of updates so far); a rule and a ring mark the
    epoch being inspected."""
    chart = loss_chart(history, log=log, x_title="epoch (updates so far)", y_title="loss (MSE)",
                       legend_title="run", height=height)
    layers = [chart]
    if epoch is not None:
        at = finite(history[history["step"] == epoch], "loss", positive=log)
        rule = alt.Chart(pd.DataFrame({"step": [epoch]})).mark_rule(color=STEP_COLOR, strokeDash=[5, 4]).encode(
            x=alt.X("step:Q"))
        layers.append(rule)
        if len(at):
            layers.append(alt.Chart(at).mark_point(size=220, color=STEP_COLOR, strokeWidth=2.5).encode(
                x=alt.X("step:Q"), y=alt.Y("loss:Q"),
                tooltip=[alt.Tooltip("step:Q", title="epoch"), alt.Tooltip("loss:Q", format=".8g")]))
    # One run: its name is in the page, a legend would only take width from the curve.
    return alt.layer(*layers).properties(height=height).configure_legend(disable=True)


def bowl_chart(grid: pd.DataFrame, window, history: pd.DataFrame, markers: pd.DataFrame,
               step: dict | None = None, height: int = 380) -> alt.Chart:
    """The loss surface over (w, b) as a heatmap, gradient descent's path on it, the start
    and the optimum, and the inspected epoch's update as an arrow θ_t → θ_t+1.

    ``step``: {"epoch", "w", "b", "w_next", "b_next"} (values may be non-finite: then
    only what is finite and inside the window is drawn)."""
    heat = surface_layer(grid, window, True, "slope w", "intercept b", height=height)
    heat.encoding.color.legend = None       # the page says "darker is lower"; the bowl gets the width
    # Banded colours read like the contour lines of a map: each band is one step in log(loss).
    heat.encoding.color.scale = alt.Scale(scheme={"name": "blues", "count": 10}, reverse=True, type="quantize",
                                          zero=False)
    layers = [heat]
    path = paths_layer(history.assign(label="gradient descent"), "w", "b", window=window)
    for layer in path:                      # one run: a dark path reads best on the blue bowl
        layer.encoding.color = alt.value(PATH_COLOR)
    layers += path
    layers.append(markers_layer(markers, x="w", y="b", label="label"))
    if step is not None:
        x0, x1, y0, y1 = window
        inside = lambda a, b: (math.isfinite(a) and math.isfinite(b)  # noqa: E731
                               and x0 <= a <= x1 and y0 <= b <= y1)
        if inside(step["w"], step["b"]):
            ball = pd.DataFrame({"w": [step["w"]], "b": [step["b"]], "epoch": [step["epoch"]]})
            if inside(step["w_next"], step["b_next"]):
                seg = pd.DataFrame({"w": [step["w"]], "b": [step["b"]], "w2": [step["w_next"]],
                                    "b2": [step["b_next"]]})
                layers.append(alt.Chart(seg).mark_rule(color=STEP_COLOR, strokeWidth=3.5).encode(
                    x=alt.X("w:Q"), y=alt.Y("b:Q"), x2=alt.X2("w2"), y2=alt.Y2("b2")))
                layers.append(alt.Chart(seg).mark_point(shape="triangle", size=90, filled=True,
                                                        color=STEP_COLOR, opacity=1).encode(
                    x=alt.X("w2:Q"), y=alt.Y("b2:Q"),
                    angle=alt.value(float(_angle(step, window)))))
            layers.append(alt.Chart(ball).mark_circle(size=330, color=STEP_COLOR, stroke="white",
                                                      strokeWidth=2, opacity=1).encode(
                x=alt.X("w:Q"), y=alt.Y("b:Q"), tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("w:Q", format=".6g"),
                                           alt.Tooltip("b:Q", format=".6g")]))
    # The page's caption explains the colours; without legends the bowl gets the full width.
    return (alt.layer(*layers).resolve_scale(color="independent").properties(height=height)
            .configure_legend(disable=True))


def epoch_fit_chart(points: pd.DataFrame, w: float, b: float, w_next: float, b_next: float,
                    height: int = 350, x_title: str = "x", y_title: str = "y") -> alt.Chart:
    """The data and the line ŷ = w·x + b at an epoch's start with its residuals (the
    shared :func:`fit_chart`), plus the line after this epoch's update drawn across the
    same x range as the first (left out when it is not finite)."""
    base = fit_chart(points, w, b, x_title=x_title, y_title=y_title, height=height)
    if not np.isfinite([w_next, b_next]).all():
        return base
    lines = next(layer for layer in base.layer if getattr(layer.mark, "type", layer.mark) == "line")
    ends = np.array(lines.encoding.x["scale"]["domain"], dtype=float)   # fit_chart's own x range
    after = pd.DataFrame({"x": ends, "y": w_next * ends + b_next, "label": "after this epoch's update"})
    if not np.isfinite(after["y"]).all():
        return base
    return fit_chart(points, w, b, x_title=x_title, y_title=y_title, height=height, extra_lines=after)


def _angle(step: dict, window, aspect: float = 1.6) -> float:
    """Screen angle (degrees clockwise from up) of the arrow θ_t → θ_t+1, roughly
    correcting for the window's axes scales (plot ≈ ``aspect`` times wider than high)."""
    x0, x1, y0, y1 = window
    dx = (step["w_next"] - step["w"]) / (x1 - x0) * aspect
    dy = (step["b_next"] - step["b"]) / (y1 - y0)
    return math.degrees(math.atan2(dx, dy)) if (dx or dy) else 0.0
