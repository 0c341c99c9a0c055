"""Chart builders for the Neural Network page: the network diagram, many seeds' loss
curves, the network's answer along a line, and gradient norms through depth.

Like ui/charts/core.py, builders take tidy DataFrames (from dlcore) and never draw a
non-finite value.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .core import divergence_points, finite

NEG, POS = "#c0392b", "#1f5fa8"          # weight colours at the ends of the red–blue scale
DEAD, ALIVE, YOURS = "#d55e00", "#94a3b8", "#111827"
# One colour per activation in every chart of the app (issue 14 #10: ReLU was pink in one
# chart and orange or green in the next).
ACTIVATION_COLOURS = {"ReLU": "#0072B2", "Sigmoid": "#CC79A7", "Tanh": "#009E73", "LeakyReLU": "#E69F00"}


def activation_scale(names) -> alt.Scale:
    """Colour scale for the activations in ``names`` (display names, e.g. "ReLU"), from
    :data:`ACTIVATION_COLOURS`."""
    shown = [a for a in ACTIVATION_COLOURS if a in set(names)]
    return alt.Scale(domain=shown, range=[ACTIVATION_COLOURS[a] for a in shown])


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1000 or a < 0.01:
        return f"{v:.1e}"
    return f"{v:.3g}" if a < 100 else f"{v:.0f}"


def _node_marks(nodes: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Nodes with their printed label, state (z ≤ 0 / z > 0) and text colour (white on a dark
    fill); and hm, the largest |value| of a hidden neuron (the fill scale's end)."""
    hidden = nodes[nodes["kind"] == "hidden"]
    hm = float(np.nanmax(np.abs(hidden["value"]))) if len(hidden) else 1.0
    hm = hm if np.isfinite(hm) and hm > 0 else 1.0
    d = nodes.assign(label=[_fmt(v) for v in nodes["value"]],
                     state=np.where(nodes["kind"] != "hidden", nodes["kind"],
                                    np.where(nodes["z"] <= 0, "z ≤ 0", "z > 0")),
                     ink=np.where((nodes["kind"] == "hidden") & (np.abs(nodes["value"]) > 0.55 * hm), "white",
                                  "#111827"))
    return d, hm


def network_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, activation_label: str,
                    height: int | None = None, title: str | None = None) -> alt.LayerChart:
    """Neurons as circles (hidden ones filled by their activation value, white = 0) and
    weights as lines whose colour is the sign (blue +, red −) and thickness the size |w|.
    Values are printed in the neurons when there is room."""
    max_n = int(nodes.groupby("layer").size().max())
    n_layers = int(nodes["layer"].max())
    height = height or int(np.clip(95 * max_n + 90, 320, 900))
    room = height / (max_n + 1.6)                      # pixels per neuron slot
    size = float(np.clip((0.5 * room) ** 2, 40, 1800))
    show_values = max_n <= 10
    ylim = (max_n - 1) / 2 + 0.75
    xs = alt.Scale(domain=[-0.35, n_layers + 0.35], nice=False, zero=False)
    ys = alt.Scale(domain=[-ylim, ylim + 0.55], nice=False, zero=False)
    X = alt.X("x:Q", axis=None, scale=xs)
    Y = alt.Y("y:Q", axis=None, scale=ys)

    m = float(edges["abs_w"].max()) if len(edges) else 1.0
    m = m if np.isfinite(m) and m > 0 else 1.0
    e = finite(edges, ["weight"])
    edge_layer = alt.Chart(e).mark_rule(opacity=0.85, strokeCap="round").encode(
        x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        stroke=alt.Stroke("weight:Q", title="weight", scale=alt.Scale(scheme="redblue", domain=[-m, m]),
                          legend=alt.Legend(orient="bottom", gradientLength=220, titleOrient="left")),
        strokeWidth=alt.StrokeWidth("abs_w:Q", scale=alt.Scale(domain=[0, m], range=[0.4, 9]), legend=None),
        tooltip=[alt.Tooltip("src_name:N", title="from"), alt.Tooltip("dst_name:N", title="to"),
                 alt.Tooltip("weight:Q", format=".4f"),
                 alt.Tooltip("term:Q", title="weight × input", format=".4f")])

    d, hm = _node_marks(nodes)
    tip = [alt.Tooltip("name:N", title="neuron"), alt.Tooltip("z:Q", format=".4f"),
           alt.Tooltip("bias:Q", format=".4f"), alt.Tooltip("value:Q", title="value", format=".4f")]
    ends = alt.Chart(d[d["kind"] != "hidden"]).mark_circle(
        size=size, opacity=1, stroke="#1f2937", strokeWidth=1.5, color="#e5e7eb").encode(x=X, y=Y, tooltip=tip)
    mids = alt.Chart(d[d["kind"] == "hidden"]).mark_circle(
        size=size, opacity=1, stroke="#1f2937", strokeWidth=1.5).encode(
        x=X, y=Y, tooltip=tip,
        fill=alt.Fill("value:Q", title=f"{activation_label} output",
                      scale=alt.Scale(scheme="purplegreen", domain=[-hm, hm]),
                      legend=alt.Legend(orient="top", gradientLength=200, titleOrient="left")))
    layers = [edge_layer, ends, mids]
    if show_values:
        layers.append(alt.Chart(d).mark_text(fontSize=min(15, max(9, room / 4.5)), fontWeight="bold").encode(
            x=X, y=Y, text=alt.Text("label:N"), color=alt.Color("ink:N", scale=None)))
        layers.append(alt.Chart(d).mark_text(fontSize=12, color="#4b5563", dy=-(np.sqrt(size) / 2 + 9)).encode(
            x=X, y=Y, text=alt.Text("name:N")))
    heads = pd.DataFrame({"x": np.arange(n_layers + 1, dtype=float), "y": ylim + 0.3})
    heads["label"] = (["inputs"] + [f"hidden {k} ({activation_label})" if n_layers > 2 else
                                    f"hidden ({activation_label})" for k in range(1, n_layers)] + ["output"])
    layers.append(alt.Chart(heads).mark_text(fontSize=14, fontWeight="bold", color="#374151").encode(
        x=X, y=Y, text=alt.Text("label:N")))
    chart = alt.layer(*layers).resolve_scale(stroke="independent", fill="independent").properties(
        height=height).configure_view(stroke=None)
    return chart.properties(title=title) if title else chart


