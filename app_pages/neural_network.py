"""Neural network: article 001's "sum of three" network made visible, many seeds at once,
article 002's purchase classification with L1/L2, and gradients through depth.

Tabs are lazy (st.tabs with on_change="rerun"): only the open tab computes. Each tab's
default view is one or two cached batched training calls.
"""
from __future__ import annotations

import re
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.article001 import ARTICLE_LOG, ARTICLE_OUTPUTS, closest_runs, epoch_log, final_output_message
from dlcore.budget import fit_budget
from dlcore.metrics import confusion, evaluate_classifier, roc
from dlcore.network_health import constant_output_path, dead_over_time, dead_since, relu_report
from dlcore.network_view import MAX_DIAGRAM_EDGES, forward_trace, network_view, predict
from dlcore.problems import mlp
from dlcore.problems.networks import TEST_INPUTS
from dlcore.reference import torch_run
from dlcore.sparse import exact_zeros, proximal_script, train_proximal
from ui import compute
from ui.charts.render import chart, draw
from ui.charts import classification as cc
from ui.charts import network as nc
from ui.charts.core import loss_chart
from ui.layout import code, fmt, friendly_errors, header, note_box, share_hint, table
from ui.params import PageState, Param, log_options, quote

TABS = (("sum", "Sum of three"), ("inside", "Inside the network"), ("seeds", "Many seeds"),
        ("shop", "Shoppers (classification)"), ("depth", "Gradients through depth"))
TAB_LABEL = dict(TABS)
TAB_ID = {v: k for k, v in TABS}
ACTS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU"}
OPTS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
LRS = log_options(1e-4, 1.0)
C_LRS = log_options(1e-4, 5.0)
REG = (0.0,) + log_options(1e-4, 1.0, per_decade=(1, 3))      # 0, 0.0001, 0.0003, …, 0.3, 1
CLIPS = (0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0)
MAX_EPOCHS = 2000
ARTICLE_SEED = 601         # closest of seeds 0–999 to the article's printed log (checked live in "Many seeds")
SEARCH_SEEDS = 1000
N_EXAMPLES = 3 + len(TEST_INPUTS)
TRY_MAX = 1e6

state = PageState("nn", [
    Param("tab", "sum", "choice", choices=tuple(TAB_LABEL), label="tab"),
    # The sum-of-three network (tabs 1–3)
    Param("hidden", [4], "ints", lo=1, hi=dlcore.problems.networks.MAX_WIDTH, min_items=1,
          max_items=dlcore.problems.networks.MAX_LAYERS, label="hidden layers"),
    Param("act", "relu", "choice", choices=tuple(ACTS), label="activation"),
    Param("opt", "sgd", "choice", choices=tuple(OPTS), label="optimizer"),
    Param("lr", 0.01, lo=LRS[0], hi=LRS[-1], options=LRS, label="learning rate"),
    Param("mom", 0.0, lo=0.0, hi=0.99, label="momentum"),
    Param("b1", 0.9, lo=0.0, hi=0.999, label="β₁"),
    Param("b2", 0.999, lo=0.0, hi=0.9999, label="β₂"),
    Param("alpha", 0.99, lo=0.0, hi=0.999, label="α"),
    Param("wd", 0.0, lo=0.0, hi=1.0, label="weight decay"),
    Param("epochs", 100, "int", lo=1, hi=MAX_EPOCHS, label="epochs"),
    Param("seed", ARTICLE_SEED, "int", lo=0, hi=2 ** 31 - 1, label="seed"),
    Param("try", [10.0, 20.0, 30.0], "floats", lo=-TRY_MAX, hi=TRY_MAX, min_items=3, max_items=3,
          label="try-it numbers"),
    Param("ep", -1, "int", lo=-1, hi=MAX_EPOCHS, label="diagram epoch"),     # -1: the last epoch
    Param("row", "1", "choice", choices=("1", "2", "3", "try"), label="diagram input"),
    Param("nseeds", 20, "int", lo=2, hi=200, label="number of seeds"),
    # Shoppers
    Param("c_model", "mlp", "choice", choices=("logistic", "mlp"), label="model"),
    Param("c_hidden", [16], "ints", lo=1, hi=64, min_items=1, max_items=4, label="MLP hidden layers"),
    Param("c_opt", "adam", "choice", choices=("sgd", "adam"), label="optimizer (shoppers)"),
    Param("c_lr", 0.01, lo=C_LRS[0], hi=C_LRS[-1], options=C_LRS, label="learning rate (shoppers)"),
    Param("c_epochs", 300, "int", lo=1, hi=3000, label="epochs (shoppers)"),
    Param("c_l1", 0.0, lo=0.0, hi=1.0, options=REG, label="L1 strength"),
    Param("c_prox", False, "bool", label="exact zeros (proximal L1)"),
    Param("c_l2", 0.0, lo=0.0, hi=1.0, options=REG, label="L2 strength"),
    Param("c_noise", 3, "int", lo=0, hi=dlcore.problems.purchase.MAX_NOISE_FEATURES, label="noise features"),
    Param("c_train", 200, "int", lo=4, hi=800, label="training records"),
    Param("c_seed", 0, "int", lo=0, hi=2 ** 31 - 1, label="seed (shoppers)"),
    # Gradients through depth
    Param("d_depth", 6, "int", lo=1, hi=dlcore.problems.networks.MAX_LAYERS, label="hidden layers (depth)"),
    Param("d_width", 8, "int", lo=1, hi=dlcore.problems.networks.MAX_WIDTH, label="width"),
    Param("d_lr", 0.05, lo=LRS[0], hi=LRS[-1], options=LRS, label="learning rate (depth)"),
    Param("d_steps", 200, "int", lo=1, hi=3000, label="steps (depth)"),
    Param("d_clip", 1.0, lo=0.0, hi=CLIPS[-1], options=CLIPS, label="clip norm"),
    Param("d_seed", 0, "int", lo=0, hi=2 ** 31 - 1, label="seed (depth)"),
])


# ---------------------------------------------------------------------------------------------
# Widgets whose on-screen value is not the setting itself (a text box for a list, the tabs)
# ---------------------------------------------------------------------------------------------
def proxied(key: str, label: str, render, to_ui, from_ui, ui_suffix: str = "", **kw):
    """Bind a widget that shows ``to_ui(value)`` and returns something ``from_ui`` turns back
    into a raw value, through PageState (validated, URL-bound).

    The widget lives under its own key; it is re-synced from the setting whenever the setting
    was changed from outside (a link, a reset button) since the last run. ``ui_suffix`` gives the
    widget a fresh key when its meaning changes (e.g. the range of an epoch slider).
    """
    p = state.by_key[key]

    def fn(label, key, **kw):
        ss = st.session_state
        ui_key, synced = f"{key}.ui{ui_suffix}", f"{key}.synced{ui_suffix}"
        if ui_key not in ss or ss.get(synced) != ss[key]:
            ss[ui_key] = to_ui(ss[key])
        raw = from_ui(render(label, ui_key, **kw))
        clean, _ = p.clean(raw)
        ss[key] = ss[synced] = clean
        return raw

    return state.widget(fn, key, label, **kw)


def split_numbers(text: str) -> list:
    """'1, 2; 3' → [1.0, 2.0, 3.0]; items that are not numbers stay as text (reported later)."""
    out = []
    for part in re.split(r"[,;\s]+", str(text).strip()):
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            out.append(part)
    return out


def numbers_input(key: str, label: str, **kw):
    fmt_list = lambda v: ", ".join(f"{x:g}" for x in v)  # noqa: E731
    return proxied(key, label, lambda lab, k, **a: st.text_input(lab, key=k, max_chars=120, **a),
                   fmt_list, split_numbers, **kw)


