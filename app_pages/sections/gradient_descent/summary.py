"""What happened: the run's four numbers and what this learning rate does."""
from __future__ import annotations

import streamlit as st

from ui.compute.gradient_descent import Lesson
from ui.layout import note_box
from ui.text.gradient_descent import Message, Metric, regime_message, run_metrics


def callout(msg: Message) -> None:
    getattr(st, msg.kind)(msg.text, icon=msg.icon)


def metric_row(metrics: tuple[Metric, ...], **metric_kw) -> None:
    """Metrics side by side that wrap two to a row on a phone (columns would stack them,
    one per row, four screens' worth of height for four numbers)."""
    with st.container(horizontal=True, gap="medium"):
        for m in metrics:
            st.metric(m.label, m.value, help=m.help, width="stretch", **metric_kw)


def summary(ls: Lesson, hidden: bool = False) -> None:
    """``hidden``: a lesson's prediction about this run is pending — its numbers and the
    verdict (which says whether w gets to 2) are not sent yet."""
    note_box(list(ls.budget_notes))
    if hidden:
        return
    metric_row(run_metrics(ls.summary, own=ls.data.own))
    callout(regime_message(ls.regime, ls.summary))
