"""Learning-rate sweep: train one model at up to 300 learning rates at once, measure the
steps each needs, and hold the result against article 002's table, against theory
(2/λmax, 2/(λmax+λmin)), against fastai's learning-rate range test, and against
learning-rate schedules.

Everything on the default view comes from ONE batched training call (the sweep): the
log grid of rates plus the article's five rates, so the charts, the article's table and
the loss curves share the same runs. The range test and the schedules are tabs that only
compute when opened.

This module is the page: its settings (PageState), its header and a dispatch to its
sections (app_pages/sections/lr_sweep/). What it computes is in ui/compute/lr_sweep.py,
what it says in ui/text/lr_sweep.py, its charts in ui/charts/sweep.py.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages.sections.lr_sweep.article import article_tab
from app_pages.sections.lr_sweep.curves import curves_tab
from app_pages.sections.lr_sweep.overview import overview
from app_pages.sections.lr_sweep.range_test import range_tab
from app_pages.sections.lr_sweep.schedules import KINDS as SCHED_KINDS
from app_pages.sections.lr_sweep.schedules import schedules_tab
from app_pages.sections.lr_sweep.settings import sweep_settings
from dlcore import PRESETS
from dlcore.catalogue import SWEEP
from dlcore.lr_study import ARTICLE_RATES
from ui.compute.lr_sweep import RANGE_PROBLEMS
from ui.layout import header, next_page, share_hint
from ui.lesson_panel import LESSON_PARAMS, LessonPanel
from ui.params import PageState, Param, log_options
from ui.sections import Tab, lazy_tabs, tab_param
from ui.text.lr_sweep import LEAD, MODES, RULES, lesson_values

# Links name the tab by its slug (?tab=curves); the old links, which used the titles
# (?tab=Loss+curves), still open the same tab.
TABS = (Tab("article", "Article's table"), Tab("curves", "Loss curves"), Tab("range", "Range test"),
        Tab("schedules", "Schedules"))
SECTIONS = {"article": article_tab, "curves": curves_tab, "range": range_tab, "schedules": schedules_tab}
STEP_OPTIONS = (10, 20, 50, 100, 200, 300, 500, 1000, 1500, 2000, 3000, 5000, 10000, 20000)
LO_OPTIONS = log_options(1e-6, 10.0)
HI_OPTIONS = log_options(1e-5, 100.0)
TOL_OPTIONS = log_options(1e-8, 10.0)

state = PageState("lr", [
    Param("problem", "line", kind="choice", choices=SWEEP, label="problem"),
    Param("opt", "SGD", kind="choice", choices=tuple(PRESETS), label="optimizer"),
    Param("lo", 1e-4, lo=LO_OPTIONS[0], hi=LO_OPTIONS[-1], options=LO_OPTIONS, label="smallest rate"),
    Param("hi", 1.0, lo=HI_OPTIONS[0], hi=HI_OPTIONS[-1], options=HI_OPTIONS, label="largest rate"),
    Param("n", 100, kind="int", lo=2, hi=300, label="number of rates"),
    Param("steps", 1000, kind="int", lo=10, hi=20000, options=STEP_OPTIONS, label="steps"),
    Param("tol", 1e-3, lo=TOL_OPTIONS[0], hi=TOL_OPTIONS[-1], options=TOL_OPTIONS, label="tolerance"),
    Param("mode", "gap", kind="choice", choices=tuple(MODES), label="convergence test"),
    Param("seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed"),
    Param("batch", 0, kind="int", lo=0, hi=800, label="batch size"),
    Param("dtype", "float32", kind="choice", choices=("float32", "float64"), label="precision"),
    tab_param(TABS),
    Param("check", False, kind="bool", label="check every optimizer"),
    Param("code_rate", 0.1, kind="float", lo=min(ARTICLE_RATES), hi=max(ARTICLE_RATES), options=ARTICLE_RATES,
          label="rate of the exported run"),
    Param("curves", [], kind="floats", lo=1e-8, hi=1e4, max_items=6, label="rates to plot"),
    Param("code_run", 1, kind="int", lo=0, hi=5, label="exported curve"),
    Param("rt_problem", "mlp", kind="choice", choices=RANGE_PROBLEMS, label="range-test problem"),
    Param("rt_opt", "Adam", kind="choice", choices=tuple(PRESETS), label="range-test optimizer"),
    Param("rt_start", 1e-7, lo=1e-8, hi=1e-2, options=log_options(1e-8, 1e-2), label="range-test start rate"),
    Param("rt_end", 10.0, lo=1e-2, hi=100.0, options=log_options(1e-2, 100.0), label="range-test end rate"),
    Param("rt_iters", 100, kind="int", lo=20, hi=500, label="range-test steps"),
    Param("rt_batch", 32, kind="int", lo=0, hi=800, label="range-test batch size"),
    Param("rt_rule", "valley", kind="choice", choices=tuple(RULES), label="suggestion to verify"),
    Param("rt_steps", 300, kind="int", lo=20, hi=3000, label="verification steps"),
    Param("slr", 0.0, lo=0.0, hi=100.0, options=(0.0,) + log_options(1e-6, 100.0), label="schedule base rate"),
    Param("code_sched", "cosine", kind="choice", choices=SCHED_KINDS, label="exported schedule"),
    *LESSON_PARAMS,
])

header("Learning-rate sweep", LEAD)
panel = LessonPanel(state, "lr-sweep")
panel.draw()
study = overview(state, sweep_settings(state), panel)

st.divider()
checked: dict = {}          # the range test's check, for the lesson (filled when its tab runs)
lazy_tabs(state, TABS).show({slug: partial(section, state, study, panel, checked)
                             for slug, section in SECTIONS.items()})
panel.conclude(lesson_values(study, **checked))

st.divider()
share_hint(state)
state.finish()
next_page(__file__)
