"""Learning-rate sweep: train one model at up to 300 learning rates at once, measure the
steps each needs, and hold the result against article 002's table, against theory
(2/λmax, 2/(λmax+λmin)), against fastai's learning-rate range test, and against
learning-rate schedules.

Everything on the default view comes from ONE batched training call (compute.sweep):
the log grid of rates plus the article's five rates, so the charts, the article's table
and the loss curves share the same runs. The range test and the schedules are tabs that
only compute when opened.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from dlcore import (LINE_FIT, PRESETS, STUDY_HOURS, LinearProblem, PurchaseProblem, RunSpec, ScheduleSpec,
                    SumOfThree, SurfaceProblem, TrainConfig)
from dlcore.budget import fit_budget
from dlcore.lr_study import (ARTICLE_RATES, CHECK_TOLS, article_check, article_verdict, compare_with_article,
                             measured_edges, momentum_plateau, pick_curve_rates, plan_rates, schedule_runs,
                             schedule_specs, stability_limit, study_table, verify_runs)
from dlcore.results import converged_at
from dlcore.sweep import ARTICLE_LR_TABLE
from dlcore.theory import quadratic_theory
from ui import compute
from ui.charts.render import chart, draw, frozen_spec
from ui.charts import sweep as charts
from ui.charts.core import loss_chart
from ui.layout import code, fmt, friendly_errors, header, note_box, share_hint, table
from ui.params import PageState, Param, log_options

# ---------------------------------------------------------------------------------------
# What can be swept
# ---------------------------------------------------------------------------------------
STUDY_STD = LinearProblem(x=STUDY_HOURS.x, y=STUDY_HOURS.y, standardize=True, names=("m", "c"),
                          title="Study hours → exam score (standardised hours)")
PROBLEMS = {
    "line": ("Line fit y = 2x (article 000)", LINE_FIT,
             "Fit y = w·x + b to (1, 2), (2, 4), (3, 6), (4, 8) from w = b = 0 with MSE — article 000's loop."),
    "study": ("Study hours → score, raw hours (article 000)", STUDY_HOURS,
              "Fit score = m·hours + c to article 000's four students, hours 10–40 as they are: a long, "
              "thin valley (condition number ≈ 4500)."),
    "study_std": ("Study hours → score, standardised hours", STUDY_STD,
                  "The same fit with hours standardised (mean 0, std 1): the valley becomes a round bowl."),
    "bowl": ("Ill-conditioned bowl ½(x² + 25y²)", SurfaceProblem("bowl"),
             "A quadratic 25× steeper across than along, from (−4, 1.5)."),
    "rosenbrock": ("Rosenbrock valley", SurfaceProblem("rosenbrock"),
                   "(1 − x)² + 100(y − x²)² from (−2, 2): a curved valley, no single curvature."),
    "sum3": ("Sum of three: 3→4→1 ReLU network (article 001)", SumOfThree(),
             "Article 001's network learning x₁ + x₂ + x₃ from three examples, MSE, nn.Linear's init."),
    "logistic": ("Purchases: logistic regression (article 002)", PurchaseProblem(model="logistic"),
                 "800 training records (age, income, education → bought), binary cross-entropy."),
    "mlp": ("Purchases: MLP 3→16→1 (article 002)", PurchaseProblem(model="mlp"),
            "The same records with a 16-unit ReLU hidden layer, binary cross-entropy."),
}
RANGE_PROBLEMS = ("mlp", "sum3", "logistic")
TABS = ("Article's table", "Loss curves", "Range test", "Schedules")
STEP_OPTIONS = (10, 20, 50, 100, 200, 300, 500, 1000, 1500, 2000, 3000, 5000, 10000, 20000)
LO_OPTIONS = log_options(1e-6, 10.0)
HI_OPTIONS = log_options(1e-5, 100.0)
TOL_OPTIONS = log_options(1e-8, 10.0)
MODES = {"gap": "loss − optimum < tol", "absolute": "loss < tol"}
SCHED_KINDS = tuple(schedule_specs(3))
SCHED_INFO = {
    "constant": ("no scheduler", "The same rate for every step — the article's loops."),
    "step": ("torch.optim.lr_scheduler.StepLR", "Divide the rate by 10 every third of the run: lr, lr/10, lr/100."),
    "exponential": ("torch.optim.lr_scheduler.ExponentialLR",
                    "Multiply the rate by γ every step, γ chosen so it ends at lr/100."),
    "cosine": ("torch.optim.lr_scheduler.CosineAnnealingLR",
               "Glide from lr down to 0 along half a cosine wave (T_max = the run's length)."),
    "onecycle": ("torch.optim.lr_scheduler.OneCycleLR",
                 "Warm up from lr/25 to lr over the first 30% of the run, then anneal to lr/250 000."),
}
RULES = {
    "valley": "fastai's default: a point well inside the longest stretch where the smoothed loss keeps falling.",
    "steep": "where the smoothed loss falls fastest per decade of rate (pytorch-lr-finder's rule; skips the "
             "first 10 and last 5 points).",
    "min/10": "a tenth of the rate at the lowest smoothed loss — the loss is lowest just before it blows up, "
              "so back off by 10×.",
}

state = PageState("lr", [
    Param("problem", "line", kind="choice", choices=tuple(PROBLEMS), label="problem"),
    Param("opt", "SGD", kind="choice", choices=tuple(PRESETS), label="optimizer"),
    Param("lo", 1e-4, lo=LO_OPTIONS[0], hi=LO_OPTIONS[-1], options=LO_OPTIONS, label="smallest rate"),
    Param("hi", 1.0, lo=HI_OPTIONS[0], hi=HI_OPTIONS[-1], options=HI_OPTIONS, label="largest rate"),
    Param("n", 100, kind="int", lo=2, hi=300, label="number of rates"),
    Param("steps", 1000, kind="int", lo=10, hi=20000, options=STEP_OPTIONS, label="steps"),
    Param("tol", 1e-3, lo=TOL_OPTIONS[0], hi=TOL_OPTIONS[-1], options=TOL_OPTIONS, label="tolerance"),
    Param("mode", "gap", kind="choice", choices=tuple(MODES), label="convergence test"),
    Param("seed", 0, kind="int", lo=0, hi=2 ** 31 - 1, label="seed"),
    Param("batch", 0, kind="int", lo=0, hi=800, label="batch size"),
    Param("dtype", "float32", kind="choice", choices=("float32", "float64"), label="precision"),
    Param("tab", TABS[0], kind="choice", choices=TABS, label="tab"),
    Param("check", False, kind="bool", label="check every optimizer"),
    Param("code_rate", 0.1, kind="float", lo=min(ARTICLE_RATES), hi=max(ARTICLE_RATES), options=ARTICLE_RATES,
          label="rate of the exported run"),
    Param("curves", [], kind="floats", lo=1e-8, hi=1e4, max_items=6, label="rates to plot"),
    Param("code_run", 1, kind="int", lo=0, hi=5, label="exported curve"),
    Param("rt_problem", "mlp", kind="choice", choices=RANGE_PROBLEMS, label="range-test problem"),
    Param("rt_opt", "Adam", kind="choice", choices=tuple(PRESETS), label="range-test optimizer"),
    Param("rt_start", 1e-7, lo=1e-8, hi=1e-2, options=log_options(1e-8, 1e-2), label="range-test start rate"),
    Param("rt_end", 10.0, lo=1e-2, hi=100.0, options=log_options(1e-2, 100.0), label="range-test end rate"),
    Param("rt_iters", 100, kind="int", lo=20, hi=500, label="range-test steps"),
    Param("rt_batch", 32, kind="int", lo=0, hi=800, label="range-test batch size"),
    Param("rt_rule", "valley", kind="choice", choices=tuple(RULES), label="suggestion to verify"),
    Param("rt_steps", 300, kind="int", lo=20, hi=3000, label="verification steps"),
    Param("slr", 0.0, lo=0.0, hi=100.0, options=(0.0,) + log_options(1e-6, 100.0), label="schedule base rate"),
    Param("code_sched", "cosine", kind="choice", choices=SCHED_KINDS, label="exported schedule"),
])


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def problem_size(problem) -> tuple[int, int, int]:
    """(parameters, examples evaluated per step, training examples) — for the work budget
    and to know when a batch size means mini-batches."""
    obj = problem.build()
    n_test = len(getattr(obj, "x_test", ()))
    return obj.n_params, max(obj.n_train + n_test, 1), obj.n_train


def show(chart) -> None:
    draw(chart)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def read_sweep(key: tuple, in_grid: tuple, _res, _raw):
    """The sweep's table read for the page (study table, edges, article verdict). ``key``
    holds every setting of the sweep, so it identifies ``_res``/``_raw`` (not hashed)."""
    tol, mode = key[4], key[5]
    t = study_table(_res, _raw, tol, mode)
    t["in_grid"] = in_grid
    t["article_rate"] = [any(math.isclose(v, r, rel_tol=1e-9) for r in ARTICLE_RATES) for v in t["lr"]]
    return t, measured_edges(t[t["in_grid"]]), article_verdict(t)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sweep_specs(key: tuple, steps: int, lo: float, hi: float, rules: tuple, y_title: str, tol: float,
                pred_label: str, _view, _predicted, _article) -> tuple[dict, dict]:
    """Vega-Lite specs of the two sweep charts. Building and validating Altair charts is
    most of a rerun's time, so the finished specs are cached (``key`` + the plain
    arguments identify the underscored data, which is not hashed)."""
    layers = [c for v, label, color, align, dy in rules for c in charts.rule(v, label, color, align=align, dy=dy)]
    a = charts.steps_chart(_view, steps, lo, hi, rules=layers, predicted=_predicted, article=_article,
                           predicted_label=pred_label)
    b = charts.final_loss_chart(_view, lo, hi, y_title, tol_line=tol, rules=layers)
    # Schema validation is left to tests/test_sweep_charts.py: here it would double the cold cost.
    return frozen_spec(a), frozen_spec(b)


def edge_sentence(limit: float) -> str:
    """What the divergence limit of plain gradient descent means for the article's 1.0 and 10."""
    if math.isclose(limit, 1.0, rel_tol=1e-6):
        return ("Here 2/λmax is exactly 1.0: at that rate every step jumps to the mirror point on the other side "
                "of the minimum, so the loss never falls — neither 50 steps nor divergence.")
    if limit < 1.0:
        return f"And here every rate above {limit:.4g} diverges, so 1.0 cannot take 50 steps."
    if limit < 10.0:
        return (f"Here the limit is {limit:.4g}: 1.0 is stable and 10 diverges, as the article says — the "
                "step counts are what does not fit.")
    return f"Here the limit is {limit:.4g}: even 10 does not diverge."


