"""What the Neural network page tells the learner about their results: pure functions,
result in → text out (markdown; LaTeX for the forward pass). No Streamlit.

Tested on real runs in tests/test_text_neural_network.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from dlcore.article001 import ARTICLE_OUTPUTS
from ui.format import fmt, quote
from ui.sources import cite

ACTS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU"}
ACT_TEX = {"relu": r"\mathrm{ReLU}", "sigmoid": r"\sigma", "tanh": r"\tanh", "leaky_relu": r"\mathrm{LeakyReLU}"}
TRY_MAX = 1e6


def arch(sizes) -> str:
    """(3, 4, 1) → '3→4→1'."""
    return "→".join(map(str, sizes))


def numbers(values, digits: str = "g") -> str:
    return ", ".join(f"{v:{digits}}" for v in values)


# ---------------------------------------------------------------------------------------------
# Sum of three
# ---------------------------------------------------------------------------------------------
def sum_intro(sizes, activation: str, optimizer: str, lr: float, epochs: int, seed: int) -> str:
    return (f"A **{arch(sizes)}** network with **{ACTS[activation]}**, trained on three examples with `nn.MSELoss` "
            f"and **{optimizer}** (lr {lr:g}) for **{epochs} epochs** (one full-batch update each), initial "
            f"weights from **seed {seed}**.")


def diverged_message(epoch: int) -> str:
    return (f"**Training diverged at epoch {epoch}**: the loss blew up (it became non-finite or grew 10 000-fold). "
            "With this learning rate each update overshoots — try a smaller one. The curve stops at the last "
            "finite value (✕).")


def dead_message(seed: int, layer: int) -> str:
    return (f"**Dead ReLU:** with seed {seed} every hidden unit of layer {layer} is off for all three inputs, so the "
            "network gives **the same answer for every input**. It is not a bug — see **Many seeds** for how often "
            "it happens and why.")


PREDICT_FIRST = ("**Your prediction first.** The results of this run appear once you have answered the lesson's "
                 "question above (or left the lesson).")

LOG_CAPTION = ("Exactly what the script under **Show the code** prints, digit for digit, when it runs on the same "
               "machine: this log is computed by the same PyTorch operations from the same seed, on this server. "
               "(float32 arithmetic can round differently on another CPU, so a laptop may differ in the last "
               "digits.) Each line is the loss computed in that epoch, *before* its update, as in the article's "
               "loop; the final output comes after the last update.")


def try_problem(items: list) -> str | None:
    """Why the try-it text is not three usable numbers (items: split text, floats or words)."""
    bad = [x for x in items if not isinstance(x, float)]
    if bad:
        return f"{quote(bad[0])} is not a number."
    if len(items) != 3:
        return f"That is {len(items)} number{'s' if len(items) != 1 else ''}; the network takes exactly three."
    if any(not math.isfinite(x) or abs(x) > TRY_MAX for x in items):
        return f"Use numbers between −{TRY_MAX:g} and {TRY_MAX:g}."
    return None


def try_warning(problem: str, shown) -> str:
    return f"{problem} Showing {numbers(shown)} instead."


def off_by(answer: float, true_sum: float) -> str | None:
    return f"{answer - true_sum:+.4g} off" if math.isfinite(answer) else None


def fact_check(seed: int, article_seed: int, n_search: int) -> str:
    return ("The article's log (0.869 at epoch 10 … 0.101 at epoch 100, outputs 6.4489 / 9.2806 / 12.1123) "
            "comes from **one run of its script, which never calls `torch.manual_seed`**. PyTorch picks a "
            "random seed in every new process, so the initial weights — and every number after them — "
            "differ from run to run: the article's exact numbers **can't be reproduced**, and yours aren't "
            "wrong for differing.\n\n"
            f"This page always starts from a seed, so it is reproducible: **seed {seed}** gives exactly the numbers "
            f"above, here and in the script below (`torch.manual_seed({seed})` before building the model gives the "
            f"same initial weights). The default seed {article_seed} is the **closest** of seeds "
            f"0–{n_search - 1} to the article's log — close, not the same run (the search itself is in "
            "**Many seeds**). Some seeds don't learn at all: dead ReLU.")


# ---------------------------------------------------------------------------------------------
# Inside the network
# ---------------------------------------------------------------------------------------------
def inside_intro(activation: str) -> str:
    return ("Each circle is a neuron, each line a weight: **blue = positive, red = negative, thicker = "
            "larger**. A hidden neuron adds up its weighted inputs plus a bias, **z = Σ wᵢ·xᵢ + b**, and "
            f"passes z through **{ACTS[activation]}**; its colour is the result (white = 0). "
            "Move the epoch to watch the weights change.")


def too_many_weights(n_edges: int, max_edges: int) -> str:
    return (f"This network has {n_edges} weights — too many lines to read. The diagram shows networks with up "
            f"to {max_edges}; the forward-pass table below still works.")


def output_sentence(epoch: int, x, output: float) -> str:
    return (f"**Epoch {epoch}, input {list(x)}** → the network outputs **{fmt(output, 6)}** "
            f"(the true sum is {fmt(sum(x), 6)}).")


def tex_num(v: float, paren: bool = True) -> str:
    """A number for the worked forward pass: 4 significant figures, negative ones in brackets."""
    s = f"{v:.4g}" if abs(v) >= 1e-4 or v == 0 else f"{v:.2e}"
    s = s.replace("e-0", "e-").replace("e+0", "e+")
    return f"({s})" if v < 0 and paren else s


@dataclass(frozen=True)
class ForwardPass:
    first_layer: str | None         # one aligned block, a line per neuron of the first layer
    output: str | None              # y from the hidden values (one hidden layer only)


def forward_pass(view, x, activation: str, sizes) -> ForwardPass:
    """The forward pass written out in LaTeX (small first layers only)."""
    first = view.nodes[view.nodes["layer"] == 1]
    if not (len(first) <= 8 and sizes[0] <= 8):
        return ForwardPass(None, None)
    lines = []
    for _, n in first.iterrows():
        terms = " + ".join(f"{tex_num(w)}\\cdot{tex_num(v)}" for w, v in zip(view.incoming(1, int(n["index"]))["weight"], x))
        j = int(n["index"]) + 1
        if n["kind"] == "hidden":
            lines.append(rf"z_{{{j}}} &= {terms} + {tex_num(n['bias'])} = \mathbf{{{tex_num(n['z'], False)}}}"
                         rf"\quad\Rightarrow\quad a_{{{j}}} = {ACT_TEX[activation]}(z_{{{j}}}) = "
                         rf"\mathbf{{{tex_num(n['value'], False)}}}")
        else:
            lines.append(rf"y &= {terms} + {tex_num(n['bias'])} = {tex_num(n['z'], False)}")
    output = None
    if len(sizes) == 3:
        outn = view.nodes[view.nodes["kind"] == "output"].iloc[0]
        terms = " + ".join(f"{tex_num(w)}\\cdot{tex_num(v)}" for w, v in zip(view.incoming(2, 0)["weight"], first["value"]))
        output = rf"y = {terms} + {tex_num(outn['bias'])} = {tex_num(outn['z'], False)}"
    return ForwardPass(r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}", output)


def off_units_caption(epoch: int, off) -> str | None:
    if not off:
        return None
    one = len(off) == 1
    return (f"At epoch {epoch}, {', '.join(off)} {'is' if one else 'are'} off (z ≤ 0) for all three training rows: "
            f"no gradient reaches {'its' if one else 'their'} incoming weights, which is why some lines stay flat.")


# ---------------------------------------------------------------------------------------------
# Many seeds
# ---------------------------------------------------------------------------------------------
def seeds_heading(seeds, consecutive: bool) -> str:
    others = sorted(s for s in seeds[1:])
    if consecutive:
        return f"Seeds {others[0]}–{others[-1]} and yours ({seeds[0]}): one batched run"
    return f"{len(seeds)} seeds: one batched run"


def seeds_intro(sizes, n: int, activation: str) -> str:
    return (f"The same {arch(sizes)} network and settings, trained from {n} different initial weights **at once** "
            "(one batched call). Your curve is one of many — which one you get depends on the seed."
            + (" Colour: how many hidden units still work at the end (a unit that is off for every training "
               "input can't learn any more) — fewer working units, a worse fit." if activation == "relu" else ""))


def no_dead_units(activation: str) -> str:
    return (f"With {ACTS[activation]} a unit's gradient is never exactly zero, so units can't die the way ReLU units "
            "do. Switch the activation to ReLU to see dead networks.")


def dead_example_message(ex, lr: float) -> str:
    """ex: ui.compute.neural_network.DeadExample."""
    msg = f"**Seed {ex.seed}**" + (" (yours)" if ex.yours else "") + " is dead"
    msg += f" from epoch {ex.since}" if ex.since is not None else ""
    msg += f": outputs {ex.outputs}."
    if ex.predicted is not None:
        t = ex.epochs_dead
        msg += (f" Check: from epoch {ex.since} only the output bias moves, b ← b − {lr:g}·2(b − 9), so "
                f"b = 9 + ({ex.b0:.4f} − 9)·(1 − 2·{lr:g})^{t} = **{ex.predicted:.4f}** — "
                f"the network's output is {ex.output:.4f}.")
    return msg


def none_died(n: int) -> str:
    return (f"None of these {n} seeds died. Try more seeds (about one in seven dies at the article's settings), "
            "or a larger learning rate.")


def search_summary(s) -> str:
    """s: ui.compute.neural_network.ArticleSearch."""
    return (f"We trained the article's exact network and settings from **seeds 0–{s.n - 1} in one batched run** "
            f"and ranked them by how close their log comes to the article's. The closest is **seed {s.best}**: each "
            f"logged loss within a factor of about {s.ranked['factor'].iloc[0]:.3f} of the article's, final outputs "
            f"{' · '.join(f'{v:.4f}' for v in s.best_outputs)} against the article's "
            f"{' · '.join(f'{v:.4f}' for v in ARTICLE_OUTPUTS)}. **Close, not identical** — it is the closest seed, "
            "not *the* article's seed: that run was unseeded, and its initial weights were never printed. "
            f"{s.dead} of these {s.n} seeds ({s.dead / s.n:.0%}) end dead, all outputs "
            f"equal (e.g. seeds {', '.join(map(str, s.dead_seeds[:6]))}).")


# ---------------------------------------------------------------------------------------------
# Shoppers
# ---------------------------------------------------------------------------------------------
def shop_intro(n_train: int, n_test: int, n_train_max: int, noise: int) -> str:
    return (f"{cite('002')} describes 1000 such records without publishing them, so dlcore generates them by a "
            f"documented, seeded rule (richer and middle-aged people buy more; the coin flip is noise). "
            f"**{n_train} training** and **{n_test} test** records"
            f"{f' (+{n_train_max - n_train} training records left unused)' if n_train < n_train_max else ''}"
            f"{f', plus {noise} columns of pure noise' if noise else ''}. Features are standardised with the training "
            f"rows' mean and std. Loss: `nn.BCEWithLogitsLoss` (binary cross-entropy).")


def shop_diverged(epoch: int) -> str:
    return (f"**Training diverged at epoch {epoch}** — the learning rate is too large for this model. Metrics need "
            "finite weights: lower the learning rate.")


def best_epoch_sentence(best_loss: float, best_epoch: int, steps: int, gap: float, own: bool = False) -> str:
    """Where the test loss was lowest, and "overfitting" when it rose again after that. ``own``:
    a learner's table (all its training rows are used, so no "more training records")."""
    cure = "Try L2, fewer epochs, or fewer features." if own else "Try L2, fewer epochs, or more training records."
    return (f"Lowest test loss **{fmt(best_loss, 4)}** at epoch {best_epoch}."
            + (" After that the model keeps fitting the training rows — including their noise — and the test loss "
               f"rises: **overfitting**. {cure}"
               if best_epoch < steps * 0.8 and gap > 0.05 else ""))


