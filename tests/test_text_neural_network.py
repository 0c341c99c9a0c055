"""ui.text.neural_network: the Neural network page's sentences, on real runs (plain
torch.nn / torch.optim loops written here), plus the views they read from ui.compute."""
import math

import numpy as np
import torch
import torch.nn as nn

import dlcore
from dlcore.network_view import network_view
from dlcore.sparse import count_zeros, one_step
from ui.text import neural_network as text

torch.set_num_threads(1)
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]


def article_model(seed, epochs=100, lr=0.01):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = nn.MSELoss()(model(torch.tensor(X3)), torch.tensor([[6.0], [9.0], [12.0]]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def theta_of(model) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().double().numpy()


def test_try_problem_names_one_problem_each():
    assert text.try_problem([1.0, 2.0, 3.0]) is None
    assert text.try_problem([1.0, "two", 3.0]) == "`two` is not a number."
    assert text.try_problem([1.0, 2.0]) == "That is 2 numbers; the network takes exactly three."
    assert text.try_problem([1.0]) == "That is 1 number; the network takes exactly three."
    assert "between" in text.try_problem([1e9, 0.0, 0.0]) and "between" in text.try_problem([math.nan, 1.0, 2.0])
    assert text.try_warning("x.", [10.0, 20.0, 30.0]) == "x. Showing 10, 20, 30 instead."
    assert text.off_by(15.5, 15.0) == "+0.5 off" and text.off_by(math.nan, 1.0) is None


def test_forward_pass_lines_are_torchs_numbers_for_seed_601():
    model = article_model(601, epochs=40)
    x = [2.0, 3.0, 4.0]
    with torch.no_grad():
        z = model[0](torch.tensor([x]))[0].double().numpy()
        y = model(torch.tensor([x])).item()
    view = network_view(theta_of(model), (3, 4, 1), "relu", x)
    fp = text.forward_pass(view, x, "relu", (3, 4, 1))
    for j in range(4):
        assert f"z_{{{j + 1}}}" in fp.first_layer
        assert text.tex_num(z[j], False) in fp.first_layer
    assert fp.output.startswith("y = ") and fp.output.endswith(text.tex_num(y, False))
    assert text.tex_num(-0.5) == "(-0.5)" and text.tex_num(-0.5, False) == "-0.5" and text.tex_num(1e-5) == "1.00e-5"
    wide = network_view(np.zeros(3 * 9 + 9 + 9 + 1), (3, 9, 1), "relu", x)
    assert text.forward_pass(wide, x, "relu", (3, 9, 1)).first_layer is None


def test_dead_seed_sentence_quotes_the_closed_form_that_torch_reaches():
    from ui.compute.neural_network import DeadExample
    model = article_model(0)
    with torch.no_grad():
        out = model(torch.tensor(X3)).numpy().ravel()
    assert out[0] == out[1] == out[2]                      # seed 0 is dead at the article's settings
    # its output bias after epoch 1 (when it died), from torch, then the closed form b = 9 + (b0 − 9)(1 − 2·lr)^99
    b0 = theta_of(article_model(0, epochs=1))[-1]
    pred = 9 + (b0 - 9) * (1 - 2 * 0.01) ** 99
    ex = DeadExample(0, True, 1, " · ".join(f"{v:.4f}" for v in out), b0, pred, float(out[0]), 99)
    msg = text.dead_example_message(ex, 0.01)
    assert msg.startswith("**Seed 0** (yours) is dead from epoch 1: outputs ")
    assert f"**{pred:.4f}**" in msg and f"the network's output is {out[0]:.4f}" in msg
    assert abs(pred - out[0]) < 1e-4
    plain = text.dead_example_message(DeadExample(7, False, None, "9 · 9 · 9", None, None, 9.0, None), 0.01)
    assert plain == "**Seed 7** is dead: outputs 9 · 9 · 9."


def test_l1_verdict_counts_the_weights_of_a_torch_logistic_regression():
    problem = dlcore.PurchaseProblem(model="logistic", noise_features=5)
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
    near = int(((np.abs(w) <= 0.015) & (w != 0)).sum())
    v = text.l1_verdict(count_zeros(w, one_step("sgd", 0.5, 0.03)), 0.03, False, "sgd")
    assert v.kind == "warning" and f"0 of {len(w)} weights are exactly 0" in v.text
    assert f"but {near} are within one step of it (|w| ≤ 0.015)" in v.text and "jitters" in v.text
    v = text.l1_verdict(count_zeros(np.array([0.0, 0.0, 0.3]), 0.01), 0.02, True, "adam")
    assert v.kind == "success" and "2 of 3 weights are exactly 0" in v.text and "heuristic" in v.text
    v = text.l1_verdict(count_zeros(w, 0.0), 0.0, False, "sgd")
    assert v.kind == "caption" and v.text.startswith("λ₁ = 0: 0 weights are exactly 0.")


def test_best_epoch_sentence_says_overfitting_only_when_the_test_loss_turned():
    assert "overfitting" in text.best_epoch_sentence(0.4, 20, 300, 0.3)
    assert "overfitting" not in text.best_epoch_sentence(0.4, 290, 300, 0.3)     # still falling at the end
    assert "overfitting" not in text.best_epoch_sentence(0.4, 20, 300, 0.01)     # no gap
    # A learner's own table uses all its training rows: the cure offered is not "more training records".
    own = text.best_epoch_sentence(0.4, 20, 300, 0.3, own=True)
    assert "overfitting" in own and "more training records" not in own and "fewer features" in own


def test_seeds_heading_and_clip_sentence():
    assert text.seeds_heading((601, 0, 1, 2), True) == "Seeds 0–2 and yours (601): one batched run"
    assert text.seeds_heading((5, 0, 1, 7), False) == "4 seeds: one batched run"
    from ui.compute.neural_network import ClipEffect
    e = ClipEffect(123.4, math.nan, 0.25, 3, None)
    s = text.clip_effect(e, 1.0, 0.05)
    assert "reaches **123**" in s and "loss **diverged**" in s and "From step 3" in s and "lr·1 = 0.05" in s
    assert text.ratio_text(2.5e-5) == "2.5e-05" and text.ratio_text(math.nan) == "—"


def test_the_digit_for_digit_claim_names_the_machine():
    """Issue 12 §1: the log equals the exported script's output digit for digit only on the same machine."""
    assert "digit for digit, when it runs on the same machine" in text.LOG_CAPTION
    assert "another CPU" in text.LOG_CAPTION
