"""The first two steps shared by every parser of typed or uploaded text that must never
be run: the learner's formulas (:mod:`dlcore.expr`) and lessons' conditions
(:mod:`dlcore.conditions`).

1. :func:`check_text` — cheap checks on the raw characters (empty, length, plain keyboard
   characters only, bracket nesting), so huge or pathological input never reaches the parser;
2. :func:`syntax_tree` — ``ast.parse(text, mode="eval")``, which only builds a syntax tree,
   with every way it can fail turned into the caller's own error.

What each parser then accepts from the tree is its own business.

Example:
    >>> check_text("x ² 2", noun="formula", max_length=200, max_nesting=20, error=ValueError)
    Traceback (most recent call last):
    ...
    ValueError: The character "²" cannot be used. Use plain keyboard characters only — write x**2 for a square.
"""
from __future__ import annotations

import ast
import warnings
from typing import Callable

__all__ = ["check_text", "syntax_tree", "UNICODE_HINTS"]

# What a learner probably meant by a character that is not on the keyboard.
UNICODE_HINTS = {
    "²": " — write x**2 for a square",
    "³": " — write x**3 for a cube",
    "π": " — write pi",
    "×": " — write * to multiply",
    "·": " — write * to multiply",
    "⋅": " — write * to multiply",
    "÷": " — write / to divide",
    "−": " — type the minus key -",
    "√": " — write sqrt(...)",
}


def check_text(text: str, *, noun: str, max_length: int, max_nesting: int, error: type[Exception],
               empty_hint: str = "", newlines: bool = False) -> None:
    """Refuse ``text`` with ``error`` (a plain message naming the ``noun``) unless it is
    non-empty, at most ``max_length`` characters, plain keyboard characters (tabs and
    newlines too when ``newlines``) and at most ``max_nesting`` brackets deep."""
    if not text:
        raise error(f"The {noun} is empty.{empty_hint}")
    if len(text) > max_length:
        raise error(f"The {noun} is too long: {len(text)} characters, but at most {max_length} are allowed.")
    for ch in text:
        # Plain keyboard characters only. This also avoids look-alike letters (Python
        # would quietly read a full-width "ｘ" as "x") and null bytes.
        if not (" " <= ch <= "~" or (newlines and ch in "\t\n\r")):
            hint = UNICODE_HINTS.get(ch, "")
            shown = f'"{ch}"' if ch.isprintable() else f"U+{ord(ch):04X} (an invisible character)"
            raise error(f"The character {shown} cannot be used. Use plain keyboard characters only{hint}.")
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(depth - 1, 0)
    if deepest > max_nesting:
        raise error(f"Too many brackets inside one another ({deepest} levels); at most {max_nesting} are allowed.")


def syntax_tree(text: str, *, error: type[Exception], syntax_message: Callable[[str, SyntaxError], str],
               unreadable: str) -> ast.Expression:
    """``ast.parse(text, mode="eval")`` (it runs nothing) with a syntax error turned into
    ``error(syntax_message(text, err))`` and anything else the parser may raise into
    ``error(unreadable)``."""
    try:
        # The tokenizer warns about things like "1if" or "\d" in a string. They are
        # irrelevant (refused anyway), and under "warnings as errors" they would escape
        # as the wrong exception.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise error(syntax_message(text, err)) from None
    except (ValueError, RecursionError, MemoryError):   # belt and braces; check_text prevents these
        raise error(unreadable) from None
