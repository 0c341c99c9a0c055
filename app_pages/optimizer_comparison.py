"""Optimizer comparison: race SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad and RMSprop
on one problem from one start — paired runs trained together in one batched call.

Three tabs: the race (paths on the loss surface, loss curves, results, a fair race that
tunes each optimizer's rate first, the optimizer's inner state, the code), batch vs
mini-batch vs stochastic on the purchase data (article 002's table, measured), and
random restarts on a surface with several minima.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

import dlcore
from dlcore.budget import MAX_SECONDS as BUDGET_SECONDS
from dlcore.budget import MAX_STEPS as BUDGET_STEPS
from dlcore.budget import fit_budget
from dlcore.comparison import (CRITERION, basins, known_minima, loss_ups, pick_best, race_table, start_points,
                               tuning_runs, tuning_table)
from dlcore.expr import MAX_EXPONENT, MAX_LENGTH as EXPR_MAX_LENGTH
from dlcore.metrics import evaluate_classifier
from dlcore.optstate import DESCRIPTIONS, trace_state
from dlcore.sweep import log_grid
from ui import compute
from ui.charts import optimizers as oc
from ui.charts.core import loss_chart
from ui.charts.render import chart, draw as draw_chart, spec
from ui.layout import code, fmt, header, note_box, share_hint, table
from ui.params import PageState, Param, log_options, quote

PAGE = "opt"
LABELS = tuple(dlcore.PRESETS)          # SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad, RMSprop
LR_OPTIONS = log_options(1e-5, 10.0, (1, 2, 3, 5))
EPS_OPTIONS = tuple(float(f"1e{k}") for k in range(-12, 1))
BETA_OPTIONS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999)
WD_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
CLIP_OPTIONS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0)
TOL_OPTIONS = (1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)
DECADES = tuple(float(f"1e{k}") for k in range(-7, 3))

# Which hyperparameters each optimizer's column shows (keys of OptimizerSpec, "wd" = weight_decay).
HYPER = {
    "SGD": ("lr", "wd"),
    "Momentum": ("lr", "momentum", "wd"),
    "Nesterov": ("lr", "momentum", "wd"),
    "Adam": ("lr", "beta1", "beta2", "eps", "wd"),
    "AdamW": ("lr", "beta1", "beta2", "eps", "wd"),
    "AdaGrad": ("lr", "eps", "wd"),
    "RMSprop": ("lr", "alpha", "momentum", "eps", "wd", "centered"),
}
MAIN = {"lr", "beta1", "alpha"}     # shown in the column (and μ for the momentum methods); the rest under "more"
FIELD = {"wd": "weight_decay"}
SHORT = {"momentum": "μ", "beta2": "β₂", "eps": "ε", "wd": "weight decay", "centered": "centered"}
RULES = {   # the update each column's optimizer makes (g = gradient, η = learning rate)
    "SGD": "θ ← θ − η·g",
    "Momentum": "b ← μ·b + g  ·  θ ← θ − η·b",
    "Nesterov": "b ← μ·b + g  ·  θ ← θ − η·(g + μ·b)",
    "Adam": "m ← mean of g, v ← mean of g²  ·  θ ← θ − η·m̂/(√v̂ + ε)",
    "AdamW": "Adam's step, and θ ← θ − η·λ·θ (decoupled weight decay)",
    "AdaGrad": "s ← s + g²  ·  θ ← θ − η·g/(√s + ε)",
    "RMSprop": "v ← α·v + (1−α)·g²  ·  θ ← θ − η·g/(√v + ε)",
}

PROBLEMS = {
    "rosenbrock": "Rosenbrock valley", "beale": "Beale", "himmelblau": "Himmelblau (4 minima)",
    "saddle": "Saddle point", "rastrigin": "Rastrigin (many local minima)", "bowl": "Ill-conditioned bowl",
    "custom": "Your own f(x, y)", "line": "Line fit y = 2x (article 000)",
    "study": "Study hours → score (article 000)", "sum3": "Sum-of-three network (article 001)",
}
DEFAULT_F = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"

# Starting rates loaded when the learner picks a problem: rates that do not diverge in 500
# steps from the problem's own start and make a readable race (picked from 500-step sweeps
# over LR_OPTIONS; tests/test_page_optimizer_comparison.py checks none diverges). They are
# not tuned: the fair race does that.
RATES = {
    "rosenbrock": dict(SGD=1e-3, Momentum=5e-4, Nesterov=5e-4, Adam=0.3, AdamW=0.3, AdaGrad=1.0, RMSprop=0.05),
    "beale": dict(SGD=0.01, Momentum=2e-3, Nesterov=2e-3, Adam=0.5, AdamW=0.2, AdaGrad=2.0, RMSprop=0.2),
    "himmelblau": dict(SGD=0.005, Momentum=2e-3, Nesterov=3e-3, Adam=0.3, AdamW=0.3, AdaGrad=0.5, RMSprop=0.05),
    "saddle": dict(SGD=0.01, Momentum=5e-4, Nesterov=5e-4, Adam=5e-3, AdamW=5e-3, AdaGrad=0.05, RMSprop=5e-3),
    "rastrigin": dict(SGD=2e-3, Momentum=1e-3, Nesterov=1e-3, Adam=0.1, AdamW=0.1, AdaGrad=1.0, RMSprop=0.01),
    "bowl": dict(SGD=0.02, Momentum=0.01, Nesterov=0.02, Adam=0.1, AdamW=0.1, AdaGrad=1.0, RMSprop=0.03),
    "custom": dict(SGD=0.1, Momentum=0.05, Nesterov=0.05, Adam=0.1, AdamW=0.1, AdaGrad=0.3, RMSprop=0.01),
    "line": dict(SGD=0.03, Momentum=0.01, Nesterov=0.01, Adam=0.2, AdamW=0.2, AdaGrad=1.0, RMSprop=0.02),
    "study": dict(SGD=3e-4, Momentum=5e-4, Nesterov=2e-4, Adam=3.0, AdamW=3.0, AdaGrad=3.0, RMSprop=0.3),
    "sum3": dict(SGD=0.01, Momentum=1e-3, Nesterov=1e-3, Adam=0.01, AdamW=0.01, AdaGrad=0.1, RMSprop=1e-3),
}
# Beale's walls are so steep that unclipped steps fly off: like the optimizer visualizers,
# its race starts with the gradient norm clipped at 1.
CLIP = {"beale": 1.0}
DEFAULT_OPTS = ["SGD", "Momentum", "Adam", "RMSprop"]
TABS = {"race": ":material/sports_score: Optimizer race",
        "batch": ":material/stacks: Batch vs mini-batch vs stochastic",
        "restarts": ":material/scatter_plot: Random restarts"}


def _hyper_param(label: str, h: str) -> Param:
    spec = dlcore.PRESETS[label]
    key = f"{label}.{h}"
    name = {"lr": "learning rate", "momentum": "momentum μ", "beta1": "β₁", "beta2": "β₂", "eps": "ε",
            "wd": "weight decay λ", "alpha": "α", "centered": "centered"}[h]
    lab = f"{label} {name}"
    if h == "lr":
        return Param(key, RATES["rosenbrock"][label], lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1], options=LR_OPTIONS,
                     label=lab)
    if h == "momentum":
        return Param(key, spec.momentum, lo=0.01 if label == "Nesterov" else 0.0, hi=0.99, label=lab)
    if h == "beta1":
        return Param(key, spec.beta1, lo=0.0, hi=0.99, label=lab)
    if h in ("beta2", "alpha"):
        return Param(key, getattr(spec, h), lo=0.0, hi=0.9999, options=BETA_OPTIONS, label=lab)
    if h == "eps":
        return Param(key, spec.eps, lo=EPS_OPTIONS[0], hi=EPS_OPTIONS[-1], options=EPS_OPTIONS, label=lab)
    if h == "wd":
        return Param(key, spec.weight_decay, lo=0.0, hi=1.0, options=WD_OPTIONS, label=lab)
    return Param(key, spec.centered, kind="bool", label=lab)


def _params() -> list[Param]:
    ps = [
        Param("view", "race", kind="choice", choices=tuple(TABS), label="section"),
        Param("problem", "rosenbrock", kind="choice", choices=tuple(PROBLEMS), label="problem"),
        Param("f", DEFAULT_F, kind="text", max_len=2 * EXPR_MAX_LENGTH, label="your function"),
        Param("opts", DEFAULT_OPTS, kind="multi", choices=LABELS, min_items=0, max_items=len(LABELS),
              label="optimizers"),
        Param("steps", 500, kind="int", lo=10, hi=5000, label="steps"),
        Param("own_start", False, kind="bool", label="own start point"),
        Param("sx", 0.0, lo=-100.0, hi=100.0, label="start x"),
        Param("sy", 0.0, lo=-100.0, hi=100.0, label="start y"),
        # The network's initial weights; with seed 0 every ReLU of the 3→4→1 net dies at once.
        Param("seed", 1, kind="int", lo=0, hi=2 ** 31 - 1, label="seed"),
        Param("clip", 0.0, lo=0.0, hi=100.0, options=CLIP_OPTIONS, label="gradient clipping"),
        Param("tol", 1e-2, lo=TOL_OPTIONS[0], hi=TOL_OPTIONS[-1], options=TOL_OPTIONS, label="tolerance"),
        Param("log", True, kind="bool", label="log scale"),
        Param("fair", False, kind="bool", label="fair race"),
        Param("fair_lo", 1e-5, lo=DECADES[0], hi=DECADES[-1], options=DECADES, label="lowest rate tried"),
        Param("fair_hi", 10.0, lo=DECADES[0], hi=DECADES[-1], options=DECADES, label="highest rate tried"),
        Param("fair_n", 2, kind="int", lo=1, hi=6, label="rates per decade"),
        Param("step", -1, kind="int", lo=-1, hi=BUDGET_STEPS, label="step shown"),
        Param("inside_open", False, kind="bool", label="inside the optimizer"),
        Param("inside", "Adam", kind="choice", choices=LABELS, label="optimizer to look inside"),
        Param("code", "Adam", kind="choice", choices=LABELS, label="code for"),
        # Batch vs mini-batch vs stochastic
        Param("b_opt", "SGD", kind="choice", choices=LABELS, label="optimizer (batch tab)"),
        Param("b_lr", 0.1, lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1], options=LR_OPTIONS, label="learning rate (batch tab)"),
        Param("b_steps", 300, kind="int", lo=10, hi=3000, label="updates (batch tab)"),
        Param("b_mid", 32, kind="int", lo=2, hi=400, label="mini-batch size"),
        Param("b_model", "logistic", kind="choice", choices=("logistic", "mlp"), label="model"),
        Param("b_seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed (batch tab)"),
        # Random restarts
        Param("r_surface", "himmelblau", kind="choice", choices=("himmelblau", "rastrigin"),
              label="surface (restarts)"),
        Param("r_opt", "SGD", kind="choice", choices=LABELS, label="optimizer (restarts)"),
        Param("r_lr", 0.01, lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1], options=LR_OPTIONS, label="learning rate (restarts)"),
        Param("r_n", 150, kind="int", lo=4, hi=500, label="start points"),
        Param("r_layout", "random", kind="choice", choices=("random", "grid"), label="start layout"),
        Param("r_steps", 300, kind="int", lo=10, hi=3000, label="steps (restarts)"),
        Param("r_seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed (restarts)"),
        Param("r_paths", False, kind="bool", label="show paths"),
    ]
    for label in LABELS:
        ps += [_hyper_param(label, h) for h in HYPER[label]]
    return ps


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def plain(text: str) -> str:
    """Text shown literally inside st.error/st.info (markdown): punctuation escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def lr_text(v: float) -> str:
    return f"{v:.3g}"


