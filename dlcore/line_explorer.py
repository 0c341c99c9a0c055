"""Learner-edited points and a hand-moved line (article 000's loss example).

* :func:`parse_points` turns the cells of an edited table into clean (x, y) tuples, or
  raises ``ValueError`` with a message that names the row and the problem (empty cell,
  not a number, out of range, fewer than two points, all x equal, too many rows).
  Rows left completely empty — a row just added and not yet filled in — are skipped
  and reported, not treated as errors.
* :func:`slider_ranges` picks slope and intercept ranges that contain every line
  through the data's centre with a sensible slope, the least-squares line and any
  lines the page must show, in round numbers.
* :func:`loss_shares` — each point's share of the MSE, MAE and Huber loss of a line.
* :func:`loss_script` — the article's loss code for any data and line, printing the
  four losses the page shows.
* :func:`rate_outcomes` — after training the same line fit at many learning rates, how
  far above the best line's loss each one ended, and its status (diverged, within the
  "found it" band, growing, still descending).
* :func:`points_frame` — the data as an editable table (hours, score), padding a
  shorter column with empty cells.
* :func:`gd_rates` — the learning rates the page offers for data whose raw-x stability
  limit is 2/λmax: 1-2-5 per decade from below a hundredth of that limit up to 2, plus
  rates just around it and around the standardised limit 1 — so the slider's range
  follows the data's own Hessian.
* :func:`too_large` — a plain message when the data's numbers are so large that the
  squared errors, the best line or the Hessian overflow float64 (None when they fit).
* :func:`drawn_sample` — which rows a chart draws when there are too many to draw
  (a fixed random sample; every number is still computed on all rows).
* :func:`to_model` / :func:`path_to_original` convert between a line on the original
  x scale, y = m·x + c, and the parameters (w, b) of a problem that standardises x
  (x' = (x − μ)/σ, so y = w·x' + b): w = m·σ, b = c + m·μ.

Example (article 000's study-hours data)::

    >>> parse_points([10, 20, "30", 40], [480, 520, 710, 680])[:2]
    ((10.0, 20.0, 30.0, 40.0), (480.0, 520.0, 710.0, 680.0))
    >>> r = slider_ranges((10, 20, 30, 40), (480, 520, 710, 680), lines=[(9, 350)])
    >>> (r.m_lo, r.m_hi, r.m_step), (r.c_lo, r.c_hi, r.c_step)
    ((-10.0, 30.0, 0.1), (-200.0, 900.0, 2.0))
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .problems.linear import LinearProblem

__all__ = ["MAX_POINTS", "X_LIMIT", "Y_LIMIT", "parse_points", "SliderRanges", "slider_ranges", "to_model",
           "path_to_original", "loss_shares", "loss_script", "rate_outcomes", "points_frame", "REACHED",
           "gd_rates", "too_large", "drawn_sample", "LINE_LIMIT", "MAX_DRAWN"]

MAX_POINTS = 50
X_LIMIT = 10_000.0       # |hours| allowed
Y_LIMIT = 1_000_000.0    # |score| allowed
REACHED = 0.01           # "found it": the loss within 0.01 of the best line's
LINE_LIMIT = 1e15        # |slope|, |intercept| a slider may reach
MAX_DRAWN = 2000         # points a chart draws; beyond that a fixed random sample of them


def _cell(v) -> tuple[float | None, str | None]:
    """(value, None) for a number, (None, 'empty') or (None, 'text') otherwise."""
    if v is None:
        return None, "empty"
    if isinstance(v, bool):
        return None, "text"
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return (None, "empty") if math.isnan(x) else (x, None)
    s = str(v).strip()
    if not s or s.lower() in ("nan", "none", "<na>"):
        return None, "empty"
    try:
        x = float(s.replace("−", "-"))
    except ValueError:
        return None, "text"
    return (None, "text") if math.isnan(x) else (x, None)


def parse_points(xs, ys, x_name: str = "hours", y_name: str = "score", max_points: int = MAX_POINTS,
                 x_limit: float = X_LIMIT, y_limit: float = Y_LIMIT
                 ) -> tuple[tuple[float, ...], tuple[float, ...], list[str]]:
    """Clean (x, y) from table cells, plus notes about skipped empty rows.

    Raises ValueError naming the first bad row (rows are counted from 1)."""
    xs, ys = list(xs), list(ys)
    if len(xs) != len(ys):
        raise ValueError(f"The {x_name} and {y_name} columns have different lengths ({len(xs)} ≠ {len(ys)}).")
    out_x, out_y, skipped = [], [], []
    for i, (a, b) in enumerate(zip(xs, ys), start=1):
        (x, ex), (y, ey) = _cell(a), _cell(b)
        if ex == "empty" and ey == "empty":
            skipped.append(i)
            continue
        for val, err, name, limit in ((x, ex, x_name, x_limit), (y, ey, y_name, y_limit)):
            if err == "empty":
                raise ValueError(f"Row {i}: the {name} cell is empty. Fill it in or delete the row.")
            if err == "text":
                raise ValueError(f"Row {i}: the {name} value is not a number.")
            if not math.isfinite(val) or abs(val) > limit:
                raise ValueError(f"Row {i}: the {name} value must be a number between −{limit:,.0f} and "
                                 f"{limit:,.0f}.")
        out_x.append(x)
        out_y.append(y)
    if len(out_x) > max_points:
        raise ValueError(f"At most {max_points} points, please (the table has {len(out_x)}).")
    if len(out_x) < 2:
        raise ValueError(f"A line needs at least two points; the table has {len(out_x)}.")
    if len(set(out_x)) < 2:
        raise ValueError(f"All {x_name} values are equal ({out_x[0]:g}): no single line is the best fit through "
                         "points stacked vertically. Use at least two different values.")
    notes = []
    if skipped:
        rows = ", ".join(map(str, skipped[:5])) + ("…" if len(skipped) > 5 else "")
        notes.append(f"Empty row{'s' if len(skipped) > 1 else ''} {rows} not used yet.")
    return tuple(out_x), tuple(out_y), notes


def _nice(v: float, how: str = "round") -> float:
    """A 1-2-5 number near v (how = 'round', 'floor' or 'ceil')."""
    if not (math.isfinite(v) and v > 0):
        return 1.0
    k = math.floor(math.log10(v))
    cands = [m * 10.0 ** e for e in (k - 1, k, k + 1) for m in (1, 2, 5)]
    if how == "floor":
        c = max(c for c in cands if c <= v * (1 + 1e-12))
    elif how == "ceil":
        c = min(c for c in cands if c >= v * (1 - 1e-12))
    else:
        c = min(cands, key=lambda c: abs(math.log(c / v)))
    return float(f"{c:.12g}")


@dataclass(frozen=True)
class SliderRanges:
    m_lo: float
    m_hi: float
    m_step: float
    c_lo: float
    c_hi: float
    c_step: float

    @property
    def window(self) -> tuple[float, float, float, float]:
        return self.m_lo, self.m_hi, self.c_lo, self.c_hi

    def clamp(self, m: float, c: float) -> tuple[float, float]:
        return min(max(m, self.m_lo), self.m_hi), min(max(c, self.c_lo), self.c_hi)


def slider_ranges(x, y, lines=(), positions: int = 300) -> SliderRanges:
    """Round slope/intercept ranges (about ``positions`` slider steps each) around the
    least-squares line of (x, y) that also contain every (m, c) in ``lines``."""
    p = LinearProblem(x=tuple(x), y=tuple(y))
    m_star, c_star, _ = p.least_squares()
    xa, ya = np.asarray(p.x), np.asarray(p.y)
    sx, sy = float(xa.std()), float(ya.std())
    # A slope scale from the data; flat data (sy = 0, m* ≈ 0) still gets a usable range.
    # (The floors scale with y, so data of any size — 1e-9 or 1e9 — gets sliders that resolve it.)
    level = max(abs(float(ya.mean())), sy) or 1.0
    spread = max(abs(m_star), sy / sx, 0.1 * level / float(np.ptp(xa)))
    half = 2.0 * spread
    unit = _nice(half / 4)
    ms = [m_star - half, m_star + half] + [float(m) for m, _ in lines]
    m_lo, m_hi = math.floor(min(ms) / unit) * unit, math.ceil(max(ms) / unit) * unit
    # Intercepts of lines through the centre of the data with the slopes above, plus the lines given.
    xm, ym = float(xa.mean()), float(ya.mean())
    cs = [ym - m_lo * xm, ym - m_hi * xm, c_star] + [float(c) for _, c in lines]
    span = max(max(cs) - min(cs), 0.1 * level)
    cunit = _nice(span / 8)
    c_lo, c_hi = math.floor(min(cs) / cunit) * cunit, math.ceil(max(cs) / cunit) * cunit
    if c_hi - c_lo < 2 * cunit:
        c_lo, c_hi = c_lo - cunit, c_hi + cunit
    clean = lambda v: float(f"{v:.12g}")  # noqa: E731
    return SliderRanges(clean(m_lo), clean(m_hi), _nice((m_hi - m_lo) / positions, "floor"),
                        clean(c_lo), clean(c_hi), _nice((c_hi - c_lo) / positions, "floor"))


def to_model(problem: LinearProblem, m: float, c: float) -> tuple[float, float]:
    """(w, b) of ``problem``'s model for the line y = m·x + c on the original x scale."""
    mu, sd = problem.x_scale()
    return m * sd, c + m * mu