def rate_label(v: float) -> str:
    return f"{v:.3g}"


def steps_text(n) -> str:
    return "—" if n is None else f"{n:,}"


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------
header("Learning-rate sweep",
       "Train the same model at up to 300 learning rates **at once** and measure how many steps each needs "
       "to converge — then hold the result against article 002's table, against what theory predicts, and "
       "against the tools practitioners use to pick a rate.")

with st.sidebar:
    st.subheader("Sweep")
    pkey = state.selectbox("problem", "Problem", format_func=lambda k: PROBLEMS[k][0])
    opt_name = state.selectbox("opt", "Optimizer", help="torch.optim with its default hyperparameters "
                               "(Momentum and Nesterov: momentum 0.9; AdamW: weight decay 0.01).")
    lo = state.select_slider("lo", "Smallest learning rate", format_func=rate_label)
    hi = state.select_slider("hi", "Largest learning rate", format_func=rate_label)
    n_rates = state.slider("n", "Number of rates (log-spaced)", step=1)
    steps_req = state.select_slider("steps", "Maximum steps per run")
    tol = state.select_slider("tol", "Convergence tolerance", format_func=lambda v: f"{v:g}")
    mode = state.radio("mode", "Converged when", format_func=lambda m: MODES[m], horizontal=True,
                       help="From which step on the loss stays within the tolerance for the rest of the run. "
                            "For the purchase problems no exact optimum is known: 'optimum' then means the "
                            "lowest loss any rate reached in this sweep.")
    with st.expander("More settings", icon=":material/tune:"):
        seed = state.number_input("seed", "Seed (initial weights, batch order)", step=1)
        batch = state.number_input("batch", "Mini-batch size (0 = full batch)", step=1,
                                   help="A batch smaller than the training set means shuffled mini-batches "
                                        "(the purchase problems have 800 records, the line fits 4).")
        dtype = state.radio("dtype", "Precision", horizontal=True)

