"""Look inside a small multilayer perceptron: its neurons, weights and forward pass.

From one flat parameter vector (the layout of ``nn.Sequential(nn.Linear, act, ...)
.parameters()``, see :mod:`dlcore.problems.mlp`), the layer sizes, the activation and
one input, :func:`network_view` returns two tidy tables a chart can draw directly:

* **nodes** — one row per neuron: ``layer`` (0 = inputs), ``kind`` (input / hidden /
  output), ``index``, ``name`` (x1, h1_2, y), layout position ``x``/``y``, the
  pre-activation ``z = Σ wᵢ·aᵢ + b`` (NaN for inputs), the ``bias`` (NaN for inputs)
  and ``value`` (the input itself, the activation, or the network's output).
* **edges** — one row per weight: ``layer`` (1 = the first nn.Linear), ``src``/``dst``
  neuron indices, their positions ``x, y, x2, y2``, the ``weight``, its ``sign``
  ("+"/"−") and size ``abs_w``, and ``term = weight · value of the source neuron``: the
  edge's share of the destination's z.

So for every non-input neuron: z = Σ term over its incoming edges + bias, and value =
activation(z) (the output layer has no activation, as in article 001's network). The
numbers are those of torch's own forward pass in the parameters' dtype.

Example (article 001's 3→4→1 ReLU network with nn.Linear's init for seed 11)::

    >>> from dlcore.problems import mlp
    >>> theta = mlp.init((3, 4, 1), seed=11)
    >>> view = network_view(theta, (3, 4, 1), "relu", (1.0, 2.0, 3.0))
    >>> len(view.nodes), len(view.edges)
    (8, 16)
    >>> h = view.nodes[view.nodes.kind == "hidden"]
    >>> bool(((h.value - h.z.clip(lower=0)).abs() < 1e-6).all())     # ReLU(z)
    True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .problems import mlp

__all__ = ["NetworkView", "network_view", "forward_trace", "predict", "MAX_DIAGRAM_EDGES"]

MAX_DIAGRAM_EDGES = 2000   # beyond this a diagram is a hairball (and too many marks)


def _check(sizes, activation: str) -> tuple[int, ...]:
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"Layer sizes must be at least two positive numbers, got {list(sizes)}.")
    if activation not in mlp.ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}; choose one of {list(mlp.ACTIVATIONS)}.")
    return sizes


def _theta(theta, sizes) -> torch.Tensor:
    t = torch.as_tensor(np.array(theta, copy=True)) if not isinstance(theta, torch.Tensor) else theta
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.shape[-1] != mlp.n_params(sizes):
        raise ValueError(f"The network {list(sizes)} has {mlp.n_params(sizes)} parameters, got {t.shape[-1]}.")
    return t


def predict(theta, sizes, activation: str, x) -> np.ndarray:
    """Outputs of one network (theta (P,)) or N networks (theta (N, P)) for inputs x (B, in).

    Returns (B, out) for one network, (N, B, out) for N — in theta's dtype, as float64 numbers.
    """
    sizes = _check(sizes, activation)
    single = np.ndim(theta) == 1
    t = _theta(theta, sizes)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=t.dtype)
    if xt.dim() == 1:
        xt = xt.unsqueeze(0)
    if xt.shape[-1] != sizes[0]:
        raise ValueError(f"Each input needs {sizes[0]} numbers, got {xt.shape[-1]}.")
    with torch.no_grad():
        out = mlp.forward(t, xt, sizes, activation).double().numpy()
    return out[0] if single else out


def forward_trace(theta, sizes, activation: str, x) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer (input excluded): (z, value) of one network for one input, as float64 arrays."""
    sizes = _check(sizes, activation)
    t = _theta(theta, sizes)
    if t.shape[0] != 1:
        raise ValueError("forward_trace takes the parameters of one network.")
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=t.dtype).reshape(1, -1)
    if xt.shape[-1] != sizes[0]:
        raise ValueError(f"The input needs {sizes[0]} numbers, got {xt.shape[-1]}.")
    with torch.no_grad():
        _, hidden = mlp.forward(t, xt, sizes, activation, keep_hidden=True)
    return [(z[0, 0].double().numpy(), a[0, 0].double().numpy()) for z, a in hidden]


@dataclass(frozen=True)
class NetworkView:
    nodes: pd.DataFrame
    edges: pd.DataFrame

    def incoming(self, layer: int, index: int) -> pd.DataFrame:
        """The edges into neuron ``index`` of node layer ``layer`` (1 = first hidden layer)."""
        e = self.edges
        return e[(e["layer"] == layer) & (e["dst"] == index)]


def _names(sizes) -> list[list[str]]:
    L = len(sizes) - 1
    out = [[f"x{i + 1}" for i in range(sizes[0])]]
    for k in range(1, L):
        out.append([f"h{k}_{j + 1}" if L > 2 else f"h{j + 1}" for j in range(sizes[k])])
    out.append(["y"] if sizes[-1] == 1 else [f"y{j + 1}" for j in range(sizes[-1])])
    return out


def network_view(theta, sizes, activation: str, x, max_edges: int = MAX_DIAGRAM_EDGES) -> NetworkView:
    """Nodes and edges of one network evaluated at input ``x`` (see the module docstring).

    Layout: layer k at x = k; the neurons of a layer are spread evenly around y = 0, one
    unit apart, first neuron at the top (largest y).
    """
    sizes = _check(sizes, activation)
    n_edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_edges > max_edges:
        raise ValueError(f"This network has {n_edges} weights; a diagram shows at most {max_edges}.")
    t = _theta(theta, sizes)
    trace = forward_trace(t, sizes, activation, x)
    flat = t[0].double().numpy()
    names = _names(sizes)
    L = len(sizes) - 1

    def ypos(n):
        return (n - 1) / 2 - np.arange(n)

    node_rows = []
    values = [np.asarray(x, dtype=np.float64).reshape(-1)]
    for i, v in enumerate(values[0]):
        node_rows.append(dict(layer=0, kind="input", index=i, name=names[0][i], x=0.0, y=ypos(sizes[0])[i],
                              z=np.nan, bias=np.nan, value=float(v)))
    edge_rows = []
    for k, ((w_sl, shape, b_sl), (z, a)) in enumerate(zip(mlp.layout(sizes), trace), start=1):
        W = flat[w_sl].reshape(shape)          # (out, in)
        b = flat[b_sl]
        kind = "output" if k == L else "hidden"
        for j in range(shape[0]):
            node_rows.append(dict(layer=k, kind=kind, index=j, name=names[k][j], x=float(k),
                                  y=ypos(sizes[k])[j], z=float(z[j]), bias=float(b[j]), value=float(a[j])))
        src_y, dst_y = ypos(sizes[k - 1]), ypos(sizes[k])
        prev = values[-1]
        for j in range(shape[0]):
            for i in range(shape[1]):
                w = float(W[j, i])
                edge_rows.append(dict(layer=k, src=i, dst=j, src_name=names[k - 1][i], dst_name=names[k][j],
                                      x=float(k - 1), y=src_y[i], x2=float(k), y2=dst_y[j], weight=w,
                                      sign="+" if w >= 0 else "−", abs_w=abs(w), term=w * float(prev[i])))
        values.append(a)
    return NetworkView(nodes=pd.DataFrame(node_rows), edges=pd.DataFrame(edge_rows))
