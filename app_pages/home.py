"""Home: what the lab teaches, in which order, and the idea of gradient descent as a
live picture — a ball rolling down a bowl."""
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from ui import compute
from ui.charts.render import draw
from ui.layout import fmt
from ui.params import PageState, Param

LRS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05)
STEPS = 12
START = -4.0

state = PageState("home", [
    Param("lr", 0.1, lo=0.05, hi=1.05, options=LRS, label="learning rate"),
])

st.title("Gradient Descent Lab")
st.markdown("#### Move a slider, watch a model learn — every number computed live by PyTorch.")

left, right = st.columns([3, 2], gap="large")
with right:
    st.subheader("A ball rolling down a bowl")
    st.markdown(
        "Gradient descent is a ball rolling down the side of a bowl: the loss is the height, "
        "and each step moves **against the slope, in proportion to it**. Where the bowl is "
        "**steep the ball takes a big step**; where it is **flat, a small one** — until it "
        "settles at the bottom, where the loss is lowest.")
    lr = state.select_slider("lr", "Learning rate (step size)")
    st.latex(r"L(w) = w^2")
    st.latex(r"w_{t+1} = w_t - \eta\,\frac{dL}{dw} = w_t - \eta \cdot 2w_t")

bowl = dlcore.SurfaceProblem("custom", expression="x**2", start=(START, 0.0))
run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr))
res = compute.train(bowl, (run,), dlcore.TrainConfig(steps=STEPS, dtype="float64"))
h = res.history()
balls = h.rename(columns={"x": "w"})[["step", "w", "loss", "grad_norm", "diverged"]]
balls = balls[np.isfinite(balls["w"]) & (balls["w"].abs() <= 6)]

curve_w = np.linspace(-6, 6, 121)
curve = pd.DataFrame({"w": curve_w, "loss": curve_w ** 2})
moves = balls.assign(w2=balls["w"].shift(-1), loss2=balls["loss"].shift(-1)).dropna(subset=["w2"])
picture = alt.layer(
    alt.Chart(curve).mark_area(opacity=0.12, color="#0b5cad").encode(x=alt.X("w:Q"), y=alt.Y("loss:Q")),
    alt.Chart(curve).mark_line(color="#0b5cad", strokeWidth=3).encode(
        x=alt.X("w:Q", title="parameter w", scale=alt.Scale(domain=[-6, 6], nice=False)),
        y=alt.Y("loss:Q", title="loss L(w) = w²", scale=alt.Scale(domain=[0, 36], nice=False))),
    alt.Chart(moves).mark_rule(color="#D55E00", strokeWidth=1.5, strokeDash=[4, 3]).encode(
        x=alt.X("w:Q"), x2=alt.X2("w2:Q"), y=alt.Y("loss:Q"), y2=alt.Y2("loss2:Q")),
    alt.Chart(balls).mark_circle(stroke="white", strokeWidth=1.5, opacity=1).encode(
        x=alt.X("w:Q"), y=alt.Y("loss:Q"),
        size=alt.Size("step:Q", scale=alt.Scale(range=[420, 90]), legend=None),
        color=alt.Color("step:Q", scale=alt.Scale(scheme="oranges", reverse=True), title="step"),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("loss:Q", format=".4f"),
                 alt.Tooltip("grad_norm:Q", title="|slope|", format=".4f")]),
).properties(height=360)
with left:
    draw(picture)
    w_end = float(res.final_params[0, 0])
    factor = 1 - 2 * lr
    if res.diverged_at[0] >= 0 or abs(factor) > 1:
        st.error(f"**η = {lr}: the ball flies out of the bowl.** Each step multiplies w by "
                 f"1 − 2η = {factor:g}, and |{factor:g}| > 1: every step overshoots further than the last. "
                 "Past η = 1 gradient descent diverges on this bowl.", icon="💥")
    elif factor < 0:
        st.warning(f"**η = {lr}: the ball overshoots** to the other side each step (w is multiplied by "
                   f"{factor:g}), but by less each time — it still settles. After {STEPS} steps w = {fmt(w_end, 4)}.",
                   icon="↔️")
    elif factor == 0:
        st.success(f"**η = {lr}: one step lands exactly at the bottom** (w is multiplied by 1 − 2η = 0).", icon="🎯")
    else:
        st.info(f"**η = {lr}:** each step multiplies w by 1 − 2η = {factor:g}: big steps on the steep wall, "
                f"smaller ones as the slope flattens. After {STEPS} steps w = {fmt(w_end, 4)}.", icon="⬇️")

st.divider()
st.subheader("The lab, in teaching order")
here = Path(__file__).resolve().parent
LESSONS = [
    ("gradient_descent.py", "1 · Gradient descent", ":material/trending_down:",
     "Fit y = w·x + b with autograd, step through every epoch, and see why the learning rate decides "
     "between slow, fast and divergent."),
    ("loss_explorer.py", "2 · Loss explorer", ":material/straighten:",
     "Edit the study-hours data, move a line by hand and compare MSE, RMSE, MAE and Huber on the loss "
     "landscape."),
    ("neural_network.py", "3 · Neural network", ":material/hub:",
     "Watch a 3→4→1 network learn to add, open it up neuron by neuron, then classify 1000 shoppers."),
    ("optimizer_comparison.py", "4 · Optimizer comparison", ":material/sports_score:",
     "Race SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad and RMSprop across classic surfaces — fairly."),
    ("lr_sweep.py", "5 · Learning-rate sweep", ":material/tune:",
     "Measure how many steps each learning rate needs, against theory and the article's table."),
]
lessons = [lesson for lesson in LESSONS if (here / lesson[0]).exists()]
# Three cards a row: five in one row cut the page names short on a laptop screen.
PER_ROW = 3
for row in range(0, len(lessons), PER_ROW):
    for col, (f, title, icon, text) in zip(st.columns(PER_ROW), lessons[row:row + PER_ROW]):
        with col, st.container(border=True, height="stretch"):
            st.page_link(here / f, label=title, icon=icon)
            st.caption(text)

st.caption("Built from three articles on gradient descent in PyTorch. Where their printed outputs differ "
           "from what PyTorch computes, the pages show both and say why. Every page has **Show the code**: "
           "a plain PyTorch script that reproduces it.")
state.finish()
