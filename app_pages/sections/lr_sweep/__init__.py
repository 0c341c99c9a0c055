"""The learning-rate sweep page's sections: the sweep settings, the overview every tab
shares (headline numbers, the two sweep charts, theory, every run), and one module per
tab — the article's table, the loss curves, the range test, the schedules.

Each section reads its widgets through the page's PageState, calls ui.compute.lr_sweep,
draws with ui.charts.sweep and says things with ui.text.lr_sweep."""
from __future__ import annotations

from ui import compute
from ui.layout import code, friendly_errors


def export(problem, run, config, filename: str) -> None:
    """The "Show the code" expander of one run."""
    with friendly_errors("this run"):
        code(compute.script(problem, run, config), filename)
