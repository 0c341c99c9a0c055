"""Loss explorer (article 000, second half): how wrong is a line? The article's study
hours → exam scores, its line y = 9x + 350 and its MSE — then the learner's own data and
line, four losses side by side, the loss landscape with the best line, and gradient
descent finding that line (or not: unscaled hours need a tiny learning rate).

This module is the page: its settings, header and the order of its sections
(app_pages/sections/loss_explorer/); numbers come from ui.compute.loss_explorer, wording
from ui.text.loss_explorer."""
import streamlit as st

from app_pages.sections.loss_explorer.data import data_section, line_controls, on_options
from app_pages.sections.loss_explorer.descent import gradient_descent, landscape_header, landscape_view
from app_pages.sections.loss_explorer.errors import article_fact_check, every_error
from app_pages.sections.loss_explorer.losses import four_losses, loss_row
from dlcore.line_explorer import LINE_LIMIT, MAX_POINTS, X_LIMIT, Y_LIMIT, loss_script
from ui.charts.loss_explorer import points_chart, residual_chart
from ui.charts.render import chart
from ui.compute.loss_explorer import (ARTICLE_LINE, ARTICLE_X, ARTICLE_Y, CSV_NAME, DELTAS, GD_STEPS, delta_options,
                                      descent, drawn_rows, judge, overflow, points_of, script)
from ui.layout import code, next_page, share_hint
from ui.lesson_panel import LESSON_PARAMS, LessonPanel
from ui.own_data import data_param, xy_params
from ui.params import PageState, Param
from ui.sources import cite
from ui.text.loss_explorer import (LESSON_FIELDS, drawn_caption, intro, lesson_values, overflow_text,
                                   predictions_caption)

CODE_ROWS = 200          # "Show the code" embeds the data up to this many rows

state = PageState("loss", [
    Param("hours", ARTICLE_X, kind="floats", lo=-X_LIMIT, hi=X_LIMIT, min_items=2, max_items=MAX_POINTS,
          label="hours"),
    Param("scores", ARTICLE_Y, kind="floats", lo=-Y_LIMIT, hi=Y_LIMIT, min_items=2, max_items=MAX_POINTS,
          label="scores"),
    Param("m", ARTICLE_LINE[0], lo=-LINE_LIMIT, hi=LINE_LIMIT, label="slope m"),
    Param("c", ARTICLE_LINE[1], lo=-LINE_LIMIT, hi=LINE_LIMIT, label="intercept c"),
    Param("squares", False, kind="bool", label="show squares"),
    # δ values scale with the spread of own data's y (ui.compute.loss_explorer.delta_options).
    Param("delta", 1.0, lo=1e-12, hi=1e15, label="Huber δ"),
    Param("std", False, kind="bool", label="standardise hours"),
    # The rates offered follow the data's stability limit (ui.compute.loss_explorer.rates_for).
    Param("lr", 0.001, lo=1e-300, hi=2.0, label="learning rate"),
    Param("steps", 200, kind="int", lo=1, hi=5000, options=GD_STEPS, label="steps"),
    Param("zoom", True, kind="bool", label="zoom"),
    data_param(), *xy_params(),
    *LESSON_PARAMS,
])

st.title("Loss explorer: how wrong is a line?")
lead = st.empty()           # the article's students, or the learner's own table: known after data_section

panel = LessonPanel(state, "loss-explorer")
panel.draw()
controls, picture = st.columns([1, 1.75], gap="large")
with controls:
    data = data_section(state, lesson=panel.active)
    xs, ys, names = data.xs, data.ys, data.names
    too_big = overflow(xs, ys)
lead.markdown(intro(cite("000"), len(xs) if data.own else None, names))
drawn = drawn_rows(len(xs))
if too_big:
    # Numbers beyond float64's squares: a state, not a traceback — the points are drawn, nothing else.
    with picture:
        st.error(overflow_text(too_big), icon=":material/error:")
        chart(points_chart, points_of(xs, ys), names.x_title, names.y_title, drawn=drawn, height=430)
        st.caption(drawn_caption(len(xs), len(drawn)))
    share_hint(state)
    state.finish()
    next_page(__file__)
    st.stop()

with controls:
    line = line_controls(state, xs, ys, names)
deltas = on_options(state, "delta", delta_options(ys) if data.own else DELTAS, "Huber δ")
judged = judge(xs, ys, line.m, line.c, state.current("delta"), unit=names.unit)
with picture:
    fit_slot = st.empty()               # drawn at the end, with the line gradient descent finds below
    metrics_box = st.container()        # filled once the Huber δ below has been read
    st.caption(predictions_caption(line.m, line.c, judged.table["prediction"], names)
               + (" " + drawn_caption(len(xs), len(drawn)) if len(drawn) < len(xs) else ""))
    if judged.overflowed:
        st.error(overflow_text("This line is so far from the data that its squared errors overflow float64 "
                               "(beyond 1.8e308). Move it closer, or use the best line below."),
                 icon=":material/error:")

# While a lesson's prediction is pending, only the data, the line and its errors are sent: every number
# below (losses, shares, gradient descent) could give the answer away.
if any(panel.hides(f) for f in LESSON_FIELDS):
    st.info("The losses, the landscape and gradient descent appear once you have answered the lesson's question "
            "above.", icon=":material/visibility_off:")
    chart(residual_chart, points_of(xs, ys), line.m, line.c, names.x_title, names.y_title,
          squares=line.squares, height=430, drawn=drawn, where=fit_slot)
    descended = None
else:
    article_fact_check(data.article and (line.m, line.c) == ARTICLE_LINE, judged.losses["MSE"])
    every_error(judged, names)
    delta = four_losses(state, judged, xs, names, deltas)
    with metrics_box:
        loss_row(judged, delta, names)
    land_columns = landscape_header()
    descended = gradient_descent(state, xs, ys, line, judged, names)
    landscape_view(state, land_columns, xs, ys, line, judged, descended, names)
    chart(residual_chart, points_of(xs, ys), line.m, line.c, names.x_title, names.y_title,
          squares=line.squares, height=430, drawn=drawn, where=fit_slot,
          extra_fits=((f"gradient descent ({descended.steps} steps)", *descended.end),) if descended.found else ())
    # Up to CODE_ROWS points the scripts hold the data; beyond, they read the CSV the learner downloads.
    from_csv = data.columns if data.own and len(xs) > CODE_ROWS else None
    loss_file, gd_file = ("study_hours_loss.py", "study_hours_gradient_descent.py") if not data.own else \
        ("my_data_loss.py", "my_data_gradient_descent.py")
    code(loss_script(xs, ys, line.m, line.c, delta, csv=(CSV_NAME, *from_csv) if from_csv else None), loss_file,
         label="Show the code: the four losses")
    code(script(descended, csv=from_csv), gd_file, label="Show the code: gradient descent")
share_hint(state)
if descended is None:         # the settings not drawn this run still count for the lesson
    descended = descent(xs, ys, line.m, line.c, state["std"], state["lr"], state["steps"], x_name=names.x)
panel.conclude(lesson_values(judged, descended, state["delta"]))
state.finish()
next_page(__file__)
