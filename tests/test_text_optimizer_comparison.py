"""ui.text.optimizer_comparison on real runs: the race's verdict and results table, the fair
race's tables, the step caption, article 002's claims table and the restart counts — each
checked against plain torch.optim runs (tests/optim_reference.py) or hand counts."""
import math

import numpy as np
import pandas as pd
import pytest

import dlcore
from dlcore.comparison import basins, fair_race, race_table, restart_summary, start_points
from tests.optim_reference import STARTS, SURFACES, first_stay_within, surface_run
from ui.text import optimizer_comparison as text

ROSENBROCK_RATES = {"SGD": 1e-3, "Momentum": 5e-4, "Adam": 0.3, "RMSprop": 0.05}


def train_race(surface, rates, steps, **config):
    problem = dlcore.SurfaceProblem(surface)
    runs = tuple(dlcore.RunSpec(dlcore.preset(lab, lr=lr), label=lab) for lab, lr in rates.items())
    res = dlcore.train(problem, runs, dlcore.TrainConfig(steps=steps, dtype="float64", **config))
    return problem, res, race_table(res, problem)


def test_race_verdict_names_who_converged_first_like_torch_optim():
    problem, res, rt = train_race("rosenbrock", ROSENBROCK_RATES, 500, tol=1e-2)
    steps = {lab: first_stay_within(surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], lab, dict(lr=lr),
                                                500)["losses"], 1e-2) for lab, lr in ROSENBROCK_RATES.items()}
    first = min((k, lab) for lab, k in steps.items() if k is not None)
    verdict = text.race_verdict(rt, list(ROSENBROCK_RATES), True, res.optimum)
    assert f"**{first[1]}** converged first, at step **{first[0]}**" in verdict
    assert first == (130, "Momentum")                      # the number the issue quotes
    assert "diverged" not in verdict


def test_results_table_says_diverged_in_words_and_steps_from_torch():
    rates = {"SGD": 0.01, "Adam": 0.3}
    problem, res, rt = train_race("rosenbrock", rates, 100, tol=1e-2)
    t = text.results_table(rt, list(rates), list(rates.values()), ["λ=0", "β₁=0.9"], ((1.0, 1.0),),
                           res.param_names, 100, True, True)
    ref = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], "SGD", dict(lr=0.01), 100)
    row = t.frame.set_index("optimizer").loc["SGD"]
    assert t.steps_column == "steps to converge"
    assert row["diverged at"] == f"step {ref['diverged_at']}" and row["steps to converge"] == "—"
    assert math.isinf(row["final loss"]) and math.isinf(row["distance to minimum"])
    adam = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], "Adam", dict(lr=0.3), 100)
    arow = t.frame.set_index("optimizer").loc["Adam"]
    assert arow["final loss"] == pytest.approx(adam["losses"][-1], rel=1e-9, abs=1e-12)
    k = first_stay_within(adam["losses"], 1e-2)
    assert arow["steps to converge"] == ("not in 100" if k is None else str(k))
    assert "diverged: **SGD**" in text.race_verdict(rt, list(rates), True, res.optimum)


def test_saddle_has_no_steps_column_and_says_why():
    problem, res, rt = train_race("saddle", {"SGD": 0.01}, 50)
    t = text.results_table(rt, ["SGD"], [0.01], [""], (), res.param_names, 50, res.optimum is not None, False)
    assert "steps to settle" not in t.frame.columns and "steps to converge" not in t.frame.columns
    assert "falls forever" in text.rule_caption(1e-2, res.optimum, False, False)


def test_step_caption_shows_each_loss_at_that_step():
    problem, res, rt = train_race("rosenbrock", {"SGD": 1e-3, "Adam": 0.3}, 80)
    cap = text.step_caption(res.history(), 40, False)
    for lab, lr in (("SGD", 1e-3), ("Adam", 0.3)):
        v = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], lab, dict(lr=lr), 80)["losses"][40]
        assert f"**{lab}** loss " in cap and f"{v:.4g}".rstrip("0").rstrip(".") in cap
    assert cap.startswith("At step 40:") and text.step_caption(res.history(), 40, True).endswith("below zero.")


