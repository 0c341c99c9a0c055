"""Take it home as a notebook: every exported script becomes a notebook that a real
Jupyter kernel runs (nbclient, python3) and that prints what the script prints when run
as a program on the same machine — and the scripts print the engine's numbers
(tests/test_codegen.py)."""
import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import dlcore
from dlcore.codegen import export_script
from dlcore.line_explorer import loss_script
from dlcore.notebook import notebook_bytes, script_to_notebook

SGD = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=0.01))
SCRIPTS = {
    "line fit": lambda: export_script(dlcore.LINE_FIT, SGD, dlcore.TrainConfig(steps=100)),
    "sum of three": lambda: export_script(dlcore.SumOfThree(),
                                          dlcore.RunSpec(dlcore.OptimizerSpec.make("adam", lr=0.01), seed=601),
                                          dlcore.TrainConfig(steps=50)),
    "surface": lambda: export_script(dlcore.SurfaceProblem("rosenbrock"),
                                     dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=0.001, momentum=0.9)),
                                     dlcore.TrainConfig(steps=50)),
    "losses": lambda: loss_script((1.0, 2.0, 3.0, 4.0, 5.0), (52.0, 55.0, 61.0, 70.0, 74.0), 9.0, 350.0, 10.0),
}


def run_notebook(nb) -> str:
    """Execute with a real kernel; return everything the cells printed."""
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out.append(o["text"])
    return "".join(out)


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_notebook_runs_and_prints_what_the_script_prints(name, tmp_path):
    script = SCRIPTS[name]()
    program = tmp_path / "experiment.py"
    program.write_text(script)
    expected = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, check=True,
                              timeout=240, env={**os.environ, "MPLBACKEND": "Agg"}).stdout
    nb = nbformat.reads(notebook_bytes(script).decode(), as_version=4)
    assert expected.strip() and run_notebook(nb) == expected


def test_cells_keep_the_scripts_lines_in_order_with_its_comments_as_text():
    script = SCRIPTS["line fit"]()
    nb = script_to_notebook(script)
    body = script.split('"""', 2)[2]            # after the module docstring
    code = [c.source for c in nb.cells if c.cell_type == "code"][:-1]     # the last cell is the plot
    text = [c.source for c in nb.cells if c.cell_type == "markdown"]
    expected = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    assert [line for cell in code for line in cell.splitlines() if line.strip()] == expected
    leading_comments = [line.lstrip("# ") for line in body.splitlines() if line.startswith("#")]
    assert all(any(c in t for t in text) for c in leading_comments)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Line fit")
    assert nb.cells[-1].cell_type == "code" and "plt.plot" in nb.cells[-1].source


def test_a_loop_with_blank_lines_stays_in_one_cell():
    nb = script_to_notebook('"""T."""\nfor i in range(3):\n    a = i\n\n    b = a\nprint(b)\n')
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == ["for i in range(3):\n    a = i\n\n    b = a\nprint(b)"]


def test_every_show_the_code_offers_the_notebook_of_its_script():
    """Through a page (AppTest): the Gradient descent page's export has a notebook download
    whose cells hold the very script shown beside it."""
    from tests.apptest_helpers import open_page
    at = open_page("gradient_descent.py")
    assert not at.exception
    shown = [c.value for c in at.code if "import torch" in c.value]
    buttons = [b for b in at.get("download_button") if "notebook" in b.proto.label.lower()]
    assert shown and len(buttons) >= 1
    nb = script_to_notebook(shown[0])
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    body = shown[0].split('"""', 2)[2] if shown[0].startswith('"""') else shown[0]
    assert all(line in code for line in body.splitlines() if line.strip() and not line.startswith("#"))


# ---- own data (issue 17): the notebook of a fit to a learner's table --------------------------------
def _run_in(nb, folder) -> str:
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out.append(o["text"])
    return "".join(out)


@pytest.mark.parametrize("standardize", [False, True])
def test_own_data_notebook_reads_the_csv_and_prints_the_engines_numbers(tmp_path, standardize):
    """A table too long to embed: the notebook reads the CSV the page offers (missing rows left out as the
    page does) and prints the w and b the engine trains, in the same process's float32 arithmetic."""
    import numpy as np
    import pandas as pd
    import torch

    from dlcore.codegen import CsvSource
    rng = np.random.default_rng(11)
    x = rng.uniform(100, 200, 400).round(2)
    y = (0.8 * x + 5 + rng.normal(0, 2, 400)).round(2)
    frame = pd.DataFrame({"size (m²)": x, "price": y})
    frame.loc[7, "price"] = np.nan                                # a missing value: the row is left out
    frame.to_csv(tmp_path / "my_data.csv", index=False)
    keep = ~np.isnan(frame["price"].to_numpy())
    problem = dlcore.LinearProblem(x=tuple(x[keep]), y=tuple(frame["price"].to_numpy()[keep]), standardize=standardize)
    lr = 0.5 if standardize else 2e-5
    run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr))
    cfg = dlcore.TrainConfig(steps=60, record_params=True)
    script = export_script(problem, run, cfg, source=CsvSource("my_data.csv", "size (m²)", "price"))
    assert "read_csv('my_data.csv')" in script and repr(float(x[3])) not in script
    printed = _run_in(nbformat.reads(notebook_bytes(script).decode(), as_version=4), tmp_path)
    w, b = (float(v) for v in re.search(r"60 steps: w = ([-+0-9.e]+), b = ([-+0-9.e]+)", printed).groups())
    engine = dlcore.train(problem, (run,), cfg).params[-1, 0]
    assert (w, b) == pytest.approx((float(engine[0]), float(engine[1])), rel=1e-6)
    # and a plain torch loop over the CSV, written here
    xs = torch.tensor(x[keep], dtype=torch.float32)
    if standardize:
        xs = (xs - float(x[keep].mean())) / float(x[keep].std())
    ys = torch.tensor(frame["price"].to_numpy()[keep], dtype=torch.float32)
    wt, bt = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([wt, bt], lr=lr)
    for _ in range(60):
        opt.zero_grad()
        torch.mean((wt * xs + bt - ys) ** 2).backward()
        opt.step()
    assert (w, b) == pytest.approx((wt.item(), bt.item()), rel=1e-5)


def test_own_small_data_notebook_embeds_the_data(tmp_path):
    from dlcore.codegen import CsvSource  # noqa: F401  (not used: small data is written into the script)
    problem = dlcore.LinearProblem(x=(1.5, 2.0, 3.5, 5.0, 6.5), y=(52.0, 55.0, 61.0, 74.0, 80.0))
    script = export_script(problem, SGD, dlcore.TrainConfig(steps=40))
    assert "[1.5, 2.0, 3.5, 5.0, 6.5]" in script and "read_csv" not in script
    program = tmp_path / "experiment.py"
    program.write_text(script)
    expected = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, check=True,
                              timeout=240, env={**os.environ, "MPLBACKEND": "Agg"}).stdout
    assert _run_in(nbformat.reads(notebook_bytes(script).decode(), as_version=4), tmp_path) == expected
