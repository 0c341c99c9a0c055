"""The Loss Explorer page, rendered by AppTest. Reference numbers come from numpy,
torch.nn.functional and plain torch.optim loops written here — never from dlcore."""
import contextlib
import io
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.apptest_helpers import find_dataset, page_text, run_page
from tests.chart_checks import assert_drawn_finite
from ui.format import short

PAGE = "loss_explorer.py"
HOURS, SCORES = [10.0, 20.0, 30.0, 40.0], [480.0, 520.0, 710.0, 680.0]


def losses(x, y, m, c, delta=1.0):
    x, y = np.asarray(x, float), np.asarray(y, float)
    r = y - (m * x + c)
    mse = float(np.mean(r ** 2))
    huber = F.huber_loss(torch.tensor(m * x + c), torch.tensor(y), delta=delta).item()
    return {"MSE": mse, "RMSE": mse ** 0.5, "MAE": float(np.mean(np.abs(r))), "Huber": huber}


def sgd(x, y, m0, c0, lr, steps, standardize=False):
    """Plain torch.optim.SGD on the MSE from the line (m0, c0), float64; returns (m, c) on
    the original hours scale."""
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    mu, sd = (float(xt.mean()), float(xt.std(unbiased=False))) if standardize else (0.0, 1.0)
    xin = (xt - mu) / sd
    w = torch.tensor([m0 * sd], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([c0 + m0 * mu], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        torch.mean((w * xin + b - yt) ** 2).backward()
        opt.step()
    return w.item() / sd, b.item() - w.item() * mu / sd


def metrics(at):
    return {m.label: m.value for m in at.metric}


def helps(at):
    return {m.label: m.proto.help for m in at.metric}


def shown(v):
    """A loss as the metrics show it (issue 14 #3): the whole number, at most 5 significant figures (3 from 1e6)."""
    return short(v, 5 if abs(v) < 1e6 else 3)


def render(**query):
    at = run_page(PAGE, **query)
    assert not at.exception, at.exception
    return at


def editor_key(at):
    return f"loss.table.{at.session_state['loss.ver']}"


def test_article_numbers_by_default():
    at = render()
    ref = losses(HOURS, SCORES, 9, 350)
    m = metrics(at)
    assert m["MSE"] == shown(ref['MSE']) == "2675"
    assert (m["RMSE"], m["MAE"], m["Huber (δ = 1)"]) == (shown(ref['RMSE']), shown(ref['MAE']), shown(ref['Huber']))
    assert f"Exactly {ref['RMSE']:.10g}." in helps(at)["RMSE"]                  # full precision one hover away
    text = page_text(at)
    assert "Predictions: 440, 530, 620, 710." in text
    assert "**2675.00 is right**" in text and "2550" in text
    assert "10700" in text                                           # the arithmetic, shown
    slope, intercept = np.polyfit(HOURS, SCORES, 1)
    best = float(np.mean((np.array(SCORES) - (slope * np.array(HOURS) + intercept)) ** 2))
    assert m["best line (least squares)"] == f"{slope:.4g} · hours + {intercept:.4g}" == "7.9 · hours + 400"
    assert m["its MSE — the lowest possible"] == shown(best) == "2017.5"
    assert f"Exactly {best:.10g}." in helps(at)["its MSE — the lowest possible"]
    table = next(d.value for d in at.dataframe if "residual y − ŷ" in d.value.columns)
    assert table["residual y − ŷ"].tolist() == [40.0, -10.0, 90.0, -30.0]
    assert table["squared error"].tolist() == [1600.0, 100.0, 8100.0, 900.0]
    assert at.query_params.get("m") is None


def test_theory_threshold_equals_the_hessian():
    at = render()
    phi = np.stack([np.array(HOURS), np.ones(4)], axis=1)
    lam = np.linalg.eigvalsh(2 / 4 * phi.T @ phi)
    assert lam[-1] == pytest.approx(1501.667, abs=1e-3) and lam[0] == pytest.approx(0.33296, abs=1e-5)
    m = metrics(at)
    assert m["limit 2/λmax"] == f"{2 / lam[-1]:.4g}"
    assert m["condition λmax/λmin"] == f"{lam[-1] / lam[0]:,.0f}"


def test_url_sets_line_data_and_options():
    x, y = [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 5.0, 4.0, 8.0, 9.0]
    at = render(hours="1,2,3,4,5", scores="3,5,4,8,9", m="1.5", c="2", delta="2", squares="1")
    ref = losses(x, y, 1.5, 2, delta=2.0)
    m = metrics(at)
    assert m["MSE"] == shown(ref['MSE']) and m["Huber (δ = 2)"] == shown(ref['Huber'])
    assert (at.slider(key="loss.m").value, at.slider(key="loss.c").value) == (1.5, 2.0)
    assert at.toggle(key="loss.squares").value is True
    spec = json.dumps([json.loads(c.proto.spec) for c in at.get("vega_lite_chart")])
    assert "abs(datum.residual) * (height" in spec          # squares sized from the chart's own width/height
    assert not at.error


def test_best_line_url_gives_the_minimum():
    at = render(m="7.9", c="400")
    assert metrics(at)["MSE"] == "2017.5"


def test_huber_with_a_large_delta_is_half_the_mse():
    at = render(delta="100")
    assert metrics(at)["Huber (δ = 100)"] == shown(2675 / 2) == "1337.5"


def test_edited_table_changes_the_numbers_and_the_link():
    at = render()
    at.session_state[editor_key(at)] = {"edited_rows": {"1": {"score": 600.0}}, "added_rows": [{"hours": 50.0,
                                        "score": 800.0}], "deleted_rows": []}
    at.run()
    assert not at.exception
    x, y = HOURS + [50.0], [480.0, 600.0, 710.0, 680.0, 800.0]
    assert metrics(at)["MSE"] == shown(losses(x, y, 9, 350)['MSE'])
    assert at.query_params["hours"] in ("10,20,30,40,50", ["10,20,30,40,50"])
    assert at.query_params["scores"] in ("480,600,710,680,800", ["480,600,710,680,800"])


@pytest.mark.parametrize("edit,message", [
    ({"edited_rows": {"1": {"score": None}}, "added_rows": [], "deleted_rows": []}, "Row 2: the score cell is empty"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [0, 1, 2]}, "at least two points; the table has 1"),
    ({"edited_rows": {"0": {"hours": 30.0}, "1": {"hours": 30.0}, "3": {"hours": 30.0}}, "added_rows": [],
      "deleted_rows": []}, "All hours values are equal"),
])
def test_bad_edits_keep_the_last_valid_data_and_the_learners_table(edit, message):
    at = render(m="8")
    at.session_state[editor_key(at)] = edit
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors and "last valid data" in errors
    assert metrics(at)["MSE"] == shown(losses(HOURS, SCORES, 8, 350)['MSE'])   # still the last valid data
    edited = at.session_state["loss.edited"]                                       # the learner's table is kept
    assert len(edited) == 4 - len(edit["deleted_rows"])
    assert at.query_params.get("hours") is None                                    # the link keeps valid data


def test_an_empty_new_row_is_not_an_error():
    at = render()
    at.session_state[editor_key(at)] = {"edited_rows": {}, "added_rows": [{}], "deleted_rows": []}
    at.run()
    assert not at.error
    assert "Empty row 5 not used yet." in page_text(at)
    assert metrics(at)["MSE"] == "2675"


@pytest.mark.parametrize("query,message", [
    (dict(hours="10,20,30", scores="1,2"), "Row 3: the score cell is empty"),
    (dict(hours="3,3", scores="1,2"), "All hours values are equal"),
])
def test_bad_data_in_a_link_is_explained(query, message):
    at = render(**query)
    assert any(message in e.value for e in at.error)
    assert metrics(at)["MSE"] == "2675"                    # the article's data stays in use
    assert_drawn_finite(at)


def test_hostile_link_values_become_valid_with_a_note():
    at = render(hours="10,abc,30", scores="1,2,<b>x</b>", m="1e99", delta="-4", lr="NaN", steps="7", std="perhaps")
    notes = " ".join(w.value for w in at.warning)
    for setting in ("hours", "scores", "slope m", "Huber δ", "learning rate", "steps", "standardise hours"):
        assert setting in notes, setting
    assert "<b>" not in " ".join(md.value for md in at.markdown)
    assert_drawn_finite(at)


def test_moving_the_sliders_and_using_the_best_line():
    at = render()
    at.slider(key="loss.m").set_value(8.0).run()
    assert metrics(at)["MSE"] == shown(losses(HOURS, SCORES, 8, 350)['MSE'])
    next(b for b in at.button if b.label == "Use the best line").click().run()
    assert (at.slider(key="loss.m").value, at.slider(key="loss.c").value) == pytest.approx((7.9, 400.0))
    assert metrics(at)["MSE"] == "2017.5"
    next(b for b in at.button if b.label.startswith("Article's line")).click().run()
    assert metrics(at)["MSE"] == "2675"


def test_gradient_descent_on_raw_hours_crawls():
    at = render()
    m_ref, c_ref = sgd(HOURS, SCORES, 9.0, 350.0, lr=0.001, steps=200)
    path = find_dataset(at, {"m", "c", "step", "gap"})
    end = path.sort_values("step").iloc[-1]
    assert end["step"] == 200
    assert (end["m"], end["c"]) == pytest.approx((m_ref, c_ref), rel=1e-12)
    text = page_text(at)
    assert "Not there yet" in text and f"score = {m_ref:.4f} · hours + {c_ref:.3f}" in text
    assert c_ref < 360                       # the intercept has hardly moved towards 400
    lines = find_dataset(at, {"x", "y", "label"})
    gd = lines[lines["label"] == "gradient descent (200 steps)"]
    np.testing.assert_allclose(gd["y"], m_ref * gd["x"] + c_ref, rtol=1e-12)   # drawn over the data too


def test_standardised_hours_land_in_one_step():
    at = render(std="1", lr="0.5", steps="1")
    m_ref, c_ref = sgd(HOURS, SCORES, 9.0, 350.0, lr=0.5, steps=1, standardize=True)
    slope, intercept = np.polyfit(HOURS, SCORES, 1)
    assert (m_ref, c_ref) == pytest.approx((slope, intercept), abs=1e-9)
    assert any("Found it" in s.value for s in at.success)
    assert f"score = {m_ref:.4f} · hours + {c_ref:.3f}" in page_text(at)
    assert metrics(at)["limit 2/λmax"] == "1"             # Hessian 2·I: 2/λmax = 1


def test_a_rate_past_the_limit_diverges_and_draws_nothing_broken():
    at = render(lr="0.002")
    assert any("diverges" in e.value for e in at.error)
    assert_drawn_finite(at)
    sweep = find_dataset(at, {"lr", "scale", "shown"})
    assert np.isfinite(sweep["shown"]).all()


@pytest.mark.parametrize("query", [
    dict(steps="5000", std="1", lr="1.1"),
    dict(lr="0.00001", steps="1"),
    dict(m="-10", c="-200", squares="1"),
    dict(hours=",".join(str(v) for v in range(50)), scores=",".join(str(v * v) for v in range(50))),
    dict(hours="0,10000", scores="-1000000,1000000", m="200", c="-1000000"),
])
def test_edge_values_render(query):
    at = render(**query)
    assert len(at.get("vega_lite_chart")) == 5
    assert_drawn_finite(at)


def test_show_the_code_reproduces_the_numbers():
    at = render(m="8.5", c="380", lr="0.0005", steps="100")
    scripts = [c.value for c in at.code]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(next(s for s in scripts if "huber_loss" in s), "loss.py", "exec"), {})
        exec(compile(next(s for s in scripts if "torch.optim.SGD" in s), "gd.py", "exec"), {"__name__": "__main__"})
    text = out.getvalue()
    assert f"MSE: {losses(HOURS, SCORES, 8.5, 380)['MSE']:.2f}" in text
    m_ref, c_ref = sgd(HOURS, SCORES, 8.5, 380.0, lr=0.0005, steps=100)
    assert f"100 steps: w = {m_ref!r}, b = {c_ref!r}" in text