_tab_holder: dict = {}


def _render_tabs(label, ui_key):
    _tab_holder["tabs"] = st.tabs([lab for _, lab in TABS], key=ui_key, on_change="rerun")
    return st.session_state.get(ui_key, TABS[0][1])


def budget(runs: int, steps: int, sizes) -> tuple[int, int, list[str]]:
    """dlcore.budget.fit_budget, with the per-step overhead growing with depth: every layer adds
    a few operations to each step (measured: a 13-layer network's step costs ~4× a 2-layer one's)."""
    n_linear = len(sizes) - 1
    return fit_budget(runs, steps, mlp.n_params(tuple(sizes)), N_EXAMPLES, max_seconds=12.0 / (n_linear + 1))


def optimizer_spec(opt: str, lr: float, prefix: str = "") -> dlcore.OptimizerSpec:
    hyper = {}
    if opt in ("sgd", "rmsprop"):
        hyper["momentum"] = state["mom"]
    if opt in ("adam", "adamw"):
        hyper["beta1"], hyper["beta2"] = state["b1"], state["b2"]
    if opt == "rmsprop":
        hyper["alpha"] = state["alpha"]
    if opt in ("sgd", "adam", "adamw", "rmsprop", "adagrad") and state["wd"] > 0:
        hyper["weight_decay"] = state["wd"]
    elif opt == "adamw":
        hyper["weight_decay"] = 0.0
    return dlcore.OptimizerSpec.make(opt, lr=lr, **hyper)


# ---------------------------------------------------------------------------------------------
# Cached computations specific to this page (everything else goes through ui.compute)
# ---------------------------------------------------------------------------------------------
@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def article_search(n: int = SEARCH_SEEDS) -> dict:
    """The article's exact settings trained from seeds 0..n−1 in one batched call."""
    p = dlcore.SumOfThree()
    runs = [dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=0.01), seed=s) for s in range(n)]
    res = compute.offload(dlcore.train, p, runs, dlcore.TrainConfig(steps=100, record_params=False),
                          text="Searching 1000 seeds…")
    ranked = closest_runs(res.loss)
    rep = relu_report(res.final_params, p.sizes, "relu", p.inputs)
    best = int(ranked["run"].iloc[0])
    return {"ranked": ranked.head(10), "n": n, "dead": int(rep["dead"].sum()),
            "dead_seeds": rep.loc[rep["dead"], "run"].head(12).tolist(),
            "best": best, "best_log": res.loss[:, best].copy(), "best_outputs": rep["outputs"].iloc[best],
            "final_loss": res.loss[-1].copy()}


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def exact_run(problem, run, config):
    """The learner's run as their plain PyTorch script computes it, digit for digit (dlcore.reference)."""
    return compute.offload(torch_run, problem, run, config)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def train_prox(problem, runs: tuple, config):
    return compute.offload(train_proximal, problem, runs, config)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def classifier_report(problem, params: tuple, threshold: float = 0.5):
    metrics, probs = evaluate_classifier(problem, np.array(params), dtype="float64")
    cm = confusion(*probs["test"], threshold)
    curves = []
    for split in ("train", "test"):
        r = roc(*probs[split]).assign(split=split, auc=metrics.loc[split, "roc_auc"])
        curves.append(r.assign(order=np.arange(len(r))))
    return metrics, cm, pd.concat(curves, ignore_index=True), probs


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def purchase_records(problem) -> pd.DataFrame:
    df = problem.data()
    tr, te = problem.split()
    split = np.full(len(df), "unused", dtype=object)
    split[tr], split[te] = "train", "test"
    return df.assign(split=split)


def params_at(res, problem, run, epoch: int) -> np.ndarray:
    """θ of run 0 after ``epoch`` updates (recorded, or re-trained to that epoch: same seed,
    same full-batch updates → the same numbers)."""
    if res.params is not None:
        return np.array(res.params[epoch, 0])
    if epoch == 0:
        return problem.build().init(run.seed).numpy()
    r = exact_run(problem, run, replace(res.config, steps=epoch, record_params=False))
    return np.array(r.final_params[0])


# ---------------------------------------------------------------------------------------------
header("Neural network",
       "Article 001's tiny network learns *“given three numbers, output their sum”* — here you train it, "
       "open it up neuron by neuron, and train it from many seeds at once. Then article 002's shoppers: "
       "a classifier, its metrics, and what L1/L2 regularisation really do; and why deep networks' "
       "gradients vanish or explode.")
active = proxied("tab", "Section", lambda label, k: _render_tabs(label, k),
                 lambda v: TAB_LABEL[v], lambda lab: TAB_ID.get(lab, lab))
tabs = dict(zip(TAB_LABEL, _tab_holder["tabs"]))


# =============================================================================================
# Sidebar: the settings of the open tab
# =============================================================================================
def sum_controls():
    st.sidebar.markdown("### The sum-of-three network")
    st.sidebar.caption("Used by the first three tabs. Defaults are article 001's.")
    with st.sidebar:
        hidden = numbers_input("hidden", "Hidden layer widths", help="One number per hidden layer, e.g. `4` "
                               "(the article) or `8, 8`. Up to 12 layers of up to 64 neurons.")
        act = state.selectbox("act", "Activation", format_func=ACTS.get)
        opt = state.selectbox("opt", "Optimizer", format_func=OPTS.get)
        lr = state.select_slider("lr", "Learning rate", format_func=lambda v: f"{v:g}")
        if opt in ("sgd", "rmsprop"):
            state.slider("mom", "Momentum", step=0.01)
        if opt in ("adam", "adamw"):
            c1, c2 = st.columns(2)
            with c1:
                state.number_input("b1", "β₁", step=0.01, format="%.3f")
            with c2:
                state.number_input("b2", "β₂", step=0.001, format="%.4f")
        if opt == "rmsprop":
            state.slider("alpha", "α (smoothing)", step=0.01)
        state.number_input("wd", "Weight decay", step=0.001, format="%.4g")
        epochs = state.number_input("epochs", "Epochs", step=10)
        seed = state.number_input("seed", "Seed (initial weights)", step=1,
                                  help=f"The seed fixes the initial weights. {ARTICLE_SEED} is the seed whose "
                                  "log comes closest to the article's (see Many seeds → Fact check).")
        st.button("Article 001's settings", on_click=reset_sum, icon=":material/restart_alt:",
                  help="3→4→1 ReLU, SGD lr 0.01, 100 epochs, seed " + str(ARTICLE_SEED))
    return tuple(hidden), act, opt, lr, epochs, seed


def reset_sum():
    ss = st.session_state
    for key in ("hidden", "act", "opt", "lr", "mom", "b1", "b2", "alpha", "wd", "epochs", "seed"):
        ss[state.wkey(key)] = state.by_key[key].default


def set_seed(s: int):
    st.session_state[state.wkey("seed")] = int(s)


# =============================================================================================
# Tabs 1–3: the sum-of-three network
# =============================================================================================
def sum_model():
    hidden, act, opt, lr, epochs, seed = sum_controls()
    with friendly_errors("this network"):
        problem = dlcore.SumOfThree(hidden=hidden, activation=act)
        spec = optimizer_spec(opt, lr)
    _, steps, notes = budget(1, epochs, problem.sizes)
    run = dlcore.RunSpec(spec, seed=seed, label=f"seed {seed}")
    config = dlcore.TrainConfig(steps=steps)
    res = exact_run(problem, run, config)
    article = (problem == dlcore.SumOfThree() and spec == dlcore.OptimizerSpec.make("sgd", lr=0.01)
               and steps == 100)
    return dict(problem=problem, spec=spec, run=run, config=config, res=res, notes=notes, seed=seed,
                article=article, act=act)


