"""Optimizer comparison page: fair race, batch vs mini-batch vs stochastic, random restarts,
the optimizer's state, the code export, and edge settings — AppTest against plain PyTorch."""
import math
import runpy
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page as open_app_page
from tests.chart_checks import assert_charts_described

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


def _independent_pick(label, lrs, steps, tol):
    """The fair race's documented rule, re-done with plain torch.optim runs: per rate, the
    worst steps to converge (inf if one did not) and the worst final loss among the rates
    within ×10^0.1 of it; diverged rates never chosen; then the lowest of those, then the
    rate's own final loss, then the lowest rate."""
    runs = {}
    for lr in lrs:
        ref = surface_run(SURFACES["bowl"], STARTS["bowl"], label, dict(lr=lr), steps)
        gone = ref["diverged_at"] is not None
        k = None if gone else first_stay_within(ref["losses"], tol)
        runs[lr] = (gone, math.inf if k is None else k, math.inf if gone else ref["losses"][-1], ref)
    cands = []
    for lr, (gone, k, loss, ref) in runs.items():
        if gone:
            continue
        near = [v for o, v in runs.items() if abs(math.log10(o / lr)) <= 0.1 + 1e-12]
        cands.append((max(v[1] for v in near), max(v[2] for v in near), loss, lr))
    return min(cands), runs


def _complete(lr, tried):
    """Every rate 10^(k/24) within ×1.26 (two lattice steps) of ``lr`` was tried."""
    k = round(math.log10(lr) * 24)
    have = {round(math.log10(o) * 24) for o in tried}
    return all(k + d in have for d in range(-2, 3))


def test_fair_race_picks_the_rates_an_independent_grid_search_picks():
    """Issue 14 #2: a first grid, then 24 rates per decade around EVERY first-grid rate that
    converged (strictly between its grid neighbours, and two lattice steps beyond, fastest
    first, at most 64); the pick over both by the documented rule, preferring rates whose
    neighbours within ×1.26 were all tried."""
    coarse = [0.001, 0.01, 0.1, 1.0]
    at = open_page({"problem": "bowl", "opts": "SGD,Momentum,Adam", "fair": 1, "fair_lo": 0.001, "fair_hi": 1,
                    "fair_n": 1, "steps": 150, "tol": 1e-6})
    chosen = table_with(at, "chosen rate").set_index("optimizer")
    race = table_with(at, "diverged at", "final loss").set_index("optimizer")
    searched = table_with(at, "first pass", "second pass").set_index("optimizer")
    expected = {}
    for label in ("SGD", "Momentum", "Adam"):
        _, runs = _independent_pick(label, coarse, 150, 1e-6)
        conv = sorted((k, loss, lr) for lr, (gone, k, loss, _) in runs.items() if not gone and k < math.inf)
        order = conv or sorted((loss, lr) for lr, (gone, k, loss, _) in runs.items() if not gone)
        ks = [round(math.log10(c) * 24) for c in coarse]
        fine: set[int] = set()
        for item in order:
            i = ks.index(round(math.log10(item[-1]) * 24))
            lo = ks[i - 1] if i > 0 else ks[i] - 24
            hi = ks[i + 1] if i + 1 < len(ks) else ks[i] + 24
            more = set(range(lo + 1 - 2, hi - 1 + 3)) - set(ks) - fine
            if fine and len(fine) + len(more) > 64:
                break
            fine |= more
        fine_rates = [10 ** (j / 24) for j in sorted(fine)]
        tried = coarse + fine_rates
        _, all_runs = _independent_pick(label, tried, 150, 1e-6)
        cands = []
        for lr, (gone, k, loss, _) in all_runs.items():
            if gone:
                continue
            near = [v for o, v in all_runs.items() if abs(math.log10(o / lr)) <= 0.1 + 1e-12]
            cands.append((not _complete(lr, tried), max(v[1] for v in near), max(v[2] for v in near), loss, lr))
        _, _, _, loss, lr = min(cands)
        assert chosen.loc[label, "chosen rate"] == pytest.approx(lr, rel=1e-12), label
        expected[label] = (len(fine_rates), lr)
        assert race.loc[label, "η"] == pytest.approx(lr, rel=1e-12)
        assert race.loc[label, "final loss"] == pytest.approx(loss, rel=1e-9, abs=1e-15)
        # the searched grid is shown: the first pass and the finer rates of the second
        assert searched.loc[label, "first pass"] == "0.001, 0.01, 0.1, 1"
        assert f"{min(fine_rates):.3g}" in searched.loc[label, "second pass"]
        assert f"{max(fine_rates):.3g}" in searched.loc[label, "second pass"]
    # the learner's own rates are not used (their sliders are disabled)
    assert at.select_slider(key="opt.SGD.lr").disabled
    assert len(at.get("vega_lite_chart")) >= 6         # map, loss, a search panel per optimizer, the loss vs rate
    assert_charts_described(at)                        # each with its sentence and table view (issue 19)
    alts = [c.proto.alt for c in at.get("vega_lite_chart")]
    for label, (n_fine, lr) in expected.items():        # each search panel's sentence
        assert any(a.startswith(f"{label}: steps to converge at {len(coarse) + n_fine} learning rates "
                                f"({len(coarse)} on the first grid, {n_fine} in the second pass)")
                   and f"Chosen η = {lr:.3g}" in a for a in alts), alts


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