DATA_RULE = (
    "Each shopper's chance of buying is p = σ(z) with\n\n"
    "z = −0.9 + 3.0·(log income, standardised) + 1.0·a − 2.0·a² + 1.0·education,  a = (age − 44)/13\n\n"
    "— richer people buy much more; buying rises with age up to about 47 and falls after (a bump a straight "
    "line can't draw); education helps. Then a coin flip with that chance decides *purchased*: even a perfect "
    "model can't be certain. Age is uniform from 18 to 70, education 40 % high school, 35 % bachelor, 18 % master, "
    "7 % doctorate, and income grows with both. Noise columns are random numbers unrelated to buying.")


def accuracy_context(test_accuracy: float, baseline: float, bayes: float) -> str:
    """The model's test accuracy between the two numbers that frame it."""
    return (f"Test accuracy **{test_accuracy:.1%}**: always answering “no” (the majority class) gets "
            f"{baseline:.1%}, and the best possible model — one that knows each shopper's true chance of buying — "
            f"about {bayes:.1%} (the *Bayes accuracy*: the coin flip makes the rest unpredictable).")


def own_heading(n: int, n_features: int, label: str) -> str:
    """The shoppers tab's heading for a learner's own table."""
    return f"Your data: {n:,} rows · {n_features} feature{'s' if n_features != 1 else ''} → {quote(label, 30)}"


