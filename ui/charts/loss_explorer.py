"""Charts of the Loss Explorer page: the data with a line, its residuals and their
squares (drawn square on screen at any chart width), each point's share of every loss,
and the learning-rate picture "how far does gradient descent get, per rate".

Nothing non-finite is drawn: diverged runs become ✕ marks on the top edge.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from .core import finite, markers_layer, paths_layer, surface_layer

LINE_COLORS = {"your line": "#0072B2", "best line (least squares)": "#009E73"}
RESIDUAL = "#D55E00"


def residual_chart(points: pd.DataFrame, slope: float, intercept: float, x_title: str, y_title: str,
                   squares: bool = False, height: int = 360,
                   extra_fits: tuple[tuple[str, float, float], ...] = (), drawn=None) -> alt.Chart:
    """Points (x, y), the line y = slope·x + intercept, every residual as a dashed vertical
    segment and, optionally, a square on each residual whose area is the squared error.
    ``extra_fits``: more lines (label, slope, intercept), drawn dashed across the same x
    range (the data ± 8 %); a line that is not finite there is left out.

    The squares are square on screen whatever width the chart gets: their width in x
    units is computed in the browser from Vega's ``width`` and ``height`` signals,
    |r| · (height · x-span) / (y-span · width). Each grows towards the middle of the data,
    and the x range is widened so that every square fits whole (not clipped into a
    rectangle) on any plot at least ``MIN_ASPECT`` times as wide as it is tall.

    ``drawn``: the row positions to draw (e.g. a fixed sample of 10,000 points); the axes
    still hold every point and every point's prediction. Beyond ``FEW`` points the marks
    get smaller and lighter so that a cloud stays readable."""
    d_all = finite(points, ["x", "y"])
    d = (d_all if drawn is None else points.iloc[np.asarray(drawn)].pipe(finite, ["x", "y"])).copy()
    many = len(d) > FEW
    xmin, xmax = float(d_all["x"].min()), float(d_all["x"].max())
    pad = (xmax - xmin) * 0.08 or 1.0
    xdom = [xmin - pad, xmax + pad]
    d["pred"] = slope * d["x"] + intercept
    d["residual"] = d["y"] - d["pred"]
    d["squared"] = d["residual"] ** 2
    xs = np.array(xdom)
    lines = pd.concat([pd.DataFrame({"x": xs, "y": k * xs + b, "label": label})
                       for label, k, b in (("your line", slope, intercept), *extra_fits)], ignore_index=True)
    lines = finite(lines, ["x", "y"])
    with np.errstate(all="ignore"):
        pred_all = slope * d_all["x"].to_numpy() + intercept
    ys = np.concatenate([d_all["y"].to_numpy(), pred_all, lines["y"].to_numpy()])
    ys = ys[np.isfinite(ys)]
    ylo, yhi = float(np.min(ys)), float(np.max(ys))
    ypad = (yhi - ylo) * 0.08 or 1.0
    ydom = [ylo - ypad, yhi + ypad]
    if squares:
        # Each square grows towards the middle of the data; widen the x domain so every square fits
        # even on a phone-shaped plot (see square_domain).
        d["side"] = np.where(d["x"] > (xmin + xmax) / 2, -1.0, 1.0)
        ydom = square_y_domain(d, ydom)
        xdom = square_domain(d, xdom, ydom)
    xspan, yspan = xdom[1] - xdom[0], ydom[1] - ydom[0]
    x_enc = alt.X("x:Q", title=x_title, scale=alt.Scale(domain=xdom, nice=False, zero=False), axis=sci_axis(*xdom))
    y_enc = alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=ydom, nice=False, zero=False), axis=sci_axis(*ydom))
    layers = []
    if squares:
        layers.append(_squares_layer(d, xspan, yspan, x_title))
    rule = dict(strokeDash=[5, 3], strokeWidth=2) if not many else dict(strokeWidth=0.6, opacity=0.35)
    layers.append(alt.Chart(d).mark_rule(color=RESIDUAL, **rule).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), y2=alt.Y2("pred"),
        tooltip=[alt.Tooltip("x:Q", title=x_title), alt.Tooltip("y:Q", title=y_title),
                 alt.Tooltip("pred:Q", title="prediction", format=".6g"),
                 alt.Tooltip("residual:Q", title="residual y − ŷ", format=".6g")]))
    # Each residual's value beside its segment, signed like the table (y − ŷ).
    lab = d.assign(mid=(d["y"] + d["pred"]) / 2,
                   text=[f"{v:+.4g}".replace("-", "−") for v in d["residual"]])
    if len(lab) <= 12:
        layers.append(alt.Chart(lab).mark_text(align="left", dx=7, fontSize=13, fontWeight="bold",
                                               color=RESIDUAL).encode(x=alt.X("x:Q"), y=alt.Y("mid:Q"),
                                                                        text=alt.Text("text:N")))
    layers.append(_lines_layer(lines, x_enc, y_enc))
    dots = dict(size=150, opacity=1, stroke="white", strokeWidth=1.5) if not many else dict(size=12, opacity=0.5)
    layers.append(alt.Chart(d).mark_circle(color="#111827", **dots).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"),
        tooltip=[alt.Tooltip("x:Q", title=x_title), alt.Tooltip("y:Q", title=y_title)]))
    return alt.layer(*layers).properties(height=height)


def sci_axis(lo: float, hi: float) -> alt.Axis:
    """Short scientific labels (2.5e+7) for an axis whose numbers are huge or tiny (own
    data); the default labels otherwise."""
    big = max(abs(float(lo)), abs(float(hi)))
    return alt.Axis(format=".2~e") if big >= 1e6 or 0 < big < 1e-3 else alt.Axis()


def _squares_layer(d: pd.DataFrame, xspan: float, yspan: float, x_title: str) -> alt.Chart:
    """A square on each residual, as wide on screen as it is tall (from Vega's width and
    height signals), growing towards ``side``."""
    return alt.Chart(d).transform_calculate(
        x2=f"datum.x + datum.side * abs(datum.residual) * (height * {xspan!r}) / ({yspan!r} * width)"
    ).mark_rect(opacity=0.16, color=RESIDUAL, stroke=RESIDUAL, strokeWidth=1, clip=True).encode(
        x=alt.X("x:Q"), x2=alt.X2("x2"), y=alt.Y("y:Q"), y2=alt.Y2("pred"),
        tooltip=[alt.Tooltip("x:Q", title=x_title), alt.Tooltip("residual:Q", format=".6g"),
                 alt.Tooltip("squared:Q", title="squared error (area)", format=".6g")])


def _lines_layer(lines: pd.DataFrame, x_enc, y_enc) -> alt.Chart:
    """The learner's line (solid) and any others (dashed), one colour each, with a legend."""
    colors = {**LINE_COLORS}
    extra_labels = [lab for lab in lines["label"].unique() if lab not in colors]
    palette = ["#CC79A7", "#E69F00", "#56B4E9"]
    for i, lab in enumerate(extra_labels):
        colors[lab] = palette[i % len(palette)]
    present = [lab for lab in colors if lab in set(lines["label"])]
    return alt.Chart(lines).mark_line(strokeWidth=3, clip=True).encode(
        x=x_enc, y=y_enc, detail=alt.Detail("label:N"),
        color=alt.Color("label:N", title=None, sort=present,
                        scale=alt.Scale(domain=present, range=[colors[k] for k in present]),
                        legend=alt.Legend(orient="top", direction="horizontal", labelLimit=320)),
        strokeDash=alt.StrokeDash("label:N", sort=present, legend=None, scale=alt.Scale(
            domain=present, range=[[1, 0] if k == "your line" else [7, 4] for k in present])))


