"""The learning-rate sweep page's computations: the sweep's plan within
the work budget, and every cached call of the page (the sweep and its reading, the chart
specs, the loss curves, the range test and its check, the schedules, the article check).

Each section of the page (app_pages/sections/lr_sweep/) calls one function here and gets
a frozen dataclass back; the sweep and the range test are cached here, other training
goes through :func:`ui.compute.train`; all of it through :func:`ui.compute.offload`."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dlcore import PRESETS, RunSpec, ScheduleSpec, TrainConfig
from dlcore.catalogue import CATALOGUE
from dlcore.budget import MAX_SECONDS, fit_budget
from dlcore.lr_study import (ARTICLE_RATES, CHECK_TOLS, RatePlan, article_check, article_verdict, measured_edges,
                             pick_curve_rates, plan_rates, schedule_runs, study_table, verify_runs)
from dlcore.optimizers import OptimizerSpec
from dlcore.problems.base import problem_size
from dlcore.results import TrainResult
from dlcore.sweep import lr_range_test, lr_sweep
from dlcore.sweep_study import (Resolution, ScheduleOutcome, SweepPrediction, curve_indices, float32_resolution,
                                predict_sweep, schedule_outcome, verification_best)
from dlcore.theory import quadratic_theory
from ui import compute
from ui.charts import sweep as charts
from ui.charts.render import cached_spec
from ui.text import lr_sweep as text

RANGE_PROBLEMS = ("mlp", "sum3", "logistic")     # the networks the range test is for


def problem_title(key: str) -> str:
    return CATALOGUE[key].title


def short_title(key: str) -> str:
    """The title without its "(article …)" source."""
    return CATALOGUE[key].title.split(" (")[0]


# ---------------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepRequest:
    """The sweep settings as the learner set them (validated by the page's PageState)."""

    problem_key: str
    optimizer_name: str
    lo: float
    hi: float
    n_rates: int
    steps: int
    tol: float
    mode: str
    seed: int
    batch: int
    dtype: str


@dataclass(frozen=True)
class SweepPlan:
    """What the page trains: the request with its rate range made valid, the rates (the
    grid plus the article's five) and the steps cut to the work budget, and why."""

    problem_key: str
    optimizer: OptimizerSpec
    lo: float
    hi: float
    steps: int
    tol: float
    mode: str
    seed: int
    batch_size: int | None
    dtype: str
    rates: RatePlan
    n_params: int
    n_examples: int
    range_note: str | None
    budget_notes: tuple[str, ...]

    @property
    def problem(self):
        return CATALOGUE[self.problem_key].problem

    @property
    def title(self) -> str:
        return CATALOGUE[self.problem_key].title

    @property
    def about(self) -> str:
        return CATALOGUE[self.problem_key].summary

    @property
    def config(self) -> TrainConfig:
        return TrainConfig(steps=self.steps, tol=self.tol, tol_mode=self.mode, batch_size=self.batch_size,
                           dtype=self.dtype)

    @property
    def key(self) -> tuple:
        """Every setting of the sweep: identifies its result in the caches."""
        return (self.problem, self.optimizer, self.rates.rates, self.steps, self.tol, self.mode, self.seed,
                self.batch_size, self.dtype)


def plan_sweep(req: SweepRequest) -> SweepPlan:
    """The request within the lab's budget: lo < hi, the grid plus the article's rates."""
    lo, hi = req.lo, req.hi
    range_note = text.range_note(lo, hi) if lo >= hi else None
    if lo >= hi:
        lo, hi = (hi, lo) if lo > hi else (lo, lo * 100)
    size = problem_size(CATALOGUE[req.problem_key].problem)
    n_params, n_examples, n_train = size.n_params, size.n_examples, size.n_train
    extra = len([r for r in ARTICLE_RATES if not any(math.isclose(r, g, rel_tol=1e-9) for g in (lo, hi))])
    runs, steps, notes = fit_budget(req.n_rates + extra, req.steps, n_params, n_examples, dtype=req.dtype)
    n_grid = max(2, runs - len(ARTICLE_RATES)) if runs < req.n_rates + extra else req.n_rates
    if n_grid < req.n_rates:
        notes.append(text.fewer_rates_note(n_grid, req.n_rates))
    return SweepPlan(req.problem_key, PRESETS[req.optimizer_name], lo, hi, steps, req.tol, req.mode, req.seed,
                     req.batch if 0 < req.batch < n_train else None, req.dtype, plan_rates(lo, hi, n_grid),
                     n_params, n_examples, range_note, tuple(notes))


@st.cache_data(max_entries=24, ttl=compute.TTL, show_spinner=False)
def train_sweep(problem, optimizer, lrs: tuple, steps: int, tol: float, tol_mode: str, seed: int,
                schedule, batch_size, dtype: str):
    """The sweep: every rate trained in ONE batched call (dlcore.sweep.lr_sweep)."""
    return compute.offload(lr_sweep, problem, optimizer, lrs, steps=steps, tol=tol, tol_mode=tol_mode, seed=seed,
                           schedule=schedule, batch_size=batch_size, dtype=dtype, text="Sweeping learning rates…")


@st.cache_data(max_entries=24, ttl=compute.TTL, show_spinner=False)
def train_range_test(problem, optimizer, start_lr: float, end_lr: float, num_iter: int, seed: int,
                     batch_size, dtype: str):
    """fastai's range test: one run whose rate grows every step (dlcore.sweep.lr_range_test)."""
    return compute.offload(lr_range_test, problem, optimizer, start_lr=start_lr, end_lr=end_lr, num_iter=num_iter,
                           seed=seed, batch_size=batch_size, dtype=dtype, text="Running the range test…")


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def read_sweep(key: tuple, in_grid: tuple, _res, _raw):
    """The sweep's table read for the page (study table, edges, article verdict). ``key``
    holds every setting of the sweep, so it identifies ``_res``/``_raw`` (not hashed)."""
    tol, mode = key[4], key[5]
    t = study_table(_res, _raw, tol, mode)
    t["in_grid"] = in_grid
    t["article_rate"] = [any(math.isclose(v, r, rel_tol=1e-9) for r in ARTICLE_RATES) for v in t["lr"]]
    return t, measured_edges(t[t["in_grid"]]), article_verdict(t)


@dataclass(frozen=True)
class SweepStudy:
    """One sweep, read: the batched result, its per-rate table (``view``: the learner's
    grid only), the measured edges, the article verdict, theory's prediction and the
    float32 resolution near the reference loss."""

    plan: SweepPlan
    result: TrainResult
    table: pd.DataFrame
    view: pd.DataFrame
    edges: dict
    verdict: dict
    prediction: SweepPrediction
    resolution: Resolution | None

    @property
    def reference(self) -> float:
        return self.table.attrs["reference"]

    @property
    def reference_kind(self) -> str:
        return self.table.attrs["reference_kind"]

    @property
    def precision_limited(self) -> bool:
        return self.resolution is not None and self.resolution.limited


def study(plan: SweepPlan) -> SweepStudy:
    """Train the sweep (one batched call, cached) and read it."""
    p = plan
    res, raw = train_sweep(p.problem, p.optimizer, p.rates.rates, p.steps, p.tol, p.mode, p.seed, ScheduleSpec(),
                             p.batch_size, p.dtype)
    t, edges, verdict = read_sweep(p.key, p.rates.in_grid, _res=res, _raw=raw)
    gap0 = float(res.loss[0, 0]) - t.attrs["reference"]
    prediction = predict_sweep(quadratic_theory(p.problem), p.optimizer, p.lo, p.hi, gap0, p.tol, p.mode, res.optimum)
    resolution = float32_resolution(t.attrs["reference"], t.attrs["reference_kind"], p.tol, p.dtype)
    return SweepStudy(p, res, t, t[t["in_grid"]], edges, verdict, prediction, resolution)


def sweep_specs(s: SweepStudy) -> tuple[dict, dict]:
    """The specs of the steps chart and the final-loss chart of a sweep, from the shared
    spec cache: the sweep's key (every setting) identifies the data, so it is not hashed."""
    p, pr = s.plan, s.prediction
    rules = charts.theory_rules(pr.limit, pr.theory.lr_best if pr.plain_sgd else None, p.lo, p.hi)
    y_title = text.final_title(s.reference_kind)
    ident = (p.key, p.lo, p.hi, rules, pr.curve_label, y_title)
    # Schema validation is left to tests/test_sweep_charts.py: here it would double the cold cost.
    steps = cached_spec(charts.steps_chart, s.view, p.steps, p.lo, p.hi, rules=rules, predicted=pr.curve,
                        article=charts.article_points(), predicted_label=pr.curve_label, ident=("steps",) + ident)
    final = cached_spec(charts.final_loss_chart, s.view, p.lo, p.hi, y_title, tol_line=p.tol, rules=rules,
                        ident=("final",) + ident)
    return steps, final


def runs_table(s: SweepStudy) -> pd.DataFrame:
    """Every run of the sweep (the numbers behind the charts), full precision, for the
    table and its CSV: a diverged run's final loss is inf."""
    shown = s.table[["lr", "status", "steps_to_converge", "final_loss", "best_loss", "diverged_at", "in_grid",
                     "article_rate"]].copy()
    shown.loc[shown["status"] == "diverged", "final_loss"] = np.inf
    return shown.rename(columns={"lr": "learning_rate"})


# ---------------------------------------------------------------------------------------
# Tabs
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArticleCheck:
    """The article's five rates for every optimizer, judged at six tolerances."""

    labels: tuple[str, ...]
    steps: int
    notes: tuple[str, ...]
    matrix: pd.DataFrame | None       # None: too much work for one request


def article_check_runs(s: SweepStudy) -> ArticleCheck:
    p = s.plan
    labels = tuple(PRESETS)
    runs = tuple(RunSpec(PRESETS[o].with_lr(lr), seed=p.seed, label=f"{o} η={lr:g}")
                 for o in labels for lr in ARTICLE_RATES)
    n_runs, steps, notes = fit_budget(len(runs), p.steps, p.n_params, p.n_examples)
    if n_runs != len(runs):
        return ArticleCheck(labels, steps, tuple(notes) + (text.CHECK_TOO_BIG,), None)
    res = compute.train(p.problem, runs, TrainConfig(steps=steps, batch_size=p.batch_size, dtype=p.dtype,
                                                     record_params=False))
    ref = None if s.reference_kind != "best in sweep" else min(
        s.reference, float(np.nanmin(np.where(np.isfinite(res.loss), res.loss, np.nan))))
    if p.mode == "absolute":
        ref = 0.0
    return ArticleCheck(labels, steps, tuple(notes), article_check(res, list(labels), CHECK_TOLS, reference=ref))


@dataclass(frozen=True)
class Curves:
    """The loss curves of a few rates of the sweep: ``chosen`` (role, lr), their rows in
    the sweep's table, their histories (labelled) and the column to plot."""

    chosen: tuple[tuple[str, float], ...]
    rows: tuple[int, ...]
    history: pd.DataFrame
    y: str
    y_title: str
    roles: dict


def gap_history(h: pd.DataFrame, reference: float, reference_kind: str) -> tuple[str, str]:
    """The column to plot on a log axis over the steps: the loss, or its gap to the
    sweep's reference when that is not 0 (adds a 'gap' column)."""
    if reference_kind != "zero" and reference != 0:
        h["gap"] = h["loss"] - reference
        return "gap", text.curve_title(reference_kind)
    return "loss", text.curve_title(reference_kind)


def curves(s: SweepStudy, picked) -> Curves:
    """The rates the learner picked (sorted) or, with none, too small · good · too large."""
    chosen = tuple(("chosen", float(v)) for v in sorted(picked)) if picked else tuple(pick_curve_rates(s.view))
    idx = curve_indices(s.table["lr"], chosen)
    names = text.curve_names(chosen, idx)
    h = s.result.history(max_points=500, runs=idx, params=False)
    h["label"] = h["run"].map(names)
    y, y_title = gap_history(h, s.reference, s.reference_kind)
    return Curves(chosen, tuple(idx), h, y, y_title, {names[i]: role for (role, _), i in zip(chosen, idx)})


@dataclass(frozen=True)
class RangeRequest:
    problem_key: str
    optimizer_name: str
    start: float
    end: float
    iters: int
    batch: int
    steps: int
    seed: int
    dtype: str


@dataclass(frozen=True)
class RangeTest:
    """A learning-rate range test within the budget, and its result."""

    request: RangeRequest
    problem: object
    optimizer: OptimizerSpec
    batch_size: int | None
    iters: int
    notes: tuple[str, ...]
    result: object

    @property
    def run(self) -> RunSpec:
        """The test's training run: ExponentialLR grows the rate every step."""
        r = self.request
        return RunSpec(self.optimizer.with_lr(r.start),
                       ScheduleSpec("exponential", gamma=(r.end / r.start) ** (1 / (self.iters - 1))), seed=r.seed)

    @property
    def config(self) -> TrainConfig:
        return TrainConfig(steps=len(self.result.table), batch_size=self.batch_size, dtype=self.request.dtype)


def range_test(r: RangeRequest) -> RangeTest:
    problem = CATALOGUE[r.problem_key].problem
    size = problem_size(problem)
    bs = r.batch if 0 < r.batch < size.n_train else None
    # The range-test tab trains on top of the sweep: its test and its check get half a budget each.
    _, iters, notes = fit_budget(1, r.iters, size.n_params, size.n_examples, max_seconds=MAX_SECONDS / 2,
                                 dtype=r.dtype)
    if iters < 20:
        notes.append(text.RANGE_TOO_BIG)
    iters = max(iters, 20)
    opt = PRESETS[r.optimizer_name]
    res = train_range_test(problem, opt, r.start, r.end, iters, r.seed, bs, r.dtype)
    return RangeTest(r, problem, opt, bs, iters, tuple(notes), res)


@dataclass(frozen=True)
class Verification:
    """Three runs at the suggested rate ÷ 10, itself and × 10."""

    lr: float
    steps: int
    notes: tuple[str, ...]
    history: pd.DataFrame
    log_scale: bool
    summary: pd.DataFrame
    best: int | None


def verify(rt: RangeTest, lr: float) -> Verification:
    size = problem_size(rt.problem)
    _, steps, notes = fit_budget(3, rt.request.steps, size.n_params, size.n_examples, max_seconds=MAX_SECONDS / 2,
                                 dtype=rt.request.dtype)
    cfg = TrainConfig(steps=steps, batch_size=rt.batch_size, dtype=rt.request.dtype, record_params=False)
    res = compute.train(rt.problem, verify_runs(rt.optimizer, lr, rt.request.seed), cfg)
    h = res.history(max_points=400, params=False)
    fin = h["loss"][np.isfinite(h["loss"]) & (h["loss"] > 0)]
    log_scale = len(fin) > 0 and float(fin.max()) / float(fin.min()) > 20
    summary = res.summary()
    return Verification(lr, steps, tuple(notes), h, log_scale, summary,
                        verification_best(summary["final_loss"].to_numpy(dtype=float)))


@dataclass(frozen=True)
class Schedules:
    """The five schedules from one peak rate, trained together and read with the sweep's
    convergence test."""

    base: float
    runs: tuple
    history: pd.DataFrame
    rates: pd.DataFrame            # the history up to the last update (the rate of every step)
    y: str
    y_title: str
    outcome: ScheduleOutcome


def auto_rate(s: SweepStudy) -> float:
    """The schedules' default peak rate: the sweep's fastest, else its best 'good' rate."""
    return s.edges["fastest"] or next((lr for role, lr in pick_curve_rates(s.view) if role == "good"), s.plan.lo)


def schedules(s: SweepStudy, base: float) -> Schedules:
    p = s.plan
    runs = schedule_runs(p.optimizer, base, p.steps, p.seed)
    cfg = TrainConfig(steps=p.steps, tol=p.tol, tol_mode=p.mode, batch_size=p.batch_size, dtype=p.dtype,
                      record_params=False)
    res = compute.train(p.problem, runs, cfg)
    h = res.history(max_points=400, params=False)
    rates = h[h["step"] < p.steps]
    y, y_title = gap_history(h, s.reference, s.reference_kind)
    # The same convergence test as the sweep's (same reference), so the numbers compare.
    return Schedules(base, runs, h, rates, y, y_title, schedule_outcome(res, p.tol, s.reference))