if lo >= hi:
    state.notes.append(f"The smallest rate ({lo:g}) must be below the largest ({hi:g}); they were swapped."
                       if lo > hi else f"The smallest and largest rate are equal ({lo:g}); sweeping {lo:g} to {lo * 100:g}.")
    lo, hi = (hi, lo) if lo > hi else (lo, lo * 100)

label, problem, about = PROBLEMS[pkey]
optimizer = PRESETS[opt_name]
n_params, n_examples, n_train = problem_size(problem)
batch_size = batch if 0 < batch < n_train else None
extra = len([r for r in ARTICLE_RATES if not any(math.isclose(r, g, rel_tol=1e-9) for g in (lo, hi))])
runs, steps, budget_notes = fit_budget(n_rates + extra, steps_req, n_params, n_examples)
n_grid = max(2, runs - len(ARTICLE_RATES)) if runs < n_rates + extra else n_rates
if n_grid < n_rates:
    budget_notes.append(f"Sweeping {n_grid} rates instead of {n_rates}, to keep the request within the lab's budget.")
plan = plan_rates(lo, hi, n_grid)

with friendly_errors("these sweep settings"):
    res, raw_table = compute.sweep(problem, optimizer, plan.rates, steps, tol, mode, seed, ScheduleSpec(),
                                   batch_size, dtype)
sweep_key = (problem, optimizer, plan.rates, steps, tol, mode, seed, batch_size, dtype)
t, edges, verdict = read_sweep(sweep_key, plan.in_grid, _res=res, _raw=raw_table)
view = t[t["in_grid"]]          # what the charts and headline numbers show: the learner's grid
theory = quadratic_theory(problem)
limit = stability_limit(theory, optimizer)
plain_sgd = limit is not None and optimizer.momentum == 0
plateau = momentum_plateau(theory, optimizer)
ref_kind = t.attrs["reference_kind"]
optimum = res.optimum
gap0 = float(res.loss[0, 0]) - t.attrs["reference"]

precision_limited = False     # float32 cannot resolve this tolerance near a large optimum
if dtype == "float32" and ref_kind != "zero" and t.attrs["reference"] != 0:
    spacing = float(np.spacing(np.float32(abs(t.attrs["reference"]))))
    precision_limited = tol < 10 * spacing
    if precision_limited:
        st.info(
            f"float32 stores a loss near {t.attrs['reference']:.6g} only in steps of {spacing:.2g}, and the summed "
            f"loss carries about ten of those in rounding noise — a tolerance of {tol:g} partly measures that "
            "noise. Choose float64 under *More settings* for clean step counts.", icon=":material/straighten:")
note_box(budget_notes)
st.caption(f"**{label}.** {about} Optimizer: **{optimizer.display}** · {len(plan.rates)} runs trained together "
           f"for up to {steps:,} steps · {dtype} · seed {seed}"
           + (f" · mini-batches of {batch_size}" if batch_size else " · full batch") + ".")

# ---------------------------------------------------------------------------------------
# Headline numbers
# ---------------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns(4)
with c1:
    if limit is not None:
        st.metric("Diverges above (theory)", fmt(limit[0], 4), border=True,
                  help=f"{limit[1]} for {optimizer.display} on this quadratic loss: its largest curvature "
                       f"λmax = {theory.lambda_max:.4g} sets the limit.")
    else:
        st.metric("First rate that diverged", fmt(edges["first_diverging"], 4) if edges["first_diverging"] else "none",
                  border=True, help="No closed-form limit for this optimizer/problem: this is measured.")
    bracket = []
    if edges["last_stable"] is not None:
        bracket.append(f"stable at {edges['last_stable']:.4g}")
    if edges["first_diverging"] is not None:
        bracket.append(f"diverged at {edges['first_diverging']:.4g}")
    st.caption((f"{limit[1]} · " if limit is not None else "")
               + "measured: " + (", ".join(bracket) if bracket else "no rate diverged") + ".")
with c2:
    st.metric("Fastest rate measured", fmt(edges["fastest"], 4) if edges["fastest"] else "none",
              border=True, help="The swept rate that reached the tolerance in the fewest steps.")
    st.caption((f"{edges['fastest_steps']:,} steps" if edges["fastest"] else f"none within {steps:,} steps")
               + (f" · theory's best fixed rate 2/(λmax+λmin) = {theory.lr_best:.4g}" if plain_sgd else "") + ".")
with c3:
    cnt = edges["counts"]
    st.metric(f"Rates that converged (of {len(view)})", f"{cnt['converged']}", border=True)
    st.caption(f"{cnt['diverged']} diverged · {cnt['not converged']} not within {steps:,} steps.")
with c4:
    st.metric("Article rows agreeing", f"{verdict['agree']} / 5", border=True,
              help="Measured steps within ×/÷ 1.25 of the article's, or both diverge. Details in the first tab.")
    st.caption("Its shape (larger is faster; 10 diverges): " + ("✓ holds here." if verdict["holds"] else "✗ not here."))

# ---------------------------------------------------------------------------------------
# The two sweep charts
# ---------------------------------------------------------------------------------------
rules = []   # (value, label, colour, label side, label height): built into charts in sweep_specs
if limit is not None and lo < limit[0] < hi:
    # Short labels (the values are in the metrics above and in the tooltips): the two rules
    # are often almost on top of each other, so one label goes right, the other left.
    rules.append((limit[0], limit[1], charts.DIVERGED,
                  "left" if math.log(hi / limit[0]) > 0.18 * math.log(hi / lo) else "right", 30))
