"""Optimizer comparison, the race's start point without a mouse (issue 19): "Choose the start"
and the two number inputs are settings (PageState, in the link) — the same settings a click on
the map writes — and the race starts where they say. AppTest against plain torch.optim."""
import pytest

from tests.apptest_helpers import open_page as open_app_page
from tests.optim_reference import STARTS, SURFACES, surface_run


def open_page(query: dict):
    at = open_app_page("optimizer_comparison.py", timeout=180, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def results(at):
    for df in at.dataframe:
        if {"optimizer", "final loss", "diverged at"} <= set(df.value.columns):
            return df.value.set_index("optimizer")
    raise AssertionError("no results table on the page")


def test_start_point_from_the_number_inputs_alone():
    at = open_page({"opts": "SGD,Adam", "steps": 60})
    assert "opt.sx" not in [w.key for w in at.number_input]      # off: the problem's own start
    at.toggle(key="opt.own_start").set_value(True).run()
    assert not at.exception
    # switched on, the inputs hold the problem's own start, ready to edit
    assert (at.number_input(key="opt.sx").value, at.number_input(key="opt.sy").value) == STARTS["rosenbrock"]
    at.number_input(key="opt.sx").set_value(0.5).run()
    at.number_input(key="opt.sy").set_value(-0.5).run()
    assert not at.exception
    table = results(at)
    for label, lr in (("SGD", 1e-3), ("Adam", 0.3)):
        ref = surface_run(SURFACES["rosenbrock"], (0.5, -0.5), label, dict(lr=lr), 60)
        assert table.loc[label, "final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-15)
    assert at.query_params["own_start"] == "1" and float(at.query_params["sx"]) == 0.5
    assert float(at.query_params["sy"]) == -0.5


def test_a_link_with_a_start_fills_the_inputs_the_map_click_also_writes():
    """A map click sets own_start, sx and sy (controls.start_clicked); the same three
    settings from a link show in the inputs and start the race there."""
    at = open_page({"opts": "Momentum", "steps": 40, "own_start": 1, "sx": 1.2, "sy": 2.1})
    assert at.toggle(key="opt.own_start").value
    assert (at.number_input(key="opt.sx").value, at.number_input(key="opt.sy").value) == (1.2, 2.1)
    ref = surface_run(SURFACES["rosenbrock"], (1.2, 2.1), "Momentum", dict(lr=5e-4), 40)
    assert results(at).loc["Momentum", "final loss"] == pytest.approx(ref["losses"][-1], rel=1e-9, abs=1e-15)
