"""dlcore/sweep_study.py on real sweeps: theory's worst-case curve bounds the measured steps
(closed form written out here with numpy), the momentum plateau predicts the flat stretch,
the float32 resolution check flags exactly the sweeps whose counts float32 rounding
changes, and the schedule / verification readings equal plain loops over the losses."""
import math

import numpy as np
import pytest

from dlcore import LINE_FIT, PRESETS, STUDY_HOURS, LinearProblem, OptimizerSpec, TrainConfig, train
from dlcore.lr_study import plan_rates, schedule_runs, study_table
from dlcore.sweep import lr_sweep
from dlcore.sweep_study import (PLATEAU, WORST_CASE, convergence_target, curve_indices, float32_resolution,
                                predict_sweep, schedule_outcome, snap_rates, verification_best)
from dlcore.theory import quadratic_theory

STUDY_STD = LinearProblem(x=STUDY_HOURS.x, y=STUDY_HOURS.y, standardize=True, names=("m", "c"))


def line_eigs():
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    return np.linalg.eigvalsh(2 / 4 * phi.T @ phi)


def sweep(problem, opt, lo, hi, n, steps, tol, dtype="float64", mode="gap"):
    plan = plan_rates(lo, hi, n)
    res, raw = lr_sweep(problem, PRESETS[opt], plan.rates, steps=steps, tol=tol, tol_mode=mode, dtype=dtype)
    t = study_table(res, raw, tol, mode)
    gap0 = float(res.loss[0, 0]) - t.attrs["reference"]
    return res, t, gap0


def test_worst_case_curve_bounds_every_measured_count_on_the_line_fit():
    tol = 1e-3
    res, t, gap0 = sweep(LINE_FIT, "SGD", 0.002, 0.2, 10, 3000, tol)
    p = predict_sweep(quadratic_theory(LINE_FIT), PRESETS["SGD"], 0.002, 0.2, gap0, tol, "gap", res.optimum)
    lmin, lmax = line_eigs()
    assert p.plain_sgd and p.curve_label == WORST_CASE and p.worst_case_curve
    assert p.limit[0] == pytest.approx(2 / lmax, rel=1e-12)
    # The curve stops just below 2/λmax and is ln(gap₀/tol)/(−2 ln ρ), ρ = max|1 − ηλ|, rounded up.
    assert p.curve["lr"].min() == pytest.approx(0.002) and p.curve["lr"].max() < 2 / lmax
    rho = np.maximum(abs(1 - p.curve["lr"] * lmin), abs(1 - p.curve["lr"] * lmax))
    assert np.array_equal(p.curve["steps"], np.ceil(np.log(tol / gap0) / (2 * np.log(rho))))
    # Every measured count sits on or below theory's worst case at its rate.
    conv = t[t["status"] == "converged"]
    assert len(conv) >= 5
    for lr, n in zip(conv["lr"], conv["steps_to_converge"]):
        r = max(abs(1 - lr * lmin), abs(1 - lr * lmax))
        assert int(n) <= math.ceil(math.log(tol / gap0) / (2 * math.log(r))), lr
    # At the article's rates: the three small ones bound their measured counts, 1.0 and 10 diverge.
    for lr in (0.001, 0.01, 0.1):
        row = t.loc[np.isclose(t["lr"], lr)].iloc[0]
        if row["status"] == "converged":
            assert int(row["steps_to_converge"]) <= p.at_article[lr]
        else:                                   # not within the 3000 steps: nor does theory promise it
            assert row["status"] == "not converged" and p.at_article[lr] > 3000
    assert math.isinf(p.at_article[1.0]) and math.isinf(p.at_article[10.0])
    assert (t.loc[t["lr"] > 2 / lmax, "status"] == "diverged").all()


def test_momentum_plateau_predicts_the_flat_stretch():
    tol = 1e-3
    res, t, gap0 = sweep(LINE_FIT, "Momentum", 0.002, 0.2, 8, 2000, tol)
    p = predict_sweep(quadratic_theory(LINE_FIT), PRESETS["Momentum"], 0.002, 0.2, gap0, tol, "gap", res.optimum)
    lmin, lmax = line_eigs()
    r = math.sqrt(0.9)
    assert not p.plain_sgd and p.curve_label == PLATEAU and not p.worst_case_curve
    assert p.plateau == pytest.approx(((1 - r) ** 2 / lmin, (1 + r) ** 2 / lmax, r))
    assert p.plateau_steps == pytest.approx(math.log(gap0 / tol) / -math.log(0.9))
    assert p.curve["lr"].tolist() == pytest.approx([p.plateau[0], 0.2])     # the plateau inside [lo, hi]
    inside = t[(t["lr"] > p.plateau[0]) & (t["lr"] < p.plateau[1])]
    assert len(inside) >= 5 and (inside["status"] == "converged").all()
    ratio = inside["steps_to_converge"].astype(float) / p.plateau_steps
    assert ratio.between(1 / 1.25, 1.25).all(), ratio.tolist()
    # Below the plateau, speed still depends on the rate: 10× smaller is several times slower.
    slow = int(t.loc[np.isclose(t["lr"], 0.001), "steps_to_converge"].iloc[0])
    assert slow > 3 * p.plateau_steps


