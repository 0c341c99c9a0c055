"""Optimizer comparison page: a learner's own f(x, y).

dlcore.expr has its own parser tests; these check the page: allowed formulas race as
PyTorch computes them, and anything else — attribute access, other names, huge
exponents, over-long input, Python that eval would run — gives a clear message in the
page, never a traceback, keeps the learner's text in the box and falls back to the last
formula that worked (so the page still shows a race)."""
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page as open_app_page

from tests.optim_reference import surface_run

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/optimizer_comparison.py"
BASE = {"problem": "custom", "opts": "SGD,Adam", "steps": 60}


def open_page(**query) -> AppTest:
    return open_app_page(PAGE.split("/")[-1], timeout=180, **{**BASE, **query})


def final_losses(at) -> dict:
    for df in at.dataframe:
        if "final loss" in df.value.columns:
            return dict(zip(df.value["optimizer"], df.value["final loss"]))
    raise AssertionError("no results table")


GOOD = {
    "x**2 + y**2": lambda x, y: x ** 2 + y ** 2,
    "sin(x)*cos(y) + 0.1*(x**2 + y**2)": lambda x, y: torch.sin(x) * torch.cos(y) + 0.1 * (x ** 2 + y ** 2),
    "sqrt(abs(x) + 1) + tanh(y)**2": lambda x, y: torch.sqrt(torch.abs(x) + 1) + torch.tanh(y) ** 2,
    "exp(-(x**2 + y**2)/4) * -1 + log(1 + x**2) + y/2 - pi*e*0": (
        lambda x, y: torch.exp(-(x ** 2 + y ** 2) / 4) * -1 + torch.log(1 + x ** 2) + y / 2 - 0.0),
    "(1 - x)**2 + 100*(y - x**2)**2": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
}


@pytest.mark.parametrize("text", list(GOOD))
def test_allowed_formulas_race_as_pytorch_computes_them(text):
    at = open_page(f=text)
    assert not at.exception and not at.error
    assert at.text_input(key="opt.f").value == text
    got = final_losses(at)
    for label, lr in {"SGD": 0.1, "Adam": 0.1}.items():        # the custom problem's starting rates
        ref = surface_run(GOOD[text], (1.0, 1.0), label, dict(lr=lr), 60, optimum=None)
        if ref["diverged_at"] is None:
            assert got[label] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-12), label
        else:
            assert got[label] == "diverged"
    assert len(at.get("vega_lite_chart")) >= 2


REFUSED = {
    "attribute access": ("x.real + y", "not allowed"),
    "dunder attribute": ("x.__class__", "not allowed"),
    "import": ("__import__('os')", "__import__"),
    "other name": ("x + z", "z"),
    "builtin call": ("open('f')", "open"),
    "huge exponent": ("x**1000 + y", "10"),
    "exponent of a variable": ("x**y", "number"),
    "too long": ("x + " * 70 + "y", "too long"),
    "lambda": ("(lambda: 1)()", "not allowed"),
    "comprehension": ("[x for x in y]", "not allowed"),
    "conditional": ("x if y else 1", "not allowed"),
    "comparison": ("x < y", "not allowed"),
    "string": ("'a' * 3", "not allowed"),
    "subscript": ("x[0]", "not allowed"),
    "walrus": ("(a := 1)", "not allowed"),
    "caret for power": ("x^2 + y^2", "**"),
    "semicolon statement": ("x; import os", "x"),
    "empty": ("   ", "empty"),
    "unbalanced bracket": ("(x + y", "bracket"),
    "unicode look-alike": ("ｘ + y", "keyboard"),
}


@pytest.fixture(scope="module")
def typed():
    """One page for all refused inputs: each case types into the box, as a learner would."""
    at = open_page(f="x**2 + y**2")
    assert not at.exception and not at.error
    return at


def check_refused(at, text, hint):
    assert not at.exception                                      # never a traceback
    msg = " ".join(e.value for e in at.error).replace("\\", "")
    assert "This formula can't be used" in msg and hint in msg, msg
    assert "last formula that worked" in msg
    # the race still runs, on the fallback formula
    assert "SGD" in final_losses(at) and len(at.get("vega_lite_chart")) >= 2


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_refused_input_gives_a_clear_message_and_no_traceback(typed, case):
    text, hint = REFUSED[case]
    typed.text_input(key="opt.f").input(text).run()
    check_refused(typed, text, hint)
    assert typed.text_input(key="opt.f").value == text             # the learner's text stays in the box


@pytest.mark.parametrize("case", ["import", "attribute access", "huge exponent"])
def test_refused_input_from_a_link(case):
    text, hint = REFUSED[case]
    at = open_page(f=text)
    check_refused(at, text, hint)
    assert at.text_input(key="opt.f").value == text


def test_typing_a_bad_formula_keeps_the_last_good_one():
    at = open_page(f="x**2 + 2*y**2")
    good = final_losses(at)
    at.text_input(key="opt.f").input("x.__dict__").run()
    assert not at.exception
    assert any("not allowed" in e.value.replace("\\", "") for e in at.error)
    assert at.text_input(key="opt.f").value == "x.__dict__"
    assert final_losses(at) == good                                 # still racing x**2 + 2*y**2
    at.text_input(key="opt.f").input("x**2 + y**2").run()
    assert not at.error and final_losses(at) != good


def test_learner_text_is_never_markdown():
    """A formula full of markdown is shown literally: escaped in the message, quoted as code."""
    at = open_page(f="[click](http://example.com) + **x**")
    assert not at.exception
    for el in list(at.markdown) + list(at.caption) + list(at.error) + list(at.warning):
        if "example.com" in el.value:
            assert "\\[click\\]\\(" in el.value or "`" in el.value, el.value


def test_function_in_a_link_longer_than_any_formula_is_refused_with_a_note():
    at = open_page(f="x" + " + x" * 120)                      # 481 characters
    assert not at.exception
    notes = " ".join(w.value for w in at.warning) + " ".join(e.value for e in at.error)
    assert "too long" in notes
    assert len(at.get("vega_lite_chart")) >= 2
