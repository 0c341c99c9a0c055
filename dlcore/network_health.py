"""Dead ReLU networks: find them, date them, and predict what they output.

A ReLU unit is *inactive* on an input when its pre-activation z ≤ 0: it outputs 0 and,
because torch's ReLU has derivative 0 there, passes no gradient back. A unit inactive on
*every* training input is **dead** — no training example can move its incoming weights.
When every unit of one hidden layer is dead, the network is dead: that layer outputs zeros
whatever the input, so the network's output is the same number for every input, nothing
before that layer gets any gradient, and the weights after it see zero inputs — only the
biases from that layer on still learn. With one hidden layer (article 001's network) only
the output bias b learns; under MSE its gradient is 2·(b − mean target), so plain SGD
gives b ← b − η·2(b − ȳ): the outputs all drift to the mean target (9 for the article's
data) by the factor (1 − 2η) per epoch — see :func:`constant_output_path`.

Example (article 001's network from seed 0: 3 of its 4 hidden units start inactive on every
input, and the first SGD step kills the fourth)::

    >>> from dlcore import OptimizerSpec, RunSpec, SumOfThree, TrainConfig, train
    >>> p = SumOfThree()
    >>> res = train(p, [RunSpec(OptimizerSpec.make("sgd", lr=0.01), seed=0)], TrainConfig(steps=100))
    >>> relu_report(res.params[0], p.sizes, "relu", p.inputs)[["dead_units", "dead"]].values.tolist()
    [[3, False]]
    >>> relu_report(res.params[1], p.sizes, "relu", p.inputs)[["dead_units", "dead_layer", "dead"]].values.tolist()
    [[4, 1, True]]
    >>> dead_since(dead_over_time(res.params, p.sizes, "relu", p.inputs)).tolist()
    [1]
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .problems import mlp

__all__ = ["relu_report", "dead_over_time", "dead_since", "constant_output_path", "collapsed", "seed_outcomes",
           "run_status", "DIVERGED", "DEAD", "FLAT", "TRAINED"]

# What happened to one run (the outcome classes of the Neural network page's "Many seeds").
DIVERGED = "diverged"
DEAD = "dead: all outputs equal"        # a ReLU hidden layer is off for every input
FLAT = "all outputs equal"              # collapsed to one answer without a dead layer
TRAINED = "trained"


def _as_theta(params) -> torch.Tensor:
    t = params if isinstance(params, torch.Tensor) else torch.as_tensor(np.array(params, copy=True))
    return t.unsqueeze(0) if t.dim() == 1 else t


def _hidden(params, sizes, activation, X):
    if activation not in mlp.ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}.")
    t = _as_theta(params)
    if t.shape[-1] != mlp.n_params(tuple(sizes)):
        raise ValueError(f"The network {list(sizes)} has {mlp.n_params(tuple(sizes))} parameters, got {t.shape[-1]}.")
    x = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=t.dtype)
    with torch.no_grad():
        out, layers = mlp.forward(t, x, tuple(sizes), activation, keep_hidden=True)
    return out[..., 0], [z for z, _ in layers[:-1]]      # (N, B), [(N, B, width)] of hidden layers


def collapsed(outputs: np.ndarray, rtol: float = 1e-6) -> np.ndarray:
    """True where a network's outputs over the inputs are all equal (to ``rtol``); outputs (N, B)."""
    o = np.asarray(outputs, dtype=np.float64)
    spread = o.max(axis=1) - o.min(axis=1)
    return np.isfinite(spread) & (spread <= rtol * np.maximum(1.0, np.abs(o).max(axis=1)))


def relu_report(params, sizes, activation: str, X) -> pd.DataFrame:
    """Per network (rows of params (N, P)): which hidden units are inactive on every input of X.

    Columns: run, hidden_units, dead_units (units with z ≤ 0 on every input — for ReLU and
    LeakyReLU; Sigmoid and Tanh units never have a zero gradient, so 0 there), dead_layer
    (the first hidden layer, 1-based, whose units are *all* such — only for ReLU, <NA>
    otherwise), dead (a dead layer exists), output_spread (max − min of the outputs over X),
    collapsed (all outputs equal), outputs (list of the outputs).
    """
    out, zs = _hidden(params, sizes, activation, X)
    n = out.shape[0]
    relu_like = activation in ("relu", "leaky_relu")
    dead_units = np.zeros(n, dtype=np.int64)
    dead_layer = np.full(n, -1)
    for k, z in enumerate(zs, start=1):
        inactive = (z <= 0).all(dim=1).numpy()               # (N, width): z ≤ 0 on every input
        if relu_like:
            dead_units += inactive.sum(axis=1)
        if activation == "relu":
            all_dead = inactive.all(axis=1) & (dead_layer < 0)
            dead_layer[all_dead] = k
    o = out.double().numpy()
    spread = o.max(axis=1) - o.min(axis=1)
    df = pd.DataFrame({
        "run": np.arange(n), "hidden_units": sum(z.shape[-1] for z in zs), "dead_units": dead_units,
        "dead_layer": pd.array(np.where(dead_layer > 0, dead_layer, 0), dtype="Int64"),
        "dead": dead_layer > 0, "output_spread": spread, "collapsed": collapsed(o),
        "outputs": [list(r) for r in o],
    })
    df.loc[~df["dead"], "dead_layer"] = pd.NA
    return df


