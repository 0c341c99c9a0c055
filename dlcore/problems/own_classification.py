"""A learner's own table as a binary classification problem (the shoppers tab, issue 17).

:func:`prepare` takes a :class:`dlcore.tabular.Table` (an uploaded or pasted CSV, read
safely), a label column, the value of it that counts as positive, and feature columns,
and returns an :class:`OwnDataset`: the feature matrix (a text column with few values is
one-hot encoded by :func:`dlcore.tabular.classification_data`, and the notes say so),
the 0/1 labels and plain notes on what was changed or left out. Anything that cannot be
trained on raises :class:`dlcore.tabular.DataError` with a message that says what was
wrong: a label with one value or more than two, no usable feature, too few rows, a class
with a single row.

:class:`OwnClassification` is the frozen, hashable problem the training loop takes (like
:class:`~dlcore.problems.purchase.PurchaseProblem`): logistic regression or an MLP, a
seeded *stratified* train/test split (``torch.Generator().manual_seed(split_seed)``: the
same share of each class is held out, so both splits see both classes even on small
data), and features standardised with the *training* rows' mean and std only.

Example::

    >>> from dlcore.tabular import read_table
    >>> t = read_table(b"hours,passed\\n1,no\\n2,no\\n3,no\\n4,yes\\n5,no\\n6,yes\\n7,yes\\n8,yes\\n9,no\\n10,yes\\n")
    >>> d = prepare(t, "passed", positive="yes")
    >>> d.n, d.feature_names, d.positive, int(d.y.sum())
    (10, ('hours',), 'yes', 5)
    >>> p = OwnClassification(d, model="logistic", split_seed=0)
    >>> [len(r) for r in p.split()], p.sizes
    ([8, 2], (1, 1))
"""
from __future__ import annotations

from dataclasses import dataclass
import functools

import numpy as np
import pandas as pd
import torch

from .. import tabular
from .._checks import is_whole
from . import mlp
from .networks import check_classifier
from .purchase import Classifier

__all__ = ["OwnDataset", "OwnClassification", "prepare", "label_columns", "label_values", "MIN_ROWS",
           "MAX_FEATURES", "TEST_FRACTION", "DATA_FILE"]

DATA_FILE = "my_data_as_trained.csv"   # the page's download of the rows as trained on
EMBED_CHARS = 20_000   # rows as trained on, as CSV text, up to this size are written into the script
MAX_FEATURES = 100     # encoded feature columns: more make the weight charts unreadable and training slow
MIN_ROWS = 10          # complete rows: fewer leave nothing to learn from and nothing to test on
TEST_FRACTION = 0.2
DataError = tabular.DataError


def label_values(table: tabular.Table, column: str) -> tuple[str, ...]:
    """The distinct non-missing values of ``column`` as the label sees them (numbers as
    ``%g``: 1.0 → "1"), sorted."""
    if column not in table.frame.columns:
        return ()
    col = table.frame[column].replace("", np.nan).dropna()
    return tuple(sorted({f"{v:g}" if isinstance(v, float) else str(v) for v in col}))


def label_columns(table: tabular.Table) -> tuple[str, ...]:
    """Columns with exactly two distinct values — the possible labels — in file order."""
    return tuple(c for c in table.frame.columns if len(label_values(table, c)) == 2)


@dataclass(frozen=True, eq=True)
class OwnDataset:
    """Features and 0/1 labels, ready to train on. The arrays are kept as bytes so that the
    dataset (and any problem holding it) is hashable and compares by value."""

    x_bytes: bytes                   # (n, d) float64, C order, before standardising
    y_bytes: bytes                   # (n,) float64 0/1
    n: int
    feature_names: tuple[str, ...]
    label: str
    positive: str                    # the label value counted as 1
    negative: str
    notes: tuple[str, ...]           # what was changed or left out, in plain words

    @property
    def X(self) -> np.ndarray:
        return np.frombuffer(self.x_bytes, dtype=np.float64).reshape(self.n, len(self.feature_names))

    @property
    def y(self) -> np.ndarray:
        return np.frombuffer(self.y_bytes, dtype=np.float64)

    def frame(self) -> pd.DataFrame:
        """The data as trained on: one column per (encoded) feature, then the label."""
        df = pd.DataFrame(self.X.copy(), columns=list(self.feature_names))
        df[self.label] = np.where(self.y == 1, self.positive, self.negative)
        return df


