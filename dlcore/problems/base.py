"""The interface between a problem and the training loop.

A *problem* is a frozen, hashable dataclass (safe to use as a cache key and to pickle).
``problem.build(dtype)`` turns it into an :class:`Objective`: the problem's tensors in one
dtype plus a loss that is batched over runs — ``theta`` has shape (N, P), one row of P
parameters per run, and the loss returns shape (N,). Because runs never interact, the
gradient of ``loss.sum()`` with respect to ``theta`` is every run's own gradient at once.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass
class Objective:
    """A problem made concrete in one dtype.

    Attributes:
        param_names: a name per parameter column of theta (P names).
        n_train: number of training examples (0 for an analytic surface: no batches).
        optimum: the minimum of the training loss when known exactly, else None.
        penalty_mask: (P,) 1.0 where L1/L2 penalties apply (weights), 0.0 elsewhere (biases).
        layers: (name, slice) groups of parameters, for per-layer gradient norms.
    """

    param_names: tuple[str, ...]
    n_train: int
    optimum: float | None
    penalty_mask: torch.Tensor
    layers: tuple[tuple[str, slice], ...]
    dtype: torch.dtype

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @property
    def has_test(self) -> bool:
        return False

    def init(self, seed: int) -> torch.Tensor:  # pragma: no cover - interface
        """Initial parameters (P,) for a run with this seed."""
        raise NotImplementedError

    def loss(self, theta: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor:  # pragma: no cover
        """Training loss per run, (N,), on the examples ``idx`` (N, B) or all of them (None)."""
        raise NotImplementedError

    def test_loss(self, theta: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def loss_and_test(self, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Full-batch training loss and test loss. Problems with test data override this
        to run one forward pass over training and test inputs together (the loop's
        per-step cost is mostly the number of operations, not their size)."""
        return self.loss(theta), (self.test_loss(theta) if self.has_test else None)


@dataclass(frozen=True)
class ProblemSize:
    """How big one run of a problem is, for the work budget (dlcore.budget.fit_budget).

    Attributes:
        n_params: parameters per run (the columns of theta).
        n_examples: examples one full-batch step evaluates (training and test), at least 1.
        n_train: training examples (0 for an analytic surface; a batch size below it means mini-batches).
    """

    n_params: int
    n_examples: int
    n_train: int


@functools.lru_cache(maxsize=128)
def problem_size(problem) -> ProblemSize:
    """The one way to size a problem for a work budget: built once per problem (problems
    are frozen and hashable), counted from the objective the training loop itself uses.

        >>> from dlcore.problems import LINE_FIT, SumOfThree
        >>> problem_size(LINE_FIT)
        ProblemSize(n_params=2, n_examples=4, n_train=4)
        >>> problem_size(SumOfThree(hidden=(16,))).n_params      # 3·16 + 16 + 16·1 + 1
        81
    """
    obj = problem.build()
    n_test = len(getattr(obj, "x_test", ()))
    return ProblemSize(obj.n_params, max(obj.n_train + n_test, 1), obj.n_train)


def n_params(problem) -> int:
    """Parameters per run of any problem: its own ``n_params`` when it declares one
    (LinearProblem, SumOfThree — no build needed), else counted by :func:`problem_size`."""
    own = getattr(problem, "n_params", None)
    return int(own) if own is not None else problem_size(problem).n_params