FEW = 200                 # up to this many points: big dots, dashed residuals
MIN_ASPECT = 0.7          # plot width / height on a phone (about 300 × 430 px)
MOST = 0.9                # the widest a square may be, as a fraction of the plot's width


def square_y_domain(d: pd.DataFrame, ydom, aspect: float = MIN_ASPECT, most: float = MOST) -> list[float]:
    """The y domain, widened (evenly) when the largest residual's square would be wider than
    ``most`` of a plot ``aspect`` times as wide as tall: its side on screen is |r| / y-span of
    the plot's height, so a longer y span makes it fit."""
    need = float(d["residual"].abs().max()) / (most * aspect) if len(d) else 0.0
    lo, hi = float(ydom[0]), float(ydom[1])
    if hi - lo >= need:
        return [lo, hi]
    grow = (need - (hi - lo)) / 2
    return [lo - grow, hi + grow]


def square_domain(d: pd.DataFrame, xdom, ydom, aspect: float = MIN_ASPECT, most: float = MOST) -> list[float]:
    """The x domain that holds every residual's square drawn from x towards ``side`` (±1),
    on a plot ``aspect`` times as wide as tall or wider. A square's width is a fixed
    fraction of the plot's width, |r| / y-span / aspect (at most ``most``: a square taller
    than that cannot fit on such a plot at all)."""
    x0, x1 = float(xdom[0]), float(xdom[1])
    yspan = float(ydom[1] - ydom[0])
    frac = np.minimum(d["residual"].abs().to_numpy(dtype=float) / yspan / aspect, most)
    xs, side = d["x"].to_numpy(dtype=float), d["side"].to_numpy(dtype=float)
    for _ in range(8):        # each bound depends on the other through the span: a few rounds settle it
        right, left = side > 0, side < 0
        if right.any():
            x1 = max(x1, float(np.max(x0 + (xs[right] - x0) / (1 - frac[right]))))
        if left.any():
            x0 = min(x0, float(np.min((xs[left] - frac[left] * x1) / (1 - frac[left]))))
    return [x0, x1]


