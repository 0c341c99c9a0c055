"""dlcore.lr_study against independent computations: numpy grids, plain torch.optim loops,
torch.optim.lr_scheduler objects, and hand-built tables."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from dlcore import LINE_FIT, OptimizerSpec, PurchaseProblem, RunSpec, TrainConfig, train
from dlcore.lr_study import (ARTICLE_RATES, article_check, article_verdict, compare_with_article, fastest_headline,
                             measured_edges, momentum_plateau, pick_curve_rates, plan_rates, schedule_runs, schedule_specs,
                             stability_limit, study_table, verify_runs)
from dlcore.sweep import lr_sweep
from dlcore.theory import quadratic_theory


def table(rows):
    """A sweep table from (lr, status, steps) rows."""
    return pd.DataFrame({"lr": [r[0] for r in rows], "status": [r[1] for r in rows],
                         "steps_to_converge": pd.array([r[2] for r in rows], dtype="Int64"),
                         "final_loss": [r[3] if len(r) > 3 else 0.1 for r in rows],
                         "diverged_at": pd.array([5 if r[1] == "diverged" else None for r in rows], dtype="Int64")})


# ---- plan_rates ------------------------------------------------------------------------

def test_plan_rates_is_the_log_grid_plus_the_article_rates():
    plan = plan_rates(1e-4, 1.0, 9)
    grid = 10.0 ** np.linspace(-4, 0, 9)                 # 1e-4, 3.16e-4, 1e-3, ... exactly decades
    expected = sorted(set(np.round(grid, 12)) | {0.001, 0.01, 0.1, 1.0, 10.0})
    assert np.allclose(plan.rates, expected, rtol=1e-9)
    assert len(plan.rates) == 10                          # 9 grid points; 1e-3..1 coincide, 10 is extra
    assert plan.in_grid == tuple(r <= 1.0 for r in plan.rates)
    assert [plan.rates[i] for i in plan.extra_index] == [0.001, 0.01, 0.1, 1.0, 10.0]
    assert plan.n_grid == 9


def test_plan_rates_rejects_a_bad_range():
    with pytest.raises(ValueError):
        plan_rates(1.0, 0.1, 5)


# ---- stability limits: theory vs plain torch.optim loops ---------------------------------

def line_fit_losses(lrs, steps, **hyper):
    """Article 000's line fit trained with torch.optim.SGD at several rates at once: one
    parameter group (own w, b, lr) per rate, one backward of the summed losses per step
    (the runs do not interact). Returns each rate's losses before every update."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    y = 2 * x
    ws = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in lrs]
    bs = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [w, b], "lr": lr} for w, b, lr in zip(ws, bs, lrs)], **hyper)
    out = [[] for _ in lrs]
    for _ in range(steps):
        losses = [torch.mean((w * x + b - y) ** 2) for w, b in zip(ws, bs)]
        for k, loss in enumerate(losses):
            out[k].append(loss.item())
        opt.zero_grad()
        torch.stack([torch.nan_to_num(v, nan=0.0, posinf=0.0) for v in losses]).sum().backward()
        opt.step()
    return out


@pytest.mark.parametrize("hyper", [dict(), dict(momentum=0.9), dict(momentum=0.9, nesterov=True),
                                   dict(momentum=0.5)], ids=["sgd", "momentum", "nesterov", "momentum0.5"])
def test_stability_limit_separates_converging_from_diverging_torch_runs(hyper):
    # Independent λmax: the Hessian of mean((w·x + b − y)²) is (2/n)·ΦᵀΦ.
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    lam_max = np.linalg.eigvalsh(2 / 4 * phi.T @ phi).max()
    limit, formula = stability_limit(quadratic_theory(LINE_FIT), OptimizerSpec.make("sgd", **hyper))
    mu = hyper.get("momentum", 0.0)
    expected = {False: 2 * (1 + mu) / lam_max, True: 2 * (1 + mu) / ((1 + 2 * mu) * lam_max)}[hyper.get("nesterov", False)]
    assert limit == pytest.approx(expected, rel=1e-12)
    below, above = line_fit_losses([0.97 * limit, 1.03 * limit], 1500, **hyper)
    assert below[-1] < 1e-6 * below[0], f"{formula}: 0.97× the limit should converge"
    assert not math.isfinite(max(above)) or max(above) > 1e12, f"{formula}: 1.03× the limit should diverge"