def square_geometry(spec, width, height):
    """From a residual chart's Vega-Lite spec: each square's on-screen width and height (px) on a plot of
    width × height px, and whether it lies inside the x domain. Data and the x2 expression are read from the
    spec; the expression's own constants are used, evaluated for these signal values."""
    import re
    layer = next(lay for lay in spec["layer"] if lay.get("mark", {}).get("type") == "rect")
    expr = next(t["calculate"] for t in layer["transform"] if t.get("as") == "x2")
    xspan, yspan = (float(v) for v in re.search(r"\(height \* ([^)]+)\) / \(([^ ]+) \* width\)", expr).groups())
    rows = spec["datasets"][layer["data"]["name"]]
    xdom = next(lay for lay in spec["layer"] if lay.get("mark", {}).get("type") == "line")["encoding"]["x"]["scale"]["domain"]
    ydom = next(lay for lay in spec["layer"] if lay.get("mark", {}).get("type") == "line")["encoding"]["y"]["scale"]["domain"]
    assert xspan == pytest.approx(xdom[1] - xdom[0]) and yspan == pytest.approx(ydom[1] - ydom[0])
    out = []
    for r in rows.to_dict("records"):
        x2 = r["x"] + r["side"] * abs(r["residual"]) * (height * xspan) / (yspan * width)
        out.append((abs(x2 - r["x"]) * width / xspan, abs(r["y"] - r["pred"]) * height / yspan,
                    xdom[0] - 1e-9 <= min(r["x"], x2) and max(r["x"], x2) <= xdom[1] + 1e-9))
    return out


