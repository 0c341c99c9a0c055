"""The engine equals plain torch.optim (+ lr_scheduler) loops, step for step.

Each reference below is the straightforward per-run loop a learner would write, built
from torch.nn / torch.optim directly — it does not use dlcore's optimizers, schedules or
losses. All engine runs of a test are trained together in ONE batched call (mixed
optimizers, learning rates and schedules), then each row is compared with its own
reference run after 200 steps.

What is asserted where, so that it holds on any CPU:

* whole trajectories in float64, where rounding stays far below the tolerance;
* every single update, in float32 and float64: torch.optim is handed the engine's
  parameters, optimizer state and gradient before update k, takes ONE step, and must
  land on the engine's parameters and state after update k to a few units in the last
  place. This is the equivalence proper, and no training dynamics can amplify it;
* whole trajectories in float32 only for runs whose dynamics do not amplify rounding,
  judged in the same process. float32 results depend on which kernels the CPU runs
  (AVX-512, AVX2, ...), and where training amplifies one-ulp differences — the Nesterov
  run below, from seed 3 — two correct implementations end visibly apart.
"""
import math

import numpy as np
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


def reference_mlp(name, h, schedule, seed, dtype, steps=STEPS, clip=None, jitter=None):
    """Article 001's loop: nn.Linear(3,4) → ReLU → nn.Linear(4,1), MSELoss.

    ``jitter`` (a seed) moves every parameter one ulp up or down at random after every
    update — a stand-in for the last-bit differences another CPU's kernels (or another
    correct implementation) make at every step — to measure how much the loop's own
    dynamics amplify them."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).to(dtype)
    coin = torch.Generator().manual_seed(jitter) if jitter is not None else None
    inf = torch.tensor(math.inf, dtype=dtype)
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
        if coin is not None:
            with torch.no_grad():
                for p in model.parameters():
                    up = torch.rand(p.shape, generator=coin) < 0.5
                    p.copy_(torch.where(up, torch.nextafter(p, inf), torch.nextafter(p, -inf)))
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
    """Whole float64 trajectories: equal to 1e-8 (measured: at most 2e-10, with clipping and
    momentum; 2e-12 without — float64 rounding amplified by the same dynamics)."""
    assert ref.dtype == torch.float64, "whole trajectories are compared in float64"
    torch.testing.assert_close(torch.tensor(engine, dtype=ref.dtype), ref, rtol=1e-8, atol=1e-8,
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


F32_STEPS = 100      # the article's 100 epochs
AMPLIFYING = 1e-5   # a run whose loop moves more than this under one-ulp jitter amplifies rounding


def test_every_optimizer_matches_torch_on_the_article_network_float32():
    """float32, the article's dtype, whole trajectories — where the dynamics allow it.

    A batched matrix product rounds differently from nn.Linear's addmm in the last bit,
    and so do two CPUs' kernels. How far such differences travel is a property of the
    training dynamics, measured here in the same process: the reference loop is rerun
    with every parameter moved one ulp at random after every update (twice); the larger
    move of its result is the run's *spread*. Runs whose spread stays within 1e-5 (the
    dynamics contract rounding rather than amplify it) must match within 1e-5 — measured,
    the engine's difference is at most ~0.6× the spread, on AVX-512, AVX2 and baseline
    kernels. Runs that amplify (spread above 1e-5; measured 2e-3 for the Nesterov run
    from seed 3, at 100 steps and at 200) are left to the per-update test below and to
    the float64 trajectories, which check the same update rules without amplified rounding."""
    seeds = [0, 3]
    runs = [RunSpec(OptimizerSpec.make(name, **h), seed=s) for name, h in OPTIMIZER_CASES for s in seeds]
    res = train(SumOfThree(), runs, TrainConfig(steps=F32_STEPS, dtype="float32"))
    assert (res.diverged_at < 0).all()
    amplifying = []
    for i, r in enumerate(runs):
        name, h = OPTIMIZER_CASES[i // len(seeds)]
        ref = reference_mlp(name, h, ScheduleSpec(), r.seed, torch.float32, steps=F32_STEPS)
        scale = max(1.0, ref.abs().max().item())
        spread = max((reference_mlp(name, h, ScheduleSpec(), r.seed, torch.float32, steps=F32_STEPS, jitter=j)
                      - ref).abs().max().item() for j in (1, 2)) / scale
        if spread > AMPLIFYING:
            amplifying.append(f"{name} {h} seed {r.seed} (spread {spread:.1e})")
            continue
        diff = (torch.tensor(res.final_params[i]) - ref).abs().max().item() / scale
        assert diff <= 1e-5, f"{name} {h} seed {r.seed}: engine differs by {diff:.2e} (relative), " \
                             f"the loop's own one-ulp spread is {spread:.2e}"
    # The exclusion is for the odd chaotic run, not a way out: nearly every run is compared.
    assert len(amplifying) <= 3, f"too many runs amplify rounding: {amplifying}"


UPDATE_ULPS = 4      # per-update tolerance, in units of eps (see assert_every_update_equals_torch)

# The engine's optimizer state → torch.optim's state keys (torch's documented names).
TORCH_STATE = {
    "sgd": {"buf": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adagrad": {"s": "sum"},
    "rmsprop": {"v": "square_avg", "buf": "momentum_buffer", "gavg": "grad_avg"},
}


def torch_one_step(name, h, lr, k, theta, grad, state):
    """Update k+1 by torch.optim itself: a fresh optimizer over θ_k, its state set to the
    engine's state after k updates (step count k), its .grad the engine's gradient; then
    ONE optimizer.step(). Returns θ_{k+1} and torch's new state (by engine name)."""
    p = torch.tensor(theta, requires_grad=True)
    opt = torch_optimizer(name, [p], {**h, "lr": lr})
    st = opt.state[p]
    if k > 0:
        if name != "sgd":
            st["step"] = torch.tensor(float(k))
        for ours, theirs in TORCH_STATE[name].items():
            if ours in state:
                st[theirs] = torch.tensor(state[ours])
    p.grad = torch.tensor(grad)
    opt.step()
    new = {ours: opt.state[p][theirs] for ours, theirs in TORCH_STATE[name].items() if theirs in opt.state[p]}
    return p.detach(), new


