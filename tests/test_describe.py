"""ui.charts.describe: a chart's one-sentence text alternative and its table plan, read from
the Vega-Lite spec and its data (issue 19). The expected numbers are computed here from the
data the test builds (numpy), and written with ui.format.short as the pages write numbers."""
import altair as alt
import numpy as np
import pandas as pd

from ui.charts import core, render
from ui.charts.describe import describe, signature, tables
from ui.format import short


def _runs() -> pd.DataFrame:
    """Two runs: SGD decays geometrically; Adam dips to its lowest at step 40, then rises."""
    steps = np.arange(0, 101)
    sgd = 30.0 * 0.9 ** steps
    adam = 5.0 + (steps - 40.0) ** 2 / 100.0
    return pd.concat([
        pd.DataFrame({"run": 0, "label": "SGD", "step": steps, "loss": sgd, "diverged": False}),
        pd.DataFrame({"run": 1, "label": "Adam", "step": steps, "loss": adam, "diverged": False}),
    ], ignore_index=True)


def test_a_line_chart_says_what_is_plotted_and_each_series_first_last_and_lowest():
    df = _runs()
    text = describe(render.spec(core.loss_chart(df, x="step", y="loss", x_title="epoch", y_title="loss (MSE)",
                                                legend_title="optimizer")))
    sgd, adam = df[df.label == "SGD"], df[df.label == "Adam"]
    assert text.startswith("Line chart of loss (MSE) against epoch, 2 series: ")
    assert (f"SGD falls from {short(sgd.loss.iloc[0])} to {short(sgd.loss.iloc[-1])} over epoch 0 to 100"
            in text)
    # Adam ends higher than it started (25 → 41), with its lowest value inside the run.
    assert f"Adam rises from {short(adam.loss.iloc[0])} to {short(adam.loss.iloc[-1])}" in text
    assert f"lowest {short(adam.loss.min())} at {short(adam.step[adam.loss.idxmin()])}" in text
    assert "lowest" not in text.split("; ")[0]          # SGD's lowest is its last value: not repeated


def test_a_heatmap_gives_its_ranges_and_the_lowest_cell_and_the_paths_over_it():
    xs, ys = np.linspace(-2.0, 3.0, 21), np.linspace(-4.0, 1.0, 21)
    g = pd.DataFrame([(x, y, (x - 1.0) ** 2 + (y + 2.0) ** 2) for y in ys for x in xs], columns=["p0", "p1", "loss"])
    window = (-2.0, 3.0, -4.0, 1.0)
    path = pd.DataFrame({"run": 0, "label": "GD", "step": [0, 1, 2], "w": [-2.0, 0.0, 1.0], "b": [1.0, -1.0, -2.0],
                         "loss": [10.0, 2.0, 0.0]})
    chart = alt.layer(core.surface_layer(g, window, False, "slope w", "intercept b"),
                      *core.paths_layer(path, "w", "b"))
    text = describe(render.spec(chart))
    best = g.loc[g.loss.idxmin()]
    assert text.startswith("Heatmap of loss over slope w and intercept b: ")
    assert f"slope w {short(xs.min())} to {short(xs.max())}, intercept b {short(ys.min())} to {short(ys.max())}" in text
    assert f"loss from {short(g.loss.min())} to {short(g.loss.max())}" in text
    assert f"lowest at ({short(best.p0)}, {short(best.p1)})" in text
    assert "GD path from (-2, 1) to (1, -2) in 3 points" in text


def test_a_bar_chart_names_each_bar_with_its_value_per_group():
    df = pd.DataFrame({"point": ["a", "b", "a", "b"], "loss": ["MSE", "MSE", "MAE", "MAE"],
                       "share": [0.75, 0.25, 0.6, 0.4]})
    c = alt.Chart(df).mark_bar().encode(x=alt.X("point:N", title="point"), y=alt.Y("share:Q", title="share of the loss"),
                                        color=alt.Color("loss:N"), xOffset="loss:N")
    assert describe(render.spec(c)) == ("Bar chart of share of the loss by point: MSE: a 0.75, b 0.25; "
                                        "MAE: a 0.6, b 0.4.")


def test_a_scatter_plot_counts_its_points_per_group_and_gives_the_ranges():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"age": rng.uniform(18, 70, 50), "income": rng.uniform(10, 200, 50),
                       "bought": np.where(np.arange(50) < 20, "yes", "no")})
    c = alt.Chart(df).mark_circle().encode(x=alt.X("age:Q", title="age (years)"), y=alt.Y("income:Q", title="income"),
                                           color="bought:N")
    assert describe(render.spec(c)) == (
        f"Scatter plot of income against age (years): 50 points (yes: 20, no: 30); age (years) from "
        f"{short(df.age.min())} to {short(df.age.max())}, income from {short(df.income.min())} to "
        f"{short(df.income.max())}.")


