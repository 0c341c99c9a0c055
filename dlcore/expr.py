"""Learner-typed objectives f(x, y), turned into torch operations safely.

A learner types something like ``(1 - x)**2 + 100*(y - x**2)**2`` and we need
a function we can evaluate on tensors and differentiate with autograd.

We never hand the text to Python to run. Instead:

1. cheap text checks (length, characters, bracket nesting) run first, so huge
   or pathological input never reaches the parser;
2. ``ast.parse(text, mode="eval")`` turns the text into a syntax tree
   (parsing only builds data, it runs nothing);
3. we walk that tree and accept only an allow-list of node types, copying
   them into a tiny tree of our own (Num, Const, Var, Neg, Bin, Pow, Call).
   Anything not on the list is refused with a plain-language message;
4. evaluating an ``Expression`` walks our own tree and calls a fixed set of
   torch functions. Names typed by the learner are only ever used as keys in
   the small dicts below, never looked up on objects or modules.

Example:
    >>> f = parse_expression("(1 - x)**2 + 100*(y - x**2)**2")
    >>> f(torch.tensor(1.0), torch.tensor(1.0))
    tensor(0.)
    >>> f.to_python()
    '((1.0 - x) ** 2) + (100.0 * ((y - (x ** 2)) ** 2))'

Runtime domain problems are NOT prevented: ``log(-1)`` gives nan, ``log(0)``
gives -inf, ``sqrt(-1)`` gives nan, ``1/0`` gives inf. The training engine
treats a non-finite loss as divergence, which is the lesson we want to show.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Callable, Union

import torch
from torch import Tensor

from dlcore.safe_text import check_text, syntax_tree

__all__ = [
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_EXPONENT",
    "MAX_LITERAL",
    "FUNCTIONS",
    "ExpressionError",
    "Expression",
    "parse_expression",
    "grid",
]

# --- Limits -----------------------------------------------------------------
# A formula for a 2-D loss surface is short. These limits keep every step
# (parsing, walking, evaluating, autograd) small and fast whatever is typed.

MAX_LENGTH = 200  # characters, after stripping surrounding whitespace
MAX_NESTING = 20  # brackets inside brackets, counted on the raw text before
#                   parsing: deep nesting is what can exhaust the parser's stack
MAX_NODES = 100  # numbers, names, operators and calls in the whole formula.
#                  It also bounds the depth of our tree (and so of every
#                  recursive walk over it), e.g. for "----...x", which
#                  needs no brackets at all.
MAX_EXPONENT = 10  # |p| in "a ** p"; p must be a plain number
MAX_LITERAL = 1e6  # |v| for every number written in the formula

# The only functions a learner may call, and the torch op each one becomes.
FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
}

# The only names besides functions: the two variables and two constants.
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY = {  # ast operator -> (symbol, python operator used on tensors)
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
}
_SYMBOL_TO_OP = {symbol: op for symbol, op in _BINARY.values()}

_ALLOWED = (
    "You can use numbers, x, y, pi, e, the operators + - * / ** and brackets, "
    "and the functions " + ", ".join(FUNCTIONS) + "."
)


class ExpressionError(ValueError):
    """A formula was refused. ``str(err)`` is a plain-language message for the learner.

    Example:
        >>> try:
        ...     parse_expression("x^2")
        ... except ExpressionError as err:
        ...     print(err)
        "^" is not allowed here — for powers write ** (for example x**2 instead of x^2).
    """


# --- Our own tiny tree ------------------------------------------------------
# Frozen dataclasses: immutable, hashable and picklable, so an Expression can
# be a cache key. Every node knows how to evaluate itself on tensors and how
# to print itself as plain PyTorch source.
#
# One subtlety shared by evaluate() and render(): numbers stay Python floats
# (torch combines a float with a tensor in the tensor's dtype), but an
# operation whose inputs are ALL plain numbers, such as "2**-1" or "sin(1)",
# would run in Python float arithmetic, where 0**-1 raises, (-8)**0.5 is
# complex and torch.sin(1.0) is a TypeError. So in that case the left input is
# first made a 0-d tensor with x's dtype (x.new_tensor). `is_tensor` says
# whether a node already produces a tensor; both methods use it identically,
# which is why to_python() reproduces __call__ bit for bit.


@dataclass(frozen=True)
class Num:
    """A number written in the formula, e.g. ``2.5``. Always >= 0; signs are Neg."""

    value: float
    is_tensor = False

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return self.value

    def render(self) -> str:
        return repr(self.value)  # repr round-trips floats exactly


@dataclass(frozen=True)
class Const:
    """The named constants ``pi`` or ``e``."""

    name: str
    is_tensor = False

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return CONSTANTS[self.name]

    def render(self) -> str:
        return "math." + self.name  # math.pi / math.e: same floats as CONSTANTS


@dataclass(frozen=True)
class Var:
    """The variable ``x`` or ``y``."""

    name: str
    is_tensor = True

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return x if self.name == "x" else y

    def render(self) -> str:
        return self.name


@dataclass(frozen=True)
class Neg:
    """Unary minus, ``-operand``. (Unary plus is dropped while parsing.)"""

    operand: Node

    @property
    def is_tensor(self) -> bool:
        return self.operand.is_tensor  # negating a float is safe in Python

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return -self.operand.evaluate(x, y)

    def render(self) -> str:
        return f"(-{self.operand.render()})"


@dataclass(frozen=True)
class Bin:
    """``left op right`` for op in + - * /."""

    op: str
    left: Node
    right: Node
    is_tensor = True

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        a = self.left.evaluate(x, y)
        b = self.right.evaluate(x, y)
        if not (self.left.is_tensor or self.right.is_tensor):
            a = x.new_tensor(a)  # see the note above the node classes
        return _SYMBOL_TO_OP[self.op](a, b)

    def render(self) -> str:
        a, b = self.left.render(), self.right.render()
        if not (self.left.is_tensor or self.right.is_tensor):
            a = f"x.new_tensor({a})"
        return f"({a} {self.op} {b})"


@dataclass(frozen=True)
class Pow:
    """``base ** exponent`` where exponent is a plain number, |exponent| <= MAX_EXPONENT."""

    base: Node
    exponent: Union[int, float]  # int when typed as an int, so x**2 prints as "x ** 2"
    is_tensor = True

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return _as_tensor(self.base, x, y) ** self.exponent

    def render(self) -> str:
        return f"({_render_tensor(self.base)} ** {self.exponent!r})"


@dataclass(frozen=True)
class Call:
    """``func(arg)`` for func in FUNCTIONS."""

    func: str
    arg: Node
    is_tensor = True

    def evaluate(self, x: Tensor, y: Tensor) -> Union[Tensor, float]:
        return FUNCTIONS[self.func](_as_tensor(self.arg, x, y))

    def render(self) -> str:
        return f"torch.{self.func}({_render_tensor(self.arg)})"


Node = Union[Num, Const, Var, Neg, Bin, Pow, Call]


def _as_tensor(node: Node, x: Tensor, y: Tensor) -> Tensor:
    value = node.evaluate(x, y)
    return value if node.is_tensor else x.new_tensor(value)


def _render_tensor(node: Node) -> str:
    source = node.render()
    return source if node.is_tensor else f"x.new_tensor({source})"


# --- The public object --------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A validated formula f(x, y). Create it with :func:`parse_expression`.

    Hashable and picklable (the app caches on it). Two expressions are equal
    when both the normalised text and the parsed tree are equal.

    Example:
        >>> f = parse_expression("sin(x)*cos(y)")
        >>> f(torch.tensor([0.0, math.pi / 2]), torch.tensor(0.0))
        tensor([0., 1.])
        >>> f.to_python()
        'torch.sin(x) * torch.cos(y)'
    """

    text: str  # the learner's text, stripped of surrounding whitespace
    tree: Node

    def __call__(self, x: Tensor, y: Tensor) -> Tensor:
        """Evaluate elementwise with torch ops; differentiable by autograd.

        x and y broadcast against each other, and the result always has the
        broadcast shape (also for formulas like "pi" that ignore x and y).
        The result has x's dtype: x must be a floating-point tensor, and y is
        converted to x's dtype. log/sqrt of negatives give nan/-inf; that is
        deliberate (see the module docstring).
        """
        if not isinstance(x, Tensor) or not isinstance(y, Tensor):
            raise TypeError("x and y must be torch tensors")
        if not x.is_floating_point():
            raise TypeError(f"x must be a floating-point tensor, got {x.dtype}")
        y = y.to(dtype=x.dtype)
        shape = torch.broadcast_shapes(x.shape, y.shape)
        result = _as_tensor(self.tree, x, y)
        if result.shape != shape:
            result = result.expand(shape).contiguous()
        return result

    def to_python(self) -> str:
        """Fully parenthesised plain-PyTorch source for the formula.

        Uses ``torch.<func>``, ``math.pi``/``math.e`` and the names x, y; it
        needs ``import math, torch`` and x to be a tensor. Evaluating it gives
        exactly the numbers of ``self(x, y)`` (without the final broadcast).

        Example:
            >>> parse_expression("exp(-x**2) + pi").to_python()
            'torch.exp((-(x ** 2))) + math.pi'
        """
        source = _render_tensor(self.tree)
        # Drop the outermost brackets only: they add nothing at top level.
        if source.startswith("(") and _outer_brackets_match(source):
            source = source[1:-1]
        return source


