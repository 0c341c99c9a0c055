"""quadratic_theory: the Hessian and the rates it implies, checked two ways.

1. The numbers: the Hessian of each quadratic problem is rebuilt here independently
   (numpy for the line fit's (2/n)·ΦᵀΦ, autograd's second derivatives for the bowl) and
   its eigenvalues taken with numpy.linalg.eigvalsh.
2. The claims: theory says plain gradient descent diverges above 2/λmax and predicts the
   steps to converge. We *measure* both with dlcore.train and check that measurement and
   theory agree — including where the prediction is only a bound.
"""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from dlcore import LINE_FIT, STUDY_HOURS, LinearProblem, OptimizerSpec, RunSpec, SurfaceProblem, TrainConfig, train
from dlcore.theory import quadratic_theory


def line_hessian(x, standardize=False):
    """H of mean((w·x + b − y)²) in (w, b): (2/n)·ΦᵀΦ with Φ = [x, 1], in numpy."""
    x = np.asarray(x, dtype=np.float64)
    if standardize:
        x = (x - x.mean()) / x.std()          # population std, ddof=0
    phi = np.stack([x, np.ones_like(x)], axis=1)
    return 2.0 / len(x) * phi.T @ phi


def sgd_runs(lrs):
    return [RunSpec(OptimizerSpec.make("sgd", lr=float(lr))) for lr in lrs]


# --- the numbers --------------------------------------------------------------------

def test_line_fit_hessian_and_eigenvalues_match_numpy():
    H = line_hessian(LINE_FIT.x)
    np.testing.assert_allclose(H, [[15.0, 5.0], [5.0, 2.0]])     # (2/4)·[[Σx², Σx], [Σx, n]]
    ev = np.linalg.eigvalsh(H)
    th = quadratic_theory(LINE_FIT)
    np.testing.assert_allclose(th.hessian, H, rtol=1e-12)
    assert th.lambda_min == pytest.approx(ev[0], rel=1e-12)
    assert th.lambda_max == pytest.approx(ev[1], rel=1e-12)
    # Closed form of a 2×2 symmetric matrix's eigenvalues: (tr ± √(tr² − 4·det))/2.
    tr, det = 17.0, 15.0 * 2.0 - 5.0 ** 2
    assert th.lambda_max == pytest.approx((tr + math.sqrt(tr ** 2 - 4 * det)) / 2, rel=1e-12)
    assert th.lr_diverge == pytest.approx(2 / ev[1], rel=1e-12)
    assert th.lr_best == pytest.approx(2 / (ev[0] + ev[1]), rel=1e-12)
    assert th.condition == pytest.approx(ev[1] / ev[0], rel=1e-12)


def test_line_fit_hessian_equals_autograd_second_derivatives():
    x = torch.tensor(LINE_FIT.x, dtype=torch.float64)
    y = torch.tensor(LINE_FIT.y, dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda p: torch.mean((p[0] * x + p[1] - y) ** 2),
                                          torch.tensor([0.3, -0.7], dtype=torch.float64))
    np.testing.assert_allclose(quadratic_theory(LINE_FIT).hessian, H.numpy(), rtol=1e-12)


def test_contraction_factor_is_max_over_eigen_directions():
    th = quadratic_theory(LINE_FIT)
    lam = np.linalg.eigvalsh(line_hessian(LINE_FIT.x))
    lrs = np.array([0.001, 0.05, th.lr_best, 0.119, 0.2])
    expected = np.max(np.abs(1 - lrs[:, None] * lam[None, :]), axis=1)
    np.testing.assert_allclose(th.contraction(lrs), expected, rtol=1e-12)
    # At the best rate both directions contract alike, by (κ − 1)/(κ + 1).
    k = lam[1] / lam[0]
    assert th.contraction(th.lr_best) == pytest.approx((k - 1) / (k + 1), rel=1e-12)
    assert np.all(th.contraction(lrs) >= th.contraction(th.lr_best) - 1e-15)