def dead_over_time(params_history, sizes, activation: str, X) -> np.ndarray:
    """(T+1, N) bool: is each network dead (a hidden layer all inactive on X) at each step?

    params_history is (T+1, N, P), as ``TrainResult.params``.
    """
    p = np.asarray(params_history)
    T1, N, P = p.shape
    flat = torch.as_tensor(np.array(p.reshape(T1 * N, P), copy=True))
    if activation != "relu":
        return np.zeros((T1, N), dtype=bool)
    _, zs = _hidden(flat, sizes, activation, X)
    dead = np.zeros(T1 * N, dtype=bool)
    for z in zs:
        dead |= (z <= 0).all(dim=1).all(dim=1).numpy()
    return dead.reshape(T1, N)


def dead_since(dead: np.ndarray) -> np.ndarray:
    """First step from which each network stays dead (-1 if it is alive at the end); dead (T+1, N)."""
    d = np.asarray(dead, dtype=bool)
    stays = np.logical_and.accumulate(d[::-1], axis=0)[::-1]
    return np.where(stays.any(axis=0), np.argmax(stays, axis=0), -1)


def constant_output_path(b0: float, targets, lr: float, steps: int) -> np.ndarray:
    """Output of a dead one-hidden-layer network trained with plain SGD (no momentum or
    weight decay) on MSE: only the output bias learns, b_{t+1} = b_t − lr·2(b_t − ȳ), so
    b_t = ȳ + (b0 − ȳ)(1 − 2·lr)^t. Returns b_0 … b_steps (float64)."""
    ybar = float(np.mean(np.asarray(targets, dtype=np.float64)))
    t = np.arange(int(steps) + 1)
    return ybar + (float(b0) - ybar) * (1.0 - 2.0 * float(lr)) ** t


def seed_outcomes(final_params, sizes, activation: str, X, diverged) -> pd.DataFrame:
    """What each run (rows of final_params (N, P)) ended as, one row per run.

    ``outcome`` is :data:`DIVERGED` (diverged[i] true: its loss blew up), else :data:`DEAD`
    (a ReLU hidden layer is inactive on every input of X), else :data:`FLAT` (all outputs
    equal anyway), else — for ReLU — "a of H hidden units alive" (units not inactive on every
    input), and :data:`TRAINED` for the other activations. Also: hidden_units, dead_units,
    alive_units, dead_layer, dead, outputs (of a diverged run: NaN). Non-finite parameters
    are read as 0 (a diverged run's outputs are not used).
    """
    div = np.asarray(diverged, dtype=bool).reshape(-1)
    rep = relu_report(np.nan_to_num(np.asarray(final_params, dtype=np.float64)), sizes, activation, X)
    hidden = int(rep["hidden_units"].iloc[0])
    alive = hidden - rep["dead_units"].to_numpy()
    if activation == "relu":
        other = np.array([f"{a} of {hidden} hidden units alive" for a in alive], dtype=object)
    else:
        other = np.full(len(rep), TRAINED, dtype=object)
    outcome = np.where(div, DIVERGED, np.where(rep["dead"], DEAD, np.where(rep["collapsed"], FLAT, other)))
    outputs = [[float("nan")] * len(o) if d else o for o, d in zip(rep["outputs"], div)]
    return pd.DataFrame({"run": rep["run"], "outcome": outcome, "hidden_units": hidden,
                         "dead_units": rep["dead_units"], "alive_units": alive, "dead_layer": rep["dead_layer"],
                         "dead": rep["dead"].to_numpy() & ~div, "outputs": outputs})


def run_status(outcome: str) -> str:
    """The one-word status of a single run from its :func:`seed_outcomes` outcome:
    "diverged", "dead ReLU" (a dead layer) or "trained" (anything else)."""
    return {DIVERGED: "diverged", DEAD: "dead ReLU"}.get(outcome, "trained")