if plain_sgd and lo < theory.lr_best < hi:
    rules.append((theory.lr_best, "best", charts.THEORY, "right", 48))
predicted = None
pred_at = None
target = tol if mode == "gap" else (tol - optimum if optimum is not None else -1)
if plain_sgd and optimum is not None and target > 0:
    top = min(hi, theory.lr_diverge * 0.9999)
    if top > lo:
        grid = np.logspace(math.log10(lo), math.log10(top), 240)
        predicted = pd.DataFrame({"lr": grid, "steps": theory.predicted_steps(grid, gap0, target)})
    pred_at = dict(zip(ARTICLE_RATES, theory.predicted_steps(np.array(ARTICLE_RATES), gap0, target).tolist()))
pred_label = "theory (worst case)"
plateau_steps = None
if plateau is not None and optimum is not None and target > 0 and gap0 > target:
    # Heavy ball in its plateau: the loss gap falls like μ^t, so ≈ ln(gap₀/tol)/(−ln μ) steps.
    plateau_steps = math.log(gap0 / target) / -math.log(optimizer.momentum)
    p_lo, p_hi = max(plateau[0], lo), min(plateau[1], hi)
    if p_lo < p_hi:
        predicted = pd.DataFrame({"lr": [p_lo, p_hi], "steps": [plateau_steps, plateau_steps]})
        pred_label = "theory (≈ μᵗ plateau)"
article_df = pd.DataFrame({"lr": [lr for lr, _ in ARTICLE_LR_TABLE],
                           "steps": [np.nan if n is None else float(n) for _, n in ARTICLE_LR_TABLE]})
CURVE_TITLE = {"optimum": "loss − optimum", "best in sweep": "loss − best loss in sweep",
               "zero": "training loss"}[ref_kind] + " (log scale)"


def gap_column(h: pd.DataFrame) -> tuple[str, str]:
    """The column to plot on a log axis over the steps: the loss, or its gap to the
    sweep's reference when that is not 0 (adds a 'gap' column)."""
    if ref_kind != "zero" and t.attrs["reference"] != 0:
        h["gap"] = h["loss"] - t.attrs["reference"]
        return "gap", CURVE_TITLE
    return "loss", CURVE_TITLE


y_title = {"optimum": "final loss − optimum", "best in sweep": "final loss − best loss in sweep",
           "zero": "final loss"}[ref_kind] + " (log scale)"

spec_steps, spec_final = sweep_specs(sweep_key, steps, lo, hi, tuple(rules), y_title, tol, pred_label,
                                     _view=view, _predicted=predicted, _article=article_df)
left, right = st.columns(2, gap="medium")
with left:
    st.markdown("##### Steps to converge")
    st.vega_lite_chart(spec=spec_steps, width="stretch")
with right:
    st.markdown("##### Where each rate ends up")
    st.vega_lite_chart(spec=spec_final, width="stretch")
legend = ("Each dot is one training run. **Red ✕ along the top:** the run diverged (its loss has no finite "
          "value to plot). **Grey triangles:** not converged within the step budget. **Orange diamonds:** "
          "article 002's claimed numbers.")
if predicted is not None and pred_label == "theory (worst case)":
    legend += (" **Green dashed curve:** theory's worst case for plain gradient descent, "
               "steps ≤ ln(gap₀/tol) / (−2·ln ρ(η)) with ρ(η) = max|1 − ηλ| — measured dots sit on or below it"
               + (" (here float32 rounding pushes some above it: see the note at the top)." if precision_limited
                  else "."))
elif predicted is not None:
    legend += (f" **Green dashed line:** theory for momentum μ = {optimizer.momentum:g}: between "
               f"η = {plateau[0]:.3g} and {plateau[1]:.3g} every step shrinks the error by √μ whatever η is, "
               f"≈ ln(gap₀/tol)/(−ln μ) = {plateau_steps:.0f} steps.")
st.caption(legend)

if theory is not None:
    with st.expander("Theory: why rates above a limit diverge, and what sets the speed",
                     icon=":material/functions:"):
        st.markdown(
            "This loss is a quadratic bowl: its curvature (the Hessian H) is the same everywhere. Along each "
            "eigenvector of H with curvature λ, one step of plain gradient descent multiplies the distance to "
            "the minimum by **(1 − ηλ)**.")
        st.latex(r"\theta_{t+1}-\theta^\star=(I-\eta H)(\theta_t-\theta^\star)\quad\Rightarrow\quad"
                 r"|1-\eta\lambda|<1 \iff \eta<\frac{2}{\lambda}")
        st.markdown(
            f"Here λmax = **{theory.lambda_max:.5g}** and λmin = **{theory.lambda_min:.5g}** "
            f"(condition number {theory.condition:.4g}). The steepest direction decides divergence: "
            f"η > 2/λmax = **{theory.lr_diverge:.5g}** blows up. The flattest decides speed: for small η each step "
            f"shrinks the error along it only by 1 − ηλmin, so the steps needed grow like 1/η — **ten times the "
            f"rate, about ten times fewer steps**, as the dots show on the log–log chart. The best fixed rate "
            f"balances the two ends: η* = 2/(λmax + λmin) = **{theory.lr_best:.5g}**.")
        if optimizer.name == "sgd" and optimizer.momentum > 0 and limit is not None:
            st.markdown(f"With momentum μ = {optimizer.momentum:g} the limit moves to **{limit[1]} = "
                        f"{limit[0]:.5g}** (the two-step recurrence of {optimizer.display} stays stable up to "
                        "there).")
            if plateau is not None:
                st.markdown(
                    f"And something new happens: for η between (1 − √μ)²/λmin = **{plateau[0]:.4g}** and "
                    f"(1 + √μ)²/λmax = **{plateau[1]:.4g}** every direction spirals in at the same speed, "
                    f"shrinking by √μ = {plateau[2]:.4f} per step **whatever η is** — so the steps needed stop "
                    "depending on the rate: the flat stretch of the chart.")
        elif limit is None:
            st.markdown(f"**{optimizer.display}** rescales each step by running gradient statistics, so no "
                        "2/λ rule applies to it: its steps are about η in size whatever the curvature.")

