"""The Optimizer comparison page's settings (one Param per link parameter) and the constants
its sections share: the optimizers, which hyperparameters each card shows, the tabs."""
from __future__ import annotations

import dlcore
from dlcore.budget import MAX_STEPS as BUDGET_STEPS
from dlcore.catalogue import CATALOGUE, RACE
from dlcore.expr import MAX_LENGTH as EXPR_MAX_LENGTH
from dlcore.optimizers import PRESET_HYPERPARAMS
from ui.lesson_panel import LESSON_PARAMS
from ui.params import Param, log_options
from ui.sections import Tab, tab_param

PAGE = "opt"
URL_PATH = "optimizer-comparison"
LABELS = tuple(dlcore.PRESETS)          # SGD, Momentum, Nesterov, Adam, AdamW, AdaGrad, RMSprop
LR_OPTIONS = log_options(1e-5, 10.0, (1, 2, 3, 5))
EPS_OPTIONS = tuple(float(f"1e{k}") for k in range(-12, 1))
BETA_OPTIONS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999)
WD_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
CLIP_OPTIONS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0)
TOL_OPTIONS = (1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)
DECADES = tuple(float(f"1e{k}") for k in range(-7, 3))
DEFAULT_F = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"
DEFAULT_OPTS = ["SGD", "Momentum", "Adam", "RMSprop"]
RESTART_SURFACES = ("himmelblau", "wells", "rastrigin")
CARDS_PER_ROW = 4        # optimizer cards per row: seven optimizers wrap into two rows (issue 14 #6)

# Which hyperparameters each optimizer's card shows: the engine's list, with the link's short
# name "wd" for weight_decay (links say "AdamW.wd=0.1").
HYPER = {label: tuple("wd" if h == "weight_decay" else h for h in hs) for label, hs in PRESET_HYPERPARAMS.items()}
MAIN = {"lr", "beta1", "alpha"}     # shown on the card (and μ for the momentum methods); the rest under "more"
SHORT = {"momentum": "μ", "beta2": "β₂", "eps": "ε", "wd": "weight decay", "centered": "centered"}
NAMES = {"lr": "learning rate", "momentum": "momentum μ", "beta1": "β₁", "beta2": "β₂", "eps": "ε",
         "wd": "weight decay λ", "alpha": "α", "centered": "centered"}
RULES = {   # the update each card's optimizer makes (g = gradient, η = learning rate)
    "SGD": "θ ← θ − η·g",
    "Momentum": "b ← μ·b + g  ·  θ ← θ − η·b",
    "Nesterov": "b ← μ·b + g  ·  θ ← θ − η·(g + μ·b)",
    "Adam": "m ← mean of g, v ← mean of g²  ·  θ ← θ − η·m̂/(√v̂ + ε)",
    "AdamW": "Adam's step, and θ ← θ − η·λ·θ (decoupled weight decay)",
    "AdaGrad": "s ← s + g²  ·  θ ← θ − η·g/(√s + ε)",
    "RMSprop": "v ← α·v + (1−α)·g²  ·  θ ← θ − η·g/(√v + ε)",
}
TABS = (Tab("race", ":material/sports_score: Optimizer race"),
        Tab("batch", ":material/stacks: Batch vs mini-batch vs stochastic"),
        Tab("restarts", ":material/scatter_plot: Random restarts"))


def on_card(label: str, h: str) -> bool:
    """Whether hyperparameter ``h`` sits on the card itself (else under its "more" expander)."""
    return h in MAIN or (h == "momentum" and label in ("Momentum", "Nesterov"))


def hyper_param(label: str, h: str) -> Param:
    spec = dlcore.PRESETS[label]
    key, lab = f"{label}.{h}", f"{label} {NAMES[h]}"
    if h == "lr":
        return Param(key, CATALOGUE["rosenbrock"].rate[label], lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1],
                     options=LR_OPTIONS, label=lab)
    if h == "momentum":
        return Param(key, spec.momentum, lo=0.01 if label == "Nesterov" else 0.0, hi=0.99, label=lab)
    if h == "beta1":
        return Param(key, spec.beta1, lo=0.0, hi=0.99, label=lab)
    if h in ("beta2", "alpha"):
        return Param(key, getattr(spec, h), lo=0.0, hi=0.9999, options=BETA_OPTIONS, label=lab)
    if h == "eps":
        return Param(key, spec.eps, lo=EPS_OPTIONS[0], hi=EPS_OPTIONS[-1], options=EPS_OPTIONS, label=lab)
    if h == "wd":
        return Param(key, spec.weight_decay, lo=0.0, hi=1.0, options=WD_OPTIONS, label=lab)
    return Param(key, spec.centered, kind="bool", label=lab)