def swatch(label: str) -> str:
    # Constant strings only (no learner text): the optimizer's colour as a dot.
    return f"<span style='color:{oc.COLORS[label]};font-size:1.3em'>●</span> **{label}**"


def spec_for(state: PageState, label: str) -> dlcore.OptimizerSpec:
    """The column's settings as an OptimizerSpec (validated by dlcore)."""
    over = {}
    for h in HYPER[label]:
        over[FIELD.get(h, h)] = state[f"{label}.{h}"]
    return dlcore.preset(label, **over)


def settings_text(spec: dlcore.OptimizerSpec, label: str) -> str:
    """Short 'μ=0.9, wd=0' text of a column's hyperparameters besides the rate."""
    parts = []
    for h in HYPER[label]:
        if h == "lr":
            continue
        v = getattr(spec, FIELD.get(h, h))
        name = {"momentum": "μ", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "wd": "λ", "alpha": "α",
                "centered": "centered"}[h]
        if h == "centered":
            if v:
                parts.append("centered")
            continue
        parts.append(f"{name}={v:g}")
    return ", ".join(parts)


def tabs_widget(label, key, options, holder):
    """st.tabs bound to a PageState key: the validated value selects the tab, and
    switching tabs writes the tab's id back (lazy tabs: only the open one runs)."""
    ss = st.session_state
    tkey = key + "#tabs"
    ids = list(options)
    ss[tkey] = options[ss[key]] if ss.get(key) in options else options[ids[0]]

    def changed():
        ss[key] = ids[list(options.values()).index(ss[tkey])]

    holder.extend(st.tabs(list(options.values()), key=tkey, on_change=changed))
    return ss[key]


