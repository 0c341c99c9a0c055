"""The race tab: settings, the optimizer cards, one batched training call (after the fair race's
tuning when it is on), then the race view, the results and what is inside the optimizers."""
from __future__ import annotations

import math

import streamlit as st

import dlcore
from dlcore.budget import MAX_SECONDS as BUDGET_SECONDS
from dlcore.budget import fit_budget
from dlcore.catalogue import CATALOGUE
from dlcore.comparison import FINE_MAX
from dlcore.sweep import log_grid
from ui.compute import optimizer_comparison as compute
from ui.format import md_escape, quote
from ui.layout import note_box, share_hint
from ui.text.optimizer_comparison import RaceFacts, fair_caption

from .controls import RaceChoice, optimizer_cards, race_controls
from .inside import code_section, inside_section
from .race_view import race_view
from .results import has_minimum, results_section, tuning_section
from .settings import spec_of


def fair_grid(choice: RaceChoice) -> tuple[float, ...]:
    lo, hi = choice.fair_lo, choice.fair_hi
    if not lo < hi:
        st.warning(f"The lowest rate tried ({lo:g}) must be below the highest ({hi:g}); using 1e-05 to 10.",
                   icon=":material/warning:")
        lo, hi = 1e-5, 10.0
    return tuple(log_grid(lo, hi, int(round(math.log10(hi / lo) * choice.fair_per_decade)) + 1))


def budget(setup, choice: RaceChoice, runs: int, calls: int = 1) -> tuple[int, list[str]]:
    """Steps within the work budget for ``calls`` training calls of at most ``runs`` runs.
    fit_budget's per-step cost is for one optimizer kind; every further kind is its own group
    of tensor operations in each step (measured: ~4-5× the estimate with all seven), so the
    budget is shared between the kinds."""
    examples = getattr(setup.problem, "n", None) or (3 if choice.kind == "sum3" else 1)
    _, steps, notes = fit_budget(runs, choice.steps, 2 if setup.two_d else 21, examples, calls=calls,
                                 max_seconds=BUDGET_SECONDS / max(1, len(choice.labels)))
    return steps, notes


def tuned_runs(setup, choice: RaceChoice, specs: dict, config, lrs: tuple[float, ...]):
    """The fair race: tune, then race each optimizer at its chosen rate. (runs, tuning) or
    (None, None) when every optimizer diverged at every rate."""
    fair = compute.fair_tuning(setup.problem, tuple(specs[lab] for lab in choice.labels), lrs, config, choice.seed)
    lost = [lab for lab, run in zip(fair.best["label"], fair.best["run"]) if run < 0]
    if lost:
        st.warning(f"Every rate from {lrs[0]:g} to {lrs[-1]:g} diverged for " + ", ".join(lost)
                   + ": left out of the race.", icon=":material/error:")
    chosen = {lab: lr for lab, lr, run in zip(fair.best["label"], fair.best["lr"], fair.best["run"]) if run >= 0}
    if not chosen:
        st.error("Every optimizer diverged at every rate tried. Lower the rates in **More settings**.",
                 icon=":material/error:")
        return None, None
    return tuple(dlcore.RunSpec(specs[lab].with_lr(lr), seed=choice.seed, label=lab) for lab, lr in chosen.items()), fair


def problem_heading(choice: RaceChoice, setup, config) -> None:
    st.header(setup.title)           # h2: headings in order (h1 page title → h2 section), issue 19
    fcol, acol = st.columns([2, 3])
    with fcol:
        if choice.kind == "custom":
            st.markdown("f(x, y) = " + quote(setup.problem.parsed().text, 200))
        else:
            st.latex(CATALOGUE[choice.kind].formula)
    with acol:
        st.caption(setup.about + f" · {config.dtype}, {config.steps} steps"
                   + (f", gradients clipped at norm {choice.clip:g}" if choice.clip else "") + ".")


HIDDEN = "Make your prediction in the lesson panel above first: the race is shown once you have submitted it."
REVEALING = ("winner", "winner_steps", "momentum_steps", "adam_steps")


def race_tab(state, panel) -> RaceFacts | None:
    choice = race_controls(state)
    if not choice.labels:
        st.info("Pick the optimizers to race above — two or more.", icon=":material/arrow_upward:")
        return None
    if len(choice.labels) == 1:
        st.info(f"Only {choice.labels[0]} is running: add another optimizer above to compare.",
                icon=":material/add_circle:")
    try:
        setup = CATALOGUE[choice.kind].setup(choice.expression, choice.start)
        specs = {label: spec_of(state, label) for label in choice.labels}
    except ValueError as e:
        st.error(f"Can't use these settings: {md_escape(e)}", icon=":material/block:")
        return None
    optimizer_cards(state, choice.labels, choice.fair)
    try:
        specs = {label: spec_of(state, label) for label in choice.labels}
    except ValueError as e:
        st.error(f"Can't use these settings: {md_escape(e)}", icon=":material/block:")
        return None
    lrs = fair_grid(choice) if choice.fair else ()
    # The fair race: two calls, the first grid then at most FINE_MAX rates per optimizer; the estimate
    # of two calls of half their runs each is theirs: two calls' fixed cost plus every run's own.
    steps, notes = (budget(setup, choice, -(-len(choice.labels) * (len(lrs) + FINE_MAX) // 2), calls=2)
                    if choice.fair else budget(setup, choice, len(choice.labels)))
    config = dlcore.TrainConfig(steps=steps, dtype=setup.dtype, clip_norm=choice.clip or None, tol=choice.tol,
                                record_params=setup.two_d)
    fair = None
    if choice.fair:
        runs, fair = tuned_runs(setup, choice, specs, config, lrs)
        if runs is None:
            return None
    else:
        runs = tuple(dlcore.RunSpec(specs[label], seed=choice.seed, label=label) for label in choice.labels)
    race = compute.race(setup, runs, config)
    note_box(notes)
    if fair is not None:
        st.caption(fair_caption(race.labels, race.rates, fair, lrs[0], lrs[-1]))
    problem_heading(choice, setup, config)
    if any(panel.hides(f) for f in REVEALING):        # a prediction is pending: send nothing that answers it
        st.info(HIDDEN, icon=":material/visibility_off:")
    else:
        race_view(state, race, setup, steps, choice.log)
        results_section(race, setup, config, specs, fair)
        if fair is not None:
            tuning_section(fair, choice.labels, steps)
    inside_section(state, setup, race, specs, config, choice.seed)
    code_section(state, setup, race, specs, config, choice.seed)
    share_hint(state)
    return RaceFacts(race.table, race.labels, choice.kind, has_minimum(setup), race.result.optimum,
                     state["Momentum.momentum"], fair)
