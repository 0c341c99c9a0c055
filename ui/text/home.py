"""What Home says about the ball on L(w) = w² (pure: a run's regime in, a callout out)."""
from __future__ import annotations

from dlcore.inspect_step import StepRegime
from ui.format import fmt
from ui.text.gradient_descent import Message


def ball_verdict(r: StepRegime, w_end: float, steps: int) -> Message:
    """Each step multiplies w by 1 − 2η: diverges, overshoots, lands, or rolls down."""
    f = r.steep_factor
    if r.kind == "diverges":
        return Message("error", f"**η = {r.lr}: the ball flies out of the bowl.** Each step multiplies w by "
                       f"1 − 2η = {f:g}, and |{f:g}| > 1: every step overshoots further than the last. "
                       "Past η = 1 gradient descent diverges on this bowl.", "💥")
    if r.kind == "zigzag":
        return Message("warning", f"**η = {r.lr}: the ball overshoots** to the other side each step (w is multiplied "
                       f"by {f:g}), but by less each time — it still settles. After {steps} steps w = "
                       f"{fmt(w_end, 4)}.", "↔️")
    if r.kind == "one_step":
        return Message("success", f"**η = {r.lr}: one step lands exactly at the bottom** (w is multiplied by "
                       "1 − 2η = 0).", "🎯")
    return Message("info", f"**η = {r.lr}:** each step multiplies w by 1 − 2η = {f:g}: big steps on the steep wall, "
                   f"smaller ones as the slope flattens. After {steps} steps w = {fmt(w_end, 4)}.", "⬇️")
