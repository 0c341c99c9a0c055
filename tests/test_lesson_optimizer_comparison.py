"""The Optimizer comparison lesson (lessons/optimizer-comparison.toml): it loads; every goal task
is met by some real runs and not by others; at every predict task's setup exactly one choice
holds (or the typed answer is a finite number) — all computed with the page's own compute
functions on real PyTorch runs; and a learner can work through it in the page (AppTest),
with the answer not sent before the prediction."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

import dlcore
from dlcore.catalogue import CATALOGUE
from dlcore.sweep import log_grid
from tests.apptest_helpers import open_page
from ui.compute import optimizer_comparison as compute
from ui.lesson_panel import builtin_lessons
from ui.text.optimizer_comparison import RaceFacts, lesson_values

FILE = "optimizer-comparison.toml"


@pytest.fixture(scope="module")
def lesson():
    report = builtin_lessons()
    assert not [e for e in report.errors if FILE in e], report.errors
    (loaded,) = [x for x in report.for_page("optimizer-comparison") if x.source == FILE]
    assert 5 <= len(loaded.tasks) <= 7
    return {t.task.id: t for t in loaded.tasks}


def race_values(problem: str, rates: dict, steps=500, clip=0.0, fair=False, momentum=0.9) -> dict:
    """lesson_values of a race as the page computes it (ui.compute.optimizer_comparison)."""
    setup = CATALOGUE[problem].setup()
    specs = {lab: dlcore.preset(lab, lr=lr, **({"momentum": momentum} if lab == "Momentum" else {}))
             for lab, lr in rates.items()}
    config = dlcore.TrainConfig(steps=steps, dtype=setup.dtype, clip_norm=clip or None, tol=1e-2,
                                record_params=setup.two_d)
    tuning = None
    if fair:
        tuning = compute.fair_tuning(setup.problem, tuple(specs.values()), tuple(log_grid(1e-5, 10.0, 13)), config, 1)
        specs = {lab: specs[lab].with_lr(lr) for lab, lr in zip(tuning.best["label"], tuning.best["lr"])}
    runs = tuple(dlcore.RunSpec(spec, seed=1, label=lab) for lab, spec in specs.items())
    race = compute.race(setup, runs, config)
    facts = RaceFacts(race.table, race.labels, problem, True, race.result.optimum, momentum, tuning)
    return lesson_values("race", race=facts)


def restart_values(surface: str, label: str, lr: float, n=150) -> dict:
    out = compute.restarts(surface, dlcore.preset(label, lr=lr), n, "random", 0, 300, False)
    return lesson_values("restarts", restarts=out.summary, surface=surface)


def one_choice_holds(task, values) -> str:
    holding = [task.task.choices[i].label for i, c in enumerate(task.choices) if c.holds(values)]
    assert len(holding) == 1, (task.task.id, holding, values)
    return holding[0]


def test_goal_momentum_beats_adam_is_reachable_and_not_true_at_its_setup(lesson):
    goal = lesson["momentum-beats-adam"].goal
    assert not goal.holds(race_values("rosenbrock", {"Momentum": 1e-4, "Adam": 1.0}))       # the setup
    assert goal.holds(race_values("rosenbrock", {"Momentum": 5e-4, "Adam": 1.0}))


def test_goal_uneven_wells_is_reachable_and_not_true_at_its_setup(lesson):
    goal = lesson["uneven-wells"].goal
    assert not goal.holds(restart_values("wells", "SGD", 0.01))                                # the setup
    assert goal.holds(restart_values("wells", "Adam", 0.3))


def test_predict_tasks_have_exactly_one_right_answer_at_their_setup(lesson):
    first = one_choice_holds(lesson["rosenbrock-winner"], race_values(
        "rosenbrock", {"SGD": 1e-3, "Momentum": 5e-4, "Adam": 0.3, "RMSprop": 0.05}))
    assert first == "Momentum"            # as tests/test_comparison.py finds with plain torch.optim (step 130)
    one_choice_holds(lesson["fair-race"], race_values("rosenbrock", {"Momentum": 1e-3, "Adam": 0.3}, fair=True))
    one_choice_holds(lesson["beale-too-much-momentum"], race_values(
        "beale", {"SGD": 0.01, "Momentum": 0.002}, clip=1.0, momentum=0.99))
    problem = dlcore.PurchaseProblem(model="logistic")
    rows = compute.batch_comparison(problem, dlcore.preset("SGD", lr=0.1), 0, 300, 32).rows
    one_choice_holds(lesson["noisiest"], lesson_values("batch", batch_rows=rows))
    reached = restart_values("himmelblau", "SGD", 0.01)["minima_reached"]
    assert math.isfinite(reached) and 1 <= reached <= 4


def test_a_learner_works_through_the_first_task_in_the_page():
    at = open_page("optimizer_comparison.py", timeout=240)
    next(b for b in at.button if b.label == "Start the lesson").click().run()
    assert not at.exception
    next(b for b in at.button if b.label == "Set up the experiment").click().run()
    assert at.selectbox(key="opt.problem").value == "rosenbrock"
    sent = "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto"))
    # before the prediction nothing that answers it is sent: no verdict, no results, no race charts
    assert "converged first" not in sent and "At step" not in sent and "steps to converge" not in sent
    assert "Make your prediction in the lesson panel" in sent
    next(b for b in at.button if b.label.startswith("Show a hint")).click().run()
    assert any("flat" in i.value for i in at.info)
    at.radio[0].set_value("Adam")                                   # wrong: Momentum converges first
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert not at.exception
    reveal = " ".join(w.value for w in at.warning)
    assert "Not quite." in reveal and "**Momentum**" in reveal and "at step 130" in reveal
    assert any("**Momentum** converged first, at step **130**" in m.value for m in at.markdown)
    assert at.query_params["lesson"] in ("optimizer-race", ["optimizer-race"])


def test_the_lesson_file_is_the_one_in_the_repository():
    assert (Path(__file__).resolve().parents[1] / "lessons" / FILE).is_file()
