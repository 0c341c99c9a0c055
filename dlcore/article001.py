"""Article 001's printed numbers, its log format, and which seed comes closest to them.

The article trains ``SimpleNN`` (3→4→1, ReLU) with ``nn.MSELoss`` and ``SGD(lr=0.01)`` for
100 epochs and prints ``Epoch [e/100], Loss: …`` every 10 epochs. Its loop prints the loss
computed in epoch e *before* that epoch's update — the loss at the parameters after
e − 1 updates, i.e. ``TrainResult.loss[e − 1]``. The final outputs are computed after all
100 updates.

Its script never calls ``torch.manual_seed``: PyTorch seeds its generator randomly in
every new process, so those numbers can't be reproduced — another run prints others.
:func:`closest_runs` ranks runs (e.g. seeds 0…N trained together) by how close their
logged losses come to the article's, on a log scale.

Example::

    >>> import numpy as np
    >>> loss = np.linspace(90, 0.1, 101, dtype=np.float32)[:, None]   # any (epochs+1, runs) history
    >>> log = epoch_log(loss[:, 0], epochs=100)
    >>> log["message"].iloc[0]
    'Epoch [10/100], Loss: 81.90899658203125'
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ARTICLE_LOG", "ARTICLE_OUTPUTS", "ARTICLE_TARGETS", "log_every", "epoch_log", "final_output_message",
           "closest_runs"]

# Printed by the article (one unseeded run of its script).
ARTICLE_LOG = {10: 0.8691520690917969, 20: 0.48098862171173096, 30: 0.3213127553462982,
               40: 0.23787598311901093, 50: 0.18800848722457886, 60: 0.15559352934360504,
               70: 0.13345758616924286, 80: 0.11807630211114883, 90: 0.10763207823038101,
               100: 0.10120618343353271}
ARTICLE_OUTPUTS = (6.4489, 9.2806, 12.1123)
ARTICLE_TARGETS = (6.0, 9.0, 12.0)


def log_every(epochs: int) -> int:
    """How often the log prints: every 10 epochs for the article's 100, about ten lines otherwise."""
    if epochs < 1:
        raise ValueError("epochs must be at least 1.")
    return max(1, epochs // 10)


def epoch_log(loss, epochs: int, every: int | None = None) -> pd.DataFrame:
    """The article's log for one run: epoch, loss and the printed line, every ``every`` epochs.

    ``loss`` is the run's full-batch training loss per step (length ≥ epochs + 1 or up to a
    divergence); the loss printed at epoch e is ``loss[e − 1]``. Non-finite losses print as
    torch does (``nan``/``inf``); rows after the history ends are left out.
    """
    loss = np.asarray(loss)          # keep float32 as float32: printed as torch's loss.item() prints it
    every = log_every(epochs) if every is None else int(every)
    rows = []
    for e in range(every, epochs + 1, every):
        if e - 1 >= len(loss):
            break
        v = float(loss[e - 1])
        rows.append({"epoch": e, "loss": v, "message": f"Epoch [{e}/{epochs}], Loss: {v}"})
    return pd.DataFrame(rows, columns=["epoch", "loss", "message"])


def final_output_message(outputs, dtype: str = "float32") -> str:
    """The article's last line, as its script prints it: ``Final Model Output: tensor([[…], …])``.

        >>> print(final_output_message([6.4489, 9.2806, 12.1123]))
        Final Model Output: tensor([[ 6.4489],
                [ 9.2806],
                [12.1123]])
    """
    import torch
    t = torch.tensor(np.asarray(outputs, dtype=np.float64), dtype=getattr(torch, dtype)).reshape(-1, 1)
    return f"Final Model Output: {t}"


def closest_runs(loss, log: dict[int, float] = ARTICLE_LOG) -> pd.DataFrame:
    """Rank runs by the root-mean-square of log(loss / logged loss) over the logged epochs.

    ``loss`` is (epochs + 1, N). Returns run, distance (0 = identical), and the typical
    factor exp(distance) between the run's and the logged losses, best first. Runs with a
    non-finite logged loss rank last.
    """
    loss = np.asarray(loss, dtype=np.float64)
    epochs = sorted(log)
    if loss.ndim != 2 or loss.shape[0] < epochs[-1]:
        raise ValueError(f"Need a (≥{epochs[-1]}, runs) loss history.")
    ours = loss[[e - 1 for e in epochs]]                      # (len(log), N)
    ref = np.array([log[e] for e in epochs])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.sqrt(np.mean(np.log(ours / ref) ** 2, axis=0))
    d = np.where(np.isfinite(d), d, np.inf)
    order = np.argsort(d, kind="stable")
    return pd.DataFrame({"run": order, "distance": d[order], "factor": np.exp(d[order])})
