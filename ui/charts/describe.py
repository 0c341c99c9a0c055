"""A chart's text alternative and its "data as a table", read from its Vega-Lite spec.

Pure (no Streamlit): :func:`describe` turns a spec whose ``datasets`` hold the chart's data
(DataFrames, record lists or Arrow IPC bytes) into one sentence that says what the chart
shows and its key numbers — what a screen reader says instead of reading the marks point by
point (WCAG 1.1.1), e.g.

    Line chart of loss (MSE) against epoch, 2 series: SGD falls from 30 to 0.0341 over
    epoch 0 to 100; Adam falls from 30 to 0.0021 over epoch 0 to 100 (lowest 0.0019 at 87).

:func:`tables` says which of the chart's datasets and columns are its data table: the
fields the marks encode, named by their axis and legend titles. ui.charts.render uses both
for every chart it draws (issue 19).

How a chart is read: its unit views (layers, concatenations) are collected with the data
they inherit; each is classed by its mark — heatmap (rect with x2/y2 and a quantitative
colour), grid (rect over two nominal axes), bar, line, area, points; rules and text are
annotations. The first class present in that order is the chart's kind and is described
in full; lines over a heatmap (optimizer paths) are described as paths.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ui.format import short

KINDS = ("heatmap", "grid", "bar", "line", "area", "points")
NAMES = {"heatmap": "Heatmap", "grid": "Grid", "bar": "Bar chart", "line": "Line chart",
         "area": "Area chart", "points": "Scatter plot"}
MAX_GROUPS = 6          # series named in a sentence; the rest are counted
MAX_BARS = 12
CHANNELS = ("x", "x2", "y", "y2", "color", "fill", "stroke", "shape", "size", "strokeDash",
            "detail", "text", "theta", "xOffset")


@dataclass
class View:
    """One unit view of a chart: its mark, encoding and data."""
    mark: str
    enc: dict
    data: str | None
    frame: pd.DataFrame | None = None
    kind: str = "annotation"
    extra: dict = field(default_factory=dict)


def _frame(value) -> pd.DataFrame | None:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        import pyarrow as pa
        return pa.ipc.open_stream(io.BytesIO(bytes(value))).read_all().to_pandas()
    if isinstance(value, list):
        return pd.DataFrame(value)
    return None


def _mark(view: dict) -> str:
    m = view.get("mark")
    return m if isinstance(m, str) else (m or {}).get("type", "")


def _views(spec: dict, data: str | None = None, inline=None) -> list[tuple[dict, str | None, object]]:
    d = spec.get("data")
    if isinstance(d, dict) and d.get("name"):
        data, inline = d["name"], None
    elif isinstance(d, dict) and isinstance(d.get("values"), list):
        data, inline = None, d["values"]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        if key in spec:
            return [v for sub in spec[key] for v in _views(sub, data, inline)]
    if "spec" in spec:
        return _views(spec["spec"], data, inline)
    return [(spec, data, inline)] if "mark" in spec else []


def _enc(view: dict, ch: str) -> dict:
    e = view.get("encoding", {}).get(ch)
    return e if isinstance(e, dict) else {}


def _kind(v: View) -> str:
    x, y = v.enc.get("x", {}), v.enc.get("y", {})
    colour = v.enc.get("color") or v.enc.get("fill") or {}
    if v.mark == "rect":
        if x.get("type") in ("nominal", "ordinal") and y.get("type") in ("nominal", "ordinal"):
            return "grid"
        if "x2" in v.enc and "y2" in v.enc and colour.get("type") == "quantitative":
            return "heatmap"
        return "annotation"
    if v.mark == "bar":
        return "bar"
    if v.mark in ("line", "trail"):
        return "line"
    if v.mark == "area":
        return "area"
    if v.mark in ("point", "circle", "square", "tick") and x.get("field") and y.get("field"):
        return "points"
    return "annotation"


def read(spec: dict, frames: bool = True) -> list[View]:
    """The chart's unit views with their data as DataFrames (annotations included;
    ``frames=False``: without the data)."""
    datasets = spec.get("datasets", {}) or {}
    cache: dict[str, pd.DataFrame | None] = {}
    out = []
    for view, name, inline in _views(spec):
        enc = {ch: _enc(view, ch) for ch in CHANNELS if _enc(view, ch)}
        tip = view.get("encoding", {}).get("tooltip")
        if name is not None and name not in cache:
            cache[name] = _frame(datasets.get(name)) if frames else None
        df = cache.get(name) if name is not None else (_frame(inline) if inline is not None and frames else None)
        v = View(_mark(view), enc, name, df, extra={"tooltip": tip if isinstance(tip, list) else [tip] if tip else []})
        v.kind = _kind(v)
        out.append(v)
    return out


def _titles(views: list[View]) -> dict[str, str]:
    """Axis/legend title per (channel, field), taken from any view that gives one."""
    out: dict[str, str] = {}
    for v in views:
        for ch, e in list(v.enc.items()) + [("tooltip", t) for t in v.extra["tooltip"] if isinstance(t, dict)]:
            f, t = e.get("field"), e.get("title")
            if f and isinstance(t, str) and t.strip() and (ch, f) not in out:
                out[(ch, f)] = t.strip()
                out.setdefault(("any", f), t.strip())
    return out


def _title(titles: dict, ch: str, f: str | None) -> str:
    if not f:
        return ""
    return titles.get((ch, f)) or titles.get(("any", f)) or f.replace("_", " ")


def _num(s) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _group_field(v: View) -> str | None:
    for ch in ("color", "fill", "stroke", "strokeDash", "shape"):
        e = v.enc.get(ch, {})
        if e.get("field") and e.get("type") in ("nominal", "ordinal"):
            return e["field"]
    return None


def _series(v: View, name: str, x: str, y: str, x_title: str, ordinal_x: bool,
            first_series: bool = True, beside_named: bool = False) -> str | None:
    """'SGD falls from 30 to 0.0341 over epoch 0 to 100 (lowest 0.0019 at 87)'."""
    d = v.frame
    detail = v.enc.get("detail", {}).get("field")
    ys = _num(d[y])
    ok = np.isfinite(ys)
    if not ordinal_x:
        xs = _num(d[x])
        ok &= np.isfinite(xs)
    if not ok.any():
        return f"{name} has no finite values".strip()
    x_title = x_title if first_series else ""
    d = d[ok]
    if detail and detail in d.columns and d[detail].nunique() > 1:
        ends = d.sort_values(x).groupby(detail, sort=False)[y].last() if not ordinal_x else d.groupby(detail)[y].last()
        e = _num(ends)
        return (f"{name} {d[detail].nunique()} lines ending between {short(np.nanmin(e))} and {short(np.nanmax(e))}").strip()
    if not ordinal_x:
        d = d.sort_values(x, kind="stable")
    ys = _num(d[y])
    if not name and beside_named and len(d) == 2 and not ordinal_x:   # e.g. an ROC's chance diagonal
        xs2 = _num(d[x])
        return f"a straight line from ({short(xs2[0])}, {short(ys[0])}) to ({short(xs2[1])}, {short(ys[1])})"
    first, last = ys[0], ys[-1]
    verb = "falls" if last < first else "rises" if last > first else "stays"
    xcol = d[x].to_numpy() if ordinal_x else _num(d[x])

    def xt(i: int) -> str:          # only the few x values the sentence names are formatted
        return str(xcol[i]) if ordinal_x else short(xcol[i])
    lo, hi = int(np.argmin(ys)), int(np.argmax(ys))
    flat = ys[lo] == ys[hi]
    text = (f"{name} {verb} from {short(first)} to {short(last)}" if verb != "stays" else
            f"{name} stays at {short(first)}" if flat else f"{name} starts and ends at {short(first)}")
    text += f" over {x_title} {xt(0)} to {xt(-1)}".replace("  ", " ")
    span = abs(np.nanmax(ys) - np.nanmin(ys)) or 1.0
    extremes = []
    if ys[lo] < min(first, last) - 0.01 * span:
        extremes.append(f"lowest {short(ys[lo])} at {xt(lo)}")
    if ys[hi] > max(first, last) + 0.01 * span:
        extremes.append(f"highest {short(ys[hi])} at {xt(hi)}")
    if extremes:
        text += " (" + ", ".join(extremes) + ")"
    return text.strip()


def _groups(v: View) -> list[tuple[str, View]]:
    g = _group_field(v)
    if not g or g not in v.frame.columns:
        return [("", v)]
    return [(str(k), View(v.mark, v.enc, v.data, sub, v.kind, v.extra))
            for k, sub in v.frame.groupby(g, sort=False, dropna=False)]


def _usable(v: View, *fields) -> bool:
    return v.frame is not None and len(v.frame) > 0 and all(f and f in v.frame.columns for f in fields)


def _lines(views: list[View], titles: dict) -> tuple[str, str]:
    main = [v for v in views if _usable(v, v.enc.get("x", {}).get("field"), v.enc.get("y", {}).get("field"))]
    if not main:
        return "", ""
    x = main[0].enc["x"]["field"]
    y = main[0].enc["y"]["field"]
    x_title, y_title = _title(titles, "x", x), _title(titles, "y", y)
    ordinal = main[0].enc["x"].get("type") in ("nominal", "ordinal")
    parts, seen, more = [], set(), 0
    beside_named = any(_group_field(v) for v in main)
    for v in main:
        vx, vy = v.enc["x"]["field"], v.enc["y"]["field"]
        for name, g in _groups(v):
            if (name, vx, vy) in seen:
                continue
            seen.add((name, vx, vy))
            if len(parts) >= MAX_GROUPS:        # counted, not described
                more += 1
                continue
            parts.append(_series(g, name, vx, vy, x_title, ordinal, not parts, beside_named))
    named = [p for p in parts if p] + [""] * more
    head = f"of {y_title} against {x_title}"
    if len(named) > 1:
        head += f", {len(named)} series"
    body = "; ".join(named[:MAX_GROUPS]) + (f"; and {len(named) - MAX_GROUPS} more" if len(named) > MAX_GROUPS else "")
    return head, body


def _bars(views: list[View], titles: dict) -> tuple[str, str]:
    v = next((v for v in views if _usable(v, v.enc.get("x", {}).get("field"), v.enc.get("y", {}).get("field"))), None)
    if v is None:
        return "", ""
    x, y = v.enc["x"]["field"], v.enc["y"]["field"]
    if v.enc["x"].get("type") == "quantitative" and v.enc["y"].get("type") != "quantitative":
        x, y = y, x          # horizontal bars: the categories are on y
    cat_title, val_title = _title(titles, "x", x) if x == v.enc["x"]["field"] else _title(titles, "y", x), \
        _title(titles, "y", y) if y == v.enc["y"]["field"] else _title(titles, "x", y)
    parts = []
    for name, g in _groups(v):
        vals = [f"{k} {short(val)}" for k, val in zip(g.frame[x].astype(str), _num(g.frame[y]))]
        if len(vals) > MAX_BARS:
            vals = vals[:MAX_BARS] + [f"and {len(g.frame) - MAX_BARS} more"]
        parts.append((f"{name}: " if name else "") + ", ".join(vals))
    return f"of {val_title} by {cat_title}", "; ".join(parts[:MAX_GROUPS])


def _points(views: list[View], titles: dict) -> tuple[str, str]:
    main = [v for v in views if _usable(v, v.enc.get("x", {}).get("field"), v.enc.get("y", {}).get("field"))]
    if not main:
        return "", ""
    v = max(main, key=lambda v: len(v.frame))
    x, y = v.enc["x"]["field"], v.enc["y"]["field"]
    x_title, y_title = _title(titles, "x", x), _title(titles, "y", y)
    xs, ys = _num(v.frame[x]), _num(v.frame[y])
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return f"of {y_title} against {x_title}", "no finite points"
    body = f"{int(ok.sum())} points"
    gs = _groups(v)
    if len(gs) > 1:
        body += " (" + ", ".join(f"{n}: {len(g.frame)}" for n, g in gs[:MAX_GROUPS]) + ")"
    body += f"; {x_title} from {short(np.min(xs[ok]))} to {short(np.max(xs[ok]))}"
    if "axis" in v.enc["y"] and v.enc["y"]["axis"] is None:       # y only spreads the dots apart
        return f"of {x_title}", body
    body += f", {y_title} from {short(np.min(ys[ok]))} to {short(np.max(ys[ok]))}"
    return f"of {y_title} against {x_title}", body


def _heatmap(views: list[View], titles: dict) -> tuple[str, str]:
    v = next(v for v in views if v.kind == "heatmap")
    ce = v.enc.get("color") or v.enc.get("fill")
    x, y = v.enc["x"].get("field"), v.enc["y"].get("field")
    x_title, y_title = _title(titles, "x", x), _title(titles, "y", y)
    d = v.frame
    if d is None or not len(d):
        return f"of {_title(titles, 'color', ce.get('field'))} over {x_title} and {y_title}", ""
    # The cell centres and the value as the tooltip names them (the colour may be a shade
    # or band computed from the value; the rect edges may be computed by a transform).
    tips = [(t.get("field"), t.get("title") or t.get("field")) for t in v.extra["tooltip"]
            if isinstance(t, dict) and t.get("field") in d.columns]
    cx_f = next((f for f, t in tips if t == x_title), None)
    cy_f = next((f for f, t in tips if t == y_title), None)
    val_f, val_title = next(((f, t) for f, t in tips if f not in (cx_f, cy_f) and
                             pd.api.types.is_numeric_dtype(d[f])), (ce.get("field"), None))
    val_title = val_title or _title(titles, "color", val_f)
    head = f"of {val_title} over {x_title} and {y_title}"

    def centre(f_centre, f_lo, f_hi):
        if f_centre:
            return _num(d[f_centre])
        if f_lo in d.columns and f_hi in d.columns:
            return (_num(d[f_lo]) + _num(d[f_hi])) / 2
        return None
    cx = centre(cx_f, x, v.enc["x2"].get("field"))
    cy = centre(cy_f, y, v.enc["y2"].get("field"))
    if cx is None or cy is None or val_f not in d.columns:
        return head, ""
    val = _num(d[val_f])
    ok = np.isfinite(val) & np.isfinite(cx) & np.isfinite(cy)
    if not ok.any():
        return head, ""
    i = int(np.nanargmin(np.where(ok, val, np.nan)))
    body = (f"{x_title} {short(np.min(cx[ok]))} to {short(np.max(cx[ok]))}, "
            f"{y_title} {short(np.min(cy[ok]))} to {short(np.max(cy[ok]))}; "
            f"{val_title} from {short(np.min(val[ok]))} to {short(np.max(val[ok]))}, "
            f"lowest at ({short(cx[i])}, {short(cy[i])})")
    paths = []
    for p in views:
        if p.kind != "line":
            continue
        px, py = p.enc.get("x", {}).get("field"), p.enc.get("y", {}).get("field")
        if not _usable(p, px, py):
            continue
        order = p.enc.get("order", {}).get("field")
        for name, g in _groups(p):
            gd = g.frame
            if order and order in gd.columns:
                gd = gd.sort_values(order, kind="stable")
            gx, gy = _num(gd[px]), _num(gd[py])
            okp = np.isfinite(gx) & np.isfinite(gy)
            if okp.sum() < 2:
                continue
            gx, gy = gx[okp], gy[okp]
            paths.append((f"{name} " if name else "") + f"path from ({short(gx[0])}, {short(gy[0])}) to "
                         f"({short(gx[-1])}, {short(gy[-1])}) in {len(gx)} points")
    for p in views:          # many points over the map (e.g. random starts), by group
        if p.kind == "points" and p.frame is not None and len(p.frame) >= 5:
            gs = _groups(p)
            what = _title(titles, "color", _group_field(p)) if len(gs) > 1 else ""
            paths.append(f"{len(p.frame)} points" + (f" by {what}: " + ", ".join(f"{n}: {len(g.frame)}" for n, g in gs[:MAX_GROUPS])
                                                      if len(gs) > 1 else ""))
    if paths:
        body += "; " + "; ".join(paths[:MAX_GROUPS]) + (f"; and {len(paths) - MAX_GROUPS} more paths"
                                                        if len(paths) > MAX_GROUPS else "")
    return head, body


def _grid(views: list[View], titles: dict) -> tuple[str, str]:
    v = next(v for v in views if v.kind == "grid")
    x, y = v.enc["x"].get("field"), v.enc["y"].get("field")
    x_title, y_title = _title(titles, "x", x), _title(titles, "y", y)
    texts = [t for t in views if t.mark == "text" and t.data == v.data and t.enc.get("text", {}).get("field")]
    value = next((t.enc["text"]["field"] for t in texts if t.enc["text"].get("type") == "quantitative"),
                 texts[0].enc["text"]["field"] if texts else (v.enc.get("color") or {}).get("field"))
    head = f"of {_title(titles, 'text', value)} by {y_title} and {x_title}"
    if not _usable(v, x, y, value):
        return head, ""
    def name(title, v_):
        return str(v_) if title and title in str(v_) else f"{title} {v_}".strip()
    cells = [f"{name(y_title, a)}, {name(x_title, b)}: {short(c) if isinstance(c, (int, float, np.number)) else c}"
             for a, b, c in zip(v.frame[y], v.frame[x], v.frame[value])]
    return head, "; ".join(cells[:16]) + (f"; and {len(cells) - 16} more" if len(cells) > 16 else "")


def _diagram(views: list[View]) -> str:
    nodes = sum(len(v.frame) for v in views if v.frame is not None and v.mark in ("point", "circle", "square"))
    links = [v for v in views if v.mark == "rule" and "x2" in v.enc and "y2" in v.enc and v.frame is not None]
    text = f"Diagram with {nodes} nodes and {sum(len(v.frame) for v in links)} connections"
    for v in links:
        e = v.enc.get("stroke") or v.enc.get("color") or {}
        f = e.get("field")
        if f and e.get("type") == "quantitative" and f in v.frame.columns:
            w = _num(v.frame[f])
            if np.isfinite(w).any():
                text += f"; {e.get('title') or f} from {short(np.nanmin(w))} to {short(np.nanmax(w))}"
    return text


def describe(spec: dict) -> str:
    """One sentence: the chart's kind, what is plotted against what, and its key numbers."""
    try:
        views = read(spec)
    except Exception:               # noqa: BLE001 - a spec this reader does not know: say what it can
        views = []
    titles = _titles(views)
    kind = next((k for k in KINDS if any(v.kind == k for v in views)), None)
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else title
    prefix = f"{str(title).strip().rstrip('.')}. " if title else ""
    if kind is None:
        return prefix + (_diagram(views) if views else "Chart") + "."
    main = [v for v in views if v.kind == kind]
    if kind in ("line", "area", "points") and all(
            "axis" in v.enc.get(ch, {}) and v.enc[ch]["axis"] is None for v in main for ch in ("x", "y")):
        return prefix + _diagram(views) + "."          # no axes at all: a drawing, not a plot
    try:
        head, body = {"heatmap": _heatmap, "grid": _grid, "bar": _bars, "line": _lines, "area": _lines,
                      "points": _points}[kind](views if kind in ("heatmap", "grid") else main, titles)
    except Exception:               # noqa: BLE001 - never fail a page for want of a sentence
        head, body = "", ""
    return prefix + NAMES[kind] + (f" {head}" if head else "") + (f": {body}" if body else "") + "."