def _outcome_palette(outcomes) -> tuple[list[str], list[str]]:
    """Dead first (red), then 'k of H units alive' from most alive (dark blue) to least (light)."""
    def key(o):
        if o.startswith("dead"):
            return (0, 0)
        if o == "diverged":
            return (1, 0)
        digits = o.split(" ")[0]
        return (2, -int(digits)) if digits.isdigit() else (3, 0)
    order = sorted(outcomes, key=key)
    ramp = ["#1f5fa8", "#4a86c5", "#7aa9d6", "#a9c7e4", "#cddff0"]
    rest = [o for o in order if key(o)[0] >= 2]
    colours = {o: ramp[min(i, len(ramp) - 1)] for i, o in enumerate(rest)}
    return order, [DEAD if o.startswith("dead") else "#6b21a8" if o == "diverged" else colours.get(o, ALIVE)
                   for o in order]


def seeds_chart(hist: pd.DataFrame, yours: int, height: int = 360, log: bool = True) -> alt.LayerChart:
    """Loss curves of many seeds (thin lines coloured by outcome) with the learner's seed on top.

    hist: columns seed, step, loss, outcome ("learned" / "dead: all outputs equal" / ...).
    """
    d = finite(hist, ["step", "loss"], positive=log)
    ys = alt.Scale(type="log") if log else alt.Scale(zero=False)
    others = d[d["seed"] != yours]
    mine = d[d["seed"] == yours].assign(who=f"your seed ({yours})")
    outcomes, palette = _outcome_palette(d["outcome"].unique())
    lines = alt.Chart(others).mark_line(strokeWidth=1.1, opacity=0.55).encode(
        x=alt.X("step:Q", title="epoch"), y=alt.Y("loss:Q", title="training loss (MSE)", scale=ys),
        detail=alt.Detail("seed:N"),
        color=alt.Color("outcome:N", title="outcome", scale=alt.Scale(domain=outcomes, range=palette),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("seed:N"), alt.Tooltip("step:Q", title="epoch"), alt.Tooltip("loss:Q", format=".4g"),
                 alt.Tooltip("outcome:N")])
    you = alt.Chart(mine).mark_line(strokeWidth=3.2, color=YOURS).encode(
        x=alt.X("step:Q"), y=alt.Y("loss:Q"), tooltip=[alt.Tooltip("who:N", title=""), alt.Tooltip("step:Q", title="epoch"),
                                         alt.Tooltip("loss:Q", format=".4g")])
    end = mine.sort_values("step").tail(1)
    tag = alt.Chart(end).mark_text(align="left", dx=6, fontSize=13, fontWeight="bold", color=YOURS).encode(
        x=alt.X("step:Q"), y=alt.Y("loss:Q"), text=alt.Text("who:N"))
    return alt.layer(lines, you, tag).properties(height=height)