def _outer_brackets_match(source: str) -> bool:
    """True when the first "(" closes at the very last character."""
    depth = 0
    for i, ch in enumerate(source):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(source) - 1
    return False


# --- Parsing ----------------------------------------------------------------


def parse_expression(text: str) -> Expression:
    """Check and parse a learner's formula in x and y.

    Raises ExpressionError (a ValueError) with a plain-language message when
    the text is not an allowed formula. No other exception escapes for any
    string input.

    Example:
        >>> parse_expression("  sin(x) + y**2 ").text
        'sin(x) + y**2'
        >>> try:
        ...     parse_expression("open('f')")
        ... except ExpressionError as err:
        ...     print(err)
        "open" is not an allowed function. You can use: sin, cos, exp, log, sqrt, abs, tanh.
    """
    if not isinstance(text, str):
        raise ExpressionError("The formula must be text.")
    text = text.strip()
    _check_text(text)
    tree = _parse_syntax(text)
    return Expression(text=text, tree=_Builder(text).build(tree.body))


def _check_text(text: str) -> None:
    """Checks on the raw characters, done before the parser ever sees them."""
    check_text(text, noun="formula", max_length=MAX_LENGTH, max_nesting=MAX_NESTING, error=ExpressionError,
               empty_hint=" Type a formula in x and y, for example x**2 + y**2.", newlines=True)


