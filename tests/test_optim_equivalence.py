"""The engine equals plain torch.optim (+ lr_scheduler) loops, step for step.

Each reference below is the straightforward per-run loop a learner would write, built
from torch.nn / torch.optim directly — it does not use dlcore's optimizers, schedules or
losses. All engine runs of a test are trained together in ONE batched call (mixed
optimizers, learning rates and schedules), then each row is compared with its own
reference run after 200 steps.
"""
import math

import pytest
import torch
import torch.nn as nn

from dlcore import (LINE_FIT, OptimizerSpec, PurchaseProblem, RunSpec, ScheduleSpec, SumOfThree,
                    SurfaceProblem, TrainConfig, train)

STEPS = 200

# Several hyperparameter settings per optimizer, covering every switch torch.optim has.
OPTIMIZER_CASES = [
    ("sgd", dict(lr=0.01)),
    ("sgd", dict(lr=0.02, momentum=0.9)),
    ("sgd", dict(lr=0.01, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    ("sgd", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("sgd", dict(lr=0.005, momentum=0.5, nesterov=True, weight_decay=0.1)),
    ("adam", dict(lr=0.01)),
    ("adam", dict(lr=0.003, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.05)),
    ("adamw", dict(lr=0.01)),
    ("adamw", dict(lr=0.02, beta1=0.8, beta2=0.99, weight_decay=0.3)),
    ("adagrad", dict(lr=0.1)),
    ("adagrad", dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-8)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.001, alpha=0.9, momentum=0.5)),
    ("rmsprop", dict(lr=0.002, centered=True, weight_decay=0.01)),
    ("rmsprop", dict(lr=0.001, centered=True, momentum=0.7, eps=1e-6)),
]

SCHEDULE_CASES = [
    ScheduleSpec("constant"),
    ScheduleSpec("step", step_size=30, gamma=0.5),
    ScheduleSpec("step", step_size=7, gamma=0.9),
    ScheduleSpec("exponential", gamma=0.99),
    ScheduleSpec("cosine"),
    ScheduleSpec("cosine", eta_min=0.001),
    ScheduleSpec("onecycle"),
    ScheduleSpec("onecycle", pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
]


def torch_optimizer(name, params, h):
    """torch.optim constructor call written out, independent of OptimizerSpec."""
    h = dict(h)
    if "beta1" in h or "beta2" in h:
        h["betas"] = (h.pop("beta1", 0.9), h.pop("beta2", 0.999))
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop}[name]
    return cls(params, **h)


def torch_scheduler(spec, opt, steps):
    S = torch.optim.lr_scheduler
    if spec.kind == "step":
        return S.StepLR(opt, step_size=spec.step_size, gamma=spec.gamma)
    if spec.kind == "exponential":
        return S.ExponentialLR(opt, gamma=spec.gamma)
    if spec.kind == "cosine":
        return S.CosineAnnealingLR(opt, T_max=steps, eta_min=spec.eta_min)
    if spec.kind == "onecycle":
        return S.OneCycleLR(opt, max_lr=opt.param_groups[0]["lr"], total_steps=steps, pct_start=spec.pct_start,
                            div_factor=spec.div_factor, final_div_factor=spec.final_div_factor,
                            cycle_momentum=False)
    return None


def reference_mlp(name, h, schedule, seed, dtype, steps=STEPS, clip=None, nudge=0.0):
    """Article 001's loop: nn.Linear(3,4) → ReLU → nn.Linear(4,1), MSELoss.
    ``nudge`` scales the initial weights by (1 + nudge) to measure the loop's own sensitivity."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).to(dtype)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(1 + nudge)
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], dtype=dtype)
    y = torch.tensor([[6.0], [9.0], [12.0]], dtype=dtype)
    opt = torch_optimizer(name, model.parameters(), h)
    sched = torch_scheduler(schedule, opt, steps)
    crit = nn.MSELoss()
    for _ in range(steps):
        loss = crit(model(x), y)
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if sched is not None:
            sched.step()
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach()


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def reference_surface(name, h, schedule, start, steps=STEPS):
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, [xy], h)
    sched = torch_scheduler(schedule, opt, steps)
    for _ in range(steps):
        loss = rosenbrock(xy[0], xy[1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
    return xy.detach()


def assert_close(engine, ref, what):
    torch.testing.assert_close(torch.tensor(engine, dtype=ref.dtype), ref, rtol=1e-5, atol=1e-5,
                               msg=lambda m: f"{what}: {m}")


def test_every_optimizer_matches_torch_on_the_article_network_float64():
    seeds = [0, 3]
    runs = [RunSpec(OptimizerSpec.make(name, **h), seed=s) for name, h in OPTIMIZER_CASES for s in seeds]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, dtype="float64"))
    assert (res.diverged_at < 0).all()
    for i, r in enumerate(runs):
        name, h = OPTIMIZER_CASES[i // len(seeds)]
        ref = reference_mlp(name, h, ScheduleSpec(), r.seed, torch.float64)
        assert_close(res.final_params[i], ref, f"{name} {h} seed {r.seed}")


def test_every_optimizer_matches_torch_on_the_article_network_float32():
    """float32, the article's dtype. A batched matrix product rounds differently from
    nn.Linear's addmm in the last bit; where the training dynamics amplify perturbations
    (an oscillating phase), that one-ulp difference grows, exactly as it would between two
    BLAS builds. So each run must match within 1e-5 — or, where it does not, the reference
    loop itself must be at least as sensitive: nudging its own initial weights by one ulp
    (2⁻²³) must move its result by at least a tenth of the engine's difference. The update
    rules themselves are checked to 1e-5 in float64 above, where rounding stays tiny."""
    seeds = [0, 3]
    runs = [RunSpec(OptimizerSpec.make(name, **h), seed=s) for name, h in OPTIMIZER_CASES for s in seeds]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, dtype="float32"))
    assert (res.diverged_at < 0).all()
    strict = 0
    for i, r in enumerate(runs):
        name, h = OPTIMIZER_CASES[i // len(seeds)]
        ref = reference_mlp(name, h, ScheduleSpec(), r.seed, torch.float32)
        engine = torch.tensor(res.final_params[i])
        diff = (engine - ref).abs().max().item()
        if diff <= 1e-5 * max(1.0, ref.abs().max().item()):
            strict += 1
            continue
        nudged = reference_mlp(name, h, ScheduleSpec(), r.seed, torch.float32, nudge=2.0 ** -23)
        sensitivity = (nudged - ref).abs().max().item()
        assert diff <= 10 * sensitivity, f"{name} {h} seed {r.seed}: engine differs by {diff:.2e}, " \
                                         f"but the loop's own one-ulp sensitivity is only {sensitivity:.2e}"
    assert strict >= len(runs) - 3, "most float32 runs must match within 1e-5 outright"


def test_every_schedule_matches_torch_lr_scheduler():
    cases = [(name, h, sched) for sched in SCHEDULE_CASES
             for name, h in (("sgd", dict(lr=0.02, momentum=0.9)), ("adam", dict(lr=0.02)),
                             ("rmsprop", dict(lr=0.005)), ("adagrad", dict(lr=0.2)),
                             ("adamw", dict(lr=0.02)))]
    runs = [RunSpec(OptimizerSpec.make(n, **h), schedule=s, seed=1) for n, h, s in cases]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, dtype="float64"))
    for i, (n, h, s) in enumerate(cases):
        ref = reference_mlp(n, h, s, 1, torch.float64)
        assert_close(res.final_params[i], ref, f"{n} {h} {s}")


def test_schedule_rates_equal_torch_scheduler_rates():
    for s in SCHEDULE_CASES:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.3)
        sched = torch_scheduler(s, opt, STEPS)
        seen = []
        for _ in range(STEPS):
            seen.append(opt.param_groups[0]["lr"])
            opt.step()
            if sched is not None:
                sched.step()
        ours = s.lrs(0.3, STEPS)
        assert ours == pytest.approx(seen, rel=1e-12, abs=1e-15), s


def test_optimizers_match_torch_on_rosenbrock_in_float64():
    start = (-1.5, 2.0)
    cases = [c for c in OPTIMIZER_CASES if c[0] != "adagrad"] + [("adagrad", dict(lr=0.5))]
    # Smaller rates for plain SGD on Rosenbrock: its curvature (~2000) makes lr ≥ 1e-3 diverge.
    cases = [(n, {**h, "lr": min(h["lr"], 5e-4)} if n == "sgd" else h) for n, h in cases]
    runs = [RunSpec(OptimizerSpec.make(n, **h)) for n, h in cases]
    res = train(SurfaceProblem("rosenbrock", start=start), runs, TrainConfig(steps=STEPS, dtype="float64"))
    assert (res.diverged_at < 0).all()
    for i, (n, h) in enumerate(cases):
        assert_close(res.final_params[i], reference_surface(n, h, ScheduleSpec(), start), f"{n} {h}")


def test_gradient_clipping_matches_clip_grad_norm():
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=0.05, momentum=0.9), seed=2),
            RunSpec(OptimizerSpec.make("adam", lr=0.05), seed=2)]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, clip_norm=1.0, dtype="float64"))
    for i, (n, h) in enumerate([("sgd", dict(lr=0.05, momentum=0.9)), ("adam", dict(lr=0.05))]):
        ref = reference_mlp(n, h, ScheduleSpec(), 2, torch.float64, clip=1.0)
        assert_close(res.final_params[i], ref, n)


def test_line_fit_equals_the_articles_manual_loop():
    """Article 000's own loop (no torch.optim): w -= lr * w.grad; the engine must agree
    at every epoch, not only the last."""
    lrs = [0.001, 0.01, 0.05]
    res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in lrs], TrainConfig(steps=STEPS))
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    y = torch.tensor([2.0, 4.0, 6.0, 8.0])
    for i, lr in enumerate(lrs):
        w = torch.tensor([0.0], requires_grad=True)
        b = torch.tensor([0.0], requires_grad=True)
        for epoch in range(STEPS):
            loss = torch.mean((w * x + b - y) ** 2)
            assert res.loss[epoch, i] == pytest.approx(loss.item(), rel=1e-6, abs=1e-7)
            assert res.params[epoch, i].tolist() == pytest.approx([w.item(), b.item()], rel=1e-6, abs=1e-7)
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        assert res.final_params[i].tolist() == pytest.approx([w.item(), b.item()], rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("batch_size", [32, 1])
def test_minibatches_match_a_torch_loop_with_the_same_shuffles(batch_size):
    """Mini-batch and stochastic GD: each epoch a randperm from a generator seeded with
    the run's seed; the last batch may be short. Logistic regression on the purchase data."""
    problem = PurchaseProblem(train_size=100)
    Xtr, ytr, _, _, _, _ = problem.arrays()
    X = torch.tensor(Xtr, dtype=torch.float64)
    Y = torch.tensor(ytr, dtype=torch.float64).unsqueeze(1)
    seeds, steps = [4, 9], 150
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=0.1, momentum=0.9), seed=s) for s in seeds]
    res = train(problem, runs, TrainConfig(steps=steps, batch_size=batch_size, dtype="float64"))
    for i, seed in enumerate(seeds):
        torch.manual_seed(seed)
        model = nn.Linear(3, 1).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        order = torch.Generator().manual_seed(seed)
        crit = nn.BCEWithLogitsLoss()
        done = 0
        while done < steps:
            perm = torch.randperm(len(X), generator=order)
            for k in range(0, len(X), batch_size):
                if done == steps:
                    break
                idx = perm[k:k + batch_size]
                loss = crit(model(X[idx]), Y[idx])
                assert res.batch_loss[done, i] == pytest.approx(loss.item(), rel=1e-9)
                opt.zero_grad()
                loss.backward()
                opt.step()
                done += 1
        ref = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
        assert_close(res.final_params[i], ref, f"seed {seed}")