with st.expander(f"All {len(t)} runs of the sweep — the numbers behind the charts", icon=":material/table:"):
    shown = t[["lr", "status", "steps_to_converge", "final_loss", "best_loss", "diverged_at", "in_grid",
               "article_rate"]].copy()
    # A diverged run has no final loss: inf, which the table shows as "diverged".
    shown.loc[shown["status"] == "diverged", "final_loss"] = np.inf
    table(shown.rename(columns={"lr": "learning_rate"}), "lr_sweep.csv", key="dl-sweep")
    ref_txt = {"optimum": f"the known optimum {optimum:.10g}" if optimum is not None else "",
               "best in sweep": f"the lowest loss any rate reached, {t.attrs['reference']:.6g} "
                                "(this problem has no closed-form optimum)",
               "zero": "0 (the loss itself must fall below the tolerance)"}[ref_kind]
    st.caption(f"The {plan.n_grid} rates of the grid and the article's five rates, trained in one call. "
               f"steps_to_converge: the first step from which the loss stays within {tol:g} of {ref_txt}. "
               f"diverged_at: the step where the loss became non-finite or exceeded the optimum + 10⁴ × its "
               "starting gap.")

# ---------------------------------------------------------------------------------------
# Tabs (each computes only when open)
# ---------------------------------------------------------------------------------------
_tabs: dict = {}


def _tab_widget(label, key, **_):
    _tabs["list"] = st.tabs(list(TABS), key=key, on_change="rerun")
    return st.session_state[key]


st.divider()
tab = state.widget(_tab_widget, "tab", "Section")
tabs = dict(zip(TABS, _tabs["list"]))


def export(run: RunSpec, config: TrainConfig, filename: str, prob=None) -> None:
    with friendly_errors("this run"):
        code(compute.script(prob or problem, run, config), filename)


sweep_config = TrainConfig(steps=steps, tol=tol, tol_mode=mode, batch_size=batch_size, dtype=dtype)

# ---- Article 002's table --------------------------------------------------------------
if tabs[TABS[0]].open:
    with tabs[TABS[0]]:
        st.subheader("Article 002's table, measured")
        st.markdown("Article 002 prints a table *“Learning rate → iterations to convergence”* — but never says "
                    "**which model, which optimizer, or when it counts as converged**. Here is what PyTorch "
                    f"measures for the settings on the left ({label.split(' (')[0]}, {optimizer.display}, "
                    f"{MODES[mode].replace('tol', f'{tol:g}')}, at most {steps:,} steps).")
        cmp = compare_with_article(t, steps, predicted=pred_at)
        st.dataframe(cmp, hide_index=True, width="stretch",
                     column_config={"learning rate": st.column_config.NumberColumn(format="%g")})
        st.caption("The article's earlier two-row table (0.001 → 100, 0.01 → 1000 “iterations”) runs the other "
                   "way and states no problem either."
                   + (" Measured counts above theory's bound are float32 rounding noise (see the note at the top); "
                      "in float64 they meet it." if precision_limited and pred_at else ""))
        a, b = st.columns(2, gap="large")
        with a:
            bad = [c for c, ok in verdict["claims"] if not ok]
            st.markdown(f"**{verdict['agree']} of 5 rows agree.** "
                        + ("The article's shape holds here: each larger rate is faster and 10 diverges."
                           if verdict["holds"] else
                           "The article's shape does **not** hold here. Claims that fail: "
                           + "; ".join(bad) + "."))
            lines = [f"- {lr_a:g} → {lr_b:g}: the article saves **{claimed:.2g}×**; measured **{measured:.3g}×**."
                     for lr_a, lr_b, claimed, measured in verdict["speedups"] if measured is not None]
            if lines:
                st.markdown("**Ten times the rate — how many times fewer steps?**\n" + "\n".join(lines))
        with b:
            if plain_sgd:
                st.markdown(
                    "**What theory says.** For plain gradient descent on a quadratic, below the best rate, the "
                    "steps needed are ≈ ln(gap₀/tol) / (2ηλmin): **ten times the rate gives about ten times fewer "
                    "steps** (the worst-case bound falls by at least 10×). The article's 500 → 300 → 150 → 50 "
                    "shrinks by only 1.7×, 2× and 3× per tenfold rate — **no quadratic problem, start or "
                    "tolerance produces that with gradient descent.** " + edge_sentence(limit[0]))
            elif limit is not None:
                txt = (f"**What theory says.** With {optimizer.display} on this quadratic, rates above "
                       f"{limit[1]} = {limit[0]:.4g} diverge.")
                if plateau is not None:
                    txt += (f" Between η = {plateau[0]:.3g} and {plateau[1]:.3g} momentum caps the speed: every "
                            f"step shrinks the error by √μ = {plateau[2]:.3f} whatever η is"
                            + (f", ≈ {plateau_steps:.0f} steps" if plateau_steps else "")
                            + ". That saturation is the only way to get step counts that fall as slowly as the "
                              "article's — but then they stop falling altogether, and 1.0 → 50 still needs "
                              "1.0 to lie inside the stable range.")
                st.markdown(txt)
            else:
                st.markdown(f"**What theory says.** No closed form here: {optimizer.display} on "
                            f"{label.split(' (')[0]} has no single curvature and step rule that fixes a limit — "
                            "which is exactly why it has to be measured.")
        st.info("**Verdict.** The article's table sketches a true *shape* — too small is slow, larger is faster, "
                "too large diverges — but its numbers belong to no stated experiment. Measure before you trust a "
                "learning-rate table: the right rate depends on the problem's curvature, the optimizer and what "
                "'converged' means.", icon="🔎")

        st.markdown("##### Does the article's shape hold anywhere?")
        check = state.toggle("check", f"Run the article's five rates for all {len(PRESETS)} optimizers on this "
                             "problem (one batched call) and judge them at six tolerances",
                             help=f"{len(PRESETS) * 5} runs × {steps:,} steps; cached for everyone afterwards.")
        if check:
            labels = list(PRESETS)
            check_runs = tuple(RunSpec(PRESETS[o].with_lr(lr), seed=seed, label=f"{o} η={lr:g}")
                               for o in labels for lr in ARTICLE_RATES)
            c_runs, c_steps, c_notes = fit_budget(len(check_runs), steps, n_params, n_examples)
            note_box(c_notes if c_runs == len(check_runs) else c_notes + ["Too much work for one request on this "
                                                                          "problem; lower the steps."])
            if c_runs == len(check_runs):
                with friendly_errors("this check"):
                    cres = compute.train(problem, check_runs, TrainConfig(steps=c_steps, batch_size=batch_size,
                                                                          dtype=dtype, record_params=False))
                ref = None if ref_kind != "best in sweep" else min(
                    t.attrs["reference"], float(np.nanmin(np.where(np.isfinite(cres.loss), cres.loss, np.nan))))
                if mode == "absolute":
                    ref = 0.0
                matrix = article_check(cres, labels, CHECK_TOLS, reference=ref)
                holds = matrix[matrix["shape holds"]]
                if len(holds):
                    where = ", ".join(f"{r.optimizer} at tol {r.tolerance:g}" for r in holds.itertuples())
                    st.success(f"**The shape holds for:** {where} (within {c_steps:,} steps).", icon="✅")
                else:
                    st.warning(f"**Nowhere on this problem:** for none of the {len(labels)} optimizers and none of "
                               f"the tolerances {', '.join(f'{x:g}' for x in CHECK_TOLS)} do all of 0.001, 0.01, "
                               f"0.1 and 1.0 converge within {c_steps:,} steps, each faster than the last, "
                               "while 10 diverges.", icon=":material/block:")
                best = matrix.sort_values(["agree", "compared", "factor off"], ascending=[False, False, True]).head(1)
                if len(best):
                    b0 = best.iloc[0]
                    st.caption(f"Closest to the article: {b0['optimizer']} at tolerance {b0['tolerance']:g} — "
                               f"{b0['agree']} of 5 rows agree"
                               + (f"; over the {b0['compared']} rate(s) where both converge, the steps are off by "
                                  f"a factor {b0['factor off']:.2f} on average." if b0["compared"] else
                                  "; none of the article's step counts is reached."))
                shown_tol = min(CHECK_TOLS, key=lambda x: abs(math.log(x / tol)))
                sub = matrix[matrix["tolerance"] == shown_tol].drop(columns=["tolerance", "compared"])
                st.markdown(f"Steps to converge at tolerance **{shown_tol:g}** (the other tolerances are in the CSV):")
                st.dataframe(sub.assign(**{"shape holds": sub["shape holds"].map({True: "✓", False: "✗"}),
                                           "factor off": sub["factor off"].map(
                                               lambda v: "—" if pd.isna(v) else f"{v:.2f}×")}),
                             hide_index=True, width="stretch")
                st.download_button("Download CSV (all tolerances)", matrix.to_csv(index=False).encode(),
                                   file_name="article_check.csv", mime="text/csv", key="dl-check",
                                   icon=":material/download:")
        rate_choice = state.select_slider("code_rate", "Show the code for the run at", format_func=lambda v: f"{v:g}")
        export(RunSpec(optimizer.with_lr(rate_choice), seed=seed), sweep_config, f"lr_{rate_choice:g}.py")

