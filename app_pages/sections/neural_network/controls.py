"""The Neural network page's settings widgets, grouped by what they change: the sum-of-three
network (first three tabs), the shoppers, and the deep network. Each group is a box at the
top of its tab — in sight of what it changes, and on a phone too (columns stack) — and
returns the frozen setup its tab's cached view takes."""
from __future__ import annotations

import re

import streamlit as st

import dlcore
from dlcore.optimizers import spec_for
from dlcore.problems.own_classification import OwnClassification, OwnDataset
from dlcore.tabular import DataError
from ui.compute import neural_network as nn_compute
from ui.format import md_escape
from ui.layout import friendly_errors, reset_button
from ui.own_data import choose_label, own_table
from ui.params import PageState
from ui.sources import cite
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


def _grid(cells, per_row: int = 4) -> list:
    """Draw the widget-drawing functions ``cells`` in rows of ``per_row`` columns (they stack
    on a phone); returns their values in order."""
    out = []
    for k in range(0, len(cells), per_row):
        cols = st.columns(per_row)
        for col, cell in zip(cols, cells[k:k + per_row]):
            with col:
                out.append(cell())
    return out


def sum_controls(state: PageState) -> nn_compute.SumSetup:
    """The sum-of-three network's settings (used by the first three tabs), in a box at the top
    of the tab."""
    with st.container(border=True):
        st.markdown(f"**The sum-of-three network** — used by the first three tabs; the defaults are those of {cite('001')}.")
        hidden, act, opt, lr = _grid([
            lambda: numbers_input(state, "hidden", "Hidden layer widths", help="One number per hidden layer, e.g. `4` "
                                  "(the article) or `8, 8`. Up to 12 layers of up to 64 neurons.")[0],
            lambda: state.selectbox("act", "Activation", format_func=ACTS.get),
            lambda: state.selectbox("opt", "Optimizer", format_func=OPTS.get),
            lambda: state.select_slider("lr", "Learning rate", format_func=lr_text)])
        values = _grid(_hyper_cells(state, opt) + [
            lambda: state.number_input("epochs", "Epochs", step=10),
            lambda: state.number_input("seed", "Seed (initial weights)", step=1,
                                       help=f"The seed fixes the initial weights. {nn_compute.ARTICLE_SEED} is the "
                                       "seed whose log comes closest to the article's (see Many seeds → Fact check).")])
        reset_button(state, keys=SUM_KEYS, label="The article's settings",
                     help="3→4→1 ReLU, SGD lr 0.01, 100 epochs, as in Deep Learning Basics with PyTorch, Part 4; "
                          "seed " + str(nn_compute.ARTICLE_SEED))
    epochs, seed = values[-2:]
    with friendly_errors("this network"):
        spec = spec_for(opt, lr, **{k: state[k] for k in ("mom", "b1", "b2", "alpha", "wd")})
        return nn_compute.sum_setup(tuple(hidden), act, spec, epochs, seed)


def _hyper_cells(state: PageState, opt: str) -> list:
    cells = []
    if opt in ("sgd", "rmsprop"):
        cells.append(lambda: state.slider("mom", "Momentum", step=0.01))
    if opt in ("adam", "adamw"):
        cells += [lambda: state.number_input("b1", "β₁", step=0.01, format="%.3f"),
                  lambda: state.number_input("b2", "β₂", step=0.001, format="%.4f")]
    if opt == "rmsprop":
        cells.append(lambda: state.slider("alpha", "α (smoothing)", step=0.01))
    return cells + [lambda: state.number_input("wd", "Weight decay", step=0.001, format="%.4g")]


SOURCES = {"builtin": "1000 shoppers (built-in)", "own": "Use my own data"}
OWN_KEYS = ("c_label", "c_pos", "c_drop")


def shop_controls(state: PageState) -> nn_compute.ShopSetup | None:
    """The shoppers' settings; None when "Use my own data" is chosen but no usable table is
    there yet (the box above says what to do or what was wrong)."""
    with st.container(border=True):
        st.markdown("**Shoppers: who buys?** — the model, its training, regularisation and the data.")
        source = state.segmented("c_src", "Data", format_func=SOURCES.get, required=True,
                                 help="Your own table stays in this browser session: switching back to the "
                                      "built-in shoppers and again to your data keeps it, and its label and "
                                      "feature choices.") or "builtin"
        dataset = own_data(state) if source == "own" else None
        model, hidden, opt, lr = _grid([
            lambda: state.segmented("c_model", "Model", format_func={"logistic": "Logistic regression",
                                                                      "mlp": "MLP"}.get) or "mlp",
            lambda: numbers_input(state, "c_hidden", "MLP hidden layer widths", disabled=state.current("c_model") != "mlp",
                                  help="e.g. `16` or `32, 16`")[0],
            lambda: state.segmented("c_opt", "Optimizer", format_func=OPTS.get) or "adam",
            lambda: state.select_slider("c_lr", "Learning rate", format_func=lr_text)])
        epochs, l2, l1, prox = _grid([
            lambda: state.number_input("c_epochs", "Epochs (full batch)", step=50),
            lambda: state.select_slider("c_l2", "L2 strength λ₂  (adds λ₂·Σw²)", format_func=lr_text,
                                        help="Regularisation acts on the weights only, not the biases."),
            lambda: state.select_slider("c_l1", "L1 strength λ₁  (adds λ₁·Σ|w|)", format_func=lr_text),
            lambda: state.toggle("c_prox", "Exact zeros (proximal)",
                                 help="Apply L1 as a soft-thresholding step after each update instead of a loss "
                                      "term. torch.optim doesn't do this; the exported script adds it by hand.")])
        if source == "own":
            seed = _grid([lambda: state.number_input(
                "c_seed", "Seed (train/test split and initial weights)", step=1,
                help="The seed shuffles each class before 20 % of it is held out for testing, and fixes the "
                     "initial weights.")], per_row=3)[0]
        else:
            noise, ntrain, seed = _grid([
                lambda: state.slider("c_noise", "Noise features (pure noise columns)"),
                lambda: state.slider("c_train", "Training records (of 800)", step=10),
                lambda: state.number_input("c_seed", "Seed (initial weights)", step=1)], per_row=3)
    if source == "own" and dataset is None:
        return None
    with friendly_errors("these settings"):
        hidden = tuple(hidden) if model == "mlp" else (16,)
        if source == "own":
            problem = OwnClassification(dataset, model=model, hidden=hidden, split_seed=seed)
        else:
            problem = dlcore.PurchaseProblem(model=model, hidden=hidden, train_size=ntrain, noise_features=noise)
        run = dlcore.RunSpec(dlcore.OptimizerSpec.make(opt, lr=lr), seed=seed, l1=l1, l2=l2, label="your run")
    return nn_compute.ShopSetup(problem, run, epochs, prox)


