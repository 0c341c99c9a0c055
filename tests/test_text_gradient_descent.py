"""ui.text.gradient_descent on real runs of the engine; reference numbers from the
article's float32 loop written out here and from numpy."""
import dataclasses

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
