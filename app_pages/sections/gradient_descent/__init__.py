"""Sections of the Gradient descent page, top to bottom: settings, what happened (summary),
the charts with the epoch step-through (a fragment), the fact check, every epoch and the
code. Each reads its numbers from ui.compute.gradient_descent and its wording from
ui.text.gradient_descent."""