def test_same_seed_same_start_and_batches_different_seed_differs():
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=lr), seed=s) for lr, s in [(0.1, 5), (0.01, 5), (0.1, 6)]]
    res = train(PurchaseProblem(model="mlp", hidden=(4,), train_size=64),
                runs, TrainConfig(steps=10, batch_size=8, record_params=True))
    assert (res.params[0, 0] == res.params[0, 1]).all()
    assert not (res.params[0, 0] == res.params[0, 2]).all()
    # Same batches ⇒ at step 0 (same θ) the same mini-batch loss; another seed sees other examples.
    assert res.batch_loss[0, 0] == res.batch_loss[0, 1]
    assert res.batch_loss[0, 0] != res.batch_loss[0, 2]


def test_divergence_is_marked_and_other_runs_continue():
    lrs = [0.01, 0.1, 0.2, 1.0]
    res = train(LINE_FIT, [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in lrs], TrainConfig(steps=300))
    # Theory: plain GD on this quadratic diverges iff lr > 2/λmax = 0.1198 (λmax = (17+√269)/2 · ... see theory tests).
    assert list(res.diverged_at[:2]) == [-1, -1]
    assert res.diverged_at[2] > 0 and res.diverged_at[3] > 0
    assert res.diverged_at[3] < res.diverged_at[2]      # a bigger step blows up sooner
    assert math.isfinite(res.loss[-1, 0]) and res.loss[-1, 1] < 1e-6
    # A diverged run stops updating: its parameters are frozen after the divergence step.
    d = res.diverged_at[2]
    assert (res.params[d:, 2] == res.params[d, 2]).all()
    s = res.summary()
    assert s["final_loss"].isna().tolist() == [False, False, True, True]
