"""Two-parameter test functions for optimizer races, each with its known minima.

Starting points and view windows follow the common visualizers (Distill's "Why
Momentum Really Works", jettify/pytorch-optimizer's examples, j-w-yun's optimizer
visualization) so a learner can compare with them:

==============  ==========================================  =================  ============
name            f(x, y)                                     minima             start
==============  ==========================================  =================  ============
rosenbrock      (1 − x)² + 100(y − x²)²                     (1, 1)             (−2, 2)
beale           (1.5 − x + xy)² + (2.25 − x + xy²)²         (3, 0.5)           (3, 4)
                + (2.625 − x + xy³)²
himmelblau      (x² + y − 11)² + (x + y² − 7)²              four, all f = 0    (0, 0)
saddle          x² − y²                                     none (unbounded)   (−1.5, 1e-3)
rastrigin       20 + x² − 10cos 2πx + y² − 10cos 2πy        (0, 0)             (−2, 3.5)
bowl            ½(x² + 25 y²)   (condition number 25)       (0, 0)             (−4, 1.5)
==============  ==========================================  =================  ============

For random restarts, :data:`RESTART_SURFACES` adds ``wells``: (x² − 1)² + (y² − 1)² + 0.5x + 0.25y,
four minima of different depths (near (±1, ±1)) with saddle points between them.

A learner-typed f(x, y) (``expression``) is parsed by :mod:`dlcore.expr` — never eval.

Example::

    >>> SurfaceProblem("himmelblau").build().loss(torch.tensor([[3.0, 2.0]])).item()
    0.0
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .._checks import floats
from .base import Objective


@dataclass(frozen=True)
class SurfaceDef:
    title: str
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    latex: str
    source: str                       # the same f as Python/torch source, for exported scripts
    minima: tuple[tuple[float, float], ...]
    min_value: float | None
    start: tuple[float, float]
    window: tuple[float, float, float, float]   # x0, x1, y0, y1
    log_color: bool
    about: str
    hessian: tuple[tuple[float, float], tuple[float, float]] | None = None  # constant for quadratics
    saddles: tuple[tuple[float, float], ...] = ()    # saddle points, where the map marks them


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def _saddle(x, y):
    return x ** 2 - y ** 2


def _rastrigin(x, y):
    return 20 + (x ** 2 - 10 * torch.cos(2 * math.pi * x)) + (y ** 2 - 10 * torch.cos(2 * math.pi * y))


def _bowl(x, y):
    return 0.5 * (x ** 2 + 25 * y ** 2)


SURFACES: dict[str, SurfaceDef] = {
    "rosenbrock": SurfaceDef(
        "Rosenbrock", _rosenbrock, r"(1-x)^2 + 100\,(y-x^2)^2",
        "(1 - x) ** 2 + 100 * (y - x ** 2) ** 2",
        ((1.0, 1.0),), 0.0, (-2.0, 2.0), (-2.0, 2.0, -1.0, 3.0), True,
        "A long, curved, flat-bottomed valley: easy to find, hard to follow to its end."),
    "beale": SurfaceDef(
        "Beale", _beale, r"(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
        "(1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2",
        ((3.0, 0.5),), 0.0, (3.0, 4.0), (-4.5, 4.5, -4.5, 4.5), True,
        "Sharp ridges and huge gradients near the corners: too much momentum overshoots."),
    "himmelblau": SurfaceDef(
        "Himmelblau", _himmelblau, r"(x^2+y-11)^2 + (x+y^2-7)^2",
        "(x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2",
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)), 0.0,
        (0.0, 0.0), (-5.0, 5.0, -5.0, 5.0), True,
        "Four equally good minima: where you start decides where you end."),
    "saddle": SurfaceDef(
        "Saddle", _saddle, r"x^2 - y^2", "x ** 2 - y ** 2",
        (), None, (-1.5, 1e-3), (-2.0, 2.0, -2.0, 2.0), False,
        "A saddle point at the origin: the gradient vanishes there but it is no minimum. "
        "Starting almost on the ridge (y = 0.001), plain gradient descent lingers near the "
        "saddle before escaping; f is unbounded below.",
        hessian=((2.0, 0.0), (0.0, -2.0))),
    "rastrigin": SurfaceDef(
        "Rastrigin", _rastrigin, r"20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        "20 + (x ** 2 - 10 * torch.cos(2 * math.pi * x)) + (y ** 2 - 10 * torch.cos(2 * math.pi * y))",
        ((0.0, 0.0),), 0.0, (-2.0, 3.5), (-4.5, 4.5, -4.5, 4.5), False,
        "An egg-crate of local minima around one global minimum at the origin."),
    "bowl": SurfaceDef(
        "Ill-conditioned bowl", _bowl, r"\tfrac12\,(x^2 + 25\,y^2)", "0.5 * (x ** 2 + 25 * y ** 2)",
        ((0.0, 0.0),), 0.0, (-4.0, 1.5), (-5.0, 5.0, -2.5, 2.5), False,
        "A quadratic bowl 25× steeper across than along: plain GD zig-zags, momentum helps.",
        hessian=((1.0, 0.0), (0.0, 25.0))),
}


def _wells(x, y):
    return (x ** 2 - 1) ** 2 + (y ** 2 - 1) ** 2 + 0.5 * x + 0.25 * y


def _cubic_roots(c: float) -> tuple[float, float, float]:
    """The three real roots of 4t³ − 4t + c = 0 (|c| < 8/(3√3)), ascending, polished by Newton
    steps in float64: where ∂/∂t of (t² − 1)² + c·t vanishes."""
    roots = sorted(float(r.real) for r in np.roots([4.0, 0.0, -4.0, c]))
    for _ in range(3):
        roots = [r - (4 * r ** 3 - 4 * r + c) / (12 * r ** 2 - 4) for r in roots]
    return tuple(roots)


_WX, _WY = _cubic_roots(0.5), _cubic_roots(0.25)
_WELL_MINIMA = tuple(sorted(((x, y) for x in (_WX[0], _WX[2]) for y in (_WY[0], _WY[2])),
                            key=lambda p: _wells(p[0], p[1])))       # deepest first

# Surfaces for random restarts only (not raced: their minima differ in depth, so "the
# minimum" of a race is ambiguous). Looked up by SurfaceProblem like SURFACES.
RESTART_SURFACES: dict[str, SurfaceDef] = {
    "wells": SurfaceDef(
        "Uneven wells", _wells, r"(x^2-1)^2 + (y^2-1)^2 + 0.5\,x + 0.25\,y",
        "(x ** 2 - 1) ** 2 + (y ** 2 - 1) ** 2 + 0.5 * x + 0.25 * y",
        _WELL_MINIMA, _wells(*_WELL_MINIMA[0]), (0.0, 0.0), (-2.0, 2.0, -2.0, 2.0), True,
        "Four minima of different depths — one global, three local — with a saddle point between "
        "each pair of neighbouring wells: where you start decides how good a minimum you find.",
        saddles=((_WX[0], _WY[1]), (_WX[2], _WY[1]), (_WX[1], _WY[0]), (_WX[1], _WY[2]))),
}


def surface_def(name: str) -> SurfaceDef:
    """The definition of a named surface (race or restart surface)."""
    if name in SURFACES:
        return SURFACES[name]
    if name in RESTART_SURFACES:
        return RESTART_SURFACES[name]
    raise ValueError(f"Unknown surface {name!r}; choose one of {list(SURFACES) + list(RESTART_SURFACES)}.")


@dataclass(frozen=True)
class SurfaceProblem:
    """Minimise f(x, y) from a start point.

    ``name`` is a key of :data:`SURFACES`, or ``"custom"`` with ``expression`` holding a
    learner-typed f(x, y). ``start`` / ``window`` default to the surface's own.
    """

    name: str = "rosenbrock"
    start: tuple[float, float] | None = None
    expression: str = ""
    window: tuple[float, float, float, float] | None = None

    def __post_init__(self):
        if self.name != "custom" and self.name not in SURFACES and self.name not in RESTART_SURFACES:
            raise ValueError(f"Unknown surface {self.name!r}; choose one of "
                             f"{list(SURFACES) + list(RESTART_SURFACES) + ['custom']}.")
        if self.name == "custom":
            self.parsed()  # raises ExpressionError (a ValueError) with a learner-facing message
        if self.start is not None:
            object.__setattr__(self, "start", floats(self.start, "The start point"))
            if len(self.start) != 2 or not all(math.isfinite(v) for v in self.start):
                raise ValueError("The start point needs two finite numbers (x, y).")
        if self.window is not None:
            object.__setattr__(self, "window", floats(self.window, "The view window"))
            if len(self.window) != 4:
                raise ValueError("The view window needs four numbers (x0, x1, y0, y1).")
            x0, x1, y0, y1 = self.window
            if not (all(math.isfinite(v) for v in self.window) and x0 < x1 and y0 < y1):
                raise ValueError("The view window needs finite x0 < x1 and y0 < y1.")

    def parsed(self):
        from ..expr import parse_expression
        return parse_expression(self.expression)

    @property
    def definition(self) -> SurfaceDef:
        if self.name != "custom":
            return surface_def(self.name)
        e = self.parsed()
        return SurfaceDef("f(x, y) = " + e.text, e, e.text, e.to_python(), (), None, (1.0, 1.0),
                          (-3.0, 3.0, -3.0, 3.0), False, "Your own function.")

    @property
    def start_point(self) -> tuple[float, float]:
        return self.start if self.start is not None else self.definition.start

    @property
    def view(self) -> tuple[float, float, float, float]:
        return self.window if self.window is not None else self.definition.window

    def build(self, dtype: torch.dtype = torch.float32) -> "SurfaceObjective":
        d = self.definition
        return SurfaceObjective(param_names=("x", "y"), n_train=0, optimum=d.min_value,
                                penalty_mask=torch.ones(2, dtype=dtype), layers=(("xy", slice(0, 2)),),
                                dtype=dtype, f=d.f, start=self.start_point)


@dataclass
class SurfaceObjective(Objective):
    f: Callable = None
    start: tuple[float, float] = (0.0, 0.0)

    def init(self, seed: int) -> torch.Tensor:
        return torch.tensor(self.start, dtype=self.dtype)

    def loss(self, theta, idx=None):
        return self.f(theta[:, 0], theta[:, 1])


def nearest_minimum(problem: SurfaceProblem, points) -> list[tuple[int | None, float | None]]:
    """(index of the nearest known minimum, distance to it) for each (x, y) point."""
    minima = problem.definition.minima
    out = []
    for px, py in points:
        if not minima or not (math.isfinite(px) and math.isfinite(py)):
            out.append((None, None))
            continue
        d = [math.hypot(px - mx, py - my) for mx, my in minima]
        k = min(range(len(d)), key=d.__getitem__)
        out.append((k, d[k]))
    return out
