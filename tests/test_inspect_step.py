"""dlcore.inspect_step against the article's own loop and hand-derived gradients.

References are independent of dlcore: the article's float32 loop written out with plain
tensors (w -= lr * w.grad), and the MSE gradient derived by hand,
∂L/∂w = (2/n)·Σ(w·x + b − y)·x, ∂L/∂b = (2/n)·Σ(w·x + b − y), in numpy float64.
"""
import dataclasses

import numpy as np
import pytest
import torch

from dlcore import LINE_FIT, STUDY_HOURS, SurfaceProblem
from dlcore.inspect_step import article_fact_check, epoch_table, first_within, line_step

X = np.array([1.0, 2.0, 3.0, 4.0])
Y = 2 * X


def article_loop(epochs, lr=0.01, w0=0.0, b0=0.0):
    """The article's code, verbatim apart from recording every epoch."""
    x_data = torch.tensor([1.0, 2.0, 3.0, 4.0])
    y_data = torch.tensor([2.0, 4.0, 6.0, 8.0])
    w = torch.tensor([w0], requires_grad=True)
    b = torch.tensor([b0], requires_grad=True)
    rows = []
    for epoch in range(epochs):
        y_pred = w * x_data + b
        loss = torch.mean((y_pred - y_data) ** 2)
        loss.backward()
        rows.append((epoch, w.item(), b.item(), loss.item(), w.grad.item(), b.grad.item()))
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return rows, w.item(), b.item()


def hand_gradient(w, b, x=X, y=Y):
    r = w * x + b - y
    return 2 / len(x) * np.sum(r * x), 2 / len(x) * np.sum(r), np.mean(r ** 2)


def test_first_epoch_of_the_article():
    s = line_step(LINE_FIT, 0.0, 0.0, lr=0.01)
    assert s.pred == (0.0, 0.0, 0.0, 0.0)
    assert s.residual == (-2.0, -4.0, -6.0, -8.0)
    assert (s.loss, s.grad_w, s.grad_b) == (30.0, -30.0, -10.0)
    _, w1, b1 = article_loop(1)
    assert (s.new_w, s.new_b) == (w1, b1)           # bit for bit, float32


@pytest.mark.parametrize("w,b", [(0.3, -1.2), (1.8463475, 0.45175737), (-4.0, 5.0), (2.0, 0.0)])
def test_gradients_match_hand_derivation(w, b):
    s = line_step(LINE_FIT, w, b, lr=0.05, dtype="float64")
    gw, gb, loss = hand_gradient(s.w, s.b)
    assert s.grad_w == pytest.approx(gw, rel=1e-12, abs=1e-12)
    assert s.grad_b == pytest.approx(gb, rel=1e-12, abs=1e-12)
    assert s.loss == pytest.approx(loss, rel=1e-12, abs=1e-12)
    # The finite difference is an independent check of the same numbers.
    assert s.fd_w == pytest.approx(gw, abs=1e-8)
    assert s.fd_b == pytest.approx(gb, abs=1e-8)
    assert s.new_w == pytest.approx(s.w - 0.05 * gw, abs=1e-12)


def test_float32_step_equals_the_article_loop_every_epoch():
    rows, _, _ = article_loop(60, lr=0.02)
    for epoch, w, b, loss, gw, gb in rows[::7]:
        s = line_step(LINE_FIT, w, b, lr=0.02)
        assert (s.loss, s.grad_w, s.grad_b) == (loss, gw, gb)
        assert s.new_w == rows[epoch + 1][1] and s.new_b == rows[epoch + 1][2]


def test_epoch_table_reproduces_the_article_loop():
    rows, w100, b100 = article_loop(100)
    # θ_0 … θ_100 from the same loop: the table's input, as the engine would record it.
    params = np.array([(r[1], r[2]) for r in rows] + [(w100, b100)])
    t = epoch_table(LINE_FIT, params)
    assert t["epoch"].tolist() == list(range(100))
    ref = np.array([r[3:] for r in rows])
    np.testing.assert_array_equal(t[["loss", "dL/dw", "dL/db"]].to_numpy(), ref)
    assert (t["w after"].iloc[-1], t["b after"].iloc[-1]) == (w100, b100)


