"""dlcore.line_explorer: learner-edited points, slider ranges, standardised lines, loss
shares and the loss script — checked against numpy / torch computed here."""
import contextlib
import io
import math

import numpy as np
import pytest
import torch

from dlcore import LinearProblem, OptimizerSpec, RunSpec, TrainConfig, train
from dlcore.line_explorer import loss_script, loss_shares, parse_points, path_to_original, slider_ranges, to_model

HOURS, SCORES = (10.0, 20.0, 30.0, 40.0), (480.0, 520.0, 710.0, 680.0)


def test_clean_cells_of_any_type():
    x, y, notes = parse_points([10, "20", 30.0, np.float32(40)], ["480", 520, " 710 ", np.int64(680)])
    assert (x, y, notes) == (HOURS, SCORES, [])


def test_empty_rows_are_skipped_and_reported():
    x, y, notes = parse_points([10, None, 20, float("nan")], [1, None, 2, ""])
    assert (x, y) == ((10.0, 20.0), (1.0, 2.0))
    assert notes == ["Empty rows 2, 4 not used yet."]


@pytest.mark.parametrize("xs,ys,message", [
    ([10, None, 30], [1, 2, 3], "Row 2: the hours cell is empty"),
    ([10, 20, 30], [1, "abc", 3], "Row 2: the score value is not a number"),
    ([10, "1e400", 30], [1, 2, 3], "Row 2: the hours value must be a number between"),
    ([10, 20, 30], [1, 2, 5e7], "Row 3: the score value must be a number between"),
    ([10], [1], "at least two points; the table has 1"),
    ([], [], "at least two points; the table has 0"),
    ([3, 3, 3], [1, 2, 3], "All hours values are equal"),
    ([1, 2], [1, 2, 3], "different lengths"),
    (list(range(51)), list(range(51)), "At most 50 points"),
    ([True, 2], [1, 2], "Row 1: the hours value is not a number"),
])
def test_bad_tables_get_a_message_naming_the_row(xs, ys, message):
    with pytest.raises(ValueError, match=message):
        parse_points(xs, ys)


def test_slider_ranges_hold_the_best_line_and_the_lines_asked_for():
    r = slider_ranges(HOURS, SCORES, lines=[(9, 350)])
    slope, intercept = np.polyfit(HOURS, SCORES, 1)
    assert r.m_lo < slope < r.m_hi and r.c_lo < intercept < r.c_hi
    assert r.m_lo <= 9 <= r.m_hi and r.c_lo <= 350 <= r.c_hi
    # 9 and 350 sit on the sliders' grids, so the article's line can be picked exactly.
    assert math.isclose((9 - r.m_lo) / r.m_step, round((9 - r.m_lo) / r.m_step), abs_tol=1e-9)
    assert math.isclose((350 - r.c_lo) / r.c_step, round((350 - r.c_lo) / r.c_step), abs_tol=1e-9)
    far = slider_ranges(HOURS, SCORES, lines=[(-500, 1e5)])
    assert far.m_lo <= -500 and far.c_hi >= 1e5


@pytest.mark.parametrize("x,y", [((1, 2), (5, 5)), ((0, 1e4), (-1e6, 1e6)), ((0.001, 0.002, 0.003), (1, 2, 2))])
def test_slider_ranges_for_unusual_data_are_sane(x, y):
    r = slider_ranges(x, y)
    assert r.m_lo < r.m_hi and r.c_lo < r.c_hi and r.m_step > 0 and r.c_step > 0
    assert (r.m_hi - r.m_lo) / r.m_step <= 1000 and (r.c_hi - r.c_lo) / r.c_step <= 1000


def test_to_model_and_back_is_the_identity_and_predicts_the_same():
    p = LinearProblem(x=HOURS, y=SCORES, standardize=True)
    w, b = to_model(p, 9.0, 350.0)
    x = np.array(HOURS)
    xs = (x - x.mean()) / x.std()
    np.testing.assert_allclose(w * xs + b, 9 * x + 350)
    np.testing.assert_allclose(path_to_original(p, np.array([[w, b]])), [[9.0, 350.0]])
    obj = p.build(torch.float64)
    assert obj.to_original(w, b) == pytest.approx((9.0, 350.0))


def test_standardised_gradient_descent_mapped_back_equals_a_plain_loop():
    """One step of lr 0.5 on standardised hours lands on the least-squares line (H = 2·I)."""
    base = LinearProblem(x=HOURS, y=SCORES, standardize=True)
    p = LinearProblem(x=HOURS, y=SCORES, standardize=True, start=to_model(base, 9.0, 350.0))
    res = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=0.5))], TrainConfig(steps=1, dtype="float64"))
    m, c = path_to_original(p, res.final_params[0])
    slope, intercept = np.polyfit(HOURS, SCORES, 1)
    assert (m, c) == pytest.approx((slope, intercept), abs=1e-9)


