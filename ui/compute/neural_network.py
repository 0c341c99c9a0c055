"""Cached calls of the Neural network page, one per tab, each returning a frozen view: the
numbers and tables that tab shows (built here, so the sections only draw them).

* :func:`sum_view` — the learner's sum-of-three run as their plain PyTorch script computes
  it (dlcore.reference), its log, answers and held-out errors.
* :func:`inside_view` — the network at one epoch on one input: diagram, forward pass, neurons.
* :func:`seeds_view` — the same network from many seeds in one batched run, with each seed's
  outcome (dlcore.network_health.seed_outcomes); :func:`article_search` — 1000 seeds at the
  article's settings ranked against its printed log.
* :func:`shop_view` — the shoppers classifier, its metrics and the L1/L2 sweeps; the same
  for a learner's own table (an :class:`~dlcore.problems.own_classification.OwnClassification`).
* :func:`depth_view` — gradients through a deep narrow network, Sigmoid against ReLU.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.article001 import ARTICLE_LOG, ARTICLE_OUTPUTS, closest_runs, epoch_log, final_output_message
from dlcore.budget import fit_budget
from dlcore.metrics import confusion, evaluate_classifier, roc
from dlcore.network_health import (DEAD, constant_output_path, dead_over_time, dead_since, relu_report, run_status,
                                   seed_outcomes)
from dlcore.network_view import MAX_DIAGRAM_EDGES, NetworkView, forward_trace, network_view, predict
from dlcore.problems import mlp
from dlcore.problems.base import n_params, problem_size
from dlcore.problems.networks import TEST_INPUTS
from dlcore.reference import torch_run
from dlcore.problems.own_classification import OwnClassification, prepare
from dlcore.problems.purchase import bayes_accuracy
from dlcore.sparse import count_zeros, feature_weights, first_zero, one_step, proximal_script, train_proximal
from ui import compute

TTL = 3600
ARTICLE_SEED = 601         # closest of seeds 0–999 to the article's printed log (checked live in "Many seeds")
SEARCH_SEEDS = 1000
N_EXAMPLES = 3 + len(TEST_INPUTS)
L_SWEEP = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)       # the λ values of the shoppers' L1 and L2 sweeps
HELD_WHERE = ("inside 1…5", "inside 1…5", "just outside", "just outside", "far outside", "far outside")


def budget(runs: int, steps: int, problem) -> tuple[int, int, list[str]]:
    """dlcore.budget.fit_budget for runs of a sum-of-three network (its estimate counts the
    per-step overhead of every layer)."""
    return fit_budget(runs, steps, n_params(problem), N_EXAMPLES, n_layers=len(problem.sizes) - 1)


@dataclass(frozen=True)
class SumSetup:
    """The sum-of-three network and run the first three tabs share."""

    problem: dlcore.SumOfThree
    spec: dlcore.OptimizerSpec
    run: dlcore.RunSpec
    config: dlcore.TrainConfig
    notes: tuple[str, ...]
    seed: int
    article: bool            # exactly article 001's settings


def sum_setup(hidden: tuple, activation: str, spec: dlcore.OptimizerSpec, epochs: int, seed: int) -> SumSetup:
    """Validate the network (ValueError with a plain message) and fit the epochs to the budget."""
    problem = dlcore.SumOfThree(hidden=tuple(hidden), activation=activation)
    _, steps, notes = budget(1, epochs, problem)
    article = (problem == dlcore.SumOfThree() and spec == dlcore.OptimizerSpec.make("sgd", lr=0.01) and steps == 100)
    return SumSetup(problem, spec, dlcore.RunSpec(spec, seed=seed, label=f"seed {seed}"),
                    dlcore.TrainConfig(steps=steps), tuple(notes), seed, article)


# ---------------------------------------------------------------------------------------------
# Sum of three
# ---------------------------------------------------------------------------------------------
@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def exact_run(problem, run, config):
    """The learner's run as their plain PyTorch script computes it, digit for digit, on this
    machine (dlcore.reference)."""
    return compute.offload(torch_run, problem, run, config)


def outputs_of(theta, problem, X) -> np.ndarray:
    """The network's answers on the rows of X (NaN when the weights are not finite)."""
    if not np.all(np.isfinite(theta)):
        return np.full(len(X), np.nan)
    return predict(theta, problem.sizes, problem.activation, X)[:, 0]


