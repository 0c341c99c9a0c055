"""The learning-rate sweep page (AppTest): its sweep table, article table and headline numbers
equal plain torch.optim loops and closed forms written out in the test."""
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

import dlcore
import dlcore.sweep

from tests.apptest_helpers import APP
from tests.lr_sweep_helpers import (ARTICLE, HOURS, SCORES, chart_rows, first_stay_below, frame, reference_run,
                                    run_page)


SWEEPS = [
    dict(problem="line", opt="SGD", lo=0.01, hi=0.2, n=6, steps=500, tol=1e-3, dtype="float64"),
    dict(problem="study_std", opt="Momentum", lo=0.002, hi=5, n=5, steps=300, tol=1e-2, dtype="float64"),
    dict(problem="bowl", opt="Adam", lo=0.01, hi=2, n=4, steps=300, tol=1e-4, mode="absolute", dtype="float64"),
    dict(problem="logistic", opt="SGD", lo=0.1, hi=20, n=4, steps=100, tol=1e-3, dtype="float64"),
    dict(problem="line", opt="Nesterov", lo=0.002, hi=0.2, n=4, steps=500, tol=1e-3),          # float32
]


@pytest.mark.parametrize("cfg", SWEEPS, ids=[f"{c['problem']}-{c['opt']}-{c.get('dtype', 'float32')}" for c in SWEEPS])
def test_sweep_table_equals_plain_torch_optim_runs(cfg):
    at = run_page(**cfg)
    table = frame(at, "learning_rate")
    grid = np.logspace(np.log10(cfg["lo"]), np.log10(cfg["hi"]), cfg["n"])
    expected_rates = sorted({round(float(v), 12) for v in grid} | set(ARTICLE))
    assert np.allclose(table["learning_rate"], expected_rates, rtol=1e-9)
    dtype = torch.float64 if cfg.get("dtype") == "float64" else torch.float32
    runs = {lr: reference_run(cfg["problem"], cfg["opt"], lr, cfg["steps"], dtype) for lr in table["learning_rate"]}
    optimum = next(iter(runs.values()))[2]
    if cfg.get("mode") == "absolute":
        ref = 0.0
    elif optimum is not None:
        ref = optimum
    else:   # no known optimum: the best loss any rate of the sweep reached
        ref = min(v for losses, _, _ in runs.values() for v in losses if math.isfinite(v))
    for _, row in table.iterrows():
        losses, diverged, _ = runs[row["learning_rate"]]
        what = f"η = {row['learning_rate']:.4g}"
        if diverged is not None:
            assert row["status"] == "diverged" and int(row["diverged_at"]) == diverged, what
            assert row["final_loss"] == "diverged", what
            continue
        first = first_stay_below(losses, cfg["tol"], ref)
        assert row["status"] == ("converged" if first is not None else "not converged"), what
        assert (pd.isna(row["steps_to_converge"]) and first is None) or int(row["steps_to_converge"]) == first, what
        # float32: the batched engine and nn-free scalar loop round differently in the last bit,
        # which a few hundred steps grow to ~1e-5 relative (see test_optim_equivalence.py).
        rel = 1e-9 if dtype == torch.float64 else 1e-3
        assert float(row["final_loss"]) == pytest.approx(losses[-1], rel=rel, abs=1e-12), what
        assert float(row["best_loss"]) == pytest.approx(min(losses), rel=rel, abs=1e-12), what

    # The article's table on the first tab reads the same runs.
    cmp = frame(at, "the article says")
    for _, row in cmp.iterrows():
        losses, diverged, _ = runs[min(runs, key=lambda r: abs(r - row["learning rate"]))]
        first = None if diverged is not None else first_stay_below(losses, cfg["tol"], ref)
        expected = ("diverged" if diverged is not None else f"{first} steps" if first is not None
                    else f"not converged in {cfg['steps']}")
        assert row["measured here"] == expected


def test_default_view_line_fit_theory_and_article():
    at = run_page()
    metrics = {m.label: m.value for m in at.metric}
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    ev = np.linalg.eigvalsh(2 / 4 * phi.T @ phi)
    assert metrics["Diverges above (theory)"] == f"{2 / ev.max():.4g}" == "0.1198"
    table = frame(at, "learning_rate")
    grid = table[table["in_grid"]]
    assert len(grid) == 100 and len(table) == 104          # 100 rates + 0.001, 0.01, 0.1, 10 (1.0 is in the grid)
    conv = grid[grid["status"] == "converged"]
    assert metrics["Rates that converged (of 100)"] == str(len(conv))
    fastest = conv.loc[conv["steps_to_converge"].astype(int).idxmin()]
    assert metrics["Fastest rate measured"] == f"{fastest['learning_rate']:.4g}"
    # Divergence starts exactly where theory says: every swept rate above 2/λmax diverged, none below.
    above = grid["learning_rate"] > 2 / ev.max()
    assert (grid.loc[above, "status"] == "diverged").all() and not (grid.loc[~above, "status"] == "diverged").any()
    # The steps chart draws theory's lines and a ✕ for every diverged rate.
    rows = chart_rows(at, 0)
    rules = sorted(r["lr"] for r in rows if set(r) == {"lr", "label"})
    assert rules[0] == pytest.approx(2 / (ev.max() + ev.min()), rel=1e-9)
    assert rules[1] == pytest.approx(2 / ev.max(), rel=1e-9)
    assert sum(1 for r in rows if r.get("what", "").startswith("diverged")) == (grid["status"] == "diverged").sum()
    # The article's table: 10 diverges (agrees), nothing else does on this problem.
    cmp = frame(at, "the article says")
    assert cmp["verdict"].str.startswith("✓").tolist() == [False, False, False, False, True]
    assert metrics["Article rows agreeing"] == "1 / 5"
    text = "\n".join(m.value for m in at.markdown)
    assert "no quadratic problem, start or tolerance produces that" in text