@pytest.mark.parametrize("scores", [SCORES, [480.0, 520.0, 710.0, 300.0], [100.0, 520.0, 710.0, 680.0]])
def test_squares_are_square_and_whole_at_phone_and_laptop_width(scores):
    """Issue 14 #10: "Draw each squared error as a square" drew rectangles — a square at the edge was
    clipped by the x range. Each must be as wide as tall on screen and lie inside the plot, on a phone-shaped
    plot (300 × 430 px) as on a laptop (800 × 430)."""
    from ui.charts.loss_explorer import residual_chart
    from ui.charts.render import spec
    chart_spec = spec(residual_chart(
        __import__("pandas").DataFrame({"x": HOURS, "y": scores}), 9, 350, "study hours", "exam score",
        squares=True, height=430))
    r = np.array(scores) - (9 * np.array(HOURS) + 350)
    for width in (300, 800):
        geo = square_geometry(chart_spec, width, 430)
        assert len(geo) == 4
        for (w_px, h_px, inside), res in zip(geo, r):
            assert w_px == pytest.approx(h_px, rel=1e-9) and h_px > 0
            assert inside, (width, res)


@pytest.mark.parametrize("edited_score,row", [(0.0, 3), (0.0, 2), (-1e6, 3)])
def test_a_big_loss_shows_its_whole_number(edited_score, row):
    """Issue 14 #3: with one score edited to 0 the MSE (128475) showed as "1284…". Every loss metric and card
    shows the whole number — at most 5 significant figures, scientific from a million — in 7 characters."""
    at = render()
    at.session_state[editor_key(at)] = {"edited_rows": {str(row): {"score": edited_score}}, "added_rows": [],
                                        "deleted_rows": []}
    at.run()
    assert not at.exception
    y = list(SCORES)
    y[row] = edited_score
    ref = losses(HOURS, y, 9, 350)
    m = metrics(at)
    cards = [md.value.removeprefix("### ") for md in at.markdown if md.value.startswith("### ")]
    for name, card in zip(("MSE", "RMSE", "MAE", "Huber"), cards):
        value = m[name if name != "Huber" else "Huber (δ = 1)"]
        assert value == card == shown(ref[name])
        assert len(value) <= 7 and "…" not in value
        assert float(value) == pytest.approx(ref[name], rel=5e-3 if "e" in value else 5e-5)   # not a clipped one
    if row == 3 and edited_score == 0:
        assert m["MSE"] == "128475"                                         # the case


