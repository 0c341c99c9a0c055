"""Article 002's purchase data: age, income and education → bought the product or not.

The article describes 1000 such records but does not publish them, so we generate them
by a documented, seeded process with a learnable but noisy rule:

* age ~ uniform whole years in [18, 70]
* education ∈ {0 high school, 1 bachelor, 2 master, 3 doctorate}, probabilities
  0.40 / 0.35 / 0.18 / 0.07
* income (k$/year) = exp(N(log(28 + 9·education + 0.7·(age − 18)), 0.35²))
* logit = −0.9 + 3.0·z(log income) + 1.0·a − 2.0·a² + 1.0·education, with a = (age − 44)/13
  — richer people buy much more; buying rises with age up to about 47 and falls after
  (a bump a straight line can't draw, so an MLP ranks shoppers better than logistic
  regression); education helps. About 31 % of shoppers buy.
* purchased ~ Bernoulli(sigmoid(logit)); the coin flip is the noise: even a perfect
  model can't be certain. The best any model can do is to answer with the true
  probability: its accuracy, the *Bayes accuracy*, is about 0.89 (:func:`bayes_accuracy`),
  against about 0.69 for always answering "no" (the majority class).
* Optional ``noise_features`` extra columns ~ N(0, 1) that have nothing to do with the
  label — L1 regularisation should drive their weights to zero.

Everything is drawn from one ``torch.Generator`` seeded with ``data_seed``. Features are
standardised with the *training* split's mean and std; the split is a seeded shuffle.

Example::

    >>> df = purchase_data(seed=0)
    >>> len(df), sorted(df.columns)[:3]
    (1000, ['age', 'education', 'education_level'])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .._checks import is_whole
from . import mlp
from .networks import MLPObjective, check_classifier

EDUCATION = ("high school", "bachelor", "master", "doctorate")
MAX_NOISE_FEATURES = 20


def purchase_data(seed: int = 0, n: int = 1000, noise_features: int = 0,
                  with_probability: bool = False) -> pd.DataFrame:
    """The generated records as a DataFrame (see the module docstring for the rule);
    ``with_probability`` adds each shopper's true chance of buying as a column ``p_buy``."""
    if not 20 <= n <= 100_000:
        raise ValueError(f"Number of records must be between 20 and 100000, got {n}.")
    if not 0 <= noise_features <= MAX_NOISE_FEATURES:
        raise ValueError(f"Noise features must be between 0 and {MAX_NOISE_FEATURES}.")
    g = torch.Generator().manual_seed(int(seed))
    f64 = torch.float64
    age = torch.randint(18, 71, (n,), generator=g).to(f64)
    edu = torch.multinomial(torch.tensor([0.40, 0.35, 0.18, 0.07], dtype=f64), n, replacement=True,
                            generator=g).to(f64)
    log_income = torch.log(28 + 9 * edu + 0.7 * (age - 18)) + 0.35 * torch.randn(n, generator=g, dtype=f64)
    z_income = (log_income - log_income.mean()) / log_income.std()
    a = (age - 44) / 13
    p_buy = torch.sigmoid(-0.9 + 3.0 * z_income + 1.0 * a - 2.0 * a ** 2 + 1.0 * edu)
    bought = torch.rand(n, generator=g, dtype=f64) < p_buy
    noise = torch.randn(n, noise_features, generator=g, dtype=f64)
    df = pd.DataFrame({
        "age": age.numpy().astype(int),
        "income": np.round(torch.exp(log_income).numpy(), 1),
        "education": edu.numpy().astype(int),
        "education_level": [EDUCATION[int(e)] for e in edu],
    })
    for k in range(noise_features):
        df[f"noise_{k + 1}"] = np.round(noise[:, k].numpy(), 4)
    df["purchased"] = bought.numpy().astype(int)
    if with_probability:
        df["p_buy"] = p_buy.numpy()
    return df


def bayes_accuracy(seed: int = 0, n: int = 100_000) -> float:
    """Accuracy of the best possible classifier on this data: answer "yes" when the true
    probability of buying (the rule above) is at least 0.5. On average it is right with
    probability max(p, 1 − p) per shopper; this is that average over ``n`` generated shoppers
    (seed ``seed``): about 0.89."""
    p = purchase_data(seed, n, with_probability=True)["p_buy"].to_numpy()
    return float(np.maximum(p, 1 - p).mean())


