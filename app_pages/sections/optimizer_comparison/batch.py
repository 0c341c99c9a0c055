"""The batch-size tab: batch vs mini-batch vs stochastic gradient descent on the purchase data of
*Gradient Descent in PyTorch*, with the article's table of claims beside what was measured."""
from __future__ import annotations

import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.problems.base import n_params
from ui.charts.core import loss_chart
from ui.charts.render import chart
from ui.compute import optimizer_comparison as compute
from ui.format import number_columns
from ui.layout import code, note_box, table
from ui.sources import cite
from ui.text.optimizer_comparison import batch_claims, lr_text

from .row import widget_row

MODELS = {"logistic": "logistic regression", "mlp": "MLP 3→16→1"}


def batch_settings(state) -> list:
    return widget_row(
        [1, 1.4, 1.4, 0.9, 1.2, 0.9],
        lambda: state.selectbox("b_opt", "Optimizer"),
        lambda: state.select_slider("b_lr", "Learning rate", format_func=lr_text),
        lambda: state.slider("b_steps", "Updates", step=10),
        lambda: state.number_input("b_mid", "Mini-batch size", step=1),
        lambda: state.selectbox("b_model", "Model", format_func=MODELS.get),
        lambda: state.number_input("b_seed", "Seed", step=1, help="Initial weights and the shuffling order."),
        gap="medium")


def batch_charts(cmp) -> None:
    n, hist = cmp.n_train, cmp.history
    left, right = st.columns(2, gap="medium")
    with left:
        chart(loss_chart, hist, x="step", title="Training loss after each update", height=380,
              x_title="updates", y_title="training loss (BCE)", legend_title="method", legend={"orient": "top"})
    with right:
        chart(loss_chart, hist[hist["step"] > 0], x="epochs", x_log=True, height=380,
              title="The same runs against data read",
              x_title=f"epochs = samples seen ÷ {n} (log scale)", y_title="training loss (BCE)",
              legend_title="method", legend={"orient": "top"})


def batch_tab(state, panel):
    """The tab; returns its rows (for the lesson) — or None."""
    st.markdown(f"{cite('002')} compares three ways to use the data: **batch** gradient descent (all examples per "
                "update), **mini-batch** (a few at a time) and **stochastic** (one at a time). Here they are "
                "measured on the article's purchase data (800 training records, 200 for testing), with the same "
                "optimizer, rate, initial weights and shuffling seed.")
    label, lr, steps_wanted, mid, model, seed = batch_settings(state)
    problem = dlcore.PurchaseProblem(model=model)
    n = problem.n_train_max
    mid = min(mid, n - 1)
    spec = dlcore.preset(label, lr=lr)
    # Three training calls of one run each (measured and asked for by the budget's owner).
    _, steps, notes = fit_budget(1, steps_wanted, n_params(problem), 2 * n, n_layers=1 if model == "logistic" else 2,
                                 calls=3)
    note_box(notes)
    cmp = compute.batch_comparison(problem, spec, seed, steps, mid)
    if panel.hides("noisiest") or panel.hides("stochastic_ups"):
        st.info("Make your prediction in the lesson panel above first: the runs are shown once you have "
                "submitted it.", icon=":material/visibility_off:")
        return cmp.rows
    batch_charts(cmp)
    col = st.column_config
    table(cmp.rows, "batch_vs_minibatch.csv", column_config=number_columns(cmp.rows, **{
        "epochs": col.NumberColumn(format="%.3g"),
        "train loss": col.NumberColumn(format="%.5f"),
        "test loss": col.NumberColumn(format="%.5f"),
        "test accuracy": col.NumberColumn(format="%.3f"),
        "loss went up": col.NumberColumn(format="percent", help="share of updates after which the loss on all "
                                                                "training records was higher")}))
    st.caption(f"Training loss = binary cross-entropy on all {n} training records after each update (for "
               "mini-batches that is more than the update itself saw). Three training calls (a batch size belongs "
               f"to a whole call), each cached; seed {seed} gives all three the same initial weights and the same "
               "shuffling generator. float32, as a plain PyTorch script would use.")
    st.header(f"The table of {cite('002')}, measured")
    st.table(batch_claims(cmp.rows, n, mid))
    code(compute.script(problem, dlcore.RunSpec(spec, seed=seed),
                        dlcore.TrainConfig(steps=steps, batch_size=mid, dtype="float32")),
         "minibatch_purchase.py", label=f"Show the code (mini-batch {mid})")
    return cmp.rows