def own_data(state: PageState) -> OwnDataset | None:
    """The learner's table (ui.own_data: upload or paste, kept for the session), its label,
    positive class and features; the checked dataset, or None (with the reason in the page)."""
    own = own_table(state, name="c_data", reset=OWN_KEYS + ("c_src",),
                    title="Your data: upload a CSV or paste a table")
    if own is None:
        st.info("Upload a CSV or paste a table in the box above: a column with exactly two values to predict "
                "(e.g. yes/no or 0/1) and columns to predict it from. Until then there is nothing to train; the "
                "built-in shoppers are one click away.", icon=":material/upload_file:")
        return None
    try:
        label, positive = choose_label(state, own.table, label="c_label", positive="c_pos")
        features = features_input(state, "c_drop", list(own.table.frame.columns), label)
        dataset = nn_compute.own_dataset(own.table, label, tuple(features), positive)
    except DataError as err:
        st.error(f"**Can't classify with this table:** {md_escape(err)}", icon=":material/table_chart:")
        return None
    extra = [n for n in dataset.notes if n not in own.table.notes]
    if extra:
        st.info("\n".join(f"- {md_escape(n)}" for n in extra), icon=":material/edit_note:")
    return dataset


def features_input(state: PageState, setting: str, columns: list[str], label: str) -> list[str]:
    """A multiselect of the feature columns (every column but the label), bound to the
    setting ``setting``: the positions of the columns left out. Nothing left out — the
    default — is every column, and choosing another label keeps the other choices. Returns
    the chosen column names in table order; none chosen raises DataError."""
    options = [c for c in columns if c != label]
    seen = f"_gdl_cols.{state.page}.{setting}"
    if st.session_state.get(seen, tuple(columns)) != tuple(columns) and not state.fixed(setting):
        state.set(setting, [])           # another table: its columns are all features again
    st.session_state[seen] = tuple(columns)

    def box(text, key, **kw):
        ss = st.session_state
        ui_key, synced = f"{key}.ui", f"{key}.synced"
        held = (tuple(ss[key]), tuple(options))
        if ui_key not in ss or ss.get(synced) != held:
            ss[ui_key] = [c for i, c in enumerate(columns) if c != label and i not in ss[key]]
        chosen = st.multiselect(text, options, key=ui_key, **kw)
        value = [i for i, c in enumerate(columns) if c != label and c not in chosen]
        ss[key] = value
        ss[synced] = (tuple(value), tuple(options))
        return value

    left_out = state.widget(box, setting, "Features (the columns it learns from)",
                            help="Columns of numbers are used as they are; a text column with a few values is "
                                 "one-hot encoded (one 0/1 column per value but the first). All features are "
                                 "standardised with the training rows' mean and std.")
    chosen = [c for i, c in enumerate(columns) if c != label and i not in left_out]
    if not chosen:
        raise DataError("No feature chosen: pick at least one column to learn from.")
    return chosen


def depth_controls(state: PageState) -> nn_compute.DepthSetup:
    with st.container(border=True):
        st.markdown("**Gradients through depth** — a deep, narrow network on the sum-of-three data, SGD.")
        depth, width, lr, steps, clip, seed = _grid([
            lambda: state.slider("d_depth", "Hidden layers"),
            lambda: state.slider("d_width", "Neurons per layer"),
            lambda: state.select_slider("d_lr", "Learning rate", format_func=lr_text),
            lambda: state.number_input("d_steps", "Steps", step=50),
            lambda: state.select_slider("d_clip", "Gradient clipping (max norm; 0 = off)",
                                        format_func=lambda v: "off" if v == 0 else f"{v:g}"),
            lambda: state.number_input("d_seed", "Seed", step=1)], per_row=3)
    return nn_compute.DepthSetup(depth, width, lr, steps, clip, seed)
