"""Engine vs the per-run torch.optim loop a user would write, on the same runs.

    python bench/run.py --json            # one JSON object per case
    python bench/run.py --json --quick    # fewer runs/steps, for a smoke check

Each case reports engine_s (one batched dlcore.train call; best of 3, all three in
engine_runs_s), reference_s (a plain
``for run in runs: for step in range(steps): ...`` loop with torch.optim), their ratio,
and max_abs_diff between the final parameters of runs that stayed finite in both.
Both sides use the same dtype and a single thread (torch.set_num_threads(1)), as the app
does on a shared host.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dlcore import LINE_FIT, OptimizerSpec, RunSpec, SumOfThree, TrainConfig, train  # noqa: E402


def ref_line_fit(lrs, steps, dtype):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=dtype)
    y = torch.tensor([2.0, 4.0, 6.0, 8.0], dtype=dtype)
    out = []
    for lr in lrs:
        w = torch.zeros(1, dtype=dtype, requires_grad=True)
        b = torch.zeros(1, dtype=dtype, requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=lr)
        for _ in range(steps):
            loss = torch.mean((w * x + b - y) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
        out.append([w.item(), b.item()])
    return np.array(out)


def ref_sum_of_three(configs, steps, dtype):
    x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], dtype=dtype)
    y = torch.tensor([[6.0], [9.0], [12.0]], dtype=dtype)
    crit = nn.MSELoss()
    out = []
    for lr, seed in configs:
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).to(dtype)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(steps):
            loss = crit(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        out.append(torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy())
    return np.array(out)


def compare(engine: np.ndarray, ref: np.ndarray, diverged: np.ndarray) -> tuple[float, int]:
    ok = ~diverged & np.isfinite(ref).all(axis=1) & (np.abs(ref).max(axis=1) < 1e6)
    if not ok.any():
        return math.nan, 0
    return float(np.abs(engine[ok] - ref[ok]).max()), int(ok.sum())


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def timed_best(fn, repeat: int = 3):
    """(result, best seconds, all seconds): the engine is cheap enough to time a few
    times; the minimum is its cost without scheduler noise (timeit's convention)."""
    times, out = [], None
    for _ in range(repeat):
        out, s = timed(fn)
        times.append(s)
    return out, min(times), times


def case_line_fit(n_runs, steps, dtype):
    lrs = np.logspace(-4, 0, n_runs).tolist()
    runs = [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in lrs]
    res, engine_s, all_s = timed_best(lambda: train(LINE_FIT, runs, TrainConfig(steps=steps, dtype=dtype)))
    ref, ref_s = timed(lambda: ref_line_fit(lrs, steps, getattr(torch, dtype)))
    diff, n = compare(res.final_params, ref, res.diverged_at >= 0)
    return dict(name=f"line_fit_sgd_{n_runs}lrs_{steps}steps_{dtype}", runs=n_runs, steps=steps,
                engine_s=engine_s, engine_runs_s=[round(t, 4) for t in all_s], reference_s=ref_s,
                ratio=ref_s / engine_s, max_abs_diff=diff, compared_runs=n,
                diverged_runs=int((res.diverged_at >= 0).sum()))


def case_sum_of_three(n_lrs, n_seeds, steps, dtype):
    configs = [(lr, seed) for lr in np.logspace(-3, -1, n_lrs).tolist() for seed in range(n_seeds)]
    runs = [RunSpec(OptimizerSpec.make("adam", lr=lr), seed=seed) for lr, seed in configs]
    res, engine_s, all_s = timed_best(lambda: train(SumOfThree(), runs, TrainConfig(steps=steps, dtype=dtype)))
    ref, ref_s = timed(lambda: ref_sum_of_three(configs, steps, getattr(torch, dtype)))
    diff, n = compare(res.final_params, ref, res.diverged_at >= 0)
    return dict(name=f"sum_of_three_adam_{len(configs)}runs_{steps}steps_{dtype}", runs=len(configs),
                steps=steps, engine_s=engine_s, engine_runs_s=[round(t, 4) for t in all_s], reference_s=ref_s,
                ratio=ref_s / engine_s, max_abs_diff=diff, compared_runs=n,
                diverged_runs=int((res.diverged_at >= 0).sum()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke check")
    ap.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    steps = 100 if args.quick else 1000
    cases = [lambda: case_line_fit(20 if args.quick else 200, steps, args.dtype),
             lambda: case_sum_of_three(4 if args.quick else 20, 5 if args.quick else 10, steps, args.dtype)]
    for make in cases:
        train(LINE_FIT, [RunSpec()], TrainConfig(steps=5))  # warm-up: first-call overheads
        r = make()
        if args.json:
            print(json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()}), flush=True)
        else:
            print(f"{r['name']}: engine {r['engine_s']:.3f}s, reference {r['reference_s']:.2f}s, "
                  f"ratio {r['ratio']:.0f}x, max |diff| {r['max_abs_diff']:.2e} over {r['compared_runs']} runs",
                  flush=True)


if __name__ == "__main__":
    main()
