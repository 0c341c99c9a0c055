"""Gradient descent (article 000, first half): fit y = w·x + b to x = 1..4, y = 2x with
the article's own loop — learning rate 0.01, 100 epochs, w = b = 0 — and open it up:
the loss curve, the ball rolling down the bowl, one epoch at a time with autograd
checked against finite differences, every epoch in a table, and what the article's
printed result really is.

This module is the page: its settings, header and the order of its sections
(app_pages/sections/gradient_descent/); the numbers come from ui.compute.gradient_descent,
the wording from ui.text.gradient_descent."""
import streamlit as st

from app_pages.sections.gradient_descent.data import data_section
from app_pages.sections.gradient_descent.epochs import epochs_table
from app_pages.sections.gradient_descent.explore import explore
from app_pages.sections.gradient_descent.fact_check import fact_check_box
from app_pages.sections.gradient_descent.settings import settings
from app_pages.sections.gradient_descent.summary import summary
from ui.compute.gradient_descent import LR_OPTIONS, lesson
from ui.layout import next_page, share_hint
from ui.lesson_panel import LESSON_PARAMS, LessonPanel
from ui.own_data import data_param, xy_params
from ui.params import PageState, Param
from ui.sources import cite
from ui.text.gradient_descent import lesson_values

state = PageState("gd", [
    Param("lr", 0.01, lo=1e-4, hi=0.5, options=LR_OPTIONS, label="learning rate"),
    Param("epochs", 100, kind="int", lo=1, hi=5000, label="epochs"),
    Param("w0", 0.0, lo=-5.0, hi=5.0, label="start w"),
    Param("b0", 0.0, lo=-5.0, hi=5.0, label="start b"),
    Param("log", False, kind="bool", label="log-scale loss"),
    Param("epoch", 0, kind="int", lo=0, hi=4999, label="inspected epoch"),
    data_param(), *xy_params(),
    Param("std", False, kind="bool", label="standardise x"),
    Param("olr", 0.0, lo=0.0, hi=1e12, label="learning rate on own data"),
    *LESSON_PARAMS,
])

st.title("Gradient descent: fitting y = w·x + b")
lead = st.empty()          # filled once the page knows whose data it fits
LEAD = ("**ŷ = w·x + b** starting at **w = b = 0**, and the loss **L = mean((ŷ − y)²)**. Every epoch, "
        "autograd computes the slope of the loss and gradient descent steps against it: "
        "**w ← w − η·∂L/∂w**, **b ← b − η·∂L/∂b**. Change the step size η and watch the ball roll down the bowl — "
        "or fly out of it.")

panel = LessonPanel(state, "gradient-descent")
panel.draw()
data = data_section(state)
lead.markdown((f"Gradient descent on **your own data** (the box below) with the loop of {cite('000')}: the model "
               if data.own else
               f"The experiment of {cite('000')} (“the article” below), live: four points **x = 1, 2, 3, 4** with "
               "**y = 2x**, the model ") + LEAD)
if data.own and panel.active:     # the lessons ask about the article's four points, not the learner's table
    st.info("The lesson's tasks are about the article's four points: they are checked again once you choose "
            "“Use the built-in data again” in the data box.", icon=":material/school:")
chosen = settings(state, data)
run = lesson(chosen.lr, chosen.epochs, chosen.w0, chosen.b0, data)
hidden = {f for f in ("w_final", "settled_epoch") if panel.hides(f)}
summary(run, bool(hidden))
if hidden:     # a prediction is pending: nothing that shows w's path or the answer is sent yet
    st.info("The results — w, b, the loss, the charts, the epoch step-through and the fact check — appear once "
            "you have answered the lesson's question above.", icon=":material/visibility_off:")
else:
    explore(state, run)
    if not data.own:
        st.header("Fact check: what does the article's code really print?")
        fact_box = st.container(border=True)
    epochs_table(run)
share_hint(state)
if not hidden and not data.own:
    fact_check_box(fact_box)   # last: its one long run never holds up the rest of the page
if not (data.own and panel.active):
    panel.conclude(lesson_values(run.summary, run.regime))
state.finish()
next_page(__file__)