# ---- Loss curves ----------------------------------------------------------------------
if tabs[TABS[1]].open:
    with tabs[TABS[1]]:
        st.subheader("Too small, good, too large — the loss over time")
        swept = view["lr"].to_numpy(dtype=float)
        wanted = [float(v) for v in state["curves"]]
        snapped = []
        for v in wanted:
            s = float(swept[int(np.argmin(np.abs(np.log(swept) - math.log(v))))])
            if not math.isclose(s, v, rel_tol=1e-6):
                state.notes.append(f"rates to plot: {v:g} was not swept; using the nearest swept rate {s:.4g}.")
            if s not in snapped:
                snapped.append(s)
        if snapped != wanted:
            state.set("curves", snapped)
        picked = state.multiselect("curves", "Rates to plot (empty = picked automatically)", options=list(swept),
                                   format_func=rate_label, max_selections=6,
                                   placeholder="automatic: too small · good · too large")
        if picked:
            chosen = [("chosen", float(v)) for v in sorted(picked)]
        else:
            chosen = pick_curve_rates(view)
        idx = [int(np.argmin(np.abs(t["lr"].to_numpy() - lr))) for _, lr in chosen]
        names = {i: (f"{role} · η = {lr:.3g}" if role != "chosen" else f"η = {lr:.3g}")
                 for (role, lr), i in zip(chosen, idx)}
        h = res.history(max_points=500, runs=idx, params=False)
        h["label"] = h["run"].map(names)
        ycol, ytitle = gap_column(h)
        roles = {names[i]: role for (role, _), i in zip(chosen, idx)}
        chart(charts.role_curves_chart, h, ycol, ytitle, roles)
        rows = []
        for (role, lr), i in zip(chosen, idx):
            r = t.iloc[i]
            rows.append({"run": names[i], "status": r["status"],
                         "steps to converge": steps_text(None if pd.isna(r["steps_to_converge"])
                                                         else int(r["steps_to_converge"])),
                         "final loss": fmt(r["final_loss"]),
                         "diverged at step": "—" if pd.isna(r["diverged_at"]) else int(r["diverged_at"])})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        if not picked:
            good_why = ("the fastest rate of the sweep" if edges["fastest"] else
                        f"no rate converged within {steps:,} steps: the one with the lowest final loss")
            large = [t.iloc[i] for (role, _), i in zip(chosen, idx) if role == "too large"]
            bullets = {
                "too small": "- **Too small** (a tenth of the good rate): every step is timid; the loss falls, but "
                             "it needs many more steps.",
                "good": f"- **Good** ({good_why}): big steps that still shrink the error every time.",
                "too large": ("- **Too large** (the first rate above the good one that diverged): steps overshoot "
                              "the valley floor and land higher up the other side — the loss grows until it "
                              "blows up (✕)." if large and large[0]["status"] == "diverged" else
                              f"- **Too large** (the largest rate swept — none diverged with {optimizer.display}): "
                              "compare how it ends with the good rate."),
            }
            st.markdown("\n".join(bullets[role] for role, _ in chosen))
        st.caption("A curve that stops early without ✕ reached a loss of exactly 0 (or below the float precision), "
                   "which a log scale cannot show.")
        if state["code_run"] > len(chosen) - 1:
            state.set("code_run", len(chosen) - 1)
        k = state.radio("code_run", "Show the code for", options=list(range(len(chosen))),
                        format_func=lambda j: names[idx[j]], horizontal=True)
        k = min(k, len(chosen) - 1)
        export(RunSpec(optimizer.with_lr(chosen[k][1]), seed=seed), sweep_config, "lr_curve.py")

