"""Home: what the lab teaches, in which order, and the idea of gradient descent as a
live picture — a ball rolling down a bowl."""
from pathlib import Path

import streamlit as st

from ui.charts.home import ball_chart
from ui.classroom import join_box
from ui.lesson_list import show_lessons, show_sources
from ui.charts.render import chart
from ui.compute.home import ball_run
from ui.layout import next_page
from ui.params import PageState, Param
from ui.sources import cite
from ui.text.home import ball_verdict

LRS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05)

state = PageState("home", [
    Param("lr", 0.1, lo=0.05, hi=1.05, options=LRS, label="learning rate"),
])

st.title("Gradient Descent Lab")
st.markdown("**Move a slider, watch a model learn — every number computed live by PyTorch.**")

left, right = st.columns([3, 2], gap="large")
with right:
    st.header("A ball rolling down a bowl")
    st.markdown(
        "Gradient descent is a ball rolling down the side of a bowl: the loss is the height, "
        "and each step moves **against the slope, in proportion to it**. Where the bowl is "
        "**steep the ball takes a big step**; where it is **flat, a small one** — until it "
        "settles at the bottom, where the loss is lowest.")
    lr = state.select_slider("lr", "Learning rate (step size)")
    st.latex(r"L(w) = w^2")
    st.latex(r"w_{t+1} = w_t - \eta\,\frac{dL}{dw} = w_t - \eta \cdot 2w_t")

ball = ball_run(lr)
with left:
    chart(ball_chart, ball.balls, height=360)
    verdict = ball_verdict(ball.regime, ball.w_end, ball.steps)
    getattr(st, verdict.kind)(verdict.text, icon=verdict.icon)

st.divider()
st.header("The lab, in teaching order")
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
     "Measure how many steps each learning rate needs, against theory and the table of "
     f"{cite('002')}."),
]
lessons = [lesson for lesson in LESSONS if (here / lesson[0]).exists()]
# Three cards a row: five in one row cut the page names short on a laptop screen.
PER_ROW = 3
for row in range(0, len(lessons), PER_ROW):
    for col, (f, title, icon, text) in zip(st.columns(PER_ROW), lessons[row:row + PER_ROW]):
        with col, st.container(border=True, height="stretch"):
            st.page_link(here / f, label=title, icon=icon)
            st.caption(text)

join_box()                 # learners of a class type its code here
show_lessons()             # every page's lesson, with this learner's progress
show_sources()             # the three articles, by title
st.caption("Built from three articles on gradient descent in PyTorch. Where their printed outputs differ "
           "from what PyTorch computes, the pages show both and say why. Every page has **Show the code**: "
           "a plain PyTorch script that reproduces it.")
state.finish()
next_page(__file__)