def _row_text(r) -> str:
    return str(list(map(float, r)))


@dataclass(frozen=True)
class SumView:
    res: dlcore.TrainResult
    epochs: int                      # T: epochs trained
    theta: np.ndarray                # final parameters
    diverged_at: int                 # −1 when it did not diverge
    status: str                      # "trained", "dead ReLU" or "diverged"
    dead_layer: int | None
    train_loss: float                # NaN when diverged
    test_loss: float
    max_error: float
    curves: pd.DataFrame             # training / held-out loss per epoch
    log: pd.DataFrame                # the printed epochs
    console: str                     # what the script prints
    answer_line: pd.DataFrame        # its answer along (t, t+1, t+2) and the true sum
    answer_points: pd.DataFrame
    rows: pd.DataFrame               # training rows, target, network, error
    held: pd.DataFrame               # held-out inputs
    log_vs_article: pd.DataFrame | None
    outputs_vs_article: pd.DataFrame | None
    script: str

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0


def _answer_line(theta, problem) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = np.linspace(-4, 12, 161)
    line_x = np.stack([t, t + 1, t + 2], axis=1)
    line = pd.concat([pd.DataFrame({"t": t, "series": "network's answer", "value": outputs_of(theta, problem, line_x)}),
                      pd.DataFrame({"t": t, "series": "true sum 3t + 3", "value": 3 * t + 3})], ignore_index=True)
    pts = [(r[0], float(sum(r)), "training row", str(list(r))) for r in problem.inputs]
    pts += [(r[0], float(sum(r)), "held-out input", str(list(r))) for r in TEST_INPUTS
            if r[1] == r[0] + 1 and r[2] == r[0] + 2]
    return line, pd.DataFrame(pts, columns=["t", "value", "kind", "input"])


def _answer_tables(theta, problem) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.DataFrame({"input": [_row_text(r) for r in problem.inputs], "target": list(problem.targets),
                         "network": outputs_of(theta, problem, problem.inputs)})
    rows["error"] = rows["network"] - rows["target"]
    held = pd.DataFrame({"input": [_row_text(r) for r in TEST_INPUTS], "true sum": [float(sum(r)) for r in TEST_INPUTS],
                         "network": outputs_of(theta, problem, TEST_INPUTS)})
    held["error"] = held["network"] - held["true sum"]
    held["where"] = list(HELD_WHERE)
    return rows, held


