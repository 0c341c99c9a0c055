"""Optimizer comparison page, race tab (AppTest): the results table equals plain torch.optim
runs, URL parameters are honoured, and the step slider shows the numbers of that step.

Reference numbers come from tests/optim_reference.py (torch.optim loops, no dlcore)."""
import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page as open_app_page

from tests.optim_reference import (MINIMA, STARTS, SURFACES, first_settled, first_stay_within, line_run,
                                   sum_of_three_run, surface_run)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/optimizer_comparison.py"


def open_page(query: dict | None = None) -> AppTest:
    at = open_app_page(PAGE.split("/")[-1], timeout=180, **(query or {}))
    assert not at.exception, [e.value for e in at.exception]
    return at


def results(at):
    for df in at.dataframe:
        if {"optimizer", "final loss", "diverged at"} <= set(df.value.columns):
            return df.value.set_index("optimizer")
    raise AssertionError("no results table on the page")


def expected(run, steps, tol, optimum=0.0, settled=False):
    """The table's (steps column, diverged column) for a reference run."""
    if run["diverged_at"] is not None:
        return "—", f"step {run['diverged_at']}"
    k = first_settled(run["losses"], tol) if settled else first_stay_within(run["losses"], tol, optimum)
    return (f"not in {steps}" if k is None else str(k)), "—"


def check_row(row, run, steps, tol, optimum=0.0, settled=False):
    col = "steps to settle" if settled else "steps to converge"
    assert (row[col], row["diverged at"]) == expected(run, steps, tol, optimum, settled)


