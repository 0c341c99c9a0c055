"""Take it home as a notebook: every exported script becomes a notebook that a real
Jupyter kernel runs (nbclient, python3) and that prints what the script prints when run
as a program on the same machine — and the scripts print the engine's numbers
(tests/test_codegen.py)."""
import os
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