def _vs_article(log: pd.DataFrame, outs, problem, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    comp = pd.DataFrame({"epoch": log["epoch"], f"seed {seed}": log["loss"],
                         "article printed": [ARTICLE_LOG[e] for e in log["epoch"]]})
    comp["ratio"] = comp[f"seed {seed}"] / comp["article printed"]
    outc = pd.DataFrame({"input": [_row_text(r) for r in problem.inputs], f"seed {seed}": outs,
                         "article printed": ARTICLE_OUTPUTS})
    return comp, outc


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def sum_view(setup: SumSetup) -> SumView:
    problem, res = setup.problem, exact_run(setup.problem, setup.run, setup.config)
    T = res.steps
    theta = np.array(res.final_params[0])
    div_at = int(res.diverged_at[0])
    outcome = seed_outcomes(theta[None], problem.sizes, problem.activation, problem.inputs, [div_at >= 0]).iloc[0]
    outs = outputs_of(theta, problem, problem.inputs)
    h = res.history(max_points=400, runs=[0], params=False)
    curves = pd.concat([h.assign(label="training rows (3)"),
                        h.assign(label="held-out inputs (6)", loss=h["test_loss"], run=1)], ignore_index=True)
    last = int(res.last_step()[0])
    log = epoch_log(res.loss[: last + 1, 0], T)
    console = list(log["message"])
    console.append(f"… epoch {last + 1}: loss {float(res.loss[last, 0])} — diverged, training stopped" if div_at >= 0
                   else final_output_message(outs, setup.config.dtype))
    line, points = _answer_line(theta, problem)
    rows, held = _answer_tables(theta, problem)
    comp, outc = _vs_article(log, outs, problem, setup.seed) if setup.article else (None, None)
    nan = float("nan")
    return SumView(res, T, theta, div_at, run_status(outcome["outcome"]),
                   int(outcome["dead_layer"]) if outcome["outcome"] == DEAD else None,
                   float(res.loss[T, 0]) if div_at < 0 else nan, float(res.test_loss[T, 0]) if div_at < 0 else nan,
                   float(np.max(np.abs(outs - np.array(problem.targets)))) if div_at < 0 else nan,
                   curves, log, "\n".join(console), line, points, rows, held, comp, outc,
                   compute.script(problem, setup.run, setup.config))


def answer(problem, theta, x) -> float:
    """The network's answer to one input (the try-it box)."""
    return float(outputs_of(theta, problem, [list(x)])[0])


def lesson_result(setup: SumSetup, try_numbers) -> dict:
    """The lesson fields (ui.text.neural_network.LESSON_FIELDS) of the sum-of-three run."""
    from ui.text.neural_network import lesson_values
    v = sum_view(setup)
    x = [float(t) for t in try_numbers]
    return lesson_values(setup.seed, setup.spec.lr, v, answer(setup.problem, v.theta, x), x)


# ---------------------------------------------------------------------------------------------
# Inside the network
# ---------------------------------------------------------------------------------------------
def params_at(res, problem, run, epoch: int) -> np.ndarray:
    """θ of run 0 after ``epoch`` updates (recorded, or re-trained to that epoch: same seed,
    same full-batch updates → the same numbers)."""
    if res.params is not None:
        return np.array(res.params[epoch, 0])
    if epoch == 0:
        return problem.build().init(run.seed).numpy()
    r = exact_run(problem, run, replace(res.config, steps=epoch, record_params=False))
    return np.array(r.final_params[0])


@dataclass(frozen=True)
class InsideView:
    epoch: int
    x: tuple
    finite: bool                       # the weights at this epoch are finite
    n_edges: int
    diagram: NetworkView | None        # None: too many weights to draw
    view: NetworkView | None           # every neuron (also when the diagram is skipped)
    output: float
    neurons: pd.DataFrame | None
    param_paths: pd.DataFrame | None   # every weight and bias over the epochs (small networks)
    off_units: tuple[str, ...]         # hidden units off on every training row (one-layer ReLU)


def last_epoch(setup: SumSetup) -> int:
    return int(exact_run(setup.problem, setup.run, setup.config).last_step()[0])


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def param_paths(setup: SumSetup) -> pd.DataFrame | None:
    """Every weight and bias of a small network over the epochs (the same for every epoch the
    diagram shows, so cached apart from it)."""
    res, sizes = exact_run(setup.problem, setup.run, setup.config), setup.problem.sizes
    T = int(res.last_step()[0])
    if res.params is None or mlp.n_params(sizes) > 120:
        return None
    steps = np.unique(np.linspace(0, T, min(T + 1, 200)).round().astype(int))
    vals = res.params[steps, 0, :].astype(np.float64)
    df = pd.DataFrame(vals, columns=list(res.param_names)).assign(step=steps).melt("step", var_name="name",
                                                                                   value_name="value")
    df["layer"] = df["name"].str.extract(r"^(layer\d+\.\w+)")[0].str.replace("layer", "layer ")
    return df


def _off_units(theta, problem) -> tuple[str, ...]:
    sizes = problem.sizes
    if problem.activation != "relu" or len(sizes) != 3:
        return ()
    z_rows = np.array([forward_trace(theta, sizes, "relu", r)[0][0] for r in problem.inputs])  # (3, H)
    return tuple(f"h{j + 1}" for j in range(sizes[1]) if (z_rows[:, j] <= 0).all())


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def inside_view(setup: SumSetup, epoch: int, x: tuple) -> InsideView:
    problem, sizes = setup.problem, setup.problem.sizes
    res = exact_run(problem, setup.run, setup.config)
    n_edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    theta = params_at(res, problem, setup.run, epoch)
    if not np.all(np.isfinite(theta)):
        return InsideView(epoch, x, False, n_edges, None, None, float("nan"), None, None, ())
    diagram = network_view(theta, sizes, problem.activation, list(x)) if n_edges <= MAX_DIAGRAM_EDGES else None
    view = diagram or network_view(theta, sizes, problem.activation, list(x), max_edges=10 ** 9)
    nodes = view.nodes[view.nodes["kind"] != "input"]
    neurons = pd.DataFrame({"neuron": nodes["name"], "layer": nodes["layer"], "z = Σ w·input + b": nodes["z"],
                            "bias b": nodes["bias"], "value (after activation)": nodes["value"]})
    paths = param_paths(setup)
    return InsideView(epoch, x, True, n_edges, diagram, view, answer(problem, theta, x), neurons, paths,
                      _off_units(theta, problem) if paths is not None else ())


# ---------------------------------------------------------------------------------------------
# Many seeds
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeadExample:
    seed: int
    yours: bool
    since: int | None            # epoch from which it stays dead
    outputs: str
    b0: float | None             # output bias when it died (plain SGD, one hidden layer): the closed form
    predicted: float | None      # the closed form's output at the end
    output: float
    epochs_dead: int | None      # epochs trained after it died


@dataclass(frozen=True)
class SeedsView:
    seeds: tuple[int, ...]       # yours first
    notes: tuple[str, ...]
    epochs: int
    summary: pd.DataFrame        # one row per seed
    history: pd.DataFrame        # loss curves, with seed and outcome
    n_dead: int
    median_loss: float
    example: DeadExample | None  # a dead seed (yours if it is)
    consecutive: bool            # the other seeds are 0…n−1 (heading "Seeds a–b and yours")


def _since(res, problem, n: int) -> np.ndarray:
    if res.params is None or problem.activation != "relu":
        return np.full(n, -1)
    return dead_since(dead_over_time(res.params, problem.sizes, problem.activation, problem.inputs))


def _dead_example(res, setup: SumSetup, seeds, summary: pd.DataFrame, outcomes) -> DeadExample | None:
    dead = [s for s, o in zip(seeds, outcomes) if o == DEAD]
    if setup.problem.activation != "relu" or not dead:
        return None
    example = seeds[0] if outcomes[0] == DEAD else dead[0]
    i = seeds.index(example)
    s_ep = summary["dead_since_epoch"].iloc[i]
    since = None if s_ep is pd.NA else int(s_ep)
    spec, problem, T = setup.spec, setup.problem, res.steps
    b0 = pred = None
    if (len(problem.sizes) == 3 and spec.name == "sgd" and spec.momentum == 0 and spec.weight_decay == 0
            and since is not None and res.params is not None):
        b0 = float(res.params[since, i, -1])
        pred = float(constant_output_path(b0, problem.targets, spec.lr, T - since)[-1])
    return DeadExample(example, example == seeds[0], since, summary["outputs"].iloc[i], b0, pred,
                       float(summary["first_output"].iloc[i]), None if since is None else T - since)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def seeds_view(setup: SumSetup, n: int) -> SeedsView:
    problem, seed = setup.problem, setup.seed
    seeds = [seed] + [s for s in range(n) if s != seed]
    k, steps, notes = budget(len(seeds), setup.config.steps, problem)
    seeds = seeds[:k]
    runs = tuple(dlcore.RunSpec(setup.spec, seed=s, label=f"seed {s}") for s in seeds)
    res = compute.train(problem, runs, replace(setup.config, steps=steps))
    T = res.steps
    div = res.diverged_at >= 0
    out = seed_outcomes(res.final_params, problem.sizes, problem.activation, problem.inputs, div)
    since = _since(res, problem, len(seeds))
    summary = pd.DataFrame({"seed": seeds, "final_loss": np.where(div, np.nan, res.loss[T]),
                            "outcome": out["outcome"], "dead_units": out["dead_units"],
                            "dead_since_epoch": pd.array(np.where(since >= 0, since, 0), dtype="Int64"),
                            "outputs": [" · ".join(f"{v:.4f}" for v in o) if not d else "diverged"
                                        for o, d in zip(out["outputs"], div)]})
    summary.loc[since < 0, "dead_since_epoch"] = pd.NA
    outcomes = list(out["outcome"])
    hist = res.history(max_points=max(12, min(120, 6000 // len(seeds))), params=False)
    hist = hist.assign(seed=[seeds[i] for i in hist["run"]], outcome=[outcomes[i] for i in hist["run"]])
    example = _dead_example(res, setup, seeds, summary.assign(first_output=[o[0] for o in out["outputs"]]), outcomes)
    others = sorted(s for s in seeds if s != seed)
    consecutive = len(others) == len(seeds) - 1 and others == list(range(others[0], others[-1] + 1))
    return SeedsView(tuple(seeds), tuple(setup.notes) + tuple(notes), T, summary, hist,
                     outcomes.count(DEAD), float(np.nanmedian(summary["final_loss"])), example, consecutive)


@dataclass(frozen=True)
class ArticleSearch:
    n: int
    best: int
    ranked: pd.DataFrame          # the ten closest seeds
    comparison: pd.DataFrame      # the article's log against the closest seed's
    best_outputs: tuple
    dead: int
    dead_seeds: tuple


@st.cache_data(max_entries=4, ttl=TTL, show_spinner=False)
def article_search(n: int = SEARCH_SEEDS) -> ArticleSearch:
    """The article's exact settings trained from seeds 0..n−1 in one batched call."""
    p = dlcore.SumOfThree()
    runs = [dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=0.01), seed=s) for s in range(n)]
    res = compute.offload(dlcore.train, p, runs, dlcore.TrainConfig(steps=100, record_params=False),
                          text="Searching 1000 seeds…")
    ranked = closest_runs(res.loss)
    rep = relu_report(res.final_params, p.sizes, "relu", p.inputs)
    best = int(ranked["run"].iloc[0])
    ours = res.loss[:, best]
    comp = pd.DataFrame({"epoch": list(ARTICLE_LOG), "article printed": list(ARTICLE_LOG.values()),
                         f"seed {best}": [float(ours[e - 1]) for e in ARTICLE_LOG]})
    comp["ratio"] = comp[f"seed {best}"] / comp["article printed"]
    return ArticleSearch(n, best, ranked.head(10), comp, tuple(rep["outputs"].iloc[best]), int(rep["dead"].sum()),
                         tuple(rep.loc[rep["dead"], "run"].head(12).tolist()))


# ---------------------------------------------------------------------------------------------
# Shoppers
# ---------------------------------------------------------------------------------------------
def lam_label(v: float) -> str:
    return "0" if v == 0 else f"{v:g}"


def is_own(problem) -> bool:
    """The problem is a learner's own table (not the generated shoppers)."""
    return isinstance(problem, OwnClassification)


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def purchase_records(problem) -> pd.DataFrame:
    """The records with a column ``split`` (train, test or unused): the generated shoppers, or
    a learner's own table as trained on (encoded features, then the label)."""
    df = problem.data.frame() if is_own(problem) else problem.data()
    tr, te = problem.split()
    split = np.full(len(df), "unused", dtype=object)
    split[tr], split[te] = "train", "test"
    name = "split"
    while name in df.columns:          # a learner's column may be called "split"
        name += " (lab)"
    return df.assign(**{name: split})


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def own_dataset(table, label: str, features: tuple[str, ...], positive: str):
    """dlcore.problems.own_classification.prepare, cached: the learner's table checked and
    encoded for classification (DataError with a plain message when it cannot be used)."""
    return prepare(table, label, list(features), positive)


def _bands(data: pd.DataFrame) -> pd.DataFrame:
    return data.assign(age_band=pd.cut(data["age"], [17, 25, 35, 45, 55, 65, 70],
                                       labels=["18–25", "26–35", "36–45", "46–55", "56–65", "66–70"]),
                       income_q=pd.qcut(data["income"], 5, labels=["lowest", "2nd", "3rd", "4th", "highest"]))


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def train_prox(problem, runs: tuple, config):
    return compute.offload(train_proximal, problem, runs, config)


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one classifier (threshold 0.5), by scikit-learn — or none when it diverged
    (its parameters or probabilities are not finite: a NaN probability is no "no")."""

    metrics: pd.DataFrame | None   # one row per split; None when diverged
    confusion: pd.DataFrame | None # test records
    roc: pd.DataFrame | None       # both splits
    baseline: float                # accuracy of always answering the test rows' majority class
    bayes: float | None            # accuracy of the best possible classifier (the true probabilities);
                                   # None for a learner's own data (its true probabilities are unknown)
    names: tuple[str, str] = ("no", "yes")    # the classes 0 and 1
    majority: str = "no"           # the test rows' majority class (the baseline's answer)

    @property
    def diverged(self) -> bool:
        return self.metrics is None

    @property
    def test_accuracy(self) -> float:
        return float("nan") if self.metrics is None else float(self.metrics.set_index("split").loc["test", "accuracy"])


@st.cache_data(max_entries=2, ttl=TTL, show_spinner=False)
def best_possible_accuracy() -> float:
    return bayes_accuracy()


def evaluate(problem, theta, diverged: bool = False) -> Evaluation:
    """The classifier's metrics; ``diverged`` (training blew up) or non-finite probabilities
    give an Evaluation without metrics (dlcore.metrics reports such a classifier as diverged)."""
    y_test = problem.arrays()[3]
    base = float(max(y_test.mean(), 1 - y_test.mean()))
    own = is_own(problem)
    names = (problem.data.negative, problem.data.positive) if own else ("no", "yes")
    frame = dict(baseline=base, bayes=None if own else best_possible_accuracy(), names=names,
                 majority=names[1] if y_test.mean() > 0.5 else names[0])
    finite = bool(np.isfinite(np.asarray(theta, dtype=np.float64)).all())
    result = None if diverged or not finite else evaluate_classifier(problem, np.array(theta), dtype="float64")
    if result is None or getattr(result, "diverged", False):
        return Evaluation(None, None, None, **frame)
    metrics, probs = result
    curves = []
    for split in ("train", "test"):
        r = roc(*probs[split]).assign(split=split, auc=metrics.loc[split, "roc_auc"])
        curves.append(r.assign(order=np.arange(len(r))))
    mt = metrics.rename(columns={"f1": "F1", "roc_auc": "ROC AUC"})
    mt.insert(0, "split", mt.index)
    return Evaluation(mt.reset_index(drop=True), confusion(*probs["test"], 0.5, names=names),
                      pd.concat(curves, ignore_index=True), **frame)


@dataclass(frozen=True)
class ShopSetup:
    problem: dlcore.PurchaseProblem | OwnClassification
    run: dlcore.RunSpec              # the learner's run (its l1, l2)
    epochs: int
    proximal: bool

    @property
    def own(self) -> bool:
        return is_own(self.problem)


@dataclass(frozen=True)
class ShopView:
    notes: tuple[str, ...]
    steps: int
    n_train: int
    n_test: int
    records: pd.DataFrame            # the data, with split
    bands: pd.DataFrame | None       # records with age band and income fifth (None: own data)
    diverged_at: int
    curves: pd.DataFrame             # train/test loss
    train_loss: float
    test_loss: float
    best_epoch: int                  # lowest test loss
    best_test_loss: float
    evaluation: Evaluation           # without metrics when diverged
    l2_sweep: pd.DataFrame
    l1_sweep: pd.DataFrame           # per λ₁ and feature: its weight (logistic) or Σ|w| (MLP), is it exactly 0
    l1_first_zero: dict              # feature → smallest λ₁ of the sweep from which it is exactly 0 (None: never)
    zeros: dlcore.sparse.ZeroCount   # the learner's weights
    weights: pd.DataFrame            # logistic: per feature; MLP: first layer, per feature and unit
    script: str | None               # None: no script for this problem
    config: dlcore.TrainConfig
    pos_train: int = 0               # positive rows in the training / test split
    pos_test: int = 0
    scaling: pd.DataFrame | None = None   # own data: each feature's training mean and std

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0


def _shop_train(setup: ShopSetup):
    mine = setup.run
    uniq = list(dict.fromkeys([(mine.l1, mine.l2)] + [(mine.l1, v) for v in L_SWEEP] + [(v, mine.l2) for v in L_SWEEP]))
    problem = setup.problem
    size = problem_size(problem)
    k, steps, notes = fit_budget(len(uniq), setup.epochs, size.n_params, size.n_examples,
                                 n_layers=len(problem.sizes) - 1, dtype="float64")
    if k < len(uniq):      # keep the learner's run and the sweep; train fewer steps instead
        steps = max(1, int(steps * k / len(uniq)))
        notes = [f"To keep the lab fast for everyone, training stops after {steps} epochs (asked for {setup.epochs})."]
    runs = tuple(replace(mine, l1=a, l2=b, label=f"l1={a:g}, l2={b:g}") for a, b in uniq)
    # float64: in float32 a ReLU unit whose input sits at 0 on some record can flip with the
    # last bit of rounding and send training elsewhere; the shown metrics should not hinge on that.
    config = dlcore.TrainConfig(steps=steps, dtype="float64")
    res = train_prox(problem, runs, config) if setup.proximal else compute.train(problem, runs, config)
    return res, {lb: i for i, lb in enumerate(uniq)}, steps, notes, config


def _l2_sweep(res, idx, l1: float, steps: int) -> pd.DataFrame:
    rows = []
    for v in L_SWEEP:
        j = idx[(l1, v)]
        ok = res.diverged_at[j] < 0
        rows += [{"lam_label": lam_label(v), "series": "train loss", "value": res.loss[steps, j] if ok else np.nan},
                 {"lam_label": lam_label(v), "series": "test loss", "value": res.test_loss[steps, j] if ok else np.nan}]
    return pd.DataFrame(rows)


def _l1_sweep(res, idx, setup: ShopSetup) -> pd.DataFrame:
    """Each input feature's weight (logistic) or total first-layer weight size (MLP) at each λ₁
    of the sweep (the learner's λ₂): which features L1 drops, and in what order."""
    problem, l2 = setup.problem, setup.run.l2
    frames = [feature_weights(res.final_params[idx[(v, l2)]], problem.sizes, problem.features).assign(
        lam=v, lam_label=lam_label(v)) for v in L_SWEEP]
    d = pd.concat(frames, ignore_index=True)
    if is_own(problem):          # a learner's table has no noise columns: no dashed/solid legend
        return d
    return d.assign(feature_kind=np.where(d["feature"].str.startswith("noise"), "noise", "real"))


def _weights(problem, theta) -> pd.DataFrame:
    if problem.model == "logistic":
        w = pd.DataFrame({"feature": problem.features, "weight": theta[:-1].astype(np.float64)})
        return w.assign(is_zero=w["weight"] == 0)
    w_sl, shape, _ = mlp.layout(problem.sizes)[0]
    W = theta[w_sl].reshape(shape)           # (units, features)
    return pd.DataFrame([{"feature": f, "unit": u + 1, "weight": float(W[u, i]), "is_zero": bool(W[u, i] == 0)}
                         for i, f in enumerate(problem.features) for u in range(shape[0])])


def _shop_script(setup: ShopSetup, run, config) -> str | None:
    """The plain PyTorch script of the learner's run; None for own data while dlcore.codegen
    cannot write one for it."""
    try:
        return (proximal_script if setup.proximal else compute.script)(setup.problem, run, config)
    except ValueError:
        if setup.own:
            return None
        raise


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def shop_view(setup: ShopSetup) -> ShopView:
    problem, mine = setup.problem, setup.run
    res, idx, steps, notes, config = _shop_train(setup)
    i0 = idx[(mine.l1, mine.l2)]
    tr, te = problem.split()
    data = purchase_records(problem)
    h = res.history(max_points=300, runs=[i0], params=False)
    curves = pd.concat([h.assign(split="train", loss=h["loss"]), h.assign(split="test", loss=h["test_loss"])])
    theta = np.array(res.final_params[i0])
    div_at = int(res.diverged_at[i0])
    mask = problem.build().penalty_mask.numpy().astype(bool)
    l1_sweep = _l1_sweep(res, idx, setup)
    best = int(np.nanargmin(res.test_loss[:, i0])) if div_at < 0 else 0
    script = _shop_script(setup, res.runs[i0], config)
    return ShopView(tuple(notes), steps, len(tr), len(te), data, None if setup.own else _bands(data), div_at,
                    curves[["step", "split", "loss"]], float(res.loss[steps, i0]), float(res.test_loss[steps, i0]),
                    best, float(res.test_loss[best, i0]), evaluate(problem, theta, div_at >= 0),
                    _l2_sweep(res, idx, mine.l1, steps), l1_sweep, first_zero(l1_sweep),
                    count_zeros(theta[mask], one_step(mine.optimizer.name, mine.optimizer.lr, mine.l1)),
                    _weights(problem, theta), script, config, *_split_facts(problem))


def _split_facts(problem) -> tuple[int, int, pd.DataFrame | None]:
    """Positive rows per split and, for own data, how each feature is standardised."""
    _, ytr, _, yte, mean, std = problem.arrays()
    scaling = (pd.DataFrame({"feature": problem.features, "training mean": mean, "training std": std})
               if is_own(problem) else None)
    return int(ytr.sum()), int(yte.sum()), scaling


# ---------------------------------------------------------------------------------------------
# Gradients through depth
# ---------------------------------------------------------------------------------------------
ACTIVATION_NAMES = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU"}


@dataclass(frozen=True)
class DepthSetup:
    depth: int
    width: int
    lr: float
    steps: int
    clip: float                # 0: off
    seed: int


@dataclass(frozen=True)
class ClipEffect:
    """ReLU with and without clipping."""

    max_grad: float            # largest gradient norm without clipping
    loss_unclipped: float      # NaN when diverged
    loss_clipped: float
    zero_from: int | None      # step from which the unclipped gradient is exactly 0
    grad_curves: pd.DataFrame


@dataclass(frozen=True)
class DepthView:
    sizes: tuple[int, ...]
    notes: tuple[str, ...]
    main: str                  # "clipped at c" or "no clipping": the runs the profiles show
    ratio: dict                # activation name → layer-1 ÷ output-layer gradient norm at step 0 (NaN: —)
    final_loss: dict           # activation name → final loss (NaN: diverged)
    profile: pd.DataFrame      # gradient norm per layer at step 0
    loss_curves: pd.DataFrame
    layer_history: pd.DataFrame
    clip_effect: ClipEffect | None
    script: str


def _depth_runs(s: DepthSetup):
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=s.lr), seed=s.seed)
    probs = {a: dlcore.SumOfThree(hidden=(s.width,) * s.depth, activation=a) for a in ("sigmoid", "relu")}
    sizes = probs["relu"].sizes
    # Both activations with the chosen clipping, plus ReLU without it (to show clipping's effect).
    n_calls = 3 if s.clip else 2
    _, steps, notes = fit_budget(1, s.steps, n_params(probs["relu"]), N_EXAMPLES, n_layers=len(sizes) - 1,
                                 calls=n_calls)
    base = dlcore.TrainConfig(steps=steps, record_layer_grads=True, record_params=False)
    results = {}
    for a, p in probs.items():
        if s.clip:
            results[(a, f"clipped at {s.clip:g}")] = compute.train(p, (run,), replace(base, clip_norm=s.clip))
        if a == "relu" or not s.clip:
            results[(a, "no clipping")] = compute.train(p, (run,), base)
    script = compute.script(probs["relu"], run, dlcore.TrainConfig(steps=steps, clip_norm=s.clip or None))
    return results, sizes, notes, script


def _final(r) -> float:
    return float("nan") if r.diverged_at[0] >= 0 else float(r.loss[int(r.last_step()[0]), 0])


def _clip_effect(results, main: str) -> ClipEffect:
    r0, r1 = results[("relu", "no clipping")], results[("relu", main)]
    g = r0.grad_norm[: int(r0.last_step()[0]) + 1, 0]
    zero = np.flatnonzero(g == 0)
    gn = [results[("relu", cl)].history(max_points=300, params=False).assign(
        label=f"ReLU, {cl}", run=k, activation="ReLU", clipping=cl) for k, cl in enumerate(("no clipping", main))]
    return ClipEffect(float(np.nanmax(g)), _final(r0), _final(r1), int(zero[0]) if len(zero) else None,
                      pd.concat(gn, ignore_index=True))


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def depth_view(s: DepthSetup) -> DepthView:
    results, sizes, notes, script = _depth_runs(s)
    main = f"clipped at {s.clip:g}" if s.clip else "no clipping"
    prof, lh, ratio, final = [], [], {}, {}
    for a in ("sigmoid", "relu"):
        r, name = results[(a, main)], ACTIVATION_NAMES[a]
        g = r.layer_grad_norm[0, 0]
        prof += [{"activation": name, "layer_no": k, "grad_norm": float(v)} for k, v in enumerate(g, start=1)]
        ratio[name] = float(g[0] / g[-1]) if g[-1] > 0 else float("nan")
        final[name] = _final(r)
        d = r.layer_history(max_points=120)
        d["layer_no"] = d["layer"].str.replace("layer", "").astype(int)
        lh.append(d.assign(label=f"{name} ({main})"))
    curves = [r.history(max_points=300, params=False).assign(label=f"{ACTIVATION_NAMES[a]}, {cl}", run=k,
                                                             activation=ACTIVATION_NAMES[a], clipping=cl)
              for k, ((a, cl), r) in enumerate(results.items())]
    return DepthView(tuple(sizes), tuple(notes), main, ratio, final, pd.DataFrame(prof),
                     pd.concat(curves, ignore_index=True), pd.concat(lh, ignore_index=True),
                     _clip_effect(results, main) if s.clip else None, script)