def tables(spec: dict) -> list[dict]:
    """The chart's data as tables: for each dataset that a non-annotation mark draws (the
    chart's kind first), the fields its marks encode (and their tooltips), named by their
    titles. Each item: {"data": dataset name, "columns": [(field, title), ...], "what": kind}."""
    try:
        views = read(spec)
    except Exception:               # noqa: BLE001
        return []
    titles = _titles(views)
    rank = {k: i for i, k in enumerate(KINDS)}
    drawn = sorted((v for v in views if v.kind != "annotation" and v.data), key=lambda v: rank[v.kind])
    if not drawn:
        drawn = [v for v in views if v.data]
    out: dict[str, dict] = {}
    for v in drawn:
        item = out.setdefault(v.data, {"data": v.data, "columns": [], "what": NAMES.get(v.kind, "Annotations")})
        fields = [("tooltip", t.get("field"), t.get("title")) for t in v.extra["tooltip"] if isinstance(t, dict)] + \
                 [(ch, e.get("field"), None) for ch, e in v.enc.items() if ch not in ("x2", "y2")]
        have = {f for f, _ in item["columns"]} | {t for _, t in item["columns"]}
        for ch, f, given in fields:
            title = given or _title(titles, ch, f)
            if f and f not in have and title not in have and (v.frame is None or f in v.frame.columns):
                item["columns"].append((f, title))
                have |= {f, title}
    return [t for t in out.values() if t["columns"]]


def frame_of(value) -> pd.DataFrame | None:
    """A dataset as a DataFrame: from a DataFrame, a list of records or Arrow IPC bytes."""
    return _frame(value)


def signature(spec: dict) -> str:
    """A short, data-independent name of the chart: its kind and the fields and titles on
    its main view's axes. Equal for the same chart drawn with other numbers."""
    import hashlib
    try:
        views = read(spec, frames=False)
    except Exception:               # noqa: BLE001
        views = []
    kind = next((k for k in KINDS if any(v.kind == k for v in views)), "chart")
    main = next((v for v in views if v.kind == kind), None)
    parts = [kind] + ([f"{ch}={main.enc.get(ch, {}).get('field')}:{main.enc.get(ch, {}).get('title')}"
                       for ch in ("x", "y", "color")] if main else [])
    title = spec.get("title")
    return kind + "-" + hashlib.blake2b(repr((parts, title)).encode(), digest_size=5).hexdigest()