def test_next_page_footer_and_old_links():
    """Issue 14 #11: a way onward; links shared before these changes still open the same settings."""
    at = render(hours="1,2,3,4,5", scores="3,5,4,8,9", m="1.5", c="2", delta="2", squares="1", std="1", lr="0.5",
                steps="1", zoom="0")
    links = [p.proto.label for p in at.get("page_link")]
    assert "Next → Neural network" in links and "← Gradient descent" in links
    assert (at.slider(key="loss.m").value, at.slider(key="loss.c").value) == (1.5, 2.0)
    assert at.toggle(key="loss.std").value is True and at.toggle(key="loss.zoom").value is False
    assert at.select_slider(key="loss.lr").value == 0.5 and at.select_slider(key="loss.steps").value == 1
    assert not any("adjusted" in w.value for w in at.warning)


# ---- the learner's own data (issue 17): pasted or uploaded, every number against numpy / sklearn / torch ------
from sklearn.metrics import mean_absolute_error, mean_squared_error  # noqa: E402

from tests.chart_checks import drawn_columns  # noqa: E402


def paste(at, text):
    next(t for t in at.text_area).input(text)
    next(b for b in at.button if b.label == "Use the pasted table").click()
    at.run()
    assert not at.exception, at.exception
    return at


def slider_line(at):
    return at.slider(key="loss.m").value, at.slider(key="loss.c").value