def own_intro(source: str, label: str, positive: str, negative: str, n_train: int, n_test: int,
              pos_train: int, pos_test: int) -> str:
    """What is predicted from what, and how the rows were split (learner text quoted)."""
    return (f"From {source}: predicting {quote(label, 30)} = {quote(positive, 30)} (positive) against "
            f"{quote(negative, 30)}. **{n_train:,} training** rows ({pos_train:,} positive) and **{n_test:,} test** "
            f"rows ({pos_test:,} positive): the seed shuffles each class and holds out 20 % of it, so both splits "
            "have both classes in the same proportion. Features are standardised with the training rows' mean and "
            "std only (the test rows must not shape the model). Loss: `nn.BCEWithLogitsLoss` (binary cross-entropy).")


def own_accuracy_context(test_accuracy: float, baseline: float, majority: str) -> str:
    """The model's test accuracy beside always answering the majority class (own data: no
    Bayes accuracy — the true probabilities are unknown)."""
    verdict = (f"the model gets {test_accuracy - baseline:.1%} more of them right." if test_accuracy > baseline else
               "the model does **not** beat it: it has not learned anything that carries over to new rows yet — "
               "try more epochs, another learning rate, or other features.")
    return (f"Test accuracy **{test_accuracy:.1%}**; always answering {quote(majority, 30)} (the test rows' majority "
            f"class) gets {baseline:.1%}: {verdict}")


