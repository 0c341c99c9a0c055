"""dlcore.schedules refuses what it cannot do with ValueError and a plain message, and
refuses exactly the one-cycle settings torch.optim.lr_scheduler.OneCycleLR refuses.
(The rates themselves are checked against torch's schedulers in test_optim_equivalence.)"""
import pickle
from dataclasses import replace

import pytest
import torch

from dlcore import ScheduleSpec
from dlcore.schedules import OPTIONS, SCHEDULES


def torch_onecycle_rates(pct_start, steps, lr=0.3, div=25.0, final_div=1e4):
    """OneCycleLR as a learner sets it up (total_steps as the engine uses: at least 2), with
    the rate of every step; or the exception torch raises."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    try:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 2), pct_start=pct_start,
                                                    div_factor=div, final_div_factor=final_div, cycle_momentum=False)
        rates = []
        for _ in range(steps):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    except Exception as exc:  # noqa: BLE001 — whatever torch raises is what we compare with
        return exc
    return rates


# pct_start × max(steps, 2) = 1 exactly in floats for the first seven: torch divides by zero.
ONECYCLE_GRID = [(0.1, 10), (0.5, 2), (0.25, 4), (0.2, 5), (0.5, 1), (0.125, 8), (0.01, 100),
                 (0.3, 10), (0.3, 3), (0.1, 11), (0.5, 3), (0.9, 2), (0.01, 99), (0.3, 1), (0.7, 7)]


@pytest.mark.parametrize("pct_start, steps", ONECYCLE_GRID)
def test_onecycle_refuses_exactly_what_torch_refuses(pct_start, steps):
    spec = ScheduleSpec("onecycle", pct_start=pct_start)
    theirs = torch_onecycle_rates(pct_start, steps)
    if isinstance(theirs, Exception):
        for call in (lambda: spec.lrs(0.3, steps), lambda: spec.torch_scheduler(
                torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3), steps), lambda: spec.torch_code(steps)):
            with pytest.raises(ValueError, match="pct_start × steps ≠ 1"):
                call()
    else:
        assert spec.lrs(0.3, steps).tolist() == pytest.approx(theirs, rel=1e-12, abs=1e-15)
        assert spec.torch_code(steps).startswith("torch.optim.lr_scheduler.OneCycleLR(")


def test_the_grid_has_both_outcomes():
    outcomes = [isinstance(torch_onecycle_rates(p, s), Exception) for p, s in ONECYCLE_GRID]
    assert outcomes[:7] == [True] * 7 and not any(outcomes[7:])


def test_onecycle_at_pct_start_steps_one_does_not_silently_start_at_the_peak():
    with pytest.raises(ValueError) as e:
        ScheduleSpec("onecycle", pct_start=0.1).lrs(0.3, 10)
    assert "ZeroDivision" not in type(e.value).__name__
    assert "pct_start 0.1 and 10 steps" in str(e.value)


@pytest.mark.parametrize("options", [dict(T_max=10), dict(kind="cosine", T_max=10), dict(kind="step", milestones=[3]),
                                     dict(kind="onecycle", max_lr=1.0, anneal_strategy="linear")])
def test_unknown_options_are_value_errors_that_name_them(options):
    with pytest.raises(ValueError) as e:
        ScheduleSpec(**options)
    unknown = sorted(set(options) - {"kind"})
    assert str(unknown) in str(e.value)
    kind = options.get("kind", "constant")
    assert f"{kind} takes {list(OPTIONS[kind])}" in str(e.value)


@pytest.mark.parametrize("args, kwargs", [(("step", 3), dict(step_size=4)),
                                          (tuple(["step", 3, 0.5, 0.0, 0.3, 25.0, 1e4, 99]), {})])
def test_bad_positional_use_is_a_value_error(args, kwargs):
    with pytest.raises(ValueError):
        ScheduleSpec(*args, **kwargs)


@pytest.mark.parametrize("bad", [dict(kind="warmup"), dict(kind="step", step_size=0), dict(kind="step", gamma="0.5"),
                                 dict(kind="cosine", eta_min=float("nan")), dict(kind="onecycle", pct_start=1.0)])
def test_bad_values_stay_value_errors(bad):
    with pytest.raises(ValueError):
        ScheduleSpec(**bad)


@pytest.mark.parametrize("base_lr, steps", [(0.1, "5"), (0.1, 2.5), (0.1, -1), ("a", 5), (None, 3), (0.0, 3),
                                            (float("inf"), 3), (True, 3)])
def test_lrs_refuses_bad_arguments_with_value_errors(base_lr, steps):
    for kind in SCHEDULES:
        with pytest.raises(ValueError):
            ScheduleSpec(kind).lrs(base_lr, steps)


def test_positional_keyword_replace_pickle_and_equality_still_work():
    a = ScheduleSpec("step", 3, 0.5)
    b = ScheduleSpec(kind="step", step_size=3, gamma=0.5)
    assert a == b and hash(a) == hash(b)
    assert replace(a, gamma=0.2).gamma == 0.2 and replace(a, gamma=0.2).step_size == 3
    assert pickle.loads(pickle.dumps(a)) == a
    assert ScheduleSpec() == ScheduleSpec("constant")
    assert ScheduleSpec("step", step_size=2, gamma=0.5).lrs(0.1, 5).round(4).tolist() == [0.1, 0.1, 0.05, 0.05, 0.025]
    with pytest.raises(AttributeError):
        a.gamma = 3.0                                   # still frozen