def expander_widget(label, key, holder, **kw):
    """st.expander bound to a PageState key (open/closed); its content runs only when open."""
    ss = st.session_state
    ekey = key + "#open"
    ss[ekey] = bool(ss.get(key, False))

    def changed():
        ss[key] = bool(ss[ekey])

    holder.append(st.expander(label, key=ekey, on_change=changed, **kw))
    return bool(ss[key])


def step_slider(label, key, steps, **kw):
    """A 0..steps slider whose value −1 means "the last step", so the view stays at the
    end when the number of steps changes."""
    ss = st.session_state
    pending = ss.pop("_opt_pending_step", None)
    v = pending if pending is not None else ss.get(key, -1)
    if not isinstance(v, int) or v < 0 or v >= steps or v == ss.get("_opt_step_max"):
        v = steps
    ss[key] = v
    ss["_opt_step_max"] = steps
    k = st.slider(label, min_value=0, max_value=steps, key=key, **kw)
    return -1 if k >= steps else int(k)


def default_start_of(kind: str) -> tuple[float, float] | None:
    if kind in dlcore.SURFACES:
        return dlcore.SURFACES[kind].start
    if kind == "custom":
        return (1.0, 1.0)
    if kind in ("line", "study"):
        return (dlcore.LINE_FIT if kind == "line" else dlcore.STUDY_HOURS).start
    return None


def prefill_start(start) -> None:
    """Switching "choose the start" on fills in the problem's own start, ready to edit."""
    ss = st.session_state
    if ss.get(f"{PAGE}.own_start") and start is not None:
        ss[f"{PAGE}.sx"], ss[f"{PAGE}.sy"] = float(start[0]), float(start[1])


def start_clicked() -> None:
    """A click on the map: start every optimizer at that cell's centre (the settings go
    through the page's validated start-point inputs on the rerun)."""
    ss = st.session_state
    event = ss.get(f"{PAGE}.map")
    picked = (event or {}).get("selection", {}).get("pick") or []
    if not picked or "p0" not in picked[0]:
        return
    ss[f"{PAGE}.own_start"] = True
    ss[f"{PAGE}.sx"] = round(float(picked[0]["p0"]), 3)
    ss[f"{PAGE}.sy"] = round(float(picked[0]["p1"]), 3)
    ss["_opt_pending_step"] = 10 ** 9        # show the whole new race
    ss["_opt_start_clicked"] = True


def sync_url(state: PageState, key: str) -> None:
    """Write one setting to the URL (a fragment rerun does not reach state.finish())."""
    p = state.by_key[key]
    enc = p.encode(state[key])
    if enc == p.encode(p.default):
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != enc:
        st.query_params[key] = enc


# ---------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------
def line_window(problem: dlcore.LinearProblem, start) -> tuple[float, float, float, float]:
    """A view of the (w, b) plane holding the start and the least-squares line."""
    w, b, _ = problem.least_squares()
    ws, bs = (start[0], w), (start[1], b)
    pw = max(0.35 * (max(ws) - min(ws)), 1.0)
    pb = max(0.35 * (max(bs) - min(bs)), 1.0)
    return (min(ws) - pw, max(ws) + pw, min(bs) - pb, max(bs) + pb)


def expand_window(window, point, pad: float = 0.05):
    """The window grown to hold the point with a margin of ``pad`` × its size."""
    x0, x1, y0, y1 = window
    px, py = point
    wx, wy = (max(x1, px) - min(x0, px)), (max(y1, py) - min(y0, py))
    return (min(x0, px - pad * wx), max(x1, px + pad * wx), min(y0, py - pad * wy), max(y1, py + pad * wy))


def cover_paths(window, xs, ys, cap: float = 2.0):
    """The window grown to hold the paths' finite points, by at most ``cap`` × its size
    on each side (a run flying off stays clipped)."""
    x0, x1, y0, y1 = window
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return window
    wx, wy = x1 - x0, y1 - y0
    lo_x, hi_x = max(xs[ok].min(), x0 - cap * wx), min(xs[ok].max(), x1 + cap * wx)
    lo_y, hi_y = max(ys[ok].min(), y0 - cap * wy), min(ys[ok].max(), y1 + cap * wy)
    return (min(x0, lo_x - 0.05 * wx), max(x1, hi_x + 0.05 * wx), min(y0, lo_y - 0.05 * wy), max(y1, hi_y + 0.05 * wy))


def build_problem(kind: str, expr: str, start):
    """(problem, info) for the race; info describes how to draw it."""
    if kind in dlcore.SURFACES or kind == "custom":
        base = dlcore.SurfaceProblem(kind, expression=expr if kind == "custom" else "")
        d = base.definition
        st_pt = tuple(start) if start is not None else d.start
        problem = replace(base, start=st_pt)
        window = expand_window(d.window, st_pt)
        return problem, dict(dtype="float64", two_d=True, window=window, x="x", y="y", start=st_pt,
                             log_color=d.log_color or kind == "custom",
                             title="Your own function" if kind == "custom" else d.title, about=d.about)
    if kind in ("line", "study"):
        base = dlcore.LINE_FIT if kind == "line" else dlcore.STUDY_HOURS
        st_pt = tuple(start) if start is not None else base.start
        problem = replace(base, start=st_pt)
        w, b = problem.names
        return problem, dict(dtype="float64", two_d=True, window=line_window(problem, st_pt), x=w, y=b,
                             start=st_pt, log_color=True, title=problem.title,
                             about=f"Mean squared error of the line y = {w}·x + {b} on the article's points; "
                                   f"the map shows the loss over ({w}, {b}).")
    problem = dlcore.SumOfThree()
    return problem, dict(dtype="float32", two_d=False, window=None, x=None, y=None, start=None,
                         log_color=False, title="Sum of three: a 3→4→1 ReLU network",
                         about="Article 001's network learning y = x₁ + x₂ + x₃ from three examples "
                               "(MSE, 21 parameters, nn.Linear's initialisation from the seed).")


def formula_md(kind: str, problem) -> str:
    if kind in dlcore.SURFACES:
        return dlcore.SURFACES[kind].latex
    if kind in ("line", "study"):
        w, b = problem.names
        return rf"L({w}, {b}) = \tfrac1n \textstyle\sum_i ({w} x_i + {b} - y_i)^2"
    if kind == "sum3":
        return r"L = \tfrac13 \textstyle\sum_i (\mathrm{net}(x_i) - (x_{i1}+x_{i2}+x_{i3}))^2"
    return ""


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_trace(problem, run, config):
    return compute.offload(trace_state, problem, run, config)


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------
_entering = st.session_state.get("_gdl_page") != PAGE
state = PageState(PAGE, _params())
if _entering and "problem" in st.query_params:
    # A link that names a problem but not every rate gets the rates that suit that problem.
    for _label in LABELS:
        if f"{_label}.lr" not in st.query_params:
            state.set(f"{_label}.lr", RATES[state["problem"]][_label])
    if "clip" not in st.query_params:
        state.set("clip", CLIP.get(state["problem"], 0.0))