# ---- Range test -----------------------------------------------------------------------
if tabs[TABS[2]].open:
    with tabs[TABS[2]]:
        st.subheader("The learning-rate range test (fastai's lr_find)")
        st.markdown(
            "For a network no formula gives 2/λmax. The range test instead trains **once**, multiplying the rate "
            "by a constant factor every step, from tiny to huge, and records the loss. While the rate is too "
            "small nothing happens; then the loss drops; then it blows up. It stops once the smoothed loss passes "
            "4× its best, and suggests a rate from the curve.")
        r1, r2, r3 = st.columns(3)
        with r1:
            rt_key = state.radio("rt_problem", "Network", format_func=lambda k: PROBLEMS[k][0].split(" (")[0])
            rt_opt = PRESETS[state.selectbox("rt_opt", "Optimizer", help="fastai runs lr_find with the optimizer "
                                             "you will train with — Adam by default.")]
            rt_rule = state.radio("rt_rule", "Suggestion to verify", horizontal=True)
        with r2:
            rt_start = state.select_slider("rt_start", "Start rate", format_func=lambda v: f"{v:g}")
            rt_end = state.select_slider("rt_end", "End rate", format_func=lambda v: f"{v:g}")
        with r3:
            rt_iters = state.slider("rt_iters", "Steps of the test", step=10)
            rt_batch = state.number_input("rt_batch", "Mini-batch size (0 = full batch)", step=1)
            rt_steps = state.slider("rt_steps", "Steps of each verification run", step=10)
        if rt_start >= rt_end:
            state.notes.append("The range test's start rate must be below its end rate; using 1e-7 to 10.")
            rt_start, rt_end = 1e-7, 10.0
        rt_label, rt_problem, _ = PROBLEMS[rt_key]
        rp, rn, rtrain = problem_size(rt_problem)
        rt_bs = rt_batch if 0 < rt_batch < rtrain else None
        _, rt_iters_ok, rt_notes = fit_budget(1, rt_iters, rp, rn)
        if rt_iters_ok < 20:
            rt_notes.append("The range test needs at least 20 steps; this problem is too large for the budget.")
        note_box(rt_notes)
        with friendly_errors("these range-test settings"):
            rt = compute.range_test(rt_problem, rt_opt, rt_start, rt_end, max(rt_iters_ok, 20), seed, rt_bs, dtype)
        sug = rt.suggestions
        if not sug:
            st.warning("The test stopped too early to suggest a rate (the loss blew up within 3 steps): "
                       "lower the start rate.", icon="⚠️")
        else:
            chart(charts.range_test_chart, rt.table, sug, chosen=rt_rule, height=380)
            stop_txt = (f"stopped at step {rt.stopped_at} (η = {rt.table['lr'].iloc[-1]:.3g}) when the smoothed loss "
                        f"passed 4× its best ({rt.best_loss:.4g})" if rt.stopped_at is not None else
                        f"ran all {len(rt.table)} steps without the loss passing 4× its best")
            st.caption(f"{rt_opt.display} on {rt_label} · " + (f"mini-batches of {rt_bs}" if rt_bs else "full batch")
                       + f" · the test {stop_txt}. Raw loss: the loss of each step's batch, as fastai records it; smoothed: "
                       "its exponential moving average (β = 0.98), debiased like fastai's.")
            st.markdown("\n".join(f"- **{k} → η = {v:.3g}** — {RULES[k]}" for k, v in sug.items()))
            with st.expander("When the suggestions disagree — known failure modes", icon=":material/warning:"):
                st.markdown(
                    "- **No rule always works** (pytorch-lr-finder issue #56): the three rules read the same curve "
                    "differently, and they can be orders of magnitude apart — as they may be above.\n"
                    "- **Early spikes fool 'steep'**: noise at the start of a mini-batch curve can look like the "
                    "steepest descent. Smoothing helps, but it also **lags**: the smoothed curve reacts late, "
                    "which shifts every suggestion to a larger rate.\n"
                    "- **The test is short**: the loss it sees after 100 steps is not the loss after training; a "
                    "rate that helps in the first steps can be too large later (and vice versa).\n"
                    "- **It depends on everything else**: batch size, optimizer, initialisation. Re-run it when "
                    "you change them.\n"
                    "- **Tiny data sets** (the sum-of-three network has 3 examples) give jumpy curves where a "
                    "single step changes the picture.\n\n"
                    "That is why the next chart **checks** the suggestion by training with it.")
            chosen_lr = sug.get(rt_rule) or next(iter(sug.values()))
            st.markdown(f"##### Does the {rt_rule} suggestion η = {chosen_lr:.3g} train well?")
            vruns = verify_runs(rt_opt, chosen_lr, seed)
            _, v_steps, v_notes = fit_budget(3, rt_steps, rp, rn)
            note_box(v_notes)
            vcfg = TrainConfig(steps=v_steps, batch_size=rt_bs, dtype=dtype, record_params=False)
            with friendly_errors("the verification runs"):
                vres = compute.train(rt_problem, vruns, vcfg)
            vh = vres.history(max_points=400, params=False)
            fin = vh["loss"][np.isfinite(vh["loss"]) & (vh["loss"] > 0)]
            vlog = len(fin) > 0 and float(fin.max()) / float(fin.min()) > 20
            chart(loss_chart, vh, log=vlog, color="label", legend_title="rate", x_title="step",
                            y_title="training loss" + (" (log scale)" if vlog else ""), height=340)
            s = vres.summary()
            vt = pd.DataFrame({"run": s["label"], "final training loss": s["final_loss"],
                               "final test loss": s.get("final_test_loss", np.nan)})
            if s["diverged_at"].notna().any():
                vt["diverged at step"] = s["diverged_at"].map(lambda v: "—" if pd.isna(v) else str(int(v)))
            table(vt, "range_test_check.csv", key="dl-rtcheck")
            finals = s["final_loss"].to_numpy(dtype=float)
            if np.isfinite(finals).any():
                best_i = int(np.nanargmin(np.where(np.isfinite(finals), finals, np.nan)))
                msg = ("the suggested rate itself" if best_i == 1 else
                       "10× **smaller** than suggested" if best_i == 0 else "10× **larger** than suggested")
                st.markdown(f"After {v_steps:,} steps the lowest training loss comes from **{msg}** "
                            f"({fmt(finals[best_i], 4)}).")
            st.caption("Three runs trained together, same seed (same initial weights and batch order).")
            rt_run = RunSpec(rt_opt.with_lr(rt_start),
                             ScheduleSpec("exponential", gamma=(rt_end / rt_start) ** (1 / (max(rt_iters_ok, 20) - 1))),
                             seed=seed)
            st.caption("The script below is the test's training run (ExponentialLR grows the rate every step); "
                       "smoothing and suggestions are computed from its losses as described above.")
            export(rt_run, TrainConfig(steps=len(rt.table), batch_size=rt_bs, dtype=dtype), "lr_range_test.py",
                   prob=rt_problem)

