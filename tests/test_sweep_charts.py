"""ui/charts/sweep.py: every chart is a valid Vega-Lite spec (the page skips validation for
speed, so it happens here), no NaN or inf reaches the data, diverged rates become ✕ marks
and the marked rates are the ones asked for."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from ui.charts import sweep as charts

RATES = np.logspace(-3, 0, 12)


def sweep_table():
    status = ["not converged"] * 3 + ["converged"] * 5 + ["diverged"] * 4
    steps = [pd.NA] * 3 + [900, 400, 120, 0, 60] + [pd.NA] * 4
    final = [0.5, 0.1, 0.02, 1e-4, 1e-6, 0.0, 0.0, 1e-9] + [math.nan] * 4
    return pd.DataFrame({"lr": RATES, "status": status, "steps_to_converge": pd.array(steps, dtype="Int64"),
                         "final_loss": final, "final_gap": final,
                         "diverged_at": pd.array([pd.NA] * 8 + [40, 12, 5, 2], dtype="Int64")})


def rows(chart) -> list[dict]:
    spec = chart.to_dict()                      # validates against the Vega-Lite schema
    return [r for d in spec.get("datasets", {}).values() for r in d]


def assert_all_finite(data):
    for r in data:
        for k, v in r.items():
            if isinstance(v, float):
                assert math.isfinite(v), (k, r)


def test_steps_chart_marks_every_diverged_rate_and_only_finite_values():
    article = pd.DataFrame({"lr": [0.001, 0.01, 0.1, 1.0, 10.0], "steps": [500, 300, 150, 50, np.nan]})
    predicted = pd.DataFrame({"lr": RATES[:8], "steps": [1e5, 4e4, 9e3, 2e3, 800, 300, 100, np.inf]})
    rules = charts.theory_rules((0.2, "2/λmax"), 0.19, 1e-3, 1.0)
    data = rows(charts.steps_chart(sweep_table(), 1000, 1e-3, 1.0, rules=rules, predicted=predicted,
                                   article=article))
    assert_all_finite(data)
    crosses = [r for r in data if r.get("what", "").startswith("diverged")]
    assert sorted(r["lr"] for r in crosses) == pytest.approx(sorted(RATES[8:]))
    assert sorted(r["lr"] for r in data if set(r) == {"lr", "label"}) == pytest.approx([0.19, 0.2])
    # A converged run that needed 0 steps is drawn at 1 (log axis), with its true count in the tooltip.
    zero = [r for r in data if r.get("series") == "converged" and r.get("steps") == 0]
    assert zero and zero[0]["shown"] == 1
    # The article's diamonds: its four step counts inside the range; its 10 → "diverges" is outside [1e-3, 1].
    assert sorted(r["shown"] for r in data if r.get("series") == "Gradient Descent in PyTorch") == [50, 150, 300, 500]


def test_final_loss_chart_floors_exact_zeros_and_strips_divergence():
    data = rows(charts.final_loss_chart(sweep_table(), 1e-3, 1.0, "final loss − optimum", tol_line=1e-3))
    assert_all_finite(data)
    pts = [r for r in data if "at_floor" in r]
    floor = min(r["shown"] for r in pts)
    assert floor == pytest.approx(1e-10)                         # a tenth of the smallest positive gap
    assert {r["lr"] for r in pts if r["at_floor"]} == set(RATES[[5, 6]])
    assert len([r for r in data if r.get("what", "").startswith("diverged")]) == 4


def test_range_test_chart_marks_the_suggestions():
    lrs = np.geomspace(1e-6, 10, 60)
    loss = 1 + np.tanh(-np.log10(lrs) - 2) * 0.5
    loss[-3:] = [5.0, 50.0, np.inf]
    table = pd.DataFrame({"step": range(60), "lr": lrs, "loss": loss, "smoothed": loss})
    sug = {"valley": 1e-3, "steep": 1e-2, "min/10": 0.05}
    data = rows(charts.range_test_chart(table, sug, chosen="steep"))
    assert_all_finite(data)
    assert sorted(r["lr"] for r in data if set(r) == {"lr", "label"}) == pytest.approx(sorted(sug.values()))
    assert any("steep" in r["label"] and "verified" in r["label"] for r in data if "label" in r)


def test_role_curves_chart_colours_roles_and_ends_diverged_runs_with_a_cross():
    h = pd.DataFrame({"run": [0] * 3 + [1] * 3, "label": ["good"] * 3 + ["too large"] * 3, "step": [0, 1, 2] * 2,
                      "loss": [1.0, 0.1, 0.01, 1.0, 30.0, math.inf],
                      "diverged": [False] * 5 + [True]})
    chart = charts.role_curves_chart(h, "loss", "loss", {"good": "good", "too large": "too large"})
    spec = chart.to_dict()
    data = [r for d in spec["datasets"].values() for r in d]
    assert_all_finite(data)
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"good": charts.ROLE_COLORS["good"],
                                                          "too large": charts.ROLE_COLORS["too large"]}
    cross = [r for r in data if r.get("status") == "diverged here"]
    assert [(r["label"], r["step"]) for r in cross] == [("too large", 1)]
    json.dumps(spec)                                           # serialisable as sent to the browser


def test_every_layer_of_a_sweep_chart_maps_each_series_to_the_same_mark():
    """Issue 14 #1 (checked for every layered chart): layers with different shape/colour
    scales are merged by Vega-Lite and one layer's shapes can override another's. Every
    layer of the sweep charts uses the chart's one scale, and it maps each series to the
    mark SHAPES/SERIES name (so the legend and the captions say what is drawn)."""
    article = pd.DataFrame({"lr": [0.001, 0.01, 0.1, 1.0, 10.0], "steps": [500, 300, 150, 50, np.nan]})
    predicted = pd.DataFrame({"lr": RATES[:8], "steps": [1e5, 4e4, 9e3, 2e3, 800, 300, 100, np.inf]})
    for chart in (charts.steps_chart(sweep_table(), 1000, 1e-3, 1.0, predicted=predicted, article=article),
                  charts.final_loss_chart(sweep_table(), 1e-3, 1.0, "final loss", tol_line=1e-3)):
        spec = chart.to_dict()
        shapes = [l["encoding"]["shape"]["scale"] for l in spec["layer"] if "shape" in l.get("encoding", {})]
        colours = [l["encoding"]["color"]["scale"] for l in spec["layer"] if "shape" in l.get("encoding", {})]
        assert len(shapes) >= 2 and all(s == shapes[0] for s in shapes) and all(c == colours[0] for c in colours)
        mapping = dict(zip(shapes[0]["domain"], shapes[0]["range"]))
        assert mapping["diverged"] == "cross" and mapping["converged"] == "circle"
        assert dict(zip(colours[0]["domain"], colours[0]["range"]))["diverged"] == charts.DIVERGED