def _parse_syntax(text: str) -> ast.Expression:
    """ast.parse with errors turned into learner messages."""
    return syntax_tree(text, error=ExpressionError, syntax_message=_syntax_message,
                      unreadable="The formula could not be read. Check it for typing mistakes.")


def _syntax_message(text: str, err: SyntaxError) -> str:
    reason = err.msg or "invalid syntax"
    if reason.startswith("invalid decimal literal"):
        reason = "a number is directly followed by a letter (write 2*x, not 2x)"
    elif reason.startswith("invalid syntax. Perhaps you forgot a comma"):
        reason = "two things stand next to each other without an operator (write x*y, not x y)"
    elif reason.startswith("invalid syntax"):
        reason = "something is missing or in the wrong place"
    elif reason.endswith("was never closed"):
        reason = f"the bracket {reason.split()[0]} is never closed"
    elif reason.startswith("unmatched"):
        reason = f"the closing bracket {reason.split()[1]} has no matching opening bracket"
    lines = text.splitlines() or [""]
    lineno = err.lineno or 1
    offset = err.offset or 0
    if 1 <= lineno <= len(lines) and 1 <= offset <= len(lines[lineno - 1]):
        line = lines[lineno - 1]
        where = f"at character {offset}"
        if len(lines) > 1:
            where = f"on line {lineno}, character {offset}"
        where += f' (just before "{line[offset - 1:][:20]}")'
    else:
        where = "at the end"
    return f"The formula could not be read {where}: {reason}."