def path_to_original(problem: LinearProblem, params: np.ndarray) -> np.ndarray:
    """Undo standardisation for an array (..., 2) of (w, b): slope and intercept on the
    original x scale (like ``LinearObjective.to_original``, vectorised)."""
    mu, sd = problem.x_scale()
    p = np.asarray(params, dtype=np.float64)
    out = np.empty_like(p)
    with np.errstate(over="ignore", invalid="ignore"):
        out[..., 0] = p[..., 0] / sd
        out[..., 1] = p[..., 1] - p[..., 0] * mu / sd
    return out


def loss_shares(x, y, slope: float, intercept: float, huber_delta: float = 1.0) -> "pd.DataFrame":
    """Each point's share (0..1) of the MSE, MAE and Huber loss of the line: columns
    point (its index from 1), x, loss, share. RMSE ranks points like the MSE.
    A loss that is exactly 0 (or not finite) gives every point share 0."""
    import pandas as pd
    import torch
    import torch.nn.functional as F

    xt = torch.tensor(list(x), dtype=torch.float64)
    yt = torch.tensor(list(y), dtype=torch.float64)
    pred = slope * xt + intercept
    terms = {"MSE": F.mse_loss(pred, yt, reduction="none"), "MAE": F.l1_loss(pred, yt, reduction="none"),
             "Huber": F.huber_loss(pred, yt, reduction="none", delta=huber_delta)}
    n = len(xt)
    frames = []
    for name, t in terms.items():
        v = t.numpy()
        total = float(v.sum())
        with np.errstate(invalid="ignore", over="ignore"):
            share = v / total if total > 0 and math.isfinite(total) else np.zeros(n)
        frames.append(pd.DataFrame({"point": np.arange(1, n + 1), "x": xt.numpy(), "loss": name, "share": share}))
    return pd.concat(frames, ignore_index=True)