def test_momentum_plateau_steps_do_not_depend_on_the_rate_in_torch_runs():
    mu = 0.9
    lo, hi, rho = momentum_plateau(quadratic_theory(LINE_FIT), OptimizerSpec.make("sgd", momentum=mu))
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    ev = np.linalg.eigvalsh(2 / 4 * phi.T @ phi)
    assert (lo, hi, rho) == pytest.approx(((1 - mu ** 0.5) ** 2 / ev.min(), (1 + mu ** 0.5) ** 2 / ev.max(), mu ** 0.5))

    def first_below(losses):
        return next((s for s in range(len(losses)) if all(v < 1e-3 for v in losses[s:])), None)

    *runs, slow = line_fit_losses(list(np.geomspace(lo * 1.5, hi * 0.8, 5)) + [lo / 10], 600, momentum=mu)
    inside = [first_below(r) for r in runs]
    expected = math.log(30 / 1e-3) / -math.log(mu)      # loss gap ~ μ^t from 30 at the start
    assert None not in inside and max(inside) / min(inside) < 1.4, inside
    assert all(0.6 * expected < n < 1.6 * expected for n in inside), (inside, expected)
    assert first_below(slow) is None                    # below the plateau the rate matters again: > 600 steps


def test_no_stability_limit_for_adaptive_optimizers_or_non_quadratics():
    th = quadratic_theory(LINE_FIT)
    assert stability_limit(th, OptimizerSpec.make("adam")) is None
    assert stability_limit(th, OptimizerSpec.make("sgd", weight_decay=0.1)) is None
    assert stability_limit(None, OptimizerSpec.make("sgd")) is None
    assert momentum_plateau(th, OptimizerSpec.make("sgd")) is None
    assert momentum_plateau(th, OptimizerSpec.make("sgd", momentum=0.9, nesterov=True)) is None


# ---- study_table -----------------------------------------------------------------------

def test_study_table_uses_the_best_loss_of_the_sweep_when_no_optimum_is_known():
    prob = PurchaseProblem(model="logistic")
    res, raw = lr_sweep(prob, OptimizerSpec.make("sgd"), [0.01, 0.3, 3.0], steps=60, tol=0.01)
    t = study_table(res, raw, tol=0.01, tol_mode="gap")
    best = min(float(v) for v in res.loss.ravel() if math.isfinite(v))
    assert t.attrs["reference_kind"] == "best in sweep" and t.attrs["reference"] == best
    for i in range(3):
        losses = [float(v) for v in res.loss[:, i]]
        first = next((s for s in range(len(losses)) if all(v - best < 0.01 for v in losses[s:])), None)
        got = t["steps_to_converge"].iloc[i]
        assert (pd.isna(got) and first is None) or got == first
        assert t["status"].iloc[i] == ("converged" if first is not None else "not converged")
    assert t["final_gap"].tolist() == pytest.approx([losses_last - best for losses_last in res.loss[-1]])


def test_study_table_absolute_mode_and_known_optimum():
    res, raw = lr_sweep(LINE_FIT, OptimizerSpec.make("sgd"), [0.01, 0.1], steps=100, tol=1e-3, tol_mode="absolute")
    t = study_table(res, raw, 1e-3, "absolute")
    assert t.attrs["reference_kind"] == "zero" and (t["final_gap"] == t["final_loss"]).all()
    t = study_table(res, raw, 1e-3, "gap")
    assert t.attrs["reference_kind"] == "optimum" and t.attrs["reference"] == pytest.approx(0.0, abs=1e-20)


# ---- reading a table -------------------------------------------------------------------

def test_measured_edges():
    t = table([(0.001, "not converged", None), (0.01, "converged", 300), (0.05, "converged", 30),
               (0.1, "converged", 30), (0.2, "diverged", None), (1.0, "diverged", None)])
    e = measured_edges(t)
    assert (e["first_diverging"], e["last_stable"], e["fastest"], e["fastest_steps"]) == (0.2, 0.1, 0.05, 30)
    assert e["counts"] == {"converged": 3, "not converged": 1, "diverged": 2}
    none = measured_edges(table([(0.1, "not converged", None)]))
    assert none["first_diverging"] is None and none["fastest"] is None and none["last_stable"] == 0.1


def test_pick_curve_rates_roles():
    rates = list(np.logspace(-3, 0, 13))
    status = ["not converged"] * 3 + ["converged"] * 6 + ["diverged"] * 4
    steps = [None] * 3 + [900, 500, 300, 120, 60, 80] + [None] * 4
    picks = dict(pick_curve_rates(table(list(zip(rates, status, steps)))))
    assert picks["good"] == rates[7]                                   # fewest steps
    assert picks["too large"] == rates[9]                              # first diverging above it
    target = rates[7] / 10
    assert picks["too small"] == min(rates[:7], key=lambda r: abs(math.log(r / target)))


