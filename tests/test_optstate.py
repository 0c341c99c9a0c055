"""dlcore.optstate records the same internal state torch.optim keeps in optimizer.state[p].

The reference for each case is a plain torch.optim loop over one parameter tensor,
reading ``optimizer.state[xy]`` after every ``optimizer.step()``.
"""
import numpy as np
import pytest
import torch

from dlcore import LINE_FIT, OptimizerSpec, RunSpec, ScheduleSpec, SurfaceProblem, TrainConfig, train
from dlcore.optstate import trace_state

STEPS = 60

CASES = [
    ("sgd", dict(lr=0.001, momentum=0.9)),
    ("sgd", dict(lr=0.0005, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("adam", dict(lr=0.05)),
    ("adam", dict(lr=0.02, beta1=0.5, beta2=0.9, eps=1e-4, weight_decay=0.1)),
    ("adamw", dict(lr=0.05, weight_decay=0.3)),
    ("adagrad", dict(lr=0.3, initial_accumulator_value=0.5, lr_decay=0.01)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.002, momentum=0.5, centered=True, alpha=0.9)),
]


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def torch_reference(name, h, start, steps, clip=None):
    """Plain loop: θ path and every state tensor after each step, keyed by torch's names."""
    h = dict(h)
    if "beta1" in h or "beta2" in h:
        h["betas"] = (h.pop("beta1", 0.9), h.pop("beta2", 0.999))
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop}[name]
    opt = cls([xy], **h)
    path, states = [xy.detach().clone()], {}
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock(xy[0], xy[1]).backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([xy], max_norm=clip)
        opt.step()
        path.append(xy.detach().clone())
        for k, v in opt.state[xy].items():
            if torch.is_tensor(v) and v.shape == xy.shape:
                states.setdefault(k, []).append(v.detach().clone())
    return torch.stack(path).numpy(), {k: torch.stack(v).numpy() for k, v in states.items()}


@pytest.mark.parametrize("name,h", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("clip", [None, 1.0])
def test_state_equals_torch_optim(name, h, clip):
    start = (-1.5, 2.0)
    run = RunSpec(OptimizerSpec.make(name, **h), start=start)
    tr = trace_state(SurfaceProblem("rosenbrock"), run, TrainConfig(steps=STEPS, dtype="float64", clip_norm=clip))
    path, ref = torch_reference(name, h, start, STEPS, clip)
    assert tr.diverged_at is None and tr.updates == STEPS
    np.testing.assert_allclose(tr.params, path, rtol=1e-10, atol=1e-12)
    # Every state tensor torch keeps (beyond the step counter) is recorded, and no other.
    expected = {k for k in ref if k != "step"}
    assert set(tr.state) == expected
    for k in expected:
        np.testing.assert_allclose(tr.state[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)


def test_path_equals_dlcore_train_with_schedule_and_penalty():
    run = RunSpec(OptimizerSpec.make("adam", lr=0.1), schedule=ScheduleSpec("step", step_size=5, gamma=0.5), l2=0.01)
    cfg = TrainConfig(steps=30)
    tr = trace_state(LINE_FIT, run, cfg)
    res = train(LINE_FIT, [run], cfg)
    np.testing.assert_array_equal(tr.params, res.params[:, 0].astype(np.float64))


def test_gradients_are_the_clipped_gradients_used():
    tr = trace_state(SurfaceProblem("rosenbrock"), RunSpec(OptimizerSpec.make("sgd", lr=0.001)),
                     TrainConfig(steps=5, dtype="float64", clip_norm=0.5))
    # plain SGD: Δθ = −lr·g exactly, and the clipped gradient has norm ≤ 0.5
    np.testing.assert_allclose(np.diff(tr.params, axis=0), -0.001 * tr.grads, rtol=1e-9)  # θ differences round
    rate = tr.frame().query("quantity == 'rate'")["value"]
    np.testing.assert_allclose(rate, 0.001, rtol=1e-6)       # plain SGD's effective rate is its rate
    assert (np.linalg.norm(tr.grads, axis=1) <= 0.5 + 1e-9).all()
    assert tr.state == {}


def test_divergence_stops_the_trace_where_train_stops():
    run = RunSpec(OptimizerSpec.make("sgd", lr=0.01))
    cfg = TrainConfig(steps=50, dtype="float64")
    tr = trace_state(SurfaceProblem("rosenbrock"), run, cfg)
    res = train(SurfaceProblem("rosenbrock"), [run], cfg)
    assert res.diverged_at[0] >= 0
    assert tr.diverged_at == res.diverged_at[0]
    assert tr.updates == tr.diverged_at
    frame = tr.frame()
    assert set(frame["quantity"]) == {"grad", "update", "rate"}
    assert frame["step"].max() == tr.updates


def test_minibatch_state_equals_torch_optim_with_the_same_shuffles():
    """The trace comes from dlcore.train, so mini-batches work too: Adam's m and v after
    each update equal torch.optim's state in a loop with the same per-epoch shuffles."""
    steps, bs, seed = 9, 2, 4
    tr = trace_state(LINE_FIT, RunSpec(OptimizerSpec.make("adam", lr=0.1), seed=seed),
                     TrainConfig(steps=steps, batch_size=bs, dtype="float64"))
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    y = 2 * x
    wb = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([wb], lr=0.1)
    order = torch.Generator().manual_seed(seed)
    m, v, done = [], [], 0
    while done < steps:
        perm = torch.randperm(4, generator=order)
        for k in range(0, 4, bs):
            if done == steps:
                break
            idx = perm[k:k + bs]
            loss = torch.mean((wb[0] * x[idx] + wb[1] - y[idx]) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            m.append(opt.state[wb]["exp_avg"].clone().numpy())
            v.append(opt.state[wb]["exp_avg_sq"].clone().numpy())
            done += 1
    np.testing.assert_allclose(tr.state["exp_avg"], np.array(m), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.state["exp_avg_sq"], np.array(v), rtol=1e-12, atol=1e-15)


def test_norm_frame_for_many_parameters():
    from dlcore import SumOfThree
    run = RunSpec(OptimizerSpec.make("adam", lr=0.01), seed=1)
    tr = trace_state(SumOfThree(), run, TrainConfig(steps=20))
    f = tr.norm_frame()
    assert set(f["quantity"]) == {"grad", "update", "exp_avg", "exp_avg_sq", "rate"}
    v = f[(f["quantity"] == "exp_avg_sq") & (f["step"] == 7)]["value"].item()
    assert v == pytest.approx(np.sqrt((tr.state["exp_avg_sq"][6] ** 2).sum()))
    r = f[(f["quantity"] == "rate") & (f["step"] == 3)]["value"].item()
    assert r == pytest.approx(np.linalg.norm(tr.params[3] - tr.params[2]) / np.linalg.norm(tr.grads[2]))
