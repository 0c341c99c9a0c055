"""The problems: generated purchase data, initialisation, the test surfaces, the global
RNG, and validation of every frozen config.

References are independent: scikit-learn models on the generated data, nn.Sequential
built after torch.manual_seed, the surface formulas written out again from their
definitions, autograd gradients, numpy statistics.
"""
import math
import random
import warnings
from dataclasses import fields, replace

import numpy as np
import pytest
import torch
import torch.nn as nn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.neural_network import MLPClassifier

from dlcore import (LINE_FIT, LOSSES, MAX_STEPS, OPTIMIZERS, SCHEDULES, STUDY_HOURS, SURFACES, LinearProblem,
                    OptimizerSpec, PurchaseProblem, RunSpec, ScheduleSpec, SumOfThree, SurfaceProblem, TrainConfig,
                    nearest_minimum, purchase_data, train)
from dlcore.metrics import evaluate_classifier
from dlcore.problems import DTYPES
from dlcore.sweep import lr_range_test, lr_sweep


# --- purchase data --------------------------------------------------------------------

def test_purchase_data_is_deterministic_per_seed():
    a, b = purchase_data(seed=5), purchase_data(seed=5)
    assert a.equals(b)
    c = purchase_data(seed=6)
    assert not a.equals(c)
    assert (a["age"] != c["age"]).mean() > 0.5


def test_purchase_data_ranges_and_rates():
    df = purchase_data(seed=0)
    assert len(df) == 1000
    assert list(df.columns) == ["age", "income", "education", "education_level", "purchased"]
    assert df["age"].between(18, 70).all()
    assert df["age"].min() == 18 and df["age"].max() == 70          # whole years, both ends drawn
    assert set(df["education"]) == {0, 1, 2, 3}
    assert (df["income"] > 0).all()
    assert set(df["purchased"]) == {0, 1}
    assert 0.15 < df["purchased"].mean() < 0.5
    # The documented education mix 0.40 / 0.35 / 0.18 / 0.07, within sampling error.
    share = df["education"].value_counts(normalize=True).sort_index().to_numpy()
    np.testing.assert_allclose(share, [0.40, 0.35, 0.18, 0.07], atol=0.05)
    levels = {"high school": 0, "bachelor": 1, "master": 2, "doctorate": 3}
    assert (df["education_level"].map(levels) == df["education"]).all()
    # Richer people buy more (the documented rule's main effect).
    rich = df["income"] > df["income"].median()
    assert df.loc[rich, "purchased"].mean() > df.loc[~rich, "purchased"].mean() + 0.1


def test_noise_features_are_unrelated_to_the_label():
    df = purchase_data(seed=0, n=20000, noise_features=5)
    for k in range(1, 6):
        col = df[f"noise_{k}"]
        assert abs(np.corrcoef(col, df["purchased"])[0, 1]) < 0.03      # sampling sd ≈ 0.007
        assert abs(col.mean()) < 0.05 and abs(col.std() - 1) < 0.05
    assert abs(np.corrcoef(df["income"], df["purchased"])[0, 1]) > 0.1  # the real features are not
    # Noise columns are drawn after the label, so adding them leaves the records unchanged.
    base = purchase_data(seed=0, n=20000)
    assert base.equals(df[base.columns])


def test_label_is_learnable_but_noisy_and_the_age_bump_needs_a_network():
    """Logistic regression beats the majority baseline but stays far from perfect (the label
    is a coin flip); an MLP ranks better than logistic regression (it can draw the
    middle-age bump a linear model can't), on average over two data seeds."""
    gains = []
    for seed in (0, 1):
        Xtr, ytr, Xte, yte, _, _ = PurchaseProblem(data_seed=seed).arrays()
        logistic = LogisticRegression().fit(Xtr, ytr)
        acc = accuracy_score(yte, logistic.predict(Xte))
        majority = max(yte.mean(), 1 - yte.mean())
        assert majority + 0.02 < acc < 0.95
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net = MLPClassifier(hidden_layer_sizes=(16,), alpha=1e-3, max_iter=1000, random_state=0).fit(Xtr, ytr)
        auc_log = roc_auc_score(yte, logistic.predict_proba(Xte)[:, 1])
        auc_net = roc_auc_score(yte, net.predict_proba(Xte)[:, 1])
        assert auc_net < 0.97                                     # noisy for the network too
        gains.append(auc_net - auc_log)
    assert np.mean(gains) > 0.03


