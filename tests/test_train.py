"""Engine behaviour the optimizer-equivalence tests don't cover: divergence, convergence,
thinning, run independence, per-layer gradient norms, samples seen, penalties, progress
callbacks and read-only results. References are computed here from the recorded
histories or by plain torch loops."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import (LINE_FIT, STUDY_HOURS, OptimizerSpec, PurchaseProblem, RunSpec, ScheduleSpec, SumOfThree,
                    SurfaceProblem, TrainConfig, converged_at, thin_steps, train)

SGD = OptimizerSpec.make("sgd", lr=0.1)


# --- divergence -------------------------------------------------------------------------

def test_nan_at_the_start_is_diverged_at_step_0_and_other_runs_continue():
    p = SurfaceProblem("custom", expression="log(x)**2 + y**2")       # log of a negative → NaN
    runs = [RunSpec(SGD, start=(-1.0, 0.5)), RunSpec(SGD, start=(2.0, 0.5)),
            RunSpec(OptimizerSpec.make("adam", lr=0.1), start=(0.5, -1.0))]
    res = train(p, runs, TrainConfig(steps=200))                        # no exception
    assert res.diverged_at.tolist() == [0, -1, -1]
    assert math.isnan(res.loss[0, 0])
    # The diverged run is never updated; the others find the minimum log(x)² + y² = 0 at (1, 0).
    assert res.final_params[0].tolist() == [-1.0, 0.5]
    np.testing.assert_allclose(res.final_params[1:], [[1.0, 0.0], [1.0, 0.0]], atol=1e-3)
    assert np.isfinite(res.loss[:, 1:]).all() and (res.loss[-1, 1:] < 1e-6).all()
    h = res.history()
    assert h.loc[h["run"] == 0, "step"].tolist() == [0]
    assert h.loc[h["run"] == 1, "step"].tolist() == list(range(201))
    s = res.summary()
    assert math.isnan(s["final_loss"][0]) and math.isnan(s["best_loss"][0])
    assert s["diverged_at"].tolist()[0] == 0 and s["diverged_at"].isna().tolist() == [False, True, True]
    assert s["converged_at"].isna()[0]
    assert math.isnan(s["x"][0]) and s["x"][1] == pytest.approx(1.0, abs=1e-3)


def test_infinite_loss_at_the_start_is_diverged_at_step_0():
    """1/x at x = 0 is +inf. Such a run must be marked at step 0 — not carried on to θ = inf,
    where 1/x = 0 would look like a perfect, converged run."""
    p = SurfaceProblem("custom", expression="1/x + y**2")
    res = train(p, [RunSpec(SGD, start=(0.0, 1.0)), RunSpec(SGD, start=(1.0, 1.0))], TrainConfig(steps=20))
    assert res.diverged_at.tolist() == [0, -1]
    assert res.final_params[0].tolist() == [0.0, 1.0]
    assert math.isnan(res.summary()["final_loss"][0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_loss_overflowing_to_inf_is_diverged_at_that_step(dtype):
    """x¹⁰ from x = 3000 is ~6e34: finite, but 1e4× that overflows float32. The step where
    the loss itself becomes +inf must still be the divergence step."""
    p = SurfaceProblem("custom", expression="x**10 + y**2")
    lr = 1e-28
    res = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=lr), start=(3000.0, 1.0))],
                TrainConfig(steps=10, dtype=dtype, record_params=True))
    # Independent: one step by hand, x ← x − lr·10x⁹, in Python floats.
    x0 = 3000.0
    x1 = x0 - lr * 10 * x0 ** 9                     # ≈ −16683
    loss0, loss1 = x0 ** 10 + 1, x1 ** 10 + 1          # ≈ 5.9e34 and ≈ 1.6e42
    assert loss0 < np.finfo(dtype).max and loss1 > 1e4 * loss0      # step 1 breaks the documented rule
    assert res.diverged_at[0] == 1
    assert res.params[1, 0, 0] == pytest.approx(x1, rel=1e-5)
    if dtype == "float32":
        assert res.loss[1, 0] == np.inf               # the loss itself overflowed


def test_diverged_history_ends_at_the_divergence_step_and_params_freeze():
    res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in (0.05, 0.3)], TrainConfig(steps=100))
    d = int(res.diverged_at[1])
    assert res.diverged_at[0] == -1 and 0 < d < 100
    h = res.history()
    assert h.loc[h["run"] == 1, "step"].max() == d
    assert (res.params[d:, 1] == res.params[d, 1]).all()
    assert res.last_step().tolist() == [100, d]


# --- convergence ----------------------------------------------------------------------------

def first_stay_below(values, tol):
    """First t with values[t:] all < tol (NaN counts as not below); -1 if none."""
    t = len(values)
    while t > 0 and values[t - 1] < tol:
        t -= 1
    return t if t < len(values) else -1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("standardize", [False, True])
def test_converged_at_matches_the_loss_history(dtype, standardize):
    p = replace(STUDY_HOURS, standardize=standardize)
    x, y = np.array(p.x), np.array(p.y)
    optimum = np.mean((np.polyval(np.polyfit(x, y, 1), x) - y) ** 2)        # least-squares MSE, 2017.5
    assert optimum == pytest.approx(2017.5)
    lrs = (0.05, 0.2, 0.5) if standardize else (1e-4, 5e-4, 1.3e-3)
    res = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in lrs],
                TrainConfig(steps=300, dtype=dtype, tol=0.5, tol_mode="gap"))
    assert res.optimum == pytest.approx(optimum, rel=1e-12)
    loss = res.loss.astype(np.float64)
    for tol in (0.5, 5.0, 200.0):
        gap = res.converged_at(tol=tol, mode="gap")
        absolute = res.converged_at(tol=optimum + tol, mode="absolute")
        for i in range(len(lrs)):
            assert gap[i] == first_stay_below(loss[:, i] - optimum, tol)
            assert absolute[i] == first_stay_below(loss[:, i], optimum + tol)
    # The defaults come from the config, and the summary shows the same steps.
    s = res.summary()
    expected = [first_stay_below(loss[:, i] - optimum, 0.5) for i in range(len(lrs))]
    assert res.converged_at().tolist() == expected
    assert s["converged_at"].fillna(-1).astype(int).tolist() == expected
    if standardize:   # round bowl: every rate here gets there
        assert all(e >= 0 for e in expected)
    # Absolute mode by default: a config tol below the optimum never converges.
    res_abs = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=lrs[0]))],
                    TrainConfig(steps=50, dtype=dtype, tol=1.0, tol_mode="absolute"))
    assert res_abs.converged_at().tolist() == [-1]


def test_converged_at_function_on_handmade_histories():
    loss = np.array([[5.0, 5.0, np.nan], [0.5, 0.05, np.nan], [2.0, 0.01, 0.0], [0.4, 0.02, 0.0], [0.3, 0.0, 0.0]])
    assert converged_at(loss, 1.0).tolist() == [3, 1, 2]
    assert converged_at(loss, 0.01).tolist() == [-1, 4, 2]
    # Gap mode: loss − optimum; a gap below zero (float noise under the optimum) counts as within.
    assert converged_at(loss, 0.1, optimum=0.3).tolist() == [4, 1, 2]
    assert converged_at(np.full((3, 1), np.inf), 1.0).tolist() == [-1]


# --- thinning -----------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 3000), max_points=st.one_of(st.none(), st.integers(2, 300)),
       keep=st.lists(st.integers(-5, 3100), max_size=6))
def test_thin_steps_properties(n, max_points, keep):
    s = thin_steps(n, max_points, keep)
    assert s.dtype.kind == "i"
    assert (np.diff(s) > 0).all()                              # sorted, unique
    assert s[0] == 0 and s[-1] == n - 1
    assert s.min() >= 0 and s.max() <= n - 1
    inside = {k for k in keep if 0 <= k < n}
    if max_points is None or n <= max_points:
        assert s.tolist() == list(range(n))
        return
    assert inside <= set(s.tolist())
    assert len(s) <= max_points + len(inside) + 2
    # Evenly spread: no gap much wider than an even spacing would leave.
    assert np.diff(s).max() <= math.ceil((n - 1) / (max_points - 1)) + 1


def test_history_thinning_keeps_the_divergence_row():
    lrs = (0.05, 0.1205, 0.3)
    res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in lrs], TrainConfig(steps=1000))
    d = res.diverged_at
    assert d[0] == -1 and d[1] > 0 and d[2] > 0
    grid = set(np.round(np.linspace(0, 1000, 50)).astype(int).tolist())
    assert int(d[1]) not in grid                       # so keeping it is the thinning's doing
    h = res.history(max_points=50)
    for i in range(3):
        steps = h.loc[h["run"] == i, "step"].to_numpy()
        assert len(steps) <= 52
        assert steps[0] == 0
        assert steps[-1] == (1000 if d[i] < 0 else d[i])
        assert (np.diff(steps) > 0).all()
    full = res.history()
    assert len(full) == 1001 + d[1] + 1 + d[2] + 1
    row = h[(h["run"] == 1) & (h["step"] == d[1])].iloc[0]
    assert row["loss"] == pytest.approx(float(res.loss[d[1], 1]))
    # The last recorded update's rate is the run's; the final state (step T) has none.
    last = h[(h["run"] == 0) & (h["step"] == 1000)].iloc[0]
    assert math.isnan(last["lr"])


# --- runs don't interact ----------------------------------------------------------------------

def mixed_runs(problem, dtype):
    P = problem.build().n_params
    g = torch.Generator().manual_seed(3)
    start = tuple((torch.rand(P, generator=g) - 0.5).tolist())
    return [RunSpec(OptimizerSpec.make("sgd", lr=0.01, momentum=0.9), seed=1),
            RunSpec(OptimizerSpec.make("adam", lr=0.003), seed=2, schedule=ScheduleSpec("cosine")),
            RunSpec(OptimizerSpec.make("rmsprop", lr=0.001, centered=True), seed=1, start=start),
            RunSpec(OptimizerSpec.make("sgd", lr=0.005, nesterov=True, momentum=0.5), seed=7, l2=0.01),
            RunSpec(OptimizerSpec.make("adagrad", lr=0.05), seed=2, l1=0.01),
            RunSpec(OptimizerSpec.make("sgd", lr=1e3), seed=5)]            # diverges


@pytest.mark.parametrize("problem,cfg", [
    (SumOfThree(hidden=(5, 3), activation="tanh"), TrainConfig(steps=60)),
    (PurchaseProblem(model="mlp", hidden=(4,), train_size=100), TrainConfig(steps=25, batch_size=16)),
    (SurfaceProblem("rosenbrock"), TrainConfig(steps=60, dtype="float64")),
])
def test_a_batch_of_mixed_runs_equals_each_run_alone(problem, cfg):
    runs = mixed_runs(problem, cfg.dtype)
    together = train(problem, runs, cfg)
    assert together.diverged_at[-1] >= 0
    for i, r in enumerate(runs):
        alone = train(problem, [r], cfg)
        assert alone.diverged_at[0] == together.diverged_at[i]
        n = alone.last_step()[0] + 1
        for name in ("loss", "grad_norm", "batch_loss", "test_loss"):
            a, b = getattr(alone, name), getattr(together, name)
            if a is None:
                assert b is None
                continue
            np.testing.assert_allclose(b[:n, i], a[:n, 0], rtol=1e-6, atol=1e-9, err_msg=f"{name} run {i}")
        np.testing.assert_allclose(together.final_params[i], alone.final_params[0], rtol=1e-6, atol=1e-9)


# --- penalties -------------------------------------------------------------------------------

def test_l2_penalises_the_slope_not_the_intercept():
    lam, lr, steps = 0.5, 0.02, 150
    res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr), l2=lam)], TrainConfig(steps=steps, dtype="float64"))
    x = torch.tensor(LINE_FIT.x, dtype=torch.float64)
    y = torch.tensor(LINE_FIT.y, dtype=torch.float64)
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for t in range(steps):
        mse = torch.mean((w * x + b - y) ** 2)
        assert res.loss[t, 0] == pytest.approx(mse.item(), rel=1e-10)      # recorded loss: data only
        opt.zero_grad()
        (mse + lam * (w ** 2).sum()).backward()
        opt.step()
    np.testing.assert_allclose(res.final_params[0], [w.item(), b.item()], rtol=1e-10)
    # Closed form of the ridge optimum with an unpenalised intercept: (XᵀX/n·2 + 2λ·e₁e₁ᵀ)θ = 2Xᵀy/n.
    A = np.stack([LINE_FIT.x, np.ones(4)], axis=1)
    theta = np.linalg.solve(2 / 4 * A.T @ A + np.diag([2 * lam, 0.0]), 2 / 4 * A.T @ np.array(LINE_FIT.y))
    long = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=0.1), l2=lam)], TrainConfig(steps=1000, dtype="float64"))
    np.testing.assert_allclose(long.final_params[0], theta, rtol=1e-8)


def test_l1_on_a_network_penalises_weights_only():
    lam, lr, steps, seed = 0.05, 0.01, 40, 4
    res = train(SumOfThree(), [RunSpec(OptimizerSpec.make("sgd", lr=lr), seed=seed, l1=lam)],
                TrainConfig(steps=steps, dtype="float64"))
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], dtype=torch.float64)
    y = torch.tensor([[6.0], [9.0], [12.0]], dtype=torch.float64)
    for _ in range(steps):
        loss = nn.MSELoss()(model(x), y) + lam * (model[0].weight.abs().sum() + model[2].weight.abs().sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
    ref = nn.utils.parameters_to_vector(model.parameters()).detach().numpy()
    np.testing.assert_allclose(res.final_params[0], ref, rtol=1e-9, atol=1e-12)


# --- per-layer gradient norms ----------------------------------------------------------------

def test_layer_grad_norms_combine_to_the_total_and_match_torch():
    hidden, seed = (5, 3), 2
    res = train(SumOfThree(hidden=hidden, activation="tanh"),
                [RunSpec(OptimizerSpec.make("adam", lr=0.01), seed=seed), RunSpec(SGD, seed=9)],
                TrainConfig(steps=30, dtype="float64", record_layer_grads=True))
    lg = res.layer_grad_norm
    assert lg.shape == (31, 2, 3) and res.layer_names == ("layer1", "layer2", "layer3")
    np.testing.assert_allclose(np.sqrt((lg ** 2).sum(axis=2)), res.grad_norm, rtol=1e-12)
    # Step 0 against torch: ‖(∂W, ∂b)‖ of each nn.Linear after one backward pass.
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1)).double()
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], dtype=torch.float64)
    nn.MSELoss()(model(x), torch.tensor([[6.0], [9.0], [12.0]], dtype=torch.float64)).backward()
    norms = [math.sqrt(float(m.weight.grad.pow(2).sum() + m.bias.grad.pow(2).sum())) for m in model[::2]]
    np.testing.assert_allclose(lg[0, 0], norms, rtol=1e-10)
    lh = res.layer_history(max_points=10)
    assert set(lh["layer"]) == {"layer1", "layer2", "layer3"}
    assert len(lh) == 2 * 3 * len(thin_steps(31, 10))
    with pytest.raises(ValueError, match="record_layer_grads"):
        train(SumOfThree(), [RunSpec(SGD)], TrainConfig(steps=2)).layer_history()


# --- samples seen ----------------------------------------------------------------------------

def test_samples_seen_full_batch():
    res = train(LINE_FIT, [RunSpec(SGD)], TrainConfig(steps=7))
    assert res.samples_seen.tolist() == [4 * t for t in range(8)]
    res = train(LINE_FIT, [RunSpec(SGD)], TrainConfig(steps=3, batch_size=10))     # batch ≥ n: full batch
    assert res.batch_loss is None and res.samples_seen.tolist() == [0, 4, 8, 12]
    res = train(SurfaceProblem("bowl"), [RunSpec(SGD)], TrainConfig(steps=3, batch_size=2))
    assert res.samples_seen.tolist() == [0, 1, 2, 3]                                   # one point per step


@pytest.mark.parametrize("batch_size", [32, 30, 1])
def test_samples_seen_mini_batches_include_the_short_last_batch(batch_size):
    n, steps = 100, 9
    res = train(PurchaseProblem(train_size=n), [RunSpec(SGD)], TrainConfig(steps=steps, batch_size=batch_size))
    sizes = []
    while len(sizes) < steps:                                  # an epoch: ⌈n/B⌉ batches, the last short
        sizes += [min(batch_size, n - k) for k in range(0, n, batch_size)]
    assert res.samples_seen.tolist() == np.concatenate([[0], np.cumsum(sizes[:steps])]).tolist()
    h = res.history()
    assert h["samples_seen"].tolist() == res.samples_seen.tolist()


# --- progress --------------------------------------------------------------------------------

@pytest.mark.parametrize("steps", [1, 7, 50, 333])
def test_progress_fractions_rise_to_one(steps):
    seen = []
    train(LINE_FIT, [RunSpec(SGD)], TrainConfig(steps=steps), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in seen)
    assert all(a <= b for a, b in zip(seen, seen[1:]))
    assert len(seen) <= 101          # "every few steps": about 50–100 calls however long the run


class Stop(Exception):
    pass


def test_an_exception_from_progress_stops_training():
    calls = []

    def progress(f):
        calls.append(f)
        if f >= 0.5:
            raise Stop()

    with pytest.raises(Stop):
        train(LINE_FIT, [RunSpec(SGD)], TrainConfig(steps=100), progress=progress)
    assert calls[-1] >= 0.5 and 1.0 not in calls


# --- results are read-only ------------------------------------------------------------------------

def test_result_arrays_are_read_only():
    res = train(PurchaseProblem(model="mlp", hidden=(3,), train_size=40), [RunSpec(SGD), RunSpec(SGD, seed=1)],
                TrainConfig(steps=5, batch_size=16, record_layer_grads=True, record_params=True))
    names = ("loss", "grad_norm", "batch_loss", "test_loss", "lr", "params", "final_params", "layer_grad_norm",
             "diverged_at", "samples_seen")
    for name in names:
        a = getattr(res, name)
        assert a is not None, name
        before = a.copy()
        with pytest.raises(ValueError, match="read-only"):
            a[(0,) * a.ndim] = 123
        with pytest.raises(ValueError):
            a += 1
        assert np.array_equal(a, before, equal_nan=True), name
    with pytest.raises(AttributeError):
        res.loss = None
    # Tables built from it are ordinary, writable copies.
    h = res.history()
    h.loc[0, "loss"] = -1.0
    assert res.loss[0, 0] != -1.0