def hessian_limit(x):
    x = np.asarray(x, dtype=np.float64)
    phi = np.stack([x, np.ones_like(x)], axis=1)
    lam = np.linalg.eigvalsh(2 / len(x) * phi.T @ phi)
    return 2 / lam[-1], lam[-1] / lam[0]


def huber_mean(r, delta):
    r = np.abs(r)
    return float(np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))))


TEMP = [14.2, 16.4, 11.9, 15.2, 18.5, 22.1, 19.4, 25.1, 23.4, 18.1]
SALES = [215.0, 325.0, 185.0, 332.0, 406.0, 522.0, 412.0, 614.0, 544.0, 421.0]


def test_a_pasted_table_drives_every_number_on_the_page():
    at = paste(render(), "temperature;ice cream sales\n" + "\n".join(f"{t:.1f};{s:g}".replace(".", ",")
                                                                     for t, s in zip(TEMP, SALES)))
    x, y = np.array(TEMP), np.array(SALES)
    m, c = slider_line(at)
    pred = m * x + c
    shown_m = metrics(at)
    assert shown_m["MSE"] == shown(mean_squared_error(y, pred))
    assert shown_m["MAE"] == shown(mean_absolute_error(y, pred))
    assert shown_m["RMSE"] == shown(mean_squared_error(y, pred) ** 0.5)
    delta = float(at.select_slider(key="loss.delta").value)          # δ scaled to the spread of sales
    assert delta == 5.0 and shown_m["Huber (δ = 5)"] == shown(huber_mean(y - pred, delta))
    slope, intercept = np.polyfit(x, y, 1)
    assert shown_m["best line (least squares)"] == f"{slope:.4g} · x + {intercept:.4g}"    # long names: "x"
    assert shown_m["its MSE — the lowest possible"] == shown(float(np.mean((y - slope * x - intercept) ** 2)))
    limit, cond = hessian_limit(x)
    assert shown_m["limit 2/λmax"] == f"{limit:.4g}" and shown_m["condition λmax/λmin"] == f"{cond:,.0f}"
    # The learning-rate slider's range follows this data's limit: rates on both sides of it, down to limit/100.
    options = [float(o) for o in at.select_slider(key="loss.lr").options]
    assert min(options) <= limit / 100 and any(0.85 * limit < o < limit for o in options) \
        and any(limit < o < 1.2 * limit for o in options)
    # The line started flat through the mean of y; the sliders hold the best line; the table is the learner's.
    assert m == 0 and abs(c - y.mean()) <= at.slider(key="loss.c").step
    sl_m, sl_c = at.slider(key="loss.m"), at.slider(key="loss.c")
    assert sl_m.min < slope < sl_m.max and sl_c.min < intercept < sl_c.max
    assert not any("residual y − ŷ" in d.value.columns and "hours" in d.value.columns for d in at.dataframe)
    text = page_text(at)
    assert "decimal comma" in text.lower() or "decimal" in text.lower()
    assert "ice cream sales = 0 · temperature" in text                      # the columns' names in the sentences
    assert at.query_params["x"] in ("temperature", ["temperature"])
    assert "data" in at.query_params                                        # small: the link carries it
    assert_drawn_finite(at)