def test_pick_curve_rates_without_convergence_or_divergence():
    t = table([(0.01, "not converged", None, 0.5), (0.1, "not converged", None, 0.2),
               (1.0, "not converged", None, 0.3)])
    assert pick_curve_rates(t) == [("too small", 0.01), ("good", 0.1), ("too large", 1.0)]
    t = table([(0.01, "converged", 5), (0.1, "diverged", None)])
    assert pick_curve_rates(t) == [("good", 0.01), ("too large", 0.1)]           # nothing smaller to show
    assert pick_curve_rates(table([(0.1, "diverged", None), (1.0, "diverged", None)])) == [("too large", 0.1)]


def test_compare_with_article_verdicts():
    t = table([(0.001, "not converged", None), (0.01, "converged", 310), (0.1, "converged", 15),
               (1.0, "diverged", None), (10.0, "diverged", None)])
    cmp = compare_with_article(t, steps=2000, predicted={0.001: 17215.0, 0.01: 1720.0, 0.1: 170.0,
                                                          1.0: math.inf, 10.0: math.inf})
    assert cmp["verdict"].tolist() == ["✗ not converged within 2000 steps", "✓ agrees (within 25%)",
                                       "✗ 10× fewer steps", "✗ diverges here", "✓ diverges"]
    assert cmp["theory (worst case)"].tolist() == ["≤ 17215 steps", "≤ 1720 steps", "≤ 170 steps",
                                                   "diverges", "diverges"]
    v = article_verdict(t)
    assert v["agree"] == 2 and not v["holds"]
    assert v["speedups"][1] == (0.01, 0.1, 2.0, 310 / 15)


def test_article_verdict_holds_only_for_the_full_shape():
    t = table([(0.001, "converged", 900), (0.01, "converged", 400), (0.1, "converged", 100),
               (1.0, "converged", 40), (10.0, "diverged", None)])
    assert article_verdict(t)["holds"]
    t2 = t.copy()
    t2.loc[4, "status"] = "not converged"                   # 10 must diverge, not merely fail
    assert not article_verdict(t2)["holds"]
    t3 = t.copy()
    t3.loc[3, "steps_to_converge"] = 100                    # not strictly fewer
    assert not article_verdict(t3)["holds"]


def test_article_check_equals_a_per_run_reading_of_the_same_losses():
    opts = {"SGD": OptimizerSpec.make("sgd"), "Momentum": OptimizerSpec.make("sgd", momentum=0.9)}
    runs = [RunSpec(o.with_lr(lr)) for o in opts.values() for lr in ARTICLE_RATES]
    res = train(LINE_FIT, runs, TrainConfig(steps=400, dtype="float64"))
    m = article_check(res, list(opts), tols=(1e-1, 1e-3))
    assert len(m) == 4
    for _, row in m.iterrows():
        k = list(opts).index(row["optimizer"])
        for j, lr in enumerate(ARTICLE_RATES):
            i = k * 5 + j
            loss = res.loss[:, i]
            if res.diverged_at[i] >= 0:
                expected = "diverged"
            else:
                first = next((s for s in range(len(loss)) if np.all(loss[s:] < row["tolerance"])), None)
                expected = str(first) if first is not None else "> 400"
            assert row[f"{lr:g}"] == expected
        both = [lr for lr in ARTICLE_RATES[:4] if row[f"{lr:g}"].isdigit() and int(row[f"{lr:g}"]) > 0]
        assert row["compared"] == len(both)


# ---- schedules and the range-test check ----------------------------------------------------

def torch_rates(kind, spec, lr, steps):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    S = torch.optim.lr_scheduler
    sched = {"constant": lambda: None,
             "step": lambda: S.StepLR(opt, step_size=spec.step_size, gamma=0.1),
             "exponential": lambda: S.ExponentialLR(opt, gamma=0.01 ** (1 / steps)),
             "cosine": lambda: S.CosineAnnealingLR(opt, T_max=steps),
             "onecycle": lambda: S.OneCycleLR(opt, max_lr=lr, total_steps=steps, cycle_momentum=False)}[kind]()
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched is not None:
            sched.step()
    return out