def test_a_grid_reads_each_cell_with_the_number_written_in_it():
    df = pd.DataFrame({"actual": ["no", "no", "yes", "yes"], "predicted": ["no", "yes", "no", "yes"],
                       "count": [124, 20, 13, 43], "correct": ["yes", "no", "no", "yes"]})
    base = alt.Chart(df).encode(x="predicted:N", y="actual:N")
    c = alt.layer(base.mark_rect().encode(color="correct:N"), base.mark_text().encode(text="count:Q"))
    assert describe(render.spec(c)) == ("Grid of count by actual and predicted: actual no, predicted no: 124; "
                                        "actual no, predicted yes: 20; actual yes, predicted no: 13; "
                                        "actual yes, predicted yes: 43.")


def test_the_title_comes_first_and_odd_specs_still_get_a_sentence():
    df = pd.DataFrame({"x": [0.0, 1.0], "y": [2.0, 1.0]})
    titled = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y")).properties(
        title="Epoch 3")
    assert describe(render.spec(titled)) == "Epoch 3. Line chart of y against x: falls from 2 to 1 over x 0 to 1."
    assert describe({}) == "Chart."
    assert describe({"mark": "line", "encoding": {"x": {"field": "x"}}, "data": {"name": "missing"}})
    empty = alt.Chart(df.iloc[0:0]).mark_line().encode(x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y"))
    assert describe(render.spec(empty)).startswith("Line chart")


def test_a_diverged_series_is_described_by_its_finite_values():
    df = pd.DataFrame({"run": 0, "label": "η = 2", "step": [0, 1, 2, 3], "loss": [1.0, 8.0, 64.0, np.inf],
                       "diverged": True})
    text = describe(render.spec(core.loss_chart(df, x_title="step", y_title="loss")))
    assert "η = 2 rises from 1 to 64 over step 0 to 2" in text and "inf" not in text


def test_the_same_description_from_arrow_bytes_as_from_dataframes():
    c = core.loss_chart(_runs(), x_title="epoch", y_title="loss")
    assert describe(render.frozen_spec(c)) == describe(render.spec(c))


def test_tables_list_the_drawn_fields_by_their_titles_heatmap_by_its_cell_centres():
    g = pd.DataFrame({"p0": [0.0, 1.0, 0.0, 1.0], "p1": [0.0, 0.0, 1.0, 1.0], "loss": [1.0, 2.0, 3.0, 4.0]})
    plan = tables(render.spec(core.surface_layer(g, (0.0, 1.0, 0.0, 1.0), False, "slope w", "intercept b")))
    assert len(plan) == 1
    # tooltip fields first, one column per title: the cell edges (a0/a1, b0/b1, titled like
    # the centres) and the colour (titled "loss" like the value) are left out
    assert plan[0]["what"] == "Heatmap"
    assert plan[0]["columns"] == [("p0", "slope w"), ("p1", "intercept b"), ("loss", "loss")]
    lines = tables(render.spec(core.loss_chart(_runs(), x_title="epoch", y_title="loss (MSE)",
                                               legend_title="optimizer")))
    assert lines[0]["what"] == "Line chart"
    assert dict(lines[0]["columns"]) == {"label": "optimizer", "step": "epoch", "loss": "loss (MSE)"}


def test_signature_ignores_the_numbers_but_not_the_axes():
    a = render.spec(core.loss_chart(_runs(), x_title="epoch", y_title="loss"))
    b = render.spec(core.loss_chart(_runs().assign(loss=lambda d: d.loss * 2), x_title="epoch", y_title="loss"))
    c = render.spec(core.loss_chart(_runs(), x_title="step", y_title="loss"))
    assert signature(a) == signature(b) != signature(c)
    assert signature(a).startswith("line-")


def test_an_unnamed_two_point_line_is_read_as_a_reference_segment():
    """An ROC chart: the chance diagonal (no legend entry) and a named curve."""
    diag = pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]})
    curve = pd.DataFrame({"fpr": [0.0, 0.1, 0.5, 1.0], "tpr": [0.0, 0.7, 0.9, 1.0], "name": "test (AUC 0.9)"})
    c = alt.layer(alt.Chart(diag).mark_line().encode(x="fpr:Q", y="tpr:Q"),
                  alt.Chart(curve).mark_line().encode(x=alt.X("fpr:Q", title="false positive rate"),
                                                      y=alt.Y("tpr:Q", title="true positive rate"), color="name:N"))
    assert describe(render.spec(c)) == ("Line chart of true positive rate against false positive rate, 2 series: "
                                        "a straight line from (0, 0) to (1, 1); test (AUC 0.9) rises from 0 to 1 "
                                        "over 0 to 1.")
