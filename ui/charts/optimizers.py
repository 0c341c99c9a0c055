"""Charts for the optimizer comparison page: a banded ("filled contour") loss surface
with every optimizer's path, the loss race, the fair-race tuning curves and the
random-restart basin map.

Each optimizer keeps one colour on every chart (:data:`COLORS`), so a learner can follow
"the orange one" from the map to the loss curve to the table, and one dash pattern
(:data:`DASHES`, in the same legend), so the lines differ without colour too. Nothing non-finite is
drawn: diverged runs stop at their last finite point, marked with a cross (✚). Each marker
kind is a layer with its shape on the mark (never a shape scale shared across layers).
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .core import clip_to_window, divergence_points, finite

# Colour-blind-friendly, dark enough to read on the light end of the surface shading.
COLORS = {
    "SGD": "#D7191C",       # red
    "Momentum": "#F5A300",  # amber
    "Nesterov": "#E7298A",  # magenta
    "Adam": "#1B9E77",      # green
    "AdamW": "#7B3294",     # purple
    "AdaGrad": "#8C510A",   # brown
    "RMSprop": "#111111",   # black
}
# One stroke pattern per optimizer (issue 19: lines must differ by more than colour); the
# legend shows colour and dash together.
DASHES = {
    "SGD": [1, 0],              # solid
    "Momentum": [8, 4],         # dashes
    "Nesterov": [2, 3],         # dots
    "Adam": [12, 3, 2, 3],      # dash-dot
    "AdamW": [4, 4],            # short dashes
    "AdaGrad": [12, 3, 2, 3, 2, 3],
    "RMSprop": [16, 4],         # long dashes
}
BASIN_COLORS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00", "#0072B2", "#6A3D9A")
NOT_REACHED = "#9CA3AF"
# Thousands of heatmap cells draw several times faster on a canvas than as SVG elements
# (vega-embed reads usermeta.embedOptions; Streamlit passes it through).
CANVAS = {"embedOptions": {"renderer": "canvas"}}
LOG_FLOOR = 1e-12   # log axes draw values below this at this value (float64 noise lives down there)
# One row on a projector, and narrow enough for a phone: the cards above name the colours too.
LEGEND = alt.Legend(orient="top", title=None, columns=4, labelFontSize=12, symbolSize=80, columnPadding=10)
# Line legends show each optimizer's colour AND dash pattern as a short stroke; three to a row
# so four or more optimizers still fit a phone's width.
LINE_LEGEND = alt.Legend(orient="top", title=None, columns=3, labelFontSize=12, symbolType="stroke",
                         symbolSize=400, symbolStrokeWidth=2.5, columnPadding=8, labelLimit=90)
HEIGHT = 520


def color_scale(labels) -> alt.Scale:
    labels = list(dict.fromkeys(labels))
    return alt.Scale(domain=labels, range=[COLORS.get(lab, "#374151") for lab in labels])


def dash_scale(labels) -> alt.Scale:
    labels = list(dict.fromkeys(labels))
    return alt.Scale(domain=labels, range=[DASHES.get(lab, [1, 0]) for lab in labels])


def line_style(labels, legend=LINE_LEGEND) -> dict:
    """Colour and dash by optimizer, one legend for both."""
    return {"color": alt.Color("label:N", scale=color_scale(labels), title="optimizer", legend=legend),
            "strokeDash": alt.StrokeDash("label:N", scale=dash_scale(labels), title="optimizer", legend=legend)}


def shade_bands(loss: np.ndarray, log: bool, levels: int = 14) -> np.ndarray:
    """Band index 0..levels−1 of each grid value: equal steps of log₁₀(loss − min + ε)
    (or of the loss itself), so the bands read like filled contour lines. −1 where the
    loss is not finite."""
    v = np.asarray(loss, dtype=float)
    ok = np.isfinite(v)
    out = np.full(v.shape, -1, dtype=int)
    if not ok.any():
        return out
    lo, hi = v[ok].min(), v[ok].max()
    if log:
        off = max((hi - lo) * 1e-6, 1e-12)
        s = np.log10(np.where(ok, v, lo) - lo + off)
    else:
        s = np.where(ok, v, lo)
    smin, smax = s[ok].min(), s[ok].max()
    span = smax - smin if smax > smin else 1.0
    out[ok] = np.clip(np.floor((s[ok] - smin) / span * levels), 0, levels - 1).astype(int)
    return out


def contour_layer(grid: pd.DataFrame, window, log: bool, x_title: str, y_title: str,
                  height: int = HEIGHT, levels: int = 14, pick: bool = False) -> alt.Chart:
    """The loss over window = (x0, x1, y0, y1) as banded cells (columns p0, p1, loss):
    darker = lower. Cell edges are computed in the browser, so each cell sends 4 numbers.
    ``pick``: clicking a cell selects its centre (point selection "pick" on p0, p1)."""
    x0, x1, y0, y1 = window
    n = int(round(np.sqrt(len(grid))))
    dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
    g = pd.DataFrame({"p0": grid["p0"].to_numpy(), "p1": grid["p1"].to_numpy(),
                      "loss": grid["loss"].to_numpy(dtype=float),
                      "band": shade_bands(grid["loss"].to_numpy(), log, levels)})
    g = g[g["band"] >= 0]
    g["loss"] = g["loss"].map(lambda v: float(f"{v:.4g}"))
    chart = alt.Chart(g).transform_calculate(
        a0=f"datum.p0 - {dx / 2!r}", a1=f"datum.p0 + {dx / 2!r}",
        b0=f"datum.p1 - {dy / 2!r}", b1=f"datum.p1 + {dy / 2!r}",
    ).mark_rect(opacity=0.92).encode(
        x=alt.X("a0:Q", title=x_title, scale=alt.Scale(domain=[x0, x1], nice=False, zero=False)),
        x2=alt.X2("a1:Q"),
        y=alt.Y("b0:Q", title=y_title, scale=alt.Scale(domain=[y0, y1], nice=False, zero=False)),
        y2=alt.Y2("b1:Q"),
        color=alt.Color("band:Q", legend=None,
                        scale=alt.Scale(scheme={"name": "blues", "extent": [0.9, 0.02]}, domain=[0, levels - 1])),
        tooltip=[alt.Tooltip("p0:Q", title=x_title, format=".3g"), alt.Tooltip("p1:Q", title=y_title, format=".3g"),
                 alt.Tooltip("loss:Q", format=".4g")],
    ).properties(height=height)
    if pick:
        chart = chart.add_params(alt.selection_point(name="pick", fields=["p0", "p1"], on="click"))
    return chart


def race_surface_chart(grid: pd.DataFrame, window, log: bool, paths: pd.DataFrame, upto: int,
                       labels, start, minima=(), x_title: str = "x", y_title: str = "y",
                       px: str = "x", py: str = "y", height: int = HEIGHT, base: alt.Chart | None = None,
                       pick: bool = False) -> alt.Chart:
    """Banded loss surface, each run's path up to step ``upto`` (small dots mark every
    step, so their spacing shows the step length), a large dot where each run is at
    ``upto`` (a cross if it diverged by then), the shared start (white triangle) and the known
    minima (black diamonds). ``base``: a :func:`contour_layer` built earlier for the same
    grid, reused when only the step changes (e.g. while playing); without it the surface is
    built here, clickable when ``pick``."""
    layers = [base if base is not None else contour_layer(grid, window, log, x_title, y_title, height=height,
                                                         pick=pick)]
    cs = color_scale(labels)
    d = paths.rename(columns={px: "x", py: "y"})
    d = d[d["step"] <= upto]
    d = clip_to_window(d, window, "x", "y", margin=0.0)[["run", "label", "step", "x", "y", "loss", "diverged"]]
    if len(d):
        tip = [alt.Tooltip("label:N", title="optimizer"), alt.Tooltip("step:Q"),
               alt.Tooltip("x:Q", title=x_title, format=".4g"), alt.Tooltip("y:Q", title=y_title, format=".4g"),
               alt.Tooltip("loss:Q", format=".4g")]
        layers.append(alt.Chart(d).mark_line(strokeWidth=2.2, clip=True,
                                             point=alt.OverlayMarkDef(size=10, filled=True)).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("step:Q"), **line_style(labels), tooltip=tip))
        head = d.sort_values("step").groupby("run", as_index=False).tail(1)
        gone = head["diverged"].to_numpy(dtype=bool)
        # Each marker kind is its own layer with its shape written on the mark: a shape *scale*
        # would be shared by every layer of the chart, and one layer's shapes would override
        # another's (the known minimum was once drawn with the "diverged" cross).
        for shape, rows, status in (("circle", head[~gone], f"at step {upto}"), ("cross", head[gone], "diverged here")):
            if len(rows):
                layers.append(alt.Chart(rows.assign(status=status)).mark_point(
                    shape=shape, size=240, filled=True, stroke="white", strokeWidth=2, opacity=1, clip=True).encode(
                    x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.Color("label:N", scale=cs, legend=None),
                    tooltip=tip + [alt.Tooltip("status:N")]))
    tip = [alt.Tooltip("what:N", title="marker"), alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")]
    marks = [("triangle-up", "white", [{"x": float(start[0]), "y": float(start[1]), "what": "start (all runs)"}]),
             ("diamond", "#111827", [{"x": float(m[0]), "y": float(m[1]), "what": "known minimum"} for m in minima])]
    for shape, fill, rows in marks:
        if rows:
            layers.append(alt.Chart(pd.DataFrame(rows)).mark_point(
                shape=shape, fill=fill, size=230, filled=True, stroke="#111827", strokeWidth=1.5, opacity=1,
                clip=True).encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), tooltip=tip))
    return alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent").properties(
        height=height, usermeta=CANVAS)


def race_loss_chart(hist: pd.DataFrame, labels, log: bool, upto: int | None = None, y: str = "loss",
                    y_title: str = "training loss", height: int = HEIGHT, converged=None) -> alt.Chart:
    """Loss against step for every run on one chart, in the optimizers' colours and dash
    patterns; ✚ and the word "diverged" where a run diverged; a square and "converged" at the
    step from which a run stays converged (``converged``: {label: step}, shown once the
    slider reaches it); a grey rule at step ``upto``. On a log axis values below
    :data:`LOG_FLOOR` are drawn at the floor."""
    cs = color_scale(labels)
    d = finite(hist, ["step", y]).copy()
    if log:   # the page switches to a linear axis when a loss is negative
        d = d[d[y] >= 0]
        d = d.assign(shown=np.maximum(d[y].to_numpy(dtype=float), LOG_FLOOR))
    else:
        d = d.assign(shown=d[y])
    ys = alt.Scale(type="log") if log else alt.Scale(zero=False)
    tip = [alt.Tooltip("label:N", title="optimizer"), alt.Tooltip("step:Q"), alt.Tooltip(f"{y}:Q", format=".6g")]
    layers = [alt.Chart(d).mark_line(strokeWidth=2.4).encode(
        x=alt.X("step:Q", title="step (updates)"),
        y=alt.Y("shown:Q", title=y_title + (" (log scale)" if log else ""), scale=ys),
        **line_style(labels), tooltip=tip)]
    div = divergence_points(hist, "step", y)
    if len(div):
        div = div.assign(shown=np.maximum(div[y].to_numpy(dtype=float), LOG_FLOOR) if log else div[y],
                         status="diverged here")
        layers.append(alt.Chart(div).mark_point(shape="cross", size=220, filled=True, opacity=1).encode(
            x=alt.X("step:Q"), y=alt.Y("shown:Q"), color=alt.Color("label:N", scale=cs, legend=None),
            tooltip=tip + [alt.Tooltip("status:N")]))
        layers.append(_state_labels(div.assign(word="diverged")))
    if converged:
        rows = [r for lab, k in converged.items() if k is not None and (upto is None or k <= upto)
                for r in d[(d["label"] == lab) & (d["step"] >= k)].head(1).to_dict("records")]
        if rows:
            conv = pd.DataFrame(rows).assign(status="converged from here", word="converged")
            layers.append(alt.Chart(conv).mark_point(shape="square", size=150, filled=True, opacity=1,
                                                     stroke="white", strokeWidth=1).encode(
                x=alt.X("step:Q"), y=alt.Y("shown:Q"), color=alt.Color("label:N", scale=cs, legend=None),
                tooltip=tip + [alt.Tooltip("status:N")]))
            layers.append(_state_labels(conv))
    if upto is not None:
        rule = pd.DataFrame({"step": [upto], "what": [f"step {upto}"]})
        layers.append(alt.Chart(rule).mark_rule(color="#6b7280", strokeDash=[5, 4], strokeWidth=1.5).encode(
            x=alt.X("step:Q"), tooltip=[alt.Tooltip("what:N", title="slider")]))
    return alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent").properties(height=height)


def _state_labels(rows: pd.DataFrame) -> alt.Chart:
    """The state in words beside its marker ("diverged", "converged"), so it never rests on
    colour or shape alone."""
    return alt.Chart(rows[["step", "shown", "label", "word"]]).mark_text(
        align="left", dx=9, dy=-9, fontSize=12, color="#111827").encode(
        x=alt.X("step:Q"), y=alt.Y("shown:Q"), text=alt.Text("word:N"))


def _tuning_frame(table: pd.DataFrame, steps: int) -> pd.DataFrame:
    t = table.copy()
    t["final_loss"] = t["final_loss"].astype(float)
    t["result"] = np.where(t["status"] == "diverged", "diverged at step " + t["diverged_at"].astype(str),
                           np.where(t["status"] == "converged", "converged at step " + t["converged_at"].astype(str),
                                    "not converged in " + str(steps) + " steps"))
    if "pass" not in t.columns:
        t["pass"] = "coarse"
    t["grid"] = np.where(t["pass"] == "fine", "second pass (24 per decade)", "first grid")
    return t


def rate_axis(lrs) -> alt.X:
    """A log learning-rate axis over the rates tried, ticked and gridded at powers of ten only
    (a log axis grids every minor tick by default, a wall of lines over six decades)."""
    lo, hi = float(np.min(lrs)), float(np.max(lrs))
    decades = [10.0 ** k for k in range(int(np.floor(np.log10(lo) + 1e-9)), int(np.ceil(np.log10(hi) - 1e-9)) + 1)]
    return alt.X("lr:Q", title="learning rate (log scale)", scale=alt.Scale(type="log", domain=[lo, hi]),
                 axis=alt.Axis(values=decades, format="~g", labelOverlap=True))


def tuning_chart(table: pd.DataFrame, labels, steps: int, height: int = 360) -> alt.Chart:
    """Final loss vs rate (log–log), one line per optimizer in its colour and dash pattern;
    diverged rates as ✚ along the top; the chosen rate of each optimizer ringed."""
    cs = color_scale(labels)
    t = _tuning_frame(table, steps)
    ok = t[np.isfinite(t["final_loss"])]
    top = float(np.maximum(ok["final_loss"], LOG_FLOOR).max()) * 10 if len(ok) else 1.0
    t["shown"] = np.where(np.isfinite(t["final_loss"]), np.maximum(t["final_loss"], LOG_FLOOR), top)
    x = rate_axis(t["lr"])
    tip = [alt.Tooltip("label:N", title="optimizer"), alt.Tooltip("lr:Q", format=".3g"),
           alt.Tooltip("final_loss:Q", format=".4g"), alt.Tooltip("result:N"), alt.Tooltip("grid:N")]
    fin = t[t["status"] != "diverged"].sort_values("lr")
    loss = [alt.Chart(fin).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=30, filled=True)).encode(
        x=x, y=alt.Y("shown:Q", title="final loss (log scale)", scale=alt.Scale(type="log")), order="lr:Q",
        **line_style(labels), tooltip=tip)]
    gone = t[t["status"] == "diverged"]
    if len(gone):
        loss.append(alt.Chart(gone).mark_point(shape="cross", size=90, filled=True, opacity=0.9).encode(
            x=x, y=alt.Y("shown:Q"), color=alt.Color("label:N", scale=cs, legend=None), tooltip=tip))
    chosen = t[t["chosen"]]
    if len(chosen):
        loss.append(alt.Chart(chosen).mark_point(shape="circle", size=420, filled=False, strokeWidth=3,
                                                 opacity=1).encode(
            x=x, y=alt.Y("shown:Q"), color=alt.Color("label:N", scale=cs, legend=None), tooltip=tip))
    return alt.layer(*loss).resolve_scale(color="independent", strokeDash="independent").properties(
        height=height, title="Final loss at each rate")


SEARCH_MARKS = (   # (grid, shape, size, filled): each its own layer, the shape on the mark
    ("first grid", "square", 110, True),
    ("second pass (24 per decade)", "circle", 40, True),
)


def search_chart(table: pd.DataFrame, label: str, steps: int, height: int = 300) -> alt.Chart:
    """One optimizer's rate search: steps to converge at every rate tried (■ first grid,
    ● second pass), rates that did not converge as ▼ and diverged ones as ✚ along the top,
    the steps the verdict counts (the worst within ×1.26) as a grey line, and the chosen
    rate as a ring with a rule."""
    t = _tuning_frame(table[table["label"] == label], steps).sort_values("lr")
    color = COLORS.get(label, "#374151")
    top = steps * 1.06
    t["own"] = np.where(t["status"] == "converged", t["converged_at"].astype(float), top)
    t["counted"] = t["steps_nearby"].astype(float) if "steps_nearby" in t.columns else np.nan
    x = rate_axis(t["lr"])
    y = alt.Y("own:Q", title="steps to converge", scale=alt.Scale(domain=[0, top], nice=False))
    tip = [alt.Tooltip("lr:Q", title="η", format=".3g"), alt.Tooltip("result:N"), alt.Tooltip("grid:N"),
           alt.Tooltip("counted:Q", title="worst within ×1.26", format=".0f")]
    layers = []
    counted = t[np.isfinite(t["counted"])]
    if len(counted):
        layers.append(alt.Chart(counted).mark_line(color="#6b7280", strokeWidth=1.5, strokeDash=[4, 3],
                                                   interpolate="step-after").encode(
            x=x, y=alt.Y("counted:Q", scale=alt.Scale(domain=[0, top], nice=False)), tooltip=tip))
    conv = t[t["status"] == "converged"]
    for grid, shape, size, filled in SEARCH_MARKS:
        rows = conv[conv["grid"] == grid]
        if len(rows):
            layers.append(alt.Chart(rows).mark_point(shape=shape, size=size, filled=filled, color=color,
                                                     opacity=1).encode(x=x, y=y, tooltip=tip))
    for status, shape in (("not converged", "triangle-down"), ("diverged", "cross")):
        rows = t[t["status"] == status]
        if len(rows):
            layers.append(alt.Chart(rows).mark_point(shape=shape, size=60, filled=status == "diverged",
                                                     color=color, opacity=0.9).encode(x=x, y=y, tooltip=tip))
    chosen = t[t["chosen"]]
    if len(chosen):
        layers.append(alt.Chart(chosen).mark_rule(color="#111827", strokeWidth=1).encode(x=x, tooltip=tip))
        layers.append(alt.Chart(chosen).mark_point(shape="circle", size=380, filled=False, strokeWidth=3,
                                                   color="#111827", opacity=1).encode(x=x, y=y, tooltip=tip))
    return alt.layer(*layers).properties(height=height, title=alt.Title(
        f"{label}: steps to converge at each rate", subtitle=_chosen_text(chosen)))


def _chosen_text(chosen: pd.DataFrame) -> list[str]:
    """The panel's subtitle, two short lines (a subtitle does not wrap on a phone)."""
    if chosen.empty:
        return ["every rate diverged"]
    r = chosen.iloc[0]
    n = float(r.get("steps_nearby", np.inf))
    return [f"chosen η = {r['lr']:.3g}", f"within {int(n)} steps at every rate within ×1.26" if np.isfinite(n)
            else "lowest final loss (none converges near it)"]


