"""What the Gradient descent page says about a run: pure functions, result in, text out.

* :func:`run_metrics` — the four numbers at the top (w, b, loss, epochs until w settles).
* :func:`regime_message` — what this learning rate does (diverges / zig-zags / rolls).
* :func:`forward_table`, :func:`gradient_table`, :func:`update_latex`,
  :func:`update_verdict` — one epoch opened up.
* :func:`fact_check_text` — what the article's code really prints, and why so slow.
* :func:`own_data_text`, :func:`standardise_text`, :func:`steps_needed` — the learner's
  own data: what is fitted, and what standardising x changes, with the numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np
import pandas as pd

from dlcore.inspect_step import FactCheck, LineStep, RunSummary, StepRegime
from ui import glossary
from ui.format import f32, fmt, short, tex


@dataclass(frozen=True)
class Message:
    """A callout: ``kind`` is the Streamlit call (error, warning, info, success)."""

    kind: str
    text: str
    icon: str | None = None


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str | None = None


def settled_label(s: RunSummary) -> str:
    """The one definition of "reached w = 2" (the fact check uses it too), said in the label."""
    return f"epochs until w stays in {s.target_w:g} ± {s.tol:g}"


def run_metrics(s: RunSummary, own: bool = False) -> tuple[Metric, ...]:
    """w, b and the loss where the run ended (rounded; the help holds the full value), and
    the epochs until w stays near its target (``own``: the learner's data, whose target is
    its least-squares line rather than the article's w = 2, b = 0)."""
    gone = "diverged"
    if s.settled >= 0:
        settled = str(s.settled)
    else:
        settled = "never" if s.diverged else f"> {s.last}"
    why = (f"From this epoch on, every epoch of this run has |w − {s.target_w:g}| < {s.tol:g} — the same rule as "
           "the fact check below.")
    if s.touched >= 0 and s.touched != s.settled:
        why += (f" w first touched that band at epoch {s.touched}" + (" but left it again." if s.settled < 0 else
                                                                       ", left it, and came back."))
    w_goal = (f"The least-squares slope is w* = {fmt(s.target_w, 8)}." if own
              else "The article's target is w = 2.")
    b_goal = "The least-squares line is the target (see the bowl's ◆)." if own else "The article's target is b = 0."
    return (
        Metric(f"w after {s.last} epochs", short(s.w, 4) if not s.diverged else gone,
               f"Exactly {fmt(s.w, 8)}. {w_goal}"),
        Metric(f"b after {s.last} epochs", short(s.b, 4) if not s.diverged else gone,
               f"Exactly {fmt(s.b, 8)}. {b_goal}"),
        Metric("loss (MSE)", short(s.loss) if not s.diverged else gone,
               f"The mean squared error at the final w and b: {fmt(s.loss, 6)} — what the exported script prints."),
        Metric(settled_label(s), settled, why),
    )


def _rate(x: float) -> str:
    """A rate in a sentence: four decimals for the article's scale (0.1198), significant
    figures for the tiny or huge rates of a learner's own data (0.001332, 3.6e-38)."""
    return f"{x:.4f}" if 0.01 <= x < 1000 else fmt(x, 4)


def regime_message(r: StepRegime, s: RunSummary) -> Message:
    """What the learning rate does on the bowl, with this run's numbers."""
    lr = f"{r.lr:g}"
    if r.kind == "diverges" and abs(r.steep_factor) <= 1:      # a stable rate: the numbers themselves overflowed
        return Message("error", f"**The numbers overflowed float32** at epoch {s.diverged_at}: η = {lr} is below "
                       f"the stability limit 2/λmax = {_rate(r.limit)}, but this data's values are so large that the "
                       "loss (a mean of squared errors) does not fit in float32, whose largest number is about "
                       "3.4 × 10³⁸. Training stopped there. Rescale the data (e.g. measure in thousands) and "
                       "upload it again.", ":material/error:")
    if r.kind == "diverges":
        lead = (f"**η = {lr} is past the stability limit 2/λmax = {_rate(r.limit)}.** "
                f"({glossary.link('lambda-max', 'λmax')}: the bowl's steepest curvature.) Along the bowl's steepest "
                f"direction every step multiplies the error by 1 − η·λmax = {r.steep_factor:.3f}; its size is "
                "above 1, so each step overshoots further than the last.")
        if s.diverged:
            return Message("error", lead + f" The loss blew up at **epoch {s.diverged_at}** (loss "
                           f"{fmt(s.blowup_loss, 4)} from {fmt(s.start_loss, 4)} at the start); training stopped "
                           "there and the charts end in a ✕.", ":material/error:")
        return Message("error", lead + f" The loss grows about ×{r.loss_growth:.3f} per epoch: it is "
                       f"{fmt(s.loss, 4)} after {s.last} epochs and keeps growing without bound — train longer "
                       "to see it explode.", ":material/error:")
    if r.kind == "zigzag":
        return Message("warning", f"**η = {lr} zig-zags:** it is above 1/λmax = {_rate(1 / r.lambda_max)}, so along "
                       f"the steep direction each step jumps across the valley (factor {r.steep_factor:.3f}) — but "
                       "by less each time, so it still settles.", ":material/swap_horiz:")
    if r.lambda_max < 2 * r.lambda_min:       # a nearly round bowl (e.g. standardised x): no slow valley floor
        return Message("info", f"**η = {lr} rolls smoothly downhill.** The bowl is nearly round (κ = λmax/λmin = "
                       f"{r.lambda_max / r.lambda_min:.3g}): in every direction the error shrinks at least "
                       f"×{max(abs(r.steep_factor), abs(r.flat_factor)):.3f} per epoch, so there is no slow valley "
                       "floor to crawl along.", ":material/trending_down:")
    return Message("info", f"**η = {lr} rolls smoothly downhill.** Across the valley the error shrinks "
                   f"×{r.steep_factor:.3f} per epoch, but along the valley floor only ×{r.flat_factor:.5f} — that "
                   f"slow direction is why reaching w = {short(s.target_w, 4)} takes so long.", ":material/trending_down:")


def forward_table(s: LineStep) -> pd.DataFrame:
    """The forward pass at one epoch: x, y, prediction, residual and its square."""
    return pd.DataFrame({"x": s.x, "y": s.y, "ŷ = w·x + b": s.pred, "ŷ − y": s.residual,
                         "(ŷ − y)²": np.square(s.residual)})


def gradient_table(s: LineStep) -> pd.DataFrame:
    """Autograd's gradients beside the finite differences, and their difference."""
    return pd.DataFrame({
        "gradient": ["∂L/∂w", "∂L/∂b"],
        "autograd": [s.grad_w, s.grad_b], "finite diff.": [s.fd_w, s.fd_b],
        "difference": [s.grad_w - s.fd_w, s.grad_b - s.fd_b]})


def update_latex(s: LineStep) -> str:
    """The update w ← w − η·∂L/∂w, b ← b − η·∂L/∂b with this epoch's numbers, for st.latex."""
    return (r"\begin{aligned}"
            rf"w &\leftarrow w - \eta\,\tfrac{{\partial L}}{{\partial w}} = {tex(s.w)} - {s.lr:g}\times({tex(s.grad_w)})"
            rf" \\ &= {tex(s.new_w)} \\[8pt]"
            rf"b &\leftarrow b - \eta\,\tfrac{{\partial L}}{{\partial b}} = {tex(s.b)} - {s.lr:g}\times({tex(s.grad_b)})"
            rf" \\ &= {tex(s.new_b)}"
            r"\end{aligned}")


def update_verdict(s: LineStep, epoch: int, w_next: float, b_next: float, agrees: bool,
                   diverged_at: int) -> Message:
    """Does the training run hold exactly this update?"""
    if agrees:
        return Message("success", f"**The training run agrees bit for bit:** after epoch {epoch} it holds "
                       f"w = {f32(w_next)}, b = {f32(b_next)} — exactly this update, computed in float32 like the "
                       "article's tensors.", ":material/check_circle:")
    if not s.finite or not np.isfinite([w_next, b_next]).all():
        return Message("error", f"This update leaves the numbers float32 can hold: the run diverged at epoch "
                       f"{diverged_at}.", ":material/error:")
    return Message("warning", f"The training run holds w = {float(w_next):.8g}, b = {float(b_next):.8g} after this "
                   f"epoch (differences {float(w_next) - s.new_w:.2g}, {float(b_next) - s.new_b:.2g}).")


def off_picture(s: LineStep, epoch: int) -> str:
    return (f"At epoch {epoch} the ball is at (w, b) = ({fmt(s.w, 4)}, {fmt(s.b, 4)}) — off this picture: "
            "it has been thrown out of the bowl.")


def fit_title(s: LineStep, epoch: int) -> str:
    return f"Epoch {epoch}: ŷ = {fmt(s.w, 4)}·x + {fmt(s.b, 4)}"


ARTICLE_PRINTS = "Optimized w: 2.0\nOptimized b: -2.220446049250313e-16"


def torch_prints(fc: FactCheck) -> str:
    """What the article's two print lines show for the same code, run here."""
    return f"Optimized w: {fc.w!r}\nOptimized b: {fc.b!r}"


def fact_check_text(fc: FactCheck) -> tuple[str, str]:
    """Two paragraphs: where the article's line really is after 100 epochs and when w
    reaches 2; and why it is so slow (the bowl's curvatures)."""
    found = (f"After {fc.epochs} epochs the line is still **w = {fc.w:.4f}, b = {fc.b:.4f}** (loss {fc.loss:.4f}), "
             + (f"not (2, 0). w first gets within {fc.tol:g} of 2 after **{fc.reach} epochs** and stays there from "
                "then on." if fc.stay == fc.reach else f"not (2, 0). w stays within {fc.tol:g} of 2 from **epoch "
                f"{fc.stay}** on (it first touched that band at epoch {fc.reach}).")
             + " The printed b, −2.22 × 10⁻¹⁶, is exactly −2⁻⁵² — the size of a float64 rounding error — which a "
             f"float32 loop stopped after {fc.epochs} epochs does not produce.")
    why = (f"**Why so slow?** The loss is a bowl with curvatures λmax = {fc.lambda_max:.2f} and "
           f"λmin = {fc.lambda_min:.4f} — the {glossary.link('eigenvalue', 'eigenvalues')} of the "
           f"{glossary.link('hessian', 'Hessian')}, the table of the loss's second derivatives: how sharply the bowl "
           f"curves along its steepest and its flattest direction. Across the valley η = {fc.lr:g} removes the error "
           f"fast, but along the flat valley floor the error only shrinks ×(1 − η·λmin) = ×{fc.slow_factor:.5f} per "
           f"epoch. From |w − 2| = {abs(fc.w - 2):.4f} at epoch {fc.epochs} that needs about "
           f"{fc.predicted_reach() - fc.epochs:.0f} more epochs: theory says ≈ {fc.predicted_reach():.0f}, "
           f"the run measures {fc.stay}.")
    return found, why


# ---- the learner's own data (issue 17) ---------------------------------------------------------
def steps_needed(lambda_max: float, lambda_min: float, shrink: float = 1e-3) -> int:
    """Epochs plain gradient descent needs, at its best fixed rate 2/(λmax + λmin), to
    shrink the distance to the optimum by ``shrink`` in the worst case: the error shrinks
    by (κ − 1)/(κ + 1) per epoch, κ = λmax/λmin."""
    kappa = lambda_max / lambda_min
    if not kappa > 1:
        return 1
    # −ln ρ = ln((κ + 1)/(κ − 1)) = log1p(2/(κ − 1)): exact even when κ is so large that ρ rounds to 1.
    return max(1, math.ceil(math.log(1 / shrink) / math.log1p(2 / (kappa - 1))))


def _count(n: int) -> str:
    return f"{n:,}" if n < 1e9 else fmt(n, 3)


def own_data_text(n: int, x_name: str, y_name: str, source: str, standardized: bool, limit: float,
                  w_star: float, b_star: float) -> str:
    """What the page fits when it works on the learner's table."""
    x = f"({x_name} − mean)/std" if standardized else x_name
    return (f"**Your data** ({source}): {n:,} points, x = {x}, y = {y_name}. Everything below — the loss curve, "
            "the bowl, the step-through, the least-squares optimum and the stability limit — is computed on it. "
            f"The least-squares line is **ŷ = {fmt(w_star, 6)}·x + {fmt(b_star, 6)}**"
            + (" (in standardised x)" if standardized else "")
            + f"; the stability limit of this bowl is **2/λmax = {fmt(limit, 4)}**, and the learning-rate slider "
            "reaches 1.5 times it.")


def standardise_text(raw, standardized, on: bool, mean: float, std: float, shrink: float = 1e-3) -> str:
    """What standardising x changes, with the numbers: the Hessian's eigenvalues, the
    condition number, the stability limit 2/λmax and the epochs needed (see
    :func:`steps_needed`). ``raw`` and ``standardized`` are the two bowls' theories
    (anything with ``lambda_max`` and ``lambda_min``)."""
    k0, k1 = raw.lambda_max / raw.lambda_min, standardized.lambda_max / standardized.lambda_min
    n0 = steps_needed(raw.lambda_max, raw.lambda_min, shrink)
    n1 = steps_needed(standardized.lambda_max, standardized.lambda_min, shrink)
    lead = ("**Standardising x is on:** the model sees x′ = (x − mean)/std" if on else
            "**Standardise x** replaces x by x′ = (x − mean)/std")
    body = (f" with mean = {fmt(mean, 6)} and std = {fmt(std, 6)}. The bowl's curvatures (the Hessian's "
            f"eigenvalues) go from λmax = {fmt(raw.lambda_max, 4)}, λmin = {fmt(raw.lambda_min, 4)} to "
            f"λmax = {fmt(standardized.lambda_max, 4)}, λmin = {fmt(standardized.lambda_min, 4)}, so the condition "
            f"number κ = λmax/λmin goes from {fmt(k0, 4)} to {fmt(k1, 4)}. "
            f"The stability limit 2/λmax goes from **{fmt(2 / raw.lambda_max, 4)}** to "
            f"**{fmt(2 / standardized.lambda_max, 4)}**, and at the best fixed rate 2/(λmax + λmin) gradient "
            f"descent needs about **{_count(n0)} epochs** with raw x and **{_count(n1)}** with standardised x to get "
            f"{1 / shrink:,.0f} times closer to the best line.")
    tail = (" w and b are now the slope and intercept for x′ (the line is the same: w′ = w·std, b′ = b + w·mean)."
            if on else " The best line stays the same; only the bowl gradient descent rolls down changes.")
    return lead + body + tail


# ---- what lessons may check (issue 15): ui/lesson_fields.py collects LESSON_FIELDS ------------------------
from ui.lessons import LessonField  # noqa: E402  (pure: no Streamlit)

LESSON_FIELDS = {
    "lr": LessonField("number", "the learning rate η"),
    "epochs": LessonField("number", "epochs trained", "epochs"),
    "w_final": LessonField("number", "w after the last epoch trained"),
    "b_final": LessonField("number", "b after the last epoch trained"),
    "loss_final": LessonField("number", "the MSE at the final w and b"),
    "settled_epoch": LessonField("number", "epochs until w stays within 0.001 of 2 (-1: not in this run)", "epochs"),
    "diverged": LessonField("bool", "the loss blew up (the run stopped)"),
    "stable": LessonField("bool", "η is below the stability limit 2/λmax"),
    "zigzag": LessonField("bool", "η is between 1/λmax and 2/λmax: each step jumps across the valley"),
    "limit": LessonField("number", "the stability limit 2/λmax of this bowl"),
}


def lesson_values(s: RunSummary, r: StepRegime) -> dict:
    """Every field of LESSON_FIELDS from a run's summary and its learning rate's regime."""
    return {"lr": r.lr, "epochs": s.epochs, "w_final": s.w, "b_final": s.b, "loss_final": s.loss,
            "settled_epoch": s.settled, "diverged": s.diverged, "stable": r.kind != "diverges",
            "zigzag": r.kind == "zigzag", "limit": r.limit}
