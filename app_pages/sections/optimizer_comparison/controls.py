"""The race tab's settings: the problem, the optimizers and their cards, the start point and
"More settings". Returns what was chosen as a :class:`RaceChoice`."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlcore.catalogue import CATALOGUE, titles
from dlcore.expr import MAX_EXPONENT, MAX_LENGTH as EXPR_MAX_LENGTH
from ui import glossary, safety
from ui.charts.optimizers import COLORS
from ui.format import md_escape, quote
from ui.layout import reset_button
from ui.text.optimizer_comparison import lr_text

from .settings import CARDS_PER_ROW, DEFAULT_F, HYPER, PAGE, RULES, SHORT, on_card, race_keys

COLORS_HTML = "<span style='color:{};font-size:1.3em'>●</span> **{}**"


@dataclass(frozen=True)
class RaceChoice:
    kind: str
    labels: tuple[str, ...]
    steps: int
    expression: str
    fair: bool
    log: bool
    start: tuple[float, float] | None      # the learner's own start, or None for the problem's own
    clip: float
    tol: float
    seed: int
    fair_lo: float
    fair_hi: float
    fair_per_decade: int


def problem_changed(state) -> None:
    """A new problem gets rates that suit it (the catalogue's), its own start, the last step."""
    entry = CATALOGUE[state.current("problem")]
    for label, lr in entry.rate.items():
        state.set(f"{label}.lr", lr)
    state.set("own_start", False)
    state.set("step", -1)
    state.set("clip", entry.clip)


def prefill_start(state, start) -> None:
    """Switching "choose the start" on fills in the problem's own start, ready to edit."""
    if state.current("own_start") and start is not None:
        state.set("sx", float(start[0]))
        state.set("sy", float(start[1]))


def start_clicked(state) -> None:
    """A click on the map: start every optimizer at that cell's centre (the settings go
    through the page's validated start-point inputs on the rerun)."""
    event = st.session_state.get(f"{PAGE}.map")
    picked = (event or {}).get("selection", {}).get("pick") or []
    if not picked or "p0" not in picked[0]:
        return
    state.set("own_start", True)
    state.set("sx", round(float(picked[0]["p0"]), 3))
    state.set("sy", round(float(picked[0]["p1"]), 3))
    state.set_pending("step", -1)                 # show the whole new race
    st.session_state["_opt_start_clicked"] = True


def custom_expression(state, kind: str) -> str:
    """The learner's f(x, y); a formula that can't be used falls back to the last one that worked."""
    if kind != "custom":
        return state["f"]
    expr = state.text_input(
        "f", "Your function f(x, y)", max_chars=2 * EXPR_MAX_LENGTH,
        help=f"Numbers, x, y, pi, e, + − * / ** and brackets, and sin, cos, exp, log, sqrt, abs, tanh. "
             f"At most {EXPR_MAX_LENGTH} characters; exponents must be plain numbers up to {MAX_EXPONENT}. "
             "Nothing you type is ever run as Python: it is parsed into PyTorch operations.")
    try:
        CATALOGUE["custom"].setup(expr)
        st.session_state["_opt_last_f"] = expr
        return expr
    except ValueError as e:
        fallback = st.session_state.get("_opt_last_f", DEFAULT_F)
        st.error(f"**This formula can't be used:** {md_escape(e)}\n\nYour text is still in the box. "
                 f"Until it is fixed the race uses the last formula that worked: {quote(fallback, 120)}",
                 icon=":material/edit:")
        return fallback


def more_settings(state, kind: str, fair: bool) -> tuple:
    """The "More settings" popover: clipping, tolerance, seed and the fair race's grid."""
    with st.popover("More settings", icon=":material/tune:", width="stretch"):
        clip = state.select_slider("clip", "Clip the gradient norm at (0 = off)",
                                   format_func=lambda v: "off" if v == 0 else f"{v:g}",
                                   help="torch.nn.utils.clip_grad_norm_ before every step "
                                        "(the optimizer visualizers use 1.0).")
        tol = state.select_slider("tol", "Converged when the loss stays within",
                                  format_func=lambda v: f"{v:g} of the minimum",
                                  help="Steps to converge = the first step from which the loss stays within this "
                                       "of the known minimum (or below it, when the minimum is unknown).")
        seed = state.number_input("seed", "Seed (network's initial weights)", step=1, disabled=kind != "sum3")
        if not fair:
            return clip, tol, seed, state["fair_lo"], state["fair_hi"], state["fair_n"]
        st.markdown("**Fair race grid** (a finer second pass follows around every rate that converged)")
        lo = state.select_slider("fair_lo", "Lowest rate tried", format_func=lambda v: f"{v:g}")
        hi = state.select_slider("fair_hi", "Highest rate tried", format_func=lambda v: f"{v:g}")
        per = state.slider("fair_n", "Rates per decade")
        return clip, tol, seed, lo, hi, per


def start_inputs(state, kind: str) -> tuple[float, float] | None:
    """The learner's start point (when "Choose the start" is on), else None."""
    default_start = CATALOGUE[kind].default_start
    if not state["own_start"] or kind == "sum3":
        return None
    line = CATALOGUE[kind].kind == "line"
    sc = st.columns([1, 1, 3], vertical_alignment="bottom")
    with sc[0]:
        sx = state.number_input("sx", "Start (slope)" if line else "Start x", step=0.1, format="%.4g")
    with sc[1]:
        sy = state.number_input("sy", "Start (intercept)" if line else "Start y", step=0.1, format="%.4g")
    with sc[2]:
        st.caption(f"The problem's own start is ({default_start[0]:g}, {default_start[1]:g}). "
                   "Every optimizer starts here. Tip: click the map to start somewhere else.")
    return (sx, sy)


def race_controls(state) -> RaceChoice:
    """Problem, optimizers, steps, the toggles and More settings; the learner's start."""
    top = st.columns([1.3, 1, 1], gap="medium", vertical_alignment="bottom")
    with top[0]:
        kind = state.selectbox("problem", "Problem", format_func=titles().get,
                               on_change=safety.callback(problem_changed), args=(state,))
    with top[1]:
        steps = state.slider("steps", "Steps", step=10)
    with top[2]:
        reset_button(state, keys=race_keys(), key="_reset.opt.race", width="stretch",
                     help="Every race setting back to its default (the other tabs keep theirs).")
    # On its own row, full width: seven chips fit without scrolling (issue 14 #6).
    labels = state.multiselect("opts", "Optimizers (pick two or more)")
    expr = custom_expression(state, kind)
    row = st.columns([1, 1, 1, 1.3], gap="small", vertical_alignment="center")
    with row[0]:
        fair = state.toggle("fair", "Fair race", help="Trains every optimizer at a grid of learning rates, then "
                                                      "finer around every rate that converged, and races the best "
                                                      "rate of each.")
    with row[1]:
        log = state.toggle("log", "Log-scale loss")
    with row[2]:
        state.toggle("own_start", "Choose the start",
                     help="All optimizers start from the same point (paired runs). You can also click the map "
                          "to start there.", disabled=kind == "sum3",
                     on_change=safety.callback(prefill_start), args=(state, CATALOGUE[kind].default_start))
    with row[3]:
        clip, tol, seed, lo, hi, per = more_settings(state, kind, fair)
    return RaceChoice(kind, tuple(labels), steps, expr, fair, log, start_inputs(state, kind) if labels else None,
                      clip, tol, seed, lo, hi, per)


def _card(state, label: str, fair: bool) -> None:
    st.markdown(COLORS_HTML.format(COLORS[label], label), unsafe_allow_html=True)   # constant strings only
    st.caption(RULES[label])
    for h in (h for h in HYPER[label] if on_card(label, h)):
        key = f"{label}.{h}"
        if h == "lr":
            state.select_slider(key, "learning rate η", format_func=lr_text, disabled=fair,
                                help="Ignored while the fair race picks the rate." if fair else None)
        elif h in ("momentum", "beta1"):
            state.slider(key, "momentum μ" if h == "momentum" else "β₁ (mean of g)", step=0.01)
        else:
            state.select_slider(key, "α (mean of g²)", format_func=lambda v: f"{v:g}")
    more = [h for h in HYPER[label] if not on_card(label, h)]
    with st.expander(", ".join(SHORT[h] for h in more)):
        for h in more:
            key = f"{label}.{h}"
            if h == "momentum":
                state.slider(key, "momentum μ", step=0.01)
            elif h == "centered":
                state.checkbox(key, "centered")
            else:
                name = {"beta2": "β₂ (mean of g²)", "eps": "ε",
                        "wd": "weight decay λ" + (" (decoupled)" if label == "AdamW" else "")}[h]
                state.select_slider(key, name, format_func=lambda v: f"{v:g}")


def optimizer_cards(state, labels, fair: bool) -> None:
    """One card per optimizer with its update rule and settings, at most
    :data:`CARDS_PER_ROW` to a row so names and sliders stay legible with all seven."""
    for first in range(0, len(labels), CARDS_PER_ROW):
        cols = st.columns(min(len(labels), CARDS_PER_ROW), gap="small")
        for col, label in zip(cols, labels[first:first + CARDS_PER_ROW]):
            with col, st.container(border=True):
                _card(state, label, fair)
    st.caption("What the cards mean: " + ", ".join(
        glossary.link(s, t) for s, t in (("momentum", "momentum"), ("nesterov", "Nesterov"), ("adam", "Adam"),
                                         ("ema", "running means (EMA)"), ("weight-decay", "weight decay"))) + ".")