def l1_order(first_zero: dict, proximal: bool) -> str:
    """Which features L1 drops first along the sweep (first_zero: feature → smallest λ₁ from
    which its weights are exactly 0, None if never)."""
    dropped = sorted((lam, f) for f, lam in first_zero.items() if lam is not None)
    kept = [f for f, lam in first_zero.items() if lam is None]
    if not dropped:
        how = ("" if proximal else " With L1 as a loss term they shrink towards 0 but hover around it; turn on "
               "**Exact zeros** to see them land on 0.")
        return "No feature's weights reach exactly 0 on this sweep." + how
    steps = []
    for lam in dict.fromkeys(lam for lam, _ in dropped):
        steps.append(f"{', '.join(f for x, f in dropped if x == lam)} at λ₁ = {lam:g}")
    noise_first = all(f.startswith("noise") for f in [f for x, f in dropped if x == dropped[0][0]])
    return ("Exactly 0 from: " + "; then ".join(steps) + "."
            + (f" Still used at the largest λ₁: {', '.join(kept)}." if kept else "")
            + (" The noise features go first: they help the training loss least, so the L1 price is not worth "
               "paying for them." if noise_first else ""))


@dataclass(frozen=True)
class Verdict:
    kind: str          # "warning", "success" or "caption"
    text: str


def l1_verdict(zeros, l1: float, proximal: bool, optimizer: str, noise: bool = True) -> Verdict:
    """What L1 did to the learner's weights (zeros: dlcore.sparse.ZeroCount). ``noise``: the
    data has noise features (the built-in shoppers), named as the useless ones."""
    nz, total, step = zeros.exact, zeros.total, zeros.threshold
    if l1 > 0 and not proximal:
        return Verdict("warning", f"**λ₁ = {l1:g} added to the loss: {nz} of {total} weights are exactly 0**, but "
                       f"{zeros.near} are within one step of it (|w| ≤ {step:g}). With `loss + λ₁·Σ|w|` and a torch "
                       "optimizer, each step pushes a small weight towards 0 — and past it, so it jitters *around* "
                       "zero instead of landing on it. Turn on **Exact zeros (proximal)** in the settings above to get "
                       "true zeros.")
    if l1 > 0:
        return Verdict("success", f"**Proximal L1 (λ₁ = {l1:g}): {nz} of {total} weights are exactly 0.** After each "
                       "update every weight is shrunk by lr·λ₁ and set to 0 if smaller than that (soft-thresholding) — "
                       "with SGD this is proximal gradient descent, which finds the true L1-regularised optimum. "
                       + ("With Adam it is a common heuristic, not an exact method." if optimizer == "adam" else ""))
    return Verdict("caption", f"λ₁ = 0: {nz} weights are exactly 0. Raise the L1 strength to push the useless "
                   f"{'(noise) ' if noise else ''}features' weights towards zero.")


