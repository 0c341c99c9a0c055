"""Tab "Shoppers (classification)": article 002's purchase data — or the learner's own table —
a classifier trained on it, its metrics against the majority-class baseline, and what L2 and
L1 do to its weights."""
from __future__ import annotations

import streamlit as st

from dlcore.problems.own_classification import DATA_FILE

from ui import glossary
from ui.charts import classification as cc
from ui.charts.render import chart
from ui.compute import neural_network as nn_compute
from ui.compute.neural_network import lam_label
from ui.format import quote
from ui.layout import code, fmt, note_box, table
from ui.text import neural_network as text


def show(setup: nn_compute.ShopSetup | None) -> None:
    if setup is None:          # own data chosen, no usable table yet: the settings box says why
        return
    v = nn_compute.shop_view(setup)
    note_box(list(v.notes))
    if setup.own:
        _own_data(setup, v)
    else:
        _shoppers_data(setup, v)
    st.subheader("Training")
    if v.diverged:
        st.error(text.shop_diverged(v.diverged_at), icon=":material/error:")
    a, b = st.columns([3, 2], gap="large")
    with a:
        st.markdown("**Train and test loss** (binary cross-entropy)")
        chart(cc.split_loss_chart, v.curves)
    if v.evaluation.diverged:
        _diverged(v.evaluation)
        return
    with b:
        _losses(v)
    _metrics(v.evaluation, setup.own)
    _regularisation(setup, v)
    if v.script is not None:
        code(v.script, "my_classifier.py" if setup.own else "shoppers.py")


def _own_data(setup: nn_compute.ShopSetup, v: nn_compute.ShopView) -> None:
    data = setup.problem.data
    st.header(text.own_heading(data.n, len(data.feature_names), data.label))
    st.markdown(text.own_intro("your table", data.label, data.positive, data.negative, v.n_train, v.n_test,
                               v.pos_train, v.pos_test))
    with st.expander(f"The rows as trained on ({len(v.records):,} rows, features after encoding)",
                     icon=":material/table:"):
        table(v.records, DATA_FILE, height=300, key="dl-nn-own-data")
        st.markdown("**How each feature is standardised** (training rows only)")
        table(v.scaling, "standardising.csv", key="dl-nn-own-scaling")


def _shoppers_data(setup: nn_compute.ShopSetup, v: nn_compute.ShopView) -> None:
    problem = setup.problem
    st.header("Who buys? 1000 shoppers, age · income · education → purchased")
    st.markdown(text.shop_intro(v.n_train, v.n_test, problem.n_train_max, problem.noise_features))
    d1, d2 = st.columns([3, 2], gap="large")
    with d1:
        chart(cc.purchase_scatter, v.records)
    with d2:
        chart(cc.rate_bars, v.bands, "age_band", "age")
        chart(cc.rate_bars, v.bands, "income_q", "income fifth")
    with st.expander("How the data is generated (the rule, and the best possible accuracy)", icon=":material/casino:"):
        st.markdown(text.DATA_RULE)
    with st.expander(f"The records ({len(v.records)} rows)", icon=":material/table:"):
        table(v.records, "purchases.csv", height=300, key="dl-nn-data")


def _losses(v: nn_compute.ShopView) -> None:
    gap = v.test_loss - v.train_loss
    k = st.columns(2)
    k[0].metric("Train loss", fmt(v.train_loss, 4))
    k[1].metric("Test loss", fmt(v.test_loss, 4), f"gap {gap:+.3f}", delta_color="inverse")
    st.markdown(text.best_epoch_sentence(v.best_test_loss, v.best_epoch, v.steps, gap, own=v.scaling is not None))


def _always(e: nn_compute.Evaluation) -> str:
    """The baseline metric's label: always answering the majority class."""
    return "Always “no” (majority class)" if e.bayes is not None else f"Always {quote(e.majority, 24)} (majority class)"


def _diverged(e: nn_compute.Evaluation) -> None:
    """A diverged classifier has no metrics: say so where they would be."""
    st.subheader("How good is it? (threshold 0.5)")
    k = st.columns(3 if e.bayes is not None else 2)
    k[0].metric("Test accuracy", "diverged", help="Its probabilities are not finite numbers, so there is nothing to "
                "score: a NaN probability is neither a “yes” nor a “no”.")
    k[1].metric(_always(e), f"{e.baseline:.1%}")
    if e.bayes is not None:
        k[2].metric("Best possible (Bayes)", f"{e.bayes:.1%}")
    st.caption("No accuracy, precision, recall, F1, confusion matrix or ROC curve for a diverged model — lower the "
               "learning rate and they come back.")


