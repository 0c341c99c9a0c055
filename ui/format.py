"""Numbers and learner text as the pages show them — the one place that decides.

* :func:`fmt` — a number in running text: ``digits`` significant figures, scientific
  notation outside 1e-4 … 1e6, ``"diverged"`` for NaN/inf, ``"—"`` for missing.
* :func:`short` — a number where space is tight (metrics, captions, chart labels): about
  three significant figures, but a whole number always keeps all its digits
  (0.0340846 → ``0.0341``, 1284.6 → ``1285``, 2.0 → ``2``, 1.230e-97 → ``1.23e-97``,
  4.2e7 → ``4.2e7``) and no trailing zeros.
* :func:`number_columns` — ``column_config`` for ``st.dataframe``/``ui.layout.table`` that
  shows every float column with significant figures (``%.4g``: Streamlit formats it with
  JavaScript ``Number(x.toPrecision(4))``, so 0.00243304 shows as ``0.002433`` and 1284.5
  as ``1285``; exponents only below 1e-6 or from 1e21). The data (and the CSV) keep full
  precision.
* :func:`f32` / :func:`tex` — a float32 value as its shortest round-trip decimal, as text
  or for ``st.latex``.
* :func:`quote` — learner text made inert for markdown: one code span. :func:`md_escape`
  — trusted-but-arbitrary text (an error message) shown literally: punctuation escaped.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

DIVERGED = "diverged"
MISSING = "—"


def _special(v, diverged: str) -> tuple[str | None, float]:
    """(text, x): the text for a value no number format applies to — missing, not a
    number, NaN/inf, zero — else (None, the value as a float)."""
    if v is None or v is pd.NA:
        return MISSING, 0.0
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v), 0.0
    if math.isnan(x) or math.isinf(x):
        return diverged, x
    return ("0" if x == 0 else None), x


def fmt(v, digits: int = 6, diverged: str = DIVERGED) -> str:
    """A number for text: significant digits, 'diverged' for NaN/inf, '—' for missing.
    (Was ui.layout.fmt; ui.layout re-exports it.)"""
    text, x = _special(v, diverged)
    if text is not None:
        return text
    if abs(x) >= 1e6 or abs(x) < 1e-4:
        return f"{x:.{max(digits - 1, 1)}e}"
    return f"{x:.{digits}g}"


def fmt_num(v: float) -> str:
    """A number in a settings note ("3.7 is above the maximum"): six significant figures.
    (Was ui.params.fmt_num; ui.params re-exports it.)"""
    return f"{v:.6g}"


def _sci(x: float, digits: int) -> str:
    mant, exp = f"{x:.{max(digits - 1, 0)}e}".split("e")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def short(v, digits: int = 3, diverged: str = DIVERGED) -> str:
    """A number where space is tight: ``digits`` significant figures, but never fewer than
    its whole-number digits, no trailing zeros; scientific below 1e-3 and from 1e6.

    0.0340846 → '0.0341', 1.99333 → '1.99', 1284.6 → '1285', 2.0 → '2', 123456.7 → '123457',
    0.000123 → '1.23e-4', 4.2e7 → '4.2e7', nan → 'diverged', None → '—'.
    """
    text, x = _special(v, diverged)
    if text is not None:
        return text
    a = abs(x)
    if a < 1e-3 or a >= 1e6:
        return _sci(x, digits)
    whole = int(math.floor(math.log10(a))) + 1          # digits before the point (≤ 0 below 1)
    decimals = max(digits - whole, 0)
    s = f"{x:.{decimals}f}"
    if float(s) != 0 and abs(float(s)) >= 10 ** whole and decimals > 0:
        decimals -= 1                                    # 9.996 → 10.0 → '10'
        s = f"{x:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def f32(v: float) -> str:
    """A float32 value as its shortest round-trip decimal (what the float32 tensor holds);
    'diverged' when not finite."""
    return str(np.float32(v)) if np.isfinite(v) else fmt(v)


def tex(v: float) -> str:
    """A float32 value for st.latex: shortest round-trip digits, powers of ten written out."""
    if not np.isfinite(v):
        return r"\text{diverged}"
    t = f32(v)
    if "e" in t:
        mant, exp = t.split("e")
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return t


def number_columns(df, digits: int = 4, skip: Iterable[str] = (), **overrides) -> dict:
    """``column_config`` showing every float column of ``df`` with ``digits`` significant
    figures (``%.<digits>g``), so the whole number fits a narrow column on a phone; integer
    and text columns are left as they are. ``overrides`` (column name → column config)
    win, e.g. ``number_columns(df, η=st.column_config.NumberColumn(format="%.3g"))``; for
    names that are not Python identifiers pass a dict: ``**{"final loss": ...}``."""
    import streamlit as st

    skip = set(skip)
    out: dict[str, Any] = {}
    for c in df.columns:
        if c in skip or c in overrides:
            continue
        if pd.api.types.is_float_dtype(df[c]):
            out[c] = st.column_config.NumberColumn(format=f"%.{digits}g")
    out.update(overrides)
    return out


def quote(text: Any, limit: int = 40) -> str:
    """Learner-supplied text, made safe for st.markdown: shortened, printable, inside a
    code span (markdown and HTML inside it are shown literally). (Was ui.params.quote.)"""
    s = "".join(ch if ch.isprintable() else "�" for ch in str(text))
    if len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("`", "ˋ")
    return f"`{s}`" if s.strip() else "`(empty)`"


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def md_escape(text: Any) -> str:
    """Text shown literally inside st.markdown/st.error/st.info: every markdown punctuation
    character backslash-escaped (HTML tags come out as text). For messages the app composes
    around learner input, e.g. a parser's error. (Was optimizer_comparison.plain.)"""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


__all__ = ["fmt", "fmt_num", "short", "f32", "tex", "number_columns", "quote", "md_escape", "DIVERGED"]
