"""Chart builders used across pages: loss curves, loss surfaces with optimizer paths,
points with a fitted line.

Every builder takes tidy pandas DataFrames and returns an Altair chart. They never
draw non-finite values: a diverged run's curve stops at its last finite point, which is
marked with a ✕ and "diverged" in the tooltip — so no NaN or inf ever reaches an axis.
Long runs should be thinned before they get here (``TrainResult.history(max_points=…)``)
to keep every chart to a few thousand marks.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

HEIGHT = 320


def finite(df: pd.DataFrame, cols, positive: bool = False) -> pd.DataFrame:
    """Rows whose ``cols`` are all finite (and > 0 when ``positive``, for log axes)."""
    cols = [cols] if isinstance(cols, str) else list(cols)
    ok = np.ones(len(df), dtype=bool)
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
        ok &= np.isfinite(v)
        if positive:
            ok &= v > 0
    return df[ok]


def divergence_points(df: pd.DataFrame, x: str, y: str, color: str = "label") -> pd.DataFrame:
    """For each run that diverged, its last finite (x, y): where to put the ✕."""
    if "diverged" not in df.columns or not df["diverged"].any():
        return df.iloc[0:0]
    runs = df.loc[df["diverged"], "run"].unique()
    sub = finite(df[df["run"].isin(runs)], y)
    return sub.sort_values(x).groupby("run", as_index=False).tail(1)


def loss_chart(df: pd.DataFrame, y: str = "loss", x: str = "step", color: str = "label", log: bool = False,
               title: str | None = None, y_title: str | None = None, x_title: str | None = None,
               height: int = HEIGHT, legend_title: str | None = None, dash: str | None = None,
               x_log: bool = False) -> alt.Chart:
    """Line per run of ``y`` against ``x``; diverged runs end in a ✕ at their last finite value."""
    data = finite(df, [x, y])
    if log:
        data = finite(data, y, positive=True)     # only the log axis needs positive values (step 0 stays)
    if x_log:
        data = finite(data, x, positive=True)
    ys = alt.Scale(type="log") if log else alt.Scale(zero=False)
    xs = alt.Scale(type="log") if x_log else alt.Scale()
    enc = dict(
        x=alt.X(f"{x}:Q", title=x_title or x.replace("_", " "), scale=xs),
        y=alt.Y(f"{y}:Q", title=y_title or y.replace("_", " "), scale=ys),
        color=alt.Color(f"{color}:N", title=legend_title or color.replace("_", " "), sort=None),
        tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{x}:Q"), alt.Tooltip(f"{y}:Q", format=".6g")],
    )
    if dash:
        enc["strokeDash"] = alt.StrokeDash(f"{dash}:N", title=dash.replace("_", " "))
    lines = alt.Chart(data).mark_line(strokeWidth=2.2).encode(**enc)
    layers = [lines]
    div = divergence_points(df, x, y, color)
    if log:
        div = finite(div, y, positive=True)
    if len(div):
        layers.append(alt.Chart(div.assign(status="diverged here")).mark_point(
            shape="cross", size=180, filled=True, strokeWidth=1).encode(
            x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"),
            color=alt.Color(f"{color}:N", sort=None, title=legend_title or color.replace("_", " ")),
            tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip("status:N"), alt.Tooltip(f"{x}:Q"),
                     alt.Tooltip(f"{y}:Q", format=".4g")]))
    chart = alt.layer(*layers).properties(height=height)
    if title:
        chart = chart.properties(title=title)
    return chart


def _shade(loss: np.ndarray, log: bool) -> tuple[np.ndarray, str]:
    """Colour values for a loss heatmap: log10 of (loss − min + a small offset) when the
    range is wide, so both the valley floor and the walls are visible."""
    v = np.asarray(loss, dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros_like(v), "loss"
    lo, hi = np.nanmin(v[ok]), np.nanmax(v[ok])
    if log:
        off = max((hi - lo) * 1e-4, 1e-12)
        out = np.where(ok, np.log10(np.where(ok, v, lo) - lo + off), np.nan)
        return out, "log₁₀(loss − min)"
    return np.where(ok, v, np.nan), "loss"


def surface_layer(grid: pd.DataFrame, window, log_color: bool, x_title: str, y_title: str,
                  n: int | None = None, height: int = 420, clip_quantile: float | None = None) -> alt.Chart:
    """Heatmap of a loss grid (columns p0, p1, loss) over window = (x0, x1, y0, y1)."""
    x0, x1, y0, y1 = window
    n = n or int(round(math.sqrt(len(grid))))
    dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
    g = grid.copy()
    shade, legend = _shade(g["loss"].to_numpy(), log_color)
    if clip_quantile is not None and np.isfinite(shade).any():
        cap = np.nanquantile(shade, clip_quantile)
        shade = np.minimum(shade, cap)
    g["shade"] = shade
    g = g[np.isfinite(g["shade"])]
    g = g.assign(a0=g["p0"] - dx / 2, a1=g["p0"] + dx / 2, b0=g["p1"] - dy / 2, b1=g["p1"] + dy / 2)
    return alt.Chart(g).mark_rect(opacity=0.9).encode(
        x=alt.X("a0:Q", title=x_title, scale=alt.Scale(domain=[x0, x1], nice=False, zero=False)),
        x2=alt.X2("a1:Q"),
        y=alt.Y("b0:Q", title=y_title, scale=alt.Scale(domain=[y0, y1], nice=False, zero=False)),
        y2=alt.Y2("b1:Q"),
        color=alt.Color("shade:Q", title=legend, scale=alt.Scale(scheme="blues", reverse=True),
                        legend=alt.Legend(orient="right", gradientLength=200)),
        tooltip=[alt.Tooltip("p0:Q", title=x_title, format=".3g"), alt.Tooltip("p1:Q", title=y_title, format=".3g"),
                 alt.Tooltip("loss:Q", format=".4g")],
    ).properties(height=height)


def clip_to_window(df: pd.DataFrame, window, x: str, y: str, margin: float = 0.25) -> pd.DataFrame:
    """Path rows inside the window (plus a margin), finite only — runs that fly off stop
    at the edge instead of stretching the axes."""
    x0, x1, y0, y1 = window
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    d = finite(df, [x, y])
    inside = d[x].between(x0 - mx, x1 + mx) & d[y].between(y0 - my, y1 + my)
    # Keep each run's rows up to its first exit.
    keep = inside.groupby(d["run"]).cummin() if "run" in d.columns else inside
    return d[keep]


def paths_layer(paths: pd.DataFrame, x: str, y: str, color: str = "label", window=None,
                upto: int | None = None) -> list[alt.Chart]:
    """Optimizer paths (ordered by step) and a dot at each run's position at ``upto``."""
    d = paths if window is None else clip_to_window(paths, window, x, y)
    if upto is not None:
        d = d[d["step"] <= upto]
    if d.empty:
        return []
    line = alt.Chart(d).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), order=alt.Order("step:Q"), color=alt.Color(f"{color}:N", sort=None, title=color),
        tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip("step:Q"), alt.Tooltip(f"{x}:Q", format=".4g"),
                 alt.Tooltip(f"{y}:Q", format=".4g"), alt.Tooltip("loss:Q", format=".4g")])
    head = d.sort_values("step").groupby("run", as_index=False).tail(1)
    dot = alt.Chart(head).mark_point(size=160, filled=True, stroke="white", strokeWidth=1.5, opacity=1).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), color=alt.Color(f"{color}:N", sort=None),
        tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".4g")])
    return [line, dot]