def assert_every_update_equals_torch(res, cases, what):
    """For every run i (optimizer ``cases[i]``) and every update k of ``res`` (trained with
    record_state): torch.optim's step from the engine's θ_k, state and gradient equals the
    engine's θ_{k+1} and state to 4 units in the last place of the quantities involved —
    elementwise |Δ| ≤ 4·eps·(|new| + 2|old|), plus |g| + wd·|θ| for the state, whose update
    adds the (weight-decayed) gradient and can cancel. Measured on AVX-512: under 2 units
    (two roundings of the update in another order, e.g. Adagrad's (−clr·g)/std vs −clr·(g/std))."""
    # Copies (torch.tensor): TrainResult's arrays are read-only.
    P, S = torch.tensor(res.params), {k: torch.tensor(v) for k, v in res.opt_state.items()}
    G = torch.tensor(res.grads)
    eps, tiny = torch.finfo(P.dtype).eps, torch.finfo(P.dtype).tiny
    T = G.shape[0]
    assert T > 0 and (res.diverged_at < 0).all()
    for i, (name, h) in enumerate(cases):
        keys = [k for k in TORCH_STATE[name] if k in S and not S[k][0, i].isnan().any()]
        wd = h.get("weight_decay", OptimizerSpec.make(name).weight_decay)
        for k in range(T):
            old = {key: S[key][k - 1, i].numpy() for key in keys} if k else {}
            theta, state = torch_one_step(name, h, float(res.lr[k, i]), k, P[k, i].numpy(), G[k, i].numpy(), old)
            new, before = P[k + 1, i], P[k, i]
            tol = UPDATE_ULPS * eps * (new.abs() + 2 * before.abs()) + tiny
            bad = (theta - new).abs() > tol
            assert not bad.any(), f"{what}: {name} {h}, update {k + 1}: torch {theta[bad].tolist()} " \
                                  f"vs engine {new[bad].tolist()}"
            assert sorted(state) == sorted(keys), f"{what}: {name} {h}: state {sorted(state)} vs {keys}"
            for key in keys:
                ours = S[key][k, i]
                prev = S[key][k - 1, i].abs() if k else torch.zeros_like(ours)
                tol = UPDATE_ULPS * eps * (ours.abs() + 2 * prev + G[k, i].abs() + wd * before.abs()) + tiny
                bad = (state[key] - ours).abs() > tol
                assert not bad.any(), f"{what}: {name} {h}, update {k + 1}, {TORCH_STATE[name][key]}: " \
                                      f"torch {state[key][bad].tolist()} vs engine {ours[bad].tolist()}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_update_equals_one_torch_optim_step_on_the_article_network(dtype):
    """Every update of every optimizer setting, from two seeds, over 200 steps — including
    the runs whose float32 trajectories amplify rounding: each update is torch's."""
    seeds = [0, 3]
    cases = [(name, h) for name, h in OPTIMIZER_CASES for _ in seeds]
    runs = [RunSpec(OptimizerSpec.make(name, **h), seed=s) for name, h in OPTIMIZER_CASES for s in seeds]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, dtype=dtype, record_state=True, record_params=True))
    assert_every_update_equals_torch(res, cases, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_update_equals_one_torch_optim_step_under_schedules(dtype):
    """The scheduled rate of update k (checked against lr_scheduler below) is the rate
    torch.optim is handed for that one step."""
    cases = [(n, h) for _ in SCHEDULE_CASES for n, h in (("sgd", dict(lr=0.02, momentum=0.9)),
                                                         ("adam", dict(lr=0.02)), ("adagrad", dict(lr=0.2, lr_decay=0.01)))]
    scheds = [s for s in SCHEDULE_CASES for _ in range(3)]
    runs = [RunSpec(OptimizerSpec.make(n, **h), schedule=s, seed=1) for (n, h), s in zip(cases, scheds)]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, dtype=dtype, record_state=True, record_params=True))
    for i, s in enumerate(scheds):
        np.testing.assert_array_equal(res.lr[:, i], s.lrs(cases[i][1]["lr"], STEPS))
    assert_every_update_equals_torch(res, cases, f"{dtype} schedules")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_update_equals_one_torch_optim_step_on_rosenbrock(dtype):
    cases = [(n, {**h, "lr": min(h["lr"], 5e-4)} if n == "sgd" else h) for n, h in OPTIMIZER_CASES]
    runs = [RunSpec(OptimizerSpec.make(n, **h)) for n, h in cases]
    res = train(SurfaceProblem("rosenbrock", start=(-1.5, 2.0)), runs,
                TrainConfig(steps=STEPS, dtype=dtype, record_state=True, record_params=True))
    assert_every_update_equals_torch(res, cases, f"{dtype} rosenbrock")


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


