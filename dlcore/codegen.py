"""Write the plain PyTorch script that reproduces one run — "show the code".

The script is what a learner would write after reading the articles: tensors or an
``nn.Sequential`` model, a ``torch.optim`` optimizer, an optional
``torch.optim.lr_scheduler``, and a loop. It needs only torch (and numpy/pandas for the
purchase data, whose generator is included verbatim). It leaves ``losses`` (the loss
before every update), and the trained parameters in ``w, b`` / ``xy`` / ``model``, so a
test can run it and compare with the engine.

Example::

    >>> from dlcore.problems import LINE_FIT
    >>> src = export_script(LINE_FIT, RunSpec(OptimizerSpec.make("sgd", lr=0.01)), TrainConfig(steps=100))
    >>> "optimizer = torch.optim.SGD([w, b], lr=0.01)" in src
    True
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass

from .optimizers import OptimizerSpec
from .problems.linear import LinearProblem
from .problems.networks import SumOfThree
from .problems.purchase import MAX_NOISE_FEATURES, PurchaseProblem, purchase_data
from .problems.mlp import TORCH_ACTIVATIONS
from .problems.surfaces import SurfaceProblem
from .train import RunSpec, TrainConfig

__all__ = ["export_script", "CsvSource"]


@dataclass(frozen=True)
class CsvSource:
    """Where a line fit's script reads its data when it is too long to write into the
    script: the learner's downloaded CSV ``file`` and its ``x`` and ``y`` columns (rows
    missing either are left out, as the page does)."""

    file: str
    x: str
    y: str


def _f(v: float) -> str:
    """A float literal that round-trips exactly."""
    return repr(float(v))


def _floats(vs) -> str:
    return "[" + ", ".join(_f(v) for v in vs) + "]"


def _optimizer_line(spec: OptimizerSpec, params: str) -> str:
    from .optimizers import TORCH_NAMES
    defaults = OptimizerSpec.make(spec.name)
    args = [f"lr={spec.lr!r}"]
    for k, v in spec.hyperparameters().items():
        if k == "lr":
            continue
        if v != defaults.hyperparameters()[k]:
            args.append(f"{k}={v!r}")
    return f"optimizer = torch.optim.{TORCH_NAMES[spec.name]}({params}, {', '.join(args)})"


def _header(run: RunSpec, cfg: TrainConfig, what: str) -> list[str]:
    lines = [f'"""{what}', "",
             f"Reproduces Gradient Descent Lab's run: {run.optimizer.display}, lr={run.optimizer.lr!r}, "
             f"{cfg.steps} steps, seed {run.seed}, {cfg.dtype}.", '"""']
    return lines


def _loop(cfg: TrainConfig, run: RunSpec, n: int | None, forward: list[str], params_expr: str,
          log_every: int | None = None) -> list[str]:
    """The training loop: full batch (one update per epoch, the articles' style) or
    shuffled mini-batches from a generator seeded with the run's seed."""
    sched = run.schedule.torch_code(cfg.steps)
    penalty = []
    if (run.l1 and not run.l1_proximal) or run.l2:
        penalty.append(f"    loss = loss + {_penalty(run, params_expr)}")
    update = ["    optimizer.zero_grad()", "    loss.backward()"]
    if cfg.clip_norm is not None:
        update.append(f"    torch.nn.utils.clip_grad_norm_({params_expr}, max_norm={cfg.clip_norm!r})")
    update.append("    optimizer.step()")
    if run.l1 and run.l1_proximal:
        update += _proximal(run, params_expr)
    if sched:
        update.append("    scheduler.step()")
    out = []
    if sched:
        out.append(f"scheduler = {sched}")
    minibatch = cfg.batch_size is not None and n is not None and cfg.batch_size < n
    out += [f"steps = {cfg.steps}", "losses = []  # the training loss before each update"]
    if not minibatch:
        out.append("for epoch in range(steps):")
        body = [*[x.replace("[ALL]", "") for x in forward], "    losses.append(loss.item())", *penalty, *update]
        if log_every:
            body += [f"    if (epoch + 1) % {log_every} == 0:",
                     '        print(f"Epoch [{epoch+1}/{steps}], Loss: {loss.item()}")']
        return out + body
    # Mini-batches: indent the forward/backward one level deeper.
    deeper = lambda ls: ["    " + x for x in ls]  # noqa: E731
    out += [f"batch_size = {cfg.batch_size}",
            f"order = torch.Generator().manual_seed({run.seed})  # the shuffle of every epoch",
            "step = 0",
            "while step < steps:",
            f"    perm = torch.randperm({n}, generator=order)",
            f"    for start in range(0, {n}, batch_size):",
            "        if step == steps:",
            "            break",
            "        idx = perm[start:start + batch_size]",
            *deeper([x.replace("[ALL]", "[idx]") for x in forward]),
            "        with torch.no_grad():  # the loss on all training data, as the lab plots it",
            *["            " + x.strip() for x in _full_loss(forward)],
            "        losses.append(full_loss.item())",
            *deeper(penalty), *deeper(update), "        step += 1"]
    if log_every:
        out += [f"        if step % {log_every} == 0:",
                '            print(f"Step [{step}/{steps}], Loss: {losses[-1]}")']
    return out