def test_gradient_descent_on_own_data_equals_a_plain_torch_loop():
    at = paste(render(), "t,s\n" + "\n".join(f"{t},{s}" for t, s in zip(TEMP, SALES)))
    options = [float(o) for o in at.select_slider(key="loss.lr").options]
    limit, _ = hessian_limit(TEMP)
    lr = max(o for o in options if o < limit)                 # the largest rate below the limit
    at.select_slider(key="loss.lr").set_value(lr)
    at.select_slider(key="loss.steps").set_value(500)
    at.run()
    m0, c0 = slider_line(at)
    m_ref, c_ref = sgd(TEMP, SALES, m0, c0, lr=lr, steps=500)
    path = find_dataset(at, {"m", "c", "step", "gap"})
    end = path.sort_values("step").iloc[-1]
    assert (end["m"], end["c"]) == pytest.approx((m_ref, c_ref), rel=1e-10)
    above = min(o for o in options if o > limit)
    at.select_slider(key="loss.lr").set_value(above).run()
    assert any("diverges" in e.value or "is above 2/λmax" in e.value for e in at.error)
    assert_drawn_finite(at)
    # Standardising: the limit becomes 1 and the page says so with this data's numbers.
    at.toggle(key="loss.std").set_value(True).run()
    assert metrics(at)["limit 2/λmax"] == "1"
    assert f"from **{limit:.3g}** to **1**" in page_text(at)


def test_new_own_data_starts_at_a_rate_that_converges():
    x, y, raw = big_csv(500, seed=3)
    at = render()
    at.file_uploader[0].upload("d.csv", raw, "text/csv")
    at.run()
    limit, _ = hessian_limit(x)
    lr = at.select_slider(key="loss.lr").value
    assert lr <= limit / 2 and lr > limit / 20
    assert not any("diverges" in e.value for e in at.error)


def big_csv(n=10_000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, n)
    y = 3 * x + 20 + rng.normal(0, 10, n)
    body = "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y))
    return x, y, ("hours_online,score\n" + body).encode()


