"""line_report, loss_grid and LinearProblem.least_squares against hand computation,
scikit-learn and numpy.polyfit."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from sklearn.metrics import mean_absolute_error, mean_squared_error, root_mean_squared_error

from dlcore import LINE_FIT, STUDY_HOURS, LinearProblem, SumOfThree, SurfaceProblem
from dlcore.lines import grid_axes, line_report, loss_grid

HOURS = (10, 20, 30, 40)
SCORES = (480, 520, 710, 680)


def huber(r, delta):
    """Mean Huber loss written out: ½r² inside ±δ, δ(|r| − ½δ) outside."""
    r = np.abs(np.asarray(r, dtype=np.float64))
    return float(np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))))


def test_article_example_predictions_and_mse():
    table, losses = line_report(HOURS, SCORES, 9, 350)
    assert table["prediction"].tolist() == [440.0, 530.0, 620.0, 710.0]       # 9x + 350
    assert table["residual"].tolist() == [40.0, -10.0, 90.0, -30.0]            # y − ŷ
    # By hand: (40² + 10² + 90² + 30²)/4 = (1600 + 100 + 8100 + 900)/4 = 10700/4.
    assert losses["MSE"] == 2675.0
    # The article states 2550 for this line; that is not the mean squared error
    # nn.MSELoss / F.mse_loss compute for these points.
    assert losses["MSE"] != 2550
    assert table["squared_error"].tolist() == [1600.0, 100.0, 8100.0, 900.0]
    assert table["abs_error"].tolist() == [40.0, 10.0, 90.0, 30.0]
    assert losses["RMSE"] == pytest.approx(math.sqrt(2675.0), rel=1e-15)
    assert losses["MAE"] == (40 + 10 + 90 + 30) / 4
    # Every residual is far beyond δ = 1: Huber is δ(|r| − ½δ) averaged = MAE − 0.5.
    assert losses["Huber"] == pytest.approx((40 + 10 + 90 + 30) / 4 - 0.5, rel=1e-15)


def test_line_report_agrees_with_sklearn():
    pred = 9 * np.array(HOURS, dtype=float) + 350
    _, losses = line_report(HOURS, SCORES, 9, 350)
    assert losses["MSE"] == pytest.approx(mean_squared_error(SCORES, pred), rel=1e-15)
    assert losses["RMSE"] == pytest.approx(root_mean_squared_error(SCORES, pred), rel=1e-15)
    assert losses["MAE"] == pytest.approx(mean_absolute_error(SCORES, pred), rel=1e-15)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0, 35.0, 100.0])
def test_huber_against_the_formula_on_mixed_residuals(delta):
    x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    y = [0.3, 2.9, 1.2, 40.0, -0.7, 5.4]
    slope, intercept = 1.1, -0.2
    r = np.array(y) - (slope * np.array(x) + intercept)
    _, losses = line_report(x, y, slope, intercept, huber_delta=delta)
    assert losses["Huber"] == pytest.approx(huber(r, delta), rel=1e-12)
    # Huber is between ½·MSE-like and MAE-like behaviour: equal to ½·MSE when all |r| ≤ δ.
    if np.all(np.abs(r) <= delta):
        assert losses["Huber"] == pytest.approx(0.5 * losses["MSE"], rel=1e-12)
    assert losses["MSE"] == pytest.approx(mean_squared_error(y, y - r), rel=1e-12)
    assert losses["MAE"] == pytest.approx(mean_absolute_error(y, y - r), rel=1e-12)


def test_line_report_rejects_mismatched_or_empty_input():
    with pytest.raises(ValueError):
        line_report([1, 2, 3], [1, 2], 1, 0)
    with pytest.raises(ValueError):
        line_report([], [], 1, 0)


@pytest.mark.parametrize("problem", [LINE_FIT, STUDY_HOURS,
                                     LinearProblem(x=(0.5, 1.7, 2.2, 3.9, 5.0), y=(1.0, 0.2, 2.5, 2.0, 4.4))])
def test_least_squares_matches_polyfit(problem):
    w, b, mse = problem.least_squares()
    pw, pb = np.polyfit(problem.x, problem.y, 1)
    assert w == pytest.approx(pw, rel=1e-10, abs=1e-12)
    assert b == pytest.approx(pb, rel=1e-10, abs=1e-12)
    resid = np.array(problem.y) - np.polyval([pw, pb], problem.x)
    assert mse == pytest.approx(np.mean(resid ** 2), rel=1e-9, abs=1e-20)


def test_least_squares_standardized_is_polyfit_on_standardized_x():
    p = replace(STUDY_HOURS, standardize=True)
    x = np.array(p.x)
    xs = (x - x.mean()) / x.std()
    pw, pb = np.polyfit(xs, p.y, 1)
    w, b, mse = p.least_squares()
    assert (w, b) == pytest.approx((pw, pb), rel=1e-10)
    assert mse == pytest.approx(STUDY_HOURS.least_squares()[2], rel=1e-12)  # same fit, other scale
    # Mapping back to the original x scale gives the raw fit.
    assert p.build(torch.float64).to_original(w, b) == pytest.approx(
        tuple(np.polyfit(x, p.y, 1)), rel=1e-10)


def test_loss_grid_values_shape_and_corners():
    window = (-1.0, 4.0, -3.0, 2.0)
    n = 7
    g = loss_grid(STUDY_HOURS, window, n=n)
    assert len(g) == n * n
    assert list(g.columns) == ["p0", "p1", "loss"]
    assert g["p0"].min() == window[0] and g["p0"].max() == window[1]
    assert g["p1"].min() == window[2] and g["p1"].max() == window[3]
    corners = {(window[0], window[2]), (window[0], window[3]), (window[1], window[2]), (window[1], window[3])}
    assert corners <= set(zip(g["p0"], g["p1"]))
    assert len(set(zip(g["p0"], g["p1"]))) == n * n
    x, y = np.array(STUDY_HOURS.x), np.array(STUDY_HOURS.y)
    for _, row in g.sample(10, random_state=0).iterrows():
        m, c = row["p0"], row["p1"]
        assert row["loss"] == pytest.approx(np.mean((m * x + c - y) ** 2), rel=1e-12)
    for m, c in corners:
        v = g.loc[(g["p0"] == m) & (g["p1"] == c), "loss"].item()
        assert v == pytest.approx(np.mean((m * x + c - y) ** 2), rel=1e-12)
    a, b = grid_axes(window, n)
    assert np.array_equal(np.unique(g["p0"]), a) and np.array_equal(np.unique(g["p1"]), b)


def test_loss_grid_of_a_surface_and_other_losses():
    g = loss_grid(SurfaceProblem("bowl"), (-2.0, 2.0, -1.0, 1.0), n=5)
    np.testing.assert_allclose(g["loss"], 0.5 * (g["p0"] ** 2 + 25 * g["p1"] ** 2), rtol=1e-12)
    mae = LinearProblem(loss="mae")
    g = loss_grid(mae, (0.0, 3.0, -1.0, 1.0), n=4)
    x, y = np.array(mae.x), np.array(mae.y)
    expected = [np.mean(np.abs(w * x + b - y)) for w, b in zip(g["p0"], g["p1"])]
    np.testing.assert_allclose(g["loss"], expected, rtol=1e-12)


def test_loss_grid_rejects_bad_input():
    with pytest.raises(ValueError):
        loss_grid(LINE_FIT, (0, 1, 0, 1), n=1)
    with pytest.raises(ValueError):
        loss_grid(LINE_FIT, (0, 1, 0, 1), n=401)
    with pytest.raises(ValueError, match="two parameters"):
        loss_grid(SumOfThree(), (0, 1, 0, 1), n=3)


# ---- any data, 2 … 10,000 rows (issue 17): every number against numpy / scikit-learn ----------------------
def _data(n, seed, scale_x=1.0, scale_y=1.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 7, n) * scale_x
    y = (2.5 * x / scale_x - 4 + rng.standard_t(3, n)) * scale_y
    return tuple(x.tolist()), tuple(y.tolist())


@pytest.mark.parametrize("n,seed,sx,sy", [(2, 0, 1, 1), (3, 1, 1e-3, 1e4), (37, 2, 1, 1), (1000, 3, 1e3, 1e-2),
                                          (10_000, 4, 1, 1), (10_000, 5, 50, 1e5)])
def test_losses_and_the_best_line_of_any_data(n, seed, sx, sy):
    x, y = _data(n, seed, sx, sy)
    xa, ya = np.array(x), np.array(y)
    # The least-squares line in closed form (float64 normal equations on centred x), and a line off it.
    xm, ym = xa.mean(), ya.mean()
    m_ref = float(np.sum((xa - xm) * (ya - ym)) / np.sum((xa - xm) ** 2))
    c_ref = float(ym - m_ref * xm)
    mse_ref = float(np.mean((ya - (m_ref * xa + c_ref)) ** 2))
    m_star, c_star, mse_star = LinearProblem(x=x, y=y).least_squares()
    assert (m_star, c_star) == pytest.approx((m_ref, c_ref), rel=1e-9, abs=1e-9 * (abs(ym) + 1))
    assert mse_star == pytest.approx(mse_ref, rel=1e-9)
    m, c = 0.8 * m_ref, c_ref + float(np.std(ya))
    table, losses = line_report(x, y, m, c, huber_delta=0.7 * float(np.std(ya)) or 1.0)
    pred = m * xa + c
    assert losses["MSE"] == pytest.approx(mean_squared_error(ya, pred), rel=1e-12)
    assert losses["RMSE"] == pytest.approx(root_mean_squared_error(ya, pred), rel=1e-12)
    assert losses["MAE"] == pytest.approx(mean_absolute_error(ya, pred), rel=1e-12)
    assert losses["Huber"] == pytest.approx(huber(ya - pred, 0.7 * float(np.std(ya)) or 1.0), rel=1e-12)
    assert len(table) == n and np.allclose(table["residual"], ya - pred, rtol=1e-12, atol=0)


def test_losses_that_overflow_are_inf_not_an_exception():
    _, losses = line_report((1.0, 2.0, 3.0), (1e200, -1e200, 3e200), 0.0, 0.0)
    assert math.isinf(losses["MSE"]) and math.isinf(losses["RMSE"])
    assert losses["MAE"] == pytest.approx(np.mean(np.abs([1e200, -1e200, 3e200])))


@pytest.mark.parametrize("n,seed", [(2, 0), (40, 1), (10_000, 2)])
def test_mse_grid_is_the_mean_squared_error_of_every_line(n, seed):
    from dlcore.lines import mse_grid
    rng = np.random.default_rng(seed)
    x = rng.normal(1e3, 50, n)
    y = 0.4 * x + rng.normal(0, 3, n) + 2e4
    slope, intercept = np.polyfit(x, y, 1)
    window = (slope - 1, slope + 1, intercept - 500, intercept + 500)
    g = mse_grid(x, y, window, 9)
    assert len(g) == 81
    for m, c, loss in g.sample(12, random_state=0).itertuples(index=False):
        assert loss == pytest.approx(float(np.mean((y - (m * x + c)) ** 2)), rel=1e-9)
    # at the best line the grid's formula still gives the residual variance (no cancellation)
    best = mse_grid(x, y, (slope, slope, intercept, intercept), 2)["loss"].iloc[0]
    assert best == pytest.approx(float(np.mean((y - (slope * x + intercept)) ** 2)), rel=1e-7)