header("Optimizer comparison",
       "Race optimizers on the same problem **from the same start** — every run is paired, so any "
       "difference comes from the optimizer alone. All runs train together in one batched PyTorch call; "
       "every number is what `torch.optim` computes for these settings.")

tab_holder: list = []
view = state.widget(tabs_widget, "view", "", options=TABS, holder=tab_holder)
tab_race, tab_batch, tab_restarts = tab_holder


# ======================================================================= the race ======
def race_tab() -> None:
    top = st.columns([1.25, 2.4, 1.35], gap="medium")
    with top[0]:
        kind = state.selectbox("problem", "Problem", format_func=PROBLEMS.get,
                               on_change=lambda: st.session_state.__setitem__("_opt_problem_changed", True))
    if st.session_state.pop("_opt_problem_changed", False):
        # A new problem gets rates that suit it (see RATES), its own start and the last step.
        for label in LABELS:
            state.set(f"{label}.lr", RATES[kind][label])
        state.set("own_start", False)
        state.set("step", -1)
        state.set("clip", CLIP.get(kind, 0.0))
    with top[1]:
        labels = state.multiselect("opts", "Optimizers (pick two or more)")
    with top[2]:
        steps_wanted = state.slider("steps", "Steps", step=10)

    expr = state["f"]
    if kind == "custom":
        expr = state.text_input(
            "f", "Your function f(x, y)", max_chars=2 * EXPR_MAX_LENGTH,
            help=f"Numbers, x, y, pi, e, + − * / ** and brackets, and sin, cos, exp, log, sqrt, abs, tanh. "
                 f"At most {EXPR_MAX_LENGTH} characters; exponents must be plain numbers up to {MAX_EXPONENT}. "
                 "Nothing you type is ever run as Python: it is parsed into PyTorch operations.")

    # ---- the function (a learner's formula falls back to the last one that worked) -------
    if kind == "custom":
        try:
            dlcore.SurfaceProblem("custom", expression=expr)
            st.session_state["_opt_last_f"] = expr
        except ValueError as e:
            fallback = st.session_state.get("_opt_last_f", DEFAULT_F)
            st.error(f"**This formula can't be used:** {plain(e)}\n\nYour text is still in the box. "
                     f"Until it is fixed the race uses the last formula that worked: {quote(fallback, 120)}",
                     icon=":material/edit:")
            expr = fallback

    opts_row = st.columns([1, 1, 1, 1.3], gap="small", vertical_alignment="center")
    with opts_row[0]:
        fair = state.toggle("fair", "Fair race",
                            help="Trains every optimizer at a grid of learning rates (one batched call), "
                                 "then races the best rate of each.")
    with opts_row[1]:
        log_axis = state.toggle("log", "Log-scale loss")
    with opts_row[2]:
        own = state.toggle("own_start", "Choose the start",
                           help="All optimizers start from the same point (paired runs). You can also click "
                                "the map to start there.",
                           disabled=kind == "sum3", on_change=prefill_start, args=(default_start_of(kind),))
    with opts_row[3]:
        with st.popover("More settings", icon=":material/tune:", width="stretch"):
            clip = state.select_slider("clip", "Clip the gradient norm at (0 = off)",
                                       format_func=lambda v: "off" if v == 0 else f"{v:g}",
                                       help="torch.nn.utils.clip_grad_norm_ before every step "
                                            "(the optimizer visualizers use 1.0).")
            tol = state.select_slider("tol", "Converged when the loss stays within",
                                      format_func=lambda v: f"{v:g} of the minimum",
                                      help="Steps to converge = the first step from which the loss stays "
                                           "within this of the known minimum (or below it, when the "
                                           "minimum is unknown).")
            seed = state.number_input("seed", "Seed (network's initial weights)", step=1,
                                      disabled=kind != "sum3")
            if fair:
                st.markdown("**Fair race grid**")
                lo = state.select_slider("fair_lo", "Lowest rate tried", format_func=lambda v: f"{v:g}")
                hi = state.select_slider("fair_hi", "Highest rate tried", format_func=lambda v: f"{v:g}")
                per = state.slider("fair_n", "Rates per decade")
            else:
                lo, hi, per = state["fair_lo"], state["fair_hi"], state["fair_n"]
    if not labels:
        st.info("Pick the optimizers to race above — two or more.", icon=":material/arrow_upward:")
        return
    if len(labels) == 1:
        st.info(f"Only {labels[0]} is running: add another optimizer above to compare.",
                icon=":material/add_circle:")

    default_start = default_start_of(kind)
    if own and kind != "sum3":
        sc = st.columns([1, 1, 3], vertical_alignment="bottom")
        with sc[0]:
            sx = state.number_input("sx", "Start x" if kind not in ("line", "study") else "Start (slope)",
                                    step=0.1, format="%.4g")
        with sc[1]:
            sy = state.number_input("sy", "Start y" if kind not in ("line", "study") else "Start (intercept)",
                                    step=0.1, format="%.4g")
        with sc[2]:
            st.caption(f"The problem's own start is ({default_start[0]:g}, {default_start[1]:g}). "
                       "Every optimizer starts here. Tip: click the map to start somewhere else.")
        start = (sx, sy)
    else:
        start = None

    try:
        problem, info = build_problem(kind, expr, start)
        specs = {label: spec_for(state, label) for label in labels}
    except ValueError as e:
        st.error(f"Can't use these settings: {plain(e)}", icon=":material/block:")
        return

    # ---- per-optimizer columns ----------------------------------------------------------
    cols = st.columns(len(labels), gap="small")
    for col, label in zip(cols, labels):
        with col, st.container(border=True):
            st.markdown(swatch(label), unsafe_allow_html=True)
            st.caption(RULES[label])
            for h in HYPER[label]:
                if h not in MAIN and not (h == "momentum" and label in ("Momentum", "Nesterov")):
                    continue
                key = f"{label}.{h}"
                if h == "lr":
                    state.select_slider(key, "learning rate η", format_func=lr_text, disabled=fair,
                                        help="Ignored while the fair race picks the rate." if fair else None)
                elif h in ("momentum", "beta1"):
                    state.slider(key, "momentum μ" if h == "momentum" else "β₁ (mean of g)", step=0.01)
                else:
                    state.select_slider(key, "α (mean of g²)", format_func=lambda v: f"{v:g}")
            more = [h for h in HYPER[label]
                    if h not in MAIN and not (h == "momentum" and label in ("Momentum", "Nesterov"))]
            with st.expander(", ".join(SHORT[h] for h in more)):
                for h in more:
                    key = f"{label}.{h}"
                    if h == "beta2":
                        state.select_slider(key, "β₂ (mean of g²)", format_func=lambda v: f"{v:g}")
                    elif h == "momentum":
                        state.slider(key, "momentum μ", step=0.01)
                    elif h == "eps":
                        state.select_slider(key, "ε", format_func=lambda v: f"{v:g}")
                    elif h == "wd":
                        state.select_slider(key, "weight decay λ" + (" (decoupled)" if label == "AdamW" else ""),
                                            format_func=lambda v: f"{v:g}")
                    elif h == "centered":
                        state.checkbox(key, "centered")
    try:
        specs = {label: spec_for(state, label) for label in labels}
    except ValueError as e:
        st.error(f"Can't use these settings: {plain(e)}", icon=":material/block:")
        return

    # ---- train: one batched call -------------------------------------------------------
    obj_examples = getattr(problem, "n", None) or (3 if kind == "sum3" else 1)
    n_params = 2 if info["two_d"] else 21
    if fair:
        if not lo < hi:
            st.warning(f"The lowest rate tried ({lo:g}) must be below the highest ({hi:g}); using 1e-05 to 10.",
                       icon=":material/warning:")
            lo, hi = 1e-5, 10.0
        lrs = log_grid(lo, hi, int(round(math.log10(hi / lo) * per)) + 1)
        runs = tuning_runs([specs[label] for label in labels], lrs, seed=seed)
    else:
        lrs = []
        runs = [dlcore.RunSpec(specs[label], seed=seed, label=label) for label in labels]
    # fit_budget's per-step cost is for one optimizer kind; every further kind is its own group of
    # tensor operations in each step (measured: ~4-5× the estimate with all seven), so share the budget.
    _, steps, notes = fit_budget(len(runs), steps_wanted, n_params, obj_examples,
                                 max_seconds=BUDGET_SECONDS / max(1, len(labels)))
    config = dlcore.TrainConfig(steps=steps, dtype=info["dtype"], clip_norm=clip or None, tol=tol,
                                record_params=info["two_d"])
    res = compute.train(problem, tuple(runs), config)
    note_box(notes)

    if fair:
        best = pick_best(res)
        lost = best[best["run"] < 0]["label"].tolist()
        if lost:
            st.warning("Every rate from " + f"{lo:g} to {hi:g} diverged for " + ", ".join(lost)
                       + ": left out of the race.", icon=":material/error:")
        best = best[best["run"] >= 0]
        idx = best["run"].tolist()
        race_labels = best["label"].tolist()
        chosen_lr = dict(zip(best["label"], best["lr"]))
        if not idx:
            st.error("Every optimizer diverged at every rate tried. Lower the rates in **More settings**.",
                     icon=":material/error:")
            return
    else:
        idx = list(range(len(labels)))
        race_labels = list(labels)
        chosen_lr = {label: specs[label].lr for label in labels}
    if fair:
        with st.container():
            st.caption(f":material/target: **Fair race:** rates chosen from {len(lrs)} rates between {lo:g} and "
                       f"{hi:g}: "
                       + ", ".join(f"{lab} η = {chosen_lr[lab]:.3g}" for lab in race_labels) + ".")

    rt = race_table(res, problem).iloc[idx].reset_index(drop=True)
    hist_all = res.history(runs=idx, max_points=1000 if info["two_d"] else 600)
    if kind in ("line", "study"):
        info["window"] = cover_paths(info["window"], hist_all[info["x"]], hist_all[info["y"]])
    minima = known_minima(problem)
    negative = bool((rt["best_loss"].dropna() < 0).any()) or kind == "saddle"
    log_eff = log_axis and not negative

    st.markdown(f"##### {info['title']}")
    fcol, acol = st.columns([2, 3])
    with fcol:
        if kind == "custom":
            st.markdown("f(x, y) = " + quote(problem.parsed().text, 200))
        else:
            st.latex(formula_md(kind, problem))
    with acol:
        st.caption(info["about"] + f" · {config.dtype}, {steps} steps"
                   + (f", gradients clipped at norm {clip:g}" if clip else "") + ".")

    race_view(state, res, idx, race_labels, hist_all, problem, info, minima, log_eff, negative, steps)
    results_section(rt, res, race_labels, problem, minima, config, chosen_lr, specs, fair)
    if fair:
        tuning_section(res, labels, lrs, steps, lo, hi)
    inside_section(state, problem, race_labels, chosen_lr, specs, config, seed)
    code_section(state, problem, race_labels, chosen_lr, specs, config, seed)
    share_hint(state)