def loss_script(x, y, slope: float, intercept: float, huber_delta: float = 1.0,
                x_name: str = "Study hours", y_name: str = "Exam score", csv: tuple[str, str, str] | None = None) -> str:
    """A plain PyTorch script, in the article's style, that prints the page's four losses
    (float64, like the page). ``csv`` = (file, x column, y column): the script reads the
    points from the learner's downloaded CSV instead of holding them (for long data);
    the names go in as Python string literals (repr), never as code."""
    f = lambda v: repr(float(v))  # noqa: E731
    if csv is None:
        xs, ys = ", ".join(f(v) for v in x), ", ".join(f(v) for v in y)
        data = [f"X = torch.tensor([{xs}], dtype=torch.float64).view(-1, 1)       # {x_name}",
                f"Y_true = torch.tensor([{ys}], dtype=torch.float64).view(-1, 1)  # {y_name}"]
        imports = ["import torch", "import torch.nn.functional as F"]
    else:
        file, xc, yc = csv
        data = [f"# The data: save it from the page (\"Download this data as CSV\") as {file} next to this file.",
                f"df = pd.read_csv({file!r})[[{xc!r}, {yc!r}]].dropna()  # rows missing x or y are left out",
                f"X = torch.tensor(df[{xc!r}].to_numpy(), dtype=torch.float64).view(-1, 1)",
                f"Y_true = torch.tensor(df[{yc!r}].to_numpy(), dtype=torch.float64).view(-1, 1)"]
        imports = ["import pandas as pd", "import torch", "import torch.nn.functional as F"]
    return "\n".join([
        f'"""How wrong is the line y = {slope:g}·x + {intercept:g}? Four losses for the same errors."""',
        *imports,
        "",
        *data,
        f"m, c = {f(slope)}, {f(intercept)}",
        "Y_pred = m * X + c",
        "print(\"Predictions:\", Y_pred.flatten().tolist())" if csv is None else
        "print(\"Predictions (first 5):\", Y_pred.flatten()[:5].tolist())",
        "",
        "mse = torch.mean((Y_true - Y_pred) ** 2)           # what the article computes",
        "rmse = torch.sqrt(mse)",
        "mae = torch.mean(torch.abs(Y_true - Y_pred))",
        f"huber = F.huber_loss(Y_pred, Y_true, delta={f(huber_delta)})",
        "print(f\"MSE: {mse.item():.2f}  RMSE: {rmse.item():.4f}  MAE: {mae.item():.4f}  Huber: {huber.item():.4f}\")",
        ""])


