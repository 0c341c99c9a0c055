"""The Neural network page's settings widgets, grouped by what they change: the sum-of-three
network (first three tabs), the shoppers, and the deep network. Each group returns the
frozen setup its tab's cached view takes."""
from __future__ import annotations

import re

import streamlit as st

import dlcore
from ui import safety
from ui.compute import neural_network as nn_compute
from ui.layout import friendly_errors
from ui.params import PageState
from ui.text.neural_network import ACTS

OPTS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
SUM_KEYS = ("hidden", "act", "opt", "lr", "mom", "b1", "b2", "alpha", "wd", "epochs", "seed")


def lr_text(v: float) -> str:
    return f"{v:g}"


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


def numbers_input(state: PageState, setting: str, label: str, quiet: bool = False, **kw) -> tuple[list, str]:
    """A text box for a list of numbers, bound to the list setting ``setting`` (validated,
    URL-bound): returns the setting's valid value and the text as typed.

    The box lives under its own key (``<widget key>.ui``) and is re-synced from the setting
    whenever the setting was changed from outside (a link, a reset button) since the last run.
    ``quiet``: the caller explains bad input next to the box itself, so typing it adds no
    note to the page's "Some settings were adjusted" box (a bad link value still does)."""
    typed: list = []

    def box(label, key, **kw):
        ss = st.session_state
        ui_key, synced = f"{key}.ui", f"{key}.synced"
        if ui_key not in ss or ss.get(synced) != ss[key]:
            ss[ui_key] = ", ".join(f"{x:g}" for x in ss[key])
        typed.append(st.text_input(label, key=ui_key, max_chars=120, **kw))
        clean, _ = state.param(setting).clean(split_numbers(typed[0]))
        ss[key] = ss[synced] = clean
        return clean if quiet else split_numbers(typed[0])

    value = state.widget(box, setting, label, **kw)
    return value, typed[0]


def sum_controls(state: PageState, where) -> nn_compute.SumSetup:
    """The sum-of-three network's settings (used by the first three tabs)."""
    where.markdown("### The sum-of-three network")
    where.caption("Used by the first three tabs. Defaults are article 001's.")
    with where:
        hidden, _ = numbers_input(state, "hidden", "Hidden layer widths", help="One number per hidden layer, e.g. `4` "
                                  "(the article) or `8, 8`. Up to 12 layers of up to 64 neurons.")
        act = state.selectbox("act", "Activation", format_func=ACTS.get)
        opt = state.selectbox("opt", "Optimizer", format_func=OPTS.get)
        lr = state.select_slider("lr", "Learning rate", format_func=lr_text)
        _hyper_controls(state, opt)
        epochs = state.number_input("epochs", "Epochs", step=10)
        seed = state.number_input("seed", "Seed (initial weights)", step=1,
                                  help=f"The seed fixes the initial weights. {nn_compute.ARTICLE_SEED} is the seed "
                                  "whose log comes closest to the article's (see Many seeds → Fact check).")
        st.button("Article 001's settings", on_click=safety.callback(state.reset), args=(SUM_KEYS,),
                  icon=":material/restart_alt:",
                  help="3→4→1 ReLU, SGD lr 0.01, 100 epochs, seed " + str(nn_compute.ARTICLE_SEED))
    with friendly_errors("this network"):
        spec = nn_compute.optimizer_spec(opt, lr, {k: state[k] for k in ("mom", "b1", "b2", "alpha", "wd")})
        return nn_compute.sum_setup(tuple(hidden), act, spec, epochs, seed)


def _hyper_controls(state: PageState, opt: str) -> None:
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


def shop_controls(state: PageState, where) -> nn_compute.ShopSetup:
    where.markdown("### Shoppers: who buys?")
    with where:
        model = state.segmented("c_model", "Model", format_func={"logistic": "Logistic regression",
                                                                  "mlp": "MLP"}.get) or "mlp"
        hidden, _ = numbers_input(state, "c_hidden", "MLP hidden layer widths", disabled=model != "mlp",
                                  help="e.g. `16` or `32, 16`")
        opt = state.segmented("c_opt", "Optimizer", format_func=OPTS.get) or "adam"
        lr = state.select_slider("c_lr", "Learning rate", format_func=lr_text)
        epochs = state.number_input("c_epochs", "Epochs (full batch)", step=50)
        st.markdown("**Regularisation** (weights only, not biases)")
        l2 = state.select_slider("c_l2", "L2 strength λ₂  (adds λ₂·Σw²)", format_func=lr_text)
        l1 = state.select_slider("c_l1", "L1 strength λ₁  (adds λ₁·Σ|w|)", format_func=lr_text)
        prox = state.toggle("c_prox", "Exact zeros: proximal L1 step",
                            help="Apply L1 as a soft-thresholding step after each update instead of a loss "
                                 "term. torch.optim doesn't do this; the exported script adds it by hand.")
        st.markdown("**Data**")
        noise = state.slider("c_noise", "Noise features (pure noise columns)")
        ntrain = state.slider("c_train", "Training records (of 800)", step=10)
        seed = state.number_input("c_seed", "Seed (initial weights)", step=1)
    with friendly_errors("these settings"):
        problem = dlcore.PurchaseProblem(model=model, hidden=tuple(hidden) if model == "mlp" else (16,),
                                         train_size=ntrain, noise_features=noise)
        run = dlcore.RunSpec(dlcore.OptimizerSpec.make(opt, lr=lr), seed=seed, l1=l1, l2=l2, label="your run")
    return nn_compute.ShopSetup(problem, run, epochs, prox)


def depth_controls(state: PageState, where) -> nn_compute.DepthSetup:
    where.markdown("### Gradients through depth")
    where.caption("A deep, narrow network on the sum-of-three data, SGD.")
    with where:
        depth = state.slider("d_depth", "Hidden layers")
        width = state.slider("d_width", "Neurons per layer")
        lr = state.select_slider("d_lr", "Learning rate", format_func=lr_text)
        steps = state.number_input("d_steps", "Steps", step=50)
        clip = state.select_slider("d_clip", "Gradient clipping (max norm; 0 = off)",
                                   format_func=lambda v: "off" if v == 0 else f"{v:g}")
        seed = state.number_input("d_seed", "Seed", step=1)
    return nn_compute.DepthSetup(depth, width, lr, steps, clip, seed)
