"""Optimizer comparison: race SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad and RMSprop
on one problem from one start — paired runs trained together in one batched call.

Three tabs (``?tab=race|batch|restarts``; old ``?view=`` links still open them): the race
(paths on the loss surface, loss curves, results, a fair race that tunes each optimizer's
rate first, the optimizer's inner state, the code), batch vs mini-batch vs stochastic on the
purchase data (article 002's table, measured), and random restarts on surfaces with several
minima.

This module is the page: its settings, header and tabs. The sections live in
app_pages/sections/optimizer_comparison/, the cached calls in ui.compute.optimizer_comparison,
the wording in ui.text.optimizer_comparison.
"""
import streamlit as st

from app_pages.sections.optimizer_comparison.batch import batch_tab
from app_pages.sections.optimizer_comparison.race import race_tab
from app_pages.sections.optimizer_comparison.restarts import restarts_tab
from app_pages.sections.optimizer_comparison.settings import PAGE, TABS, URL_PATH, params
from dlcore.catalogue import CATALOGUE
from ui.layout import header, next_page
from ui.lesson_panel import LessonPanel
from ui.params import PageState
from ui.sections import lazy_tabs
from ui.text.optimizer_comparison import lesson_values

_entering = st.session_state.get("_gdl_page") != PAGE
state = PageState(PAGE, params())
if _entering and "problem" in st.query_params:
    # A link that names a problem but not every rate gets the rates that suit that problem.
    entry = CATALOGUE[state["problem"]]
    for label, lr in entry.rate.items():
        if f"{label}.lr" not in st.query_params:
            state.set(f"{label}.lr", lr)
    if "clip" not in st.query_params:
        state.set("clip", entry.clip)

header("Optimizer comparison",
       "Race optimizers on the same problem **from the same start** — every run is paired, so any "
       "difference comes from the optimizer alone. All runs train together in one batched PyTorch call; "
       "every number is what `torch.optim` computes for these settings.")

panel = LessonPanel(state, URL_PATH)
panel.draw()

opened = lazy_tabs(state, TABS)
shown: dict = {}        # what the open tab computed, for the lesson's fields
opened.show({"race": lambda: shown.update(race=race_tab(state, panel)),
             "batch": lambda: shown.update(batch_rows=batch_tab(state, panel)),
             "restarts": lambda: shown.update(restarts=restarts_tab(state, panel), surface=state["r_surface"])})
panel.conclude(lesson_values(opened.slug, **shown))
state.finish()
next_page(__file__)