# ---- issue 14 ----------------------------------------------------------------------------
def test_old_view_links_open_the_same_tab_and_become_tab_links():
    """#10: one link parameter `tab` with short slugs; links shared before (`?view=batch`) still
    open the same tab, and the address is rewritten to the new form."""
    for old, slug, marker in (({"view": "batch"}, "batch", "examples per update"),
                              ({"view": "restarts"}, "restarts", "ended at"),
                              ({"tab": "batch"}, "batch", "examples per update"),
                              ({"tab": "Random restarts"}, "restarts", "ended at")):
        at = open_page({**old, "b_steps": 20, "r_n": 4, "r_steps": 20})
        table_with(at, marker)
        assert at.session_state["opt.tab"] == slug
        assert "view" not in at.query_params
        assert at.query_params.get("tab") in (slug, [slug])
        assert not any("view" in w.value for w in at.warning)


def test_restarts_on_wells_of_different_depths_count_the_global_minimum():
    """#8: a surface whose minima differ in depth; the page says how many starts found the
    global one, counted like independent torch.optim runs."""
    at = open_page({"tab": "restarts", "r_surface": "wells", "r_n": 16, "r_layout": "grid", "r_steps": 200,
                    "r_lr": 0.02})
    t = table_with(at, "ended at", "runs", "f there").set_index("ended at")
    assert list(t.columns[:2]) == ["runs", "share"]        # the counts first: they fit a narrow column
    wells = lambda x, y: (x ** 2 - 1) ** 2 + (y ** 2 - 1) ** 2 + 0.5 * x + 0.25 * y   # noqa: E731
    from dlcore.problems.surfaces import RESTART_SURFACES
    minima = RESTART_SURFACES["wells"].minima
    deepest = min(minima, key=lambda m: wells(*m))
    starts = [(-2 + (i + 0.5), -2 + (j + 0.5)) for j in range(4) for i in range(4)]
    found = 0
    for s in starts:
        x, y = surface_run(wells, s, "SGD", dict(lr=0.02), 200, optimum=None)["path"][-1]
        found += math.hypot(x - deepest[0], y - deepest[1]) <= 0.1
    glob = [k for k in t.index if k.endswith("— global")]
    assert len(glob) == 1 and t.loc[glob[0], "runs"] == found
    assert any(f"**{found} of 16** starts found the global minimum" in m.value for m in at.markdown)
    assert at.selectbox(key="opt.r_surface").value == "wells"


def test_reset_to_defaults_puts_the_race_back_and_keeps_other_tabs():
    """#11: the race's settings back to their defaults (and out of the link)."""
    at = open_page({"problem": "bowl", "opts": "SGD,Adam", "steps": 100, "Adam.lr": 0.05, "b_steps": 40})
    next(b for b in at.button if b.label == "Reset to defaults").click().run()
    assert not at.exception
    assert at.selectbox(key="opt.problem").value == "rosenbrock"
    assert at.multiselect(key="opt.opts").value == ["SGD", "Momentum", "Adam", "RMSprop"]
    assert at.slider(key="opt.steps").value == 500
    assert at.select_slider(key="opt.Adam.lr").value == 0.3
    for k in ("problem", "opts", "steps", "Adam.lr"):
        assert k not in at.query_params
    assert at.query_params.get("b_steps") in ("40", ["40"])      # another tab's setting stays