def _full_loss(forward: list[str]) -> list[str]:
    return [x.replace("[ALL]", "").replace("loss =", "full_loss =", 1) if "loss =" in x else x.replace("[ALL]", "")
            for x in forward]


def _weights(params_expr: str) -> str:
    """The tensors regularisation applies to: weights, not biases."""
    weights = {"[w, b]": "[w]", "[xy]": "[xy]"}.get(params_expr)
    return weights or "[p for name, p in model.named_parameters() if name.endswith('weight')]"


def _proximal(run: RunSpec, params_expr: str) -> list[str]:
    return ["    # Proximal L1 step (soft-thresholding): shrink every weight by lr·λ1 and set it to",
            "    # exactly 0 when it is smaller than that. (λ1·Σ|w| in the loss only makes weights hover near 0.)",
            "    with torch.no_grad():",
            "        step_lr = optimizer.param_groups[0]['lr']",
            f"        for p in {_weights(params_expr)}:",
            f"            p.copy_(torch.sign(p) * torch.clamp(p.abs() - step_lr * {run.l1!r}, min=0))"]


def _penalty(run: RunSpec, params_expr: str) -> str:
    terms = []
    weights = _weights(params_expr)
    if run.l1 and not run.l1_proximal:
        terms.append(f"{run.l1!r} * sum(p.abs().sum() for p in {weights})")
    if run.l2:
        terms.append(f"{run.l2!r} * sum((p ** 2).sum() for p in {weights})")
    return " + ".join(terms)


def _linear(p: LinearProblem, run: RunSpec, cfg: TrainConfig, source: CsvSource | None = None) -> list[str]:
    dt = f", dtype=torch.{cfg.dtype}"
    start = run.start if run.start is not None else p.start
    L = _header(run, cfg, f"{p.title}: fit y = {p.names[0]}·x + {p.names[1]} by gradient descent (article 000).")
    if source is None:
        L += ["import torch", "",
              f"x_data = torch.tensor({_floats(p.x)}{dt})",
              f"y_data = torch.tensor({_floats(p.y)}{dt})"]
        x_raw = _floats(p.x)
    else:
        L += ["import pandas as pd", "import torch", "",
              f"# The data: save it from the page (\"Download this data as CSV\") as {source.file} next to this file.",
              f"df = pd.read_csv({source.file!r})[[{source.x!r}, {source.y!r}]].dropna()  # rows missing x or y "
              "are left out",
              f"x_data = torch.tensor(df[{source.x!r}].to_numpy(){dt})",
              f"y_data = torch.tensor(df[{source.y!r}].to_numpy(){dt})"]
        x_raw = f"df[{source.x!r}].to_numpy()"
    if p.standardize:
        L += ["# Standardise x (population std, computed in float64): the loss surface becomes round.",
              f"x_raw = torch.tensor({x_raw}, dtype=torch.float64)",
              "x_mean, x_std = x_raw.mean().item(), x_raw.std(unbiased=False).item()",
              "x_data = (x_data - x_mean) / x_std"]
    L += [f"w = torch.tensor([{_f(start[0])}]{dt}, requires_grad=True)  # slope {p.names[0]}",
          f"b = torch.tensor([{_f(start[1])}]{dt}, requires_grad=True)  # intercept {p.names[1]}",
          _optimizer_line(run.optimizer, "[w, b]")]
    loss = {"mse": "torch.mean((y_pred - y_data[ALL]) ** 2)",
            "rmse": "torch.sqrt(torch.mean((y_pred - y_data[ALL]) ** 2))",
            "mae": "torch.mean(torch.abs(y_pred - y_data[ALL]))",
            "huber": f"torch.nn.functional.huber_loss(y_pred - y_data[ALL], torch.zeros_like(y_pred), "
                     f"delta={p.huber_delta!r})"}[p.loss]
    forward = ["    y_pred = w * x_data[ALL] + b", f"    loss = {loss}"]
    L += _loop(cfg, run, p.n, forward, "[w, b]")
    # The loss at the final w and b — the number the page shows. losses[-1] is the loss
    # before the last update, one step behind.
    L += ["", "with torch.no_grad():  # the loss at the final w and b (losses[-1] is before the last update)",
          *["    " + x.strip() for x in _full_loss(forward)],
          'print(f"{steps} steps: w = {w.item()}, b = {b.item()}, loss = {full_loss.item()} '
          '(before the last update: {losses[-1]})")']
    return L


