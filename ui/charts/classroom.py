"""The class's predictions beside what PyTorch computed, for the teacher's dashboard and
the projector view. Input: a ui.text.teachers.TaskView (already aggregated: no names)."""
from __future__ import annotations

import altair as alt
import pandas as pd

RIGHT, OTHER = "#009E73", "#0072B2"


def choice_chart(labels: tuple[str, ...], counts: tuple[int, ...], truth: str) -> alt.Chart:
    """How many learners chose each answer; PyTorch's answer in green and marked ✓."""
    df = pd.DataFrame({"answer": list(labels), "learners": list(counts),
                       "PyTorch": ["✓ computed" if lb == truth else "" for lb in labels]})
    base = alt.Chart(df).encode(
        y=alt.Y("answer:N", sort=list(labels), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("learners:Q", title="learners", axis=alt.Axis(tickMinStep=1)))
    bars = base.mark_bar().encode(
        color=alt.condition(alt.datum.PyTorch != "", alt.value(RIGHT), alt.value(OTHER)),
        tooltip=["answer", "learners"])
    marks = base.mark_text(align="left", dx=4, fontWeight="bold").encode(text="PyTorch:N")
    return (bars + marks).properties(height=max(80, 36 * len(labels)))


def number_chart(numbers: tuple[float, ...], truth: float | None) -> alt.Chart:
    """The class's number predictions as a histogram, PyTorch's value as a green rule."""
    df = pd.DataFrame({"prediction": list(numbers)})
    hist = alt.Chart(df).mark_bar(color=OTHER).encode(
        x=alt.X("prediction:Q", bin=alt.Bin(maxbins=20), title="predicted value"),
        y=alt.Y("count():Q", title="learners", axis=alt.Axis(tickMinStep=1)))
    if truth is None:
        return hist.properties(height=160)
    rule = alt.Chart(pd.DataFrame({"PyTorch": [truth]})).mark_rule(color=RIGHT, size=3, strokeDash=[6, 3]).encode(
        x="PyTorch:Q", tooltip=[alt.Tooltip("PyTorch:Q", format=".4g")])
    return (hist + rule).properties(height=160)
