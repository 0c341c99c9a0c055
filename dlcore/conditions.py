"""Lesson goals and answers: conditions over named fields of a page's result, safely.

A lesson file says what a task checks as a short condition over the fields a page
offers, for example ``diverged and lr < 0.13`` or ``final_loss < 1e-3 and epochs <= 50``.
Lesson files come from teachers (and may be uploaded), so, exactly like the learner's
formulas in :mod:`dlcore.expr`, the text is never given to Python to run:

1. cheap text checks (length, characters, bracket nesting) come first;
2. ``ast.parse(text, mode="eval")`` builds a syntax tree (parsing runs nothing);
3. the tree is copied into a tiny tree of our own, accepting only an allow-list of
   node types — numbers, quoted words, field names, ``+ - * /``, comparisons,
   ``and`` / ``or`` / ``not`` and the functions ``abs``, ``min``, ``max`` — and
   checking types as it goes (a comparison compares two numbers, or a field with a
   word; ``and`` joins conditions), so a mistake is reported when the lesson loads,
   naming the field, not when a learner meets the task;
4. evaluating walks our own tree over a plain dict of values.

Example:
    >>> c = parse_condition("diverged and lr < 0.13", {"diverged": "bool", "lr": "number"})
    >>> c.holds({"diverged": True, "lr": 0.12})
    True
    >>> c.unmet({"diverged": False, "lr": 0.12})
    ['diverged']

Numbers follow IEEE arithmetic (``1/0`` is inf, and any comparison with NaN is False):
a diverged run's NaN loss never meets ``final_loss < 1e-3``.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Mapping, Union

from dlcore.safe_text import check_text, syntax_tree

__all__ = ["ConditionError", "Condition", "parse_condition", "FIELD_KINDS", "MAX_LENGTH", "MAX_NODES"]

MAX_LENGTH = 300     # characters: a goal is one line of a lesson file
MAX_NESTING = 10     # brackets inside brackets
MAX_NODES = 60       # names, numbers and operators in one condition
MAX_WORD = 40        # characters in a quoted word ("Adam")
FIELD_KINDS = ("number", "bool", "text")

Value = Union[float, bool, str]


class ConditionError(ValueError):
    """A condition was refused; ``str(err)`` says why in plain words."""


# --- Our own tiny tree --------------------------------------------------------------
# Each node has a kind ("number", "bool" or "text"), fixed when the tree is built, and
# evaluates itself over a dict of field values.

@dataclass(frozen=True)
class _Lit:
    value: Value
    kind: str

    def evaluate(self, env):
        return self.value

    def show(self) -> str:
        return f'"{self.value}"' if self.kind == "text" else repr(self.value)


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str

    def evaluate(self, env):
        v = env[self.name]
        if self.kind == "number":
            return float(v)
        if self.kind == "bool":
            return bool(v)
        return str(v)

    def show(self) -> str:
        return self.name


def _div(a: float, b: float) -> float:
    # IEEE division: a goal over a diverged run must give False, not raise.
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b


_ARITH = {ast.Add: (operator.add, "+"), ast.Sub: (operator.sub, "-"),
          ast.Mult: (operator.mul, "*"), ast.Div: (_div, "/")}
_CMP = {ast.Lt: (operator.lt, "<"), ast.LtE: (operator.le, "<="), ast.Gt: (operator.gt, ">"),
        ast.GtE: (operator.ge, ">="), ast.Eq: (operator.eq, "=="), ast.NotEq: (operator.ne, "!=")}
_FUNCS = {"abs": (abs, 1, 1), "min": (min, 2, 8), "max": (max, 2, 8)}


@dataclass(frozen=True)
class _Arith:
    op: type
    left: object
    right: object
    kind: str = "number"

    def evaluate(self, env):
        a, b = self.left.evaluate(env), self.right.evaluate(env)
        try:
            return _ARITH[self.op][0](a, b)
        except OverflowError:
            return math.inf

    def show(self) -> str:
        return f"({self.left.show()} {_ARITH[self.op][1]} {self.right.show()})"


@dataclass(frozen=True)
class _Neg:
    operand: object
    kind: str = "number"

    def evaluate(self, env):
        return -self.operand.evaluate(env)

    def show(self) -> str:
        return f"-{self.operand.show()}"


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple
    kind: str = "number"

    def evaluate(self, env):
        return _FUNCS[self.name][0](*(a.evaluate(env) for a in self.args))

    def show(self) -> str:
        return f"{self.name}({', '.join(a.show() for a in self.args)})"


@dataclass(frozen=True)
class _Compare:
    ops: tuple
    operands: tuple
    text: str
    kind: str = "bool"

    def evaluate(self, env):
        values = [o.evaluate(env) for o in self.operands]
        return all(_CMP[op][0](a, b) for op, a, b in zip(self.ops, values, values[1:]))

    def show(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Not:
    operand: object
    text: str
    kind: str = "bool"

    def evaluate(self, env):
        return not self.operand.evaluate(env)

    def show(self) -> str:
        return self.text


@dataclass(frozen=True)
class _BoolOp:
    is_and: bool
    parts: tuple
    text: str
    kind: str = "bool"

    def evaluate(self, env):
        values = (p.evaluate(env) for p in self.parts)
        return all(values) if self.is_and else any(values)

    def show(self) -> str:
        return self.text


@dataclass(frozen=True)
class Condition:
    """A checked condition. ``fields`` are the names it reads."""

    text: str
    tree: object
    fields: frozenset

    def holds(self, values: Mapping[str, Value]) -> bool:
        """Whether the condition is met by these field values (every field it reads
        must be present; a missing one is a programming error, a KeyError)."""
        return bool(self.tree.evaluate(values))

    def unmet(self, values: Mapping[str, Value]) -> list[str]:
        """The parts of the goal not met yet, as written in the lesson: for a goal of
        the form ``A and B and C`` the false ones among A, B, C; otherwise the whole
        condition, or nothing when it holds. This is what a learner is told ("not met
        yet: lr < 0.13")."""
        tree = self.tree
        if isinstance(tree, _BoolOp) and tree.is_and:
            return [p.show() for p in tree.parts if not p.evaluate(values)]
        return [] if tree.evaluate(values) else [tree.show()]


def parse_condition(text: str, fields: Mapping[str, str]) -> Condition:
    """Check ``text`` against the fields a page offers (name -> "number", "bool" or
    "text") and return a :class:`Condition`; raise :class:`ConditionError` otherwise.
    The whole condition must be true/false (a bool)."""
    if not isinstance(text, str):
        raise ConditionError("The condition must be text.")
    text = " ".join(text.split())
    _check_text(text)
    bad = [k for k, v in fields.items() if v not in FIELD_KINDS]
    if bad:
        raise ConditionError(f"Unknown field kind for {bad[0]!r}: use one of {', '.join(FIELD_KINDS)}.")
    builder = _Builder(text, dict(fields))
    tree = builder.build(_parse(text).body)
    if tree.kind != "bool":
        raise ConditionError(f'"{text}" gives a {tree.kind}, not true/false: compare it with something '
                             "(for example final_loss < 0.001).")
    return Condition(text=text, tree=tree, fields=frozenset(builder.used))


def _check_text(text: str) -> None:
    check_text(text, noun="condition", max_length=MAX_LENGTH, max_nesting=MAX_NESTING, error=ConditionError)


def _syntax_message(text: str, err: SyntaxError) -> str:
    where = f" at character {err.offset}" if err.offset else ""
    return (f'The condition "{text}" could not be read{where}: check the operators '
            "(and, or, not, <, <=, >, >=, ==, !=, + - * /).")


def _parse(text: str) -> ast.Expression:
    return syntax_tree(text, error=ConditionError, syntax_message=_syntax_message,
                      unreadable="The condition could not be read.")


class _Builder:
    """Walks Python's syntax tree, accepting only the allowed node types and checking
    the kind of every operand."""

    def __init__(self, text: str, fields: dict[str, str]) -> None:
        self.text, self.fields, self.used, self.nodes = text, fields, set(), 0

    def src(self, node: ast.AST) -> str:
        return " ".join((ast.get_source_segment(self.text, node) or "").split())

    def need(self, node, kind: str, role: str):
        if node.kind != kind:
            raise ConditionError(f'{role} must be a {kind}, but "{node.show()}" is a {node.kind}.')
        return node

    def build(self, node: ast.AST):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ConditionError(f"The condition is too complex: at most {MAX_NODES} parts.")
        method = _BUILD.get(type(node))
        if method is None:
            raise ConditionError(f'"{self.src(node)}" is not allowed in a condition. Use field names, '
                                 'numbers, "quoted words", + - * /, comparisons, and/or/not, abs/min/max.')
        return method(self, node)

    def _Constant(self, node):
        v = node.value
        if isinstance(v, bool):
            return _Lit(v, "bool")
        if isinstance(v, (int, float)) and math.isfinite(v):
            return _Lit(float(v), "number")
        if isinstance(v, str) and len(v) <= MAX_WORD and v.isprintable():
            return _Lit(v, "text")
        raise ConditionError(f'"{self.src(node)}" is not allowed: use finite numbers or short quoted words.')

    def _Name(self, node):
        if node.id not in self.fields:
            known = ", ".join(sorted(self.fields)) or "(none)"
            raise ConditionError(f'Unknown field "{node.id}". This page offers: {known}.')
        self.used.add(node.id)
        return _Field(node.id, self.fields[node.id])

    def _BinOp(self, node):
        if type(node.op) not in _ARITH:
            raise ConditionError(f'"{self.src(node)}": only + - * / are allowed in arithmetic.')
        left, right = self.build(node.left), self.build(node.right)
        role = f'In "{self.src(node)}" each side'
        return _Arith(type(node.op), self.need(left, "number", role), self.need(right, "number", role))

    def _UnaryOp(self, node):
        operand = self.build(node.operand)
        if isinstance(node.op, ast.Not):
            return _Not(self.need(operand, "bool", '"not" needs a condition; its operand'), self.src(node))
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self.need(operand, "number", "A sign's operand")
            return _Neg(operand) if isinstance(node.op, ast.USub) else operand
        raise ConditionError(f'"{self.src(node)}" is not allowed.')

    def _BoolOp(self, node):
        parts = tuple(self.need(self.build(v), "bool", f'Each side of "{type(node.op).__name__.lower()}"')
                      for v in node.values)
        return _BoolOp(isinstance(node.op, ast.And), parts, self.src(node))

    def _Compare(self, node):
        operands = (self.build(node.left), *(self.build(c) for c in node.comparators))
        ops = tuple(type(op) for op in node.ops)
        if any(op not in _CMP for op in ops):
            raise ConditionError(f'"{self.src(node)}": use <, <=, >, >=, == or !=.')
        for op, a, b in zip(ops, operands, operands[1:]):
            if a.kind != b.kind:
                raise ConditionError(f'"{self.src(node)}" compares a {a.kind} ({a.show()}) with a '
                                     f"{b.kind} ({b.show()}).")
            if a.kind != "number" and op not in (ast.Eq, ast.NotEq):
                raise ConditionError(f'"{self.src(node)}": {a.kind} values can only be compared with == or !=.')
        return _Compare(ops, operands, self.src(node))

    def _Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCS or node.keywords:
            raise ConditionError(f'"{self.src(node)}": the only functions are abs(x), min(a, b, ...), max(a, b, ...).')
        _, lo, hi = _FUNCS[name]
        if not lo <= len(node.args) <= hi:
            raise ConditionError(f'"{self.src(node)}": {name} takes {lo if lo == hi else f"{lo} to {hi}"} numbers.')
        args = tuple(self.need(self.build(a), "number", f"Each argument of {name}") for a in node.args)
        return _Call(name, args)


# Which builder handles each allowed node type: an explicit table, not a name looked up
# on the object, so nothing in the text can choose what runs.
_BUILD = {ast.Constant: _Builder._Constant, ast.Name: _Builder._Name, ast.BinOp: _Builder._BinOp,
          ast.UnaryOp: _Builder._UnaryOp, ast.BoolOp: _Builder._BoolOp, ast.Compare: _Builder._Compare,
          ast.Call: _Builder._Call}