def test_ten_thousand_uploaded_rows(tmp_path, monkeypatch):
    x, y, raw = big_csv()
    at = render()
    at.file_uploader[0].upload("big.csv", raw, "text/csv")
    at.run()
    assert not at.exception, at.exception
    m, c = slider_line(at)
    pred = m * x + c
    got = metrics(at)
    assert got["MSE"] == shown(mean_squared_error(y, pred)) and got["MAE"] == shown(mean_absolute_error(y, pred))
    slope, intercept = np.polyfit(x, y, 1)
    assert got["best line (least squares)"] == f"{slope:.4g} · x + {intercept:.4g}"
    assert got["limit 2/λmax"] == f"{hessian_limit(x)[0]:.4g}"
    text = page_text(at)
    assert "draws 2,000 of the 10,000 points" in text and "use all 10,000" in text
    assert "too large for a link" in text and at.query_params["data"].startswith("@")   # a marker, not the data
    # Charts draw the sample, never all 10,000 rows; the shares chart the 12 largest errors.
    sizes = [len(v) for _, col, v in drawn_columns(at) if col == "x"]
    assert sizes and max(sizes) <= 2000
    shares = find_dataset(at, {"point", "loss", "share"})
    assert shares["point"].nunique() == 12
    # The scripts read the downloaded CSV instead of holding 10,000 numbers.
    scripts = [c.value for c in at.code]
    assert all("pd.read_csv('my_data.csv')" in s for s in scripts) and all(len(s) < 6000 for s in scripts)
    # ... and run as the learner would, next to the CSV they downloaded, they print the page's numbers.
    (tmp_path / "my_data.csv").write_bytes(raw)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(next(s for s in scripts if "huber_loss" in s), "loss.py", "exec"), {})
    assert f"MSE: {mean_squared_error(y, pred):.2f}" in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(next(s for s in scripts if "torch.optim.SGD" in s), "gd.py", "exec"), {"__name__": "__main__"})
    import re
    steps, w, b = re.search(r"(\d+) steps: w = ([^,]+), b = ([^,\s]+)", out.getvalue()).groups()
    end = find_dataset(at, {"m", "c", "step", "gap"}).sort_values("step").iloc[-1]
    assert int(steps) == end["step"] and (float(w), float(b)) == pytest.approx((end["m"], end["c"]), rel=1e-9)
    assert_drawn_finite(at)


@pytest.mark.parametrize("text,says", [
    ("a,b\n1,x\n2,y\n", "two columns of numbers"),
    ("x,y\n1,5\n", "at least two"),
    ("x,y\n3,1\n3,2\n3,5\n", "same"),
    ("\x00\x01\x02", "binary"),
])
def test_bad_pasted_data_gives_a_message_and_the_page_keeps_working(text, says):
    at = paste(render(), text)
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert says in errors, errors
    assert metrics(at)["MSE"] == "2675"                       # the editable table (article's data) stays in use
    assert_drawn_finite(at)


def test_numbers_too_large_for_float64_are_an_overflow_state():
    at = paste(render(), "x,y\n1,1e200\n2,3e200\n3,-2e200\n")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Overflow" in errors and "3e+200" in errors
    assert not at.metric                                      # no numbers pretend to be losses
    assert_drawn_finite(at)
    # Back to sane data: the page works again.
    paste(at, "x,y\n1,1\n2,3\n3,2\n")
    assert metrics(at)["best line (least squares)"] == "0.5 · x + 1"


def test_own_data_replaces_the_edited_table_and_the_edits_come_back():
    at = render()
    at.session_state[editor_key(at)] = {"edited_rows": {"1": {"score": 600.0}}, "added_rows": [],
                                        "deleted_rows": []}
    at.run()
    edited_mse = metrics(at)["MSE"]
    paste(at, "a,b\n1,2\n2,4.5\n3,5.5\n")
    assert metrics(at)["best line (least squares)"].startswith("1.75 · x")
    assert at.query_params["scores"] in ("480,600,710,680", ["480,600,710,680"])   # the edits stay in the link
    next(b for b in at.button if b.label == "Use the built-in data again").click().run()
    assert not at.exception
    assert at.query_params["scores"] in ("480,600,710,680", ["480,600,710,680"])
    assert metrics(at)["MSE"] == shown(losses(HOURS, [480.0, 600.0, 710.0, 680.0], *slider_line(at))["MSE"])
    assert edited_mse                                        # (the edited table was in use before)


def test_a_link_with_small_own_data_opens_it():
    at = render(data="temp,sales;1,3;2,5;3,4;4,8;5,9", m="1.5", c="2")
    x, y = np.array([1, 2, 3, 4, 5.0]), np.array([3, 5, 4, 8, 9.0])
    assert slider_line(at) == (1.5, 2.0)                       # the link's line, not the flat start
    assert metrics(at)["MSE"] == shown(mean_squared_error(y, 1.5 * x + 2))


