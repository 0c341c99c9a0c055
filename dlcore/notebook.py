"""Take an experiment home: the page's plain PyTorch script as a Jupyter notebook.

Every "Show the code" script (:mod:`dlcore.codegen`, and the pages' own small scripts) is
written as short blocks, each led by a comment that says what it does. A notebook keeps
that shape: the script's docstring becomes the opening markdown cell, each block's leading
comment becomes a markdown cell, the code follows in its own cell, and a final cell plots
the loss curve when the script records one (``losses``). The code cells are the script's
own lines in order, so running the notebook top to bottom is running the script.

Example:
    >>> nb = script_to_notebook('\"\"\"Fit a line.\"\"\"\\nlosses = []\\n\\n# Train it\\nlosses.append(0.5)\\n')
    >>> [c.cell_type for c in nb.cells]
    ['markdown', 'code', 'markdown', 'code', 'markdown', 'code']
"""
from __future__ import annotations

import ast

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

__all__ = ["script_to_notebook", "notebook_bytes"]

_PLOT = '''import matplotlib.pyplot as plt

plt.figure(figsize=(6, 3.5))
plt.plot(range(len(losses)), losses)
plt.yscale("log" if min(losses) > 0 and max(losses) / min(losses) > 100 else "linear")
plt.xlabel("step")
plt.ylabel("training loss")
plt.title("The loss during training")
plt.show()'''


def _docstring(script: str) -> tuple[str, str]:
    """(the module docstring, the rest of the script)."""
    tree = ast.parse(script)
    doc = ast.get_docstring(tree, clean=True) or ""
    if doc and tree.body and isinstance(tree.body[0], ast.Expr):
        end = tree.body[0].end_lineno
        return doc, "\n".join(script.splitlines()[end:])
    return doc, script


def _blocks(code: str) -> list[list[str]]:
    """Paragraphs of the script: runs of lines between blank lines at the top level.
    A blank line inside a loop body or an open bracket does not end a paragraph."""
    blocks, current, blank = [], [], False
    for line in code.splitlines():
        if not line.strip():
            blank = bool(current)
            continue
        top_level = not line.startswith((" ", "\t")) and not _open_bracket(current)
        if blank and top_level:
            blocks.append(current)
            current = []
        elif blank:
            current.append("")
        current.append(line)
        blank = False
    if current:
        blocks.append(current)
    return blocks


def _open_bracket(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return text.count("(") + text.count("[") + text.count("{") > text.count(")") + text.count("]") + text.count("}")


def script_to_notebook(script: str, title: str | None = None) -> nbformat.NotebookNode:
    """A notebook with the script's steps as markdown and code cells, plus a loss plot
    when the script keeps a ``losses`` list."""
    doc, code = _docstring(script)
    cells = []
    heading, _, rest = doc.partition("\n")
    intro = f"# {title or heading or 'Gradient Descent Lab experiment'}\n\n" + (rest.strip() if title is None else doc)
    cells.append(new_markdown_cell(intro.strip() + "\n\nExported from Gradient Descent Lab. Run the cells from "
                                   "top to bottom (*Run all*); the numbers match the lab's on the same computer."))
    for block in _blocks(code):
        comments = []
        while block and block[0].lstrip().startswith("#") and not block[0].startswith((" ", "\t")):
            comments.append(block.pop(0).lstrip("# ").rstrip())
        if comments:
            cells.append(new_markdown_cell(" ".join(c for c in comments if c)))
        if block:
            cells.append(new_code_cell("\n".join(block)))
    if "losses" in code and "losses.append" in code:
        cells.append(new_markdown_cell("The loss at every step, as the page draws it."))
        cells.append(new_code_cell(_PLOT))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def notebook_bytes(script: str, title: str | None = None) -> bytes:
    """The notebook as the bytes of an .ipynb file (validated against nbformat's schema)."""
    nb = script_to_notebook(script, title)
    nbformat.validate(nb)
    return nbformat.writes(nb).encode("utf-8")