class _Builder:
    """Walks Python's syntax tree, accepting only the allowed node types."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes = 0

    def build(self, node: ast.AST) -> Node:
        # Every node is counted on the way down, before we recurse into its
        # children, so this recursion can never go deeper than MAX_NODES.
        self.count()
        if isinstance(node, ast.Constant):
            return Num(float(self.number(node)))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Neg(self.build(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand)  # +a is just a
            word = "not" if isinstance(node.op, ast.Not) else "~"
            raise ExpressionError(f'"{word}" is not allowed: "{self.quote(node)}". {_ALLOWED}')
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return Pow(self.build(node.left), self.exponent(node))
            if type(node.op) in _BINARY:
                symbol = _BINARY[type(node.op)][0]
                return Bin(symbol, self.build(node.left), self.build(node.right))
            raise ExpressionError(_operator_message(node.op))
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ExpressionError(self.refusal(node))

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(
                f"The formula is too big: at most {MAX_NODES} numbers, names, operators and functions are allowed."
            )

    def number(self, node: ast.Constant) -> Union[int, float]:
        value = node.value
        # type() rather than isinstance(): True/False are ints in Python.
        if type(value) not in (int, float):
            raise ExpressionError(_constant_message(value, self.quote(node)))
        if not abs(value) <= MAX_LITERAL:  # also catches inf (e.g. 1e999)
            raise ExpressionError(
                f'The number {self.quote(node)} is too big: numbers in the formula must be between '
                f"-{MAX_LITERAL:,.0f} and {MAX_LITERAL:,.0f}."
            )
        return value

    def name(self, node: ast.Name) -> Node:
        if node.id in VARIABLES:
            return Var(node.id)
        if node.id in CONSTANTS:
            return Const(node.id)
        if node.id in FUNCTIONS:
            raise ExpressionError(f'"{node.id}" is a function: give it a value in brackets, like {node.id}(x).')
        hint = ""
        if node.id.lower() in (*VARIABLES, *CONSTANTS):
            hint = f' Names are case-sensitive: write "{node.id.lower()}".'
        raise ExpressionError(f'Only x, y, pi and e can be used as names — "{node.id}" is not one of them.{hint}')

    def exponent(self, node: ast.BinOp) -> Union[int, float]:
        """The right side of ``**``: a plain number, optionally signed."""
        power, sign = node.right, 1
        if isinstance(power, ast.UnaryOp) and isinstance(power.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(power.op, ast.USub) else 1
            power = power.operand
        self.count()
        if isinstance(power, ast.Constant) and type(power.value) in (int, float):
            value = sign * self.number(power)
        elif isinstance(power, ast.Name) and power.id in CONSTANTS:
            value = sign * CONSTANTS[power.id]
        else:
            # A non-constant power (x**y, 2**x, 10**10**10) can grow without
            # bound; a plain bounded number keeps every value and gradient tame.
            raise ExpressionError(
                f'The power after "**" must be a plain number from -{MAX_EXPONENT} to {MAX_EXPONENT}, '
                f'like x**2 or x**-1, but in "{self.quote(node)}" it is "{self.quote(node.right)}". '
                "Tip: use exp(x) for e**x and sqrt(x) for x**(1/2)."
            )
        if abs(value) > MAX_EXPONENT:
            raise ExpressionError(
                f'The power {value:g} in "{self.quote(node)}" is too large: '
                f"powers must be between -{MAX_EXPONENT} and {MAX_EXPONENT}."
            )
        return value

    def call(self, node: ast.Call) -> Node:
        func = node.func
        allowed = ", ".join(FUNCTIONS)
        if isinstance(func, ast.Name) and func.id in FUNCTIONS:
            name = func.id
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise ExpressionError(
                    f'{name} takes one plain value in brackets, like {name}(x) — '
                    f'"name=" or "*" inside the brackets is not allowed.'
                )
            if len(node.args) != 1:
                raise ExpressionError(
                    f"{name} takes exactly one value in brackets, like {name}(x), "
                    f'but "{self.quote(node)}" gives it {len(node.args)}.'
                )
            return Call(name, self.build(node.args[0]))
        if isinstance(func, ast.Name) and func.id in (*VARIABLES, *CONSTANTS):
            raise ExpressionError(
                f'"{func.id}" is not a function. To multiply, write a * sign: {func.id}*(...).'
            )
        if isinstance(func, ast.Name):
            raise ExpressionError(f'"{func.id}" is not an allowed function. You can use: {allowed}.')
        if isinstance(func, ast.Constant):
            raise ExpressionError(
                f'A number cannot be used as a function in "{self.quote(node)}". '
                "To multiply, write a * sign, like 2*(x + 1)."
            )
        if isinstance(func, ast.Attribute):
            raise ExpressionError(
                f'Dots are not allowed in "{self.quote(func)}": use the plain function name, '
                f"like sin(x). You can use: {allowed}."
            )
        raise ExpressionError(f'"{self.quote(node)}" is not allowed. Only these functions can be called: {allowed}.')

    def refusal(self, node: ast.AST) -> str:
        for types, description in _REFUSED:
            if isinstance(node, types):
                return f'{description}: "{self.quote(node)}". {_ALLOWED}'
        return f'"{self.quote(node)}" is not allowed here. {_ALLOWED}'

    def quote(self, node: ast.AST) -> str:
        """The learner's own text for a node, shortened for messages."""
        segment = ast.get_source_segment(self.text, node) or type(node).__name__
        segment = " ".join(segment.split())  # one line
        return segment if len(segment) <= 40 else segment[:37] + "..."


