"""Optimizer comparison page: edge settings — extreme, contradictory or garbage values from
links and widgets — render a page with a message, never a traceback (AppTest)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page as open_app_page

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/optimizer_comparison.py"


def open_page(query: dict) -> AppTest:
    return open_app_page(PAGE.split("/")[-1], timeout=180, **query)


EDGES = {
    "all seven optimizers": {"opts": "SGD,Momentum,Nesterov,Adam,AdamW,AdaGrad,RMSprop", "steps": 50},
    "one optimizer": {"opts": "Adam", "steps": 50},
    "no optimizer": {"opts": ""},
    "fewest steps, step 0": {"steps": 10, "step": 0},
    "everything diverges": {"opts": "SGD,Momentum,Adam,RMSprop", "SGD.lr": 10, "Momentum.lr": 10, "Adam.lr": 10,
                            "RMSprop.lr": 10, "steps": 40},
    "saddle on a log axis": {"problem": "saddle", "log": 1, "steps": 80},
    "rastrigin, clipped, tight tolerance": {"problem": "rastrigin", "clip": 0.1, "tol": 1e-8, "steps": 50},
    "start far outside the view": {"problem": "himmelblau", "own_start": 1, "sx": 100, "sy": -100, "steps": 40},
    "study hours from a far start": {"problem": "study", "own_start": 1, "sx": -100, "sy": 100, "steps": 40},
    "network with a large seed": {"problem": "sum3", "seed": 2 ** 31 - 1, "steps": 40, "log": 0},
    "custom that blows up": {"problem": "custom", "f": "exp(x*y) - log(x)", "steps": 40},
    "custom, own start on a pole": {"problem": "custom", "f": "1/x + y**2", "own_start": 1, "sx": 0, "sy": 0},
    "extreme hyperparameters": {"opts": "Adam,RMSprop,AdaGrad,Momentum", "Adam.beta1": 0, "Adam.beta2": 0,
                                "Adam.eps": 1, "RMSprop.alpha": 0, "RMSprop.eps": 1e-12, "AdaGrad.wd": 1,
                                "Momentum.momentum": 0.99, "steps": 40},
    "fair race, one rate per decade": {"fair": 1, "fair_n": 1, "fair_lo": 1e-7, "fair_hi": 100, "steps": 30},
    "fair race with low above high": {"fair": 1, "fair_lo": 10, "fair_hi": 1e-3, "steps": 30},
    "inside, float32 network": {"problem": "sum3", "inside_open": 1, "inside": "Adam", "steps": 30},
    "batch: MLP, big mini-batch, few updates": {"view": "batch", "b_model": "mlp", "b_mid": 400, "b_steps": 10,
                                                "b_opt": "Adam", "b_lr": 0.01},
    "batch: diverging rate": {"view": "batch", "b_lr": 10, "b_steps": 30, "b_opt": "Momentum"},
    "restarts: rastrigin with paths": {"view": "restarts", "r_surface": "rastrigin", "r_paths": 1, "r_n": 30,
                                       "r_steps": 50},
    "restarts: fewest starts, diverging": {"view": "restarts", "r_n": 4, "r_lr": 10, "r_steps": 20},
    "garbage everywhere": {"view": "nope", "problem": "x", "steps": "abc", "tol": -1, "clip": "inf",
                           "Adam.lr": "nan", "step": 10 ** 9, "r_layout": "spiral"},
}


@pytest.mark.parametrize("case", list(EDGES), ids=list(EDGES))
def test_edge_settings_render_without_exception(case):
    at = open_page(EDGES[case])
    assert not at.exception, [e.value for e in at.exception]
    if case != "no optimizer":
        assert len(at.get("vega_lite_chart")) >= 1
    else:
        assert any("Pick the optimizers" in i.value for i in at.info)


PROBLEMS = ["rosenbrock", "beale", "himmelblau", "saddle", "rastrigin", "bowl", "custom", "line", "study", "sum3"]


@pytest.mark.parametrize("problem", PROBLEMS)
def test_each_problem_starts_with_rates_that_do_not_diverge(problem):
    """A link naming only the problem loads its starting rates; all seven optimizers then
    finish the default 500 steps without diverging (so the first view of every problem
    is a race, not a list of failures)."""
    at = open_page({"problem": problem, "opts": "SGD,Momentum,Nesterov,Adam,AdamW,AdaGrad,RMSprop"})
    assert not at.exception and not at.error
    t = next(df.value for df in at.dataframe if "diverged at" in df.value.columns)
    assert len(t) == 7
    assert (t["diverged at"] == "—").all(), t[["optimizer", "η", "diverged at"]]