def markers_layer(points: pd.DataFrame, x: str = "x", y: str = "y", label: str = "label",
                  shape: str = "diamond", color: str = "#111827") -> alt.Chart:
    """Fixed markers (known minima, the least-squares optimum, the start)."""
    return alt.Chart(points).mark_point(shape=shape, size=150, filled=True, color=color, stroke="white").encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{x}:Q", format=".4g"),
                                         alt.Tooltip(f"{y}:Q", format=".4g")])


def fit_x_range(points: pd.DataFrame, pad: float = 0.08) -> tuple[float, float]:
    """The x range :func:`fit_chart` draws: the data's finite x values ± ``pad`` × their
    spread (± 1 when all x are equal). Callers drawing extra lines use this (or
    ``extra_fits``) instead of repeating the padding."""
    d = finite(points, ["x", "y"])
    xmin, xmax = float(d["x"].min()), float(d["x"].max())
    p = (xmax - xmin) * pad or 1.0
    return xmin - p, xmax + p


def fit_chart(points: pd.DataFrame, slope: float, intercept: float, x_title: str = "x", y_title: str = "y",
              residuals: bool = True, squares: bool = False, height: int = HEIGHT,
              extra_lines: pd.DataFrame | None = None, extra_fits=()) -> alt.Chart:
    """Data points (x, y), the line y = slope·x + intercept across them, residuals as
    vertical segments and, optionally, squares whose area is each squared error.
    ``extra_fits`` — (label, slope, intercept) triples — are drawn across the same x range
    (``extra_lines`` takes ready-made (x, y, label) rows instead).

    The axes have different units, so a square is drawn with its side equal to the
    residual *on screen*: its width in x units is |r| scaled by the axes' ratio."""
    d = finite(points, ["x", "y"])
    x_lo, x_hi = fit_x_range(points)
    xs = np.linspace(x_lo, x_hi, 2)
    line = pd.DataFrame({"x": xs, "y": slope * xs + intercept, "label": "your line"})
    extra = [pd.DataFrame({"x": xs, "y": m * xs + c, "label": lab}) for lab, m, c in extra_fits]
    if extra:
        extra_lines = pd.concat(([extra_lines] if extra_lines is not None else []) + extra, ignore_index=True)
    d = d.assign(pred=slope * d["x"] + intercept)
    d = d.assign(residual=d["y"] - d["pred"])
    ys = np.concatenate([d["y"].to_numpy(), d["pred"].to_numpy(), line["y"].to_numpy()])
    ylo, yhi = float(np.min(ys)), float(np.max(ys))
    ypad = (yhi - ylo) * 0.08 or 1.0
    ydom = [ylo - ypad, yhi + ypad]
    xdom = [x_lo, x_hi]
    layers = []
    if squares:
        width_px = 560.0
        ratio = ((xdom[1] - xdom[0]) / width_px) / ((ydom[1] - ydom[0]) / height)
        sq = d.assign(x2=d["x"] + d["residual"].abs() * ratio, y2=d["pred"],
                      y1=d["y"], sq=d["residual"] ** 2)
        layers.append(alt.Chart(sq).mark_rect(opacity=0.18, color="#D55E00", stroke="#D55E00").encode(
            x=alt.X("x:Q"), x2=alt.X2("x2:Q"), y=alt.Y("y1:Q"), y2=alt.Y2("y2:Q"),
            tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("sq:Q", title="squared error", format=".6g")]))
    if residuals:
        layers.append(alt.Chart(d).mark_rule(color="#D55E00", strokeDash=[4, 3], strokeWidth=1.8).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), y2=alt.Y2("pred:Q"),
            tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("y:Q"), alt.Tooltip("pred:Q", title="prediction", format=".6g"),
                     alt.Tooltip("residual:Q", format=".6g")]))
    lines = line if extra_lines is None else pd.concat([line, extra_lines], ignore_index=True)
    layers.append(alt.Chart(lines).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(domain=xdom, nice=False, zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=ydom, nice=False, zero=False)),
        color=alt.Color("label:N", title=None, sort=None),
        detail=alt.Detail("label:N")))
    layers.append(alt.Chart(d).mark_circle(size=110, color="#0072B2", opacity=1).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("y:Q")]))
    return alt.layer(*layers).properties(height=height)