@st.fragment
def race_view(state, res, idx, race_labels, hist_all, problem, info, minima, log_eff, negative, steps):
    """Step slider, play button and the two charts: a rerun of this part only redraws."""
    if st.session_state.pop("_opt_start_clicked", False):
        st.rerun()          # a new start point means new runs: rerun the whole page, not just this part
    sl, pl = st.columns([6, 1], vertical_alignment="bottom")
    with sl:
        v = state.widget(step_slider, "step", "Show the race up to step", steps=steps,
                         help="Drag to watch the optimizers move; the dots are where each one is at this step.")
    sync_url(state, "step")
    k = steps if v < 0 else v
    with pl:
        play = st.button("Play", icon=":material/play_arrow:", width="stretch",
                         help="Animate the race from step 0 (the slider is a setting; this button only plays).")
    if info["two_d"]:
        grid = compute.grid(problem, info["window"], 50)
        left, right = st.columns([1.25, 1], gap="medium")
        map_ph, loss_ph = left.empty(), right.empty()
        left.caption("▲ start (the same for all) · ◆ known minimum · dots: every step, so their spacing is the "
                     "step length. **Click the map to start every optimizer there.**")
    else:
        grid, map_ph, loss_ph = None, None, st.empty()

    base = (oc.contour_layer(grid, info["window"], info["log_color"], info["x"], info["y"])
            if grid is not None and play else None)

    def draw(step: int, final: bool = True) -> None:
        y_title = "training loss (MSE)" if problem.__class__.__name__ != "SurfaceProblem" else "f(x, y)"
        if final:   # the resting view comes from the spec cache; the map is clickable
            if map_ph is not None:
                chart(oc.race_surface_chart, grid, info["window"], info["log_color"], hist_all, step,
                      tuple(race_labels), tuple(info["start"]), minima=tuple(minima), x_title=info["x"],
                      y_title=info["y"], px=info["x"], py=info["y"], pick=True, where=map_ph,
                      key=f"{PAGE}.map", on_select=start_clicked, selection_mode="pick")
            chart(oc.race_loss_chart, hist_all, tuple(race_labels), log_eff, upto=step, y_title=y_title,
                  where=loss_ph)
            return
        # Animation frames (Play) are drawn once each: not worth a cache entry.
        if map_ph is not None:
            map_ph.vega_lite_chart(spec(oc.race_surface_chart(
                grid, info["window"], info["log_color"], hist_all, step, race_labels, info["start"],
                minima=minima, x_title=info["x"], y_title=info["y"], px=info["x"], py=info["y"], base=base)),
                width="stretch")
        loss_ph.vega_lite_chart(spec(oc.race_loss_chart(hist_all, race_labels, log_eff, upto=step, y_title=y_title)),
                                width="stretch")

    if play:
        frames = sorted(set(np.linspace(0, steps, 21).round().astype(int).tolist()))
        for f in frames:
            draw(f, final=False)
            time.sleep(0.05)
        st.session_state["_opt_pending_step"] = steps   # the slider jumps to the end on the rerun
        try:
            st.rerun(scope="fragment")
        except StreamlitAPIException:   # not inside a fragment rerun (e.g. the page's first run)
            st.rerun()
    draw(k)
    here = hist_all[hist_all["step"] <= k].sort_values(["run", "step"]).groupby("run").tail(1)
    parts = []
    for _, r in here.iterrows():
        where = "diverged" if r["diverged"] else f"loss {fmt(r['loss'], 4)}"
        parts.append(f"**{r['label']}** {where}")
    st.caption(f"At step {k}: " + " · ".join(parts)
               + (". Log axis off: this loss goes below zero." if negative and state["log"] else "."))