_REFUSED: list[tuple[tuple[type, ...], str]] = [
    ((ast.Attribute,), "Dots that reach inside a value (like x.real or x.__class__) are not allowed"),
    ((ast.Subscript,), "Square-bracket indexing (like x[0]) is not allowed"),
    ((ast.Lambda,), "lambda functions are not allowed"),
    (
        (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp),
        'Comprehensions ("for ... in ..." inside brackets) are not allowed',
    ),
    ((ast.Compare,), "Comparisons (<, >, ==, ...) are not allowed — the formula must give a number"),
    ((ast.BoolOp,), '"and" / "or" are not allowed — the formula must give a number'),
    ((ast.IfExp,), '"if ... else ..." is not allowed — the formula must be the same everywhere'),
    ((ast.Tuple,), "Commas are not allowed — the formula must be one single value"),
    ((ast.List, ast.Set, ast.Dict), "Lists, sets and dictionaries are not allowed"),
    ((ast.JoinedStr, ast.FormattedValue), "Text (strings) is not allowed — only numbers"),
    ((ast.NamedExpr,), '":=" (naming a value) is not allowed'),
    ((ast.Starred,), 'A star in front of a value (like "*x") is not allowed'),
    ((ast.Await, ast.Yield, ast.YieldFrom), '"await" and "yield" are not allowed'),
]


def _constant_message(value: object, quoted: str) -> str:
    if isinstance(value, bool):
        return f"True and False are not numbers here. {_ALLOWED}"
    if isinstance(value, complex):
        return f'Complex numbers like "{quoted}" are not allowed — only real numbers.'
    if isinstance(value, (str, bytes)):
        return f'Text in quotes ("{quoted}") is not allowed — only numbers. {_ALLOWED}'
    return f'"{quoted}" is not allowed. {_ALLOWED}'  # None, ...


def _operator_message(op: ast.operator) -> str:
    if isinstance(op, ast.BitXor):
        return '"^" is not allowed here — for powers write ** (for example x**2 instead of x^2).'
    if isinstance(op, ast.FloorDiv):
        return '"//" (whole-number division) is not allowed — use / instead.'
    symbols = {ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&"}
    symbol = symbols.get(type(op), type(op).__name__)
    return f'"{symbol}" is not allowed. The allowed operators are + - * / and **.'


# --- Plotting helper ----------------------------------------------------------


def grid(
    expr: Callable[[Tensor, Tensor], Tensor],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    n: int = 100,
    dtype: torch.dtype = torch.float64,
) -> tuple[Tensor, Tensor, Tensor]:
    """Evaluate ``expr`` on an n-by-n grid for contour plots.

    Returns (X, Y, Z), each of shape (n, n), with X[i, j] = xs[j] and
    Y[i, j] = ys[i] ("xy" indexing, as plotting libraries expect). Z is
    computed without autograd; non-finite values are kept as they are.

    Example:
        >>> X, Y, Z = grid(parse_expression("x**2 + y**2"), (-1, 1), (-1, 1), n=3)
        >>> Z
        tensor([[2., 1., 2.],
                [1., 0., 1.],
                [2., 1., 2.]], dtype=torch.float64)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    for name, (lo, hi) in (("x_range", x_range), ("y_range", y_range)):
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} must be (low, high) with finite low < high, got {(lo, hi)!r}")
    xs = torch.linspace(x_range[0], x_range[1], n, dtype=dtype)
    ys = torch.linspace(y_range[0], y_range[1], n, dtype=dtype)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    with torch.no_grad():
        Z = expr(X, Y)
    return X, Y, Z