def _surface(p: SurfaceProblem, run: RunSpec, cfg: TrainConfig) -> list[str]:
    d = p.definition
    start = run.start if run.start is not None else p.start_point
    L = _header(run, cfg, f"Minimise {d.title}: f(x, y) = {d.source}")
    L += ["import math", "", "import torch", "", "",
          "def f(x, y):", f"    return {d.source}", "",
          f"xy = torch.tensor({_floats(start)}, dtype=torch.{cfg.dtype}, requires_grad=True)",
          _optimizer_line(run.optimizer, "[xy]")]
    forward = ["    loss = f(xy[0], xy[1])"]
    L += _loop(cfg, run, None, forward, "[xy]")
    L += ["", 'print(f"{steps} steps: x = {xy[0].item()}, y = {xy[1].item()}, f = {losses[-1]}")']
    return L


def _model_lines(sizes, activation: str, seed: int, dtype: str) -> list[str]:
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(f"nn.Linear({i}, {o})")
        if k < len(sizes) - 2:
            layers.append(TORCH_ACTIVATIONS[activation])
    L = [f"torch.manual_seed({seed})  # the initial weights", f"model = nn.Sequential({', '.join(layers)})"]
    if dtype == "float64":
        L.append("model = model.double()")
    return L


def _sum_of_three(p: SumOfThree, run: RunSpec, cfg: TrainConfig) -> list[str]:
    dt = f", dtype=torch.{cfg.dtype}"
    L = _header(run, cfg, "A neural network learning \"given three numbers, output their sum\" (article 001).")
    L += ["import torch", "import torch.nn as nn", ""]
    L += _model_lines(p.sizes, p.activation, run.seed, cfg.dtype)
    L += ["criterion = nn.MSELoss()", _optimizer_line(run.optimizer, "model.parameters()"),
          f"inputs = torch.tensor({[list(map(float, r)) for r in p.inputs]}{dt})",
          f"targets = torch.tensor({[[float(t)] for t in p.targets]}{dt})"]
    forward = ["    outputs = model(inputs[ALL])", "    loss = criterion(outputs, targets[ALL])"]
    L += _loop(cfg, run, len(p.inputs), forward, "model.parameters()",
               log_every=max(1, cfg.steps // 10))
    L += ["", 'print(f"Final Model Output: {model(inputs).detach()}")']
    return L


def _purchase(p: PurchaseProblem, run: RunSpec, cfg: TrainConfig) -> list[str]:
    dt = f"dtype=torch.{cfg.dtype}"
    gen = textwrap.dedent(inspect.getsource(purchase_data))
    gen = gen.replace('    """The generated records as a DataFrame (see the module docstring for the rule)."""\n', "")
    L = _header(run, cfg, "Predict purchases from age, income and education (article 002's data set).")
    L += ["import numpy as np", "import pandas as pd", "import torch", "import torch.nn as nn", "",
          "EDUCATION = ('high school', 'bachelor', 'master', 'doctorate')",
          f"MAX_NOISE_FEATURES = {MAX_NOISE_FEATURES}", "", ""]
    L += gen.rstrip().splitlines()
    feats = p.features
    L += ["", "",
          f"df = purchase_data(seed={p.data_seed}, n={p.n_records}, noise_features={p.noise_features})",
          f"perm = torch.randperm({p.n_records}, generator=torch.Generator().manual_seed({p.data_seed + 1})).numpy()",
          f"train_rows, test_rows = perm[{p.n_test}:], perm[:{p.n_test}]"]
    if p.train_size is not None:
        L.append(f"train_rows = train_rows[:{p.train_size}]")
    L += [f"X = df[{feats!r}].to_numpy(dtype=np.float64)",
          "y = df['purchased'].to_numpy(dtype=np.float64)",
          "mean, std = X[train_rows].mean(axis=0), X[train_rows].std(axis=0)  # training rows only",
          "X = (X - mean) / np.where(std > 0, std, 1.0)",
          f"X_train, y_train = torch.tensor(X[train_rows], {dt}), torch.tensor(y[train_rows], {dt}).unsqueeze(1)",
          f"X_test, y_test = torch.tensor(X[test_rows], {dt}), torch.tensor(y[test_rows], {dt}).unsqueeze(1)", ""]
    return L + _classifier_training(p, run, cfg)


def _classifier_training(p, run: RunSpec, cfg: TrainConfig) -> list[str]:
    """After the data lines (X_train, y_train, X_test, y_test): the model, BCE with logits,
    the training loop over the training rows, and the test loss and accuracy printed."""
    L = _model_lines(p.sizes, p.activation, run.seed, cfg.dtype)
    L += ["criterion = nn.BCEWithLogitsLoss()", _optimizer_line(run.optimizer, "model.parameters()")]
    forward = ["    logits = model(X_train[ALL])", "    loss = criterion(logits, y_train[ALL])"]
    L += _loop(cfg, run, len(p.split()[0]), forward, "model.parameters()")
    L += ["", "with torch.no_grad():",
          "    test_loss = criterion(model(X_test), y_test).item()",
          "    accuracy = ((model(X_test) > 0).double() == y_test).double().mean().item()",
          'print(f"train loss {losses[-1]:.4f}, test loss {test_loss:.4f}, test accuracy {accuracy:.3f}")']
    return L


def _classifier(p, run: RunSpec, cfg: TrainConfig) -> list[str]:
    """A classifier on a learner's own table (e.g. OwnClassification): the problem writes
    its own data lines, leaving X_train, y_train, X_test, y_test and feature_names."""
    L = _header(run, cfg, getattr(p, "script_title", "Classify the rows of your own table (a binary label)."))
    L += ["import io", "", "import numpy as np", "import pandas as pd", "import torch", "import torch.nn as nn", ""]
    L += list(p.script_data_lines(cfg.dtype)) + [""]
    return L + _classifier_training(p, run, cfg)


def export_script(problem, run: RunSpec, config: TrainConfig, source: CsvSource | None = None) -> str:
    """A runnable plain-PyTorch script reproducing ``run`` on ``problem`` under ``config``.
    ``source``: a line fit reads its points from this CSV instead of holding them."""
    if isinstance(problem, LinearProblem):
        lines = _linear(problem, run, config, source)
    elif isinstance(problem, SurfaceProblem):
        lines = _surface(problem, run, config)
    elif isinstance(problem, SumOfThree):
        lines = _sum_of_three(problem, run, config)
    elif isinstance(problem, PurchaseProblem):
        lines = _purchase(problem, run, config)
    elif hasattr(problem, "script_data_lines"):
        lines = _classifier(problem, run, config)
    else:
        raise ValueError(f"No code export for {type(problem).__name__}.")
    return "\n".join(lines) + "\n"
