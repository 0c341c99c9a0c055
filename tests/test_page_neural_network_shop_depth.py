"""Neural Network page, Shoppers and Gradients-through-depth tabs, in AppTest.

References: plain nn.Sequential + torch.optim loops written here, and scikit-learn's metrics."""
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn
from sklearn import metrics as skm

from dlcore import PurchaseProblem
from tests.nn_page_helpers import X3, chart_data, dataframe_with, find_data, metric, run_page, seeded_mlp, texts

torch.set_num_threads(1)


def torch_classifier(problem, opt, lr, epochs, seed, l1=0.0, l2=0.0):
    """A learner's loop: standardised data, BCEWithLogitsLoss (+ penalties on weights), torch.optim."""
    Xtr, ytr, Xte, yte, _, _ = problem.arrays()              # the data set itself (generator + split)
    X, y = torch.tensor(Xtr, dtype=torch.float64), torch.tensor(ytr, dtype=torch.float64).unsqueeze(1)
    sizes = (X.shape[1], 1) if problem.model == "logistic" else (X.shape[1], *problem.hidden, 1)
    model = seeded_mlp(sizes, "relu", seed).double()       # the page trains the shoppers in float64
    optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt](model.parameters(), lr=lr)
    crit = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        loss = crit(model(X), y)
        weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
        if l1:
            loss = loss + l1 * sum(p.abs().sum() for p in weights)
        if l2:
            loss = loss + l2 * sum((p ** 2).sum() for p in weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        p_tr = torch.sigmoid(model(X)).squeeze(1).double().numpy()
        p_te = torch.sigmoid(model(torch.tensor(Xte, dtype=torch.float64))).squeeze(1).double().numpy()
    return model, (ytr, p_tr), (yte, p_te)


def weights_drawn(at):
    """The logistic weights the weights chart draws, one row per feature, in the chart's order
    (bars and the exact-zero markers are separate layers with separate data)."""
    parts = [d for d in chart_data(at) if {"feature", "weight", "is_zero", "kind"} <= set(d.columns)]
    assert parts, "no weights chart"
    order = [f for f in ("age", "income", "education", *[f"noise_{k}" for k in range(1, 21)])]
    df = pd.concat(parts).drop_duplicates("feature")
    return df.set_index("feature").loc[[f for f in order if f in set(df["feature"])]].reset_index()


def sk_metrics(y, p):
    pred = (p >= 0.5).astype(int)
    return {"accuracy": skm.accuracy_score(y, pred), "precision": skm.precision_score(y, pred, zero_division=0),
            "recall": skm.recall_score(y, pred, zero_division=0), "F1": skm.f1_score(y, pred, zero_division=0),
            "ROC AUC": skm.roc_auc_score(y, p)}


def check_metrics(at, problem, opt, lr, epochs, seed, **pen):
    _, train_, test_ = torch_classifier(problem, opt, lr, epochs, seed, **pen)
    table = dataframe_with(at, "ROC AUC").set_index("split")
    for split, (y, p) in (("train", train_), ("test", test_)):
        ref = sk_metrics(y, p)
        for k, v in ref.items():
            # the page's probabilities equal torch's to float64 rounding; no record sits within 1e-5 of 0.5
            assert abs(table.loc[split, k] - v) < 1e-4, (split, k, table.loc[split, k], v)
    cm = find_data(at, {"actual", "predicted", "count"})
    ref_cm = skm.confusion_matrix(test_[0].astype(int), (test_[1] >= 0.5).astype(int), labels=[0, 1])
    got = {(r.actual, r.predicted): r.count for r in cm.itertuples()}
    assert got[("actual: no", "predicted: no")] == ref_cm[0, 0] and got[("actual: yes", "predicted: yes")] == ref_cm[1, 1]
    assert got[("actual: no", "predicted: yes")] == ref_cm[0, 1] and got[("actual: yes", "predicted: no")] == ref_cm[1, 0]


def test_shoppers_defaults_metrics_equal_sklearn_on_a_torch_loop():
    at = run_page(tab="shop")
    problem = PurchaseProblem(model="mlp", hidden=(16,), noise_features=3, train_size=200)
    check_metrics(at, problem, "adam", 0.01, 300, 0)
    roc = find_data(at, {"fpr", "tpr", "split"})
    assert np.isfinite(roc[["fpr", "tpr"]].to_numpy(dtype=float)).all()
    assert "overfitting" in texts(at, "markdown")              # the default shows it: train 200, no penalty
    assert len(dataframe_with(at, "purchased")) == 1000         # the data view
    assert any("BCEWithLogitsLoss" in c.value for c in at.code)  # show the code


def test_shoppers_url_logistic_sgd_with_l2():
    at = run_page(tab="shop", c_model="logistic", c_opt="sgd", c_lr="0.5", c_epochs="200", c_l2="0.01",
                  c_noise="5", c_train="400", c_seed="2")
    problem = PurchaseProblem(model="logistic", noise_features=5, train_size=400)
    check_metrics(at, problem, "sgd", 0.5, 200, 2, l2=0.01)
    weights = weights_drawn(at)
    model, _, _ = torch_classifier(problem, "sgd", 0.5, 200, 2, l2=0.01)
    ref = model[0].weight.detach().double().numpy()[0]
    np.testing.assert_allclose(weights["weight"].to_numpy(dtype=float), ref, rtol=1e-4, atol=1e-5)


def test_l1_in_the_loss_hovers_and_the_proximal_step_zeroes():
    at = run_page(tab="shop", c_model="logistic", c_opt="sgd", c_lr="0.5", c_l1="0.03", c_noise="5")
    assert "are exactly 0" in texts(at, "warning") and "jitters" in texts(at, "warning")
    w = weights_drawn(at)
    assert not w["is_zero"].any()
    at = run_page(tab="shop", c_model="logistic", c_opt="sgd", c_lr="0.5", c_l1="0.03", c_noise="5", c_prox="1")
    w = weights_drawn(at)
    noise = w[w["feature"].str.startswith("noise")]
    assert noise["is_zero"].sum() >= 3 and (noise.loc[noise["is_zero"], "weight"] == 0).all()
    assert "exactly 0" in texts(at, "success")
    assert any("step_lr * 0.03" in c.value for c in at.code)     # the exported script has the proximal step


def test_l2_sweep_shrinks_the_gap():
    at = run_page(tab="shop")
    sweep = [d for d in chart_data(at) if {"lam_label", "series", "value"} <= set(d.columns)
             and set(d["series"]) == {"train loss", "test loss"}][0]
    gap = (sweep[sweep.series == "test loss"].set_index("lam_label")["value"]
           - sweep[sweep.series == "train loss"].set_index("lam_label")["value"])
    assert gap["0"] > 0.25 and gap["0.1"] < 0.1 and gap["0.1"] < gap["0.01"] < gap["0"]
    # each point is the final train/test BCE of a torch loop with that L2 strength
    problem = PurchaseProblem(model="mlp", hidden=(16,), noise_features=3, train_size=200)
    bce = lambda y, p: float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))  # noqa: E731
    for lam, label in ((0.0, "0"), (0.01, "0.01"), (0.1, "0.1")):
        _, (ytr, ptr), (yte, pte) = torch_classifier(problem, "adam", 0.01, 300, 0, l2=lam)
        assert abs(gap[label] - (bce(yte, pte) - bce(ytr, ptr))) < 1e-4, label