def results_section(rt, res, race_labels, problem, minima, config, chosen_lr, specs, fair):
    st.subheader("Results")
    steps = res.steps
    has_min = not (isinstance(problem, dlcore.SurfaceProblem) and problem.name == "saddle")
    known = res.optimum is not None
    steps_col = "steps to converge" if known else "steps to settle"
    reached, diverged = [], []
    for c, sa, d in zip(rt["converged_at"], rt["settled_at"], rt["diverged_at"]):
        k = c if known else sa
        diverged.append("—" if pd.isna(d) else f"step {int(d)}")
        if not pd.isna(d) or not has_min:
            reached.append("—")
        else:
            reached.append(f"not in {steps}" if pd.isna(k) else str(int(k)))
    gone = rt["diverged_at"].notna().to_numpy()
    as_words = lambda col: np.where(gone, np.inf, rt[col].astype(float))  # noqa: E731 — inf shows as "diverged"
    table_df = pd.DataFrame({
        "optimizer": race_labels,
        "η": [chosen_lr[lab] for lab in race_labels],
        "other settings": [settings_text(specs[lab], lab) for lab in race_labels],
        "final loss": as_words("final_loss"),
        steps_col: reached,
        "diverged at": diverged,
    })
    if not has_min:       # nothing to converge to: the column would only hold dashes
        table_df = table_df.drop(columns=[steps_col])
    if minima:
        table_df["distance to minimum"] = as_words("distance")
        if len(minima) > 1:
            table_df["nearest minimum"] = [
                "—" if pd.isna(i) else f"({minima[int(i)][0]:.4g}, {minima[int(i)][1]:.4g})"
                for i in rt["nearest_minimum"]]
    for name in res.param_names if len(res.param_names) <= 2 else ():
        table_df[f"final {name}"] = as_words(name)
    table(table_df, "optimizer_race.csv", column_config={
        "η": st.column_config.NumberColumn("η", format="%.4g", help="learning rate"),
        "final loss": st.column_config.NumberColumn(format="%.6g"),
        steps_col: st.column_config.TextColumn(help=f"within tolerance {config.tol:g}; see below the table"),
        "distance to minimum": st.column_config.NumberColumn(format="%.4g", help="Euclidean distance from the "
                                                             "final point to the nearest known minimum"),
    })
    if known:
        rule = (f"**Steps to converge**: the first step from which the loss stays within {config.tol:g} of the "
                f"minimum {res.optimum:.6g} to the end.")
    else:
        rule = (f"**Steps to settle**: the first step from which the loss stays within {config.tol:g} of its final "
                "value — it stopped moving; this function's minimum is not known, so that need not be a minimum.")
    st.caption(f"{rule} **Diverged**: the loss became "
               "infinite or NaN, or rose past 10⁴ × its starting gap to the minimum; the run stops there."
               + (" **Distance**: from the final point to the nearest known minimum (Euclidean)."
                           if minima else "") + ("" if has_min else " This surface has no minimum: it falls "
                                                 "forever, so \"converged\" has no meaning here."))
    # A sentence a teacher can read out.
    conv = rt.assign(label=race_labels).dropna(subset=["converged_at"])
    finals = rt.assign(label=race_labels)
    finals = finals[np.isfinite(finals["final_loss"].astype(float))]
    msg = []
    if len(conv) and has_min and res.optimum is not None:
        first = conv.sort_values("converged_at").iloc[0]
        msg.append(f"**{first['label']}** converged first, at step **{int(first['converged_at'])}**")
    if len(finals):
        low = finals.sort_values("final_loss").iloc[0]
        msg.append(f"lowest final loss: **{low['label']}** ({fmt(low['final_loss'], 4)})")
    gone = [lab for lab, d in zip(race_labels, rt["diverged_at"]) if not pd.isna(d)]
    if gone:
        msg.append("diverged: " + ", ".join(f"**{g}**" for g in gone))
    if msg:
        st.markdown(":material/sports_score: " + "; ".join(msg) + ".")
    if not fair:
        st.caption("One shared recipe does not fit all: each optimizer here runs at its own rate. For a fair "
                   "verdict, switch on **Fair race** — it tunes every optimizer's rate first.")


def tuning_section(res, labels, lrs, steps, lo, hi):
    st.subheader("How the fair race chose the rates")
    t = tuning_table(res)
    st.markdown(f"Every optimizer trained at **{len(lrs)} rates** from {lo:g} to {hi:g} (log-spaced) — "
                f"{len(t)} runs in one batched call, all from the same start. Chosen: {CRITERION}.")
    a, b = oc.tuning_charts(t, labels, steps)
    c1, c2 = st.columns(2)
    with c1:
        draw_chart(a)
    with c2:
        draw_chart(b)
    best = pick_best(res)
    show = pd.DataFrame({"optimizer": best["label"], "chosen rate": best["lr"], "result": best["status"],
                         "steps to converge": ["—" if pd.isna(k) else str(int(k)) for k in best["converged_at"]],
                         "final loss": np.where(best["run"] < 0, np.inf, best["final_loss"].astype(float))})
    table(show, "fair_race_rates.csv", column_config={"chosen rate": st.column_config.NumberColumn(format="%.4g")})
    with st.expander("Every rate tried"):
        table(t.drop(columns=["run"]), "fair_race_grid.csv")


