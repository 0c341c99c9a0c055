"""Classification metrics against hand counts and scikit-learn, and evaluate_classifier
against an independent forward pass of a trained logistic regression."""
import warnings

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from dlcore import OptimizerSpec, PurchaseProblem, RunSpec, TrainConfig, train
from dlcore.metrics import (METRICS, ClassifierDiverged, ClassifierEvaluation, classification_metrics, confusion,
                            evaluate_classifier, roc)

Y = np.array([0, 1, 1, 0, 1, 0, 1, 0])
P = np.array([0.1, 0.8, 0.4, 0.6, 0.9, 0.2, 0.55, 0.5])   # 0.5 sits exactly on the threshold


def hand_counts(y, p, thr=0.5):
    pred = p >= thr
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    return tp, fp, fn, tn


def pairwise_auc(y, p):
    """P(score of a random positive > score of a random negative), ties counting ½."""
    pos, neg = p[y == 1], p[y == 0]
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def test_metrics_on_a_small_example_by_hand():
    tp, fp, fn, tn = hand_counts(Y, P)
    assert (tp, fp, fn, tn) == (3, 2, 1, 2)            # the 0.5 record counts as predicted yes
    m = classification_metrics(Y, P)
    assert m["accuracy"] == pytest.approx((tp + tn) / 8)
    assert m["precision"] == pytest.approx(tp / (tp + fp))
    assert m["recall"] == pytest.approx(tp / (tp + fn))
    prec, rec = tp / (tp + fp), tp / (tp + fn)
    assert m["f1"] == pytest.approx(2 * prec * rec / (prec + rec))
    assert m["roc_auc"] == pytest.approx(13 / 16)          # counted pair by pair
    assert m["roc_auc"] == pytest.approx(pairwise_auc(Y, P))


def test_metrics_agree_with_sklearn_at_several_thresholds():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    for thr in (0.2, 0.5, 0.65, 0.9):
        pred = (p >= thr).astype(int)
        m = classification_metrics(y, p, threshold=thr)
        assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
        assert m["precision"] == pytest.approx(skm.precision_score(y, pred, zero_division=0))
        assert m["recall"] == pytest.approx(skm.recall_score(y, pred))
        assert m["f1"] == pytest.approx(skm.f1_score(y, pred, zero_division=0))
        assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
        assert m["roc_auc"] == pytest.approx(pairwise_auc(y, p))
        tp, fp, fn, tn = hand_counts(y, p, thr)
        c = confusion(y, p, threshold=thr)
        assert c.to_numpy().tolist() == [[tn, fp], [fn, tp]]
        assert c.loc["actual: yes", "predicted: yes"] == tp
        assert c.loc["actual: no", "predicted: yes"] == fp


def test_confusion_on_the_small_example():
    c = confusion(Y, P)
    assert list(c.index) == ["actual: no", "actual: yes"]
    assert list(c.columns) == ["predicted: no", "predicted: yes"]
    assert c.to_numpy().tolist() == [[2, 2], [1, 3]]
    assert c.to_numpy().sum() == len(Y)


def test_no_positive_predictions_give_zero_precision_without_warning():
    y = np.array([0, 1, 1, 0])
    p = np.array([0.1, 0.3, 0.4, 0.2])          # nothing reaches 0.5, yet positives rank higher
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics(y, p)
    assert m["precision"] == 0.0
    assert m["recall"] == 0.0
    assert m["f1"] == 0.0
    assert m["accuracy"] == 0.5
    assert m["roc_auc"] == pytest.approx(1.0)      # the ranking is still perfect
    assert confusion(y, p).to_numpy().tolist() == [[2, 0], [2, 0]]


