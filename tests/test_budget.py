"""dlcore.budget: what fit_budget cuts, and its estimate against real training time."""
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import OptimizerSpec, RunSpec, TrainConfig, train
from dlcore.budget import MAX_RUNS, MAX_SECONDS, MAX_STEPS, estimate_seconds, fit_budget
from dlcore.problems.networks import SumOfThree
from dlcore.problems.purchase import PurchaseProblem


@settings(max_examples=300, deadline=None, derandomize=True)
@given(runs=st.integers(1, 2000), steps=st.integers(1, 10 ** 6), n_params=st.integers(1, 50_000),
       n_examples=st.integers(1, 2000), n_layers=st.integers(1, 13), kinds=st.integers(1, 7),
       calls=st.integers(1, 4), max_seconds=st.sampled_from([0.3, MAX_SECONDS, 4.0]))
def test_fit_budget_fits_and_says_what_it_cut(runs, steps, n_params, n_examples, n_layers, kinds, calls,
                                              max_seconds):
    r, s, notes = fit_budget(runs, steps, n_params, n_examples, max_seconds=max_seconds, n_layers=n_layers,
                             kinds=kinds, calls=calls)
    assert 1 <= r <= min(runs, MAX_RUNS) and 1 <= s <= min(steps, MAX_STEPS)
    est = estimate_seconds(r, s, n_params, n_examples, n_layers, kinds, calls)
    # Within the budget, unless even one step of one run is over it (then one step is trained).
    assert est <= max_seconds * (1 + 1e-9) or s == 1
    changed = (r, s) != (runs, steps)
    assert bool(notes) == changed
    if s < min(steps, MAX_STEPS):
        assert any(f"{s} steps" in n for n in notes)
    if r < runs:
        assert any(f"{r} runs" in n or f"using {MAX_RUNS}" in n for n in notes)


def test_more_layers_kinds_or_calls_mean_fewer_steps():
    base = fit_budget(1, 20_000, 46_081, 9)[1]
    assert fit_budget(1, 20_000, 46_081, 9, n_layers=13)[1] < base
    assert fit_budget(1, 20_000, 46_081, 9, calls=3)[1] == pytest.approx(base / 3, rel=0.01)
    assert fit_budget(7, 20_000, 21, 9, kinds=7)[1] < fit_budget(7, 20_000, 21, 9)[1]
    assert fit_budget(305, 20_000, 81, 1000, dtype="float64")[:2] < fit_budget(305, 20_000, 81, 1000)[:2]


def test_a_small_request_is_not_cut():
    # The lr sweep's default (100 rates + the article's, 1000 steps on the line fit) and a
    # single 5000-epoch line fit (the gradient-descent page's largest) stay whole.
    assert fit_budget(105, 1000, 2, 4) == (105, 1000, [])
    assert fit_budget(1, 5000, 2, 4) == (1, 5000, [])


def cpu():
    t = os.times()
    return t.user + t.system


@pytest.mark.parametrize("problem, runs, n_layers, n_examples, dtype", [
    (SumOfThree(hidden=(64,) * 12), 20, 13, 9, "float32"),
    (SumOfThree(), 300, 2, 9, "float32"),
    (PurchaseProblem(model="mlp"), 100, 2, 1000, "float32"),
    (PurchaseProblem(model="mlp", hidden=(64,) * 4, noise_features=20), 12, 5, 1000, "float64"),
], ids=["sum3-12x64", "sum3-305", "purchase-mlp", "shoppers-4x64-float64"])
def test_the_estimate_is_within_a_factor_of_real_training(problem, runs, n_layers, n_examples, dtype):
    """Budgeted for 0.3 s, a real batched training run takes that order of CPU time: a
    loose bound (×3 either way) — its purpose is to catch an estimate that is off by an
    order of magnitude (which is what makes a maximum-cost link take 10 s)."""
    n_params = problem.build().n_params
    r, s, _ = fit_budget(runs, 20_000, n_params, n_examples, max_seconds=0.3, n_layers=n_layers, dtype=dtype)
    specs = [RunSpec(OptimizerSpec.make("sgd", lr=1e-5), seed=i) for i in range(r)]
    train(problem, specs, TrainConfig(steps=2, dtype=dtype))     # warm-up
    c = cpu()
    train(problem, specs, TrainConfig(steps=s, dtype=dtype))
    used = cpu() - c
    est = estimate_seconds(r, s, n_params, n_examples, n_layers, dtype=dtype)
    assert est / 3 <= used <= 3 * est, f"{r} runs × {s} steps: estimated {est:.2f} s, used {used:.2f} s CPU"