@pytest.fixture(scope="module")
def bowl_fair():
    problem = dlcore.SurfaceProblem("bowl")
    specs = [dlcore.preset("SGD"), dlcore.preset("Momentum")]
    return fair_race(problem, specs, [1e-3, 1e-2, 1e-1, 1.0], dlcore.TrainConfig(steps=200, dtype="float64",
                                                                                    tol=1e-3))


def test_fair_tables_show_the_searched_grid_and_the_choice(bowl_fair):
    chosen = text.fair_table(bowl_fair).set_index("optimizer")
    searched = text.searched_rates(bowl_fair).set_index("optimizer")
    for lab in ("SGD", "Momentum"):
        lr = chosen.loc[lab, "chosen rate"]
        ref = surface_run(SURFACES["bowl"], STARTS["bowl"], lab, dict(lr=lr), 200)
        assert chosen.loc[lab, "final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-15)
        k = first_stay_within(ref["losses"], 1e-3)
        assert chosen.loc[lab, "steps to converge"] == ("—" if k is None else str(k))
        assert searched.loc[lab, "first pass"] == "0.001, 0.01, 0.1, 1"
        fine = sorted(bowl_fair.fine[lab])
        assert searched.loc[lab, "second pass"].startswith(f"{fine[0]:.3g}, ")
        assert searched.loc[lab, "second pass"].endswith(f", {fine[-1]:.3g}")
    cap = text.fair_caption(["SGD", "Momentum"], list(chosen["chosen rate"]), bowl_fair, 1e-3, 1.0)
    assert "4 rates from 0.001 to 1" in cap and f"{sum(len(v) for v in bowl_fair.fine.values())} finer" in cap
    # the verdict: the winner's steps are the worst of the rates tried within ×1.26 of its rate
    winner = bowl_fair.winner
    lr = chosen.loc[winner, "chosen rate"]
    tried = bowl_fair.table.loc[bowl_fair.table["label"] == winner, "lr"]
    worst = max(first_stay_within(surface_run(SURFACES["bowl"], STARTS["bowl"], winner, dict(lr=o), 200)["losses"],
                                  1e-3) for o in tried if abs(math.log10(o / lr)) <= 0.1 + 1e-12)
    verdict = text.race_verdict(pd.DataFrame({"final_loss": [0.0, 0.0], "diverged_at": [pd.NA, pd.NA]}),
                                ["SGD", "Momentum"], True, 0.0, bowl_fair)
    assert verdict.startswith(f":material/sports_score: fair verdict: **{winner}** converges fastest — within "
                              f"{worst} steps at every rate tried within ×1.26 of its η = {lr:.3g}")


def test_batch_claims_quote_the_measured_shares():
    rows = pd.DataFrame({"method": ["batch (all 800)", "mini-batch (32)", "stochastic (1)"],
                         "loss went up": [0.0, 0.25, 0.4375]})
    claims = text.batch_claims(rows, 800, 32)
    assert list(claims.index) == ["batch", "stochastic", "mini-batch (32)"]
    assert "went up after 0% of updates" in claims.loc["batch", "measured here"]
    assert "went up after 44% of updates" in claims.loc["stochastic", "measured here"]
    assert "800× cheaper" in claims.loc["stochastic", "measured here"]
    assert "rose after 25% of updates" in claims.loc["mini-batch (32)", "measured here"]


def test_restart_counts_and_verdict_on_the_wells_like_independent_runs():
    problem = dlcore.SurfaceProblem("wells")
    d = problem.definition
    starts = start_points(d.window, 16, "grid")
    res = dlcore.train(problem, tuple(dlcore.RunSpec(dlcore.preset("SGD", lr=0.02), start=s) for s in starts),
                       dlcore.TrainConfig(steps=300, dtype="float64"))
    summary = restart_summary(basins(res, problem, radius=0.1), problem)
    wells = lambda x, y: (x ** 2 - 1) ** 2 + (y ** 2 - 1) ** 2 + 0.5 * x + 0.25 * y   # noqa: E731
    glob = 0
    for s in starts:
        x, y = surface_run(wells, s, "SGD", dict(lr=0.02), 300, optimum=None)["path"][-1]
        glob += math.hypot(x - d.minima[0][0], y - d.minima[0][1]) <= 0.1
    names = [f"({m[0]:.3g}, {m[1]:.3g})" for m in d.minima]
    t = text.restart_counts(summary, names)
    assert t["runs"].sum() == 16 and t.loc[0, "runs"] == glob and t.loc[0, "ended at"].endswith("— global")
    assert t.loc[0, "f there"] == f"{round(wells(*d.minima[0]), 4):g}"
    values = [float(v) for v in t["f there"].iloc[:4]]
    assert values == sorted(values) and len(set(values)) == 4
    assert np.isclose(t["share"].sum(), 1.0)
    assert text.restart_verdict(summary, "wells").startswith(f"**{glob} of 16** starts found the global minimum")


def test_lesson_values_of_the_default_race_and_the_other_tabs():
    problem, res, rt = train_race("rosenbrock", ROSENBROCK_RATES, 500, tol=1e-2)
    facts = text.RaceFacts(rt, tuple(ROSENBROCK_RATES), "rosenbrock", True, res.optimum, 0.9)
    v = text.lesson_values("race", race=facts)
    assert set(v) == set(text.LESSON_FIELDS)
    refs = {lab: first_stay_within(surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], lab, dict(lr=lr),
                                               500)["losses"], 1e-2) for lab, lr in ROSENBROCK_RATES.items()}
    assert (v["winner"], v["winner_steps"]) == ("Momentum", float(refs["Momentum"]))
    assert v["momentum_steps"] == refs["Momentum"]
    assert v["adam_steps"] == (math.inf if refs["Adam"] is None else refs["Adam"])
    assert v["diverged"] == 0 and v["optimizers"] == 4 and v["fair"] is False and v["problem"] == "rosenbrock"
    assert math.isnan(v["minima_reached"]) and v["noisiest"] == ""           # tabs that are not open
    rows = pd.DataFrame({"loss went up": [0.0, 0.3, 0.45]})
    b = text.lesson_values("batch", batch_rows=rows)
    assert b["noisiest"] == "stochastic" and b["stochastic_ups"] == 0.45 and b["winner"] == ""


