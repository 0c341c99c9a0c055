"""Helpers for the learning-rate sweep page's AppTest tests: run the page with query
parameters, read its tables and chart data, and the plain PyTorch loops (written out here,
independent of dlcore's engine) that its numbers must equal."""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page

from dlcore import PurchaseProblem

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ARTICLE = [0.001, 0.01, 0.1, 1.0, 10.0]


def run_page(**qp) -> AppTest:
    at = open_page("lr_sweep.py", timeout=180, **qp)
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def chart_rows(at, k: int) -> list[dict]:
    """Every data row of the k-th chart, inlined in its spec or shipped as Arrow datasets."""
    el = at.get("vega_lite_chart")[k]
    spec = json.loads(el.proto.spec)
    assert spec["layer"]
    rows = [r for d in spec.get("datasets", {}).values() for r in d]     # data inlined in the spec
    for ds in el.proto.datasets:                                         # data sent as Arrow
        rows += dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data).to_dict("records")
    return rows


def notes(at) -> str:
    return "\n".join(w.value for w in at.warning)


def assert_renders(name: str, qp: dict, note: str | None) -> None:
    """The page at these link settings: no exception or error, both sweep charts and the
    sweep table drawn, and ``note`` (when given) shown where a setting had to change."""
    at = run_page(**qp)
    assert len(at.get("vega_lite_chart")) >= 2
    assert len(frame(at, "learning_rate")) >= 2
    if note:
        assert note in notes(at) + "\n".join(i.value for i in at.info), name
    assert not at.error, [e.value for e in at.error]


# ---------------------------------------------------------------------------------------
# Independent reference: the plain PyTorch loop a learner writes, per problem.
# ---------------------------------------------------------------------------------------
HOURS = np.array([10.0, 20.0, 30.0, 40.0])
SCORES = np.array([480.0, 520.0, 710.0, 680.0])


def make_problem(name, dtype):
    """(params, loss_fn, optimum or None) for one run."""
    t = lambda a: torch.tensor(a, dtype=dtype)  # noqa: E731
    if name in ("line", "study_std"):
        if name == "line":
            x, y = np.arange(1.0, 5.0), 2 * np.arange(1.0, 5.0)
        else:
            x, y = (HOURS - HOURS.mean()) / HOURS.std(), SCORES
        A = np.stack([x, np.ones_like(x)], axis=1)
        optimum = float(np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2))
        w = torch.zeros(1, dtype=dtype, requires_grad=True)
        b = torch.zeros(1, dtype=dtype, requires_grad=True)
        X, Y = t(x), t(y)
        return [w, b], lambda: torch.mean((w * X + b - Y) ** 2), optimum
    if name == "bowl":
        xy = torch.tensor([-4.0, 1.5], dtype=dtype, requires_grad=True)
        return [xy], lambda: 0.5 * (xy[0] ** 2 + 25 * xy[1] ** 2), 0.0
    if name == "logistic":
        Xtr, ytr, _, _, _, _ = PurchaseProblem(model="logistic").arrays()   # the data set, not the training
        torch.manual_seed(0)
        model = nn.Linear(3, 1).to(dtype)
        X, Y = t(Xtr), t(ytr).unsqueeze(1)
        crit = nn.BCEWithLogitsLoss()
        return list(model.parameters()), lambda: crit(model(X), Y), None
    raise ValueError(name)


def reference_run(problem, opt, lr, steps, dtype, schedule=None):
    """Losses at steps 0..T (before each update, then the final one), stopping where the
    loss leaves [−inf, optimum + 10⁴·max(loss₀ − optimum, 1)] or is NaN."""
    params, loss_fn, optimum = make_problem(problem, dtype)
    hyper = {"SGD": dict(), "Momentum": dict(momentum=0.9), "Nesterov": dict(momentum=0.9, nesterov=True)}
    if opt in hyper:
        o = torch.optim.SGD(params, lr=lr, **hyper[opt])
    else:
        o = torch.optim.Adam(params, lr=lr)
    sched = schedule(o) if schedule else None
    losses, diverged, limit = [], None, None
    for step in range(steps + 1):
        loss = loss_fn()
        v = loss.item()
        losses.append(v)
        if limit is None:
            ref = optimum if optimum is not None else 0.0
            limit = ref + 1e4 * max(v - ref, 1.0)
        if not (v <= limit):
            diverged = step
            break
        if step == steps:
            break
        o.zero_grad()
        loss.backward()
        o.step()
        if sched:
            sched.step()
    return losses, diverged, optimum


def first_stay_below(losses, tol, ref):
    for s in range(len(losses)):
        if all(math.isfinite(v) and v - ref < tol for v in losses[s:]):
            return s
    return None


