"""The learning-rate sweep page (AppTest): URL parameters, shared links, and the tabs — loss
curves, the range test (against fastai's rules on a plain torch run) and the schedules (against
torch.optim.lr_scheduler)."""
import math
import re
import runpy

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn

from tests.lr_sweep_helpers import chart_rows, first_stay_below, frame, notes, reference_run, run_page


def test_url_parameters_are_honoured_and_bad_ones_reported():
    at = run_page(problem="study_std", opt="Momentum", lo=0.01, hi=2, n=7, steps=300, tol=0.01, mode="absolute",
                  seed=3, dtype="float64", tab="Schedules")
    assert at.selectbox(key="lr.problem").value == "study_std"
    assert at.selectbox(key="lr.opt").value == "Momentum"
    assert (at.select_slider(key="lr.lo").value, at.select_slider(key="lr.hi").value) == (0.01, 2.0)
    assert at.slider(key="lr.n").value == 7
    assert at.radio(key="lr.mode").value == "absolute"
    assert at.number_input(key="lr.seed").value == 3
    assert "Momentum" in at.caption[0].value and "300 steps" in at.caption[0].value
    assert len(frame(at, "learning_rate")) == 7 + 4
    assert "schedule" in frame(at, "torch").columns               # the Schedules tab is the one rendered
    assert at.query_params["n"] == ["7"] or at.query_params["n"] == "7"

    bad = run_page(problem="nope<script>", n=100000, lo="abc", tab="Nope", tol="-1")
    msg = notes(bad)
    assert "nope" in msg and "number of rates: 100000 is above the maximum; using 300" in msg
    assert "smallest rate" in msg and "tolerance" in msg
    assert bad.selectbox(key="lr.problem").value == "line"
    assert len(frame(bad, "learning_rate")) >= 300
    assert "the article says" in frame(bad, "the article says").columns      # default tab


def test_a_shared_link_reproduces_the_same_numbers():
    at = run_page(steps=300, n=20)
    at.selectbox(key="lr.problem").set_value("bowl").run()
    at.selectbox(key="lr.opt").set_value("Nesterov").run()
    first = frame(at, "learning_rate")
    link = {k: at.query_params[k] for k in at.query_params}
    link = {k: (v[0] if isinstance(v, list) else v) for k, v in link.items()}
    assert link["problem"] == "bowl" and link["opt"] == "Nesterov"
    again = run_page(**link)
    pd.testing.assert_frame_equal(first, frame(again, "learning_rate"))


def test_loss_curves_tab_snaps_chosen_rates_to_the_sweep():
    at = run_page(tab="Loss curves", lo=0.001, hi=0.5, n=12, steps=500, curves="0.05,0.01")
    grid = np.logspace(-3, np.log10(0.5), 12)
    curves = frame(at, "run")
    near = sorted(float(grid[np.argmin(np.abs(np.log(grid) - np.log(v)))]) for v in (0.05, 0.01))
    shown = sorted(float(re.search(r"η = ([0-9.e-]+)", r).group(1)) for r in curves["run"])
    assert shown == pytest.approx(near, rel=1e-2)
    assert "was not swept" in notes(at)
    # Automatic picks on the same sweep: too small < good < too large, good is the fastest.
    auto = frame(run_page(tab="Loss curves", lo=0.001, hi=0.5, n=12, steps=500), "run")
    assert [r.split(" ·")[0] for r in auto["run"]] == ["too small", "good", "too large"]
    assert auto["status"].tolist()[1] == "converged" and auto["status"].tolist()[2] == "diverged"


