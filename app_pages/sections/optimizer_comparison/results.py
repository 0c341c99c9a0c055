"""The race's results table and verdict, and how the fair race chose its rates."""
from __future__ import annotations

import streamlit as st

import dlcore
from dlcore.comparison import CRITERION
from ui.charts import optimizers as oc
from ui.charts.render import draw
from ui.format import number_columns
from ui.layout import table
from ui.text.optimizer_comparison import (fair_table, lucky_rates, race_verdict, results_table, rule_caption,
                                          search_description, search_text, searched_rates, settings_text)

from .settings import HYPER


def has_minimum(setup) -> bool:
    """False for the saddle: it falls forever, so "converged" means nothing there."""
    return not (isinstance(setup.problem, dlcore.SurfaceProblem) and setup.problem.name == "saddle")


def results_section(race, setup, config, specs: dict, fair) -> None:
    st.header("Results")
    res = race.result
    has_min = has_minimum(setup)
    known = res.optimum is not None
    settings = [settings_text(specs[lab], HYPER[lab]) for lab in race.labels]
    rt = results_table(race.table, race.labels, race.rates, settings, race.minima, res.param_names, res.steps,
                       known, has_min)
    col = st.column_config
    table(rt.frame, "optimizer_race.csv", column_config=number_columns(rt.frame, **{
        "η": col.NumberColumn("η", format="%.4g", help="learning rate"),
        "final loss": col.NumberColumn(format="%.6g"),
        rt.steps_column: col.TextColumn(help=f"within tolerance {config.tol:g}; see below the table"),
        "distance to minimum": col.NumberColumn(format="%.4g", help="Euclidean distance from the final point to "
                                                                    "the nearest known minimum")}))
    st.caption(rule_caption(config.tol, res.optimum, bool(race.minima), has_min))
    verdict = race_verdict(race.table, race.labels, has_min, res.optimum, fair)
    if verdict:
        st.markdown(verdict)
    if fair is None:
        st.caption("One shared recipe does not fit all: each optimizer here runs at its own rate. For a fair "
                   "verdict, switch on **Fair race** — it tunes every optimizer's rate first.")
    elif lucky_rates(fair):
        st.caption(lucky_rates(fair))


def tuning_section(fair, labels, steps: int) -> None:
    st.subheader("How the fair race chose the rates")
    st.markdown(search_text(fair, steps) + f" Chosen: {CRITERION}.")
    st.caption("Each optimizer's search: ■ the first grid, ● the second pass, ▼ did not converge in "
               f"{steps} steps, ✚ diverged; grey line: the steps the verdict counts (the worst within ×1.26); "
               "ring and rule: the chosen rate.")
    searched = [lab for lab in labels if lab in fair.fine]
    for first in range(0, len(searched), 2):          # two to a row; on a phone in the optimizers' order
        for col, label in zip(st.columns(2), searched[first:first + 2]):
            with col:
                draw(oc.search_chart(fair.table, label, steps), description=search_description(fair, label, steps))
    draw(oc.tuning_chart(fair.table, labels, steps))
    chosen = fair_table(fair)
    table(chosen, "fair_race_rates.csv", column_config=number_columns(chosen))
    st.markdown("**The rates searched**")
    st.dataframe(searched_rates(fair), hide_index=True, width="stretch")
    with st.expander("Every rate tried"):
        every = fair.table.drop(columns=["run"])
        table(every, "fair_race_grid.csv", column_config=number_columns(every))