@pytest.mark.parametrize("query, expect", [
    (dict(c_train="2"), "below the minimum"),
    (dict(c_noise="999"), "above the maximum"),
    (dict(c_hidden="0,99999"), "below the minimum"),
    (dict(c_model="svm"), "not one of"),
    (dict(c_lr="5", c_opt="sgd", c_model="mlp"), None),
    (dict(c_epochs="1e9", c_hidden="64,64,64,64", c_noise="20"), "To keep the lab fast"),
])
def test_shoppers_edge_settings(query, expect):
    at = run_page(tab="shop", **query)
    if expect:
        assert expect in texts(at, "warning", "info")
    assert at.get("vega_lite_chart")
    for d in chart_data(at):
        for c in d.columns:
            if d[c].dtype.kind == "f" and c not in ("z", "bias"):
                assert np.isfinite(d[c].to_numpy()).all(), c      # no NaN/inf reaches an axis


def test_depth_tab_layer_gradients_equal_torch_autograd():
    at = run_page(tab="depth")
    prof = find_data(at, {"layer_no", "grad_norm", "activation"})
    for act, label in (("sigmoid", "Sigmoid"), ("relu", "ReLU")):
        model = seeded_mlp((3, *(8,) * 6, 1), act, 0)
        loss = nn.MSELoss()(model(torch.tensor(X3)), torch.tensor([[6.0], [9.0], [12.0]]))
        loss.backward()
        lin = [m for m in model if isinstance(m, nn.Linear)]
        ref = [torch.cat([m.weight.grad.reshape(-1), m.bias.grad]).norm().item() for m in lin]
        got = prof[prof["activation"] == label].sort_values("layer_no")["grad_norm"].to_numpy(dtype=float)
        np.testing.assert_allclose(got, ref, rtol=1e-4)
        if act == "sigmoid":
            assert ref[0] / ref[-1] < 1e-4                     # vanishing: layer 1 gets < 1/10000
    text = texts(at, "markdown")
    assert "Clipping's effect" in text and "exactly 0" in text
    assert any("clip_grad_norm_(model.parameters(), max_norm=1.0)" in c.value for c in at.code)
    assert metric(at, "ReLU: final loss") != "diverged"