def points_frame(x, y, x_name: str = "hours", y_name: str = "score") -> "pd.DataFrame":
    """The data as a two-column float table; a link with more x values than y values (or
    the reverse) shows empty cells in the shorter column."""
    import pandas as pd

    n = max(len(x), len(y))
    pad = lambda v: [float(a) for a in v] + [None] * (n - len(v))  # noqa: E731
    return pd.DataFrame({x_name: pad(x), y_name: pad(y)}, dtype="float64")


def rate_outcomes(result, rates, best_loss: float, scale: str, reached: float = REACHED) -> "pd.DataFrame":
    """One row per learning rate of a :class:`dlcore.TrainResult` whose runs are
    ``rates`` in order: lr, scale, gap (final loss − ``best_loss``; NaN if diverged),
    status and diverged_at (-1: did not).

    status: "diverged"; "within {reached}" when the gap is below ``reached``; "growing"
    when the loss ended higher than it started (above the divergence limit, not yet
    blown up); otherwise "still descending"."""
    import pandas as pd

    rows = []
    for i, r in enumerate(rates):
        div = int(result.diverged_at[i])
        gap = float(result.loss[result.steps, i]) - best_loss if div < 0 else math.nan
        start_gap = float(result.loss[0, i]) - best_loss
        status = ("diverged" if div >= 0 else f"within {reached:g}" if gap < reached
                  else "growing" if gap > start_gap * 1.0001 else "still descending")
        rows.append({"lr": float(r), "scale": scale, "gap": gap, "status": status, "diverged_at": div})
    return pd.DataFrame(rows)


def _nice_floor(v: float) -> float:
    return _nice(v, "floor")


