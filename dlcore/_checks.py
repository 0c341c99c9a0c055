"""Type checks shared by the frozen configs' validation.

A config field that should hold a number may receive anything from a caller — text, a
bool, an int too large for a float. These predicates answer "is this a usable number?"
without raising, so every bad value ends in the config's own ``ValueError`` with its
message, never in a ``TypeError``/``OverflowError`` from the comparison that follows.
"""
from __future__ import annotations

import math
import numbers


def is_number(v) -> bool:
    """True for a real number (int, float, numpy scalar) that is finite as a float.
    Booleans are not numbers here: ``lr=True`` is a mistake, not 1.0."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:          # an int beyond the float range
        return False


def is_whole(v) -> bool:
    """True for an integer (Python or numpy), not a bool."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def floats(values, what: str) -> tuple[float, ...]:
    """``values`` as a tuple of floats, or ValueError naming ``what`` when it is not a
    sequence of numbers (a single number, None, an int beyond the float range...)."""
    try:
        return tuple(float(v) for v in values)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{what} must be a list of numbers, got {values!r}.") from None