def shares_chart(shares: pd.DataFrame, x_title: str, height: int = 260, fit: bool = False) -> alt.Chart:
    """Each point's share of each loss (columns point, loss, share in 0..1) as grouped
    bars: how much one big error dominates a squared loss but not an absolute one.
    ``fit``: the y axis fits the bars (a few of thousands of points hold tiny shares)
    instead of 0–100 %, and the point labels are slanted to fit."""
    order = ["MSE", "MAE", "Huber"]
    y_scale = alt.Scale(domain=[0, 1]) if not fit else alt.Scale(zero=True, nice=True)
    return alt.Chart(shares).mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        x=alt.X("point:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=-40 if fit else 0, labelLimit=110)),
        xOffset=alt.XOffset("loss:N", sort=order),
        y=alt.Y("share:Q", title="share of the loss", axis=alt.Axis(format=".2~%" if fit else "%"), scale=y_scale),
        color=alt.Color("loss:N", title=None, sort=order, scale=alt.Scale(domain=order,
                                                                         range=["#0072B2", "#E69F00", "#009E73"]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("point:N", title=x_title), *([alt.Tooltip("x:Q", format=".6g")] if fit else []),
                 alt.Tooltip("loss:N"), alt.Tooltip("share:Q", format=".3~%" if fit else ".1%")],
    ).properties(height=height)


def rate_chart(sweep: pd.DataFrame, limits: dict[str, float], chosen: dict | None = None,
               height: int = 330) -> alt.Chart:
    """How close to the best line gradient descent gets after the same number of steps,
    per learning rate, for each scaling of the input.

    ``sweep``: lr, scale, gap (final loss − best loss), status ("converged"/"not yet"/
    "diverged"); ``limits``: scale → 2/λmax; ``chosen``: {"lr", "scale", "gap"} to ring."""
    d = sweep.copy()
    ok = d[(d["status"] != "diverged") & np.isfinite(d["gap"])].copy()
    floor = 1e-12
    ok["shown"] = ok["gap"].clip(lower=floor)
    top = float(ok["shown"].max()) * 10 if len(ok) else 1.0
    top = max(top, 10.0)
    scales = list(dict.fromkeys(d["scale"]))
    palette = ["#D55E00", "#0072B2", "#009E73"]
    color = alt.Color("scale:N", title=None, sort=scales, scale=alt.Scale(domain=scales, range=palette[:len(scales)]),
                      legend=alt.Legend(orient="top", direction="horizontal"))
    lo = float(d["lr"].min()) / 1.5
    hi = float(d["lr"].max()) * 1.5
    x = alt.X("lr:Q", title="learning rate η (log scale)", scale=alt.Scale(type="log", domain=[lo, hi]),
              axis=alt.Axis(format="~g"))
    y = alt.Y("shown:Q", title="MSE − best MSE after training (log)",
              scale=alt.Scale(type="log", domain=[floor, top]), axis=alt.Axis(format="~e"))
    tip = [alt.Tooltip("scale:N"), alt.Tooltip("lr:Q", format=".3g", title="η"),
           alt.Tooltip("gap:Q", format=".4g", title="loss − best"), alt.Tooltip("status:N")]
    layers = [alt.Chart(ok).mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=30)).encode(
        x=x, y=y, color=color, tooltip=tip)]
    bad = d[(d["status"] == "diverged") | ~np.isfinite(d["gap"])].assign(shown=top, status="diverged")
    if len(bad):
        layers.append(alt.Chart(bad).mark_point(shape="cross", size=110, filled=True, opacity=0.9).encode(
            x=alt.X("lr:Q"), y=alt.Y("shown:Q"), color=alt.Color("scale:N", sort=scales, legend=None),
            tooltip=[alt.Tooltip("scale:N"), alt.Tooltip("lr:Q", format=".3g", title="η"), alt.Tooltip("status:N")]))
    # The thresholds are dashed rules in their scaling's colour (the page's caption names them).
    lim = pd.DataFrame({"lr": list(limits.values()), "scale": list(limits.keys()),
                        "text": [f"2/λmax = {v:.3g}" for v in limits.values()]})
    lim = lim[(lim["lr"] > lo) & (lim["lr"] < hi)]
    if len(lim):
        layers.append(alt.Chart(lim).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
            x=alt.X("lr:Q"), color=alt.Color("scale:N", sort=scales, legend=None),
            tooltip=[alt.Tooltip("scale:N"), alt.Tooltip("text:N", title="divergence threshold")]))
    if chosen is not None and math.isfinite(chosen.get("gap", math.nan)):
        c = pd.DataFrame([{**chosen, "shown": max(chosen["gap"], floor)}])
        layers.append(alt.Chart(c).mark_point(size=420, strokeWidth=3, color="#111827").encode(
            x=alt.X("lr:Q"), y=alt.Y("shown:Q"), tooltip=[alt.Tooltip("scale:N"), alt.Tooltip("lr:Q", title="your η")]))
    return alt.layer(*layers).properties(height=height)