def test_study_hours_raw_is_ill_conditioned_standardized_is_round():
    raw = quadratic_theory(STUDY_HOURS)
    ev = np.linalg.eigvalsh(line_hessian(STUDY_HOURS.x))
    assert raw.lambda_max == pytest.approx(ev[1], rel=1e-12)
    assert raw.lambda_min == pytest.approx(ev[0], rel=1e-9)
    assert raw.condition > 1000          # x in 10..40 next to the constant column 1

    std = quadratic_theory(replace(STUDY_HOURS, standardize=True))
    # Standardised x (population std) has Σx' = 0 and Σx'² = n, so ΦᵀΦ = n·I and H = 2·I.
    np.testing.assert_allclose(line_hessian(STUDY_HOURS.x, standardize=True), 2 * np.eye(2), atol=1e-12)
    np.testing.assert_allclose(std.hessian, 2 * np.eye(2), atol=1e-12)
    assert std.condition == pytest.approx(1.0, abs=1e-12)
    assert std.lr_diverge == pytest.approx(1.0, rel=1e-12)


def test_bowl_eigenvalues_are_1_and_25_from_autograd():
    p = SurfaceProblem("bowl")
    f = p.definition.f
    H = torch.autograd.functional.hessian(lambda v: f(v[0], v[1]), torch.tensor([0.7, -1.3], dtype=torch.float64))
    ev = np.linalg.eigvalsh(H.numpy())
    np.testing.assert_allclose(ev, [1.0, 25.0], rtol=1e-12)
    th = quadratic_theory(p)
    assert (th.lambda_min, th.lambda_max) == pytest.approx((1.0, 25.0))
    assert th.condition == pytest.approx(25.0)


@pytest.mark.parametrize("problem", [
    SurfaceProblem("saddle"),                       # eigenvalues 2 and −2: no minimum
    SurfaceProblem("rosenbrock"),                   # not quadratic
    SurfaceProblem("custom", expression="x**2 + 3*y**2"),
    LinearProblem(loss="mae"),                      # not quadratic
    LinearProblem(loss="huber"),
    replace(STUDY_HOURS, loss="rmse"),
])
def test_no_quadratic_theory_for_other_problems(problem):
    assert quadratic_theory(problem) is None


# --- measurement agrees with the theory --------------------------------------------

def test_divergence_threshold_is_2_over_lambda_max_when_measured():
    lam_max = np.linalg.eigvalsh(line_hessian(LINE_FIT.x))[-1]
    edge = 2 / lam_max
    res = train(LINE_FIT, sgd_runs([0.98 * edge, 1.02 * edge]), TrainConfig(steps=500))
    # Just below the edge: the steep direction flips sign every step but shrinks (|1−ηλ| = 0.96).
    assert res.diverged_at[0] == -1
    assert res.loss[-1, 0] < 1e-6
    assert res.converged_at()[0] >= 0
    # Just above: |1 − ηλmax| = 1.04 > 1, the error grows geometrically until it is flagged.
    assert res.diverged_at[1] > 0
    s = res.summary()
    assert math.isnan(s["final_loss"][1])


def eigen_start(direction, gap):
    """A start θ* + s·v (v a unit eigenvector of the line fit's H) whose loss gap ½λs² is ``gap``."""
    w_star, b_star = np.polyfit(LINE_FIT.x, LINE_FIT.y, 1)
    lam, vecs = np.linalg.eigh(line_hessian(LINE_FIT.x))
    v, s = vecs[:, direction], math.sqrt(2 * gap / lam[direction])
    return (float(w_star + s * v[0]), float(b_star + s * v[1]))


def test_best_rate_has_the_best_worst_case_over_starts():
    """2/(λmax+λmin) minimises the *worst case* over starts with the same initial loss gap:
    from a start along either eigenvector (both with gap 30), the slower of the two runs is
    fastest at the best rate. (From the default start (0, 0), whose error lies mostly along
    the steep direction, a larger rate such as 0.9·2/λmax is faster — see the next test;
    theory only claims the worst case.)"""
    th = quadratic_theory(LINE_FIT)
    lrs = [0.5 * th.lr_best, th.lr_best, 0.5 * (th.lr_best + th.lr_diverge), 0.95 * th.lr_diverge]
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=lr), start=eigen_start(d, 30.0)) for d in (0, 1) for lr in lrs]
    res = train(LINE_FIT, runs, TrainConfig(steps=800, dtype="float64", tol=1e-8))
    conv = res.converged_at().reshape(2, len(lrs))
    assert (conv >= 0).all()
    worst = conv.max(axis=0)
    assert worst[1] == worst.min()
    assert worst[1] < worst[0] and worst[1] < worst[2] and worst[1] < worst[3]