CLIP_CASES = [("sgd", dict(lr=0.05, momentum=0.9)), ("adam", dict(lr=0.05)), ("sgd", dict(lr=0.02, momentum=0.9))]


def test_gradient_clipping_matches_clip_grad_norm():
    """Clipped at norm 1. SGD with momentum 0.9 at lr 0.05 is
    chaotic even in float64 after ~80 steps: one-ulp jitter moves the loop's own result by
    1e-2 at 200 steps with baseline (non-AVX) kernels, and the engine then differs by 3e-2
    there. So that run is compared whole for its first 60 steps (jitter spread ≤ 1e-12 on
    AVX-512, AVX2 and baseline kernels), and every one of its 200 updates in the test below;
    lr 0.02 (spread ≤ 1e-10) and Adam are compared over all 200 steps."""
    runs = [RunSpec(OptimizerSpec.make(n, **h), seed=2) for n, h in CLIP_CASES]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, clip_norm=1.0, dtype="float64", record_params=True))
    assert ((res.grad_norm[:-1] > 1.0).sum(axis=0) >= 10).all()   # clipping acts on every run
    for i, (n, h) in enumerate(CLIP_CASES):
        steps = 60 if h["lr"] == 0.05 and n == "sgd" else STEPS
        ref = reference_mlp(n, h, ScheduleSpec(), 2, torch.float64, steps=steps, clip=1.0)
        assert_close(res.params[steps, i], ref, f"{n} {h}, {steps} steps")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_clipped_update_is_clip_grad_norm_then_one_torch_optim_step(dtype):
    """Per update, 200 of them: the gradient the engine used is the gradient of article
    001's nn.Sequential at the engine's θ_k after torch.nn.utils.clip_grad_norm_(…, 1.0) —
    within 1000·eps (clipped gradients have norm ≤ 1; measured ≤ 125·eps, two forward/backward
    passes rounding differently) — and the step from it is torch.optim's."""
    torch_dtype = getattr(torch, dtype)
    runs = [RunSpec(OptimizerSpec.make(n, **h), seed=2) for n, h in CLIP_CASES]
    res = train(SumOfThree(), runs, TrainConfig(steps=STEPS, clip_norm=1.0, dtype=dtype, record_state=True,
                                                record_params=True))
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).to(torch_dtype)
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], dtype=torch_dtype)
    y = torch.tensor([[6.0], [9.0], [12.0]], dtype=torch_dtype)
    tol = 1000 * torch.finfo(torch_dtype).eps
    for i, (n, h) in enumerate(CLIP_CASES):
        for k in range(STEPS):
            with torch.no_grad():
                torch.nn.utils.vector_to_parameters(torch.tensor(res.params[k, i]), model.parameters())
            model.zero_grad()
            nn.MSELoss()(model(x), y).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            g = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
            diff = (g - torch.tensor(res.grads[k, i])).abs().max().item()
            assert diff <= tol, f"{dtype} {n} {h}, update {k + 1}: clipped gradient differs by {diff:.2e}"
    assert_every_update_equals_torch(res, CLIP_CASES, f"{dtype} clipped")


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
