"""The article's number checked (MSE = 2675, not 2550), and every error of the learner's
line, point by point."""
from __future__ import annotations

import streamlit as st

from ui.compute.loss_explorer import ARTICLE_LINE, ARTICLE_X, ARTICLE_Y, Judgement, judge
from ui.layout import table
from ui.text.loss_explorer import ARTICLE_NAMES, Names, article_check, mean_latex

SHOWN = {"x": "hours", "y": "score", "prediction": "prediction ŷ", "residual": "residual y − ŷ",
         "squared_error": "squared error", "abs_error": "absolute error"}


def article_fact_check(same_as_article: bool, my_mse: float) -> None:
    art = judge(ARTICLE_X, ARTICLE_Y, *ARTICLE_LINE, delta=1.0)
    lead, latex, end = article_check(art.table, art.losses, same_as_article, my_mse)
    with st.container(border=True):
        st.header("Fact check: MSE = 2675.00, not 2550")
        st.markdown(lead)
        with st.expander("The arithmetic, term by term", icon=":material/calculate:"):
            st.latex(latex)
        st.markdown(end)


def every_error(j: Judgement, names: Names = ARTICLE_NAMES) -> None:
    with st.expander("Every error, point by point — the table and the sums (CSV)", icon=":material/table:"):
        cols = SHOWN if names == ARTICLE_NAMES else {**SHOWN, "x": names.x_title, "y": names.y_title}
        if len(set(cols.values())) < len(cols):           # a column named like one of the table's own
            cols = {**cols, "x": f"x: {names.x_title}", "y": f"y: {names.y_title}"}
        shown = j.table.rename(columns=cols)
        table(shown, "study_hours_residuals.csv" if names == ARTICLE_NAMES else "residuals.csv",
              label="Download the table (CSV)",
              height=min(36 * (len(shown) + 1) + 4, 320),
              column_config={c: st.column_config.NumberColumn(format="%.6g") for c in shown.columns})
        n, t = len(j.table), j.table
        f1, f2 = st.columns(2, gap="large")
        f1.latex(mean_latex("MSE", r"(y_i - \hat y_i)^2", t["squared_error"].sum(), n, j.losses["MSE"]))
        f2.latex(mean_latex("MAE", r"|y_i - \hat y_i|", t["abs_error"].sum(), n, j.losses["MAE"]))