def test_search_text_counts_the_rates_each_pass_tried(bowl_fair):
    """The sentence above the search charts: the first grid's size and range, then how many
    second-pass rates each optimizer got, and the runs in all — counted from the real race."""
    said = text.search_text(bowl_fair, 200)
    assert said.startswith("Every optimizer trained for 200 steps at **4 rates** from 0.001 to 1 (log-spaced), "
                           "then at 24 rates per decade around every rate")
    for lab in ("SGD", "Momentum"):
        n = int((bowl_fair.table["label"] == lab).sum()) - 4          # its rows beyond the first grid's four
        assert f"{lab} {n}" in said and n > 0
    assert f"— {len(bowl_fair.table)} runs in two batched calls" in said
    assert len(bowl_fair.table) == 8 + sum(len(v) for v in bowl_fair.fine.values())


def test_search_description_counts_each_panel_like_plain_torch_runs(bowl_fair):
    """The search panel's sentence: every rate tried, by pass and by outcome — the outcomes
    re-run with plain torch.optim — and the chosen rate."""
    for lab in ("SGD", "Momentum"):
        t = bowl_fair.table[bowl_fair.table["label"] == lab]
        conv = div = 0
        for lr in t["lr"]:
            ref = surface_run(SURFACES["bowl"], STARTS["bowl"], lab, dict(lr=lr), 200)
            div += ref["diverged_at"] is not None
            conv += ref["diverged_at"] is None and first_stay_within(ref["losses"], 1e-3) is not None
        said = text.search_description(bowl_fair, lab, 200)
        fine = len(bowl_fair.fine[lab])
        assert said.startswith(f"{lab}: steps to converge at {4 + fine} learning rates (4 on the first grid, {fine} "
                               f"in the second pass); {conv} converged within 200 steps, {div} diverged. ")
        best = bowl_fair.best.set_index("label").loc[lab]
        assert f"Chosen η = {best['lr']:.3g}" in said