# ---- Schedules ------------------------------------------------------------------------
if tabs[TABS[3]].open:
    with tabs[TABS[3]]:
        st.subheader("Learning-rate schedules side by side")
        auto = edges["fastest"] or next((lr for role, lr in pick_curve_rates(view) if role == "good"), lo)
        auto_what = "the fastest rate of the sweep" if edges["fastest"] else "the sweep's rate with the lowest loss"
        slr = state.select_slider("slr", "Base (peak) learning rate",
                                  format_func=lambda v: f"auto: {auto_what} ({auto:.3g})" if v == 0 else f"{v:g}")
        base = auto if slr == 0 else slr
        sruns = schedule_runs(optimizer, base, steps, seed)
        with friendly_errors("these schedules"):
            sres = compute.train(problem, sruns, TrainConfig(steps=steps, tol=tol, tol_mode=mode, batch_size=batch_size,
                                                             dtype=dtype, record_params=False))
        sh = sres.history(max_points=400, params=False)
        s1, s2 = st.columns(2, gap="medium")
        with s1:
            st.markdown("##### The rate at every step")
            chart(loss_chart, sh[sh["step"] < steps], y="lr", color="label", legend_title="schedule",
                                       y_title="learning rate η", x_title="step", height=340)
        with s2:
            st.markdown("##### The loss it gives")
            sy, syt = gap_column(sh)
            chart(loss_chart, sh, y=sy, log=True, color="label", legend_title="schedule",
                                       y_title=syt, x_title="step", height=340)
        ss = sres.summary()
        # The same convergence test as the sweep's (same reference), so the numbers compare.
        sconv = converged_at(sres.loss, tol, t.attrs["reference"])
        sdiv = sres.diverged_at >= 0
        stab = pd.DataFrame({
            "schedule": list(SCHED_KINDS),
            "torch": [SCHED_INFO[k][0] for k in SCHED_KINDS],
            "steps to converge": [steps_text(int(c)) if c >= 0 and not d else ("diverged" if d else "—")
                                  for c, d in zip(sconv, sdiv)],
            "final loss": [fmt(v) for v in ss["final_loss"]],
        })
        st.dataframe(stab, hide_index=True, width="stretch")
        st.markdown("\n".join(f"- **{k}** ({SCHED_INFO[k][0].rsplit('.', 1)[-1]}): {SCHED_INFO[k][1]}"
                               for k in SCHED_KINDS))
        finals = np.where(sdiv, np.inf, ss["final_loss"].to_numpy(dtype=float))
        done = [(int(c), k) for c, k, d in zip(sconv, SCHED_KINDS, sdiv) if c >= 0 and not d]
        facts = [f"All five start from the same weights with {optimizer.display} and peak rate η = {base:.3g}."]
        if done:
            n_fast, k_fast = min(done)
            facts.append(f"**Fastest to the tolerance: {k_fast}** ({n_fast:,} steps).")
        if np.isfinite(finals).any():
            facts.append(f"**Lowest final loss: {SCHED_KINDS[int(np.argmin(finals))]}** "
                         f"({fmt(float(np.min(finals)), 4)}).")
        if sdiv.any():
            facts.append("Diverged: " + ", ".join(k for k, d in zip(SCHED_KINDS, sdiv) if d) + ".")
        st.markdown(" ".join(facts))
        st.caption("On a full-batch convex problem a well-tuned constant rate is hard to beat — decaying it "
                   "mostly slows the end. Schedules earn their keep when gradients are **noisy** (mini-batches: "
                   "try the purchase MLP with batch size 32) or the start is rough: a large rate early makes fast "
                   "progress, a small rate late lets the weights settle instead of bouncing around in the noise, "
                   "and a warm-up (one-cycle) survives a peak rate that would diverge from the first step.")
        st.caption("One-cycle here uses **cycle_momentum=False**: by default torch's OneCycleLR also cycles the "
                   "momentum between 0.85 and 0.95 — with plain SGD that silently switches momentum on, and with "
                   "AdaGrad it raises an error. Keeping momentum fixed means a schedule changes exactly one thing: "
                   "the rate.")
        sk = state.radio("code_sched", "Show the code for", horizontal=True)
        export(sruns[SCHED_KINDS.index(sk)], TrainConfig(steps=steps, tol=tol, tol_mode=mode, batch_size=batch_size,
                                                         dtype=dtype), f"lr_schedule_{sk}.py")

st.divider()
share_hint(state)
state.finish()