def inside_section(state, problem, race_labels, chosen_lr, specs, config, seed):
    holder: list = []
    is_open = state.widget(expander_widget, "inside_open", "Inside the optimizer: what it remembers between steps",
                           holder=holder, icon=":material/memory:")
    if not is_open:
        return
    with holder[0]:
        st.caption("Plain SGD forgets everything after each step. Momentum keeps a velocity; Adam keeps running "
                   "means of the gradient (m) and of its square (v); AdaGrad sums every squared gradient; RMSprop "
                   "keeps a running mean of squares. These are torch.optim's own `optimizer.state` tensors, "
                   "recorded at every step by re-running the chosen optimizer alone.")
        if state["inside"] not in race_labels:
            keeps = [lab for lab in race_labels if lab != "SGD"]
            state.set("inside", (keeps or race_labels)[0])
        label = state.selectbox("inside", "Optimizer", options=list(race_labels))
        run = dlcore.RunSpec(specs[label].with_lr(chosen_lr[label]), seed=seed, label=label)
        tr = cached_trace(problem, run, replace(config, record_params=None))
        frame = tr.frame(max_points=400) if len(tr.param_names) <= 4 else tr.norm_frame(max_points=400)
        if frame.empty:
            st.info("This run diverged at once: there is no state to show.")
            return
        qs = list(dict.fromkeys(frame["quantity"]))
        if not tr.state:
            st.info(f"{label} keeps no state: each step uses only the current gradient.", icon=":material/memory:")
        names = list(dict.fromkeys(frame["param"]))
        if len(names) > 1:
            hues = ["blue", "orange", "green", "pink"]
            st.markdown("Lines: " + ", ".join(f"**{n}** {hues[i]}" for i, n in enumerate(names)) +
                        " (y axes are logarithmic, or symmetric-log where values change sign).")
        else:
            st.markdown(f"Each line is the length (Euclidean norm) over all {len(tr.param_names)} parameters.")
        cols = st.columns(2, gap="medium")
        for i, q in enumerate(qs):
            sub = frame[frame["quantity"] == q]
            positive = q in ("exp_avg_sq", "sum", "square_avg", "rate")
            with cols[i % 2]:
                chart(oc.state_chart, sub, DESCRIPTIONS[q], log=positive)
        if label in ("Adam", "AdamW"):
            st.caption("Why Adam can stall on the Rosenbrock valley: v remembers the huge gradients of the steep "
                       "walls for ~1/(1−β₂) = 1000 steps, so the step g/√v stays tiny on the flat valley floor. "
                       "Clipping the gradient (More settings) or a smaller β₂ shortens that memory.")


def code_section(state, problem, race_labels, chosen_lr, specs, config, seed):
    if state["code"] not in race_labels:
        state.set("code", race_labels[0])
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    with left:
        label = state.selectbox("code", "Show the code for", options=list(race_labels))
    run = dlcore.RunSpec(specs[label].with_lr(chosen_lr[label]), seed=seed, label=label)
    script = compute.script(problem, run, replace(config, record_params=None))
    with right:
        code(script, f"race_{label.lower()}.py")


# ================================================================ batch sizes tab ======
def batch_tab() -> None:
    st.markdown("Article 002 compares three ways to use the data: **batch** gradient descent (all examples per "
                "update), **mini-batch** (a few at a time) and **stochastic** (one at a time). Here they are "
                "measured on the article's purchase data (800 training records, 200 for testing), with the same "
                "optimizer, rate, initial weights and shuffling seed.")
    c = st.columns([1, 1.4, 1.4, 0.9, 1.2, 0.9], gap="medium")
    with c[0]:
        label = state.selectbox("b_opt", "Optimizer")
    with c[1]:
        lr = state.select_slider("b_lr", "Learning rate", format_func=lr_text)
    with c[2]:
        steps_wanted = state.slider("b_steps", "Updates", step=10)
    with c[3]:
        mid = state.number_input("b_mid", "Mini-batch size", step=1)
    with c[4]:
        model = state.selectbox("b_model", "Model", format_func={"logistic": "logistic regression",
                                                                "mlp": "MLP 3→16→1"}.get)
    with c[5]:
        seed = state.number_input("b_seed", "Seed", step=1, help="Initial weights and the shuffling order.")
    problem = dlcore.PurchaseProblem(model=model)
    n = problem.n_train_max
    mid = min(mid, n - 1)
    spec = dlcore.preset(label, lr=lr)
    n_params = 4 if model == "logistic" else 3 * 16 + 16 + 16 + 1
    _, steps, notes = fit_budget(3, steps_wanted, n_params, 2 * n)
    note_box(notes)
    # Three training calls: the batch size is a setting of a whole call (TrainConfig), not of a run.
    # Each is cached; they share the seed, so the initial weights and the shuffling generator match.
    variants = [(f"batch (all {n})", None), (f"mini-batch ({mid})", mid), ("stochastic (1)", 1)]
    frames, rows = [], []
    for name, bs in variants:
        run = dlcore.RunSpec(spec, seed=seed, label=name)
        cfg = dlcore.TrainConfig(steps=steps, batch_size=bs, dtype="float32", record_params=False)
        res = compute.train(problem, (run,), cfg)
        h = res.history(max_points=800)
        h["epochs"] = h["samples_seen"] / n
        frames.append(h)
        per = n if bs is None else bs
        metrics, _ = evaluate_classifier(problem, np.array(res.final_params[0]), dtype="float32")
        diverged = res.diverged_at[0] >= 0
        rows.append({"method": name, "examples per update": per,
                     "samples seen": int(res.samples_seen[-1]), "epochs": res.samples_seen[-1] / n,
                     "train loss": float(res.loss[-1, 0]) if not diverged else float("nan"),
                     "test loss": float(res.test_loss[-1, 0]) if not diverged else float("nan"),
                     "test accuracy": float(metrics.loc["test", "accuracy"]) if not diverged else float("nan"),
                     "loss went up": loss_ups(res.loss[:, 0])})
    hist = pd.concat(frames, ignore_index=True)
    hist["run"] = hist["label"]
    left, right = st.columns(2, gap="medium")
    with left:
        chart(loss_chart, hist, x="step", title="Training loss after each update", height=380,
              x_title="updates", y_title="training loss (BCE)", legend_title="method", legend={"orient": "top"})
    with right:
        chart(loss_chart, hist[hist["step"] > 0], x="epochs", x_log=True, height=380,
              title="The same runs against data read",
              x_title=f"epochs = samples seen ÷ {n} (log scale)", y_title="training loss (BCE)",
              legend_title="method", legend={"orient": "top"})
    t = pd.DataFrame(rows)
    table(t, "batch_vs_minibatch.csv", column_config={
        "epochs": st.column_config.NumberColumn(format="%.3g"),
        "train loss": st.column_config.NumberColumn(format="%.5f"),
        "test loss": st.column_config.NumberColumn(format="%.5f"),
        "test accuracy": st.column_config.NumberColumn(format="%.3f"),
        "loss went up": st.column_config.NumberColumn(
            format="percent", help="share of updates after which the loss on all training records was higher"),
    })
    st.caption(f"Training loss = binary cross-entropy on all {n} training records after each update (for "
               "mini-batches that is more than the update itself saw). Three training calls (a batch size belongs "
               f"to a whole call), each cached; seed {seed} gives all three the same initial weights and the same "
               "shuffling generator. float32, as a plain PyTorch script would use.")
    full, mb, sto = rows
    st.markdown("##### The article's table, measured")
    claims = pd.DataFrame([
        {"method": "batch", "article says": "Guaranteed convergence to the global minimum, deterministic; "
                                            "memory-hungry and expensive on large data.",
         "measured here": f"Every update reads all {n} records; the loss went up after "
                          f"{full['loss went up']:.0%} of updates (deterministic). 'Guaranteed' "
                          "holds for a convex loss like logistic regression with a small enough rate — "
                          "not for networks in general."},
        {"method": "stochastic", "article says": "Efficient, suits large data, handles noisy gradients; "
                                                 "high variance, needs careful rate tuning.",
         "measured here": f"Each update reads 1 record, {n}× cheaper; the loss went up after "
                          f"{sto['loss went up']:.0%} of updates — that is the variance. "
                          f"Per record processed it is far ahead (right chart)."},
        {"method": f"mini-batch ({mid})", "article says": "Balances the two, reduces noise; needs a batch "
                                                          "size, slower on small data sets.",
         "measured here": f"Reads {mid} records per update; the loss rose after "
                          f"{mb['loss went up']:.0%} of updates — between the other two."},
    ])
    st.table(claims.set_index("method"))
    code(compute.script(problem, dlcore.RunSpec(spec, seed=seed),
                        dlcore.TrainConfig(steps=steps, batch_size=mid, dtype="float32")),
         "minibatch_purchase.py", label=f"Show the code (mini-batch {mid})")


