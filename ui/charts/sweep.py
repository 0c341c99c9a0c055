"""Chart builders for the learning-rate sweep page: steps to converge and final loss
against the learning rate (log x), the learning-rate range test, and labelled rules.

Conventions (as in ui.charts.core): no NaN or inf reaches an axis. A rate that
diverged is drawn as a red-orange ✚ in a strip along the top edge of the plot (its loss has no
finite value to place it by); a rate that did not converge within the step budget sits
on the dashed budget line as a hollow grey triangle.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from dlcore.sweep import ARTICLE_LR_TABLE

from .core import finite

HEIGHT = 360

# One colour per meaning, used in every chart of the page (colour-blind safe: Okabe–Ito).
MEASURED = "#0072B2"
NOT_CONVERGED = "#6b7280"
DIVERGED = "#D55E00"
ARTICLE = "#E69F00"
THEORY = "#009E73"
SERIES = {"converged": MEASURED, "not converged": NOT_CONVERGED, "diverged": DIVERGED,
          "Gradient Descent in PyTorch": ARTICLE, "theory (worst case)": THEORY, "theory (≈ μᵗ plateau)": THEORY}
SHAPES = {"converged": "circle", "not converged": "triangle-up", "diverged": "cross",
          "Gradient Descent in PyTorch": "diamond", "theory (worst case)": "stroke", "theory (≈ μᵗ plateau)": "stroke"}


# How each series' mark looks, in words for the captions (built from the same tables the
# charts draw with, so a caption cannot name a mark the chart does not draw).
COLOR_WORDS = {MEASURED: "Blue", NOT_CONVERGED: "Grey", DIVERGED: "Red-orange", ARTICLE: "Orange", THEORY: "Green"}
SHAPE_WORDS = {"circle": "dots", "triangle-up": "triangles", "cross": "✚", "diamond": "diamonds",
               "stroke": "dashed line"}


def mark_names() -> dict:
    """Series → how its mark looks ("Red-orange ✚", "Grey triangles", …)."""
    return {k: f"{COLOR_WORDS[SERIES[k]]} {SHAPE_WORDS[SHAPES[k]]}" for k in SERIES}


def _color(domain) -> alt.Color:
    domain = [d for d in SERIES if d in domain]
    return alt.Color("series:N", title=None, sort=domain,
                     scale=alt.Scale(domain=domain, range=[SERIES[d] for d in domain]),
                     legend=alt.Legend(orient="bottom", direction="horizontal", columns=2, symbolSize=120))


def _shape(domain) -> alt.Shape:
    domain = [d for d in SERIES if d in domain]
    return alt.Shape("series:N", title=None, sort=domain,
                     scale=alt.Scale(domain=domain, range=[SHAPES[d] for d in domain]), legend=None)


def rate_axis(lo: float, hi: float, title: str = "learning rate η (log scale)") -> alt.X:
    return alt.X("lr:Q", title=title, scale=alt.Scale(type="log", domain=[lo, hi], nice=False),
                 axis=alt.Axis(format="~g", labelOverlap=True))


def label_side(value: float, lo: float, hi: float, prefer: str = "left") -> str:
    """Which side of a rule at ``value`` (on a log axis from lo to hi) its label fits:
    away from the nearer edge, else ``prefer``."""
    frac = math.log(value / lo) / math.log(hi / lo) if 0 < lo < hi and value > 0 else 0.5
    if frac > 0.65:
        return "right"
    if frac < 0.35:
        return "left"
    return prefer


def rule(value: float, label: str, color: str, dash=(6, 4), align: str = "left", dy: float = 12,
         field: str = "lr") -> list[alt.Chart]:
    """A labelled vertical rule on the rate axis, as two layers (rule, label) to add to a
    chart's layer list. ``align='right'`` puts the label on the rule's left side, so two
    rules close together keep readable labels; ``dy`` is the label's distance from the
    top in pixels."""
    df = pd.DataFrame({field: [value], "label": [label]})
    line = alt.Chart(df).mark_rule(color=color, strokeDash=list(dash), strokeWidth=2).encode(
        x=alt.X(f"{field}:Q"), tooltip=[alt.Tooltip("label:N", title="line"), alt.Tooltip(f"{field}:Q", format=".4g")])
    text = alt.Chart(df).mark_text(align=align, dx=5 if align == "left" else -5, color=color, fontSize=12,
                                   fontWeight="bold").encode(x=alt.X(f"{field}:Q"), y=alt.value(dy), text=alt.Text("label:N"))
    return [line, text]


def theory_rules(limit: tuple[float, str] | None, best: float | None, lo: float, hi: float) -> tuple:
    """The vertical rules of the sweep charts as plain values (value, label, colour, label
    side, label height): theory's divergence limit (value, formula) and best fixed rate,
    where they lie inside [lo, hi]. Short labels (the values are in the metrics and the
    tooltips): the two rules are often almost on top of each other, so one label goes
    right, the other left."""
    rules = []
    if limit is not None and lo < limit[0] < hi:
        rules.append((limit[0], limit[1], DIVERGED,
                      "left" if math.log(hi / limit[0]) > 0.18 * math.log(hi / lo) else "right", 30))
    if best is not None and lo < best < hi:
        rules.append((best, "best", THEORY, "right", 48))
    return tuple(rules)


def rule_layers(rules) -> list[alt.Chart]:
    """Chart layers of :func:`theory_rules`' rules."""
    return [c for v, label, color, align, dy in rules for c in rule(v, label, color, align=align, dy=dy)]