@pytest.mark.parametrize("steps", [30, 301])
def test_schedule_specs_equal_torch_schedulers(steps):
    specs = schedule_specs(steps)
    assert list(specs) == ["constant", "step", "exponential", "cosine", "onecycle"]
    for kind, spec in specs.items():
        assert spec.lrs(0.2, steps) == pytest.approx(torch_rates(kind, spec, 0.2, steps), rel=1e-12, abs=1e-15), kind
    lrs = specs["step"].lrs(0.2, steps)
    assert lrs[-1] == pytest.approx(0.2 / 100)                              # lr, lr/10, lr/100
    assert specs["exponential"].lrs(0.2, steps + 1)[-1] == pytest.approx(0.2 / 100)


def test_schedule_and_verify_runs():
    runs = schedule_runs(OptimizerSpec.make("adam"), 0.05, 100, seed=4)
    assert [r.schedule.kind for r in runs] == ["constant", "step", "exponential", "cosine", "onecycle"]
    assert all(r.optimizer.lr == 0.05 and r.seed == 4 and r.optimizer.name == "adam" for r in runs)
    v = verify_runs(OptimizerSpec.make("sgd"), 0.02, seed=1)
    assert [r.optimizer.lr for r in v] == pytest.approx([0.002, 0.02, 0.2])
    assert [r.label.split(":")[0] for r in v] == ["÷ 10", "suggested", "× 10"]


# ---- a sweep whose start already meets the tolerance (issue 12) -------------------------

def loose_purchase_sweep(model):
    """The purchase problem swept with the page's loosest tolerance (10): its BCE starts
    near ln 2, so every rate is within the tolerance of the best loss before any step."""
    plan = plan_rates(1e-4, 1.0, 5)
    res, raw = lr_sweep(PurchaseProblem(model=model), OptimizerSpec.make("sgd"), plan.rates, steps=100, tol=10.0)
    return res, study_table(res, raw, 10.0, "gap")


@pytest.mark.parametrize("model", ["logistic", "mlp"])
def test_a_sweep_within_the_tolerance_from_the_start_has_no_fastest_rate_and_no_crash(model):
    res, t = loose_purchase_sweep(model)
    # Independent reading of the recorded losses: every run is within 10 of the best loss
    # at every step, step 0 included.
    finite = res.loss[np.isfinite(res.loss)]
    within = np.all(np.isfinite(res.loss) & (res.loss - finite.min() < 10.0), axis=0)
    assert within.all()
    e = measured_edges(t)
    assert e["at_start"] == res.n_runs and e["fastest"] is None and e["fastest_steps"] is None
    value, caption = fastest_headline(e, 100)
    assert value == "none" and "0 steps" not in caption
    assert caption.startswith(f"none: {res.n_runs} rates start within the tolerance (before any step)")
    cmp = compare_with_article(t, steps=100)              # was ZeroDivisionError at 1 / r
    assert cmp["measured here"].tolist() == ["0 steps: within the tolerance from the start"] * 5
    assert all(v.startswith("— nothing to compare") for v in cmp["verdict"][:4])
    assert cmp["verdict"].iloc[4] == "✗ does not diverge (stays within the tolerance from the start)"
    assert article_verdict(t)["agree"] == 0 and not article_verdict(t)["holds"]


def test_fastest_headline_on_a_real_sweep_names_the_rate_with_fewest_steps():
    rates = [0.01, 0.03, 0.1, 0.2]
    res, raw = lr_sweep(LINE_FIT, OptimizerSpec.make("sgd"), rates, steps=2000, tol=1e-3, dtype="float64")
    t = study_table(res, raw, 1e-3, "gap")
    # Independent count: the first step from which each run's loss stays below 1e-3.
    counts = []
    for i in range(res.n_runs):
        below = np.isfinite(res.loss[:, i]) & (res.loss[:, i] < 1e-3)
        counts.append(next((s for s in range(len(below)) if below[s:].all()), None))
    best = min((c, lr) for c, lr in zip(counts, t["lr"]) if c is not None)
    assert best[0] > 0
    assert fastest_headline(measured_edges(t), 2000) == (f"{best[1]:.4g}", f"{best[0]:,} steps")


def test_fastest_headline_without_any_converged_rate():
    res, raw = lr_sweep(LINE_FIT, OptimizerSpec.make("sgd"), [1e-4, 3.0], steps=20, tol=1e-6, dtype="float64")
    e = measured_edges(study_table(res, raw, 1e-6, "gap"))
    assert e["at_start"] == 0 and e["counts"]["converged"] == 0
    assert fastest_headline(e, 20) == ("none", "none within 20 steps")