def gd_rates(raw_limit: float, std_limit: float = 1.0, top: float = 2.0) -> tuple[float, ...]:
    """The learning rates to offer (and train) for data whose stability limits are
    ``raw_limit`` (raw x) and ``std_limit`` (standardised x; exactly 1 for the MSE):
    1-2-5 per decade from min(1e-5, a 1-2-5 number at or below ``raw_limit``/100) up to
    ``top``, plus the rates on a two-significant-figure grid within about ±12 % of each
    limit (where divergence starts) and 1.5 × the standardised limit.

    For the article's hours (limit 0.001332) this is the page's original set: 1e-5 … 2 and
    0.0012, 0.0013, 0.0014, 0.0015, 0.9, 1.1, 1.5.

    >>> gd_rates(2 / 1501.6666666666667)[:3], gd_rates(2 / 1501.6666666666667)[-4:]
    ((1e-05, 2e-05, 5e-05), (1.0, 1.1, 1.5, 2.0))
    >>> gd_rates(2e-7)[:2], gd_rates(2e-7)[6:11]
    ((2e-09, 5e-09), (1.8e-07, 1.9e-07, 2e-07, 2.1e-07, 2.2e-07))
    """
    lo = 1e-5
    if math.isfinite(raw_limit) and raw_limit > 0:
        lo = min(lo, _nice_floor(raw_limit / 100))
    rates = set()
    k = math.floor(math.log10(lo))
    while True:
        for m in (1, 2, 5):
            v = float(f"{m * 10.0 ** k:.12g}")
            if lo * (1 - 1e-12) <= v <= top * (1 + 1e-12):
                rates.add(v)
        if 10.0 ** k > top:
            break
        k += 1
    for limit in (raw_limit, std_limit):
        if not (math.isfinite(limit) and limit > 0):
            continue
        unit = 10.0 ** (math.floor(math.log10(limit)) - 1)
        for j in range(math.ceil(limit * 0.88 / unit), math.floor(limit * 1.15 / unit) + 1):
            v = float(f"{j * unit:.12g}")
            if lo <= v <= top:
                rates.add(v)
    if math.isfinite(std_limit) and std_limit > 0 and std_limit * 1.5 <= top:
        rates.add(float(f"{std_limit * 1.5:.12g}"))
    return tuple(sorted(rates))


def too_large(x, y, limit: float = LINE_LIMIT) -> str | None:
    """None when lines near this data can be judged in float64; otherwise a message that
    says what overflows and what to do (rescale the columns). Checked: the least-squares
    line and its loss, the Hessian of the MSE, the slider ranges and the loss at their
    corners (the landscape's extent)."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    big = max(float(np.max(np.abs(xa))), float(np.max(np.abs(ya))))
    advice = (f"The largest value is {big:.3g}. Divide the columns by a power of ten (so that the values are "
              "below about 1e100) and try again.")
    with np.errstate(all="ignore"):
        ok = bool(np.isfinite(xa).all() and np.isfinite(ya).all())
        hess = 2.0 * float(np.mean(xa * xa)) if ok else math.inf
    if not ok or not math.isfinite(hess):
        return "The x values are too large to compute with: their squares overflow float64 (beyond 1.8e308). " + advice
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = slider_ranges(xa, ya)
            m_star, c_star, mse_star = LinearProblem(x=tuple(xa), y=tuple(ya)).least_squares()
    except (OverflowError, ValueError, ZeroDivisionError):
        return ("The numbers are too large to compute with: the best line and its squared errors overflow float64 "
                "(beyond 1.8e308). " + advice)
    corners = [(m, c) for m in (r.m_lo, r.m_hi) for c in (r.c_lo, r.c_hi)]
    with np.errstate(all="ignore"):
        worst = max(float(np.mean((ya - (m * xa + c)) ** 2)) for m, c in corners)
    if not all(math.isfinite(v) for v in (m_star, c_star, mse_star, worst, *r.window)):
        return ("The numbers are too large to compute with: the squared errors of lines near this data overflow "
                "float64 (beyond 1.8e308). " + advice)
    if max(abs(v) for v in r.window) > limit:
        return (f"The best line's slope or intercept ({m_star:.3g}, {c_star:.3g}) is beyond ±{limit:.0e}, more than "
                "the sliders can hold. Rescale the columns (e.g. divide y by a power of ten) and try again.")
    return None


def drawn_sample(n: int, most: int = MAX_DRAWN, seed: int = 0) -> np.ndarray:
    """Indices (sorted) of the rows a chart draws: all of them up to ``most``, else a fixed
    random sample of ``most`` (the same every run, so the picture does not flicker)."""
    if n <= most:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=most, replace=False))