def article_points() -> pd.DataFrame:
    """Article 002's table as chart data: lr, steps (NaN = "diverges")."""
    return pd.DataFrame({"lr": [lr for lr, _ in ARTICLE_LR_TABLE],
                         "steps": [np.nan if n is None else float(n) for _, n in ARTICLE_LR_TABLE]})


def _diverged_strip(d: pd.DataFrame, lo: float, hi: float, what: str, present) -> alt.Chart:
    """The diverged rates as ✚ along the top edge. Its colour and shape scales are the
    chart's own (``present``): layers with different scale domains would be merged by
    Vega-Lite, and one layer's shapes could then override another's (issue 14 #1)."""
    return alt.Chart(d.assign(series="diverged")).mark_point(size=110, strokeWidth=2.5, filled=False).encode(
        x=rate_axis(lo, hi), y=alt.value(4), color=_color(present), shape=_shape(present),
        tooltip=[alt.Tooltip("lr:Q", title="learning rate", format=".4g"),
                 alt.Tooltip("diverged_at:Q", title="diverged at step"), alt.Tooltip("what:N", title=what)])


def _in_range(table: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    """The rows of a sweep table whose rate lies in [lo, hi] (up to rounding)."""
    t = table[(table["lr"] >= lo * (1 - 1e-12)) & (table["lr"] <= hi * (1 + 1e-12))].copy()
    t["diverged_at"] = pd.to_numeric(t["diverged_at"], errors="coerce").astype(float)
    return t


def _steps_axis(conv: pd.DataFrame, steps: int, article: pd.DataFrame | None) -> tuple[alt.Y, float]:
    """The log y axis of the steps chart: from a decade boundary below the lowest point to
    a little above the budget (or the highest point); and its top value before padding."""
    ymax = max(float(steps), float(conv["shown"].max()) if len(conv) else 1.0)
    if article is not None:
        ymax = max(ymax, float(article["steps"].max(skipna=True) or 1))
    ymin = float(conv["shown"].min()) if len(conv) else float(steps)
    if article is not None and article["steps"].notna().any():
        ymin = min(ymin, float(article["steps"].min()))
    ymin = max(1.0, 10 ** math.floor(math.log10(ymin / 2)))      # a decade boundary below the lowest point
    ys = alt.Scale(type="log", domain=[ymin, ymax * 1.6], nice=False)
    return alt.Y("shown:Q", title="steps to converge (log scale)", scale=ys, axis=alt.Axis(format="~s")), ymax


def _budget_layers(steps: int, y: alt.Y) -> list[alt.Chart]:
    """The dashed line of the step budget, labelled."""
    budget = pd.DataFrame({"shown": [float(steps)], "label": [f"budget: {steps} steps"]})
    return [alt.Chart(budget).mark_rule(color=NOT_CONVERGED, strokeDash=[2, 3]).encode(y=y),
            alt.Chart(budget).mark_text(align="left", dx=4, dy=10, color=NOT_CONVERGED, fontSize=11).encode(
                x=alt.value(0), y=y, text=alt.Text("label:N"))]


def _measured_layers(conv: pd.DataFrame, stuck: pd.DataFrame, x: alt.X, y: alt.Y, present) -> list[alt.Chart]:
    """Converged runs as filled dots, runs that did not converge as hollow triangles."""
    layers = []
    if len(conv):
        tip = [alt.Tooltip("lr:Q", title="learning rate", format=".4g"), alt.Tooltip("series:N", title="status"),
               alt.Tooltip("steps:Q", title="steps to converge")]
        layers.append(alt.Chart(conv).mark_point(size=55, filled=True, opacity=0.9).encode(
            x=x, y=y, color=_color(present), shape=_shape(present), tooltip=tip))
    if len(stuck):
        layers.append(alt.Chart(stuck).mark_point(size=55, filled=False, strokeWidth=1.5).encode(
            x=x, y=y, color=_color(present), shape=_shape(present),
            tooltip=[alt.Tooltip("lr:Q", title="learning rate", format=".4g"), alt.Tooltip("series:N", title="status")]))
    return layers


def _predicted_layer(predicted: pd.DataFrame, label: str, x: alt.X, y: alt.Y, ymax: float, present) -> alt.Chart:
    """Theory's curve (dashed), clipped to the plot."""
    p = finite(predicted.rename(columns={"steps": "shown"}), "shown", positive=True)
    p = p[(p["shown"] <= ymax * 1.6)].assign(series=label)
    return alt.Chart(p).mark_line(strokeDash=[6, 4], strokeWidth=2.5, clip=True).encode(
        x=x, y=y, color=_color(present),
        tooltip=[alt.Tooltip("lr:Q", title="learning rate", format=".4g"),
                 alt.Tooltip("shown:Q", format=".0f", title="theory: at most this many steps"
                             if label == "theory (worst case)" else "theory: about this many steps")])


def _article_layers(article: pd.DataFrame, lo: float, hi: float, x: alt.X, y: alt.Y, present) -> list[alt.Chart]:
    """The article's claimed counts as diamonds joined by a line; its "diverges" as text."""
    a = article[(article["lr"] >= lo) & (article["lr"] <= hi)].copy()
    a["series"] = "Gradient Descent in PyTorch"
    a_conv = a[a["steps"].notna()].rename(columns={"steps": "shown"})
    layers = []
    if len(a_conv):
        layers.append(alt.Chart(a_conv).mark_line(color=ARTICLE, strokeWidth=1.5, opacity=0.7).encode(x=x, y=y))
        layers.append(alt.Chart(a_conv).mark_point(size=150, filled=True, stroke="white", strokeWidth=1).encode(
            x=x, y=y, color=_color(present), shape=_shape(present),
            tooltip=[alt.Tooltip("lr:Q", title="learning rate", format="g"),
                     alt.Tooltip("shown:Q", title="Gradient Descent in PyTorch claims (steps)")]))
    a_div = a[a["steps"].isna()]
    if len(a_div):
        layers.append(alt.Chart(a_div.assign(txt="article: diverges")).mark_text(
            color=ARTICLE, fontSize=11, fontWeight="bold", dy=16, align="right", dx=4).encode(
            x=x, y=alt.value(4), text=alt.Text("txt:N")))
    return layers


def steps_chart(table: pd.DataFrame, steps: int, lo: float, hi: float, rules: tuple = (),
                predicted: pd.DataFrame | None = None, article: pd.DataFrame | None = None,
                height: int = HEIGHT, predicted_label: str = "theory (worst case)") -> alt.Chart:
    """Steps to converge against the learning rate, both axes logarithmic; ``rules`` are
    :func:`theory_rules`' plain values (layers are built here, only when a spec is made).

    ``table``: lr, status, steps_to_converge, diverged_at (rows outside [lo, hi] are not
    drawn). ``predicted``: lr, steps (a theory curve, drawn dashed, named ``predicted_label``:
    a key of SERIES). ``article``: lr,
    steps (None = "diverges") — the article's numbers, as diamonds joined by a line.
    """
    t = _in_range(table, lo, hi)
    t["steps"] = pd.to_numeric(t["steps_to_converge"], errors="coerce").astype(float)
    conv = t[t["status"] == "converged"].assign(series="converged")
    conv["shown"] = conv["steps"].clip(lower=1)   # 0 steps (already within tol) is drawn at 1
    stuck = t[t["status"] == "not converged"].assign(series="not converged", shown=float(steps))
    div = t[t["status"] == "diverged"].assign(what="diverged: no finite loss to plot")
    has_article = article is not None and len(article)
    has_predicted = predicted is not None and len(predicted)
    present = ({"converged", "not converged", "diverged"} & set(t["status"])
               | ({"Gradient Descent in PyTorch"} if has_article else set()) | ({predicted_label} if has_predicted else set()))
    y, ymax = _steps_axis(conv, steps, article)
    x = rate_axis(lo, hi)
    layers = _budget_layers(steps, y) + rule_layers(rules) + _measured_layers(conv, stuck, x, y, present)
    if has_predicted:
        layers.append(_predicted_layer(predicted, predicted_label, x, y, ymax, present))
    if has_article:
        layers.extend(_article_layers(article, lo, hi, x, y, present))
    if len(div):
        layers.append(_diverged_strip(div, lo, hi, "status", present))
    return alt.layer(*layers).properties(height=height)


def final_loss_chart(table: pd.DataFrame, lo: float, hi: float, y_title: str, tol_line: float | None = None,
                     rules: tuple = (), height: int = HEIGHT) -> alt.Chart:
    """The final gap (final loss − reference; see dlcore.lr_study.study_table) against
    the rate, log–log. Gaps of exactly 0 — or below the plot's floor — are drawn at the
    floor as hollow points (the tooltip has the exact value)."""
    t = _in_range(table, lo, hi)
    ok = t[t["status"] != "diverged"].copy()
    gap = pd.to_numeric(ok["final_gap"], errors="coerce").astype(float)
    ok = ok[np.isfinite(gap)]
    gap = gap[np.isfinite(gap)]
    pos = gap[gap > 0]
    floor = float(pos.min()) / 10 if len(pos) else 1e-12
    if tol_line is not None and tol_line > 0:
        floor = min(floor, tol_line / 10)
    ok["gap"] = gap
    ok["shown"] = gap.clip(lower=floor)
    ok["at_floor"] = gap < floor
    ok["series"] = ok["status"]
    div = t[t["status"] == "diverged"].assign(what="diverged: the loss blew up")
    present = set(ok["series"]) | ({"diverged"} if len(div) else set())
    top = float(ok["shown"].max()) if len(ok) else 1.0
    ys = alt.Scale(type="log", domain=[floor, max(top, tol_line or 0) * 3], nice=False)
    y = alt.Y("shown:Q", title=y_title, scale=ys, axis=alt.Axis(format="~e"))
    layers = rule_layers(rules)
    if tol_line is not None and tol_line > 0:
        tl = pd.DataFrame({"shown": [tol_line], "label": [f"tolerance {tol_line:g}"]})
        layers.append(alt.Chart(tl).mark_rule(color=MEASURED, strokeDash=[2, 3]).encode(y=y))
        layers.append(alt.Chart(tl).mark_text(align="left", dx=4, dy=-7, color=MEASURED, fontSize=11).encode(
            x=alt.value(0), y=y, text=alt.Text("label:N")))
    tip = [alt.Tooltip("lr:Q", title="learning rate", format=".4g"), alt.Tooltip("series:N", title="status"),
           alt.Tooltip("gap:Q", title=y_title.split(" (")[0], format=".4g"),
           alt.Tooltip("final_loss:Q", title="final loss", format=".6g")]
    if len(ok):
        layers.append(alt.Chart(ok).mark_line(color=MEASURED, strokeWidth=1, opacity=0.35).encode(
            x=rate_axis(lo, hi), y=y))
        layers.append(alt.Chart(ok[~ok["at_floor"]]).mark_point(size=55, filled=True, opacity=0.9).encode(
            x=rate_axis(lo, hi), y=y, color=_color(present), shape=_shape(present), tooltip=tip))
        fl = ok[ok["at_floor"]]
        if len(fl):
            layers.append(alt.Chart(fl).mark_point(size=55, filled=False, strokeWidth=1.5).encode(
                x=rate_axis(lo, hi), y=y, color=_color(present), shape=_shape(present), tooltip=tip))
    if len(div):
        layers.append(_diverged_strip(div, lo, hi, "status", present))
    return alt.layer(*layers).properties(height=height)


def range_test_chart(table: pd.DataFrame, suggestions: dict, chosen: str | None = None,
                     height: int = HEIGHT) -> alt.Chart:
    """Loss against the (growing) learning rate of a range test: each step's raw loss
    (thin) and the smoothed loss (bold), the suggestions as labelled rules.

    The y axis spans the smoothed loss from its minimum to a little above its start;
    the final blow-up (the test stops once it passes 4× its best) and raw spikes leave
    through the top edge rather than flattening the interesting part."""
    t = finite(table, ["lr", "loss", "smoothed"], positive=False)
    t = t[t["lr"] > 0]
    if t.empty:
        return alt.Chart(pd.DataFrame({"lr": [1.0]})).mark_point(opacity=0)
    lo, hi = float(t["lr"].min()), float(t["lr"].max())
    s = t["smoothed"].to_numpy()
    # Frame the useful part: from the lowest smoothed loss to a little above the start.
    # The blow-up at the end leaves through the top edge (clipped), which reads clearly.
    ymin = float(min(np.min(s), np.min(t["loss"].to_numpy())))
    ymax = float(min(max(np.max(s), s[0]), s[0] + max(s[0] - ymin, abs(s[0]) * 0.05)))
    pad = (ymax - ymin) * 0.08 or abs(ymax) * 0.05 or 1.0
    ys = alt.Scale(domain=[ymin - pad, ymax + pad], nice=False, zero=False)
    long = pd.concat([t.assign(kind="raw loss", value=t["loss"]),
                      t.assign(kind="smoothed (EMA β 0.98)", value=t["smoothed"])])
    lines = alt.Chart(long).mark_line(clip=True).encode(
        x=rate_axis(lo, hi, "learning rate η (grows every step; log scale)"),
        y=alt.Y("value:Q", title="training loss", scale=ys),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=["#9ca3af", MEASURED]),
                        legend=alt.Legend(orient="bottom", labelLimit=320)),
        strokeWidth=alt.StrokeWidth("kind:N", scale=alt.Scale(range=[1.2, 3]), legend=None),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("lr:Q", title="learning rate", format=".3g"),
                 alt.Tooltip("loss:Q", format=".5g"), alt.Tooltip("smoothed:Q", format=".5g")])
    layers = [lines]
    colors = {"valley": "#009E73", "steep": "#CC79A7", "min/10": "#E69F00"}
    for k, (name, v) in enumerate(suggestions.items()):
        if not (v and math.isfinite(v)):
            continue
        label = f"{name}: {v:.2g}" + (" ◀ verified below" if name == chosen else "")
        layers.extend(rule(v, label, colors.get(name, "#374151"), dash=(1, 0) if name == chosen else (6, 4),
                           align=label_side(v, lo, hi), dy=14 + 18 * k))
    return alt.layer(*layers).properties(height=height)