def test_loss_shares_match_a_hand_computation():
    sh = loss_shares(HOURS, SCORES, 9, 350, huber_delta=50.0)
    r = np.array(SCORES) - (9 * np.array(HOURS) + 350)            # 40, -10, 90, -30
    huber = np.where(np.abs(r) <= 50, 0.5 * r ** 2, 50 * (np.abs(r) - 25))
    for name, terms in (("MSE", r ** 2), ("MAE", np.abs(r)), ("Huber", huber)):
        got = sh[sh["loss"] == name].sort_values("point")["share"].to_numpy()
        np.testing.assert_allclose(got, terms / terms.sum())
    assert sh[sh["loss"] == "MSE"]["share"].max() == pytest.approx(8100 / 10700)
    assert (loss_shares(HOURS, [9 * h + 350 for h in HOURS], 9, 350)["share"] == 0).all()


def test_loss_script_prints_the_articles_loss():
    src = loss_script(HOURS, SCORES, 9, 350, huber_delta=1.0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(src, "study_hours_loss.py", "exec"), {})
    text = out.getvalue()
    assert "Predictions: [440.0, 530.0, 620.0, 710.0]" in text
    assert "MSE: 2675.00" in text and "RMSE: 51.7204" in text and "MAE: 42.5000" in text
    assert "Huber: 42.0000" in text              # |r| > δ everywhere: mean(|r|) − δ/2


