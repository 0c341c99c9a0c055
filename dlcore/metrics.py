"""Classification metrics for the purchase problem, computed by scikit-learn.

scikit-learn's implementations are well tested; we only arrange their outputs. A
record is predicted "purchased" when P(purchased) ≥ threshold (0.5 by default).

A classifier whose probabilities are not all finite (NaN or ±inf: its training diverged)
has no metrics — a NaN probability is no "no" prediction. Then:

* :func:`classification_metrics` returns every metric as NaN;
* :func:`confusion` and :func:`roc` raise :class:`ClassifierDiverged` (a ``ValueError``);
* :func:`evaluate_classifier` returns a :class:`ClassifierEvaluation` whose ``diverged`` is
  True and whose metrics table is all NaN — show "diverged" instead of the metrics.

Example::

    >>> m = classification_metrics([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6])
    >>> m["accuracy"], m["roc_auc"]
    (0.5, 0.75)
    >>> classification_metrics([0, 1], [0.2, float("nan")])["accuracy"]
    nan
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn import metrics as skm

__all__ = ["classification_metrics", "confusion", "roc", "evaluate_classifier", "ClassifierEvaluation",
           "ClassifierDiverged", "METRICS"]

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")


class ClassifierDiverged(ValueError):
    """The probabilities are not all finite — the classifier's training diverged — so there is
    no confusion matrix or ROC curve."""


def _finite(prob) -> bool:
    return bool(np.isfinite(np.asarray(prob, dtype=np.float64)).all())


def _require_finite(prob, what: str) -> None:
    if not _finite(prob):
        raise ClassifierDiverged(f"The classifier diverged (some probabilities are not finite numbers): "
                                 f"there is no {what}.")


def classification_metrics(y_true, prob, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, precision, recall, F1 at ``threshold`` and ROC AUC; all NaN when a
    probability is not finite (a diverged classifier has no metrics)."""
    y_true = np.asarray(y_true).astype(int)
    prob = np.asarray(prob, dtype=np.float64)
    if not np.isfinite(prob).all():
        return {k: float("nan") for k in METRICS}
    pred = (prob >= threshold).astype(int)
    both = len(np.unique(y_true)) == 2
    return {
        "accuracy": float(skm.accuracy_score(y_true, pred)),
        "precision": float(skm.precision_score(y_true, pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, pred, zero_division=0)),
        "roc_auc": float(skm.roc_auc_score(y_true, prob)) if both else float("nan"),
    }


def confusion(y_true, prob, threshold: float = 0.5, names: tuple[str, str] = ("no", "yes")) -> pd.DataFrame:
    """2×2 counts, rows = actual, columns = predicted, class 0 first; ``names`` are the two
    classes' names (0, 1) in the row and column labels ("actual: no", "predicted: yes").
    ClassifierDiverged if a probability is not finite."""
    _require_finite(prob, "confusion matrix")
    pred = (np.asarray(prob) >= threshold).astype(int)
    cm = skm.confusion_matrix(np.asarray(y_true).astype(int), pred, labels=[0, 1])
    neg, pos = names
    return pd.DataFrame(cm, index=[f"actual: {neg}", f"actual: {pos}"],
                        columns=[f"predicted: {neg}", f"predicted: {pos}"])


def roc(y_true, prob) -> pd.DataFrame:
    """ROC curve points: fpr, tpr, threshold. ClassifierDiverged if a probability is not finite."""
    _require_finite(prob, "ROC curve")
    fpr, tpr, thr = skm.roc_curve(np.asarray(y_true).astype(int), np.asarray(prob, dtype=np.float64))
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thr, 1.0)})


@dataclass(frozen=True, eq=False)
class ClassifierEvaluation:
    """What :func:`evaluate_classifier` returns. Unpacks as ``metrics, probs`` (and indexes as
    that pair), as evaluate_classifier's result always has.

    ``metrics``: DataFrame, rows "train" and "test", columns :data:`METRICS` — all NaN when
    ``diverged``. ``probs``: {split: (y_true, P(purchased))} as float64 arrays. ``diverged``:
    a parameter or a probability is not finite, so the classifier has no metrics."""

    metrics: pd.DataFrame
    probs: dict
    diverged: bool

    def __iter__(self):
        return iter((self.metrics, self.probs))

    def __getitem__(self, i):
        return (self.metrics, self.probs)[i]

    def __len__(self):
        return 2


def evaluate_classifier(problem, params, dtype: str = "float32", threshold: float = 0.5) -> ClassifierEvaluation:
    """Metrics table (rows train/test) and probabilities for one parameter vector.

    Diverged — a parameter or a probability that is not finite — gives ``diverged=True``
    and an all-NaN table, for both splits: the classifier as a whole has no metrics."""
    from .problems.base import DTYPES
    obj = problem.build(DTYPES[dtype])
    # A copy: params is often a TrainResult row, which is read-only, and torch warns when
    # asked to share a non-writable buffer.
    values = np.array(params, dtype=np.float64)
    theta = torch.tensor(values, dtype=obj.dtype).reshape(1, -1)
    probs = {}
    with torch.no_grad():
        for split, y in (("train", obj.y), ("test", obj.y_test)):
            probs[split] = (y.squeeze(1).double().numpy(), obj.probabilities(theta, split)[0].double().numpy())
    # theta, not values: a float64 parameter beyond float32's range is inf in the model.
    diverged = not (bool(torch.isfinite(theta).all()) and all(_finite(p) for _, p in probs.values()))
    rows = {split: ({k: float("nan") for k in METRICS} if diverged else classification_metrics(y, p, threshold))
            for split, (y, p) in probs.items()}
    return ClassifierEvaluation(pd.DataFrame(rows).T, probs, diverged)
