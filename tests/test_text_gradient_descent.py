"""ui.text.gradient_descent on real runs of the engine; reference numbers from the
article's float32 loop written out here and from numpy."""
import dataclasses
import re

import numpy as np
import pytest
import torch

import dlcore
from dlcore import LINE_FIT
from dlcore.inspect_step import article_fact_check, line_step, step_regime, summarize_run
from ui.text import gradient_descent as text

X = np.arange(1.0, 5.0)
PHI = np.stack([X, np.ones(4)], axis=1)
LAM = np.linalg.eigvalsh(2 / 4 * PHI.T @ PHI)


def article_w(epochs, lr):
    x, y = torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([2.0, 4.0, 6.0, 8.0])
    w, b = torch.tensor([0.0], requires_grad=True), torch.tensor([0.0], requires_grad=True)
    ws = [w.item()]
    for _ in range(epochs):
        torch.mean((w * x + b - y) ** 2).backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        ws.append(w.item())
    return np.array(ws), b.item()


def summary(lr, epochs):
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr))
    res = dlcore.train(LINE_FIT, (run,), dlcore.TrainConfig(steps=epochs, dtype="float32", record_params=True))
    s = summarize_run(res, 2.0, 1e-3)
    return s, step_regime(lr, LAM[-1], LAM[0], diverged=s.diverged)


def test_metrics_of_the_article_run():
    ws, b = article_w(100, 0.01)
    s, _ = summary(0.01, 100)
    m = {x.label: x for x in text.run_metrics(s)}
    assert m["w after 100 epochs"].value == f"{ws[100]:.4g}" == "1.846"
    assert f"Exactly {ws[100]:.8g}." in m["w after 100 epochs"].help
    assert m["b after 100 epochs"].value == f"{b:.4g}" and f"Exactly {b:.8g}." in m["b after 100 epochs"].help


def test_settled_metric_at_0115_is_not_yet():
    ws, _ = article_w(100, 0.115)
    s, _ = summary(0.115, 100)
    m = {x.label: x for x in text.run_metrics(s)}
    settled = m["epochs until w stays in 2 ± 0.001"]
    assert abs(ws[100] - 2) > 1e-3 and settled.value == "> 100"
    assert f"epoch {int(np.argmax(np.abs(ws - 2) < 1e-3))} but left it again" in settled.help


@pytest.mark.parametrize("lr,kind,words", [
    (0.01, "info", "rolls smoothly downhill"),
    (0.1, "warning", "zig-zags"),
    (0.12, "error", "keeps growing"),
    (0.2, "error", "The loss blew up at **epoch"),
])
def test_regime_message_names_what_the_rate_does(lr, kind, words):
    s, r = summary(lr, 100)
    msg = text.regime_message(r, s)
    assert msg.kind == kind and words in msg.text
    if kind == "error":
        assert f"2/λmax = {2 / LAM[-1]:.4f}" in msg.text


def test_update_verdict_agrees_with_the_next_recorded_epoch():
    ws, _ = article_w(2, 0.01)
    step = line_step(LINE_FIT, 0.0, 0.0, 0.01)
    v = text.update_verdict(step, 0, ws[1], 0.1, agrees=True, diverged_at=-1)
    assert v.kind == "success" and f"w = {str(np.float32(ws[1]))}" in v.text
    assert text.update_verdict(step, 0, ws[1] + 1, 0.1, agrees=False, diverged_at=-1).kind == "warning"
    assert text.update_verdict(step, 0, np.inf, 0.1, agrees=False, diverged_at=3).kind == "error"


def test_tables_of_one_epoch():
    step = line_step(dataclasses.replace(LINE_FIT, start=(0.5, 0.25)), 0.5, 0.25, 0.01)
    fwd = text.forward_table(step)
    r = 0.5 * X + 0.25 - 2 * X
    np.testing.assert_allclose(fwd["ŷ − y"], r, rtol=1e-6)
    np.testing.assert_allclose(fwd["(ŷ − y)²"], r ** 2, rtol=1e-6)
    grads = text.gradient_table(step)
    np.testing.assert_allclose(grads["finite diff."], [np.mean(2 * r * X), np.mean(2 * r)], rtol=1e-9)


