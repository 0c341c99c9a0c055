"""The problems a learner can pick, described once for every page.

Each :class:`Entry` holds what a page shows and needs about one problem: its title in
menus, what it is (``about`` under a race, ``summary`` in a sweep), the loss as LaTeX,
the starting learning rate per optimizer preset for a readable race (``rates``), the
gradient clipping its race starts with (``clip``), its float type, and how to build it
from a start point (:meth:`Entry.setup`, which also gives the map's window and axes).

    >>> CATALOGUE["rosenbrock"].title
    'Rosenbrock valley'
    >>> s = CATALOGUE["line"].setup()
    >>> s.start, s.axes, s.two_d
    ((0.0, 0.0), ('w', 'b'), True)
    >>> titles(("line", "sum3"))["sum3"]
    'Sum of three: 3→4→1 ReLU network'

Pure: no Streamlit. The rates are starting points, not tuned values: they do not diverge
in 500 steps from the problem's own start (tests/test_catalogue.py trains them).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .problems import LINE_FIT, STUDY_HOURS, SURFACES, LinearProblem, PurchaseProblem, SumOfThree, SurfaceProblem

Window = tuple[float, float, float, float]

CUSTOM_START = (1.0, 1.0)


def expand_window(window: Window, point, pad: float = 0.05) -> Window:
    """The window grown to hold the point with a margin of ``pad`` × its size."""
    x0, x1, y0, y1 = window
    px, py = point
    wx, wy = (max(x1, px) - min(x0, px)), (max(y1, py) - min(y0, py))
    return (min(x0, px - pad * wx), max(x1, px + pad * wx), min(y0, py - pad * wy), max(y1, py + pad * wy))


def line_window(problem: LinearProblem, start) -> Window:
    """A view of the (w, b) plane holding the start and the least-squares line."""
    w, b, _ = problem.least_squares()
    ws, bs = (start[0], w), (start[1], b)
    pw = max(0.35 * (max(ws) - min(ws)), 1.0)
    pb = max(0.35 * (max(bs) - min(bs)), 1.0)
    return (min(ws) - pw, max(ws) + pw, min(bs) - pb, max(bs) + pb)


@dataclass(frozen=True)
class Setup:
    """A problem ready to train, and how to draw it (what the race used to pass as a dict)."""

    problem: Any
    title: str
    about: str
    dtype: str
    start: tuple[float, float] | None        # None: a network, no 2-D start
    window: Window | None                    # the map's view (x0, x1, y0, y1); None when not 2-D
    axes: tuple[str, str] | None             # the map's axis names
    log_color: bool = False

    @property
    def two_d(self) -> bool:
        return self.window is not None


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    about: str                  # a sentence under a race: what the surface/model is like
    summary: str                # a sentence for a sweep: what is fitted, from where
    formula: str                # the loss, LaTeX ("" for a learner's own function)
    problem: Any                # the default problem (custom: None — it needs an expression)
    rates: tuple[tuple[str, float], ...] = ()     # (preset label, starting rate) for the race
    clip: float = 0.0
    dtype: str = "float64"
    kind: str = field(default="", compare=False)  # "surface", "custom", "line", "network", "classifier"

    @property
    def rate(self) -> dict[str, float]:
        """Starting learning rate per optimizer preset label ({} when the race does not offer it)."""
        return dict(self.rates)

    @property
    def default_start(self) -> tuple[float, float] | None:
        if self.kind == "surface":
            return SURFACES[self.key].start
        if self.kind == "custom":
            return CUSTOM_START
        if self.kind == "line":
            return tuple(self.problem.start)
        return None

    def setup(self, expression: str = "", start=None) -> Setup:
        """The problem from ``start`` (default: its own) — a learner's ``expression`` for
        ``custom`` — with the map's window grown to hold the start. Raises ValueError for an
        invalid expression or start (dlcore's messages)."""
        if self.kind in ("surface", "custom"):
            base = SurfaceProblem(self.key, expression=expression if self.kind == "custom" else "")
            d = base.definition
            pt = tuple(start) if start is not None else d.start
            return Setup(replace(base, start=pt), "Your own function" if self.kind == "custom" else d.title,
                         self.about or d.about, self.dtype, pt, expand_window(d.window, pt), ("x", "y"),
                         d.log_color or self.kind == "custom")
        if self.kind == "line":
            pt = tuple(start) if start is not None else tuple(self.problem.start)
            problem = replace(self.problem, start=pt)
            return Setup(problem, problem.title, self.about, self.dtype, pt, line_window(problem, pt),
                         tuple(problem.names), True)
        return Setup(self.problem, self.title, self.about, self.dtype, None, None, None, False)


def _rates(**kw) -> tuple[tuple[str, float], ...]:
    return tuple(kw.items())


def _line_about(problem: LinearProblem) -> str:
    w, b = problem.names
    return (f"Mean squared error of the line y = {w}·x + {b} on the article's points; "
            f"the map shows the loss over ({w}, {b}).")


def _line_formula(problem: LinearProblem) -> str:
    w, b = problem.names
    return rf"L({w}, {b}) = \tfrac1n \textstyle\sum_i ({w} x_i + {b} - y_i)^2"


STUDY_STD = LinearProblem(x=STUDY_HOURS.x, y=STUDY_HOURS.y, standardize=True, names=("m", "c"),
                          title="Study hours → exam score (standardised hours)")

_S = SURFACES
# Starting rates for the race: rates that do not diverge in 500 steps from the problem's own
# start and make a readable race (picked from 500-step sweeps over the race's rate slider).
CATALOGUE: dict[str, Entry] = {e.key: e for e in (
    Entry("rosenbrock", "Rosenbrock valley", _S["rosenbrock"].about,
          "(1 − x)² + 100(y − x²)² from (−2, 2): a curved valley, no single curvature.", _S["rosenbrock"].latex,
          SurfaceProblem("rosenbrock"),
          _rates(SGD=1e-3, Momentum=5e-4, Nesterov=5e-4, Adam=0.3, AdamW=0.3, AdaGrad=1.0, RMSprop=0.05),
          kind="surface"),
    Entry("beale", "Beale", _S["beale"].about, "Beale's function from (3, 4): sharp ridges, huge gradients.",
          _S["beale"].latex, SurfaceProblem("beale"),
          _rates(SGD=0.01, Momentum=2e-3, Nesterov=2e-3, Adam=0.5, AdamW=0.2, AdaGrad=2.0, RMSprop=0.2),
          clip=1.0, kind="surface"),   # steep walls: the race starts with the gradient norm clipped at 1
    Entry("himmelblau", "Himmelblau (4 minima)", _S["himmelblau"].about,
          "Himmelblau's function from (0, 0): four equally good minima.", _S["himmelblau"].latex,
          SurfaceProblem("himmelblau"),
          _rates(SGD=0.005, Momentum=2e-3, Nesterov=3e-3, Adam=0.3, AdamW=0.3, AdaGrad=0.5, RMSprop=0.05),
          kind="surface"),
    Entry("saddle", "Saddle point", _S["saddle"].about, "x² − y² from (−1.5, 0.001): a saddle, unbounded below.",
          _S["saddle"].latex, SurfaceProblem("saddle"),
          _rates(SGD=0.01, Momentum=5e-4, Nesterov=5e-4, Adam=5e-3, AdamW=5e-3, AdaGrad=0.05, RMSprop=5e-3),
          kind="surface"),
    Entry("rastrigin", "Rastrigin (many local minima)", _S["rastrigin"].about,
          "Rastrigin's egg-crate from (−2, 3.5): many local minima around one global minimum.",
          _S["rastrigin"].latex, SurfaceProblem("rastrigin"),
          _rates(SGD=2e-3, Momentum=1e-3, Nesterov=1e-3, Adam=0.1, AdamW=0.1, AdaGrad=1.0, RMSprop=0.01),
          kind="surface"),
    Entry("bowl", "Ill-conditioned bowl ½(x² + 25y²)", _S["bowl"].about,
          "A quadratic 25× steeper across than along, from (−4, 1.5).", _S["bowl"].latex, SurfaceProblem("bowl"),
          _rates(SGD=0.02, Momentum=0.01, Nesterov=0.02, Adam=0.1, AdamW=0.1, AdaGrad=1.0, RMSprop=0.03),
          kind="surface"),
    Entry("custom", "Your own f(x, y)", "", "Your own f(x, y), from (1, 1).", "", None,
          _rates(SGD=0.1, Momentum=0.05, Nesterov=0.05, Adam=0.1, AdamW=0.1, AdaGrad=0.3, RMSprop=0.01),
          kind="custom"),
    Entry("line", "Line fit y = 2x", _line_about(LINE_FIT),
          "Fit y = w·x + b to (1, 2), (2, 4), (3, 6), (4, 8) from w = b = 0 with MSE — the loop of Deep Learning Basics with PyTorch, Part 3.",
          _line_formula(LINE_FIT), LINE_FIT,
          _rates(SGD=0.03, Momentum=0.01, Nesterov=0.01, Adam=0.2, AdamW=0.2, AdaGrad=1.0, RMSprop=0.02),
          kind="line"),
    Entry("study", "Study hours → score, raw hours", _line_about(STUDY_HOURS),
          "Fit score = m·hours + c to the four students of Deep Learning Basics with PyTorch, Part 3, hours 10–40 as they are: a long, "
          "thin valley (condition number ≈ 4500).", _line_formula(STUDY_HOURS), STUDY_HOURS,
          _rates(SGD=3e-4, Momentum=5e-4, Nesterov=2e-4, Adam=3.0, AdamW=3.0, AdaGrad=3.0, RMSprop=0.3),
          kind="line"),
    Entry("study_std", "Study hours → score, standardised hours", _line_about(STUDY_STD),
          "The same fit with hours standardised (mean 0, std 1): the valley becomes a round bowl.",
          _line_formula(STUDY_STD), STUDY_STD, kind="line"),
    Entry("sum3", "Sum of three: 3→4→1 ReLU network",
          "The network of Deep Learning Basics with PyTorch, Part 4, learning y = x₁ + x₂ + x₃ from three examples "
          "(MSE, 21 parameters, nn.Linear's initialisation from the seed).",
          "The network of Deep Learning Basics with PyTorch, Part 4 learning x₁ + x₂ + x₃ from three examples, MSE, nn.Linear's init.",
          r"L = \tfrac13 \textstyle\sum_i (\mathrm{net}(x_i) - (x_{i1}+x_{i2}+x_{i3}))^2", SumOfThree(),
          _rates(SGD=0.01, Momentum=1e-3, Nesterov=1e-3, Adam=0.01, AdamW=0.01, AdaGrad=0.1, RMSprop=1e-3),
          dtype="float32", kind="network"),
    Entry("logistic", "Purchases: logistic regression",
          "Logistic regression on the purchase records of Gradient Descent in PyTorch (age, income, education → bought).",
          "800 training records (age, income, education → bought), binary cross-entropy.",
          r"L = -\tfrac1n \textstyle\sum_i y_i \log p_i + (1-y_i)\log(1-p_i)", PurchaseProblem(model="logistic"),
          dtype="float32", kind="classifier"),
    Entry("mlp", "Purchases: MLP 3→16→1",
          "A 16-unit ReLU network on the purchase records.",
          "The same records with a 16-unit ReLU hidden layer, binary cross-entropy.",
          r"L = -\tfrac1n \textstyle\sum_i y_i \log p_i + (1-y_i)\log(1-p_i)", PurchaseProblem(model="mlp"),
          dtype="float32", kind="classifier"),
)}

RACE = ("rosenbrock", "beale", "himmelblau", "saddle", "rastrigin", "bowl", "custom", "line", "study", "sum3")
SWEEP = ("line", "study", "study_std", "bowl", "rosenbrock", "sum3", "logistic", "mlp")


def titles(keys=None) -> dict[str, str]:
    """key → title, in the given order (default: all), for a menu's ``format_func``."""
    return {k: CATALOGUE[k].title for k in (keys if keys is not None else CATALOGUE)}


__all__ = ["CATALOGUE", "Entry", "Setup", "RACE", "SWEEP", "STUDY_STD", "titles", "expand_window", "line_window"]
