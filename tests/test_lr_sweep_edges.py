"""The learning-rate sweep page at the edges of its settings (AppTest): every problem,
extreme and invalid values — rendered without an exception, with the charts drawn
and a visible note wherever a setting had to be changed."""
import pytest

from tests.lr_sweep_helpers import assert_renders

CASES = {
    "two-rates-ten-steps": (dict(n=2, steps=10), None),
    "300-rates-cut-by-budget": (dict(n=300, steps=20000), "To keep the lab fast"),
    "range-reversed": (dict(lo=1, hi=0.001, steps=100), "were swapped"),
    "range-empty": (dict(lo=0.1, hi=0.1, steps=100), "are equal"),
    "mlp": (dict(problem="mlp", n=20, steps=200), None),
    "tolerance-met-at-start": (dict(tol=10, steps=100, tab="Loss curves"), None),
    "nothing-moves": (dict(lo=1e-6, hi=2e-6, steps=10, tab="Loss curves"), None),
    "everything-diverges": (dict(problem="study", lo=0.1, hi=100, n=5, steps=100, tab="Loss curves"), None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_edge_settings_render(name):
    qp, note = CASES[name]
    assert_renders(name, qp, note)
