"""Tab: the learning-rate table of *Gradient Descent in PyTorch*, measured — and does its
shape hold for any optimizer?"""
from __future__ import annotations

import streamlit as st

from dlcore import PRESETS, RunSpec
from dlcore.lr_study import CHECK_TOLS, compare_with_article
import ui.compute.lr_sweep as sweep
from ui.layout import friendly_errors, note_box
from ui.text import lr_sweep as text

from . import export
from .overview import hidden


def article_tab(state, s: sweep.SweepStudy, panel, checked=None) -> None:
    p, pr = s.plan, s.prediction
    st.header(text.ARTICLE_TITLE)
    st.markdown(text.article_intro(sweep.short_title(p.problem_key), p.optimizer.display, p.mode, p.tol, p.steps))
    if hidden(panel):
        st.info("The measured table appears once you have answered the lesson's question.",
                icon=":material/visibility_off:")
        return
    st.dataframe(compare_with_article(s.table, p.steps, predicted=pr.at_article), hide_index=True, width="stretch",
                 column_config={"learning rate": st.column_config.NumberColumn(format="%g")})
    st.caption(text.article_caption(s.precision_limited, bool(pr.at_article)))
    a, b = st.columns(2, gap="large")
    with a:
        st.markdown(text.shape_summary(s.verdict))
        speedups = text.speedup_lines(s.verdict)
        if speedups:
            st.markdown(speedups)
    with b:
        st.markdown(text.article_theory(pr, p.optimizer.display, sweep.short_title(p.problem_key)))
    st.info(text.ARTICLE_VERDICT, icon="🔎")

    st.subheader("Does the article's shape hold anywhere?")
    if state.toggle("check", text.check_label(len(PRESETS)),
                    help=f"{len(PRESETS) * 5} runs × {p.steps:,} steps; cached for everyone afterwards."):
        article_check(s)
    rate = state.select_slider("code_rate", "Show the code for the run at", format_func=lambda v: f"{v:g}")
    export(p.problem, RunSpec(p.optimizer.with_lr(rate), seed=p.seed), p.config, f"lr_{rate:g}.py")


def article_check(s: sweep.SweepStudy) -> None:
    with friendly_errors("this check"):
        check = sweep.article_check_runs(s)
    note_box(list(check.notes))
    if check.matrix is None:
        return
    holds, sentence = text.check_outcome(check.matrix, check.steps, len(check.labels), CHECK_TOLS)
    if holds:
        st.success(sentence, icon="✅")
    else:
        st.warning(sentence, icon=":material/block:")
    closest = text.closest_caption(check.matrix)
    if closest:
        st.caption(closest)
    shown_tol, rows = text.check_table(check.matrix, s.plan.tol, CHECK_TOLS)
    st.markdown(f"Steps to converge at tolerance **{shown_tol:g}** (the other tolerances are in the CSV):")
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button("Download CSV (all tolerances)", check.matrix.to_csv(index=False).encode(),
                       file_name="article_check.csv", mime="text/csv", key="dl-check", icon=":material/download:")