@pytest.mark.parametrize("query, expect", [
    (dict(d_clip="0"), "Turn on gradient clipping"),
    (dict(d_depth="12", d_width="64", d_steps="3000"), "To keep the lab fast"),
    (dict(d_depth="40", d_steps="40"), "above the maximum"),
    (dict(d_width="0", d_steps="40"), "below the minimum"),
    (dict(d_lr="1", d_clip="0", d_steps="60"), None),
])
def test_depth_edge_settings(query, expect):
    at = run_page(tab="depth", **query)
    if expect:
        assert expect in texts(at, "warning", "info", "caption")
    assert at.get("vega_lite_chart")


def _activation_colours(spec) -> list[dict]:
    """Every colour scale over the field "activation" in a Vega-Lite spec: {name: colour}."""
    found = []
    if isinstance(spec, dict):
        enc = spec.get("encoding", {})
        col = enc.get("color", {}) if isinstance(enc, dict) else {}
        if isinstance(col, dict) and col.get("field") == "activation":
            sc = col.get("scale", {})
            found.append(dict(zip(sc.get("domain", []), sc.get("range", []))))
        for v in spec.values():
            found += _activation_colours(v)
    elif isinstance(spec, list):
        for v in spec:
            found += _activation_colours(v)
    return found


def test_depth_charts_give_each_activation_one_colour():
    """Issue 14 #10: ReLU was pink in the gradient profile and orange or green in the loss charts."""
    import json
    at = run_page(tab="depth")                      # default: clipping on, so the clip chart is drawn too
    scales = []
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        scales += [s for s in _activation_colours(spec)]
    assert len(scales) >= 3                          # profile, loss curves, clipped gradient norms
    for name in ("ReLU", "Sigmoid"):
        colours = {s[name] for s in scales if name in s}
        assert len(colours) == 1, (name, colours)
    assert {s["ReLU"] for s in scales} != {s["Sigmoid"] for s in scales if "Sigmoid" in s}


def test_accuracy_is_shown_beside_the_majority_baseline_and_the_bayes_accuracy():
    """Issue 14 #7: the accuracy means little without what always answering "no" gets, and what
    the best possible model (the data's true probabilities) gets."""
    from dlcore.problems.purchase import purchase_data
    at = run_page(tab="shop")
    problem = PurchaseProblem(model="mlp", hidden=(16,), noise_features=3, train_size=200)
    _, _, (yte, pte) = torch_classifier(problem, "adam", 0.01, 300, 0)
    acc, majority = float(((pte >= 0.5) == yte).mean()), float(max(yte.mean(), 1 - yte.mean()))
    big = purchase_data(seed=3, n=100_000, with_probability=True)           # the Bayes rule on realised labels
    bayes = float(((big["p_buy"] >= 0.5).astype(int) == big["purchased"]).mean())
    assert metric(at, "Test accuracy") == f"{acc:.1%}"
    assert metric(at, "Always “no”") == f"{majority:.1%}"
    assert abs(float(metric(at, "Best possible").rstrip("%")) / 100 - bayes) < 0.01
    assert acc > majority + 0.1                             # the data is learnable
    assert "Bayes accuracy" in texts(at, "markdown") and "How the data is generated" in str(
        [e.label for e in at.expander])


def test_l1_path_shows_which_features_go_to_zero_noise_first():
    """Issue 14 #7: L1's sparsity visible — each feature's weight along the λ₁ sweep, exact zeros
    marked, noise features first (logistic regression, proximal step)."""
    at = run_page(tab="shop", c_model="logistic", c_opt="sgd", c_lr="0.5", c_prox="1")
    path = find_data(at, {"lam_label", "feature", "weight", "is_zero", "feature_kind"})
    first = path[path["is_zero"]].groupby("feature")["lam"].min().sort_values()
    assert len(first) and first.index[0].startswith("noise")
    assert "The noise features go first" in texts(at, "caption")
    assert not path.loc[path["feature"] == "income", "is_zero"].any()


def test_a_diverged_classifier_reports_diverged_not_metrics():
    """Issue 12 §4 / 14: NaN probabilities are no "no" predictions — a diverged classifier shows
    "diverged" where the accuracy would be, and no metrics table, confusion matrix or ROC curve."""
    from ui.compute.neural_network import evaluate
    problem = PurchaseProblem(model="logistic", noise_features=3, train_size=200)
    n = len(problem.features) + 1
    yte = problem.arrays()[3]
    for theta, flag in ((np.full(n, np.nan), False), (np.zeros(n), True)):
        e = evaluate(problem, theta, flag)
        assert e.diverged and e.metrics is None and e.roc is None and e.confusion is None
        assert e.baseline == max(yte.mean(), 1 - yte.mean())
    assert not evaluate(problem, np.zeros(n)).diverged
    at = run_page(tab="shop", c_model="mlp", c_hidden="64,64", c_opt="adam", c_lr="5")   # blows up at once
    assert "diverged" in texts(at, "error")
    assert metric(at, "Test accuracy") == "diverged"
    assert not [d for d in at.dataframe if "ROC AUC" in d.value.columns]
    assert not [d for d in chart_data(at) if {"fpr", "tpr"} <= set(d.columns)]
