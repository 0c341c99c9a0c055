"""Plain PyTorch reference runs for the optimizer comparison page's tests.

Written the way a learner would, straight from torch / torch.optim / torch.nn — nothing
here imports dlcore. Each run returns the loss at every step (before each update, then
after the last one), the parameters at every step and where it diverged, using the
lab's documented divergence rule: a loss that is not finite, or above
optimum + 10⁴·max(loss₀ − optimum, 1).
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn

SURFACES = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    "himmelblau": lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2,
    "saddle": lambda x, y: x ** 2 - y ** 2,
    "rastrigin": lambda x, y: (20 + (x ** 2 - 10 * torch.cos(2 * math.pi * x))
                               + (y ** 2 - 10 * torch.cos(2 * math.pi * y))),
    "bowl": lambda x, y: 0.5 * (x ** 2 + 25 * y ** 2),
}
MINIMA = {
    "rosenbrock": [(1.0, 1.0)], "beale": [(3.0, 0.5)], "bowl": [(0.0, 0.0)], "rastrigin": [(0.0, 0.0)],
    "himmelblau": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
}
STARTS = {"rosenbrock": (-2.0, 2.0), "beale": (3.0, 4.0), "himmelblau": (0.0, 0.0), "saddle": (-1.5, 1e-3),
          "rastrigin": (-2.0, 3.5), "bowl": (-4.0, 1.5)}

# The page's optimizer names → torch.optim constructors with their fixed switches.
PRESET = {
    "SGD": (torch.optim.SGD, {}),
    "Momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "Nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "Adam": (torch.optim.Adam, {}),
    "AdamW": (torch.optim.AdamW, {}),
    "AdaGrad": (torch.optim.Adagrad, {}),
    "RMSprop": (torch.optim.RMSprop, {}),
}


def make_optimizer(label: str, params, **hyper):
    cls, fixed = PRESET[label]
    kw = {**fixed, **hyper}
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    if "wd" in kw:
        kw["weight_decay"] = kw.pop("wd")
    return cls(params, **kw)


def _diverged(loss: float, loss0: float, optimum: float | None) -> bool:
    ref = optimum if optimum is not None else 0.0
    return not (math.isfinite(loss) and loss <= ref + 1e4 * max(loss0 - ref, 1.0))


def run_params(loss_fn, params, label, hyper, steps, clip=None, optimum=None):
    """Full-batch loop over a list of leaf tensors. Returns dict(losses, path, diverged_at)."""
    opt = make_optimizer(label, params, **hyper)
    losses, path, loss0 = [], [], None
    for t in range(steps + 1):
        opt.zero_grad()
        loss = loss_fn()
        v = loss.item()
        losses.append(v)
        path.append(torch.cat([p.detach().reshape(-1) for p in params]).clone())
        loss0 = v if loss0 is None else loss0
        if _diverged(v, loss0, optimum):
            return dict(losses=np.array(losses), path=torch.stack(path).double().numpy(), diverged_at=t)
        if t == steps:
            break
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, max_norm=clip)
        opt.step()
    return dict(losses=np.array(losses), path=torch.stack(path).double().numpy(), diverged_at=None)


def surface_run(f, start, label, hyper, steps, clip=None, optimum=0.0, dtype=torch.float64):
    xy = torch.tensor(start, dtype=dtype, requires_grad=True)
    return run_params(lambda: f(xy[0], xy[1]), [xy], label, hyper, steps, clip, optimum)


def line_run(x, y, start, label, hyper, steps, dtype=torch.float64):
    xs, ys = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
    w = torch.tensor([start[0]], dtype=dtype, requires_grad=True)
    b = torch.tensor([start[1]], dtype=dtype, requires_grad=True)
    # least-squares MSE as the optimum, from numpy's lstsq
    A = np.column_stack([np.array(x, float), np.ones(len(x))])
    sol, *_ = np.linalg.lstsq(A, np.array(y, float), rcond=None)
    optimum = float(np.mean((A @ sol - np.array(y, float)) ** 2))
    out = run_params(lambda: torch.mean((w * xs + b - ys) ** 2), [w, b], label, hyper, steps, optimum=optimum)
    out["optimum"], out["solution"] = optimum, tuple(sol)
    return out


def sum_of_three_run(seed, label, hyper, steps):
    """Article 001's network and data, float32, nn.Linear's initialisation after manual_seed."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]])
    y = torch.tensor([[6.0], [9.0], [12.0]])
    crit = nn.MSELoss()
    return run_params(lambda: crit(model(x), y), list(model.parameters()), label, hyper, steps, optimum=0.0)


def first_stay_within(losses, tol, optimum=0.0):
    """First step from which every later loss is within tol of the optimum (None if never)."""
    losses = np.asarray(losses, dtype=float)
    for t in range(len(losses)):
        rest = losses[t:] - optimum
        if np.isfinite(rest).all() and (rest < tol).all():
            return t
    return None


def first_settled(losses, tol):
    losses = np.asarray(losses, dtype=float)
    for t in range(len(losses)):
        if (np.abs(losses[t:] - losses[-1]) < tol).all():
            return t
    return None


def logistic_minibatch_run(X, y, seed, label, hyper, steps, batch_size):
    """Logistic regression (nn.Linear(d, 1) + BCEWithLogitsLoss) on float32 data; mini-batches
    from a fresh torch.randperm per epoch drawn from Generator().manual_seed(seed) (as a
    DataLoader with shuffle=True, drop_last=False would). Returns the full training loss
    after every update and the number of records read."""
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    n = len(X)
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    opt = make_optimizer(label, list(model.parameters()), **hyper)
    crit = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(seed)
    full, seen, step = [], 0, 0
    with torch.no_grad():
        full.append(crit(model(X), y).item())
    bs = n if batch_size is None else batch_size
    while step < steps:
        perm = torch.randperm(n, generator=gen) if bs < n else torch.arange(n)
        for start in range(0, n, bs):
            if step == steps:
                break
            idx = perm[start:start + bs]
            opt.zero_grad()
            crit(model(X[idx]), y[idx]).backward()
            opt.step()
            seen += len(idx)
            step += 1
            with torch.no_grad():
                full.append(crit(model(X), y).item())
    return dict(losses=np.array(full), seen=seen, model=model)