def test_default_view_is_one_batched_training_call(monkeypatch):
    calls = []
    real = dlcore.sweep.train

    def counting(problem, runs, config, progress=None):
        calls.append(len(runs))
        return real(problem, runs, config, progress=progress)

    at = AppTest.from_file(APP, default_timeout=180)
    at.run()                             # Home first (it trains its own ball), as a browser would
    monkeypatch.setattr(dlcore.sweep, "train", counting)
    monkeypatch.setattr(dlcore, "train", counting)
    st.cache_data.clear()
    at.switch_page(str(Path(APP).parent / "app_pages" / "lr_sweep.py"))
    at.run()
    assert not at.exception
    assert calls == [104]                # the 100-rate grid and the article's rates, together


def test_theory_column_is_exact_on_the_round_bowl_in_float64():
    """Standardised study hours: the Hessian is 2·I, so gradient descent shrinks the gap by
    (1 − 2η)² per step exactly and theory's bound is the measured count."""
    at = run_page(problem="study_std", n=2, lo=0.01, hi=0.1, steps=5000, dtype="float64")
    x = (HOURS - HOURS.mean()) / HOURS.std()
    A = np.stack([x, np.ones_like(x)], axis=1)
    opt = float(np.mean((A @ np.linalg.lstsq(A, SCORES, rcond=None)[0] - SCORES) ** 2))
    gap0 = float(np.mean(SCORES ** 2)) - opt                     # start at m = c = 0
    cmp = frame(at, "theory (worst case)").set_index("learning rate")
    for lr in (0.001, 0.01, 0.1):
        n = math.ceil(math.log(1e-3 / gap0) / (2 * math.log(abs(1 - 2 * lr))))
        assert cmp.loc[lr, "theory (worst case)"] == f"≤ {n} steps"
        assert cmp.loc[lr, "measured here"] == f"{n} steps"
    assert cmp.loc[1.0, "measured here"] == "not converged in 5000"     # η = 2/λ: bounces forever
    assert cmp.loc[10.0, "measured here"] == "diverged"


SWEEP_KEYS = ("problem", "opt", "lo", "hi", "n", "steps", "tol", "mode", "seed", "batch", "dtype")


def widget_keys(block) -> set:
    kinds = ("selectbox", "select_slider", "slider", "radio", "number_input", "multiselect", "toggle")
    return {w.key for kind in kinds for w in getattr(block, kind)}


def test_settings_are_in_the_page_not_the_sidebar():
    """Issue 14 #5: on a phone the sidebar is closed, and every setting of the sweep lived
    there. They are in the page now, above the numbers they change."""
    at = run_page(n=5, steps=100)
    main = widget_keys(at.main)
    assert {f"lr.{k}" for k in SWEEP_KEYS} <= main
    assert not {k for k in widget_keys(at.sidebar) if k and k.startswith("lr.")}


def test_reset_to_defaults_keeps_the_open_tab():
    """Issue 14 #11: one click back to the defaults; the learner stays on the tab they are on."""
    at = run_page(problem="bowl", opt="Adam", n=7, steps=300, tol=0.01, tab="curves", curves="0.01")
    assert at.selectbox(key="lr.problem").value == "bowl"
    at.button(key="lr-reset").click().run()
    assert not at.exception
    assert (at.selectbox(key="lr.problem").value, at.selectbox(key="lr.opt").value) == ("line", "SGD")
    assert (at.slider(key="lr.n").value, at.select_slider(key="lr.steps").value) == (100, 1000)
    assert at.select_slider(key="lr.tol").value == 1e-3
    assert at.multiselect(key="lr.curves").value == []
    assert {k: at.query_params[k] for k in at.query_params} in ({"tab": ["curves"]}, {"tab": "curves"})
    assert "run" in frame(at, "run").columns                         # still on the loss-curves tab


def test_runs_table_shows_four_significant_figures_and_keeps_every_digit():
    """Issue 14 #9: displayed numbers rounded to what matters; the table's data (and its
    CSV) keep full precision."""
    import json
    at = run_page(n=4, steps=100, dtype="float64")
    el = next(d for d in at.dataframe if "learning_rate" in d.value.columns)
    config = json.loads(el.proto.columns)
    assert config["learning_rate"]["type_config"]["format"] == "%.4g"
    assert config["best_loss"]["type_config"]["format"] == "%.4g"
    grid = np.logspace(-4, 0, 4)                                   # 1e-4, 0.00215443…, 0.0464158…, 1
    shown = el.value["learning_rate"].to_numpy()
    assert any(np.isclose(shown, grid[1], rtol=1e-12))             # every digit, not 0.002154
    assert any(abs(v - float(f"{v:.4g}")) > 0 for v in el.value["best_loss"] if math.isfinite(v) and v > 0)