def prepare(table: tabular.Table, label: str, features=None, positive: str | None = None) -> OwnDataset:
    """Check and encode a learner's table for binary classification (see the module
    docstring). ``features`` None or empty: every other column. Raises DataError."""
    if label not in table.frame.columns:
        raise DataError(f"There is no column {label!r} to use as the label.")
    features = [f for f in (features or []) if f != label]
    unknown = [f for f in features if f not in table.frame.columns]
    if unknown:
        raise DataError(f"There is no column {unknown[0]!r} in this table.")
    if not features:
        features = [c for c in table.frame.columns if c != label]
    if not features:
        raise DataError(f"The table has only the label column {label!r}; a classifier needs at least one feature "
                        "column besides it.")
    values = label_values(table, label)
    if len(values) == 1:
        raise DataError(f"The label {label!r} has only one value ({values[0]!r}) in every row: there is nothing to "
                        "tell apart. A label needs exactly two values, e.g. yes/no or 0/1.")
    data = tabular.classification_data(table, label, features, positive)
    n = len(data.labels)
    if n < MIN_ROWS:
        raise DataError(f"Only {n} complete row(s) to learn from; a train/test split needs at least {MIN_ROWS}.")
    counts = {data.negative: int((data.labels == 0).sum()), data.positive: int((data.labels == 1).sum())}
    rare = [k for k, c in counts.items() if c < 2]
    if rare:
        raise DataError(f"Only {counts[rare[0]]} row(s) have {label!r} = {rare[0]!r}; each of the two values needs at "
                        "least two rows (one to learn from, one to test on).")
    if len(data.feature_names) > MAX_FEATURES:
        raise DataError(f"With text columns one-hot encoded there are {len(data.feature_names)} feature columns; at "
                        f"most {MAX_FEATURES} are allowed. Leave some columns out (text columns with many values "
                        "count once per value).")
    X = np.ascontiguousarray(data.features, dtype=np.float64)
    y = np.ascontiguousarray(data.labels, dtype=np.float64)
    return OwnDataset(X.tobytes(), y.tobytes(), n, tuple(data.feature_names), label, data.positive, data.negative,
                      tuple(data.notes))