def _plain_sgd_losses(x, y, m0, c0, lr, steps):
    """Plain torch.optim.SGD on the MSE from (m0, c0), float64: the loss before each step and after the last."""
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    w = torch.tensor([m0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([c0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    out = []
    for _ in range(steps + 1):
        opt.zero_grad()
        loss = torch.mean((w * xt + b - yt) ** 2)
        out.append(loss.item())
        loss.backward()
        opt.step()
    return np.array(out)


def test_rate_outcomes_classify_real_runs():
    from dlcore.line_explorer import rate_outcomes
    rates, steps = (1e-4, 1e-3, 1.3e-3, 2e-3, 5e-3), 200
    problem = LinearProblem(x=HOURS, y=SCORES, start=(9.0, 350.0))
    res = train(problem, tuple(RunSpec(OptimizerSpec.make("sgd", lr=r)) for r in rates),
                TrainConfig(steps=steps, dtype="float64"))
    slope, icpt = np.polyfit(HOURS, SCORES, 1)
    best = float(np.mean((np.array(SCORES) - slope * np.array(HOURS) - icpt) ** 2))
    out = rate_outcomes(res, rates, best, "raw hours")
    assert list(out["lr"]) == list(rates) and set(out["scale"]) == {"raw hours"}
    lam_max = np.linalg.eigvalsh(2 / 4 * np.stack([HOURS, np.ones(4)], 1).T @ np.stack([HOURS, np.ones(4)], 1))[-1]
    for row in out.itertuples():
        ref = _plain_sgd_losses(HOURS, SCORES, 9.0, 350.0, row.lr, steps)
        if row.lr > 2 / lam_max:
            assert row.status in ("diverged", "growing") and (math.isnan(row.gap) or ref[-1] > ref[0])
        else:
            assert row.status == "still descending" and row.diverged_at == -1
            assert row.gap == pytest.approx(ref[-1] - best, rel=1e-9)


def test_rate_outcomes_found_it_on_standardised_hours():
    from dlcore.line_explorer import rate_outcomes
    problem = LinearProblem(x=HOURS, y=SCORES, standardize=True, start=(0.0, 0.0))
    res = train(problem, (RunSpec(OptimizerSpec.make("sgd", lr=0.5)),), TrainConfig(steps=1, dtype="float64"))
    slope, icpt = np.polyfit(HOURS, SCORES, 1)
    best = float(np.mean((np.array(SCORES) - slope * np.array(HOURS) - icpt) ** 2))
    out = rate_outcomes(res, (0.5,), best, "standardised hours")
    assert out["status"].iloc[0] == "within 0.01" and abs(out["gap"].iloc[0]) < 1e-6


def test_points_frame_pads_the_shorter_column():
    from dlcore.line_explorer import points_frame
    f = points_frame((1.0, 2.0, 3.0), (4.0, 5.0))
    assert list(f.columns) == ["hours", "score"] and len(f) == 3
    assert f["score"].isna().tolist() == [False, False, True]


# ---- any data (issue 17): rates that follow the Hessian, overflow, slider ranges, drawing -------------------
from dlcore.line_explorer import LINE_LIMIT, MAX_DRAWN, drawn_sample, gd_rates, too_large  # noqa: E402


def _limit(x):
    """2/λmax of the MSE's Hessian (2/n)·ΦᵀΦ, Φ = [x, 1], by numpy."""
    x = np.asarray(x, dtype=np.float64)
    phi = np.stack([x, np.ones_like(x)], axis=1)
    return 2 / np.linalg.eigvalsh(2 / len(x) * phi.T @ phi)[-1]


def test_rates_for_the_articles_hours_are_the_pages_original_set():
    old = {1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0,
           0.0012, 0.0013, 0.0014, 0.0015, 0.9, 1.1, 1.5}
    assert set(gd_rates(_limit(HOURS), 1.0)) == old


@pytest.mark.parametrize("scale", [1e-3, 1.0, 37.0, 1e3, 1e5])
def test_rates_follow_the_stability_limit_and_it_is_where_descent_diverges(scale):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 10, 500) * scale
    y = 3 * x / scale + rng.normal(0, 1, 500)
    lim = _limit(x)
    rates = gd_rates(lim, 1.0)
    assert rates == tuple(sorted(set(rates))) and rates[-1] == 2.0
    assert rates[0] <= lim / 100 and rates[0] <= 1e-5
    near = [r for r in rates if 0.85 * lim <= r <= 1.2 * lim]
    assert any(r < lim for r in near) and any(r > lim for r in near)          # rates on both sides of it

    def final_gap(lr, steps=400):         # plain torch.optim.SGD on the MSE from the line (0, 0)
        xt, yt = torch.tensor(x), torch.tensor(y)
        w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=lr)
        with torch.no_grad():
            start = float(torch.mean((yt) ** 2))
        for _ in range(steps):
            opt.zero_grad()
            torch.mean((w[0] * xt + w[1] - yt) ** 2).backward()
            opt.step()
        with torch.no_grad():
            return float(torch.mean((w[0] * xt + w[1] - yt) ** 2)), start
    below, start = final_gap(max(r for r in near if r < lim))
    above, _ = final_gap(min(r for r in near if r > lim))
    assert below < start and not (above < start)                     # the limit separates the two


def test_too_large_says_what_overflows():
    assert too_large(HOURS, SCORES) is None
    assert too_large((0.0, 1e4), (-1e6, 1e6)) is None
    msg = too_large((1.0, 2.0, 3.0), (1e200, 2e200, 1.0))
    assert "overflow" in msg and "2e+200" in msg and "Divide" in msg
    assert "x values are too large" in too_large((1e160, 2e160), (1.0, 2.0))
    assert "beyond" in too_large((0.0, 1.0), (0.0, 1e17))                       # slope past the sliders' limit
    assert too_large((0.0, 1.0), (0.0, LINE_LIMIT / 1e3)) is None


def test_drawn_sample_is_fixed_sorted_and_complete_when_small():
    assert drawn_sample(10).tolist() == list(range(10))
    a, b = drawn_sample(10_000), drawn_sample(10_000)
    assert len(a) == MAX_DRAWN and (a == b).all() and (np.diff(a) > 0).all() and a[-1] < 10_000


@pytest.mark.parametrize("n,seed", [(2, 0), (10, 1), (500, 2), (10_000, 3)])
def test_slider_ranges_of_random_data_hold_the_best_line(n, seed):
    rng = np.random.default_rng(seed)
    sx, sy = 10.0 ** rng.uniform(-3, 4), 10.0 ** rng.uniform(-3, 5)
    x = rng.normal(5, 2, n) * sx
    y = (rng.normal(0, 1, n) - 0.7 * x / sx) * sy
    slope, intercept = np.polyfit(x, y, 1)
    r = slider_ranges(tuple(x), tuple(y))
    assert r.m_lo < slope < r.m_hi and r.c_lo < intercept < r.c_hi
    assert 10 <= (r.m_hi - r.m_lo) / r.m_step <= 1000 and 10 <= (r.c_hi - r.c_lo) / r.c_step <= 1000


def test_loss_shares_of_many_points_sum_to_one():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, 5000), rng.normal(0, 1, 5000)
    sh = loss_shares(x, y, 0.3, 0.1, 0.5)
    r = y - (0.3 * x + 0.1)
    mse = sh[sh["loss"] == "MSE"]
    np.testing.assert_allclose(mse["share"], r ** 2 / np.sum(r ** 2), rtol=1e-12)
    for name in ("MSE", "MAE", "Huber"):
        assert sh[sh["loss"] == name]["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("scale", [1e-9, 1e9])
def test_slider_ranges_resolve_data_of_any_size(scale):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 3.0, 2.0, 5.0]) * scale
    slope, intercept = np.polyfit(x, y, 1)
    r = slider_ranges(tuple(x), tuple(y))
    assert r.m_lo < slope < r.m_hi and r.c_lo < intercept < r.c_hi
    # the sliders' steps are small next to the data's own numbers: the best line can be approached
    assert r.m_step < abs(slope) / 10 and r.c_step < np.std(y) / 10
    assert r.m_hi - r.m_lo < 100 * abs(slope) and r.c_hi - r.c_lo < 100 * np.ptp(y)
