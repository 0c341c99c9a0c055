"""dlcore.sparse: the proximal L1 step equals a hand-written torch loop, finds scikit-learn's
L1 solution, gives exact zeros where the usual loss term does not, and exports a script
that reproduces it."""
import runpy

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn
from sklearn.linear_model import LogisticRegression

from dlcore import OptimizerSpec, PurchaseProblem, RunSpec, TrainConfig, train
from dlcore.sparse import exact_zeros, proximal_script, soft_threshold, train_proximal

torch.set_num_threads(1)   # tiny tensors: threads only add overhead on a shared machine

PROBLEM = PurchaseProblem(noise_features=5, train_size=200)


def torch_proximal(problem, opt_name, lr, l1, l2, steps, seed, hidden=None, **hyper):
    """Plain loop: nn.Sequential, BCEWithLogitsLoss (+ l2·Σw²), torch.optim step, then
    w ← sign(w)·max(|w| − lr·l1, 0) on the weights."""
    Xtr, ytr, Xte, yte, _, _ = problem.arrays()
    X, y = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr, dtype=torch.float32).unsqueeze(1)
    torch.manual_seed(seed)
    d = X.shape[1]
    sizes = (d, 1) if problem.model == "logistic" else (d, *problem.hidden, 1)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt_name]
    opt = cls(model.parameters(), lr=lr, **hyper)
    crit = nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(steps):
        loss = crit(model(X), y)
        losses.append(loss.item())
        if l2:
            loss = loss + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.endswith("weight"):
                    p.copy_(torch.sign(p) * torch.clamp(p.abs() - lr * l1, min=0))
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), np.array(losses)


@pytest.mark.parametrize("opt, lr, l1, l2, problem", [
    ("sgd", 0.5, 0.03, 0.0, PROBLEM),
    ("sgd", 0.3, 0.01, 0.01, PROBLEM),
    ("adam", 0.05, 0.02, 0.0, PROBLEM),
    ("adam", 0.01, 0.005, 0.001, PurchaseProblem(model="mlp", hidden=(6,), noise_features=2, train_size=100)),
])
def test_equals_a_plain_torch_loop(opt, lr, l1, l2, problem):
    run = RunSpec(OptimizerSpec.make(opt, lr=lr), seed=3, l1=l1, l2=l2)
    res = train_proximal(problem, [run, RunSpec(OptimizerSpec.make("sgd", lr=0.1), seed=1)], TrainConfig(steps=150))
    ref_params, ref_losses = torch_proximal(problem, opt, lr, l1, l2, 150, 3)
    np.testing.assert_allclose(res.final_params[0], ref_params, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(res.loss[:-1, 0], ref_losses, rtol=1e-5, atol=1e-6)
    # the zeros are the same zeros
    mask = problem.build().penalty_mask.numpy().astype(bool)
    np.testing.assert_array_equal(res.final_params[0][mask] == 0, ref_params[mask] == 0)


def test_proximal_sgd_finds_sklearns_l1_logistic_regression():
    """ISTA converges to argmin mean BCE + λ·Σ|w|; scikit-learn minimises C·Σ BCE + Σ|w| (intercept
    not penalised with saga), the same problem for C = 1/(λ·n)."""
    lam = 0.02
    Xtr, ytr, *_ = PROBLEM.arrays()
    res = train_proximal(PROBLEM, [RunSpec(OptimizerSpec.make("sgd", lr=1.0), seed=0, l1=lam)],
                         TrainConfig(steps=4000, dtype="float64", record_params=False))
    sk = LogisticRegression(l1_ratio=1.0, C=1 / (lam * len(ytr)), solver="saga", tol=1e-12, max_iter=200_000)
    sk.fit(Xtr, ytr)
    w, b = res.final_params[0][:-1], res.final_params[0][-1]
    np.testing.assert_allclose(w, sk.coef_[0], atol=2e-4)
    np.testing.assert_allclose(b, sk.intercept_[0], atol=2e-4)
    assert (w == 0).sum() >= 2
    np.testing.assert_array_equal(w == 0, np.abs(sk.coef_[0]) < 1e-6)


def test_the_usual_loss_term_gives_no_exact_zeros_but_the_proximal_step_does():
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=0.5), seed=0, l1=lam) for lam in (0.01, 0.03, 0.1)]
    mask = PROBLEM.build().penalty_mask.numpy()
    plain = train(PROBLEM, runs, TrainConfig(steps=500))
    prox = train_proximal(PROBLEM, runs, TrainConfig(steps=500))
    assert exact_zeros(plain.final_params, mask).tolist() == [0, 0, 0]
    z = exact_zeros(prox.final_params, mask)
    assert z[0] >= 1 and z[-1] >= 6 and list(z) == sorted(z)
    # yet the plain runs' noise weights are small: each step moves them by lr·λ towards 0 and past it,
    # so they hover within about lr·λ = 0.05 of zero
    assert np.abs(plain.final_params[2][3:8]).max() < 1.2 * 0.5 * 0.1