def test_epoch_table_skips_rows_after_divergence():
    params = np.array([[0.0, 0.0], [6.0, 2.0], [np.inf, np.nan], [np.nan, np.nan]])
    t = epoch_table(LINE_FIT, params)
    assert t["epoch"].tolist() == [0, 1]
    assert not np.isfinite(t["w after"].iloc[1])


def test_first_within_reach_versus_stay():
    values = [3.0, 2.0005, 2.01, 2.0002, 2.0001]
    assert first_within(values, 2.0, 1e-3) == (1, 3)
    assert first_within([3.0, 2.5], 2.0, 1e-3) == (-1, -1)
    assert first_within([2.0, 2.0], 2.0, 1e-3) == (0, 0)
    assert first_within([2.0, 3.0], 2.0, 1e-3) == (0, -1)      # reached, but not staying at the end
    assert first_within([np.nan, 2.0], 2.0, 1e-3) == (1, 1)


def test_article_fact_check_against_the_article_loop():
    fc = article_fact_check(horizon=2000)
    _, w100, b100 = article_loop(100)
    assert (fc.w, fc.b) == (w100, b100)
    assert fc.w == pytest.approx(1.8463474512, abs=1e-9) and fc.b == pytest.approx(0.4517573714, abs=1e-9)
    # Independently: run the loop long enough and find the first epoch count with |w − 2| < 1e-3.
    rows, w2000, _ = article_loop(2000)
    ws = np.array([r[1] for r in rows[1:]] + [w2000])   # w after 1..2000 epochs
    first = int(np.argmax(np.abs(ws - 2) < 1e-3)) + 1
    assert fc.reach == first
    assert fc.stay == first                      # w approaches 2 from below and stays
    # The theory's estimate lands within a few epochs of the measurement.
    assert abs(fc.predicted_reach() - fc.reach) < 5
    lam = np.linalg.eigvalsh(2 / 4 * np.stack([X, np.ones(4)], 1).T @ np.stack([X, np.ones(4)], 1))
    assert fc.lambda_min == pytest.approx(lam[0]) and fc.lambda_max == pytest.approx(lam[1])


def test_study_hours_step_uses_its_own_data():
    s = line_step(STUDY_HOURS, 9.0, 350.0, lr=1e-3, dtype="float64")
    x, y = np.array([10.0, 20, 30, 40]), np.array([480.0, 520, 710, 680])
    gw, gb, loss = hand_gradient(9.0, 350.0, x, y)
    assert (s.loss, s.grad_w, s.grad_b) == pytest.approx((loss, gw, gb))
    assert s.loss == 2675.0


def test_standardised_problem_steps_on_standardised_x():
    p = dataclasses.replace(STUDY_HOURS, standardize=True)
    s = line_step(p, 0.0, 0.0, lr=0.5, dtype="float64")
    x = np.array([10.0, 20, 30, 40])
    xs = (x - x.mean()) / x.std()
    gw, gb, _ = hand_gradient(0.0, 0.0, xs, np.array([480.0, 520, 710, 680]))
    assert (s.grad_w, s.grad_b) == pytest.approx((gw, gb))


@pytest.mark.parametrize("kwargs,match", [
    (dict(problem=SurfaceProblem("bowl"), lr=0.1), "LinearProblem"),
    (dict(problem=LINE_FIT, lr=0.0), "positive"),
    (dict(problem=LINE_FIT, lr=float("nan")), "positive"),
    (dict(problem=LINE_FIT, lr=0.1, dtype="float16"), "dtype"),
])
def test_bad_arguments_are_refused_clearly(kwargs, match):
    problem = kwargs.pop("problem")
    with pytest.raises(ValueError, match=match):
        line_step(problem, 0.0, 0.0, **kwargs)


