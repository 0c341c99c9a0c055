"""Optimizer comparison charts, decoded from their Vega-Lite specs (issue 14 #1): every marker
is drawn with the shape its caption names — the known minimum a diamond, the shared start a
triangle, a run's current point a circle and a diverged run's last point a cross — and no two
layers of a chart share a shape or fill scale (one layer's shapes would override another's)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dlcore
from dlcore.comparison import basins, known_minima, start_points, tuning_table
from dlcore.lines import loss_grid
from tests.optim_reference import STARTS, SURFACES, first_stay_within, surface_run
from ui.charts import optimizers as oc


def layers(spec: dict):
    for layer in spec.get("layer", []):
        yield layer
        yield from layers(layer)


def layer_data(spec: dict, layer: dict) -> pd.DataFrame:
    data = layer.get("data") or {}
    if "name" in data:
        return pd.DataFrame(spec["datasets"][data["name"]])
    if "values" in data:
        return pd.DataFrame(data["values"])
    return pd.DataFrame()


def mark_shape(layer: dict):
    mark = layer.get("mark")
    return mark.get("shape") if isinstance(mark, dict) else None


def shared_scales(spec: dict, channels=("shape", "fill", "strokeDash")) -> list[str]:
    """Channels encoded with a scale in more than one layer while the chart does not resolve
    that channel's scale independently."""
    resolve = (spec.get("resolve") or {}).get("scale", {})
    out = []
    for ch in channels:
        n = sum(1 for layer in layers(spec) if ch in (layer.get("encoding") or {}))
        if n > 1 and resolve.get(ch) != "independent":
            out.append(ch)
    return out


def markers_by_shape(spec: dict, column: str, value: str) -> set:
    """The mark shapes of the layers whose data has ``column`` == ``value``."""
    out = set()
    for layer in layers(spec):
        df = layer_data(spec, layer)
        if column in df.columns and (df[column] == value).any():
            assert "shape" not in (layer.get("encoding") or {}), "shape comes from a scale, not the mark"
            out.add(mark_shape(layer))
    return out


@pytest.fixture(scope="module")
def race():
    """A real race on Rosenbrock where SGD diverges (η = 0.01) and Momentum does not."""
    problem = dlcore.SurfaceProblem("rosenbrock")
    runs = (dlcore.RunSpec(dlcore.preset("SGD", lr=0.01), label="SGD"),
            dlcore.RunSpec(dlcore.preset("Momentum", lr=5e-4), label="Momentum"))
    res = dlcore.train(problem, runs, dlcore.TrainConfig(steps=100, dtype="float64"))
    assert res.diverged_at[0] >= 0 and res.diverged_at[1] < 0
    # a view that holds SGD's last finite point (it flies far off the surface's own window)
    h = res.history()
    window = (float(h["x"].min()) - 1, float(h["x"].max()) + 1, float(h["y"].min()) - 1, float(h["y"].max()) + 1)
    return problem, res, window, loss_grid(problem, window, n=20, dtype="float64")


def test_race_map_draws_each_marker_with_its_own_shape(race):
    problem, res, window, grid = race
    d = problem.definition
    spec = oc.race_surface_chart(grid, window, True, res.history(), 100, ("SGD", "Momentum"), d.start,
                                 minima=known_minima(problem)).to_dict()
    assert shared_scales(spec) == []
    assert markers_by_shape(spec, "what", "known minimum") == {"diamond"}
    assert markers_by_shape(spec, "what", "start (all runs)") == {"triangle-up"}
    assert markers_by_shape(spec, "status", "diverged here") == {"cross"}
    assert markers_by_shape(spec, "status", "at step 100") == {"circle"}
    # the minimum marker sits at Rosenbrock's (1, 1)
    mins = [layer_data(spec, la) for la in layers(spec) if mark_shape(la) == "diamond"]
    assert mins[0][["x", "y"]].to_numpy().tolist() == [[1.0, 1.0]]


def test_race_map_without_a_diverged_run_or_minimum(race):
    problem, res, window, grid = race
    d = problem.definition
    spec = oc.race_surface_chart(grid, window, True, res.history(), 1, ("SGD", "Momentum"), d.start).to_dict()
    assert shared_scales(spec) == []
    assert markers_by_shape(spec, "what", "start (all runs)") == {"triangle-up"}
    assert markers_by_shape(spec, "status", "diverged here") == set()
    assert markers_by_shape(spec, "status", "at step 1") == {"circle"}


def test_every_layered_chart_of_the_module_keeps_its_shapes_apart(race):
    problem, res, window, grid = race
    loss = oc.race_loss_chart(res.history(), ("SGD", "Momentum"), True, upto=50).to_dict()
    assert shared_scales(loss) == [] and markers_by_shape(loss, "status", "diverged here") == {"cross"}
    tune = dlcore.train(problem, (dlcore.RunSpec(dlcore.preset("SGD", lr=0.01), label="SGD"),
                                  dlcore.RunSpec(dlcore.preset("SGD", lr=1e-3), label="SGD")),
                        dlcore.TrainConfig(steps=50, dtype="float64"))
    for ch in (oc.tuning_chart(tuning_table(tune), ["SGD"], 50), oc.search_chart(tuning_table(tune), "SGD", 50)):
        assert shared_scales(ch.to_dict()) == []
    wells = dlcore.SurfaceProblem("wells")
    w = wells.definition
    starts = start_points(w.window, 9, "grid")
    rres = dlcore.train(wells, tuple(dlcore.RunSpec(dlcore.preset("SGD", lr=0.02), start=s) for s in starts),
                        dlcore.TrainConfig(steps=50, dtype="float64"))
    ends = basins(rres, wells, radius=0.1).assign(reached="elsewhere", final_loss=np.nan)
    names = [f"{i}" for i in range(len(w.minima))]
    spec = oc.restarts_chart(loss_grid(wells, w.window, n=20, dtype="float64"), w.window, False, ends, w.minima,
                             names, saddles=w.saddles).to_dict()
    assert shared_scales(spec) == []
    assert markers_by_shape(spec, "what", "saddle point") == {"square"}


