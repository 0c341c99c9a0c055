"""Optimizer comparison page: fair race, batch vs mini-batch vs stochastic, random restarts,
the optimizer's state, the code export, and edge settings — AppTest against plain PyTorch."""
import math
import runpy
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page as open_app_page

from dlcore import PurchaseProblem
from tests.optim_reference import (MINIMA, STARTS, SURFACES, first_stay_within, logistic_minibatch_run,
                                   surface_run)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/optimizer_comparison.py"


def open_page(query: dict | None = None) -> AppTest:
    at = open_app_page(PAGE.split("/")[-1], timeout=180, **(query or {}))
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at, *cols):
    for df in at.dataframe:
        if set(cols) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with {cols}")


def test_fair_race_picks_the_rates_an_independent_grid_search_picks():
    lrs = [0.001, 0.01, 0.1, 1.0]
    at = open_page({"problem": "bowl", "opts": "SGD,Momentum,Adam", "fair": 1, "fair_lo": 0.001, "fair_hi": 1,
                    "fair_n": 1, "steps": 150, "tol": 1e-6})
    chosen = table_with(at, "chosen rate").set_index("optimizer")
    race = table_with(at, "diverged at", "final loss").set_index("optimizer")
    for label in ("SGD", "Momentum", "Adam"):
        cands = []
        for lr in lrs:
            ref = surface_run(SURFACES["bowl"], STARTS["bowl"], label, dict(lr=lr), 150)
            if ref["diverged_at"] is not None:
                continue
            k = first_stay_within(ref["losses"], 1e-6)
            cands.append((k if k is not None else math.inf, ref["losses"][-1], lr, ref))
        k, loss, lr, ref = min(cands, key=lambda c: c[:3])
        assert chosen.loc[label, "chosen rate"] == pytest.approx(lr), label
        assert race.loc[label, "η"] == pytest.approx(lr)
        assert race.loc[label, "final loss"] == pytest.approx(loss, rel=1e-9, abs=1e-15)
    # the learner's own rates are not used (their sliders are disabled)
    assert at.select_slider(key="opt.SGD.lr").disabled
    assert len(at.get("vega_lite_chart")) >= 4         # map, loss, and the two tuning charts


def test_fair_race_where_everything_diverges_says_so():
    at = open_page({"fair": 1, "fair_lo": 1, "fair_hi": 100, "opts": "SGD,Momentum", "steps": 30})
    assert any("diverged" in e.value for e in list(at.error) + list(at.warning))


def test_batch_tab_equals_plain_minibatch_loops():
    at = open_page({"view": "batch", "b_steps": 60, "b_lr": 0.5, "b_mid": 50})
    t = table_with(at, "examples per update", "train loss").set_index("method")
    Xtr, ytr, *_ = PurchaseProblem().arrays()       # the data (standardised features), not the training
    refs = {}
    for name, bs in (("batch (all 800)", None), ("mini-batch (50)", 50), ("stochastic (1)", 1)):
        ref = logistic_minibatch_run(Xtr, ytr, 0, "SGD", dict(lr=0.5), 60, bs)
        refs[name] = ref
        assert t.loc[name, "train loss"] == pytest.approx(ref["losses"][-1], rel=2e-5), name
        assert t.loc[name, "samples seen"] == ref["seen"]
        ups = float(np.mean(np.diff(ref["losses"]) > 0))
        assert t.loc[name, "loss went up"] == pytest.approx(ups)
    assert t.loc["batch (all 800)", "loss went up"] == 0.0            # full batch GD: never up at this rate
    assert t.loc["stochastic (1)", "loss went up"] > t.loc["mini-batch (50)", "loss went up"]
    assert len(at.get("vega_lite_chart")) == 2


def test_restarts_count_the_minima_like_independent_runs():
    at = open_page({"view": "restarts", "r_n": 16, "r_layout": "grid", "r_steps": 150, "r_lr": 0.01})
    t = table_with(at, "ended at", "runs").set_index("ended at")
    starts = [(-5 + (i + 0.5) * 2.5, -5 + (j + 0.5) * 2.5) for j in range(4) for i in range(4)]
    counts = [0, 0, 0, 0]
    other = 0
    for s in starts:
        ref = surface_run(SURFACES["himmelblau"], s, "SGD", dict(lr=0.01), 150)
        x, y = ref["path"][-1]
        d = [math.hypot(x - a, y - b) for a, b in MINIMA["himmelblau"]]
        if ref["diverged_at"] is None and min(d) <= 0.1:
            counts[int(np.argmin(d))] += 1
        else:
            other += 1
    assert list(t["runs"].iloc[:4]) == counts and sum(counts) + other == 16
    assert len(at.get("vega_lite_chart")) == 1


def test_inside_the_optimizer_opens_on_demand():
    at = open_page({"steps": 100})
    assert not any("running mean of squared" in str(getattr(c.proto, "spec", "")) for c in at.get("vega_lite_chart"))
    at = open_page({"steps": 100, "inside_open": 1, "inside": "RMSprop"})
    titles = " ".join(str(c.proto.spec) for c in at.get("vega_lite_chart"))
    assert "running mean of squared gradients" in titles and "step taken" in titles
    at = open_page({"steps": 100, "inside_open": 1, "inside": "SGD"})
    assert any("keeps no state" in i.value for i in at.info)


def test_exported_code_reproduces_the_table(tmp_path):
    at = open_page({"opts": "SGD,Adam", "steps": 120, "code": "Adam"})
    script = next(c.value for c in at.code if "torch.optim.Adam" in c.value)
    path = tmp_path / "race_adam.py"
    path.write_text(script)
    g = runpy.run_path(str(path), run_name="__main__")
    row = table_with(at, "diverged at", "final loss").set_index("optimizer").loc["Adam"]
    x, y = g["xy"].detach().numpy()
    assert (x, y) == (pytest.approx(row["final x"], abs=1e-12), pytest.approx(row["final y"], abs=1e-12))
    assert "dtype=torch.float64" in script
