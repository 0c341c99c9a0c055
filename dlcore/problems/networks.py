"""Article 001's network: "given three numbers, output their sum".

The default is the article's 3→4→1 ReLU network trained with MSE on three examples,
inputs [[1,2,3],[2,3,4],[3,4,5]] and targets [[6],[9],[12]]. Hidden layers, widths and
the activation can be changed. Held-out inputs — some inside the training range, some
far outside it — measure whether the network learned "sum" or only these three points.

Example::

    >>> obj = SumOfThree().build()
    >>> theta = obj.init(seed=0).unsqueeze(0)           # nn.Linear's init after manual_seed(0)
    >>> round(obj.loss(theta).item(), 4)
    89.8317
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from . import mlp
from .base import Objective

MAX_LAYERS = 12
MAX_WIDTH = 64

TRAIN_INPUTS = ((1.0, 2.0, 3.0), (2.0, 3.0, 4.0), (3.0, 4.0, 5.0))
TRAIN_TARGETS = (6.0, 9.0, 12.0)
# Held out: two inside the training range, two just outside, two far outside.
TEST_INPUTS = ((1.5, 2.5, 3.5), (2.5, 3.5, 4.5), (4.0, 5.0, 6.0), (0.0, 1.0, 2.0),
               (10.0, 20.0, 30.0), (-1.0, -2.0, -3.0))


def _check_arch(hidden: tuple[int, ...], activation: str):
    if activation not in mlp.ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}; choose one of {list(mlp.ACTIVATIONS)}.")
    if len(hidden) > MAX_LAYERS:
        raise ValueError(f"At most {MAX_LAYERS} hidden layers, got {len(hidden)}.")
    if any((not isinstance(h, int)) or h < 1 or h > MAX_WIDTH for h in hidden):
        raise ValueError(f"Hidden layer widths must be whole numbers from 1 to {MAX_WIDTH}, got {list(hidden)}.")


def check_classifier(problem) -> None:
    """The checks a binary classifier problem (the shoppers, a learner's own table) makes
    of its frozen fields: ``hidden`` as whole widths, ``model``, the architecture and
    ``test_fraction``."""
    object.__setattr__(problem, "hidden", tuple(int(h) for h in problem.hidden))
    if problem.model not in ("logistic", "mlp"):
        raise ValueError(f"Model must be 'logistic' or 'mlp', got {problem.model!r}.")
    _check_arch(problem.hidden, problem.activation)
    if not (isinstance(problem.test_fraction, (int, float)) and 0.05 <= problem.test_fraction <= 0.5):
        raise ValueError("The test fraction must be between 0.05 and 0.5.")


@dataclass(frozen=True)
class SumOfThree:
    """An MLP 3 → hidden… → 1 learning y = x₁ + x₂ + x₃ from three examples."""

    hidden: tuple[int, ...] = (4,)
    activation: str = "relu"
    inputs: tuple[tuple[float, ...], ...] = TRAIN_INPUTS
    targets: tuple[float, ...] = TRAIN_TARGETS
    test_inputs: tuple[tuple[float, ...], ...] = TEST_INPUTS

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        _check_arch(self.hidden, self.activation)
        if len(self.inputs) != len(self.targets) or not self.inputs:
            raise ValueError("Each input row needs one target.")
        if any(len(r) != 3 for r in self.inputs + self.test_inputs):
            raise ValueError("Every input row needs exactly three numbers.")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (3, *self.hidden, 1)

    @property
    def n_params(self) -> int:
        """Weights and biases of every layer: Σ (inputs·outputs + outputs)."""
        return mlp.n_params(self.sizes)

    def build(self, dtype: torch.dtype = torch.float32) -> "MLPRegression":
        s = self.sizes
        return MLPRegression(param_names=mlp.param_names(s), n_train=len(self.inputs), optimum=0.0,
                             penalty_mask=mlp.weight_mask(s).to(dtype), layers=mlp.layer_slices(s),
                             dtype=dtype, problem=self)


@dataclass
class MLPObjective(Objective):
    """An MLP of ``problem.sizes`` over fixed training and test tensors (x, y, x_test,
    y_test, set by the subclass in ``__post_init__`` through ``_use_data``). A subclass
    names its per-element loss; the means per run are taken here, once for all three
    loss methods."""

    def _use_data(self, x, y, x_test, y_test) -> None:
        self.sizes = self.problem.sizes
        self.x, self.y, self.x_test, self.y_test = x, y, x_test, y_test
        self.x_both = torch.cat([x, x_test])
        self.y_both = torch.cat([y, y_test])

    @property
    def has_test(self) -> bool:
        return True

    def init(self, seed: int) -> torch.Tensor:
        # Drawn in float32 like a fresh torch model, then cast (model.double() semantics).
        return mlp.init(self.sizes, seed).to(self.dtype)

    def forward(self, theta, x):
        """The network's raw output per run, (N, B, 1)."""
        return mlp.forward(theta, x, self.sizes, self.problem.activation)

    def elementwise_loss(self, out, y):  # pragma: no cover - interface
        """The loss of each output against its target, same shape as ``out``."""
        raise NotImplementedError

    def loss(self, theta, idx=None):
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        return self.elementwise_loss(self.forward(theta, x), y).mean(dim=(1, 2))

    def test_loss(self, theta):
        return self.elementwise_loss(self.forward(theta, self.x_test), self.y_test).mean(dim=(1, 2))

    def loss_and_test(self, theta):
        n = len(self.x)
        el = self.elementwise_loss(self.forward(theta, self.x_both), self.y_both)
        return el[:, :n].mean(dim=(1, 2)), el[:, n:].mean(dim=(1, 2))


@dataclass
class MLPRegression(MLPObjective):
    problem: SumOfThree = None

    def __post_init__(self):
        p = self.problem
        x = torch.tensor(p.inputs, dtype=self.dtype)
        x_test = torch.tensor(p.test_inputs, dtype=self.dtype)
        self._use_data(x, torch.tensor(p.targets, dtype=self.dtype).unsqueeze(1),      # (n, 1)
                       x_test, x_test.sum(dim=1, keepdim=True))

    def predict(self, theta, x):
        return self.forward(theta, x)

    def elementwise_loss(self, out, y):
        return (out - y) ** 2                                     # nn.MSELoss, before its mean