def outputs_of(theta, problem, X) -> np.ndarray:
    if not np.all(np.isfinite(theta)):
        return np.full(len(X), np.nan)
    return predict(theta, problem.sizes, problem.activation, X)[:, 0]


def try_input():
    """The learner's three numbers, with a message next to the box when they are not valid."""
    vals = numbers_input("try", "Three numbers, separated by commas", placeholder="e.g. 10, 20, 30")
    items = split_numbers(st.session_state.get(state.wkey("try") + ".ui", ""))
    bad = [x for x in items if not isinstance(x, float)]
    problems = []
    if bad:
        problems.append(f"{quote(bad[0])} is not a number.")
    elif len(items) != 3:
        problems.append(f"That is {len(items)} number{'s' if len(items) != 1 else ''}; the network takes exactly three.")
    elif any(not np.isfinite(x) or abs(x) > TRY_MAX for x in items):
        problems.append(f"Use numbers between −{TRY_MAX:g} and {TRY_MAX:g}.")
    if problems:
        st.warning(" ".join(problems) + f" Showing {', '.join(f'{v:g}' for v in vals)} instead.", icon=":material/edit_note:")
    return [float(v) for v in vals]


def sum_tab(m):
    res, problem, seed = m["res"], m["problem"], m["seed"]
    note_box(m["notes"])
    T = res.steps
    theta = np.array(res.final_params[0])
    diverged = res.diverged_at[0] >= 0
    outs = outputs_of(theta, problem, problem.inputs)
    rep = relu_report(theta, problem.sizes, problem.activation, problem.inputs) if not diverged else None
    dead = rep is not None and bool(rep["dead"].iloc[0])

    st.subheader("Given three numbers, output their sum")
    st.markdown(f"A **{'→'.join(map(str, problem.sizes))}** network with **{ACTS[problem.activation]}**, "
                f"trained on three examples with `nn.MSELoss` and **{m['spec'].display}** "
                f"(lr {m['spec'].lr:g}) for **{T} epochs** (one full-batch update each), "
                f"initial weights from **seed {seed}**.")
    c = st.columns(4)
    c[0].metric(f"Training loss after {T} epochs", fmt(res.loss[T, 0] if not diverged else np.nan, 4))
    c[1].metric("Loss on 6 held-out inputs", fmt(res.test_loss[T, 0] if not diverged else np.nan, 4),
                help="Inputs it never trained on, some far outside 1…5: " +
                     "; ".join(str(list(map(float, r))) for r in TEST_INPUTS))
    c[2].metric("Largest error on the training rows",
                fmt(np.max(np.abs(outs - np.array(problem.targets))), 4) if not diverged else "diverged")
    c[3].metric("Status", "diverged" if diverged else "dead ReLU" if dead else "trained",
                help="Dead: every hidden unit of a layer is off (z ≤ 0) for all inputs, so all outputs are equal.")
    if diverged:
        st.error(f"**Training diverged at epoch {int(res.diverged_at[0])}**: the loss blew up (it became "
                 "non-finite or grew 10 000-fold). With this learning rate each update overshoots — try a "
                 "smaller one. The curve stops at the last finite value (✕).", icon=":material/error:")
    elif dead:
        st.warning(f"**Dead ReLU:** with seed {seed} every hidden unit of layer {int(rep['dead_layer'].iloc[0])} "
                   "is off for all three inputs, so the network gives **the same answer for every input**. "
                   "It is not a bug — see **Many seeds** for how often it happens and why.", icon=":material/heart_broken:")

    left, right = st.columns(2, gap="large")
    h = res.history(max_points=400, runs=[0], params=False)
    curves = pd.concat([h.assign(label="training rows (3)"),
                        h.assign(label="held-out inputs (6)", loss=h["test_loss"], run=1)], ignore_index=True)
    with left:
        st.markdown("**Loss while training** (MSE, log scale)")
        chart(loss_chart, curves, y="loss", x="step", log=True, x_title="epoch", y_title="MSE (log scale)",
              legend_title="loss on", legend={"orient": "top"})
        st.caption("The held-out loss is dominated by inputs far outside the training range, like (−1, −2, −3).")
    last = int(res.last_step()[0])
    log = epoch_log(res.loss[: last + 1, 0], T)
    with right:
        st.markdown("**The output**, in the article's format")
        console = list(log["message"])
        if diverged:
            console.append(f"… epoch {last + 1}: loss {float(res.loss[last, 0])} — diverged, training stopped")
        else:
            console.append(final_output_message(outs, m["config"].dtype))
        st.code("\n".join(console), language=None, wrap_lines=True)
        st.caption("Exactly what the script under **Show the code** prints, digit for digit: the same PyTorch "
                   "operations from the same seed. Each line is the loss computed in that epoch, *before* its "
                   "update, as in the article's loop; the final output comes after the last update.")
        with st.expander("The log as a table", icon=":material/table:"):
            table(log[["epoch", "loss"]].rename(columns={"loss": "loss (printed)"}), "sum_of_three_log.csv",
                  key="dl-nn-log", column_config={"loss (printed)": st.column_config.NumberColumn(format="%.10f")})

    st.markdown("#### Does it add?")
    a, b = st.columns([3, 2], gap="large")
    with a:
        t = np.linspace(-4, 12, 161)
        line_x = np.stack([t, t + 1, t + 2], axis=1)
        line = pd.concat([pd.DataFrame({"t": t, "series": "network's answer", "value": outputs_of(theta, problem, line_x)}),
                          pd.DataFrame({"t": t, "series": "true sum 3t + 3", "value": 3 * t + 3})], ignore_index=True)
        pts = [(r[0], float(sum(r)), "training row", str(list(r))) for r in problem.inputs]
        pts += [(r[0], float(sum(r)), "held-out input", str(list(r))) for r in TEST_INPUTS
                if r[1] == r[0] + 1 and r[2] == r[0] + 2]
        points = pd.DataFrame(pts, columns=["t", "value", "kind", "input"])
        st.markdown("**Its answer along the inputs (t, t+1, t+2)** — shaded: where it trained")
        chart(nc.answer_line_chart, line, points)
    with b:
        with st.container(border=True):
            st.markdown("**Try it:** type three numbers — does the network add them?")
            x = try_input()
            y = outputs_of(theta, problem, [x])[0]
            k1, k2 = st.columns(2)
            k1.metric("Network says", fmt(y, 5),
                      f"{y - sum(x):+.4g} off" if np.isfinite(y) else None, delta_color="off", delta_arrow="off")
            k2.metric("True sum", fmt(sum(x), 6))
        st.caption("A ReLU network is piecewise linear: from three points it learns *a* function that passes near "
                   "them, but nothing tells it that the answer is x₁ + x₂ + x₃ everywhere. Far from the training "
                   "rows — or for negative numbers, where its ReLUs switch off — its answer drifts from the sum.")
    a, b = st.columns([2, 3], gap="large")
    with a:
        rows = pd.DataFrame({"input": [str(list(map(float, r))) for r in problem.inputs],
                             "target": list(problem.targets), "network": outs})
        rows["error"] = rows["network"] - rows["target"]
        st.markdown("**Training rows** after the last epoch")
        table(rows, "sum_of_three_outputs.csv", key="dl-nn-out")
    with b:
        held = pd.DataFrame({"input": [str(list(map(float, r))) for r in TEST_INPUTS],
                             "true sum": [float(sum(r)) for r in TEST_INPUTS],
                             "network": outputs_of(theta, problem, TEST_INPUTS)})
        held["error"] = held["network"] - held["true sum"]
        held["where"] = ["inside 1…5", "inside 1…5", "just outside", "just outside", "far outside", "far outside"]
        st.markdown("**Held-out inputs** (never trained on)")
        table(held, "sum_of_three_heldout.csv", key="dl-nn-held")

    with st.expander("Fact check: the article's printed losses and outputs", icon=":material/fact_check:",
                     expanded=m["article"]):
        st.markdown(
            "The article's log (0.869 at epoch 10 … 0.101 at epoch 100, outputs 6.4489 / 9.2806 / 12.1123) "
            "comes from **one run of its script, which never calls `torch.manual_seed`**. PyTorch picks a "
            "random seed in every new process, so the initial weights — and every number after them — "
            "differ from run to run: the article's exact numbers **can't be reproduced**, and yours aren't "
            "wrong for differing.\n\n"
            f"This page always starts from a seed, so it is reproducible: **seed {seed}** gives exactly the numbers "
            f"above, here and in the script below (`torch.manual_seed({seed})` before building the model gives the "
            f"same initial weights). The default seed {ARTICLE_SEED} is the **closest** of seeds "
            f"0–{SEARCH_SEEDS - 1} to the article's log — close, not the same run (the search itself is in "
            "**Many seeds**). Some seeds don't learn at all: dead ReLU.")
        if m["article"]:
            comp = pd.DataFrame({"epoch": log["epoch"], f"seed {seed}": log["loss"],
                                 "article printed": [ARTICLE_LOG[e] for e in log["epoch"]]})
            comp["ratio"] = comp[f"seed {seed}"] / comp["article printed"]
            outc = pd.DataFrame({"input": [str(list(map(float, r))) for r in problem.inputs],
                                 f"seed {seed}": outs, "article printed": ARTICLE_OUTPUTS})
            a, b = st.columns([3, 2])
            with a:
                table(comp, "article_log_comparison.csv", key="dl-nn-cmp",
                      column_config={"ratio": st.column_config.NumberColumn(format="%.3f")})
            with b:
                table(outc, "article_output_comparison.csv", key="dl-nn-cmp-out")
        else:
            st.caption("Set the article's settings (button in the sidebar) to compare with its printed numbers.")
    code(compute.script(problem, m["run"], m["config"]), "sum_of_three.py")