def test_soft_threshold():
    t = soft_threshold(torch.tensor([[0.3, -0.05, 2.0, -1.0], [0.3, -0.05, 2.0, -1.0]]),
                       torch.tensor([0.1, 0.0]), torch.tensor([1.0, 1.0, 0.0, 1.0]))
    np.testing.assert_allclose(t.numpy(), [[0.2, 0.0, 2.0, -0.9], [0.3, -0.05, 2.0, -1.0]], rtol=1e-6)


def test_exported_script_reproduces_the_proximal_run(tmp_path, capsys):
    problem = PurchaseProblem(model="mlp", hidden=(5,), noise_features=2, train_size=120)
    run = RunSpec(OptimizerSpec.make("adam", lr=0.02), seed=4, l1=0.01, l2=0.001)
    cfg = TrainConfig(steps=60)
    src = proximal_script(problem, run, cfg)
    assert "p.copy_(torch.sign(p) * torch.clamp(p.abs() - step_lr * 0.01, min=0))" in src
    assert "0.01 * sum(p.abs()" not in src               # L1 is not also added to the loss
    path = tmp_path / "prox.py"
    path.write_text(src)
    g = runpy.run_path(str(path), run_name="__main__")
    capsys.readouterr()
    res = train_proximal(problem, [run], cfg)
    params = torch.nn.utils.parameters_to_vector(g["model"].parameters()).detach().numpy()
    np.testing.assert_allclose(params, res.final_params[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.array(g["losses"]), res.loss[:-1, 0], rtol=1e-5, atol=1e-6)
    mask = problem.build().penalty_mask.numpy().astype(bool)
    np.testing.assert_array_equal(params[mask] == 0, res.final_params[0][mask] == 0)


def test_proximal_step_with_mini_batches_equals_a_torch_loop():
    """The engine applies the step after every mini-batch update too: compare with a plain
    torch loop (same shuffles) that soft-thresholds the weight after optimizer.step()."""
    problem = PurchaseProblem(noise_features=3, train_size=100)
    lam, lr, bs, steps, seed = 0.1, 0.2, 16, 60, 3
    res = train_proximal(problem, [RunSpec(OptimizerSpec.make("sgd", lr=lr), seed=seed, l1=lam)],
                         TrainConfig(steps=steps, batch_size=bs, dtype="float64"))
    Xtr, ytr, *_ = problem.arrays()
    X = torch.tensor(Xtr, dtype=torch.float64)
    Y = torch.tensor(ytr, dtype=torch.float64).unsqueeze(1)
    torch.manual_seed(seed)
    model = torch.nn.Linear(X.shape[1], 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    done = 0
    while done < steps:
        perm = torch.randperm(len(X), generator=order)
        for k in range(0, len(X), bs):
            if done == steps:
                break
            idx = perm[k:k + bs]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                w = model.weight
                w.copy_(torch.sign(w) * torch.clamp(w.abs() - lr * lam, min=0))
            done += 1
    ref = torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy()
    np.testing.assert_allclose(res.final_params[0], ref, rtol=1e-9, atol=1e-12)
    assert (ref[:-1] == 0).sum() >= 1 and ((res.final_params[0][:-1] == 0) == (ref[:-1] == 0)).all()


def test_one_step_threshold_and_zero_counts_on_a_torch_loop():
    """The "within one step of 0" count: L1 in the loss with SGD moves a weight by lr·λ per
    step, so the weights it drives to 0 hover within lr·λ of it; the proximal step lands them."""
    from dlcore.sparse import count_zeros, one_step
    assert one_step("sgd", 0.5, 0.03) == 0.5 * 0.03 and one_step("adam", 0.01, 0.3) == 0.01
    problem = PurchaseProblem(model="logistic", noise_features=5)
    Xtr, ytr, _, _, _, _ = problem.arrays()
    X, y = torch.tensor(Xtr), torch.tensor(ytr).unsqueeze(1)
    torch.manual_seed(0)
    model = nn.Linear(X.shape[1], 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(300):
        loss = nn.BCEWithLogitsLoss()(model(X), y) + 0.03 * model.weight.abs().sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    w = model.weight.detach().numpy().ravel()
    got = count_zeros(w, one_step("sgd", 0.5, 0.03))
    assert got.total == 8 and got.exact == int((w == 0).sum())
    assert got.near == int(((np.abs(w) <= 0.015) & (w != 0)).sum()) and got.near >= 1
    prox, _ = torch_proximal(problem, "sgd", 0.5, 0.03, 0.0, 300, 0)
    landed = count_zeros(prox[:-1], 0.015)
    assert landed.exact >= got.near and got.exact == 0


# --- the data the Neural network page shows L1 on (issue 14 #7) -------------------------------

def test_purchase_data_is_learnable_and_its_bayes_accuracy_bounds_models():
    """The generated shoppers: a model clearly beats always answering "no", and nothing beats the
    Bayes accuracy (answering with the true probability), estimated here from realised labels."""
    import warnings
    from sklearn.metrics import accuracy_score
    from sklearn.neural_network import MLPClassifier
    from dlcore.problems.purchase import bayes_accuracy, purchase_data
    bayes = bayes_accuracy()
    big = purchase_data(seed=7, n=100_000, with_probability=True)
    realised = ((big["p_buy"] >= 0.5).astype(int) == big["purchased"]).mean()     # the Bayes rule on real labels
    assert abs(realised - bayes) < 0.01 and 0.85 < bayes < 0.93
    Xtr, ytr, Xte, yte, _, _ = PurchaseProblem().arrays()
    majority = max(yte.mean(), 1 - yte.mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in (LogisticRegression(), MLPClassifier(hidden_layer_sizes=(16,), alpha=1e-3, max_iter=2000,
                                                          random_state=0)):
            acc = accuracy_score(yte, model.fit(Xtr, ytr).predict(Xte))
            assert majority + 0.08 < acc < bayes + 0.04, (model, acc, majority, bayes)


def test_l1_path_drops_the_noise_features_first_as_sklearn_does():
    """feature_weights / first_zero on proximal-SGD runs along the page's λ₁ sweep equal the zero
    pattern of scikit-learn's L1 logistic regression at the same λ (C = 1/(λ·n)), and the first
    features to reach 0 are the noise columns."""
    import warnings
    from dlcore.sparse import feature_weights, first_zero
    problem = PurchaseProblem(model="logistic", noise_features=3, train_size=200)
    lams = (0.001, 0.003, 0.01, 0.03, 0.1)
    res = train_proximal(problem, [RunSpec(OptimizerSpec.make("sgd", lr=1.0), seed=0, l1=v) for v in lams],
                         TrainConfig(steps=4000, dtype="float64", record_params=False))
    Xtr, ytr, *_ = problem.arrays()
    path, ref = [], []
    for i, lam in enumerate(lams):
        path.append(feature_weights(res.final_params[i], problem.sizes, problem.features).assign(lam=lam))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = LogisticRegression(l1_ratio=1.0, C=1 / (lam * len(ytr)), solver="saga", tol=1e-10,
                                    max_iter=100_000).fit(Xtr, ytr)
        ref.append(pd.DataFrame({"feature": problem.features, "is_zero": np.abs(sk.coef_[0]) < 1e-6, "lam": lam}))
        np.testing.assert_allclose(path[-1]["weight"], sk.coef_[0], atol=1e-3)
    path, ref = pd.concat(path), pd.concat(ref)
    np.testing.assert_array_equal(path["is_zero"].to_numpy(), ref["is_zero"].to_numpy())
    order = first_zero(path)
    assert order == first_zero(ref)
    dropped = sorted((lam, f) for f, lam in order.items() if lam is not None)
    first = [f for lam, f in dropped if lam == dropped[0][0]]
    assert first and all(f.startswith("noise") for f in first), order
    assert order["income"] is None                          # the strongest feature survives the sweep
