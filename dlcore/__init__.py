"""dlcore — the Gradient Descent Lab training engine: pure Python + PyTorch, no UI.

Train many configurations of one problem at once and get every step back::

    >>> from dlcore import train, RunSpec, TrainConfig, OptimizerSpec, LINE_FIT
    >>> runs = [RunSpec(OptimizerSpec.make("sgd", lr=lr)) for lr in (0.001, 0.01, 0.1)]
    >>> result = train(LINE_FIT, runs, TrainConfig(steps=100))
    >>> result.summary()["final_loss"].round(4).tolist()
    [1.0898, 0.0341, 0.0001]
"""
from .optimizers import OPTIMIZERS, PRESETS, BatchedOptimizer, OptimizerSpec, preset
from .problems import (EDUCATION, LINE_FIT, LOSSES, STUDY_HOURS, SURFACES, LinearProblem, PurchaseProblem,
                       SumOfThree, SurfaceProblem, feature_columns, nearest_minimum, purchase_data)
from .results import TrainResult, converged_at, thin_steps
from .schedules import SCHEDULES, ScheduleSpec
from .train import MAX_RUNS, MAX_STEPS, RunSpec, TrainConfig, initial_params, train

__all__ = [
    "OPTIMIZERS", "PRESETS", "BatchedOptimizer", "OptimizerSpec", "preset",
    "EDUCATION", "LINE_FIT", "LOSSES", "STUDY_HOURS", "SURFACES", "LinearProblem", "PurchaseProblem",
    "SumOfThree", "SurfaceProblem", "feature_columns", "nearest_minimum", "purchase_data",
    "TrainResult", "converged_at", "thin_steps", "SCHEDULES", "ScheduleSpec",
    "MAX_RUNS", "MAX_STEPS", "RunSpec", "TrainConfig", "initial_params", "train",
]