def final_loss_strip(summary: pd.DataFrame, yours: int, height: int = 150) -> alt.LayerChart:
    """One dot per seed at its final loss (log scale), coloured by outcome; the learner's ringed."""
    d = finite(summary, ["final_loss"], positive=True)
    outcomes, palette = _outcome_palette(d["outcome"].unique())
    jitter = (np.sin(d["seed"].to_numpy() * 12.9898) * 43758.5453) % 1.0
    d = d.assign(j=jitter)
    dots = alt.Chart(d).mark_circle(size=70, opacity=0.85).encode(
        x=alt.X("final_loss:Q", title="final training loss (log scale)", scale=alt.Scale(type="log")),
        y=alt.Y("j:Q", axis=None, scale=alt.Scale(domain=[-0.2, 1.2])),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=outcomes, range=palette), legend=None),
        tooltip=[alt.Tooltip("seed:N"), alt.Tooltip("final_loss:Q", format=".4g"), alt.Tooltip("outcome:N")])
    ring = alt.Chart(d[d["seed"] == yours]).mark_point(size=260, strokeWidth=2.5, color=YOURS).encode(
        x=alt.X("final_loss:Q"), y=alt.Y("j:Q"))
    return alt.layer(dots, ring).properties(height=height)


def answer_line_chart(line: pd.DataFrame, points: pd.DataFrame, height: int = 340) -> alt.LayerChart:
    """The network's output and the true sum along inputs (t, t+1, t+2); training and
    held-out inputs marked. line: t, series, value; points: t, value, kind."""
    d = finite(line, ["t", "value"])
    lines = alt.Chart(d).mark_line(strokeWidth=2.6).encode(
        x=alt.X("t:Q", title="input (t, t+1, t+2) — t ="),
        y=alt.Y("value:Q", title="output"),
        color=alt.Color("series:N", title=None, sort=None,
                        scale=alt.Scale(range=["#0072B2", "#9ca3af"]), legend=alt.Legend(orient="top-left")),
        strokeDash=alt.StrokeDash("series:N", sort=None, legend=None,
                                  scale=alt.Scale(range=[[1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("series:N", title=""), alt.Tooltip("t:Q", format=".2f"),
                 alt.Tooltip("value:Q", format=".4f")])
    p = finite(points, ["t", "value"])
    marks = alt.Chart(p).mark_point(size=140, filled=True, opacity=1, stroke="white", strokeWidth=1).encode(
        x=alt.X("t:Q"), y=alt.Y("value:Q"),
        shape=alt.Shape("kind:N", title=None, legend=alt.Legend(orient="bottom-right")),
        color=alt.value("#D55E00"),
        tooltip=[alt.Tooltip("kind:N", title=""), alt.Tooltip("input:N"), alt.Tooltip("value:Q", title="target",
                                                                                     format=".4g")])
    band = alt.Chart(pd.DataFrame({"a": [1.0], "b": [3.0]})).mark_rect(opacity=0.08, color="#0072B2").encode(
        x=alt.X("a:Q"), x2=alt.X2("b:Q"))
    return alt.layer(band, lines, marks).properties(height=height)


def layer_profile_chart(df: pd.DataFrame, height: int = 320) -> alt.LayerChart:
    """Gradient norm of each layer's parameters at one step (log y): x = layer (1 = next to
    the inputs), one line per activation. df: layer_no, grad_norm, activation."""
    d = finite(df, ["grad_norm"], positive=True)
    base = alt.Chart(d).encode(
        x=alt.X("layer_no:O", title="layer (1 = first, last = output)",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("grad_norm:Q", title="‖gradient‖ of the layer's weights and bias (log)",
                scale=alt.Scale(type="log")),
        color=alt.Color("activation:N", title=None, legend=alt.Legend(orient="top"),
                        scale=activation_scale(d["activation"])),
        tooltip=[alt.Tooltip("activation:N"), alt.Tooltip("layer_no:O", title="layer"),
                 alt.Tooltip("grad_norm:Q", format=".3e")])
    return alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(size=80, filled=True)).properties(
        height=height)


def layer_history_chart(df: pd.DataFrame, height: int = 260) -> alt.FacetChart:
    """Per-layer gradient norms over steps (log y), one panel per run label, a line per layer
    coloured from the input side (light) to the output side (dark)."""
    d = finite(df, ["grad_norm"], positive=True)
    n = int(d["layer_no"].max()) if len(d) else 1
    return alt.Chart(d).mark_line(strokeWidth=1.8).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("grad_norm:Q", title="‖gradient‖ (log)", scale=alt.Scale(type="log")),
        color=alt.Color("layer_no:O", title="layer", scale=alt.Scale(scheme="viridis", reverse=True,
                                                                      domain=list(range(1, n + 1)))),
        tooltip=[alt.Tooltip("label:N", title="run"), alt.Tooltip("layer_no:O", title="layer"), alt.Tooltip("step:Q"),
                 alt.Tooltip("grad_norm:Q", format=".3e")],
    ).properties(height=height, width=360).facet(
        column=alt.Column("label:N", title=None, sort=list(dict.fromkeys(d["label"])),
                          header=alt.Header(labelFontSize=14, labelFontWeight="bold")))


def param_paths_chart(df: pd.DataFrame, epoch: int, height: int = 300) -> alt.LayerChart:
    """Every parameter over the epochs (thin lines, coloured by layer) and a rule at ``epoch``.
    df: step, value, name, layer."""
    d = finite(df, ["step", "value"])
    lines = alt.Chart(d).mark_line(strokeWidth=1.4, opacity=0.8).encode(
        x=alt.X("step:Q", title="epoch"), y=alt.Y("value:Q", title="parameter value"),
        detail=alt.Detail("name:N"), color=alt.Color("layer:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("name:N", title="parameter"), alt.Tooltip("step:Q", title="epoch"),
                 alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(pd.DataFrame({"step": [epoch]})).mark_rule(color="#111827", strokeDash=[5, 3],
                                                                strokeWidth=2).encode(x=alt.X("step:Q"))
    return alt.layer(lines, rule).properties(height=height)


def depth_curves_chart(df: pd.DataFrame, y: str = "loss", y_title: str = "training loss (log)",
                       clip: float | None = None, height: int = 320) -> alt.LayerChart:
    """Per-step curves (log y) of the deep-network runs: colour = activation (the app's one
    colour per activation), dashes = clipping; a diverged run ends in a ✕; ``clip`` adds a
    dashed rule at the clip norm. df: step, ``y``, activation, clipping, label, run, diverged."""
    d = finite(df, ["step", y], positive=True)
    colour = alt.Color("activation:N", title=None, scale=activation_scale(df["activation"]),
                       legend=alt.Legend(orient="top"))
    tip = [alt.Tooltip("label:N", title="run"), alt.Tooltip("step:Q"), alt.Tooltip(f"{y}:Q", format=".4g")]
    layers = [alt.Chart(d).mark_line(strokeWidth=2.2).encode(
        x=alt.X("step:Q", title="step"), y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log")),
        color=colour, strokeDash=alt.StrokeDash("clipping:N", title=None, sort=["no clipping"],
                                                legend=alt.Legend(orient="top")),
        detail=alt.Detail("label:N"), tooltip=tip)]
    div = finite(divergence_points(df, "step", y), y, positive=True)
    if len(div):
        layers.append(alt.Chart(div.assign(status="diverged here")).mark_point(
            shape="cross", size=180, filled=True, strokeWidth=1).encode(
            x=alt.X("step:Q"), y=alt.Y(f"{y}:Q"), color=colour, tooltip=tip + [alt.Tooltip("status:N")]))
    if clip:
        layers.append(alt.Chart(pd.DataFrame({"y": [clip], "label": [f"clip norm {clip:g}"]})).mark_rule(
            color="#111827", strokeDash=[6, 4]).encode(y=alt.Y("y:Q"), tooltip=[alt.Tooltip("label:N")]))
    return alt.layer(*layers).properties(height=height)
