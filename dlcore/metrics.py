"""Classification metrics for the purchase problem, computed by scikit-learn.

scikit-learn's implementations are well tested; we only arrange their outputs. A
record is predicted "purchased" when P(purchased) ≥ threshold (0.5 by default).

Example::

    >>> m = classification_metrics([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6])
    >>> m["accuracy"], m["roc_auc"]
    (0.5, 0.75)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn import metrics as skm

__all__ = ["classification_metrics", "confusion", "roc", "evaluate_classifier"]


def classification_metrics(y_true, prob, threshold: float = 0.5) -> dict[str, float]:
    y_true = np.asarray(y_true).astype(int)
    prob = np.asarray(prob, dtype=np.float64)
    pred = (prob >= threshold).astype(int)
    both = len(np.unique(y_true)) == 2
    return {
        "accuracy": float(skm.accuracy_score(y_true, pred)),
        "precision": float(skm.precision_score(y_true, pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, pred, zero_division=0)),
        "roc_auc": float(skm.roc_auc_score(y_true, prob)) if both and np.isfinite(prob).all() else float("nan"),
    }


def confusion(y_true, prob, threshold: float = 0.5) -> pd.DataFrame:
    """2×2 counts, rows = actual, columns = predicted."""
    pred = (np.asarray(prob) >= threshold).astype(int)
    cm = skm.confusion_matrix(np.asarray(y_true).astype(int), pred, labels=[0, 1])
    return pd.DataFrame(cm, index=["actual: no", "actual: yes"], columns=["predicted: no", "predicted: yes"])


def roc(y_true, prob) -> pd.DataFrame:
    """ROC curve points: fpr, tpr, threshold."""
    fpr, tpr, thr = skm.roc_curve(np.asarray(y_true).astype(int), np.asarray(prob, dtype=np.float64))
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thr, 1.0)})


def evaluate_classifier(problem, params, dtype: str = "float32", threshold: float = 0.5):
    """Metrics table (rows train/test) and test-set probabilities for one parameter vector."""
    from .problems.base import DTYPES
    obj = problem.build(DTYPES[dtype])
    # A copy: params is often a TrainResult row, which is read-only, and torch warns when
    # asked to share a non-writable buffer.
    theta = torch.tensor(np.array(params, dtype=np.float64), dtype=obj.dtype).reshape(1, -1)
    rows, probs = {}, {}
    with torch.no_grad():
        for split, y in (("train", obj.y), ("test", obj.y_test)):
            p = obj.probabilities(theta, split)[0].double().numpy()
            probs[split] = (y.squeeze(1).double().numpy(), p)
            rows[split] = classification_metrics(probs[split][0], p, threshold)
    return pd.DataFrame(rows).T, probs
