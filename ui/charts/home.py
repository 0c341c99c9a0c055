"""Home's picture: gradient descent on L(w) = w² as a ball rolling down a bowl — the
curve, each step as a dashed segment, and the ball after each step (bigger and darker
first)."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

BOWL_COLOR = "#0b5cad"
STEP_COLOR = "#D55E00"
W_RANGE = 6.0                     # the picture shows w in [−6, 6]


def ball_chart(balls: pd.DataFrame, height: int = 360) -> alt.Chart:
    """``balls``: step, w, loss, grad_norm of each step inside the picture."""
    curve_w = np.linspace(-W_RANGE, W_RANGE, 121)
    curve = pd.DataFrame({"w": curve_w, "loss": curve_w ** 2})
    moves = balls.assign(w2=balls["w"].shift(-1), loss2=balls["loss"].shift(-1)).dropna(subset=["w2"])
    return alt.layer(
        alt.Chart(curve).mark_area(opacity=0.12, color=BOWL_COLOR).encode(x=alt.X("w:Q"), y=alt.Y("loss:Q")),
        alt.Chart(curve).mark_line(color=BOWL_COLOR, strokeWidth=3).encode(
            x=alt.X("w:Q", title="parameter w", scale=alt.Scale(domain=[-W_RANGE, W_RANGE], nice=False)),
            y=alt.Y("loss:Q", title="loss L(w) = w²", scale=alt.Scale(domain=[0, W_RANGE ** 2], nice=False))),
        alt.Chart(moves).mark_rule(color=STEP_COLOR, strokeWidth=1.5, strokeDash=[4, 3]).encode(
            x=alt.X("w:Q"), x2=alt.X2("w2:Q"), y=alt.Y("loss:Q"), y2=alt.Y2("loss2:Q")),
        alt.Chart(balls).mark_circle(stroke="white", strokeWidth=1.5, opacity=1).encode(
            x=alt.X("w:Q"), y=alt.Y("loss:Q"),
            size=alt.Size("step:Q", scale=alt.Scale(range=[420, 90]), legend=None),
            color=alt.Color("step:Q", scale=alt.Scale(scheme="oranges", reverse=True), title="step"),
            tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("loss:Q", format=".4f"),
                     alt.Tooltip("grad_norm:Q", title="|slope|", format=".4f")]),
    ).properties(height=height)
