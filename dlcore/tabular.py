"""A learner's own table (an uploaded CSV or a pasted one), read safely.

Everything about the file is untrusted: its size, encoding, delimiter, quoting, header,
the cells themselves. :func:`read_table` checks the limits *before* parsing (bytes, then
line length, rows and columns), guesses the encoding (UTF-8 with or without BOM, else
Latin-1), the delimiter (comma, semicolon, tab) and whether the first row is a header,
accepts decimal commas, and returns the numeric columns with a list of plain notes about
what it changed or dropped. Anything it cannot use raises :class:`DataError` whose text
says what was wrong and what would work.

:func:`regression_data` and :func:`classification_data` then pick the columns a page needs
and check them (enough rows, an x that varies, a label with exactly two classes).

Example:
    >>> t = read_table(b"hours;score\\n1,5;52\\n2;55\\n3;61\\n")
    >>> list(t.frame.columns), t.frame["hours"].tolist(), t.delimiter
    (['hours', 'score'], [1.5, 2.0, 3.0], ';')
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DataError", "Table", "read_table", "regression_data", "classification_data", "RegressionData",
           "ClassificationData", "MAX_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_LINE"]

MAX_BYTES = 2_000_000     # 2 MB
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_LINE = 10_000         # characters in one line: a "CSV bomb" is one enormous line
MAX_LEVELS = 10           # a text column with at most this many values can be one-hot encoded
# A number as people type it: 52, -1.5, 1,5 (decimal comma), .5, 1e-3, 1.055,5 or 1,055.5
# (thousands separated).
_NUMBER = re.compile(r"^[+-]?(\d{1,3}([.,]\d{3})+([.,]\d+)?|\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class DataError(ValueError):
    """The data cannot be used; the message says why and what would work."""


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame          # numeric columns as float64, text columns as str
    numeric: tuple[str, ...]     # names of the numeric columns, in file order
    text: tuple[str, ...]        # names of the other columns
    delimiter: str
    encoding: str
    header: bool
    notes: tuple[str, ...]       # what was changed or dropped, in plain words


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 (with BOM)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _check_shape(text: str) -> list[str]:
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DataError("The file is empty. Upload a table with at least two columns of numbers.")
    long = max(len(line) for line in lines)
    if long > MAX_LINE:
        raise DataError(f"A line of the file has {long:,} characters; at most {MAX_LINE:,} are allowed. "
                        "Is it really a table with one row per line?")
    if len(lines) > MAX_ROWS + 1:
        raise DataError(f"The table has {len(lines):,} lines; at most {MAX_ROWS:,} rows are allowed.")
    if "\x00" in text:
        raise DataError("The file contains binary data (NUL bytes): it is not a text table.")
    return lines


def _delimiter(lines: list[str]) -> str:
    sample = "\n".join(lines[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines[:50]) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error as err:
        raise DataError(f"The table could not be read: {err}.") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    width = max((len(r) for r in rows), default=0)
    if width > MAX_COLUMNS:
        raise DataError(f"The table has {width} columns; at most {MAX_COLUMNS} are allowed.")
    if width < 1:
        raise DataError("The file has no cells.")
    return [r + [""] * (width - len(r)) for r in rows]


def _is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell.strip().replace(" ", "")))


def _to_number(cell: str, decimal_comma: bool) -> float:
    s = cell.strip().replace(" ", "")
    if not s:
        return math.nan
    if decimal_comma:
        s = s.replace(".", "").replace(",", ".") if s.count(",") == 1 and "." in s else s.replace(",", ".")
    else:
        s = s.replace(",", "")      # 1,055.5 (a quoted cell of a comma-separated file)
    try:
        return float(s)
    except ValueError:
        return math.nan


def _header(rows: list[list[str]]) -> bool:
    """The first row is a header when some cell of it is not a number but the cell under
    it (in the rest of the column) mostly is."""
    if len(rows) < 2:
        return False
    first, rest = rows[0], rows[1:]
    for j, cell in enumerate(first):
        below = [r[j] for r in rest if r[j].strip()]
        if cell.strip() and not _is_number(cell) and below and sum(map(_is_number, below)) >= 0.8 * len(below):
            return True
    return all(c.strip() and not _is_number(c) for c in first) and len(set(first)) == len(first)


def _names(first: list[str] | None, width: int) -> list[str]:
    names, seen = [], set()
    for j in range(width):
        base = " ".join((first[j] if first else "").split())[:40] or f"column {j + 1}"
        name, k = base, 2
        while name in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name)
        names.append(name)
    return names


def read_table(raw: bytes) -> Table:
    """Read a CSV (or pasted table) into numeric and text columns, with notes."""
    if len(raw) > MAX_BYTES:
        raise DataError(f"The file is {len(raw) / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB are allowed.")
    text, encoding = _decode(raw)
    lines = _check_shape(text)
    delimiter = _delimiter(lines)
    rows = _rows(lines, delimiter)
    if len(rows) == 1 and not any(_is_number(c) for c in rows[0]):
        raise DataError("The table has a header but no rows of data.")
    header = _header(rows)
    names = _names(rows[0] if header else None, len(rows[0]))
    body = rows[1:] if header else rows
    if not body:
        raise DataError("The table has a header but no rows of data.")
    return _columns(body, names, delimiter, encoding, header)


def _columns(body, names, delimiter, encoding, header) -> Table:
    notes: list[str] = []
    cells = list(zip(*body))
    flags = [[_is_number(c) for c in col] for col in cells]      # each cell tested once
    decimal_comma = delimiter != "," and any("," in c for col, fl in zip(cells, flags) for c, f in zip(col, fl) if f)
    if decimal_comma:
        notes.append("Numbers with a decimal comma (e.g. 1,5) were read as decimals (1.5).")
    data, numeric, textual = {}, [], []
    for name, col, fl in zip(names, cells, flags):
        filled = sum(1 for c in col if c.strip())
        good = sum(fl)                       # a blank cell is not a number, so these are all filled
        if filled and good >= 0.8 * filled:
            data[name] = [_to_number(c, decimal_comma) if f else math.nan for c, f in zip(col, fl)]
            numeric.append(name)
            bad = filled - good
            if bad:
                notes.append(f"Column {name!r}: {bad} cell(s) that are not numbers were treated as missing.")
        else:
            data[name] = [" ".join(c.split())[:60] for c in col]
            textual.append(name)
    frame = pd.DataFrame(data)
    for name in numeric:
        frame[name] = frame[name].astype("float64")
        if np.isinf(frame[name]).any():
            raise DataError(f"Column {name!r} has numbers too large to compute with (beyond ±1.8e308).")
    return Table(frame, tuple(numeric), tuple(textual), delimiter, encoding, header, tuple(notes))


@dataclass(frozen=True)
class RegressionData:
    x: tuple[float, ...]
    y: tuple[float, ...]
    x_name: str
    y_name: str
    notes: tuple[str, ...]


def _drop_missing(frame: pd.DataFrame, columns: list[str], notes: list[str]) -> pd.DataFrame:
    kept = frame[columns].dropna()
    dropped = len(frame) - len(kept)
    if dropped:
        notes.append(f"{dropped} row(s) with a missing value in {', '.join(map(repr, columns))} were left out "
                     f"({len(kept)} kept).")
    return kept


def regression_data(table: Table, x: str | None = None, y: str | None = None) -> RegressionData:
    """The x and y columns for a line fit (default: the first two numeric columns),
    checked: at least two rows, an x that varies."""
    if len(table.numeric) < 2:
        raise DataError(f"A line fit needs two columns of numbers; this table has {len(table.numeric)} "
                        f"({', '.join(map(repr, table.numeric)) or 'none'}).")
    x = x or table.numeric[0]
    y = y or next(c for c in table.numeric if c != x)
    for name in (x, y):
        if name not in table.numeric:
            raise DataError(f"{name!r} is not a column of numbers in this table.")
    if x == y:
        raise DataError("Choose two different columns for x and y.")
    notes = list(table.notes)
    kept = _drop_missing(table.frame, [x, y], notes)
    if len(kept) < 2:
        raise DataError(f"Only {len(kept)} row(s) have both {x!r} and {y!r}; a line needs at least two.")
    if kept[x].nunique() < 2:
        raise DataError(f"Every row has the same {x!r} ({kept[x].iloc[0]:g}): a line through one x is not "
                        "determined. Choose an x that varies.")
    return RegressionData(tuple(kept[x].tolist()), tuple(kept[y].tolist()), x, y, tuple(notes))


@dataclass(frozen=True)
class ClassificationData:
    features: np.ndarray             # (n, d) float64, before standardising
    labels: np.ndarray               # (n,) 0/1
    feature_names: tuple[str, ...]
    positive: str                    # the label value counted as 1
    negative: str
    notes: tuple[str, ...]


def classification_data(table: Table, label: str, features: list[str] | None = None,
                        positive: str | None = None) -> ClassificationData:
    """A binary label column and feature columns; a text feature with few values is
    one-hot encoded (and the notes say so); constant or repeated features are dropped."""
    if label not in table.frame.columns:
        raise DataError(f"There is no column {label!r}.")
    features = [f for f in (features or [c for c in table.frame.columns if c != label]) if f != label]
    notes = list(table.notes)
    frame = _drop_missing(table.frame.replace("", np.nan), [label, *features], notes)
    values = frame[label].map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))
    classes = sorted(values.unique())
    if len(classes) != 2:
        raise DataError(f"The label {label!r} must have exactly two values; it has {len(classes)}"
                        + (f" ({', '.join(map(repr, classes[:5]))}{', …' if len(classes) > 5 else ''})."
                           if classes else "."))
    positive = positive if positive in classes else classes[1]
    negative = classes[0] if positive == classes[1] else classes[1]
    columns, names = _encode_features(frame, features, notes)
    if not columns:
        raise DataError("No usable feature columns: choose at least one column of numbers, or of a few categories.")
    X = np.column_stack(columns).astype(np.float64)
    y = (values == positive).to_numpy(dtype=np.float64)
    if len(y) < 4:
        raise DataError(f"Only {len(y)} complete rows; a train/test split needs at least 4.")
    return ClassificationData(X, y, tuple(names), positive, negative, tuple(notes))


def _encode_features(frame: pd.DataFrame, features: list[str], notes: list[str]):
    columns, names, seen = [], [], []
    for f in features:
        col = frame[f]
        if pd.api.types.is_float_dtype(col):
            candidates = [(f, col.to_numpy(dtype=np.float64))]
        else:
            levels = sorted(col.astype(str).unique())
            if len(levels) > MAX_LEVELS:
                notes.append(f"Column {f!r} has {len(levels)} different text values (more than {MAX_LEVELS}); left out.")
                continue
            candidates = [(f"{f} = {lv}", (col.astype(str) == lv).to_numpy(dtype=np.float64)) for lv in levels[1:]]
            notes.append(f"Column {f!r} is text with {len(levels)} values: one-hot encoded "
                         f"({len(levels) - 1} column(s), {levels[0]!r} as the baseline).")
        for name, values in candidates:
            if np.ptp(values) == 0:
                notes.append(f"Column {name!r} has the same value in every row; left out.")
            elif any(np.array_equal(values, s) for s in seen):
                notes.append(f"Column {name!r} repeats an earlier column; left out.")
            else:
                columns.append(values)
                names.append(name)
                seen.append(values)
    return columns, names