def test_the_lead_says_whose_data_is_on_the_page():
    """The sentence under the title introduces the article's four students only while
    their data (or the learner's edits of it) is in use; with an own table it names it."""
    lead = lambda at: next(m.value for m in at.markdown if "hours" in m.value or "Your own data" in m.value)  # noqa: E731
    assert lead(render()).startswith("Four students studied **10, 20, 30 and 40 hours**")
    at = render(data="temp,sales;1,3;2,5;3,4;4,8;5,9")
    text = lead(at)
    assert text.startswith("**Your own data:** 5 points of *sales* against *temp*.")
    assert "Four students studied" not in page_text(at)
    next(b for b in at.button if b.label == "Use the built-in data again").click().run()
    assert not at.exception and lead(at).startswith("Four students studied")


def test_huber_delta_follows_the_spread_of_own_data():
    y = np.array([12000.0, 31000.0, 18000.0, 45000.0, 39000.0, 27000.0])
    x = np.arange(1.0, 7.0)
    at = paste(render(), "x,y\n" + "\n".join(f"{a:g},{b:g}" for a, b in zip(x, y)))
    options = [float(o) for o in at.select_slider(key="loss.delta").options]
    k = 10.0 ** (np.floor(np.log10(np.std(y))) - 1)                  # std ≈ 1.1e4: δ from 500 to 5e5
    assert options == pytest.approx([d * k for d in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)])
    delta = options[5]
    at.select_slider(key="loss.delta").set_value(delta).run()
    m, c = slider_line(at)
    assert metrics(at)[f"Huber (δ = {delta:g})"] == shown(huber_mean(y - (m * x + c), delta))


def test_a_sampled_residual_chart_still_spans_every_point():
    import pandas as pd
    from ui.charts.loss_explorer import residual_chart
    from ui.charts.render import spec
    from dlcore.line_explorer import drawn_sample
    rng = np.random.default_rng(5)
    x = rng.uniform(-50, 50, 10_000)
    y = 2 * x + rng.normal(0, 5, 10_000)
    x[123], y[4567] = 400.0, -900.0                    # extremes that the sample may leave out
    s = spec(residual_chart(pd.DataFrame({"x": x, "y": y}), 2.0, 0.0, "x", "y", drawn=drawn_sample(10_000)))
    line = next(lay for lay in s["layer"] if lay.get("mark", {}).get("type") == "line")["encoding"]
    (x0, x1), (y0, y1) = line["x"]["scale"]["domain"], line["y"]["scale"]["domain"]
    assert x0 <= x.min() and x1 >= 400 and y0 <= -900 and y1 >= y.max()
    points = next(lay for lay in s["layer"] if lay.get("mark", {}).get("type") == "circle")
    assert len(s["datasets"][points["data"]["name"]]) == 2000


def test_a_lesson_uses_its_own_points_and_the_learners_table_comes_back():
    at = paste(render(), "a,b\n1,2\n2,4.5\n3,5.5\n")
    assert metrics(at)["best line (least squares)"].startswith("1.75 · x")
    next(b for b in at.button if b.label == "Start the lesson").click().run()
    next(b for b in at.button if b.label == "Set up the experiment").click().run()
    assert not at.exception
    assert "the page uses the lesson's data" in page_text(at)
    assert not at.file_uploader                               # no upload box while the lesson runs
    next(b for b in at.button if b.label == "Leave the lesson").click().run()
    assert not at.exception
    assert metrics(at)["best line (least squares)"].startswith("1.75 · x")     # the learner's table is back


def test_extreme_but_finite_scales_render():
    """x around 1e15 (λmax ~ 1e30: rates far below anything the article needs) and y around 1e-9."""
    for text in ("x,y\n1e15,1\n2e15,3\n3e15,2\n4e15,5\n", "x,y\n1,1e-9\n2,3e-9\n3,2e-9\n"):
        at = paste(render(), text)
        assert not at.exception
        assert_drawn_finite(at)
        assert at.metric or any("Overflow" in e.value or "beyond" in e.value for e in at.error)