@functools.lru_cache(maxsize=32)
def _stratified_split(data: OwnDataset, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    y = data.y
    g = torch.Generator().manual_seed(seed)
    train, test = [], []
    for c in (0.0, 1.0):
        rows = np.flatnonzero(y == c)
        rows = rows[torch.randperm(len(rows), generator=g).numpy()]
        k = min(max(int(round(len(rows) * test_fraction)), 1), len(rows) - 1)
        test.append(rows[:k])
        train.append(rows[k:])
    tr, te = np.sort(np.concatenate(train)), np.sort(np.concatenate(test))
    tr.flags.writeable = te.flags.writeable = False
    return tr, te


@dataclass(frozen=True)
class OwnClassification:
    """Binary classification of an :class:`OwnDataset` with logistic regression or an MLP.

    ``split_seed`` seeds the stratified train/test split (a torch.Generator per problem);
    ``test_fraction`` of each class is held out (at least one row of each)."""

    data: OwnDataset
    model: str = "logistic"          # "logistic" or "mlp"
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    test_fraction: float = TEST_FRACTION
    split_seed: int = 0

    def __post_init__(self):
        check_classifier(self)
        if not is_whole(self.split_seed) or not 0 <= self.split_seed < 2 ** 63:
            raise ValueError(f"The seed must be a whole number from 0 to 2⁶³−1, got {self.split_seed!r}.")

    # The problem's interface, as PurchaseProblem's -------------------------------------
    noise_features = 0
    train_size = None

    @property
    def features(self) -> list[str]:
        return list(self.data.feature_names)

    @property
    def sizes(self) -> tuple[int, ...]:
        d = len(self.data.feature_names)
        return (d, 1) if self.model == "logistic" else (d, *self.hidden, 1)

    @property
    def n_params(self) -> int:
        return mlp.n_params(self.sizes)

    @property
    def n_records(self) -> int:
        return self.data.n

    @property
    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        return _stratified_split(self.data, self.test_fraction, int(self.split_seed))

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        """Row indices of the training and test records, each in file order: for each class
        (negatives, then positives) a seeded permutation of its rows; its first
        round(test_fraction·count) rows (at least 1, at most count − 1) are held out."""
        tr, te = self._split
        return tr.copy(), te.copy()

    @property
    def n_test(self) -> int:
        return len(self._split[1])

    @property
    def n_train_max(self) -> int:
        return len(self._split[0])

    def arrays(self):
        """Standardised (X_train, y_train, X_test, y_test) as float64 arrays and the (mean,
        std) used — from the training rows only (a feature constant on them: std 1)."""
        X, y = self.data.X, self.data.y
        tr, te = self._split
        mean, std = X[tr].mean(axis=0), X[tr].std(axis=0)
        std = np.where(std > 0, std, 1.0)
        Xs = (X - mean) / std
        return Xs[tr], y[tr], Xs[te], y[te], mean, std

    # "Show the code" (dlcore.codegen writes the model, loop and metrics around these lines) ----
    script_title = "Classify the rows of your own table (a binary label), as Gradient Descent Lab does."

    def script_data_lines(self, dtype: str) -> list[str]:
        """The script's data part: the rows as trained on (embedded when small, else read from
        :data:`DATA_FILE`, the page's download), the seeded stratified split, standardising on
        the training rows; leaves X_train, y_train, X_test, y_test and feature_names. Learner
        text (column names, values) enters only as Python string literals made by repr()."""
        d = self.data
        # Every cell takes at least two characters (a digit and a comma): bigger tables are not
        # even written out as text.
        small = d.n * (len(d.feature_names) + 1) * 2 <= EMBED_CHARS
        text = d.frame().to_csv(index=False) if small else ""
        dt = f"dtype=torch.{dtype}"
        L = [f"feature_names = {list(d.feature_names)!r}",
             f"label, positive = {d.label!r}, {d.positive!r}", ""]
        if small and len(text) <= EMBED_CHARS:
            L += ["# The rows as trained on (text columns already one-hot encoded, incomplete rows left out)",
                  "CSV_LINES = ["] + [f"    {line!r}," for line in text.splitlines()] + ["]",
                  "df = pd.read_csv(io.StringIO('\\n'.join(CSV_LINES)), keep_default_na=False, dtype={label: str})"]
        else:
            L += [f"# The rows as trained on: the page's download under “The rows as trained on” ({DATA_FILE})",
                  f"df = pd.read_csv({DATA_FILE!r}, keep_default_na=False, dtype={{label: str}})"]
        L += ["X = df[feature_names].to_numpy(dtype=np.float64)",
              "y = (df[label] == positive).to_numpy(dtype=np.float64)", "",
              f"# A stratified split from seed {self.split_seed}: each class shuffled, {self.test_fraction:g} of it held out",
              f"g = torch.Generator().manual_seed({int(self.split_seed)})",
              "train_rows, test_rows = [], []",
              "for c in (0.0, 1.0):",
              "    rows = np.flatnonzero(y == c)",
              "    rows = rows[torch.randperm(len(rows), generator=g).numpy()]",
              f"    k = min(max(int(round(len(rows) * {self.test_fraction!r})), 1), len(rows) - 1)",
              "    test_rows.append(rows[:k])",
              "    train_rows.append(rows[k:])",
              "train_rows, test_rows = np.sort(np.concatenate(train_rows)), np.sort(np.concatenate(test_rows))", "",
              "# Standardise with the training rows' mean and std only",
              "mean, std = X[train_rows].mean(axis=0), X[train_rows].std(axis=0)",
              "X = (X - mean) / np.where(std > 0, std, 1.0)",
              f"X_train, y_train = torch.tensor(X[train_rows], {dt}), torch.tensor(y[train_rows], {dt}).unsqueeze(1)",
              f"X_test, y_test = torch.tensor(X[test_rows], {dt}), torch.tensor(y[test_rows], {dt}).unsqueeze(1)"]
        return L

    def build(self, dtype: torch.dtype = torch.float32) -> Classifier:
        s = self.sizes
        names = mlp.param_names(s)
        if self.model == "logistic":
            names = tuple(f"weight[{f}]" for f in self.features) + ("bias",)
        return Classifier(param_names=names, n_train=self.n_train_max, optimum=None,
                          penalty_mask=mlp.weight_mask(s).to(dtype), layers=mlp.layer_slices(s),
                          dtype=dtype, problem=self)
