"""dlcore.network_health.seed_outcomes / run_status: the outcome classes of "Many seeds",
checked on real runs against plain nn.Sequential networks trained with torch.optim."""
import numpy as np
import torch
import torch.nn as nn

from dlcore import OptimizerSpec, RunSpec, SumOfThree, TrainConfig, train
from dlcore.network_health import DEAD, DIVERGED, FLAT, TRAINED, run_status, seed_outcomes

torch.set_num_threads(1)
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]
Y3 = [[6.0], [9.0], [12.0]]


def torch_net(seed, lr=0.01, act=nn.ReLU, steps=100, hidden=4):
    """Article 001's loop with torch.manual_seed(seed): the trained model."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, hidden), act(), nn.Linear(hidden, 1))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.tensor(X3), torch.tensor(Y3)
    for _ in range(steps):
        loss = nn.MSELoss()(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def engine(seeds, lr=0.01, activation="relu"):
    p = SumOfThree(activation=activation)
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=lr), seed=s) for s in seeds]
    res = train(p, runs, TrainConfig(steps=100, record_params=False))
    return p, res


def test_dead_seeds_are_those_whose_torch_network_answers_one_number():
    seeds = list(range(12))
    p, res = engine(seeds)
    table = seed_outcomes(res.final_params, p.sizes, "relu", p.inputs, res.diverged_at >= 0)
    for s, row in zip(seeds, table.itertuples()):
        model = torch_net(s)
        with torch.no_grad():
            out = model(torch.tensor(X3)).numpy().ravel()
            z = model[0](torch.tensor(X3)).numpy()
        dead_units = int((z <= 0).all(axis=0).sum())
        if out[0] == out[1] == out[2]:
            assert row.outcome == DEAD and row.dead and run_status(row.outcome) == "dead ReLU", s
        else:
            assert row.outcome == f"{4 - dead_units} of 4 hidden units alive", (s, row.outcome)
            assert run_status(row.outcome) == "trained"
        assert row.dead_units == dead_units and row.alive_units == 4 - dead_units
        np.testing.assert_allclose(row.outputs, out, rtol=1e-4, atol=1e-4)
    assert {0, 7} <= {s for s, o in zip(seeds, table["outcome"]) if o == DEAD}


def test_a_diverged_run_is_diverged_whatever_its_weights():
    p, res = engine([601, 0], lr=1.0)
    div = res.diverged_at >= 0
    assert list(div) == [True, False]          # lr 1 blows seed 601 up; seed 0 dies first
    torch.manual_seed(601)                     # torch's own loop: the loss grows 10 000-fold
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(10):
        loss = nn.MSELoss()(model(torch.tensor(X3)), torch.tensor(Y3))
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert not max(losses) < 1e4 * losses[0]
    table = seed_outcomes(res.final_params, p.sizes, "relu", p.inputs, div)
    assert list(table["outcome"]) == [DIVERGED, DEAD] and list(table["dead"]) == [False, True]
    assert np.isnan(table["outputs"].iloc[0]).all() and np.isfinite(table["outputs"].iloc[1]).all()
    assert run_status(DIVERGED) == "diverged"


def test_other_activations_are_trained_or_flat():
    p, res = engine([601, 3], activation="tanh")
    table = seed_outcomes(res.final_params, p.sizes, "tanh", p.inputs, res.diverged_at >= 0)
    assert set(table["outcome"]) <= {TRAINED, FLAT} and (table["dead_units"] == 0).all()
    # a network whose output layer is all zeros answers one number: FLAT, not dead
    theta = np.array(res.final_params[0], dtype=np.float64)
    theta[-5:-1] = 0.0
    flat = seed_outcomes(theta[None], p.sizes, "tanh", p.inputs, [False])
    assert flat["outcome"].iloc[0] == FLAT and run_status(FLAT) == "trained"
