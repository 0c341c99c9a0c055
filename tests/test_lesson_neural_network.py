"""The Neural network lesson (lessons/neural-network.toml): it loads, every goal can be met and missed
by real runs, every prediction has exactly one right answer at its setup (checked against article 001's
script written here with torch.nn), and a learner can work through a task on the page without the
answer being sent before the prediction."""
import math

import pytest
import torch
import torch.nn as nn

from dlcore.optimizers import spec_for
from tests.apptest_helpers import run_page
from ui.compute.neural_network import lesson_result, sum_setup
from ui.lesson_panel import builtin_lessons
from ui.lessons import TaskProgress, judge

PAGE = "neural-network"
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]
torch.set_num_threads(1)


def the_lesson():
    report = builtin_lessons()
    assert not [e for e in report.errors if PAGE in str(e)], report.errors
    return next(x for x in report.lessons if x.id == PAGE)


def task(lid):
    return next(t for t in the_lesson().tasks if t.task.id == lid)


def values(seed=601, opt="sgd", lr=0.01, epochs=100, hidden=(4,), try_=(10.0, 20.0, 30.0)):
    spec = spec_for(opt, lr, mom=0.0, b1=0.9, b2=0.999, alpha=0.99, wd=0.0)
    return lesson_result(sum_setup(hidden, "relu", spec, epochs, seed), try_)


def torch_net(seed, opt="sgd", lr=0.01, epochs=100):
    """Article 001's script with torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    o = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt](model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = nn.MSELoss()(model(torch.tensor(X3)), torch.tensor([[6.0], [9.0], [12.0]]))
        o.zero_grad()
        loss.backward()
        o.step()
    return model


def test_the_lesson_loads_with_five_to_seven_tasks_in_order():
    lsn = the_lesson()
    assert 5 <= len(lsn.tasks) <= 7
    assert [t.task.id for t in lsn.tasks] == ["seed-601-learns", "seed-0-learns", "make-it-die", "answer-10-20-30",
                                              "tiny-loss"]


@pytest.mark.parametrize("lid,meets,misses", [
    ("make-it-die", [dict(seed=0), dict(seed=7)], [dict(seed=601), dict(seed=601, lr=1.0)]),
    ("tiny-loss", [dict(opt="adam", lr=0.01, epochs=1000), dict(epochs=2000)], [dict(), dict(seed=0, epochs=2000)]),
])
def test_every_goal_can_be_met_and_missed(lid, meets, misses):
    t = task(lid)
    for kw in meets:
        assert judge(t, values(**kw), TaskProgress()).correct, kw
    for kw in misses:
        assert not judge(t, values(**kw), TaskProgress()).correct, kw


@pytest.mark.parametrize("lid", ["seed-601-learns", "seed-0-learns", "answer-10-20-30"])
def test_every_prediction_has_one_answer_at_its_setup(lid):
    t = task(lid)
    s = t.task.setup
    v = values(seed=s["seed"], opt=s["opt"], lr=s["lr"], epochs=s["epochs"], hidden=tuple(s["hidden"]))
    if t.choices:
        assert sum(c.holds(v) for c in t.choices) == 1
    else:
        assert math.isfinite(float(v[t.task.answer_field]))


def test_the_reveals_are_what_torch_computes():
    m601, m0, adam = torch_net(601), torch_net(0), torch_net(601, "adam", 0.01, 1000)
    with torch.no_grad():
        out601 = m601(torch.tensor(X3)).numpy().ravel()
        out0 = m0(torch.tensor(X3)).numpy().ravel()
        y = m601(torch.tensor([[10.0, 20.0, 30.0]])).item()
        y_adam = adam(torch.tensor([[10.0, 20.0, 30.0]])).item()
    assert len(set(out601)) == 3 and abs(out601 - [6, 9, 12]).max() < 1 and out0[0] == out0[1] == out0[2]
    first = judge(task("seed-601-learns"), values(601), TaskProgress())
    assert first.truth.startswith("Yes")
    second = judge(task("seed-0-learns"), values(0), TaskProgress())
    assert second.truth.startswith("No") and f"{out0[0]:.4f}" in second.explanation
    v = values(601)
    assert v["answer"] == pytest.approx(y, rel=1e-5) and abs(y - 60) > 3      # it does not add far away
    assert values(601, "adam", 0.01, 1000)["answer"] == pytest.approx(y_adam, rel=1e-4) and abs(y_adam - 60) > 1


def everything_sent(at) -> str:
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto"))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_learner_works_through_the_second_task_on_the_page():
    at = run_page("neural_network.py")
    assert not at.exception
    button(at, "Start the lesson").click().run()
    next(b for b in at.button if "Skip" in b.label).click().run()            # on to seed 0
    button(at, "Set up the experiment").click().run()
    assert not at.exception
    assert at.number_input(key="nn.seed").value == 0
    model0 = torch_net(0)
    with torch.no_grad():
        out0 = model0(torch.tensor(X3))[0].item()
    sent = everything_sent(at)
    for text in (f"{out0:.4f}", f"{out0:.4g}", "dead ReLU"):
        assert text not in sent, text                     # no status, log, table or chart before the prediction
    assert not [m for m in at.metric if m.label == "Status"]
    button(at, "Show a hint (1 of 2)").click().run()
    assert any("one seed in seven" in i.value for i in at.info)
    at.radio[0].set_value("Yes: three different answers, each within 1 of the target")      # wrong
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert not at.exception
    assert any("Not quite." in w.value and f"{out0:.4f}" in w.value for w in at.warning)
    assert [m.value for m in at.metric if m.label == "Status"] == ["dead ReLU"]
    assert at.query_params["lesson"] == PAGE