def test_from_the_default_start_a_larger_rate_beats_the_best_rate():
    th = quadratic_theory(LINE_FIT)
    lrs = [0.5 * th.lr_best, th.lr_best, 0.9 * th.lr_diverge]
    res = train(LINE_FIT, sgd_runs(lrs), TrainConfig(steps=600, dtype="float64", tol=1e-8))
    c = res.converged_at()
    assert (c >= 0).all()
    assert c[1] < c[0]          # the best rate beats half of it
    assert c[2] < c[1]          # ...but not a rate past it: the worst case is not this start


def gap_along_eigenvectors(start, problem=LINE_FIT):
    """Initial loss gap ½·λ_i·c_i² along each eigenvector (sums to the whole gap)."""
    w_star, b_star = np.polyfit(problem.x, problem.y, 1)
    lam, vecs = np.linalg.eigh(line_hessian(problem.x))
    c = vecs.T @ (np.asarray(start) - [w_star, b_star])
    return lam, 0.5 * lam * c ** 2


@pytest.mark.parametrize("tol", [1e-4, 1e-7])
def test_predicted_steps_bound_the_measured_steps(tol):
    """predicted_steps is a worst-case estimate; how close it is can be derived.

    With e_t = θ_t − θ* and the eigenvectors v_i of H, GD gives e_t = (I − ηH)^t e_0, so the
    loss gap is G_t = Σ_i g_i·(1 − ηλ_i)^(2t) with g_i = ½λ_i(v_iᵀe_0)² (Σ g_i = G_0):

    * upper bound: G_t ≤ ρ^(2t)·G_0, ρ = max_i |1 − ηλ_i|, so G_t < tol once t reaches the
      predicted ⌈ln(tol/G_0) / (2 ln ρ)⌉  ⇒  measured ≤ predicted;
    * lower bound: G_t ≥ g_s·ρ^(2t) for the direction s that attains ρ, so G_t ≥ tol while
      t < ln(tol/g_s)/(2 ln ρ)  ⇒  measured ≥ predicted − ln(G_0/g_s)/(2 ln(1/ρ)) − 1.

    G_t decreases monotonically, so "first step below tol" = "first step from which it
    stays below tol" = converged_at in gap mode. Float64 keeps rounding out of it.
    """
    th = quadratic_theory(LINE_FIT)
    lrs = np.array([0.02, 0.05, 0.1, 0.115, 0.119])   # below and above η* = 0.1176
    res = train(LINE_FIT, sgd_runs(lrs), TrainConfig(steps=2000, dtype="float64", tol=tol, tol_mode="gap"))
    measured = res.converged_at()
    lam, g = gap_along_eigenvectors(LINE_FIT.start)
    G0 = g.sum()
    assert G0 == pytest.approx(res.loss[0, 0], rel=1e-12)         # 30 at w = b = 0
    predicted = th.predicted_steps(lrs, G0, tol)
    for lr, m, p in zip(lrs, measured, predicted):
        rates = np.abs(1 - lr * lam)
        s = int(np.argmax(rates))
        rho = rates[s]
        slack = math.log(G0 / g[s]) / (2 * math.log(1 / rho))
        assert m >= 0
        assert m <= p, (lr, m, p)
        assert m >= p - slack - 1, (lr, m, p, slack)
        # Independent of the bound: a plain loop over the closed form G_t.
        t = 0
        while (g * rates ** (2 * t)).sum() >= tol:
            t += 1
        assert m == t
    # The estimate is honest in size too: never more than a factor 2 off here.
    assert np.all(measured >= 0.5 * predicted)


def test_predicted_steps_infinite_at_or_past_the_edge():
    th = quadratic_theory(LINE_FIT)
    out = th.predicted_steps([th.lr_diverge * 1.01, 1.0], 30.0, 1e-3)
    assert np.isinf(out).all()
    # A start already within tolerance needs no step.
    assert th.predicted_steps(0.05, 1e-6, 1e-3) == 0