def test_fact_check_text_uses_the_stay_definition():
    ws, _ = article_w(2000, 0.01)
    inside = np.abs(ws - 2) < 1e-3
    stay = next(t for t in range(len(ws)) if inside[t:].all())
    found, why = text.fact_check_text(article_fact_check(LINE_FIT))
    assert f"after **{stay} epochs** and stays there from then on" in found
    assert f"λmax = {LAM[-1]:.2f}" in why and f"the run measures {stay}" in why


# ---- own data: what standardising x changes (issue 17); references from numpy ----------------------
def _eigs(x):
    phi = np.stack([x, np.ones_like(x)], axis=1)
    lo, hi = np.linalg.eigvalsh(2 / len(x) * phi.T @ phi)
    return dataclasses.make_dataclass("Bowl", ["lambda_max", "lambda_min"])(hi, lo)


def _epochs_by_simulation(bowl, shrink=1e-3):
    """Run gradient descent at 2/(λmax + λmin) on the worst-case error (its slow and fast
    components equal) and count the epochs until it is ``shrink`` times smaller."""
    lr = 2 / (bowl.lambda_max + bowl.lambda_min)
    e = np.array([1.0, 1.0])
    lam = np.array([bowl.lambda_max, bowl.lambda_min])
    t = 0
    while np.abs(e).max() > shrink:
        e *= 1 - lr * lam
        t += 1
    return t


def test_steps_needed_counts_the_epochs_gradient_descent_takes():
    for x in (np.arange(1.0, 5.0), np.array([10.0, 20, 30, 40]), np.linspace(-3, 50, 17)):
        bowl = _eigs(x)
        assert abs(text.steps_needed(bowl.lambda_max, bowl.lambda_min) - _epochs_by_simulation(bowl)) <= 1
    assert text.steps_needed(2.0, 2.0) == 1                       # a round bowl: one step at η = 1/λ
    huge = text.steps_needed(1e40, 1.0)                           # ρ rounds to 1 in float64: still a count
    assert huge == pytest.approx(np.log(1e3) * 1e40 / 2, rel=1e-6)


def test_standardise_text_says_what_changes_with_the_numbers():
    x = np.array([10.0, 20, 30, 40])
    raw = _eigs(x)
    std = _eigs((x - x.mean()) / x.std())
    off = text.standardise_text(raw, std, False, x.mean(), x.std())
    on = text.standardise_text(raw, std, True, x.mean(), x.std())
    assert off.startswith("**Standardise x** replaces x") and on.startswith("**Standardising x is on:**")
    for s in (off, on):
        assert "mean = 25 and std = 11.1803" in s
        assert f"goes from **{2 / raw.lambda_max:.4g}** to **1**" in s       # 2/λmax: 0.001332 → 1 (λ = 2)
        assert f"κ = λmax/λmin goes from {raw.lambda_max / raw.lambda_min:.4g} to 1" in s
        n_raw = _epochs_by_simulation(raw)
        shown_raw = int(re.search(r"about \*\*([\d,]+) epochs\*\* with raw x", s).group(1).replace(",", ""))
        assert abs(shown_raw - n_raw) <= 1
        assert "and **1** with standardised x" in s
    assert "w′ = w·std" in on and "The best line stays the same" in off


def test_overflow_is_not_blamed_on_the_learning_rate():
    bowl = _eigs(np.array([1e18, 2e18, 3e18]))
    r = step_regime(0.4 * 2 / bowl.lambda_max, bowl.lambda_max, bowl.lambda_min, diverged=True)
    s = dataclasses.make_dataclass("S", ["diverged_at", "target_w"])(0, 30.0)
    msg = text.regime_message(r, s)
    assert msg.kind == "error" and "overflowed float32" in msg.text and "below the stability limit" in msg.text


def test_a_round_bowl_has_no_slow_valley_floor():
    x = np.array([1.5, 2.0, 3.5, 5.0, 6.5])
    bowl = _eigs((x - x.mean()) / x.std())                      # standardised: λmax = λmin = 2
    r = step_regime(0.4, bowl.lambda_max, bowl.lambda_min)
    s = dataclasses.make_dataclass("S", ["target_w"])(10.76)
    msg = text.regime_message(r, s)
    assert "nearly round" in msg.text and "slow direction" not in msg.text
    assert f"×{abs(1 - 0.4 * 2):.3f}" in msg.text