RACE_PARAMS = [
    Param("problem", "rosenbrock", kind="choice", choices=RACE, label="problem"),
    Param("f", DEFAULT_F, kind="text", max_len=2 * EXPR_MAX_LENGTH, label="your function"),
    Param("opts", DEFAULT_OPTS, kind="multi", choices=LABELS, min_items=0, max_items=len(LABELS), label="optimizers"),
    Param("steps", 500, kind="int", lo=10, hi=5000, label="steps"),
    Param("own_start", False, kind="bool", label="own start point"),
    Param("sx", 0.0, lo=-100.0, hi=100.0, label="start x"),
    Param("sy", 0.0, lo=-100.0, hi=100.0, label="start y"),
    # The network's initial weights; with seed 0 every ReLU of the 3→4→1 net dies at once.
    Param("seed", 1, kind="int", lo=0, hi=2 ** 31 - 1, label="seed"),
    Param("clip", 0.0, lo=0.0, hi=100.0, options=CLIP_OPTIONS, label="gradient clipping"),
    Param("tol", 1e-2, lo=TOL_OPTIONS[0], hi=TOL_OPTIONS[-1], options=TOL_OPTIONS, label="tolerance"),
    Param("log", True, kind="bool", label="log scale"),
    Param("fair", False, kind="bool", label="fair race"),
    Param("fair_lo", 1e-5, lo=DECADES[0], hi=DECADES[-1], options=DECADES, label="lowest rate tried"),
    Param("fair_hi", 10.0, lo=DECADES[0], hi=DECADES[-1], options=DECADES, label="highest rate tried"),
    Param("fair_n", 2, kind="int", lo=1, hi=6, label="rates per decade"),
    Param("step", -1, kind="int", lo=-1, hi=BUDGET_STEPS, label="step shown"),
    Param("inside_open", False, kind="bool", label="inside the optimizer"),
    Param("inside", "Adam", kind="choice", choices=LABELS, label="optimizer to look inside"),
    Param("code", "Adam", kind="choice", choices=LABELS, label="code for"),
]
BATCH_PARAMS = [
    Param("b_opt", "SGD", kind="choice", choices=LABELS, label="optimizer (batch tab)"),
    Param("b_lr", 0.1, lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1], options=LR_OPTIONS, label="learning rate (batch tab)"),
    Param("b_steps", 300, kind="int", lo=10, hi=3000, label="updates (batch tab)"),
    Param("b_mid", 32, kind="int", lo=2, hi=400, label="mini-batch size"),
    Param("b_model", "logistic", kind="choice", choices=("logistic", "mlp"), label="model"),
    Param("b_seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed (batch tab)"),
]
RESTART_PARAMS = [
    Param("r_surface", "himmelblau", kind="choice", choices=RESTART_SURFACES, label="surface (restarts)"),
    Param("r_opt", "SGD", kind="choice", choices=LABELS, label="optimizer (restarts)"),
    Param("r_lr", 0.01, lo=LR_OPTIONS[0], hi=LR_OPTIONS[-1], options=LR_OPTIONS, label="learning rate (restarts)"),
    Param("r_n", 150, kind="int", lo=4, hi=500, label="start points"),
    Param("r_layout", "random", kind="choice", choices=("random", "grid"), label="start layout"),
    Param("r_steps", 300, kind="int", lo=10, hi=3000, label="steps (restarts)"),
    Param("r_seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed (restarts)"),
    Param("r_paths", False, kind="bool", label="show paths"),
]


def params() -> list[Param]:
    """Every setting of the page, in link order (``tab`` accepts the old ``view=`` links)."""
    ps = [tab_param(TABS, legacy_keys=("view",), label="section"), *RACE_PARAMS, *BATCH_PARAMS, *RESTART_PARAMS,
          *LESSON_PARAMS]
    for label in LABELS:
        ps += [hyper_param(label, h) for h in HYPER[label]]
    return ps


def race_keys() -> tuple[str, ...]:
    """The settings the race tab's "Reset to defaults" puts back."""
    keys = [p.key for p in RACE_PARAMS]
    return tuple(keys + [f"{label}.{h}" for label in LABELS for h in HYPER[label]])


def spec_of(state, label: str) -> dlcore.OptimizerSpec:
    """The card's settings as an OptimizerSpec (validated by dlcore; ValueError if not)."""
    from dlcore.optimizers import spec_for
    return spec_for(label, state[f"{label}.lr"], **{h: state[f"{label}.{h}"] for h in HYPER[label] if h != "lr"})