def inside_tab(m):
    res, problem = m["res"], m["problem"]
    note_box(m["notes"])
    sizes = problem.sizes
    n_edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    T = int(res.last_step()[0])
    st.subheader("Inside the network")
    st.markdown("Each circle is a neuron, each line a weight: **blue = positive, red = negative, thicker = "
                "larger**. A hidden neuron adds up its weighted inputs plus a bias, **z = Σ wᵢ·xᵢ + b**, and "
                f"passes z through **{ACTS[problem.activation]}**; its colour is the result (white = 0). "
                "Move the epoch to watch the weights change.")
    c1, c2 = st.columns([3, 2])
    with c1:
        ep = proxied("ep", "Epoch (0 = the initial weights)",
                     lambda lab, k: st.slider(lab, key=k, min_value=0, max_value=max(T, 1)),
                     lambda v: T if v < 0 or v > T else v, lambda u: -1 if u >= T else u, ui_suffix=f"/{T}")
        ep = T if ep < 0 else min(ep, T)
    choices = {"1": "1, 2, 3", "2": "2, 3, 4", "3": "3, 4, 5", "try": "try-it"}
    with c2:
        row = state.segmented("row", "Input (a training row, or your try-it numbers)", format_func=choices.get) or "1"
    x = list(problem.inputs[int(row) - 1]) if row != "try" else [float(v) for v in state["try"]]
    theta = params_at(res, problem, m["run"], ep)
    if not np.all(np.isfinite(theta)):
        st.error("The weights are not finite at this epoch (training diverged). Pick an earlier epoch.", icon=":material/error:")
        return
    if n_edges > MAX_DIAGRAM_EDGES:
        st.info(f"This network has {n_edges} weights — too many lines to read. The diagram shows networks with up "
                f"to {MAX_DIAGRAM_EDGES}; the forward-pass table below still works.", icon=":material/hub:")
        view = None
    else:
        view = network_view(theta, sizes, problem.activation, x)
        chart(nc.network_diagram, view.nodes, view.edges, ACTS[problem.activation])
    out = outputs_of(theta, problem, [x])[0]
    target = sum(x)
    st.markdown(f"**Epoch {ep}, input {x}** → the network outputs **{fmt(out, 6)}** (the true sum is {fmt(target, 6)}).")

    st.markdown("#### The forward pass, worked out")
    if view is None:
        view = network_view(theta, sizes, problem.activation, x, max_edges=10 ** 9)
    act_tex = {"relu": r"\mathrm{ReLU}", "sigmoid": r"\sigma", "tanh": r"\tanh",
               "leaky_relu": r"\mathrm{LeakyReLU}"}[problem.activation]

    def num(v, paren=True):
        s = f"{v:.4g}" if abs(v) >= 1e-4 or v == 0 else f"{v:.2e}"
        s = s.replace("e-0", "e-").replace("e+0", "e+")
        return f"({s})" if v < 0 and paren else s

    first = view.nodes[view.nodes["layer"] == 1]
    if len(first) <= 8 and sizes[0] <= 8:
        lines = []
        for _, nrow in first.iterrows():
            e = view.incoming(1, int(nrow["index"]))
            terms = " + ".join(f"{num(w)}\\cdot{num(v)}" for w, v in zip(e["weight"], x))
            j = int(nrow["index"]) + 1
            if nrow["kind"] == "hidden":
                lines.append(rf"z_{{{j}}} &= {terms} + {num(nrow['bias'])} = \mathbf{{{num(nrow['z'], False)}}}"
                             rf"\quad\Rightarrow\quad a_{{{j}}} = {act_tex}(z_{{{j}}}) = "
                             rf"\mathbf{{{num(nrow['value'], False)}}}")
            else:
                lines.append(rf"y &= {terms} + {num(nrow['bias'])} = {num(nrow['z'], False)}")
        st.latex(r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}")
        if len(sizes) == 3:
            outn = view.nodes[view.nodes["kind"] == "output"].iloc[0]
            e = view.incoming(2, 0)
            hv = first["value"].tolist()
            terms = " + ".join(f"{num(w)}\\cdot{num(v)}" for w, v in zip(e["weight"], hv))
            st.latex(rf"y = {terms} + {num(outn['bias'])} = {num(outn['z'], False)}")
            st.caption("The output layer has no activation: y is just the weighted sum of the hidden neurons' "
                       "values plus its bias — as `nn.Linear(4, 1)` computes it.")
    nodes = view.nodes[view.nodes["kind"] != "input"]
    tbl = pd.DataFrame({"neuron": nodes["name"], "layer": nodes["layer"], "z = Σ w·input + b": nodes["z"],
                        "bias b": nodes["bias"], "value (after activation)": nodes["value"]})
    with st.expander(f"Every neuron at epoch {ep} ({len(tbl)} rows)", expanded=len(sizes) > 3):
        table(tbl, f"neurons_epoch{ep}.csv", key="dl-nn-neurons")
    if res.params is not None and mlp.n_params(sizes) <= 120:
        steps = np.unique(np.linspace(0, T, min(T + 1, 200)).round().astype(int))
        names = list(res.param_names)
        vals = res.params[steps, 0, :].astype(np.float64)
        df = pd.DataFrame(vals, columns=names).assign(step=steps).melt("step", var_name="name", value_name="value")
        df["layer"] = df["name"].str.extract(r"^(layer\d+\.\w+)")[0].str.replace("layer", "layer ")
        st.markdown("**Every weight and bias over the epochs** (dashed line: the epoch shown above)")
        chart(nc.param_paths_chart, df, ep)
        if problem.activation == "relu" and len(sizes) == 3:
            z_rows = np.array([forward_trace(theta, sizes, "relu", r)[0][0] for r in problem.inputs])  # (3, H)
            off = [f"h{j + 1}" for j in range(sizes[1]) if (z_rows[:, j] <= 0).all()]
            if off:
                st.caption(f"At epoch {ep}, {', '.join(off)} {'is' if len(off) == 1 else 'are'} off (z ≤ 0) for all "
                           "three training rows: no gradient reaches "
                           f"{'its' if len(off) == 1 else 'their'} incoming weights, which is why some lines stay flat.")


