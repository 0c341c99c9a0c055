"""Inside the optimizer (its torch.optim state at every step) and the code of one race run."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

import dlcore
from dlcore.optstate import DESCRIPTIONS
from ui import glossary
from ui.charts import optimizers as oc
from ui.charts.render import chart
from ui.compute import optimizer_comparison as compute
from ui.layout import code
from ui.sections import lazy_expander

POSITIVE = ("exp_avg_sq", "sum", "square_avg", "rate")    # quantities drawn on a log axis
HUES = ("blue", "orange", "green", "pink")


def _run_of(race, specs: dict, label: str, seed: int) -> dlcore.RunSpec:
    return dlcore.RunSpec(specs[label].with_lr(race.rate[label]), seed=seed, label=label)


def _state_charts(tr, label: str) -> None:
    frame = tr.frame(max_points=400) if len(tr.param_names) <= 4 else tr.norm_frame(max_points=400)
    if frame.empty:
        st.info("This run diverged at once: there is no state to show.")
        return
    if not tr.state:
        st.info(f"{label} keeps no state: each step uses only the current gradient.", icon=":material/memory:")
    names = list(dict.fromkeys(frame["param"]))
    if len(names) > 1:
        st.markdown("Lines: " + ", ".join(f"**{n}** {HUES[i]}" for i, n in enumerate(names)) +
                    " (y axes are logarithmic, or symmetric-log where values change sign).")
    else:
        st.markdown(f"Each line is the length (Euclidean norm) over all {len(tr.param_names)} parameters.")
    cols = st.columns(2, gap="medium")
    for i, q in enumerate(dict.fromkeys(frame["quantity"])):
        with cols[i % 2]:
            chart(oc.state_chart, frame[frame["quantity"] == q], DESCRIPTIONS[q], log=q in POSITIVE)


def inside_section(state, setup, race, specs: dict, config, seed: int) -> None:
    fold = lazy_expander(state, "inside_open", "Inside the optimizer: what it remembers between steps",
                         icon=":material/memory:")
    if not fold.open:
        return
    with fold:
        st.caption("Plain SGD forgets everything after each step. Momentum keeps a velocity; Adam keeps running "
                   "means of the gradient (m) and of its square (v) — " + glossary.link("ema", "debiased EMAs")
                   + "; AdaGrad sums every squared gradient; RMSprop keeps a running mean of squares. These are "
                   "torch.optim's own `optimizer.state` tensors, recorded at every step by re-running the chosen "
                   "optimizer alone.")
        if state["inside"] not in race.labels:
            keeps = [lab for lab in race.labels if lab != "SGD"]
            state.set("inside", (keeps or list(race.labels))[0])
        label = state.selectbox("inside", "Optimizer", options=list(race.labels))
        _state_charts(compute.trace(setup.problem, _run_of(race, specs, label, seed), config), label)
        if label in ("Adam", "AdamW"):
            st.caption("Why Adam can stall on the Rosenbrock valley: v remembers the huge gradients of the steep "
                       "walls for ~1/(1−β₂) = 1000 steps, so the step g/√v stays tiny on the flat valley floor. "
                       "Clipping the gradient (More settings) or a smaller β₂ shortens that memory.")


def code_section(state, setup, race, specs: dict, config, seed: int) -> None:
    if state["code"] not in race.labels:
        state.set("code", race.labels[0])
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    with left:
        label = state.selectbox("code", "Show the code for", options=list(race.labels))
    script = compute.script(setup.problem, _run_of(race, specs, label, seed), replace(config, record_params=None))
    with right:
        code(script, f"race_{label.lower()}.py")