# ============================================================= random restarts tab =====
def restarts_tab() -> None:
    st.markdown("Article 002: gradient descent *\"may converge to a local minimum instead of the global minimum … "
                "random initialization and multiple restarts can be used\"*. Here many start points run at once "
                "(one batched call); each dot is a start, coloured by the minimum its run reached.")
    c = st.columns([1.2, 1, 1.3, 1.2, 1.2], gap="medium")
    with c[0]:
        surface = state.selectbox("r_surface", "Surface", format_func=lambda s: dlcore.SURFACES[s].title)
    with c[1]:
        label = state.selectbox("r_opt", "Optimizer")
    with c[2]:
        lr = state.select_slider("r_lr", "Learning rate", format_func=lr_text)
    with c[3]:
        n = state.slider("r_n", "Start points", step=1)
    with c[4]:
        steps_wanted = state.slider("r_steps", "Steps", step=10)
    c2 = st.columns([1, 1, 3], vertical_alignment="center")
    with c2[0]:
        layout = state.radio("r_layout", "Start points on", horizontal=True,
                             format_func={"random": "random", "grid": "a grid"}.get)
    with c2[1]:
        seed = state.number_input("r_seed", "Seed", step=1, disabled=layout == "grid")
    with c2[2]:
        show_paths = state.toggle("r_paths", "Show the paths")
    problem = dlcore.SurfaceProblem(surface)
    d = problem.definition
    runs_n, steps, notes = fit_budget(n, steps_wanted, 2, 1)
    note_box(notes)
    starts = start_points(d.window, runs_n, layout, seed)
    spec = dlcore.preset(label, lr=lr)
    runs = tuple(dlcore.RunSpec(spec, start=s, label=f"start {i}") for i, s in enumerate(starts))
    res = compute.train(problem, runs, dlcore.TrainConfig(steps=steps, dtype="float64"))
    b = basins(res, problem, radius=0.1)
    minima = d.minima
    names = [f"({m[0]:.3g}, {m[1]:.3g})" for m in minima]
    reached = np.where(b["minimum"] >= 0, [names[i] if i >= 0 else "" for i in b["minimum"]],
                       np.where(np.isfinite(b["end_x"]), "elsewhere", "diverged"))
    final_loss = np.where(res.diverged_at >= 0, np.nan, res.loss[-1])
    ends = b.assign(reached=reached, final_loss=final_loss)
    paths = None
    if show_paths:
        h = res.history(max_points=30)
        paths = h.merge(ends[["run", "reached"]], on="run")
    grid = compute.grid(problem, d.window, 50)
    left, right = st.columns([1.35, 1], gap="medium")
    with left:
        chart(oc.restarts_chart, grid, d.window, d.log_color, ends, minima, names, paths)
    with right:
        counts = []
        for i, nm in enumerate(names):
            k = int((b["minimum"] == i).sum())
            counts.append({"ended at": f"minimum {nm}", "runs": k})
        other = int(((b["minimum"] < 0) & np.isfinite(b["end_x"])).sum())
        gone = int((~np.isfinite(b["end_x"])).sum())
        counts.append({"ended at": "elsewhere (local min. / still moving)", "runs": other})
        counts.append({"ended at": "diverged", "runs": gone})
        ct = pd.DataFrame(counts)
        ct["share"] = ct["runs"] / len(b)
        table(ct, "restarts.csv", column_config={"share": st.column_config.NumberColumn(format="percent")})
        if surface == "himmelblau":
            st.markdown("All four minima of Himmelblau's function have **f = 0**: each is as good as the others, "
                        "and which one you reach depends only on where you start (and on the optimizer — try "
                        "Momentum or Adam: the coloured regions move).")
        else:
            best = int((b["minimum"] == 0).sum())
            st.markdown(f"Rastrigin has one global minimum (0, 0) among dozens of local ones: **{best} of {len(b)}** "
                        "starts found it. The rest are stuck in a dip — the article's \"local minima\" warning, "
                        "visible. More restarts raise the chance that one of them lands in the right basin.")
        k = math.isqrt(runs_n)
        where = (f"{runs_n} random starts drawn uniformly with seed {seed}" if layout == "random"
                 else f"{k} × {k} = {k * k} starts on a grid")
        st.caption(f"A run counts as having reached a minimum when it ends within 0.1 of it after {steps} steps; "
                   f"{where} over [{d.window[0]:g}, {d.window[1]:g}] × [{d.window[2]:g}, {d.window[3]:g}]; "
                   f"{label} at η = {lr:g}; float64.")
    code(compute.script(problem, runs[0], dlcore.TrainConfig(steps=steps, dtype="float64")),
         "restart_0.py", label="Show the code (the first start point)")


if view == "race":
    with tab_race:
        race_tab()
elif view == "batch":
    with tab_batch:
        batch_tab()
else:
    with tab_restarts:
        restarts_tab()

state.finish()