def _engine_run(lr, epochs, w0=0.0, b0=0.0):
    import dlcore
    problem = dataclasses.replace(LINE_FIT, start=(w0, b0))
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr))
    return dlcore.train(problem, (run,), dlcore.TrainConfig(steps=epochs, dtype="float32", record_params=True))


def article_ws(epochs, lr, w0=0.0, b0=0.0):
    rows, w_end, b_end = article_loop(epochs, lr, w0, b0)
    return np.array([r[1] for r in rows] + [w_end]), np.array([r[3] for r in rows])


@pytest.mark.parametrize("lr,epochs", [(0.01, 100), (0.115, 100), (0.05, 300)])
def test_summarize_run_settles_by_the_stay_definition(lr, epochs):
    from dlcore.inspect_step import summarize_run
    ws, losses = article_ws(epochs, lr)
    s = summarize_run(_engine_run(lr, epochs), 2.0, 1e-3)
    assert (s.epochs, s.last, s.diverged_at) == (epochs, epochs, -1)
    assert s.w == ws[epochs] and s.start_loss == losses[0]
    inside = np.abs(ws - 2) < 1e-3
    # settled: the first epoch from which every later epoch of the run is inside the band.
    expect = next((t for t in range(epochs + 1) if inside[t:].all()), -1)
    assert s.settled == expect
    # It agrees with w at the end: settled at all only if the final w is inside the band.
    assert (s.settled >= 0) == bool(abs(ws[epochs] - 2) < 1e-3)


def test_summarize_run_at_0115_touches_but_does_not_settle():
    """Issue 14 #4: at η = 0.115 w touches the band early but zig-zags out again."""
    from dlcore.inspect_step import summarize_run
    ws, _ = article_ws(100, 0.115)
    s = summarize_run(_engine_run(0.115, 100), 2.0, 1e-3)
    first_touch = int(np.argmax(np.abs(ws - 2) < 1e-3))
    assert s.touched == first_touch < 100 and abs(ws[100] - 2) > 1e-3
    assert s.settled == -1


def test_summarize_run_reports_the_divergence():
    from dlcore.inspect_step import summarize_run
    _, losses = article_ws(40, 0.2)
    blew = int(np.argmax(~(losses <= 1e4 * losses[0])))       # the engine's documented rule
    s = summarize_run(_engine_run(0.2, 40), 2.0, 1e-3)
    assert s.diverged and s.diverged_at == blew == s.last and s.last_epoch == blew - 1
    assert s.blowup_loss == losses[blew] and s.settled == -1


@pytest.mark.parametrize("lr,kind", [(0.01, "smooth"), (0.05, "smooth"), (0.07, "zigzag"), (0.115, "zigzag"), (0.12, "diverges"),
                                     (0.5, "diverges")])
def test_step_regime_on_the_article_bowl(lr, kind):
    from dlcore.inspect_step import step_regime
    lam = np.linalg.eigvalsh(2 / 4 * np.stack([X, np.ones(4)], 1).T @ np.stack([X, np.ones(4)], 1))
    r = step_regime(lr, lam[-1], lam[0])
    assert r.kind == kind
    assert r.limit == pytest.approx(2 / lam[-1]) and r.steep_factor == pytest.approx(1 - lr * lam[-1])
    assert r.flat_factor == pytest.approx(1 - lr * lam[0])


@pytest.mark.parametrize("lr,kind", [(0.1, "smooth"), (0.5, "one_step"), (0.7, "zigzag"), (1.0, "zigzag"),
                                     (1.05, "diverges")])
def test_step_regime_on_w_squared(lr, kind):
    """L = w², curvature 2: w ← (1 − 2η)·w."""
    from dlcore.inspect_step import step_regime
    assert step_regime(lr, 2.0).kind == kind
    assert step_regime(0.1, 2.0, diverged=True).kind == "diverges"