# ---------------------------------------------------------------------------------------------
# Gradients through depth
# ---------------------------------------------------------------------------------------------
def depth_intro(sizes, depth: int, width: int) -> str:
    return (f"A **{arch(sizes)}** network — {depth} hidden layers of {width} — trained on the sum-of-three rows with "
            "SGD, once with **Sigmoid** and once with **ReLU**, same seed. Backpropagation multiplies the gradient by "
            "each layer's weights and by the activation's slope on its way back to the inputs. Sigmoid's slope is at "
            "most **0.25**, so the gradient shrinks layer after layer: the first layers barely learn (**vanishing "
            "gradients**). ReLU's slope is 1 where active, so more gets through — but big gradients can also grow and "
            "**explode**; **clipping** caps the gradient's total norm before each step "
            "(`torch.nn.utils.clip_grad_norm_`).")


def ratio_text(ratio: float) -> str:
    return f"{ratio:.1e}" if math.isfinite(ratio) else "—"


def clip_effect(e, clip: float, lr: float) -> str:
    """e: ui.compute.neural_network.ClipEffect."""
    died = (f" From step {e.zero_from} its gradient is **exactly 0**: a huge step pushed every unit of a layer below "
            "zero on all inputs — the network is dead (dead ReLU) and answers the same for every input."
            if e.zero_from is not None else "")
    return (f"**Clipping's effect (ReLU):** without clipping the gradient norm reaches **{fmt(e.max_grad, 3)}** and the "
            f"run ends at loss **{fmt(e.loss_unclipped, 4)}**.{died} Clipped at {clip:g}, every step uses a gradient "
            f"of norm ≤ {clip:g} (so a step of at most lr·{clip:g} = {lr * clip:g}) and the run ends at "
            f"**{fmt(e.loss_clipped, 4)}**. Clipping doesn't cure vanishing gradients: it only ever scales gradients "
            "down.")


# ---------------------------------------------------------------------------------------------
# What lessons may check (issue 15): ui/lesson_fields.py collects LESSON_FIELDS
# ---------------------------------------------------------------------------------------------
from ui.lessons import LessonField  # noqa: E402  (pure: no Streamlit)

LESSON_FIELDS = {
    "seed": LessonField("number", "the seed of the initial weights"),
    "lr": LessonField("number", "the learning rate"),
    "epochs": LessonField("number", "epochs trained", "epochs"),
    "train_loss": LessonField("number", "MSE on the three training rows after the last epoch (NaN: diverged)"),
    "test_loss": LessonField("number", "MSE on the six held-out inputs after the last epoch"),
    "max_error": LessonField("number", "largest error on the training rows"),
    "dead": LessonField("bool", "a ReLU hidden layer is off for every input: the network answers one number"),
    "diverged": LessonField("bool", "the loss blew up (training stopped)"),
    "output_1": LessonField("number", "the network's answer to the first training row (1, 2, 3)"),
    "answer": LessonField("number", "the network's answer to the try-it numbers"),
    "try_sum": LessonField("number", "the true sum of the try-it numbers"),
}


def lesson_values(seed: int, lr: float, view, answer: float, try_numbers) -> dict:
    """Every field of LESSON_FIELDS from the sum-of-three run (view: ui.compute.neural_network.SumView)
    and the network's answer to the try-it numbers."""
    return {"seed": seed, "lr": lr, "epochs": view.epochs, "train_loss": view.train_loss,
            "test_loss": view.test_loss, "max_error": view.max_error, "dead": view.status == "dead ReLU",
            "diverged": view.diverged, "output_1": float(view.rows["network"].iloc[0]), "answer": answer,
            "try_sum": float(sum(try_numbers))}
