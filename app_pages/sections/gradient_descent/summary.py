"""What happened: the run's four numbers and what this learning rate does."""
from __future__ import annotations

import streamlit as st

from ui.compute.gradient_descent import Lesson
from ui.layout import note_box
from ui.text.gradient_descent import Message, regime_message, run_metrics


def callout(msg: Message) -> None:
    getattr(st, msg.kind)(msg.text, icon=msg.icon)


def summary(ls: Lesson) -> None:
    note_box(list(ls.budget_notes))
    for col, m in zip(st.columns(4), run_metrics(ls.summary)):
        col.metric(m.label, m.value, help=m.help)
    callout(regime_message(ls.regime, ls.summary))