def feature_columns(noise_features: int) -> list[str]:
    return ["age", "income", "education"] + [f"noise_{k + 1}" for k in range(noise_features)]


@dataclass(frozen=True)
class PurchaseProblem:
    """Binary classification of the purchase data with logistic regression or an MLP.

    ``train_size`` uses only the first that many records of the training split — fewer
    examples make overfitting (and what regularisation does about it) visible.
    """

    model: str = "logistic"          # "logistic" or "mlp"
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    n_records: int = 1000
    test_fraction: float = 0.2
    train_size: int | None = None
    noise_features: int = 0
    data_seed: int = 0

    def __post_init__(self):
        check_classifier(self)
        for name in ("n_records", "noise_features", "data_seed", "train_size"):
            v = getattr(self, name)
            if not (is_whole(v) or (name == "train_size" and v is None)):
                raise ValueError(f"{name} must be a whole number, got {v!r}.")
        if not 0 <= self.data_seed < 2 ** 63:
            raise ValueError(f"data_seed must be a whole number from 0 to 2⁶³−1, got {self.data_seed!r}.")
        if not 20 <= self.n_records <= 100_000:
            raise ValueError("Number of records must be between 20 and 100000.")
        if self.train_size is not None and not 4 <= self.train_size <= self.n_train_max:
            raise ValueError(f"Training set size must be between 4 and {self.n_train_max}.")
        if not 0 <= self.noise_features <= MAX_NOISE_FEATURES:
            raise ValueError(f"Noise features must be between 0 and {MAX_NOISE_FEATURES}.")

    @property
    def n_test(self) -> int:
        return int(round(self.n_records * self.test_fraction))

    @property
    def n_train_max(self) -> int:
        return self.n_records - self.n_test

    @property
    def features(self) -> list[str]:
        return feature_columns(self.noise_features)

    @property
    def sizes(self) -> tuple[int, ...]:
        d = len(self.features)
        return (d, 1) if self.model == "logistic" else (d, *self.hidden, 1)

    def data(self) -> pd.DataFrame:
        return purchase_data(self.data_seed, self.n_records, self.noise_features)

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        """Row indices of the training and test records (seeded shuffle of the data)."""
        g = torch.Generator().manual_seed(int(self.data_seed) + 1)
        perm = torch.randperm(self.n_records, generator=g).numpy()
        train, test = perm[self.n_test:], perm[:self.n_test]
        if self.train_size is not None:
            train = train[:self.train_size]
        return train, test

    def arrays(self):
        """Standardised (X_train, y_train, X_test, y_test) as float64 numpy arrays, and the
        (mean, std) used — computed on the training rows only."""
        df = self.data()
        tr, te = self.split()
        X = df[self.features].to_numpy(dtype=np.float64)
        y = df["purchased"].to_numpy(dtype=np.float64)
        mean, std = X[tr].mean(axis=0), X[tr].std(axis=0)
        std = np.where(std > 0, std, 1.0)
        Xs = (X - mean) / std
        return Xs[tr], y[tr], Xs[te], y[te], mean, std

    def build(self, dtype: torch.dtype = torch.float32) -> "Classifier":
        s = self.sizes
        names = mlp.param_names(s)
        if self.model == "logistic":
            names = tuple(f"weight[{f}]" for f in self.features) + ("bias",)
        return Classifier(param_names=names, n_train=len(self.split()[0]), optimum=None,
                          penalty_mask=mlp.weight_mask(s).to(dtype), layers=mlp.layer_slices(s),
                          dtype=dtype, problem=self)


@dataclass
class Classifier(MLPObjective):
    problem: PurchaseProblem = None

    def __post_init__(self):
        Xtr, ytr, Xte, yte, _, _ = self.problem.arrays()
        t = lambda a: torch.tensor(a, dtype=self.dtype)  # noqa: E731
        self._use_data(t(Xtr), t(ytr).unsqueeze(1), t(Xte), t(yte).unsqueeze(1))

    def logits(self, theta, x):
        return self.forward(theta, x)

    def elementwise_loss(self, z, y):
        # nn.BCEWithLogitsLoss before its mean: the stable log(1 + e^−|z|) form.
        return F.binary_cross_entropy_with_logits(z, y.expand_as(z), reduction="none")

    def probabilities(self, theta, split: str = "test") -> torch.Tensor:
        """P(purchased) per run and record, (N, n)."""
        x = self.x_test if split == "test" else self.x
        return torch.sigmoid(self.logits(theta, x)).squeeze(-1)
