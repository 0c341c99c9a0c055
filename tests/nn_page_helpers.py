"""Shared helpers for the Neural Network page's AppTest tests: run the page, read its
elements and chart data, and plain-PyTorch references written without dlcore."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "neural_network.py")
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]
Y3 = [[6.0], [9.0], [12.0]]
ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}

torch.set_num_threads(1)


def run_page(timeout: float = 120, **query) -> AppTest:
    """app.py switched to the Neural Network page, with URL query parameters; no exception."""
    at = open_page("neural_network.py", timeout=timeout, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at, *kinds) -> str:
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success", "latex", "header", "subheader")
    return "\n".join(str(e.value) for k in kinds for e in at.get(k))


def console(at) -> str:
    """The text of the article-format output box."""
    for c in at.code:
        if c.value.startswith("Epoch [") or c.value.startswith("…"):
            return c.value
    raise AssertionError("no console output on the page")


def metric(at, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric {label_start!r}: {[m.label for m in at.metric]}")


def chart_data(at) -> list[pd.DataFrame]:
    out = []
    for c in at.get("vega_lite_chart"):
        for ds in c.proto.datasets:
            out.append(convert_arrow_bytes_to_pandas_df(ds.data.data))
    return out


def find_data(at, columns: set[str]) -> pd.DataFrame:
    for df in chart_data(at):
        if columns <= set(df.columns):
            return df
    raise AssertionError(f"no chart dataset with {sorted(columns)}")


def dataframe_with(at, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}")


def seeded_mlp(sizes, act: str, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(ACT[act]())
    return nn.Sequential(*layers)


def article_script(seed: int, hidden=(4,), act="relu", make_opt=None, epochs=100):
    """Article 001's script with torch.manual_seed(seed): its printed lines and the model."""
    model = seeded_mlp((3, *hidden, 1), act, seed)
    optimizer = (make_opt or (lambda p: torch.optim.SGD(p, lr=0.01)))(model.parameters())
    criterion = nn.MSELoss()
    inputs, targets = torch.tensor(X3), torch.tensor(Y3)
    lines, every = [], max(1, epochs // 10)
    for epoch in range(epochs):
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (epoch + 1) % every == 0:
            lines.append(f"Epoch [{epoch+1}/{epochs}], Loss: {loss.item()}")
    lines.append(f"Final Model Output: {model(inputs).detach()}")
    return lines, model


def close(a: str | float, b: float, rel: float = 1e-3) -> bool:
    return abs(float(a) - b) <= rel * max(abs(b), 1e-12)


__all__ = ["run_page", "texts", "console", "metric", "chart_data", "find_data", "dataframe_with", "seeded_mlp",
           "article_script", "close", "X3", "Y3", "np", "torch", "nn"]
