"""The exported plain-PyTorch scripts run and reproduce the engine's numbers."""
import runpy
from dataclasses import replace

import numpy as np
import pytest
import torch

from dlcore import (LINE_FIT, STUDY_HOURS, LinearProblem, OptimizerSpec, PurchaseProblem, RunSpec, ScheduleSpec,
                    SumOfThree, SurfaceProblem, TrainConfig, train)
from dlcore.codegen import export_script

CASES = [
    (LINE_FIT, RunSpec(OptimizerSpec.make("sgd", lr=0.01)), TrainConfig(steps=100)),
    (STUDY_HOURS, RunSpec(OptimizerSpec.make("adam", lr=0.5), schedule=ScheduleSpec("cosine"), l2=0.1),
     TrainConfig(steps=100, batch_size=2)),
    (LinearProblem(x=(10, 20, 30, 40), y=(480, 520, 710, 680), standardize=True, loss="huber"),
     RunSpec(OptimizerSpec.make("sgd", lr=0.1, momentum=0.9)), TrainConfig(steps=60, clip_norm=1.0)),
    (LinearProblem(x=(0.1, 0.7, 1.3), y=(1.0, 0.5, 0.2), loss="mae", standardize=True),
     RunSpec(OptimizerSpec.make("rmsprop", lr=0.01, centered=True), schedule=ScheduleSpec("step", step_size=10)),
     TrainConfig(steps=40)),
    (SurfaceProblem("rosenbrock"), RunSpec(OptimizerSpec.make("rmsprop", lr=0.01)), TrainConfig(steps=150, dtype="float64")),
    (SurfaceProblem("custom", expression="sin(x)*cos(y) + 0.1*(x**2 + y**2)", start=(1.0, 2.0)),
     RunSpec(OptimizerSpec.make("sgd", lr=0.1), l1=0.01), TrainConfig(steps=50)),
    (SumOfThree(), RunSpec(OptimizerSpec.make("sgd", lr=0.01), seed=3), TrainConfig(steps=100)),
    (SumOfThree(hidden=(5, 3), activation="tanh"),
     RunSpec(OptimizerSpec.make("adamw", lr=0.01, weight_decay=0.1), schedule=ScheduleSpec("onecycle"), seed=1, l1=0.001),
     TrainConfig(steps=80, dtype="float64", batch_size=2)),
    (PurchaseProblem(), RunSpec(OptimizerSpec.make("sgd", lr=0.1), seed=0), TrainConfig(steps=50)),
    (PurchaseProblem(model="mlp", hidden=(8,), noise_features=3, train_size=200),
     RunSpec(OptimizerSpec.make("adam", lr=0.01), seed=5, l1=0.01), TrainConfig(steps=40, batch_size=32, dtype="float64")),
]


def final_params(g):
    if "model" in g:
        return torch.nn.utils.parameters_to_vector(g["model"].parameters()).detach().numpy()
    if "xy" in g:
        return g["xy"].detach().numpy()
    return np.array([g["w"].item(), g["b"].item()])


def run_script(problem, run, cfg, path, capsys):
    path.write_text(export_script(problem, run, cfg))
    g = runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    last = g["losses"][-1]
    assert str(last) in out or f"{last:.4f}" in out      # it reports the loss it reached
    return final_params(g), np.array(g["losses"], dtype=np.float64)


@pytest.mark.parametrize("problem, run, cfg", CASES, ids=lambda c: type(c).__name__ if not isinstance(c, (RunSpec, TrainConfig)) else "")
def test_exported_script_reproduces_the_engine(problem, run, cfg, tmp_path, capsys):
    """The script, in float64, equals the engine in float64 to 1e-8 at every step: same model,
    data, initial weights, optimizer, schedule, batches. In the case's own dtype too, where
    float32 is compared within 1e-5 plus how far float32 rounding travels in this run —
    |engine float32 − engine float64|, measured here — because the script's nn.Linear and
    the engine's batched product round differently, by amounts that depend on the CPU's kernels
    and that oscillating runs (SumOfThree below) amplify."""
    cfg64 = replace(cfg, dtype="float64")
    params64, losses64 = run_script(problem, run, cfg64, tmp_path / "script64.py", capsys)
    res64 = train(problem, [run], cfg64)
    np.testing.assert_allclose(params64, res64.final_params[0], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(losses64, res64.loss[:-1, 0], rtol=1e-8, atol=1e-10)
    if cfg.dtype == "float64":
        return
    params, losses = run_script(problem, run, cfg, tmp_path / "script.py", capsys)
    res = train(problem, [run], cfg)
    drift_p = np.abs(res.final_params[0].astype(np.float64) - res64.final_params[0]).max()
    drift_l = np.abs(res.loss[:-1, 0].astype(np.float64) - res64.loss[:-1, 0])
    np.testing.assert_allclose(params, res.final_params[0], rtol=1e-5, atol=1e-5 + 4 * drift_p)
    assert (np.abs(losses - res.loss[:-1, 0]) <= 1e-5 * np.abs(losses) + 1e-6 + 4 * drift_l).all()


def test_script_uses_only_plain_pytorch():
    src = export_script(SumOfThree(), RunSpec(OptimizerSpec.make("sgd", lr=0.01)), TrainConfig(steps=100))
    assert "dlcore" not in src and "streamlit" not in src
    assert "torch.optim.SGD(model.parameters(), lr=0.01)" in src
    assert "nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))" in src
    assert 'print(f"Epoch [{epoch+1}/{steps}], Loss: {loss.item()}")' in src    # the article's log format