ROLE_COLORS = {"too small": "#56B4E9", "good": "#009E73", "too large": DIVERGED}


def role_curves_chart(df: pd.DataFrame, y: str, y_title: str, roles: dict, height: int = 380) -> alt.Chart:
    """Loss curves of a few rates, coloured by role (too small: light blue, good: green,
    too large: red; other rates: the default palette). ``roles`` maps each label to a
    role or None. Log y; a diverged run ends in a ✕ at its last finite point."""
    from .core import divergence_points
    labels = list(dict.fromkeys(df["label"]))
    palette = ["#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#009E73", "#F0E442"]
    colors = [ROLE_COLORS.get(roles.get(lab), palette[k % len(palette)]) for k, lab in enumerate(labels)]
    scale = alt.Scale(domain=labels, range=colors)
    data = finite(df, ["step", y], positive=True)
    color = alt.Color("label:N", title="rate", scale=scale, sort=labels,
                      legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=260))
    tip = [alt.Tooltip("label:N", title="run"), alt.Tooltip("step:Q"), alt.Tooltip(f"{y}:Q", format=".4g")]
    layers = [alt.Chart(data).mark_line(strokeWidth=2.6).encode(
        x=alt.X("step:Q", title="step"), y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log")),
        color=color, tooltip=tip)]
    div = finite(divergence_points(df, "step", y), y, positive=True)
    if len(div):
        layers.append(alt.Chart(div.assign(status="diverged here")).mark_point(
            shape="cross", size=220, filled=True).encode(
            x=alt.X("step:Q"), y=alt.Y(f"{y}:Q"), color=color,
            tooltip=tip + [alt.Tooltip("status:N")]))
    return alt.layer(*layers).properties(height=height)