def test_standardisation_uses_the_training_rows_only():
    p = PurchaseProblem(noise_features=2)
    Xtr, ytr, Xte, yte, mean, std = p.arrays()
    df = p.data()
    tr, te = p.split()
    raw = df[p.features].to_numpy(dtype=float)
    np.testing.assert_allclose(mean, raw[tr].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std, raw[tr].std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(Xtr.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Xtr.std(axis=0), 1, rtol=1e-12)
    # The test rows are scaled with the training statistics, so they are not exactly 0/1.
    assert np.abs(Xte.mean(axis=0)).max() > 1e-3
    assert np.abs(Xte.std(axis=0) - 1).max() > 1e-3
    np.testing.assert_allclose(Xte, (raw[te] - mean) / std, rtol=1e-12)
    np.testing.assert_array_equal(ytr, df["purchased"].to_numpy()[tr])
    np.testing.assert_array_equal(yte, df["purchased"].to_numpy()[te])


def test_split_sizes_and_train_size_subset():
    p = PurchaseProblem()
    tr, te = p.split()
    assert (len(tr), len(te)) == (800, 200) == (p.n_train_max, p.n_test)
    assert len(set(tr) | set(te)) == 1000 and not set(tr) & set(te)
    q = replace(p, train_size=50)
    tr50, te50 = q.split()
    np.testing.assert_array_equal(tr50, tr[:50])
    np.testing.assert_array_equal(te50, te)
    assert q.build().n_train == 50
    assert len(q.arrays()[0]) == 50
    other = replace(p, data_seed=1).split()[0]
    assert not np.array_equal(np.sort(other), np.sort(tr))
    p3 = PurchaseProblem(n_records=333, test_fraction=0.3)
    assert len(p3.split()[1]) == round(333 * 0.3) and len(p3.split()[0]) == 333 - round(333 * 0.3)


def test_logistic_parameter_layout_is_nn_linear():
    p = PurchaseProblem(noise_features=1)
    obj = p.build(torch.float64)
    assert obj.param_names == ("weight[age]", "weight[income]", "weight[education]", "weight[noise_1]", "bias")
    torch.manual_seed(11)
    layer = nn.Linear(4, 1).double()
    theta = nn.utils.parameters_to_vector(layer.parameters()).detach()
    np.testing.assert_array_equal(obj.init(11).numpy(), theta.numpy())
    Xtr, ytr, _, _, _, _ = p.arrays()
    with torch.no_grad():
        expected = nn.BCEWithLogitsLoss()(layer(torch.tensor(Xtr)), torch.tensor(ytr).unsqueeze(1))
    assert obj.loss(theta.unsqueeze(0)).item() == pytest.approx(expected.item(), rel=1e-12)


# --- the global RNG ---------------------------------------------------------------------

def test_global_rng_is_never_touched():
    torch_state, np_state, py_state = torch.get_rng_state(), np.random.get_state(), random.getstate()
    seed = torch.random.initial_seed()
    sgd = OptimizerSpec.make("sgd", lr=0.01)
    problems = [LINE_FIT, replace(STUDY_HOURS, standardize=True), SumOfThree(), SumOfThree(hidden=(5, 3)),
                PurchaseProblem(n_records=200), PurchaseProblem(model="mlp", hidden=(8,), noise_features=3,
                                                                n_records=300, train_size=100),
                SurfaceProblem("custom", expression="x**2 + sin(y)")]
    problems += [SurfaceProblem(name) for name in SURFACES]
    for p in problems:
        p.build()
        train(p, [RunSpec(sgd, seed=3), RunSpec(OptimizerSpec.make("adam"), seed=4)], TrainConfig(steps=5))
    for bs in (1, 16):
        train(PurchaseProblem(model="mlp", n_records=100), [RunSpec(sgd, seed=s) for s in (1, 2)],
              TrainConfig(steps=10, batch_size=bs))
    res = train(PurchaseProblem(n_records=200), [RunSpec(sgd)], TrainConfig(steps=5))
    evaluate_classifier(PurchaseProblem(n_records=200), res.final_params[0].copy())
    lr_range_test(SumOfThree(), sgd, num_iter=10)
    lr_sweep(LINE_FIT, sgd, [0.01, 0.1], steps=5)
    purchase_data(seed=9, noise_features=2)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert torch.random.initial_seed() == seed
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]
    assert random.getstate() == py_state