# ---- issue 19: optimizers and run states differ by more than colour ---------------------------
def line_layers(spec: dict) -> list[dict]:
    return [la for la in layers(spec) if (la.get("mark") or {}).get("type") == "line"
            and "strokeDash" in (la.get("encoding") or {})]


def dashes_of(spec: dict, layer: dict) -> dict:
    """{optimizer: dash pattern} the layer's strokeDash scale gives, and that its legend is the
    colour legend (same field and title, so Vega-Lite draws one legend with both)."""
    enc = layer["encoding"]
    dash, color = enc["strokeDash"], enc["color"]
    assert dash["field"] == color["field"] == "label" and dash.get("title") == color.get("title") == "optimizer"
    assert dash.get("legend") is not None and color.get("legend") is not None
    return dict(zip(dash["scale"]["domain"], map(tuple, dash["scale"]["range"])))


def test_race_lines_differ_by_dash_as_well_as_colour(race):
    problem, res, window, grid = race
    labels = ("SGD", "Momentum")
    surface = oc.race_surface_chart(grid, window, True, res.history(), 100, labels, problem.definition.start).to_dict()
    loss = oc.race_loss_chart(res.history(), labels, True, upto=100).to_dict()
    for spec in (surface, loss):
        (path,) = line_layers(spec)
        d = dashes_of(spec, path)
        assert set(d) == set(labels) and len(set(d.values())) == len(labels)
    # every optimizer of the page has its own pattern
    assert len({tuple(v) for v in oc.DASHES.values()}) == len(dlcore.PRESETS) == len(oc.DASHES)


def test_loss_chart_says_diverged_and_converged_in_words_and_shapes(race):
    problem, res, window, grid = race
    # the step from which Momentum's loss stays below 1 (a plain torch.optim loop)
    k = first_stay_within(surface_run(SURFACES["rosenbrock"], STARTS["rosenbrock"], "Momentum", dict(lr=5e-4),
                                      100)["losses"], 1.0)
    assert 0 < k < 100
    steps = {"Momentum": k}
    spec = oc.race_loss_chart(res.history(), ("SGD", "Momentum"), True, upto=100, converged=steps).to_dict()
    assert markers_by_shape(spec, "status", "diverged here") == {"cross"}
    assert markers_by_shape(spec, "status", "converged from here") == {"square"}
    words = {w for la in layers(spec) if (la.get("mark") or {}).get("type") == "text"
             for w in layer_data(spec, la).get("word", [])}
    assert words == {"diverged", "converged"}
    # the converged marker sits on Momentum's line at that step
    sq = [layer_data(spec, la) for la in layers(spec) if mark_shape(la) == "square"][0]
    h = res.history()
    assert sq["step"].tolist() == [k]
    assert sq["loss"].tolist() == h[(h["label"] == "Momentum") & (h["step"] == k)]["loss"].tolist()
    # before the slider reaches that step, no marker yet
    early = oc.race_loss_chart(res.history(), ("SGD", "Momentum"), True, upto=k - 1, converged=steps).to_dict()
    assert markers_by_shape(early, "status", "converged from here") == set()


@pytest.fixture(scope="module")
def bowl_search():
    specs = [dlcore.preset("SGD"), dlcore.preset("Adam")]
    return dlcore.comparison.fair_race(dlcore.SurfaceProblem("bowl"), specs, [1e-3, 1e-2, 1e-1, 1.0],
                                       dlcore.TrainConfig(steps=150, dtype="float64", tol=1e-3,
                                                          record_params=False))


def test_search_chart_shows_both_passes_and_the_chosen_rate(bowl_search):
    """Issue 14 #2: each optimizer's panel draws every rate tried — the first grid as squares,
    the second pass as circles, not-converged and diverged rates as their own shapes — and
    rings the chosen rate."""
    fr = bowl_search
    for label in ("SGD", "Adam"):
        spec = oc.search_chart(fr.table, label, 150).to_dict()
        assert shared_scales(spec) == []
        rows = fr.table[fr.table["label"] == label]
        by_shape = {}
        for la in layers(spec):
            hollow_ring = mark_shape(la) == "circle" and (la.get("mark") or {}).get("filled") is False
            if mark_shape(la) and not hollow_ring:
                by_shape.setdefault(mark_shape(la), []).append(layer_data(spec, la))
        drawn = {shape: sorted(pd.concat(frames)["lr"].tolist()) for shape, frames in by_shape.items()}
        conv = rows[rows["status"] == "converged"]
        assert drawn.get("square", []) == sorted(conv.loc[conv["pass"] == "coarse", "lr"].tolist())
        assert drawn.get("circle", []) == sorted(conv.loc[conv["pass"] == "fine", "lr"].tolist())
        assert drawn.get("cross", []) == sorted(rows.loc[rows["status"] == "diverged", "lr"].tolist())
        assert drawn.get("triangle-down", []) == sorted(rows.loc[rows["status"] == "not converged", "lr"].tolist())
        # the ring: one hollow circle at the chosen rate, and the subtitle names it
        rings = [layer_data(spec, la) for la in layers(spec)
                 if mark_shape(la) == "circle" and la["mark"].get("filled") is False]
        best = fr.best.set_index("label").loc[label]
        assert [r["lr"].tolist() for r in rings] == [[best["lr"]]]
        assert spec["title"]["subtitle"][0] == f"chosen η = {best['lr']:.3g}"