def test_no_prediction_without_a_closed_form():
    res, t, gap0 = sweep(LINE_FIT, "Adam", 0.01, 0.5, 3, 200, 1e-3)
    p = predict_sweep(quadratic_theory(LINE_FIT), PRESETS["Adam"], 0.01, 0.5, gap0, 1e-3, "gap", res.optimum)
    assert p.limit is None and p.plateau is None and p.curve is None and p.at_article is None


def test_convergence_target():
    assert convergence_target(1e-3, "gap", 5.0) == 1e-3
    assert convergence_target(1.0, "absolute", 0.25) == 0.75
    assert convergence_target(1.0, "absolute", None) < 0


def test_float32_resolution_flags_counts_that_rounding_changes():
    """Standardised study hours: optimum 2017.5 (least squares), where float32 steps are
    coarse. At tol 1e-3 float32's counts differ from float64's; the check says so."""
    x = (STUDY_HOURS.x - np.mean(STUDY_HOURS.x)) / np.std(STUDY_HOURS.x)
    A = np.stack([x, np.ones(4)], axis=1)
    optimum = float(np.mean((A @ np.linalg.lstsq(A, np.array(STUDY_HOURS.y), rcond=None)[0] - STUDY_HOURS.y) ** 2))
    res32, t32, _ = sweep(STUDY_STD, "SGD", 0.01, 0.5, 6, 2000, 1e-3, dtype="float32")
    res64, t64, _ = sweep(STUDY_STD, "SGD", 0.01, 0.5, 6, 2000, 1e-3, dtype="float64")
    assert t32.attrs["reference"] == pytest.approx(optimum, rel=1e-12)
    r = float32_resolution(t32.attrs["reference"], t32.attrs["reference_kind"], 1e-3, "float32")
    assert r.limited and r.spacing > 1e-3 / 10
    # float32 losses near the optimum move in whole steps of the spacing ...
    near = t32[t32["status"] == "converged"]["final_loss"].to_numpy(dtype=float)
    steps_of = (near - near.max()) / r.spacing
    assert np.allclose(steps_of, np.round(steps_of))
    # ... so float32 and float64 disagree on which rates converged.
    stable = (t64["lr"] >= 0.01) & (t64["lr"] < 1.0)     # 0.001 is too slow for 2000 steps, 1.0 = 2/λ
    assert (t64.loc[stable, "status"] == "converged").all()
    assert (t32.loc[stable, "status"] != "converged").any()
    # A loose tolerance, float64, or a reference of 0 is not limited.
    assert not float32_resolution(optimum, "optimum", 1.0, "float32").limited
    assert float32_resolution(optimum, "optimum", 1e-3, "float64") is None
    assert float32_resolution(0.0, "zero", 1e-3, "float32") is None


def test_snap_rates_and_curve_indices():
    swept = np.logspace(-3, 0, 7)
    snapped, moved = snap_rates([0.011, float(swept[2]), 0.0105], swept)
    assert snapped == [float(swept[2])]
    assert [w for w, _ in moved] == [0.011, 0.0105]
    assert curve_indices(swept, [("good", float(swept[4])), ("x", 0.9)]) == [4, 6]


def test_schedule_outcome_equals_a_plain_reading_of_the_losses():
    tol, steps = 1e-3, 200
    runs = schedule_runs(OptimizerSpec.make("sgd"), 0.05, steps)
    res = train(LINE_FIT, runs, TrainConfig(steps=steps, dtype="float64", record_params=False))
    out = schedule_outcome(res, tol, 0.0)
    expected = []
    for k in range(len(runs)):
        loss = res.loss[:, k]
        first = next((s for s in range(len(loss)) if np.all(loss[s:] < tol)), -1)
        expected.append(first)
    assert list(out.converged_at) == expected and not any(out.diverged)
    assert out.final_loss == pytest.approx([float(res.loss[-1, k]) for k in range(len(runs))])
    done = [(c, k) for k, c in enumerate(expected) if c >= 0]
    assert out.fastest == min(done)
    assert out.lowest == int(np.argmin(out.final_loss))


def test_verification_best():
    assert verification_best([0.3, 0.2, 0.5]) == 1
    assert verification_best([math.nan, 0.2, 0.1]) == 2
    assert verification_best([math.inf, math.nan, math.inf]) is None


def test_schedules_within_the_tolerance_from_the_start_have_no_fastest():
    """A loose tolerance (100 > the line fit's starting loss 30): every schedule is
    "converged" at step 0, which says nothing about speed (B's link sweep found "Fastest
    to the tolerance: constant (0 steps)")."""
    from ui.text.lr_sweep import schedule_facts
    runs = schedule_runs(OptimizerSpec.make("sgd"), 0.01, 50)
    res = train(LINE_FIT, runs, TrainConfig(steps=50, dtype="float64", record_params=False))
    assert float(res.loss[0, 0]) < 100
    out = schedule_outcome(res, 100.0, 0.0)
    assert out.converged_at == (0,) * 5 and out.at_start == 5 and out.fastest is None
    facts = schedule_facts(("constant", "step", "exponential", "cosine", "onecycle"), out, "SGD", 0.01)
    assert "Fastest" not in facts and "0 steps" not in facts and "smaller tolerance" in facts
