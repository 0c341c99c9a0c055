"""The fields each page offers to lessons, collected from the pages' text modules.

A page offers fields by defining, in ``ui/text/<page>.py``::

    LESSON_FIELDS = {"w_final": LessonField("number", "w after the last epoch"), ...}

    def lesson_values(result) -> dict:      # the same names, from the page's result
        ...

and calls ``panel.conclude(lesson_values(result))``. This module maps each page's url
path to its fields, for loading lesson files and for the README's field tables."""
from __future__ import annotations

import importlib

from ui.lessons import LessonField

# url path -> the ui.text module that defines its LESSON_FIELDS
PAGE_TEXT_MODULES = {
    "gradient-descent": "ui.text.gradient_descent",
    "loss-explorer": "ui.text.loss_explorer",
    "neural-network": "ui.text.neural_network",
    "optimizer-comparison": "ui.text.optimizer_comparison",
    "lr-sweep": "ui.text.lr_sweep",
}


def _collect() -> dict[str, dict[str, LessonField]]:
    out = {}
    for page, module in PAGE_TEXT_MODULES.items():
        try:
            fields = getattr(importlib.import_module(module), "LESSON_FIELDS", None)
        except ImportError:
            fields = None
        if fields:
            out[page] = dict(fields)
    return out


PAGE_FIELDS: dict[str, dict[str, LessonField]] = _collect()