def seeds_tab(m):
    problem, seed = m["problem"], m["seed"]
    n = state.slider("nseeds", "Number of seeds trained together", step=1)
    seeds = [seed] + [s for s in range(n) if s != seed]
    k, steps, notes = budget(len(seeds), m["config"].steps, problem.sizes)
    seeds = seeds[:k]
    runs = tuple(dlcore.RunSpec(m["spec"], seed=s, label=f"seed {s}") for s in seeds)
    res = compute.train(problem, runs, replace(m["config"], steps=steps))
    note_box(m["notes"] + notes)
    T = res.steps
    rep = relu_report(np.nan_to_num(res.final_params), problem.sizes, problem.activation, problem.inputs)
    div = res.diverged_at >= 0
    since = (dead_since(dead_over_time(res.params, problem.sizes, problem.activation, problem.inputs))
             if res.params is not None and problem.activation == "relu" else np.full(len(seeds), -1))
    H = int(rep["hidden_units"].iloc[0])
    alive = H - rep["dead_units"].to_numpy()
    if problem.activation == "relu":
        other = np.array([f"{a} of {H} hidden units alive" for a in alive], dtype=object)
    else:
        other = np.full(len(seeds), "trained", dtype=object)
    outcome = np.where(div, "diverged", np.where(rep["dead"], "dead: all outputs equal",
                                                  np.where(rep["collapsed"], "all outputs equal", other)))
    summary = pd.DataFrame({"seed": seeds, "final_loss": np.where(div, np.nan, res.loss[T]),
                            "outcome": outcome, "dead_units": rep["dead_units"],
                            "dead_since_epoch": pd.array(np.where(since >= 0, since, 0), dtype="Int64"),
                            "outputs": [" · ".join(f"{v:.4f}" for v in o) if not d else "diverged"
                                        for o, d in zip(rep["outputs"], div)]})
    summary.loc[since < 0, "dead_since_epoch"] = pd.NA
    n_dead = int((outcome == "dead: all outputs equal").sum())

    others = sorted(s for s in seeds if s != seed)
    st.subheader(f"Seeds {others[0]}–{others[-1]} and yours ({seed}): one batched run" if len(others) == len(seeds) - 1
                 and others == list(range(others[0], others[-1] + 1)) else f"{len(seeds)} seeds: one batched run")
    st.markdown(f"The same {'→'.join(map(str, problem.sizes))} network and settings, trained from {len(seeds)} "
                "different initial weights **at once** (one batched call). Your curve is one of many — which "
                "one you get depends on the seed."
                + (" Colour: how many hidden units still work at the end (a unit that is off for every training "
                   "input can't learn any more) — fewer working units, a worse fit." if problem.activation == "relu"
                   else ""))
    st.caption("These runs are trained together in one batch; the first tab's numbers come from a plain PyTorch "
               "loop and agree with them to about five significant digits (float32 rounding in a different order).")
    c = st.columns(4)
    c[0].metric("Seeds", len(seeds))
    c[1].metric("Dead (all outputs equal)", f"{n_dead} of {len(seeds)}")
    c[2].metric("Median final loss", fmt(np.nanmedian(summary["final_loss"]), 3))
    c[3].metric(f"Your seed ({seed}): final loss", fmt(summary["final_loss"].iloc[0], 4), summary["outcome"].iloc[0],
                delta_color="off", delta_arrow="off")
    hist = res.history(max_points=max(12, min(120, 6000 // len(seeds))), params=False)
    hist = hist.assign(seed=[seeds[i] for i in hist["run"]], outcome=[outcome[i] for i in hist["run"]])
    chart(nc.seeds_chart, hist, seed)
    chart(nc.final_loss_strip, summary, seed)

    st.markdown("#### Dead ReLU: why some seeds never learn")
    if problem.activation != "relu":
        st.info(f"With {ACTS[problem.activation]} a unit's gradient is never exactly zero, so units can't die the "
                "way ReLU units do. Switch the activation to ReLU to see dead networks.", icon=":material/info:")
    else:
        example = seed if outcome[0].startswith("dead") else next(
            (s for s, o in zip(seeds, outcome) if o.startswith("dead")), None)
        st.markdown(
            "A ReLU neuron outputs max(0, z). If **z ≤ 0 for every training input**, it outputs 0 for all of them "
            "*and* its gradient is 0 — no example can ever move its weights again: it is **dead**. When every "
            "neuron of a hidden layer is dead, the layer outputs zeros whatever the input, so:\n"
            "1. all outputs are equal (only the biases after the dead layer still matter);\n"
            "2. the weights into the layer get **zero gradient**, and the weights out of it multiply zeros — "
            "they get zero gradient too;\n"
            "3. so **only the output bias learns**: under MSE its gradient is 2·(b − mean target), and it slides "
            "towards the mean target, **9**: the network answers ≈9 for everything, the best a constant can do.\n\n"
            "Why does it happen *here*? The initial outputs are near 0 while the targets are 6–12, so the first "
            "loss is ~90 and the first gradient is huge. An active neuron whose outgoing weight is negative is "
            "pulling the output *down*, so the first step shoves its z far below zero — on all three inputs at "
            "once. If the neurons that start active all have negative outgoing weights, one step kills the layer.")
        if example is not None:
            i = seeds.index(example)
            s_ep = summary["dead_since_epoch"].iloc[i]
            msg = f"**Seed {example}**" + (" (yours)" if example == seed else "") + " is dead"
            msg += f" from epoch {int(s_ep)}" if s_ep is not pd.NA else ""
            msg += f": outputs {summary['outputs'].iloc[i]}."
            spec = m["spec"]
            if (len(problem.sizes) == 3 and spec.name == "sgd" and spec.momentum == 0 and spec.weight_decay == 0
                    and s_ep is not pd.NA and res.params is not None):
                b0 = float(res.params[int(s_ep), i, -1])
                pred = constant_output_path(b0, problem.targets, spec.lr, T - int(s_ep))[-1]
                msg += (f" Check: from epoch {int(s_ep)} only the output bias moves, b ← b − {spec.lr:g}·2(b − 9), so "
                        f"b = 9 + ({b0:.4f} − 9)·(1 − 2·{spec.lr:g})^{T - int(s_ep)} = **{pred:.4f}** — "
                        f"the network's output is {rep['outputs'].iloc[i][0]:.4f}.")
            st.warning(msg, icon=":material/heart_broken:")
            if example != seed:
                st.button(f"Open seed {example} in the other tabs", on_click=set_seed, args=(example,),
                          icon=":material/open_in_new:")
        else:
            st.success(f"None of these {len(seeds)} seeds died. Try more seeds (about one in seven dies at the "
                       "article's settings), or a larger learning rate.", icon=":material/check_circle:")
        st.caption("Remedies: a smaller learning rate or Adam (gentler first steps), LeakyReLU (a small slope for "
                   "z < 0 keeps gradients alive), or scaling the targets down.")
    with st.expander("Every seed", icon=":material/table:"):
        table(summary, "seeds.csv", key="dl-nn-seeds")

    st.markdown("#### Fact check: can the article's run be reproduced?")
    srch = article_search()
    best, ranked = srch["best"], srch["ranked"]
    ours = srch["best_log"]
    comp = pd.DataFrame({"epoch": list(ARTICLE_LOG), "article printed": list(ARTICLE_LOG.values()),
                         f"seed {best}": [float(ours[e - 1]) for e in ARTICLE_LOG]})
    comp["ratio"] = comp[f"seed {best}"] / comp["article printed"]
    st.markdown(
        f"We trained the article's exact network and settings from **seeds 0–{srch['n'] - 1} in one batched run** "
        f"and ranked them by how close their log comes to the article's. The closest is **seed {best}**: each "
        f"logged loss within a factor of about {ranked['factor'].iloc[0]:.3f} of the article's, final outputs "
        f"{' · '.join(f'{v:.4f}' for v in srch['best_outputs'])} against the article's "
        f"{' · '.join(f'{v:.4f}' for v in ARTICLE_OUTPUTS)}. **Close, not identical** — it is the closest seed, "
        "not *the* article's seed: that run was unseeded, and its initial weights were never printed. "
        f"{srch['dead']} of these {srch['n']} seeds ({srch['dead'] / srch['n']:.0%}) end dead, all outputs "
        f"equal (e.g. seeds {', '.join(map(str, srch['dead_seeds'][:6]))}).")
    a, b = st.columns([3, 2])
    with a:
        table(comp, "article_vs_closest_seed.csv", key="dl-nn-fact")
    with b:
        table(ranked.rename(columns={"run": "seed", "distance": "rms log-ratio", "factor": "typical factor"}),
              "closest_seeds.csv", key="dl-nn-ranked")
    if best != ARTICLE_SEED:
        st.info(f"The default seed of this page ({ARTICLE_SEED}) is no longer the closest on this PyTorch build.")
    if best != seed:
        st.button(f"Use seed {best}", on_click=set_seed, args=(best,), icon=":material/open_in_new:")


# =============================================================================================
# Tab 4: shoppers
# =============================================================================================
def shop_controls():
    st.sidebar.markdown("### Shoppers: who buys?")
    with st.sidebar:
        model = state.segmented("c_model", "Model", format_func={"logistic": "Logistic regression",
                                                                  "mlp": "MLP"}.get) or "mlp"
        hidden = numbers_input("c_hidden", "MLP hidden layer widths", disabled=model != "mlp",
                               help="e.g. `16` or `32, 16`")
        opt = state.segmented("c_opt", "Optimizer", format_func=OPTS.get) or "adam"
        lr = state.select_slider("c_lr", "Learning rate", format_func=lambda v: f"{v:g}")
        epochs = state.number_input("c_epochs", "Epochs (full batch)", step=50)
        st.markdown("**Regularisation** (weights only, not biases)")
        l2 = state.select_slider("c_l2", "L2 strength λ₂  (adds λ₂·Σw²)", format_func=lambda v: f"{v:g}")
        l1 = state.select_slider("c_l1", "L1 strength λ₁  (adds λ₁·Σ|w|)", format_func=lambda v: f"{v:g}")
        prox = state.toggle("c_prox", "Exact zeros: proximal L1 step",
                            help="Apply L1 as a soft-thresholding step after each update instead of a loss "
                                 "term. torch.optim doesn't do this; the exported script adds it by hand.")
        st.markdown("**Data**")
        noise = state.slider("c_noise", "Noise features (pure noise columns)")
        ntrain = state.slider("c_train", "Training records (of 800)", step=10)
        seed = state.number_input("c_seed", "Seed (initial weights)", step=1)
    return model, tuple(hidden), opt, lr, epochs, l1, prox, l2, noise, ntrain, seed


def lam_label(v: float) -> str:
    return "0" if v == 0 else f"{v:g}"


def shop_tab():
    model, hidden, opt, lr, epochs, l1, prox, l2, noise, ntrain, seed = shop_controls()
    with friendly_errors("these settings"):
        problem = dlcore.PurchaseProblem(model=model, hidden=hidden if model == "mlp" else (16,),
                                         train_size=ntrain, noise_features=noise)
        spec = dlcore.OptimizerSpec.make(opt, lr=lr)
    sweep = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
    mine = dlcore.RunSpec(spec, seed=seed, l1=l1, l2=l2, label="your run")
    runs = [mine] + [replace(mine, l2=v, label=f"l2={v:g}") for v in sweep] + \
           [replace(mine, l1=v, label=f"l1={v:g}") for v in sweep]
    uniq = list(dict.fromkeys((r.l1, r.l2) for r in runs))
    P = mlp.n_params(problem.sizes)
    n_ex = len(problem.split()[0]) + problem.n_test
    k, steps, notes = fit_budget(len(uniq), epochs, P, n_ex)
    if k < len(uniq):      # keep the learner's run and the sweep; train fewer steps instead
        steps = max(1, int(steps * k / len(uniq)))
        notes = [f"To keep the lab fast for everyone, training stops after {steps} epochs (asked for {epochs})."]
    run_specs = tuple(replace(mine, l1=a, l2=b, label=f"l1={a:g}, l2={b:g}") for a, b in uniq)
    # float64: in float32 a ReLU unit whose input sits at 0 on some record can flip with the
    # last bit of rounding and send training elsewhere; the shown metrics should not hinge on that.
    config = dlcore.TrainConfig(steps=steps, dtype="float64")
    res = train_prox(problem, run_specs, config) if prox else compute.train(problem, run_specs, config)
    idx = {lb: i for i, lb in enumerate(uniq)}
    i0 = idx[(l1, l2)]
    note_box(notes)

    st.subheader("Who buys? 1000 shoppers, age · income · education → purchased")
    data = purchase_records(problem)
    tr, te = problem.split()
    st.markdown(
        f"Article 002 describes 1000 such records without publishing them, so dlcore generates them by a documented, "
        f"seeded rule (richer and middle-aged people buy more; the coin flip is noise). **{len(tr)} training** and "
        f"**{len(te)} test** records{f' (+{800 - len(tr)} training records left unused)' if len(tr) < 800 else ''}"
        f"{f', plus {noise} columns of pure noise' if noise else ''}. Features are standardised with the training "
        f"rows' mean and std. Loss: `nn.BCEWithLogitsLoss` (binary cross-entropy).")
    d1, d2 = st.columns([3, 2], gap="large")
    with d1:
        chart(cc.purchase_scatter, data)
    with d2:
        bands = data.assign(age_band=pd.cut(data["age"], [17, 25, 35, 45, 55, 65, 70],
                                            labels=["18–25", "26–35", "36–45", "46–55", "56–65", "66–70"]),
                            income_q=pd.qcut(data["income"], 5, labels=["lowest", "2nd", "3rd", "4th", "highest"]))
        chart(cc.rate_bars, bands, "age_band", "age")
        chart(cc.rate_bars, bands, "income_q", "income fifth")
    with st.expander(f"The records ({len(data)} rows)", icon=":material/table:"):
        table(data, "purchases.csv", height=300, key="dl-nn-data")

    diverged = res.diverged_at[i0] >= 0
    theta = np.array(res.final_params[i0])
    st.markdown("#### Training")
    if diverged:
        st.error(f"**Training diverged at epoch {int(res.diverged_at[i0])}** — the learning rate is too large for "
                 "this model. Metrics need finite weights: lower the learning rate.", icon=":material/error:")
    h = res.history(max_points=300, runs=[i0], params=False)
    curves = pd.concat([h.assign(split="train", loss=h["loss"]), h.assign(split="test", loss=h["test_loss"])])
    a, b = st.columns([3, 2], gap="large")
    with a:
        st.markdown("**Train and test loss** (binary cross-entropy)")
        chart(cc.split_loss_chart, curves[["step", "split", "loss"]])
    if diverged:
        return
    metrics, cm, curves_roc, probs = classifier_report(problem, tuple(theta.tolist()))
    with b:
        gap = res.test_loss[steps, i0] - res.loss[steps, i0]
        k = st.columns(2)
        k[0].metric("Train loss", fmt(res.loss[steps, i0], 4))
        k[1].metric("Test loss", fmt(res.test_loss[steps, i0], 4), f"gap {gap:+.3f}", delta_color="inverse")
        best_ep = int(np.nanargmin(res.test_loss[:, i0]))
        st.markdown(f"Lowest test loss **{fmt(res.test_loss[best_ep, i0], 4)}** at epoch {best_ep}." +
                    (" After that the model keeps fitting the training rows — including their noise — and "
                     "the test loss rises: **overfitting**. Try L2, fewer epochs, or more training records."
                     if best_ep < steps * 0.8 and gap > 0.05 else ""))
        base = 1 - probs["test"][0].mean()
        st.caption(f"Always answering “no” would already be {max(base, 1 - base):.1%} accurate on the test rows.")
    st.markdown("#### How good is it? (threshold 0.5)")
    mt = metrics.rename(columns={"accuracy": "accuracy", "precision": "precision", "recall": "recall", "f1": "F1",
                                 "roc_auc": "ROC AUC"})
    mt.insert(0, "split", mt.index)
    table(mt.reset_index(drop=True), "metrics.csv", key="dl-nn-metrics",
          column_config={k: st.column_config.NumberColumn(format="%.4f") for k in mt.columns[1:]})
    st.caption("Accuracy: share of records classified right. Precision: of those predicted to buy, how many did. "
               "Recall: of the buyers, how many were found. F1: their harmonic mean. ROC AUC: the chance that a "
               "random buyer gets a higher probability than a random non-buyer. Computed by scikit-learn.")
    a, b = st.columns([2, 3], gap="large")
    with a:
        st.markdown("**Confusion matrix** (test records)")
        chart(cc.confusion_chart, cm)
    with b:
        st.markdown("**ROC curve**: every threshold at once")
        chart(cc.roc_chart, curves_roc)

    st.markdown("#### Regularisation: overfitting and exact zeros")
    rows = []
    for v in sweep:
        j = idx[(l1, v)]
        ok = res.diverged_at[j] < 0
        rows += [{"lam_label": lam_label(v), "series": "train loss", "value": res.loss[steps, j] if ok else np.nan},
                 {"lam_label": lam_label(v), "series": "test loss", "value": res.test_loss[steps, j] if ok else np.nan}]
    a, b = st.columns(2, gap="large")
    with a:
        st.markdown(f"**L2: the train/test gap** (final losses, λ₁ = {lam_label(l1)})")
        chart(cc.sweep_chart, pd.DataFrame(rows), "final loss (BCE)", x_title="L2 strength λ₂",
                                       mark_x=lam_label(l2) if l2 in sweep else None)
        st.caption("Each point is a separate run from the same seed, trained in the same batch. Stronger L2 "
                   "keeps weights small: the training loss rises, the gap to the test loss shrinks.")
    mask = problem.build().penalty_mask.numpy()
    def one_step(lam):      # how far one update can push a weight: L1's pull for SGD, ~lr for Adam
        return lr * lam if opt == "sgd" else lr

    zeros_l1 = []
    for v in sweep:
        wj = res.final_params[idx[(v, l2)]][mask.astype(bool)]
        zeros_l1 += [{"lam_label": lam_label(v), "series": "exactly 0", "value": float((wj == 0).sum())},
                     {"lam_label": lam_label(v), "series": "within one step of 0, not 0",
                      "value": float(((np.abs(wj) <= one_step(v)) & (wj != 0)).sum()) if v > 0 else 0.0}]
    with b:
        if model == "logistic":
            pth = []
            for v in sweep:
                w = res.final_params[idx[(v, l2)]][:-1]
                for f, wv in zip(problem.features, w):
                    pth.append({"lam_label": lam_label(v), "feature": f, "weight": float(wv), "is_zero": bool(wv == 0)})
            st.markdown(f"**L1: each weight as λ₁ grows** ({'proximal step' if prox else 'penalty in the loss'}, "
                        f"λ₂ = {lam_label(l2)})")
            chart(cc.path_chart, pd.DataFrame(pth))
            st.caption("◆ black diamond: the weight is exactly 0.")
        else:
            st.markdown(f"**L1: weights exactly zero as λ₁ grows** (of {int(mask.sum())}; "
                        f"{'proximal step' if prox else 'penalty in the loss'})")
            chart(cc.sweep_chart, pd.DataFrame(zeros_l1), "number of weights", x_title="L1 strength λ₁",
                                           integer=True, mark_x=lam_label(l1) if l1 in sweep else None)
    nz = int(exact_zeros(theta, mask)[0])
    w_all = theta[mask.astype(bool)]
    step = one_step(l1)
    small = int(((np.abs(w_all) <= step) & (w_all != 0)).sum())
    if l1 > 0 and not prox:
        st.warning(f"**λ₁ = {l1:g} added to the loss: {nz} of {len(w_all)} weights are exactly 0**, but {small} "
                   f"are within one step of it (|w| ≤ {step:g}). With `loss + λ₁·Σ|w|` and a torch optimizer, each "
                   f"step pushes a small weight towards 0 — and past it, so it jitters *around* zero instead of "
                   "landing on it. Turn on **Exact zeros: proximal L1 step** in the sidebar to get true zeros.",
                   icon=":material/search:")
    elif l1 > 0:
        st.success(f"**Proximal L1 (λ₁ = {l1:g}): {nz} of {len(w_all)} weights are exactly 0.** After each "
                   "update every weight is shrunk by lr·λ₁ and set to 0 if smaller than that (soft-thresholding) — "
                   "with SGD this is proximal gradient descent, which finds the true L1-regularised optimum. "
                   + ("With Adam it is a common heuristic, not an exact method." if opt == "adam" else ""), icon=":material/target:")
    else:
        st.caption(f"λ₁ = 0: {nz} weights are exactly 0. Raise the L1 strength to push the useless (noise) "
                   "features' weights towards zero.")
    st.markdown(f"**Your model's weights** (λ₁ = {lam_label(l1)}, λ₂ = {lam_label(l2)})")
    if model == "logistic":
        wdf = pd.DataFrame({"feature": problem.features, "weight": theta[:-1].astype(np.float64)})
        chart(cc.weights_chart, wdf.assign(is_zero=wdf["weight"] == 0))
    else:
        w_sl, shape, _ = mlp.layout(problem.sizes)[0]
        W = theta[w_sl].reshape(shape)           # (units, features)
        wdf = pd.DataFrame([{"feature": f, "unit": u + 1, "weight": float(W[u, i]), "is_zero": bool(W[u, i] == 0)}
                            for i, f in enumerate(problem.features) for u in range(shape[0])])
        st.caption("First layer: one row per input feature, one column per hidden unit. White cells with a dot "
                   "are exactly 0.")
        chart(cc.weight_matrix_chart, wdf)
    run = res.runs[i0]
    script = proximal_script(problem, run, config) if prox else compute.script(problem, run, config)
    code(script, "shoppers.py")


# =============================================================================================
# Tab 5: gradients through depth
# =============================================================================================
def depth_controls():
    st.sidebar.markdown("### Gradients through depth")
    st.sidebar.caption("A deep, narrow network on the sum-of-three data, SGD.")
    with st.sidebar:
        depth = state.slider("d_depth", "Hidden layers")
        width = state.slider("d_width", "Neurons per layer")
        lr = state.select_slider("d_lr", "Learning rate", format_func=lambda v: f"{v:g}")
        steps = state.number_input("d_steps", "Steps", step=50)
        clip = state.select_slider("d_clip", "Gradient clipping (max norm; 0 = off)", format_func=lambda v:
                                   "off" if v == 0 else f"{v:g}")
        seed = state.number_input("d_seed", "Seed", step=1)
    return depth, width, lr, steps, clip, seed


def depth_tab():
    depth, width, lr, steps_req, clip, seed = depth_controls()
    spec = dlcore.OptimizerSpec.make("sgd", lr=lr)
    run = dlcore.RunSpec(spec, seed=seed)
    probs = {a: dlcore.SumOfThree(hidden=(width,) * depth, activation=a) for a in ("sigmoid", "relu")}
    sizes = probs["relu"].sizes
    # Both activations with the chosen clipping, plus ReLU without it (to show clipping's effect).
    n_calls = 3 if clip else 2
    _, steps, notes = fit_budget(1, steps_req, mlp.n_params(sizes), N_EXAMPLES,
                                 max_seconds=12.0 / len(sizes) / n_calls)
    note_box(notes)
    base = dlcore.TrainConfig(steps=steps, record_layer_grads=True, record_params=False)
    results = {}
    for a, p in probs.items():
        if clip:
            results[(a, f"clipped at {clip:g}")] = compute.train(p, (run,), replace(base, clip_norm=clip))
        if a == "relu" or not clip:
            results[(a, "no clipping")] = compute.train(p, (run,), base)
    main = f"clipped at {clip:g}" if clip else "no clipping"
    st.subheader("Vanishing and exploding gradients")
    st.markdown(
        f"A **{'→'.join(map(str, probs['relu'].sizes))}** network — {depth} hidden layers of {width} — trained on the "
        "sum-of-three rows with SGD, once with **Sigmoid** and once with **ReLU**, same seed. Backpropagation "
        "multiplies the gradient by each layer's weights and by the activation's slope on its way back to the "
        "inputs. Sigmoid's slope is at most **0.25**, so the gradient shrinks layer after layer: the first layers "
        "barely learn (**vanishing gradients**). ReLU's slope is 1 where active, so more gets through — but big "
        "gradients can also grow and **explode**; **clipping** caps the gradient's total norm before each step "
        "(`torch.nn.utils.clip_grad_norm_`).")
    prof = []
    for a in ("sigmoid", "relu"):
        r = results[(a, main)]
        for k, v in enumerate(r.layer_grad_norm[0, 0], start=1):
            prof.append({"activation": ACTS[a], "layer_no": k, "grad_norm": float(v)})
    prof = pd.DataFrame(prof)
    c = st.columns(4)
    for i, a in enumerate(("sigmoid", "relu")):
        g = results[(a, main)].layer_grad_norm[0, 0]
        c[i].metric(f"{ACTS[a]}: layer 1 ÷ output layer", f"{g[0] / g[-1]:.1e}" if g[-1] > 0 else "—",
                    help="Gradient norm of the first layer divided by that of the output layer, at step 0.")
    for i, a in enumerate(("sigmoid", "relu")):
        r = results[(a, main)]
        last = r.loss[int(r.last_step()[0]), 0]
        c[2 + i].metric(f"{ACTS[a]}: final loss", "diverged" if r.diverged_at[0] >= 0 else fmt(last, 4))
    a_col, b_col = st.columns([2, 3], gap="large")
    with a_col:
        st.markdown("**At the first step:** gradient size per layer")
        chart(nc.layer_profile_chart, prof)
        st.caption("Log scale: one grid line is a factor of 10. A straight falling line means the gradient is "
                   "multiplied by about the same factor in every layer on the way back.")
    with b_col:
        curves = []
        for (a, cl), r in results.items():
            h = r.history(max_points=300, params=False)
            curves.append(h.assign(label=f"{ACTS[a]}, {cl}", run=len(curves)))
        st.markdown("**Training loss** (MSE, log scale)")
        chart(loss_chart, pd.concat(curves, ignore_index=True), log=True, legend_title="run",
                                   y_title="training loss (log)")
    st.markdown("**Per-layer gradient norms while training** (before clipping; light = near the inputs, dark = near "
                "the output; a line that stops has hit exactly 0)")
    lh = []
    for a in ("sigmoid", "relu"):
        r = results[(a, main)]
        d = r.layer_history(max_points=120)
        d["layer_no"] = d["layer"].str.replace("layer", "").astype(int)
        lh.append(d.assign(label=f"{ACTS[a]} ({main})"))
    chart(nc.layer_history_chart, pd.concat(lh, ignore_index=True))
    if clip:
        r0, r1 = results[("relu", "no clipping")], results[("relu", main)]
        g0 = np.nanmax(r0.grad_norm[: int(r0.last_step()[0]) + 1, 0])
        l0 = r0.loss[int(r0.last_step()[0]), 0]
        l1_ = r1.loss[int(r1.last_step()[0]), 0]
        zero = np.flatnonzero(r0.grad_norm[: int(r0.last_step()[0]) + 1, 0] == 0)
        died = (f" From step {int(zero[0])} its gradient is **exactly 0**: a huge step pushed every unit of a layer "
                "below zero on all inputs — the network is dead (dead ReLU) and answers the same for every input."
                if len(zero) else "")
        st.markdown(
            f"**Clipping's effect (ReLU):** without clipping the gradient norm reaches **{fmt(g0, 3)}** and the run ends "
            f"at loss **{fmt(l0, 4) if r0.diverged_at[0] < 0 else 'diverged'}**.{died} Clipped at {clip:g}, every "
            f"step uses a gradient of norm ≤ {clip:g} (so a step of at most lr·{clip:g} = {lr * clip:g}) and the run "
            f"ends at **{fmt(l1_, 4) if r1.diverged_at[0] < 0 else 'diverged'}**. Clipping doesn't cure vanishing "
            "gradients: it only ever scales gradients down.")
        gn = []
        for cl in ("no clipping", main):
            h = results[("relu", cl)].history(max_points=300, params=False)
            gn.append(h.assign(label=f"ReLU, {cl}", run=len(gn)))
        gdf = pd.concat(gn, ignore_index=True)
        ch = loss_chart(gdf, y="grad_norm", log=True, legend_title="run", y_title="‖gradient‖ before clipping (log)")
        rule = alt.Chart(pd.DataFrame({"y": [clip], "label": [f"clip norm {clip:g}"]})).mark_rule(
            color="#111827", strokeDash=[6, 4]).encode(y=alt.Y("y:Q"), tooltip=[alt.Tooltip("label:N")])
        draw(alt.layer(ch, rule))
        st.caption("Dashed: the clip norm. Above it, the clipped run's gradient is scaled down to that length "
                   "before each step; the unclipped run takes the full step.")
    else:
        st.caption("Turn on gradient clipping in the sidebar to compare clipped and unclipped training.")
    code(compute.script(probs["relu"], run, dlcore.TrainConfig(steps=steps, clip_norm=clip or None)),
         "deep_relu.py", label="Show the code (the ReLU run)")


# =============================================================================================
if active in ("sum", "inside", "seeds"):
    model = sum_model()
    with tabs[active]:
        {"sum": sum_tab, "inside": inside_tab, "seeds": seeds_tab}[active](model)
elif active == "shop":
    with tabs["shop"]:
        shop_tab()
else:
    with tabs["depth"]:
        depth_tab()

share_hint(state)
state.finish()
