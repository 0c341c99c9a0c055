"""The learning-rate sweep page's tabs at the edges of their settings (AppTest): loss curves,
the article check, the range test and the schedules with extreme and invalid values —
rendered without an exception, with a visible note wherever a setting had to be changed."""
import pytest

from tests.lr_sweep_helpers import assert_renders

CASES = {
    "everything-diverges-schedules": (dict(problem="study", lo=0.1, hi=100, n=5, steps=100, tab="Schedules"), None),
    "rosenbrock-adam-curves": (dict(problem="rosenbrock", opt="Adam", steps=300, tab="Loss curves"), None),
    "sum3-rmsprop-huge-schedule": (dict(problem="sum3", opt="RMSprop", steps=200, slr=100, tab="Schedules"), None),
    "study-adagrad-absolute-check": (dict(problem="study", opt="AdaGrad", mode="absolute", steps=200, check=1), None),
    "logistic-minibatch-range": (dict(problem="logistic", batch=32, steps=100, tab="Range test", rt_problem="logistic",
                                      rt_start=0.001, rt_end=0.01, rt_iters=20, rt_rule="steep"), None),
    "range-test-reversed": (dict(steps=100, tab="Range test", rt_start=0.01, rt_end=0.01, rt_problem="sum3",
                                 rt_iters=30, rt_steps=20), "start rate must be below"),
    "garbage": (dict(steps=100, curves="abc,-1,1e9", code_run=5, code_rate=3, code_sched="nope", seed=2 ** 40,
                     dtype="float16", mode="x", tab="Loss curves", batch=-3), "Some settings were adjusted"),
    "line-minibatch-float64": (dict(batch=2, dtype="float64", steps=200, tab="Schedules", code_sched="onecycle"), None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_edge_tab_settings_render(name):
    qp, note = CASES[name]
    assert_renders(name, qp, note)