def fastai_valley(losses):
    """fastai.callback.schedule.valley, written out."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


def test_range_test_suggestions_equal_fastai_rules_on_a_plain_torch_run():
    start, end, n = 1e-5, 10.0, 60
    at = run_page(tab="Range test", rt_problem="sum3", rt_opt="SGD", rt_start=start, rt_end=end, rt_iters=n,
                  rt_steps=40, dtype="float64")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()   # drawn in float32, as a fresh model
    x = torch.tensor([[1.0, 2, 3], [2, 3, 4], [3, 4, 5]], dtype=torch.float64)
    y = torch.tensor([[6.0], [9.0], [12.0]], dtype=torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=start)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(end / start) ** (1 / (n - 1)))
    lrs, smooth, avg, best = [], [], 0.0, math.inf
    stopped = None
    for i in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        loss = nn.functional.mse_loss(model(x), y)
        avg = 0.98 * avg + 0.02 * loss.item()
        s = avg / (1 - 0.98 ** (i + 1))
        smooth.append(s)
        if not math.isfinite(s) or (i > 0 and s > 4 * best):
            stopped = i
            break
        best = min(best, s)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    use = len(smooth) - 1 if stopped is not None else len(smooth)
    sm, lr = np.array(smooth[:use]), np.array(lrs[:use])
    lo, hi = (10, use - 5) if use > 20 else (0, use)
    expected = {"valley": lr[min(fastai_valley(list(sm)), use - 1)],
                "steep": lr[lo + int(np.argmin(np.gradient(sm[lo:hi], np.log10(lr[lo:hi]))))],
                "min/10": lr[int(np.argmin(sm))] / 10}
    text = "\n".join(m.value for m in at.markdown)
    shown = {k: float(v) for k, v in re.findall(r"\*\*(valley|steep|min/10) → η = ([0-9.e+-]+)\*\*", text)}
    assert shown.keys() == expected.keys()
    for k, v in expected.items():
        assert shown[k] == float(f"{v:.3g}"), k
    # The chart marks them.
    marked = [r["lr"] for r in chart_rows(at, 2) if set(r) == {"lr", "label"}]
    assert sorted(marked) == pytest.approx(sorted(expected.values()), rel=1e-9)


def test_schedules_tab_equals_torch_lr_schedulers():
    steps, lr = 200, 0.05
    at = run_page(tab="Schedules", problem="line", opt="SGD", steps=steps, slr=lr, dtype="float64", tol=1e-3)
    S = torch.optim.lr_scheduler
    makers = {
        "constant": None,
        "step": lambda o: S.StepLR(o, step_size=math.ceil(steps / 3), gamma=0.1),
        "exponential": lambda o: S.ExponentialLR(o, gamma=0.01 ** (1 / steps)),
        "cosine": lambda o: S.CosineAnnealingLR(o, T_max=steps),
        "onecycle": lambda o: S.OneCycleLR(o, max_lr=lr, total_steps=steps, cycle_momentum=False),
    }
    tab = frame(at, "torch")
    assert tab["schedule"].tolist() == list(makers)
    for _, row in tab.iterrows():
        losses, diverged, optimum = reference_run("line", "SGD", lr, steps, torch.float64, makers[row["schedule"]])
        assert diverged is None
        first = first_stay_below(losses, 1e-3, optimum)
        assert row["steps to converge"] == (f"{first:,}" if first is not None else "—"), row["schedule"]
        assert float(row["final loss"]) == pytest.approx(losses[-1], rel=1e-5, abs=1e-300), row["schedule"]


def test_show_the_code_reproduces_the_row_on_screen(tmp_path):
    """The exported script of the article tab's chosen rate, run on its own, ends where the
    page's table says that rate ends."""
    at = run_page(lo=0.001, hi=0.2, n=5, steps=1000, dtype="float64", code_rate=0.01)
    script = [c.value for c in at.code if "torch.optim.SGD" in c.value]
    assert len(script) == 1 and "lr=0.01" in script[0]
    path = tmp_path / "lr_0.01.py"
    path.write_text(script[0])
    g = runpy.run_path(str(path), run_name="__main__")
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    final = torch.mean((g["w"] * x + g["b"] - 2 * x) ** 2).item()
    row = frame(at, "learning_rate").set_index("learning_rate").loc[0.01]
    assert float(row["final_loss"]) == pytest.approx(final, rel=1e-9)
    losses = g["losses"] + [final]
    assert int(row["steps_to_converge"]) == first_stay_below(losses, 1e-3, 0.0)


@pytest.mark.parametrize("old", ["Loss curves", "loss curves", "curves"])
def test_tab_links_use_short_slugs_and_old_links_still_open_the_tab(old):
    """Issue 14 #10: ?tab=Loss+curves (the old link) and ?tab=curves open the same tab;
    the address then names it by its slug."""
    at = run_page(tab=old, lo=0.001, hi=0.5, n=6, steps=200)
    assert "run" in frame(at, "run").columns                       # the loss-curves table is drawn
    assert "Ignored" not in notes(at) and "tab" not in notes(at)
    tab = at.query_params["tab"]
    assert (tab[0] if isinstance(tab, list) else tab) == "curves"


def test_picking_curves_reruns_the_fragment_and_keeps_the_link_in_step():
    """The curves picker is a fragment (a rerun of that tab only); the rates it holds still
    reach the link, and the picked rates are the curves drawn."""
    at = run_page(tab="curves", lo=0.001, hi=0.5, n=6, steps=200)
    options = at.multiselect(key="lr.curves").options
    at.multiselect(key="lr.curves").set_value([options[1], options[3]]).run()
    assert not at.exception
    link = at.query_params["curves"]
    link = link[0] if isinstance(link, list) else link
    grid = np.logspace(-3, np.log10(0.5), 6)
    assert [float(v) for v in link.split(",")] == pytest.approx([grid[1], grid[3]], rel=1e-6)
    shown = sorted(float(re.search(r"η = ([0-9.e-]+)", r).group(1)) for r in frame(at, "run")["run"])
    assert shown == pytest.approx([grid[1], grid[3]], rel=1e-2)