# --- SumOfThree initialisation ------------------------------------------------------------

ACT = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}


def torch_model(hidden, activation, seed):
    torch.manual_seed(seed)
    sizes = (3, *hidden, 1)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(ACT[activation]())
    return nn.Sequential(*layers)


@pytest.mark.parametrize("hidden,activation", [((4,), "relu"), ((5, 3), "tanh"), ((7, 2, 6), "leaky_relu"),
                                               ((1,), "sigmoid")])
@pytest.mark.parametrize("seed", [0, 1, 42, 2 ** 40 + 3])
def test_sum_of_three_init_and_forward_equal_nn_sequential(hidden, activation, seed):
    rng = torch.get_rng_state()
    model = torch_model(hidden, activation, seed)
    torch.set_rng_state(rng)
    expected = nn.utils.parameters_to_vector(model.parameters()).detach()
    obj = SumOfThree(hidden=hidden, activation=activation).build()
    theta = obj.init(seed)
    assert theta.dtype == torch.float32
    assert torch.equal(theta, expected)
    assert len(obj.param_names) == expected.numel()
    # The flat layout is the model's: the same parameters give the same predictions.
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]])
    with torch.no_grad():
        out = model(x)
        assert torch.allclose(obj.predict(theta.unsqueeze(0), x)[0], out, rtol=1e-6, atol=1e-6)
        mse = nn.MSELoss()(out, torch.tensor([[6.0], [9.0], [12.0]]))
    assert obj.loss(theta.unsqueeze(0)).item() == pytest.approx(mse.item(), rel=1e-6)


def test_sum_of_three_float64_init_is_the_float32_draw_cast():
    obj64 = SumOfThree(hidden=(5, 3)).build(torch.float64)
    theta = obj64.init(7)
    assert theta.dtype == torch.float64
    assert torch.equal(theta, SumOfThree(hidden=(5, 3)).build().init(7).double())


# --- surfaces -------------------------------------------------------------------------------

FORMULAS = {   # written out again from the definitions (module docstring), not imported
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    "himmelblau": lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2,
    "saddle": lambda x, y: x ** 2 - y ** 2,
    "rastrigin": lambda x, y: 20 + x ** 2 - 10 * np.cos(2 * np.pi * x) + y ** 2 - 10 * np.cos(2 * np.pi * y),
    "bowl": lambda x, y: 0.5 * (x ** 2 + 25 * y ** 2),
}


def surface_value_and_grad(name, point):
    obj = SurfaceProblem(name).build(torch.float64)
    th = torch.tensor([point], dtype=torch.float64, requires_grad=True)
    f = obj.loss(th)
    (g,) = torch.autograd.grad(f.sum(), th)
    return f.item(), g[0].numpy()


def test_every_surface_has_a_reference_formula():
    assert set(FORMULAS) == set(SURFACES)


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_values_equal_the_formulas(name):
    rng = np.random.default_rng(1)
    x0, x1, y0, y1 = SURFACES[name].window
    pts = np.column_stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)])
    obj = SurfaceProblem(name).build(torch.float64)
    got = obj.loss(torch.tensor(pts)).numpy()
    np.testing.assert_allclose(got, FORMULAS[name](pts[:, 0], pts[:, 1]), rtol=1e-12, atol=1e-12)
    # The source shown in exported scripts computes the same function.
    src = SURFACES[name].source
    X, Y = torch.tensor(pts[:, 0]), torch.tensor(pts[:, 1])
    np.testing.assert_allclose(eval(src, {"torch": torch, "math": math, "x": X, "y": Y}).numpy(), got, rtol=1e-12)


