"""dlcore.comparison against independent computations: plain torch.optim loops, numpy
distances and hand-counted examples."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from dlcore import (LINE_FIT, STUDY_HOURS, LinearProblem, OptimizerSpec, RunSpec, SumOfThree, SurfaceProblem,
                    TrainConfig, preset, train)
from dlcore.comparison import (basins, known_minima, loss_ups, pick_best, race_table, settled_at, start_points,
                               tuning_runs, tuning_table)


def bowl(x, y):
    return 0.5 * (x ** 2 + 25 * y ** 2)


def himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def torch_losses(f, start, make_opt, steps):
    """Loss before each update and after the last, from a plain torch.optim loop."""
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_opt([xy])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = f(xy[0], xy[1])
        out.append(loss.item())
        loss.backward()
        opt.step()
    out.append(f(xy[0], xy[1]).item())
    return np.array(out), xy.detach().numpy()


def first_stay_below(losses, tol):
    """Independent 'converged at': the first index from which every later loss is < tol."""
    for t in range(len(losses)):
        if all(v < tol for v in losses[t:]):
            return t
    return None


def test_known_minima():
    assert known_minima(SurfaceProblem("rosenbrock")) == ((1.0, 1.0),)
    assert len(known_minima(SurfaceProblem("himmelblau"))) == 4
    assert known_minima(SurfaceProblem("saddle")) == ()
    assert known_minima(SurfaceProblem("custom", expression="x**2 + y**2")) == ()
    (w, b), = known_minima(STUDY_HOURS)
    # closed form of least squares for y = m·x + c
    x, y = np.array(STUDY_HOURS.x), np.array(STUDY_HOURS.y)
    m = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    assert w == pytest.approx(m, rel=1e-12) and b == pytest.approx(y.mean() - m * x.mean(), rel=1e-12)
    assert known_minima(LinearProblem(loss="mae")) == ()
    assert known_minima(SumOfThree()) == ()


def test_race_table_matches_torch_optim_and_numpy_distances():
    problem = SurfaceProblem("himmelblau", start=(0.5, -0.5))
    specs = [("SGD", dict(lr=0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
             ("Adam", dict(lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
             ("RMSprop", dict(lr=0.3), lambda p: torch.optim.RMSprop(p, lr=0.3))]
    runs = [RunSpec(preset(lab, **h), label=lab) for lab, h, _ in specs]
    cfg = TrainConfig(steps=150, dtype="float64", tol=1e-4)
    res = train(problem, runs, cfg)
    t = race_table(res, problem)
    minima = np.array([(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)])
    for i, (lab, _, make) in enumerate(specs):
        losses, final = torch_losses(himmelblau, (0.5, -0.5), make, 150)
        row = t.iloc[i]
        assert row["label"] == lab
        assert row["final_loss"] == pytest.approx(losses[-1], rel=1e-9, abs=1e-12)
        d = np.hypot(*(minima - final).T)
        assert row["nearest_minimum"] == int(d.argmin())
        assert row["distance"] == pytest.approx(d.min(), rel=1e-6, abs=1e-9)
        conv = first_stay_below(losses, 1e-4)
        assert (pd.isna(row["converged_at"]) and conv is None) or row["converged_at"] == conv
        assert pd.isna(row["diverged_at"])


def test_race_table_marks_divergence_and_leaves_distance_empty():
    problem = SurfaceProblem("rosenbrock")
    res = train(problem, [RunSpec(preset("SGD", lr=0.01)), RunSpec(preset("SGD", lr=0.001))],
                TrainConfig(steps=50, dtype="float64"))
    t = race_table(res, problem)
    assert not pd.isna(t.loc[0, "diverged_at"]) and math.isnan(t.loc[0, "final_loss"])
    assert math.isnan(t.loc[0, "distance"]) and pd.isna(t.loc[0, "nearest_minimum"])
    assert t.loc[1, "distance"] == pytest.approx(math.hypot(t.loc[1, "x"] - 1, t.loc[1, "y"] - 1))


def test_line_fit_distance_is_to_the_least_squares_line():
    res = train(LINE_FIT, [RunSpec(preset("SGD", lr=0.05))], TrainConfig(steps=20, dtype="float64"))
    t = race_table(res, LINE_FIT)
    w, b = res.final_params[0]
    assert t.loc[0, "distance"] == pytest.approx(math.hypot(w - 2.0, b - 0.0), abs=1e-12)


def test_settled_at():
    loss = np.array([[9.0, 1.0, 5.0], [4.0, np.nan, 3.0], [3.1, 2.0, 3.0], [3.0, 2.0, 3.05]])
    # run 0 is within 0.2 of its final 3.0 from index 2; run 1 skips a NaN; run 2 from index 1
    assert settled_at(loss, 0.2).tolist() == [2, 2, 1]
    assert settled_at(np.array([[1.0], [np.inf]]), 0.1).tolist() == [-1]


def test_fair_race_picks_like_an_independent_grid_search():
    """Each rate trained by a plain torch loop; the pick = fewest steps to stay within tol,
    then lowest final loss; diverged rates (non-finite or 10⁴× the start) never chosen."""
    lrs = [0.003, 0.01, 0.03, 0.08, 0.2]
    specs = {"SGD": lambda lr: (lambda p: torch.optim.SGD(p, lr=lr)),
             "Momentum": lambda lr: (lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9)),
             "Adam": lambda lr: (lambda p: torch.optim.Adam(p, lr=lr))}
    steps, tol, start = 120, 1e-6, (-4.0, 1.5)
    res = train(SurfaceProblem("bowl"), tuning_runs([preset(k) for k in specs], lrs),
                TrainConfig(steps=steps, dtype="float64", tol=tol))
    best = pick_best(res).set_index("label")
    for name, make in specs.items():
        cands = []
        for lr in lrs:
            losses, _ = torch_losses(bowl, start, make(lr), steps)
            if not np.isfinite(losses).all() or losses.max() > 1e4 * max(losses[0], 1):
                continue
            conv = first_stay_below(losses, tol)
            cands.append((conv if conv is not None else math.inf, losses[-1], lr))
        expected = min(cands)
        assert best.loc[name, "lr"] == expected[2], name
    table = tuning_table(res)
    assert table["chosen"].sum() == 3
    assert set(table.loc[table["status"] == "diverged", "lr"]) >= {0.2}   # 0.2·25 > 2: SGD diverges


def test_pick_best_when_every_rate_diverges():
    res = train(SurfaceProblem("rosenbrock"), tuning_runs([preset("SGD")], [1.0, 10.0]),
                TrainConfig(steps=20, dtype="float64"))
    best = pick_best(res)
    assert best.loc[0, "run"] == -1 and math.isnan(best.loc[0, "lr"]) and best.loc[0, "status"] == "all diverged"


def test_tuning_runs_are_paired():
    runs = tuning_runs([preset("SGD"), preset("Adam", beta1=0.8)], [0.1, 0.2], seed=7, start=(1.0, 2.0))
    assert [(r.name, r.optimizer.lr, r.seed, r.start) for r in runs] == [
        ("SGD", 0.1, 7, (1.0, 2.0)), ("SGD", 0.2, 7, (1.0, 2.0)), ("Adam", 0.1, 7, (1.0, 2.0)),
        ("Adam", 0.2, 7, (1.0, 2.0))]
    assert runs[2].optimizer.beta1 == 0.8
    with pytest.raises(ValueError):
        tuning_runs([preset("SGD")], [0.0])


def test_start_points_random_and_grid():
    pts = start_points((-5, 5, -2, 2), 6, "random", seed=3)
    u = torch.rand(6, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64).numpy()
    np.testing.assert_allclose(np.array(pts), np.column_stack([-5 + 10 * u[:, 0], -2 + 4 * u[:, 1]]))
    assert start_points((-5, 5, -2, 2), 6, "random", seed=3) == pts            # reproducible
    grid = start_points((0, 3, 0, 3), 10, "grid")                              # ⌊√10⌋ = 3
    assert grid == [(0.5, 0.5), (1.5, 0.5), (2.5, 0.5), (0.5, 1.5), (1.5, 1.5), (2.5, 1.5),
                    (0.5, 2.5), (1.5, 2.5), (2.5, 2.5)]
    for bad in [dict(window=(1, 0, 0, 1), n=4), dict(window=(0, 1, 0, 1), n=0),
                dict(window=(0, 1, 0, 1), n=4, layout="spiral")]:
        with pytest.raises(ValueError):
            start_points(**bad)


def test_basins_match_independent_runs():
    problem = SurfaceProblem("himmelblau")
    starts = start_points((-5, 5, -5, 5), 16, "grid")
    res = train(problem, [RunSpec(OptimizerSpec.make("sgd", lr=0.01), start=s) for s in starts],
                TrainConfig(steps=200, dtype="float64"))
    b = basins(res, problem, radius=0.1)
    minima = np.array([(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)])
    for i, s in enumerate(starts):
        _, final = torch_losses(himmelblau, s, lambda p: torch.optim.SGD(p, lr=0.01), 200)
        d = np.hypot(*(minima - final).T)
        expected = int(d.argmin()) if np.isfinite(d).all() and d.min() <= 0.1 else -1
        assert b.loc[i, "minimum"] == expected
        assert (b.loc[i, "start_x"], b.loc[i, "start_y"]) == s
    assert set(b["minimum"]) == {0, 1, 2, 3}     # a 4×4 grid of starts finds all four minima


def test_loss_ups():
    assert loss_ups(np.array([1.0, 2.0, 1.5, 1.6, np.nan])) == pytest.approx(2 / 3)
    assert math.isnan(loss_ups(np.array([1.0])))
