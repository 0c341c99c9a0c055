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
    assert titles(("line",)) == {"line": "Line fit y = 2x"}
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


# ---- the optimizer-settings builder (dlcore.optimizers.spec_for) ---------------------------------
from dlcore.optimizers import HYPERPARAMS, PRESET_HYPERPARAMS, spec_for  # noqa: E402


def _groups(opt: torch.optim.Optimizer) -> dict:
    g = dict(opt.param_groups[0])
    g.pop("params")
    return g


def test_spec_for_builds_what_torch_optim_would_from_the_same_settings():
    """Every optimizer gets exactly its own settings out of one bag of page settings."""
    bag = dict(mom=0.8, b1=0.5, b2=0.99, alpha=0.9, wd=0.01, eps=1e-6, centered=True)
    p = [torch.zeros(3, requires_grad=True)]
    ref = {
        "sgd": torch.optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.01),
        "adam": torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.99), eps=1e-6, weight_decay=0.01),
        "adamw": torch.optim.AdamW(p, lr=0.05, betas=(0.5, 0.99), eps=1e-6, weight_decay=0.01),
        "adagrad": torch.optim.Adagrad(p, lr=0.05, eps=1e-6, weight_decay=0.01),
        "rmsprop": torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-6, momentum=0.8, centered=True,
                                       weight_decay=0.01),
    }
    for name, torch_opt in ref.items():
        spec = spec_for(name, 0.05, **bag)
        mine = _groups(spec.torch_optimizer(p))
        want = _groups(torch_opt)
        assert {k: mine[k] for k in want} == want, name


def test_spec_for_a_preset_keeps_what_makes_it_that_preset():
    n = spec_for("Nesterov", 0.01, momentum=0.5, wd=0.1)
    assert (n.name, n.nesterov, n.momentum, n.weight_decay, n.label) == ("sgd", True, 0.5, 0.1, "Nesterov")
    w = spec_for("AdamW", 0.3)
    assert w.weight_decay == torch.optim.AdamW([torch.zeros(1, requires_grad=True)]).defaults["weight_decay"]
    assert spec_for("AdamW", 0.3, wd=0.0).weight_decay == 0.0
    with pytest.raises(ValueError):
        spec_for("Momentum", 0.1, momentum=1.5)          # validated like torch.optim
    with pytest.raises(ValueError):
        spec_for("nope", 0.1)
    for label, knobs in PRESET_HYPERPARAMS.items():
        assert set(knobs) <= set(HYPERPARAMS[PRESETS[label].name]), label


# ---- one way to size a problem for the work budget (dlcore.problems.base) ---------------------
from torch import nn  # noqa: E402

from dlcore import LINE_FIT, PurchaseProblem, SumOfThree  # noqa: E402
from dlcore.problems.base import ProblemSize, n_params, problem_size  # noqa: E402


def _torch_count(sizes) -> int:
    """Parameters of the same layers built with torch.nn."""
    layers = [nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:])]
    return sum(p.numel() for layer in layers for p in layer.parameters())


@pytest.mark.parametrize("hidden", [(4,), (16,), (8, 8), (64, 3, 5)])
def test_network_parameters_are_what_torch_nn_counts(hidden):
    p = SumOfThree(hidden=hidden)
    assert p.n_params == n_params(p) == problem_size(p).n_params == _torch_count((3, *hidden, 1))


def test_every_problem_is_sized_the_same_way():
    assert LINE_FIT.n_params == 2 and problem_size(LINE_FIT) == ProblemSize(2, 4, 4)
    assert n_params(SurfaceProblem("rosenbrock")) == 2 and problem_size(SurfaceProblem("bowl")).n_train == 0
    for noise in (0, 3):
        d = 3 + noise                                  # age, income, education + noise features
        logistic = PurchaseProblem(model="logistic", noise_features=noise)
        mlp16 = PurchaseProblem(model="mlp", noise_features=noise)
        assert n_params(logistic) == _torch_count((d, 1))
        assert n_params(mlp16) == _torch_count((d, 16, 1))          # was hand-written 3 * 16 + 16 + 16 + 1
        size = problem_size(mlp16)
        assert size.n_train == len(mlp16.split()[0]) and size.n_examples == len(mlp16.data())
    for e in CATALOGUE.values():
        if e.problem is not None:
            assert n_params(e.problem) == e.problem.build().n_params, e.key