def _accuracy_row(e: nn_compute.Evaluation) -> None:
    test_acc = e.test_accuracy
    if e.bayes is None:            # own data: the baseline only (the true probabilities are unknown)
        k = st.columns(2)
        k[0].metric("Test accuracy", f"{test_acc:.1%}", f"{test_acc - e.baseline:+.1%} vs the majority class",
                    delta_color="normal")
        k[1].metric(_always(e), f"{e.baseline:.1%}")
        st.markdown(text.own_accuracy_context(test_acc, e.baseline, e.majority))
        return
    k = st.columns(3)
    k[0].metric("Test accuracy", f"{test_acc:.1%}", f"{test_acc - e.baseline:+.1%} vs always “no”",
                delta_color="normal")
    k[1].metric("Always “no” (majority class)", f"{e.baseline:.1%}")
    k[2].metric("Best possible (Bayes)", f"{e.bayes:.1%}",
                help="The accuracy of a model that knows each shopper's true chance of buying (the rule in "
                     "“How the data is generated”); nothing can do better on average.")
    st.markdown(text.accuracy_context(test_acc, e.baseline, e.bayes))


def _metrics(e: nn_compute.Evaluation, own: bool = False) -> None:
    st.subheader("How good is it? (threshold 0.5)")
    _accuracy_row(e)
    table(e.metrics, "metrics.csv", key="dl-nn-metrics",
          column_config={k: st.column_config.NumberColumn(format="%.4f") for k in e.metrics.columns[1:]})
    if own:
        neg, pos = (quote(n, 24) for n in e.names)
        st.caption(f"{glossary.link('accuracy', 'Accuracy')}: share of rows classified right. "
                   f"{glossary.link('precision', 'Precision')}: of the rows predicted {pos}, how many are. "
                   f"{glossary.link('recall', 'Recall')}: of the {pos} rows, how many were found. "
                   f"{glossary.link('f1', 'F1')}: their harmonic mean. {glossary.link('roc-auc', 'ROC AUC')}: the "
                   f"chance that a random {pos} row gets a higher probability than a random {neg} row. Computed by "
                   "scikit-learn.")
    else:
        st.caption(f"{glossary.link('accuracy', 'Accuracy')}: share of records classified right. "
                   f"{glossary.link('precision', 'Precision')}: of those predicted to buy, how many did. "
                   f"{glossary.link('recall', 'Recall')}: of the buyers, how many were found. "
                   f"{glossary.link('f1', 'F1')}: their harmonic mean. {glossary.link('roc-auc', 'ROC AUC')}: the "
                   "chance that a random buyer gets a higher probability than a random non-buyer. Computed by "
                   "scikit-learn.")
    a, b = st.columns([2, 3], gap="large")
    with a:
        st.markdown("**Confusion matrix** (test records)")
        chart(cc.confusion_chart, e.confusion)
    with b:
        st.markdown("**ROC curve**: every threshold at once")
        chart(cc.roc_chart, e.roc)


def _named(first_zero: dict, own: bool) -> dict:
    """Own data's feature names are the learner's text: each shown as an inert code span."""
    return {quote(f, 30): lam for f, lam in first_zero.items()} if own else first_zero


def _regularisation(setup: nn_compute.ShopSetup, v: nn_compute.ShopView) -> None:
    l1, l2, prox = setup.run.l1, setup.run.l2, setup.proximal
    how = "proximal step" if prox else "penalty in the loss"
    st.subheader("Regularisation: overfitting and exact zeros")
    st.caption(f"{glossary.link('l2', 'L2')} adds λ₂·Σw² to the loss, {glossary.link('l1', 'L1')} adds λ₁·Σ|w| — or, "
               f"with **Exact zeros**, applies it as a {glossary.link('proximal', 'proximal step')} after each update.")
    a, b = st.columns(2, gap="large")
    with a:
        st.markdown(f"**L2: the train/test gap** (final losses, λ₁ = {lam_label(l1)})")
        chart(cc.sweep_chart, v.l2_sweep, "final loss (BCE)", x_title="L2 strength λ₂",
              mark_x=lam_label(l2) if l2 in nn_compute.L_SWEEP else None)
        st.caption("Each point is a separate run from the same seed, trained in the same batch. Stronger L2 "
                   "keeps weights small: the training loss rises, the gap to the test loss shrinks.")
    with b:
        logistic = setup.problem.model == "logistic"
        st.markdown(f"**L1: {'each weight' if logistic else 'each feature’s first-layer weights (Σ|w|)'} as λ₁ "
                    f"grows** ({how}, λ₂ = {lam_label(l2)})")
        chart(cc.path_chart, v.l1_sweep, y_title="weight" if logistic else "Σ|w| of the feature's weights")
        st.caption("◆ black diamond: exactly 0 (the model ignores that feature). "
                   + ("" if setup.own else "Dashed: noise features. ") + text.l1_order(_named(v.l1_first_zero, setup.own), prox))
    verdict = text.l1_verdict(v.zeros, l1, prox, setup.run.optimizer.name, noise=not setup.own)
    icons = {"warning": ":material/search:", "success": ":material/target:"}
    if verdict.kind == "caption":
        st.caption(verdict.text)
    else:
        getattr(st, verdict.kind)(verdict.text, icon=icons[verdict.kind])
    st.markdown(f"**Your model's weights** (λ₁ = {lam_label(l1)}, λ₂ = {lam_label(l2)})")
    if setup.problem.model == "logistic":
        chart(cc.weights_chart, v.weights)
    else:
        st.caption("First layer: one row per input feature, one column per hidden unit. White cells with a dot "
                   "are exactly 0.")
        chart(cc.weight_matrix_chart, v.weights)
