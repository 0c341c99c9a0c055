"""The Gradient descent lesson (lessons/gradient-descent.toml): it loads, every goal can be met and
missed by real runs, every prediction has exactly one right answer at its setup, and a learner can
work through it on the page without the answer being sent before the prediction."""
import math

import numpy as np
import pytest
import torch

from tests.apptest_helpers import run_page
from ui.compute.gradient_descent import lesson
from ui.lesson_panel import builtin_lessons
from ui.lessons import TaskProgress, judge
from ui.text.gradient_descent import lesson_values

PAGE = "gradient-descent"


def the_lesson():
    report = builtin_lessons()
    assert not [e for e in report.errors if "gradient-descent" in str(e)], report.errors
    return next(x for x in report.lessons if x.id == PAGE)


def values(lr, epochs=100, w0=0.0, b0=0.0):
    run = lesson(lr, epochs, w0, b0)
    return lesson_values(run.summary, run.regime)


def task(lid):
    return next(t for t in the_lesson().tasks if t.task.id == lid)


def article_w(epochs, lr):
    """The article's float32 loop, independent of the lab: w after each epoch."""
    x, y = torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([2.0, 4.0, 6.0, 8.0])
    w, b = torch.tensor([0.0], requires_grad=True), torch.tensor([0.0], requires_grad=True)
    ws = [0.0]
    for _ in range(epochs):
        torch.mean((w * x + b - y) ** 2).backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        ws.append(w.item())
    return np.array(ws)


def test_the_lesson_loads_with_five_to_seven_tasks_in_order():
    lsn = the_lesson()
    assert 5 <= len(lsn.tasks) <= 7
    assert [t.task.id for t in lsn.tasks] == ["w-after-100", "epochs-to-settle", "zigzag-at-0-115",
                                              "zigzag-and-converge", "largest-stable-rate"]


@pytest.mark.parametrize("lid,meets,misses", [
    ("zigzag-and-converge", [dict(lr=0.1, epochs=1000), dict(lr=0.07, epochs=500)],
     [dict(lr=0.1, epochs=100), dict(lr=0.01, epochs=2000), dict(lr=0.2, epochs=100)]),
    ("largest-stable-rate", [dict(lr=0.115), dict(lr=0.11)], [dict(lr=0.12), dict(lr=0.01), dict(lr=0.5)]),
])
def test_every_goal_can_be_met_and_missed(lid, meets, misses):
    t = task(lid)
    for kw in meets:
        assert judge(t, values(**kw), TaskProgress()).correct, kw
    for kw in misses:
        assert not judge(t, values(**kw), TaskProgress()).correct, kw


@pytest.mark.parametrize("lid", ["w-after-100", "epochs-to-settle", "zigzag-at-0-115"])
def test_every_prediction_has_one_answer_at_its_setup(lid):
    t = task(lid)
    v = values(**{k: t.task.setup[k] for k in ("lr", "epochs", "w0", "b0")})
    if t.choices:
        assert sum(c.holds(v) for c in t.choices) == 1
    else:
        assert math.isfinite(float(v[t.task.answer_field]))


def test_the_reveals_match_the_articles_loop():
    ws = article_w(2000, 0.01)
    inside = np.abs(ws - 2) < 1e-3
    stay = next(i for i in range(len(ws)) if inside[i:].all())
    v = values(0.01, 2000)
    assert v["settled_epoch"] == stay and v["w_final"] == pytest.approx(ws[2000], rel=1e-6)
    first = judge(task("w-after-100"), values(0.01, 100), TaskProgress())
    assert first.truth == "Clearly below 2 (between 1.5 and 1.999)" and f"{ws[100]:.4f}" in first.explanation
    ws115 = article_w(100, 0.115)
    third = judge(task("zigzag-at-0-115"), values(0.115, 100), TaskProgress())
    assert abs(ws115[100] - 2) > 1e-3 and third.truth.startswith("No")


def everything_sent(at) -> str:
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto"))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_learner_works_through_the_first_task_on_the_page():
    at = run_page("gradient_descent.py")
    assert not at.exception
    button(at, "Start the lesson").click().run()
    button(at, "Set up the experiment").click().run()
    assert not at.exception
    truth = article_w(100, 0.01)[100]
    sent = everything_sent(at)
    # Before the prediction, w after 100 epochs is not sent at all (no metric, chart data, table or fact check).
    for text in (f"{truth:.4f}", f"{truth:.4g}", f"{truth:.8g}", repr(float(truth))):
        assert text not in sent, text
    assert not at.metric                                   # no w, b, loss or "epochs until" metric yet
    assert not any("rolls smoothly" in i.value for i in at.info)   # nor the verdict that w crawls towards 2
    button(at, "Show a hint (1 of 2)").click().run()
    assert any("crawls" in i.value for i in at.info)
    at.radio[0].set_value("2.0, as the article prints")            # wrong
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert not at.exception
    assert any("Not quite." in w.value and f"{truth:.4f}" in w.value for w in at.warning)
    assert [m.value for m in at.metric if m.label == "w after 100 epochs"] == [f"{truth:.4g}"]
    assert at.query_params["lesson"] == PAGE