@pytest.mark.parametrize("y", [[0, 0, 0, 0], [1, 1, 1, 1]])
def test_single_class_gives_nan_auc_not_an_exception(y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics(y, [0.2, 0.7, 0.4, 0.9])
    assert np.isnan(m["roc_auc"])
    assert m["accuracy"] == pytest.approx(0.5)


def test_non_finite_probabilities_give_nan_auc():
    m = classification_metrics([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.8])
    assert np.isnan(m["roc_auc"])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_probability_is_no_prediction_so_there_are_no_metrics(bad):
    """Counting NaN as "no" (NaN ≥ 0.5 is False) would report accuracy 0.75 here — and a
    perfect-looking 1.0 when the NaN sits on a true negative. A diverged classifier has none."""
    y = [0, 1, 0, 1]
    for p in ([0.1, bad, 0.3, 0.8], [bad, 0.9, 0.3, 0.8], [bad] * 4):
        m = classification_metrics(y, p)
        assert list(m) == list(METRICS)
        assert all(np.isnan(v) for v in m.values()), (p, m)
        with pytest.raises(ClassifierDiverged, match="diverged"):
            confusion(y, p)
        with pytest.raises(ClassifierDiverged, match="diverged"):
            roc(y, p)
    assert issubclass(ClassifierDiverged, ValueError)     # like every other refusal in dlcore


def test_finite_probabilities_are_unaffected_by_the_divergence_check():
    y = np.array([0, 1, 1, 0, 1])
    p = np.array([0.0, 1.0, 0.5, 0.49999, 1e-300])         # extreme but finite
    m = classification_metrics(y, p)
    pred = (p >= 0.5).astype(int)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
    assert confusion(y, p).to_numpy().tolist() == skm.confusion_matrix(y, pred, labels=[0, 1]).tolist()
    np.testing.assert_allclose(roc(y, p)["tpr"], skm.roc_curve(y, p)[1])


def test_roc_points_are_the_rates_at_each_threshold():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    p = np.round(np.clip(0.35 * y + 0.65 * rng.random(60), 0, 0.99), 2)   # ties and p < 1
    r = roc(y, p)
    fpr, tpr, _ = skm.roc_curve(y, p)
    np.testing.assert_allclose(r["fpr"], fpr)
    np.testing.assert_allclose(r["tpr"], tpr)
    assert (r["threshold"] <= 1.0).all()
    assert r.iloc[0][["fpr", "tpr"]].tolist() == [0.0, 0.0]
    assert r.iloc[-1][["fpr", "tpr"]].tolist() == [1.0, 1.0]
    for _, row in r.iterrows():                       # each point: rates of p ≥ threshold
        pred = p >= row["threshold"]
        if row["threshold"] == 1.0:
            pred = np.zeros_like(pred)                 # sklearn's +inf start point, clipped for display
        assert row["tpr"] == pytest.approx(pred[y == 1].mean())
        assert row["fpr"] == pytest.approx(pred[y == 0].mean())
    # The area under these points is the AUC.
    assert np.trapezoid(r["tpr"], r["fpr"]) == pytest.approx(pairwise_auc(y, p))


@pytest.fixture(scope="module")
def trained_logistic():
    problem = PurchaseProblem(noise_features=2)
    res = train(problem, [RunSpec(OptimizerSpec.make("adam", lr=0.05), seed=1)], TrainConfig(steps=150))
    # A writable copy: torch warns only once per process about read-only arrays, and
    # test_evaluate_classifier_takes_read_only_results_without_a_warning needs that once.
    return problem, np.array(res.final_params[0])


def independent_probs(problem, params):
    Xtr, ytr, Xte, yte, _, _ = problem.arrays()
    w = torch.tensor(params[:-1], dtype=torch.float64)       # nn.Linear(d, 1): weight then bias
    b = torch.tensor(params[-1], dtype=torch.float64)
    prob = lambda X: torch.sigmoid(torch.tensor(X) @ w + b).numpy()   # noqa: E731
    return {"train": (ytr, prob(Xtr)), "test": (yte, prob(Xte))}


def test_evaluate_classifier_matches_sklearn_on_an_independent_forward_pass(trained_logistic):
    problem, params = trained_logistic
    ref = independent_probs(problem, params)
    table, probs = evaluate_classifier(problem, params, dtype="float64")
    assert list(table.index) == ["train", "test"]
    for split, (y, p) in ref.items():
        np.testing.assert_array_equal(probs[split][0], y)
        np.testing.assert_allclose(probs[split][1], p, rtol=1e-12)
        pred = (p >= 0.5).astype(int)
        row = table.loc[split]
        assert row["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
        assert row["precision"] == pytest.approx(skm.precision_score(y, pred))
        assert row["recall"] == pytest.approx(skm.recall_score(y, pred))
        assert row["f1"] == pytest.approx(skm.f1_score(y, pred))
        assert row["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
    # The model learned something: better than always predicting the majority class.
    y, p = ref["test"]
    assert table.loc["test", "accuracy"] > max(y.mean(), 1 - y.mean())
    assert table.loc["test", "roc_auc"] > 0.7


def test_evaluate_classifier_in_float32_agrees(trained_logistic):
    problem, params = trained_logistic
    ref = independent_probs(problem, params)
    table, probs = evaluate_classifier(problem, params)          # default float32
    for split, (y, p) in ref.items():
        np.testing.assert_allclose(probs[split][1], p, rtol=1e-5, atol=1e-6)
        assert table.loc[split, "roc_auc"] == pytest.approx(skm.roc_auc_score(y, p), abs=1e-3)
        assert table.loc[split, "accuracy"] == pytest.approx(skm.accuracy_score(y, p >= 0.5), abs=2 / len(y))


def test_evaluate_classifier_threshold(trained_logistic):
    problem, params = trained_logistic
    y, p = independent_probs(problem, params)["test"]
    table, _ = evaluate_classifier(problem, params, dtype="float64", threshold=0.3)
    assert table.loc["test", "recall"] == pytest.approx(skm.recall_score(y, p >= 0.3))
    assert table.loc["test", "recall"] >= evaluate_classifier(problem, params, dtype="float64")[0].loc["test", "recall"]


def test_evaluate_classifier_takes_read_only_results_without_a_warning(trained_logistic):
    """TrainResult arrays are read-only; handing one to evaluate_classifier must not make
    torch share (and warn about) the non-writable buffer."""
    problem, _ = trained_logistic
    res = train(problem, [RunSpec(OptimizerSpec.make("adam", lr=0.05), seed=1)], TrainConfig(steps=20))
    params = res.final_params[0]
    assert not params.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = evaluate_classifier(problem, params)
    assert not params.flags.writeable
    assert table.loc["test", "accuracy"] > 0.5


def test_evaluate_classifier_result_unpacks_and_says_not_diverged(trained_logistic):
    problem, params = trained_logistic
    ev = evaluate_classifier(problem, params, dtype="float64")
    assert isinstance(ev, ClassifierEvaluation) and ev.diverged is False
    table, probs = ev                                      # the call signature pages use
    assert table is ev.metrics and probs is ev.probs and ev[0] is table and ev[1] is probs and len(ev) == 2
    assert list(table.columns) == list(METRICS) and not table.isna().any(axis=None)
    y, p = independent_probs(problem, params)["test"]
    assert table.loc["test", "accuracy"] == pytest.approx(skm.accuracy_score(y, p >= 0.5))


@pytest.mark.parametrize("where, value, dtype", [(0, np.nan, "float64"), (-1, np.inf, "float64"),
                                                  (1, -np.inf, "float32"), (2, 1e39, "float32")])
def test_evaluate_classifier_reports_a_diverged_classifier_instead_of_metrics(trained_logistic, where, value, dtype):
    """A parameter that is not finite (1e39 is beyond float32) makes the classifier diverged:
    no metric values in either split — not metrics of NaN probabilities counted as "no"."""
    problem, params = trained_logistic
    bad = np.array(params, dtype=np.float64)
    bad[where] = value
    ev = evaluate_classifier(problem, bad, dtype=dtype)
    assert ev.diverged is True
    assert list(ev.metrics.index) == ["train", "test"] and list(ev.metrics.columns) == list(METRICS)
    assert ev.metrics.isna().all(axis=None)
    table, probs = ev
    assert set(probs) == {"train", "test"}
    np.testing.assert_array_equal(probs["test"][0], independent_probs(problem, params)["test"][0])


def test_a_diverged_network_whose_outputs_are_nan_reports_diverged():
    """Trained with an absurd rate, the shop MLP's weights stay finite but its outputs are
    NaN (∞ − ∞ inside the network): diverged exactly when some probability is not finite."""
    problem = PurchaseProblem(model="mlp", hidden=(8,))
    res = train(problem, [RunSpec(OptimizerSpec.make("sgd", lr=1e30), seed=1)], TrainConfig(steps=50))
    assert res.diverged_at[0] >= 0
    ev = evaluate_classifier(problem, res.final_params[0])
    finite = all(np.isfinite(p).all() for _, p in ev.probs.values()) and np.isfinite(res.final_params[0]).all()
    assert ev.diverged == (not finite)
    assert ev.metrics.isna().all(axis=None) == ev.diverged