@pytest.mark.parametrize("name", [n for n, d in SURFACES.items() if d.minima])
def test_surface_minima_values_and_gradients(name):
    d = SURFACES[name]
    tol = 1e-4 if name == "himmelblau" else 1e-12      # Himmelblau's minima are given to 6 decimals
    for point in d.minima:
        f, g = surface_value_and_grad(name, point)
        assert f == pytest.approx(d.min_value, abs=tol)
        assert np.linalg.norm(g) < (1e-3 if name == "himmelblau" else 1e-9)
        # ...and it is a minimum: every nearby point is higher.
        for dx, dy in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3), (7e-4, 7e-4)]:
            assert FORMULAS[name](point[0] + dx, point[1] + dy) > f


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_start_and_window(name):
    d = SURFACES[name]
    x0, x1, y0, y1 = d.window
    sx, sy = d.start
    assert x0 <= sx <= x1 and y0 <= sy <= y1          # rosenbrock starts on the left edge
    f, g = surface_value_and_grad(name, d.start)
    assert math.isfinite(f) and np.isfinite(g).all()
    if d.min_value is not None:
        assert f > d.min_value + 1
    for mx, my in d.minima:
        assert x0 <= mx <= x1 and y0 <= my <= y1
    p = SurfaceProblem(name)
    assert p.start_point == d.start and p.view == d.window
    q = SurfaceProblem(name, start=(0.5, -0.5), window=(-1, 1, -2, 2))
    assert q.start_point == (0.5, -0.5) and q.view == (-1.0, 1.0, -2.0, 2.0)
    assert q.build().init(0).tolist() == [0.5, -0.5]


def test_himmelblau_has_four_distinct_minima_and_nearest_minimum():
    p = SurfaceProblem("himmelblau")
    minima = np.array(p.definition.minima)
    assert len(minima) == 4
    dist = np.linalg.norm(minima[:, None] - minima[None], axis=2)
    assert dist[~np.eye(4, dtype=bool)].min() > 1.0
    rng = np.random.default_rng(0)
    pts = [tuple(m + rng.normal(0, 0.2, 2)) for m in minima for _ in range(3)] + [(0.0, 0.0), (4.9, -4.9)]
    for (px, py), (k, d) in zip(pts, nearest_minimum(p, pts)):
        dd = np.hypot(px - minima[:, 0], py - minima[:, 1])
        assert k == int(np.argmin(dd)) and d == pytest.approx(dd.min(), rel=1e-12)
    assert [k for k, _ in nearest_minimum(p, pts[:12])] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    # Trained from near a minimum, gradient descent ends in it.
    res = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=0.01), start=pt) for pt in pts[:12:3]],
                TrainConfig(steps=300, dtype="float64"))
    assert [k for k, _ in nearest_minimum(p, res.final_params.tolist())] == [0, 1, 2, 3]
    assert all(d < 1e-5 for _, d in nearest_minimum(p, res.final_params.tolist()))


def test_nearest_minimum_without_minima_or_finite_points():
    assert nearest_minimum(SurfaceProblem("saddle"), [(0.0, 0.0), (1.0, 2.0)]) == [(None, None)] * 2
    assert nearest_minimum(SurfaceProblem("rosenbrock"), [(math.nan, 1.0), (1.0, math.inf)]) == [(None, None)] * 2
    assert nearest_minimum(SurfaceProblem("custom", expression="x**2 + y**2"), [(1.0, 1.0)]) == [(None, None)]
    assert nearest_minimum(SurfaceProblem("rosenbrock"), [(4.0, 5.0)]) == [(0, 5.0)]


def test_saddle_has_zero_gradient_but_no_minimum():
    f, g = surface_value_and_grad("saddle", (0.0, 0.0))
    assert f == 0.0 and np.linalg.norm(g) == 0.0
    assert FORMULAS["saddle"](0.0, 0.1) < 0.0
    assert SURFACES["saddle"].minima == () and SURFACES["saddle"].min_value is None


