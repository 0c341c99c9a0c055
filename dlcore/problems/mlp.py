"""A multilayer perceptron evaluated for N parameter vectors at once.

Parameters are stored flat, layer after layer, each layer's weight (out × in, row-major)
followed by its bias — the order of ``nn.Sequential(nn.Linear, act, nn.Linear, ...)
.parameters()``, so ``torch.nn.utils.parameters_to_vector(model.parameters())`` of the
equivalent torch model is exactly one row of theta.

Shapes: theta (N, P); inputs (B, in) shared by every run, or (N, B, in) when each run
sees its own mini-batch; output (N, B, out).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "leaky_relu": F.leaky_relu,  # negative_slope 0.01, as nn.LeakyReLU()
}
TORCH_ACTIVATIONS = {"relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
                     "leaky_relu": "nn.LeakyReLU()"}


def layout(sizes: tuple[int, ...]) -> list[tuple[slice, tuple[int, int], slice]]:
    """(weight slice, weight shape, bias slice) of each layer in the flat vector."""
    out, off = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = slice(off, off + fan_in * fan_out)
        off += fan_in * fan_out
        b = slice(off, off + fan_out)
        off += fan_out
        out.append((w, (fan_out, fan_in), b))
    return out


def n_params(sizes: tuple[int, ...]) -> int:
    return sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))


def param_names(sizes: tuple[int, ...]) -> tuple[str, ...]:
    names = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        names += [f"layer{k}.weight[{i},{j}]" for i in range(fan_out) for j in range(fan_in)]
        names += [f"layer{k}.bias[{i}]" for i in range(fan_out)]
    return tuple(names)


def weight_mask(sizes: tuple[int, ...]) -> torch.Tensor:
    """1.0 on weights, 0.0 on biases: regularisation penalises weights only."""
    m = torch.zeros(n_params(sizes))
    for w, _, _ in layout(sizes):
        m[w] = 1.0
    return m


def layer_slices(sizes: tuple[int, ...]) -> tuple[tuple[str, slice], ...]:
    return tuple((f"layer{k}", slice(w.start, b.stop)) for k, (w, _, b) in enumerate(layout(sizes), start=1))


def init(sizes: tuple[int, ...], seed: int) -> torch.Tensor:
    """nn.Linear's default initialisation, drawn from a generator seeded with ``seed``.

    The draws happen in the same order and with the same calls as constructing the
    layers after ``torch.manual_seed(seed)`` (kaiming_uniform_(a=√5) for each weight,
    U(−1/√fan_in, 1/√fan_in) for each bias), so the result equals the parameters of
    that torch model — but the global RNG is never touched (sessions run in parallel).
    Returned in float32, like a freshly built torch model.
    """
    g = torch.Generator().manual_seed(int(seed))
    parts = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.empty(fan_out, fan_in)
        torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        b = torch.empty(fan_out).uniform_(-bound, bound, generator=g)
        parts += [w.reshape(-1), b]
    return torch.cat(parts)


def forward(theta: torch.Tensor, x: torch.Tensor, sizes: tuple[int, ...], activation: str,
            keep_hidden: bool = False):
    """Outputs (N, B, out) of N networks; with keep_hidden also every layer's (z, a)."""
    act = ACTIVATIONS[activation]
    n = theta.shape[0]
    h = x
    hidden = []
    layers = layout(sizes)
    for k, (w_sl, shape, b_sl) in enumerate(layers):
        fan_out, fan_in = shape
        if h.dim() == 2:        # an input shared by every run: a view, not a copy
            h = h.expand(n, *h.shape)
        W = theta[:, w_sl].reshape(n, fan_out, fan_in)                       # (N, out, in)
        # h @ Wᵀ + b for each run in one fused op. Each run is its own product, but a run's
        # last bits can still depend on the batch: torch.bmm takes another kernel path for a
        # batch of one than for two or more, which rounds some shapes differently (seen with
        # the shop MLP: a run trained alone and inside a sweep differ by ~1e-7 after 200 steps,
        # and in settings that amplify rounding, visibly). The same holds between CPUs.
        # (One GEMM over all runs' stacked weights is ~10% faster but mixes runs further.)
        z = torch.baddbmm(theta[:, b_sl].unsqueeze(1), h, W.transpose(1, 2))  # (N, B, out)
        h = act(z) if k < len(layers) - 1 else z
        if keep_hidden:
            hidden.append((z, h))
    return (h, hidden) if keep_hidden else h