def test_default_view_equals_torch_optim():
    at = open_page()
    assert not at.error and not at.warning
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2                      # the paths on the surface and the loss race
    t = results(at)
    assert list(t.index) == ["SGD", "Momentum", "Adam", "RMSprop"]
    settings = {"SGD": dict(lr=0.001), "Momentum": dict(lr=0.0005), "Adam": dict(lr=0.3), "RMSprop": dict(lr=0.05)}
    for label, h in settings.items():
        ref = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], label, h, 500)
        row = t.loc[label]
        assert row["η"] == h["lr"]
        assert row["final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-12)
        check_row(row, ref, 500, 1e-2)
        x, y = ref["path"][-1]
        assert (row["final x"], row["final y"]) == (pytest.approx(x, abs=1e-10), pytest.approx(y, abs=1e-10))
        assert row["distance to minimum"] == pytest.approx(math.hypot(x - 1, y - 1), abs=1e-9)
    # The teacher's sentence names the first to converge, from the same numbers.
    assert any("**Momentum** converged first, at step **130**" in m.value for m in at.markdown)
    # Every chart's data is finite (no NaN or inf reaches an axis).
    for c in charts:
        spec = json.loads(c.proto.spec)
        assert "NaN" not in json.dumps(spec) and "Infinity" not in json.dumps(spec)


CASES = {
    "bowl: Nesterov, AdamW, AdaGrad with their own settings": dict(
        query={"problem": "bowl", "opts": "Nesterov,AdamW,AdaGrad", "steps": 200, "Nesterov.lr": 0.02,
               "Nesterov.momentum": 0.8, "AdamW.lr": 0.1, "AdamW.wd": 0.1, "AdamW.beta2": 0.99,
               "AdaGrad.lr": 0.5, "AdaGrad.eps": 1e-6},
        runs={"Nesterov": dict(lr=0.02, momentum=0.8), "AdamW": dict(lr=0.1, weight_decay=0.1, beta2=0.99),
              "AdaGrad": dict(lr=0.5, eps=1e-6)},
        surface="bowl", steps=200, clip=None),
    "beale: clipped at 1 (its default), centered RMSprop with momentum": dict(
        # (80 steps: later on this run is chaotic — a last-bit difference in rounding grows
        # ×10 every few steps — so no two implementations agree to 1e-9 beyond ~100 steps)
        query={"problem": "beale", "opts": "Momentum,RMSprop", "steps": 80, "RMSprop.lr": 0.01,
               "RMSprop.centered": 1, "RMSprop.momentum": 0.5, "RMSprop.alpha": 0.9},
        runs={"Momentum": dict(lr=0.002), "RMSprop": dict(lr=0.01, centered=True, momentum=0.5, alpha=0.9)},
        surface="beale", steps=80, clip=1.0),
    "himmelblau from the learner's start": dict(
        query={"problem": "himmelblau", "opts": "SGD,Adam", "steps": 100, "own_start": 1, "sx": -1, "sy": -1.5,
               "Adam.beta1": 0.5, "Adam.lr": 0.1, "SGD.wd": 0.01},
        runs={"SGD": dict(lr=0.005, weight_decay=0.01), "Adam": dict(lr=0.1, beta1=0.5)},
        surface="himmelblau", steps=100, clip=None, start=(-1.0, -1.5)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_surface_configurations_equal_torch_optim(case):
    c = CASES[case]
    at = open_page(c["query"])
    t = results(at)
    assert list(t.index) == list(c["runs"])
    start = c.get("start", STARTS[c["surface"]])
    for label, h in c["runs"].items():
        ref = surface_run(SURFACES[c["surface"]], start, label, h, c["steps"], clip=c["clip"])
        row = t.loc[label]
        assert row["final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-12), label
        check_row(row, ref, c["steps"], 1e-2)
        x, y = ref["path"][-1]
        d = min(math.hypot(x - a, y - b) for a, b in MINIMA[c["surface"]])
        assert row["distance to minimum"] == pytest.approx(d, abs=1e-9)


def test_study_hours_line_fit_equals_torch():
    at = open_page({"problem": "study", "opts": "SGD,Momentum,Adam", "steps": 300})
    t = results(at)
    # a link naming a problem gets that problem's starting rates
    rates = {"SGD": 3e-4, "Momentum": 5e-4, "Adam": 3.0}
    for label, lr in rates.items():
        h = dict(lr=lr)
        ref = line_run((10, 20, 30, 40), (480, 520, 710, 680), (0.0, 0.0), label, h, 300)
        row = t.loc[label]
        assert row["η"] == lr
        assert row["final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9)
        check_row(row, ref, 300, 1e-2, ref["optimum"])
        m, c = ref["path"][-1]
        assert row["distance to minimum"] == pytest.approx(math.hypot(m - ref["solution"][0], c - ref["solution"][1]),
                                                           rel=1e-6)


def test_sum_of_three_network_equals_torch_nn():
    at = open_page({"problem": "sum3", "opts": "SGD,Momentum,Adam", "steps": 120, "seed": 1})
    t = results(at)
    for label, lr in {"SGD": 0.01, "Momentum": 1e-3, "Adam": 0.01}.items():
        ref = sum_of_three_run(1, label, dict(lr=lr), 120)
        assert t.loc[label, "final loss"] == pytest.approx(ref["losses"][-1], rel=2e-5, abs=1e-6), label
    assert len(at.get("vega_lite_chart")) >= 1 and "distance to minimum" not in t.columns


def test_custom_function_settles_like_torch():
    at = open_page({"problem": "custom", "f": "x**2 + 3*y**2 - x*y + sin(x)", "opts": "SGD,RMSprop",
                    "own_start": 1, "sx": 2, "sy": -1, "steps": 150, "SGD.lr": 0.05, "RMSprop.lr": 0.01})
    assert not at.error
    t = results(at)
    f = lambda x, y: x ** 2 + 3 * y ** 2 - x * y + np.sin(x) if isinstance(x, float) else \
        x ** 2 + 3 * y ** 2 - x * y + __import__("torch").sin(x)  # noqa: E731
    for label, lr in {"SGD": 0.05, "RMSprop": 0.01}.items():
        ref = surface_run(f, (2.0, -1.0), label, dict(lr=lr), 150, optimum=None)
        assert t.loc[label, "final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-12)
        check_row(t.loc[label], ref, 150, 1e-2, settled=True)


def test_divergence_is_a_state_in_words():
    at = open_page({"opts": "SGD,Adam", "SGD.lr": 0.01, "steps": 100})
    t = results(at)
    ref = surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], "SGD", dict(lr=0.01), 100)
    assert ref["diverged_at"] is not None
    assert t.loc["SGD", "final loss"] == "diverged"
    assert t.loc["SGD", "diverged at"] == f"step {ref['diverged_at']}" and t.loc["SGD", "steps to converge"] == "—"
    assert t.loc["SGD", "distance to minimum"] == "diverged"
    assert any("diverged: **SGD**" in m.value for m in at.markdown)
    for c in at.get("vega_lite_chart"):
        spec = json.dumps(json.loads(c.proto.spec))
        assert "NaN" not in spec and "Infinity" not in spec


def test_step_slider_shows_that_step_and_goes_into_the_url():
    at = open_page({"steps": 200})
    at.slider(key="opt.step").set_value(60).run()
    assert not at.exception
    refs = {lab: surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], lab, dict(lr=lr), 200)
            for lab, lr in {"SGD": 0.001, "Momentum": 0.0005, "Adam": 0.3, "RMSprop": 0.05}.items()}
    cap = next(c.value for c in at.caption if c.value.startswith("At step 60:"))
    for lab, ref in refs.items():
        v = ref["losses"][60]
        assert f"**{lab}** loss {float(f'{v:.4g}'):g}"[:len(lab) + 10] in cap
        assert f"{v:.4g}".rstrip("0").rstrip(".") in cap or f"{v:.3e}" in cap
    assert at.query_params["step"] == ["60"] or at.query_params["step"] == "60"
    # the map's path data stops at step 60 and the dots sit at step 60
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["mark"]["type"] == "rect"
    # moving to the end again drops the setting from the link
    at.slider(key="opt.step").set_value(200).run()
    assert "step" not in at.query_params


def test_play_button_runs_without_error():
    at = open_page({"steps": 60})
    next(b for b in at.button if b.label == "Play").click().run()
    assert not at.exception
    assert at.slider(key="opt.step").value == 60


def test_url_parameters_are_honoured_and_validated():
    at = open_page({"problem": "himmelblau", "opts": "Adam,Nesterov,Foo", "Adam.lr": "0.05", "Nesterov.momentum": 2,
                    "steps": -5, "log": 0, "bogus": 1})
    assert at.selectbox(key="opt.problem").value == "himmelblau"
    assert at.multiselect(key="opt.opts").value == ["Adam", "Nesterov"]
    assert at.select_slider(key="opt.Adam.lr").value == 0.05
    assert at.slider(key="opt.Nesterov.momentum").value == 0.99       # clamped
    assert at.slider(key="opt.steps").value == 10                     # clamped
    assert at.toggle(key="opt.log").value is False
    notes = " ".join(w.value for w in at.warning)
    for bit in ("Foo", "above the maximum", "below the minimum", "bogus"):
        assert bit in notes
    t = results(at)
    assert list(t.index) == ["Adam", "Nesterov"] and t.loc["Adam", "η"] == 0.05


def test_widget_changes_are_written_to_the_url():
    at = open_page()
    at.select_slider(key="opt.Adam.lr").set_value(0.1).run()
    at.selectbox(key="opt.problem").set_value("bowl").run()
    assert at.query_params["problem"] in ("bowl", ["bowl"])
    # choosing a problem loads its starting rates (bowl: Adam 0.1, SGD 0.02)
    assert at.select_slider(key="opt.SGD.lr").value == 0.02
    assert results(at).loc["SGD", "η"] == 0.02
