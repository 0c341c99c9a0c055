"""dlcore.catalogue: one description of every problem a page offers — titles once, and
starting rates that really do not diverge (checked with plain torch.optim loops)."""
import math

import pytest
import torch

from dlcore import PRESETS, LinearProblem, SurfaceProblem
from dlcore.catalogue import CATALOGUE, RACE, SWEEP, expand_window, line_window, titles
from tests.optim_reference import STARTS, SURFACES, line_run, sum_of_three_run, surface_run


def test_every_problem_has_one_title_and_the_menus_list_known_problems():
    assert len({e.title for e in CATALOGUE.values()}) == len(CATALOGUE)
    assert set(RACE) <= set(CATALOGUE) and set(SWEEP) <= set(CATALOGUE)
    assert list(titles(RACE)) == list(RACE)
    assert titles(("line",)) == {"line": "Line fit y = 2x (article 000)"}
    for key in RACE:
        assert set(CATALOGUE[key].rate) == set(PRESETS), key          # a rate for every optimizer column


@pytest.mark.parametrize("key", [k for k in CATALOGUE if k != "custom"])
def test_setup_from_the_problems_own_start_holds_the_start_in_its_window(key):
    e = CATALOGUE[key]
    s = e.setup()
    assert s.problem is not None and s.title and s.about and s.dtype in ("float32", "float64")
    if s.two_d:
        x0, x1, y0, y1 = s.window
        assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
        assert s.start == e.default_start and len(s.axes) == 2
    else:
        assert s.start is None and e.default_start is None


def test_setup_moves_the_start_and_grows_the_window():
    s = CATALOGUE["rosenbrock"].setup(start=(4.0, -3.0))
    assert s.problem == SurfaceProblem("rosenbrock", start=(4.0, -3.0))
    x0, x1, y0, y1 = s.window
    assert x1 > 4.0 and y0 < -3.0                     # the rosenbrock window is [-2, 2] × [-1, 3]
    s = CATALOGUE["study"].setup(start=(30.0, 100.0))
    w, b, _ = s.problem.least_squares()
    assert s.window[0] < min(30.0, w) and s.window[1] > max(30.0, w) and s.axes == ("m", "c")


def test_a_learners_function_is_parsed_and_a_bad_one_is_refused():
    s = CATALOGUE["custom"].setup("x**2 + 3*y**2")
    assert s.title == "Your own function" and s.start == (1.0, 1.0) and s.log_color
    assert s.problem.build().loss(torch.tensor([[1.0, 2.0]], dtype=torch.float64)).item() == 13.0
    with pytest.raises(ValueError):
        CATALOGUE["custom"].setup("__import__('os')")


def test_window_helpers():
    assert expand_window((0, 1, 0, 1), (0.5, 0.5)) == (0, 1, 0, 1)
    x0, x1, y0, y1 = expand_window((0, 1, 0, 1), (3.0, -1.0))
    assert x1 > 3.0 and y0 < -1.0
    p = LinearProblem()                                   # y = 2x: least squares at (2, 0)
    x0, x1, y0, y1 = line_window(p, (0.0, 0.0))
    assert x0 < 0 < 2 < x1 and y0 < 0 < y1


def _reference(key, label, lr, steps=500):
    e = CATALOGUE[key]
    if key in SURFACES:
        return surface_run(SURFACES[key], STARTS[key], label, dict(lr=lr), steps, clip=e.clip or None,
                           optimum=0.0 if key != "saddle" else None)
    if key == "custom":     # the race's default function, written out in torch
        f = lambda x, y: torch.sin(x) * torch.cos(y) + 0.1 * (x ** 2 + y ** 2)  # noqa: E731
        return surface_run(f, (1.0, 1.0), label, dict(lr=lr), steps, optimum=None)
    if key in ("line", "study"):
        p = e.problem
        return line_run(p.x, p.y, p.start, label, dict(lr=lr), steps)
    return sum_of_three_run(1, label, dict(lr=lr), steps)      # the race's default network seed


@pytest.mark.parametrize("key", RACE)
def test_starting_rates_do_not_diverge_in_500_steps(key):
    """Plain torch.optim, from the problem's own start: every optimizer at its starting rate
    stays finite and within the lab's divergence bound (saddle: f is unbounded below, so only
    'finite' is asked of it)."""
    for label, lr in CATALOGUE[key].rate.items():
        ref = _reference(key, label, lr)
        if key == "saddle":
            assert all(math.isfinite(v) for v in ref["losses"]), (label, lr)
        else:
            assert ref["diverged_at"] is None, (key, label, lr)