def restarts_chart(grid: pd.DataFrame, window, log: bool, ends: pd.DataFrame, minima, names,
                   paths: pd.DataFrame | None = None, height: int = HEIGHT, saddles=()) -> alt.Chart:
    """Start points coloured by the minimum their run reached (grey: none), over the
    banded surface; the minima as large diamonds in the same colours; the ``saddles`` as
    hollow black squares; optional faint paths."""
    cats = list(names) + ["elsewhere", "diverged"]
    rng = [BASIN_COLORS[i % len(BASIN_COLORS)] for i in range(len(names))] + [NOT_REACHED, "#111827"]
    cs = alt.Scale(domain=cats, range=rng)
    layers = [contour_layer(grid, window, log, "x", "y", height=height)]
    if paths is not None and len(paths):
        p = clip_to_window(paths, window, "x", "y", margin=0.0)
        layers.append(alt.Chart(p).mark_line(strokeWidth=0.8, opacity=0.45, clip=True).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("step:Q"), detail=alt.Detail("run:N"),
            color=alt.Color("reached:N", scale=cs, legend=None)))
    layers.append(alt.Chart(ends).mark_circle(size=48, opacity=0.95, stroke="white", strokeWidth=0.6,
                                              clip=True).encode(
        x=alt.X("start_x:Q"), y=alt.Y("start_y:Q"),
        color=alt.Color("reached:N", scale=cs, title="run ended at", legend=alt.Legend(orient="top", columns=3)),
        tooltip=[alt.Tooltip("start_x:Q", title="start x", format=".3g"),
                 alt.Tooltip("start_y:Q", title="start y", format=".3g"),
                 alt.Tooltip("reached:N", title="ended at"), alt.Tooltip("final_loss:Q", format=".3g")]))
    if len(minima):
        m = pd.DataFrame([{"x": a, "y": b, "reached": names[i]} for i, (a, b) in enumerate(minima)])
        layers.append(alt.Chart(m).mark_point(shape="diamond", size=420, filled=True, stroke="#111827",
                                              strokeWidth=2, opacity=1).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.Color("reached:N", scale=cs, legend=None),
            tooltip=[alt.Tooltip("reached:N", title="minimum")]))
    if len(saddles):
        sd = pd.DataFrame([{"x": float(a), "y": float(b), "what": "saddle point"} for a, b in saddles])
        layers.append(alt.Chart(sd).mark_point(shape="square", size=160, filled=False, stroke="#111827",
                                               strokeWidth=2.5, opacity=1).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"),
            tooltip=[alt.Tooltip("what:N", title="marker"), alt.Tooltip("x:Q", format=".3g"),
                     alt.Tooltip("y:Q", format=".3g")]))
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=height, usermeta=CANVAS)


STATE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")   # x blue, y orange (then two more)


def state_chart(frame: pd.DataFrame, title: str, log: bool = False, height: int = 300) -> alt.Chart:
    """One quantity of an optimizer's state against step, a line per parameter (columns
    step, param, value) in :data:`STATE_COLORS` order (the page names them in a caption,
    so the small charts keep their room for the data). The first steps of a steep surface
    dwarf the rest, so the y axis is symmetric-log (or log, for quantities that are never
    negative)."""
    d = finite(frame, ["step", "value"])
    if log:
        d = d[d["value"] > 0]
    scale = alt.Scale(type="log") if log else alt.Scale(type="symlog", constant=1e-3)
    return alt.Chart(d).mark_line(strokeWidth=2).encode(
        x=alt.X("step:Q", title="update"),
        y=alt.Y("value:Q", title=None, scale=scale),
        color=alt.Color("param:N", scale=alt.Scale(range=list(STATE_COLORS)), legend=None),
        tooltip=[alt.Tooltip("param:N"), alt.Tooltip("step:Q"), alt.Tooltip("value:Q", format=".4g")],
    ).properties(height=height, title=title)