# --- validation: bad input raises ValueError with a clear message ------------------------

BAD_CONFIGS = [
    # OptimizerSpec
    (lambda: OptimizerSpec.make("sgdd"), "Unknown optimizer"),
    (lambda: OptimizerSpec(name="lbfgs"), "Unknown optimizer"),
    (lambda: OptimizerSpec.make("sgd", lr=0.0), "Learning rate must be positive"),
    (lambda: OptimizerSpec.make("sgd", lr=-0.1), "Learning rate must be positive"),
    (lambda: OptimizerSpec.make("sgd", lr=math.nan), "lr must be a finite number"),
    (lambda: OptimizerSpec.make("adam", lr=math.inf), "lr must be a finite number"),
    (lambda: OptimizerSpec.make("sgd", lr="0.1"), "lr must be a finite number"),
    (lambda: OptimizerSpec.make("sgd", momentum=1.0), r"momentum must be in \[0, 1\)"),
    (lambda: OptimizerSpec.make("sgd", momentum=-0.1), "momentum"),
    (lambda: OptimizerSpec.make("sgd", nesterov=True), "Nesterov momentum requires momentum > 0"),
    (lambda: OptimizerSpec.make("sgd", momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
    (lambda: OptimizerSpec.make("adam", momentum=0.9), r"Adam has no hyperparameter\(s\) \['momentum'\]"),
    (lambda: OptimizerSpec.make("sgd", betas=(0.9, 0.99)), "SGD has no hyperparameter"),
    (lambda: OptimizerSpec.make("adam", beta2=1.0), "betas must be in"),
    (lambda: OptimizerSpec.make("adam", eps=-1e-8), "eps must be"),
    (lambda: OptimizerSpec.make("sgd", weight_decay=-1.0), "weight_decay"),
    (lambda: OptimizerSpec.make("rmsprop", alpha=1.0), "alpha"),
    (lambda: OptimizerSpec.make("adagrad", lr_decay=-1.0), "lr_decay"),
    # ScheduleSpec
    (lambda: ScheduleSpec("linear"), "Unknown schedule"),
    (lambda: ScheduleSpec("step", step_size=0), "step_size must be a positive integer"),
    (lambda: ScheduleSpec("step", step_size=2.5), "step_size"),
    (lambda: ScheduleSpec("exponential", gamma=0.0), "gamma must be in"),
    (lambda: ScheduleSpec("exponential", gamma=11.0), "gamma must be in"),
    (lambda: ScheduleSpec("exponential", gamma=math.nan), "gamma must be a finite number"),
    (lambda: ScheduleSpec("cosine", eta_min=-0.1), "eta_min"),
    (lambda: ScheduleSpec("onecycle", pct_start=1.0), "pct_start"),
    (lambda: ScheduleSpec("onecycle", div_factor=0.0), "div_factor"),
    # TrainConfig
    (lambda: TrainConfig(steps=0), "steps must be a whole number"),
    (lambda: TrainConfig(steps=1e12), "steps must be a whole number"),
    (lambda: TrainConfig(steps=10 ** 12), "steps must be a whole number"),
    (lambda: TrainConfig(steps=MAX_STEPS + 1), "steps"),
    (lambda: TrainConfig(steps=10.0), "steps"),
    (lambda: TrainConfig(steps=True), "steps"),
    (lambda: TrainConfig(batch_size=0), "batch_size must be a positive whole number"),
    (lambda: TrainConfig(batch_size=2.5), "batch_size"),
    (lambda: TrainConfig(dtype="float16"), "dtype must be one of"),
    (lambda: TrainConfig(clip_norm=0.0), "clip_norm"),
    (lambda: TrainConfig(clip_norm=math.nan), "clip_norm"),
    (lambda: TrainConfig(diverge_factor=1.0), "diverge_factor"),
    (lambda: TrainConfig(tol=0.0), "tol must be a positive number"),
    (lambda: TrainConfig(tol=math.inf), "tol"),
    (lambda: TrainConfig(tol_mode="relative"), "tol_mode"),
    # RunSpec
    (lambda: RunSpec(seed=-1), "seed must be a whole number"),
    (lambda: RunSpec(seed=2 ** 63), "seed"),
    (lambda: RunSpec(seed=1.5), "seed"),
    (lambda: RunSpec(l1=math.nan), "l1 must be a finite number"),
    (lambda: RunSpec(l2=-0.1), "l2 must be a finite number ≥ 0"),
    (lambda: RunSpec(start=(math.nan, 0.0)), "Start values must be finite"),
    # LinearProblem
    (lambda: LinearProblem(x=(1, 2, 3), y=(1, 2)), "same number of values"),
    (lambda: LinearProblem(x=(1,), y=(2,)), "At least two points"),
    (lambda: LinearProblem(x=(2, 2, 2), y=(1, 2, 3)), "must not all be equal"),
    (lambda: LinearProblem(x=(1, 2), y=(1, math.nan)), "finite number"),
    (lambda: LinearProblem(x=(1, math.inf), y=(1, 2)), "finite number"),
    (lambda: LinearProblem(start=(0.0, math.nan)), "finite number"),
    (lambda: LinearProblem(start=(1.0, 2.0, 3.0)), "start needs two values"),
    (lambda: LinearProblem(loss="l2"), "Unknown loss"),
    (lambda: LinearProblem(loss="huber", huber_delta=0.0), "Huber"),
    # SumOfThree
    (lambda: SumOfThree(hidden=(4,) * 100), "At most 12 hidden layers"),
    (lambda: SumOfThree(hidden=(4, 0)), "widths must be whole numbers from 1 to 64"),
    (lambda: SumOfThree(hidden=(65,)), "widths must be whole numbers"),
    (lambda: SumOfThree(activation="gelu"), "Unknown activation"),
    (lambda: SumOfThree(inputs=((1.0, 2.0),), targets=(3.0,)), "exactly three numbers"),
    (lambda: SumOfThree(targets=(6.0, 9.0)), "one target"),
    # PurchaseProblem
    (lambda: PurchaseProblem(model="svm"), "Model must be 'logistic' or 'mlp'"),
    (lambda: PurchaseProblem(test_fraction=0.01), "test fraction"),
    (lambda: PurchaseProblem(test_fraction=math.nan), "test fraction"),
    (lambda: PurchaseProblem(n_records=10), "Number of records"),
    (lambda: PurchaseProblem(train_size=2), "Training set size"),
    (lambda: PurchaseProblem(train_size=801), "Training set size must be between 4 and 800"),
    (lambda: PurchaseProblem(noise_features=21), "Noise features"),
    (lambda: PurchaseProblem(model="mlp", hidden=(0,)), "widths"),
    (lambda: PurchaseProblem(activation="swish"), "Unknown activation"),
    # SurfaceProblem
    (lambda: SurfaceProblem("sphere"), "Unknown surface"),
    (lambda: SurfaceProblem("bowl", window=(1.0, 0.0, -1.0, 1.0)), "x0 < x1"),
    (lambda: SurfaceProblem("bowl", window=(0.0, 1.0, 0.0, math.nan)), "window"),
    (lambda: SurfaceProblem("bowl", start=(math.inf, 0.0)), "start point"),
    (lambda: SurfaceProblem("bowl", start=(1.0, 2.0, 3.0)), "start point"),
    (lambda: SurfaceProblem("custom", expression="__import__('os')"), "not an allowed function"),
    (lambda: SurfaceProblem("custom", expression="open('x').read()"), "not allowed"),
    (lambda: SurfaceProblem("custom", expression=""), "empty"),
    # Wrong types: each a ValueError with the field's message, not a TypeError/OverflowError
    # from the comparison after it (regressions: these used to escape as other exceptions
    # or be accepted).
    (lambda: OptimizerSpec.make("sgd", lr=10 ** 400), "lr must be a finite number"),
    (lambda: OptimizerSpec.make("sgd", lr=True), "lr must be a finite number"),
    (lambda: OptimizerSpec.make("sgd", momentum=0.9, nesterov="yes"), "nesterov must be True or False"),
    (lambda: OptimizerSpec.make("rmsprop", centered=1), "centered must be True or False"),
    (lambda: ScheduleSpec("exponential", gamma=10 ** 400), "gamma must be a finite number"),
    (lambda: ScheduleSpec("step", step_size=True), "step_size"),
    (lambda: TrainConfig(clip_norm="1"), "clip_norm"),
    (lambda: TrainConfig(diverge_factor="big"), "diverge_factor"),
    (lambda: TrainConfig(diverge_factor=math.inf), "diverge_factor must be a finite number"),
    (lambda: TrainConfig(tol="0.1"), "tol"),
    (lambda: TrainConfig(tol=10 ** 400), "tol"),
    (lambda: TrainConfig(batch_size=True), "batch_size"),
    (lambda: TrainConfig(dtype=["float32"]), "dtype"),
    (lambda: RunSpec(l1=10 ** 400), "l1"),
    (lambda: RunSpec(start=3.0), "start must be a list of numbers"),
    (lambda: LinearProblem(x=3.0), "x must be a list of numbers"),
    (lambda: LinearProblem(y=(1, 10 ** 400, 2, 3)), "y must be a list of numbers"),
    (lambda: LinearProblem(start=None), "start must be a list of numbers"),
    (lambda: LinearProblem(loss="huber", huber_delta="1"), "Huber"),
    (lambda: PurchaseProblem(n_records=100.5), "n_records must be a whole number"),
    (lambda: PurchaseProblem(noise_features=2.5), "noise_features must be a whole number"),
    (lambda: PurchaseProblem(train_size=10.5), "train_size must be a whole number"),
    (lambda: PurchaseProblem(data_seed=-1), "data_seed"),
    (lambda: PurchaseProblem(data_seed="7"), "data_seed"),
    (lambda: SurfaceProblem("bowl", window=(-1.0, 1.0, -1.0)), "window needs four numbers"),
    (lambda: SurfaceProblem("bowl", start=("a", "b")), "start point"),
]


@pytest.mark.parametrize("make,message", BAD_CONFIGS, ids=[m for _, m in BAD_CONFIGS])
def test_bad_configs_raise_value_error_with_a_clear_message(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_configs_are_frozen_and_hashable():
    for obj in (OptimizerSpec.make("adam"), ScheduleSpec("cosine"), TrainConfig(), RunSpec(), LINE_FIT,
                SumOfThree(), PurchaseProblem(), SurfaceProblem("bowl")):
        hash(obj)
        with pytest.raises(AttributeError):
            setattr(obj, fields(obj)[0].name, None)
    assert LinearProblem(x=[1, 2], y=[3, 4]) == LinearProblem(x=(1.0, 2.0), y=(3.0, 4.0))
    assert hash(LinearProblem(x=[1, 2], y=[3, 4])) == hash(LinearProblem(x=(1.0, 2.0), y=(3.0, 4.0)))


def test_unknown_start_length_is_rejected_at_training():
    with pytest.raises(ValueError, match="start has 3 values but the model has 2 parameters"):
        train(LINE_FIT, [RunSpec(start=(1.0, 2.0, 3.0))], TrainConfig(steps=1))


# --- validation, property-based: ValueError or a valid config, nothing else ------------------

ANY = st.one_of(st.floats(), st.integers(), st.text(max_size=8),
                st.sampled_from([10 ** 400, -10 ** 400, 2 ** 63, True, False, None]))
FLOAT_FIELDS = [f.name for f in fields(OptimizerSpec) if f.type in ("float", float)]
HYPER_NAMES = sorted({k for d in OPTIMIZERS.values() for k in d} | {"betas", "foo"})


def finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(name=st.one_of(st.sampled_from(sorted(OPTIMIZERS)), st.text(max_size=8)), lr=ANY,
       hyper=st.dictionaries(st.sampled_from(HYPER_NAMES), ANY, max_size=4))
def test_optimizer_spec_make_is_valid_or_value_error(name, lr, hyper):
    try:
        spec = OptimizerSpec.make(name, lr=lr, **hyper)
    except ValueError:
        return
    assert spec.name in OPTIMIZERS
    for f in FLOAT_FIELDS:
        assert finite(getattr(spec, f)), f
    assert spec.lr > 0 and 0 <= spec.momentum < 1 and 0 <= spec.beta1 < 1 and 0 <= spec.beta2 < 1
    assert isinstance(spec.nesterov, bool) and isinstance(spec.centered, bool)
    assert set(spec.hyperparameters()) >= {"lr"}


@SETTINGS
@given(steps=ANY, batch_size=ANY, clip_norm=ANY, dtype=st.one_of(st.sampled_from(list(DTYPES)), ANY),
       diverge_factor=ANY, tol=ANY, tol_mode=st.one_of(st.sampled_from(["gap", "absolute"]), ANY))
def test_train_config_is_valid_or_value_error(steps, batch_size, clip_norm, dtype, diverge_factor, tol, tol_mode):
    try:
        c = TrainConfig(steps=steps, batch_size=batch_size, clip_norm=clip_norm, dtype=dtype,
                        diverge_factor=diverge_factor, tol=tol, tol_mode=tol_mode)
    except ValueError:
        return
    assert isinstance(c.steps, int) and not isinstance(c.steps, bool) and 1 <= c.steps <= MAX_STEPS
    assert c.batch_size is None or (isinstance(c.batch_size, int) and not isinstance(c.batch_size, bool)
                                    and c.batch_size >= 1)
    assert c.clip_norm is None or (finite(c.clip_norm) and c.clip_norm > 0)
    assert c.dtype in DTYPES
    assert finite(c.diverge_factor) and c.diverge_factor > 1
    assert finite(c.tol) and c.tol > 0
    assert c.tol_mode in ("gap", "absolute")


@SETTINGS
@given(kind=st.one_of(st.sampled_from(SCHEDULES), st.text(max_size=8)), step_size=ANY, gamma=ANY, eta_min=ANY,
       pct_start=ANY, div_factor=ANY, final_div_factor=ANY)
def test_schedule_spec_is_valid_or_value_error(kind, step_size, gamma, eta_min, pct_start, div_factor,
                                               final_div_factor):
    try:
        s = ScheduleSpec(kind=kind, step_size=step_size, gamma=gamma, eta_min=eta_min, pct_start=pct_start,
                         div_factor=div_factor, final_div_factor=final_div_factor)
    except ValueError:
        return
    assert s.kind in SCHEDULES
    assert isinstance(s.step_size, int) and not isinstance(s.step_size, bool) and s.step_size >= 1
    for v in (s.gamma, s.eta_min, s.pct_start, s.div_factor, s.final_div_factor):
        assert finite(v)
    assert 0 < s.gamma <= 10 and s.eta_min >= 0 and 0 < s.pct_start < 1
    assert s.div_factor > 0 and s.final_div_factor > 0
    assert s.lrs(0.1, 5).shape == (5,)


SEQ = st.one_of(st.lists(st.one_of(st.floats(), st.integers()), max_size=6), st.lists(ANY, max_size=4), ANY)


@SETTINGS
@given(x=SEQ, y=SEQ, loss=st.one_of(st.sampled_from(LOSSES), ANY), huber_delta=ANY, start=SEQ)
def test_linear_problem_is_valid_or_value_error(x, y, loss, huber_delta, start):
    try:
        p = LinearProblem(x=x, y=y, loss=loss, huber_delta=huber_delta, start=start)
    except ValueError:
        return
    assert len(p.x) == len(p.y) >= 2 and len(set(p.x)) >= 2
    assert all(isinstance(v, float) and math.isfinite(v) for v in p.x + p.y + p.start)
    assert len(p.start) == 2
    assert p.loss in LOSSES
    assert finite(p.huber_delta) and p.huber_delta > 0
    hash(p)
