"""The Learning-rate sweep's lesson (lessons/lr-sweep.toml) on real runs: it loads; every
goal can be met and is not met from the start; at every predict task's setup exactly one
choice holds, from the sweep the page computes; and a learner can start it on the page,
set up, take a hint, predict wrongly and see the computed reveal — with the answer absent
from what the server sent before the prediction."""
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import ui.compute.lr_sweep as sweep
from tests.lr_sweep_helpers import first_stay_below, frame, reference_run, run_page
from ui.lesson_panel import builtin_lessons
from ui.lessons import judge, TaskProgress
from ui.text.lr_sweep import LESSON_FIELDS, lesson_values

DEFAULTS = dict(problem="line", opt="SGD", lo=1e-4, hi=1.0, n=100, steps=1000, tol=1e-3, mode="gap", seed=0, batch=0,
                dtype="float32")
RANGE_DEFAULTS = dict(rt_problem="mlp", rt_opt="Adam", rt_start=1e-7, rt_end=10.0, rt_iters=100, rt_batch=32,
                      rt_rule="valley", rt_steps=300)


@pytest.fixture(scope="module")
def lesson():
    report = builtin_lessons()
    assert not [e for e in report.errors if "lr-sweep" in str(e)], report.errors
    found = report.for_page("lr-sweep")
    assert len(found) == 1 and 5 <= len(found[0].tasks) <= 7
    return {t.task.id: t for t in found[0].tasks}


def values(**settings):
    """The lesson fields of the sweep the page computes at these settings (plus the range
    test's check when range-test settings are given)."""
    s = {**DEFAULTS, **{k: v for k, v in settings.items() if not k.startswith("rt_") and k != "tab"}}
    study = sweep.study(sweep.plan_sweep(sweep.SweepRequest(
        s["problem"], s["opt"], s["lo"], s["hi"], s["n"], s["steps"], s["tol"], s["mode"], s["seed"], s["batch"],
        s["dtype"])))
    if not any(k.startswith("rt_") for k in settings):
        return lesson_values(study)
    r = {**RANGE_DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("rt_")}}
    rt = sweep.range_test(sweep.RangeRequest(r["rt_problem"], r["rt_opt"], r["rt_start"], r["rt_end"], r["rt_iters"],
                                             r["rt_batch"], r["rt_steps"], s["seed"], s["dtype"]))
    lr = rt.result.suggestions.get(r["rt_rule"]) or next(iter(rt.result.suggestions.values()))
    v = sweep.verify(rt, lr)
    return lesson_values(study, suggested_lr=lr, check_best=math.nan if v.best is None else v.best)


def test_lesson_values_equal_plain_torch_loops_and_closed_forms(lesson):
    v = values(n=10, steps=1000, dtype="float64")
    assert set(v) == set(LESSON_FIELDS)
    for lr, field in ((0.01, "steps_at_0_01"), (0.1, "steps_at_0_1")):
        losses, diverged, optimum = reference_run("line", "SGD", lr, 1000, torch.float64)
        assert diverged is None and v[field] == first_stay_below(losses, 1e-3, optimum)
    assert math.isinf(v["steps_at_0_001"])                     # not within 1000 steps
    assert v["diverges_at_1"] and v["diverges_at_10"] and math.isinf(v["steps_at_1"])
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    lmax = np.linalg.eigvalsh(2 / 4 * phi.T @ phi).max()
    assert v["limit"] == pytest.approx(2 / lmax, rel=1e-12)
    grid = np.logspace(-4, 0, 10)
    assert v["first_diverging"] == pytest.approx(grid[grid > 2 / lmax].min())
    assert v["last_stable"] == pytest.approx(grid[grid < 2 / lmax].max())
    assert math.isnan(v["check_best"]) and math.isnan(v["suggested_lr"])   # the range test did not run


@pytest.mark.parametrize("task", ["steps-at-0-01", "where-divergence-starts", "momentum-plateau", "range-test-check"])
def test_every_prediction_has_exactly_one_right_choice_at_its_setup(lesson, task):
    checked = lesson[task]
    v = values(**dict(checked.task.setup))
    holding = [c.label for c, cond in zip(checked.task.choices, checked.choices) if cond.holds(v)]
    assert len(holding) == 1, (task, holding)
    assert judge(checked, v, TaskProgress("answered", choice=0)).problem == ""


GOALS = {
    "sharp-edge": (dict(lo=0.1, hi=0.2, n=100), dict()),
    "make-1-converge": (dict(opt="Adam"), dict()),
}


@pytest.mark.parametrize("task", list(GOALS))
def test_every_goal_can_be_met_and_is_not_met_at_the_start(lesson, task):
    checked = lesson[task]
    meets, start = GOALS[task]
    setup = {k: v for k, v in checked.task.setup.items() if k != "tab"}
    assert not list(checked.goal.unmet(values(**{**setup, **meets}))), task
    assert list(checked.goal.unmet(values(**{**setup, **start}))), task


def everything_sent(at) -> str:
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto"))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_learner_starts_the_lesson_predicts_wrongly_and_sees_the_reveal():
    at = run_page()
    button(at, "Start the lesson").click().run()
    button(at, "Set up the experiment").click().run()
    assert not at.exception
    truth = values(**{k: v for k, v in DEFAULTS.items()})["steps_at_0_01"]
    assert math.isfinite(truth) and truth > 375                      # the third choice is right
    sent = everything_sent(at)
    assert f"{truth:.0f} steps" not in sent and f"{truth:.0f}" not in sent
    assert not at.metric and not at.get("vega_lite_chart")           # no sweep result drawn yet
    button(at, "Show a hint (1 of 2)").click().run()
    assert "λmin ≈ 0.3" in "\n".join(i.value for i in at.info)
    radio = next(r for r in at.radio if r.label == "Your prediction")
    radio.set_value("About 300 (240 to 375), as the article says")
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "Not quite." in warning and "More than 375" in warning and f"{truth:.0f} steps" in warning
    cmp = frame(at, "the article says")                                    # the table is drawn now
    assert cmp.set_index("learning rate").loc[0.01, "measured here"] == f"{truth:.0f} steps"
    assert at.metric                                                  # and the headline numbers