def landscape_chart(grid: pd.DataFrame, window, path: pd.DataFrame | None, yours: tuple[float, float],
                    best: tuple[float, float], height: int = 400) -> alt.Chart:
    """The MSE over (slope, intercept) as a heatmap (log colour, darker is lower), a
    gradient-descent path in original units (columns run, step, m, c, loss), the
    learner's line as ● and the least-squares line as ◆."""
    heat = surface_layer(grid, window, True, "slope m", "intercept c", height=height)
    heat.encoding.color.legend = None          # the page's caption explains the colours
    heat.encoding.color.scale = alt.Scale(scheme={"name": "blues", "count": 10}, reverse=True, type="quantize",
                                          zero=False)      # bands read like contour lines
    layers = [heat]
    if path is not None and len(path):
        drawn = paths_layer(path, "m", "c", window=window)
        for layer in drawn:                 # one run: a dark path reads best on the blue landscape
            layer.encoding.color = alt.value("#111827")
        layers += drawn
    layers.append(markers_layer(pd.DataFrame({"x": [best[0]], "y": [best[1]], "label": ["best line"]}),
                                shape="diamond", color="#009E73"))
    layers.append(markers_layer(pd.DataFrame({"x": [yours[0]], "y": [yours[1]], "label": ["your line"]}),
                                shape="circle", color="#0072B2"))
    return (alt.layer(*layers).resolve_scale(color="independent").properties(height=height)
            .configure_legend(disable=True))


def zoom_window(points: pd.DataFrame, x: str, y: str, full, pad: float = 0.2,
                min_fraction: float = 0.04) -> tuple[float, float, float, float]:
    """A window around the finite ``points`` (each axis on its own scale), padded, at
    least ``min_fraction`` of the ``full`` window wide on each axis and never outside it."""
    d = finite(points, [x, y])
    x0f, x1f, y0f, y1f = full
    out = []
    for col, lo_f, hi_f in ((x, x0f, x1f), (y, y0f, y1f)):
        v = d[col].to_numpy(dtype=float)
        v = v[(v >= lo_f) & (v <= hi_f)]
        lo, hi = (float(v.min()), float(v.max())) if len(v) else (lo_f, hi_f)
        span = max(hi - lo, (hi_f - lo_f) * min_fraction)
        mid = (lo + hi) / 2
        half = span * (0.5 + pad)
        lo, hi = max(mid - half, lo_f), min(mid + half, hi_f)
        out += [float(f"{lo:.6g}"), float(f"{hi:.6g}")]
    return tuple(out)


def points_chart(points: pd.DataFrame, x_title: str, y_title: str, drawn=None, height: int = 360) -> alt.Chart:
    """Just the points (no line, no residuals): what is drawn when the data's numbers are
    too large for any loss. ``drawn``: the row positions to draw (see residual_chart)."""
    d = points if drawn is None else points.iloc[np.asarray(drawn)]
    d = finite(d, ["x", "y"])
    many = len(d) > FEW

    def axis(col):      # huge or tiny numbers: short scientific labels instead of 30 digits
        big = float(d[col].abs().max()) if len(d) else 0.0
        return sci_axis(-big, big)
    return alt.Chart(d).mark_circle(color="#111827", size=12 if many else 150, opacity=0.5 if many else 1).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False), axis=axis("x")),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False), axis=axis("y")),
        tooltip=[alt.Tooltip("x:Q", title=x_title, format=".4g"), alt.Tooltip("y:Q", title=y_title, format=".4g")],
    ).properties(height=height)
