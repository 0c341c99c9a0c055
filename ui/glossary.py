"""The lab's glossary: one short, plain definition per term a page uses without
explaining it, and the links pages put on those terms.

Pages link a term with :func:`link` (a markdown link that opens the Glossary page at
that term in a new tab, so the learner's experiment stays where it was) and use
:func:`tip` as a widget's or metric's ``help=`` text. Definitions are written for a
learner who knows school algebra and has not read the source articles.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Term", "TERMS", "BY_SLUG", "link", "tip", "search", "URL_PATH"]

URL_PATH = "glossary"


@dataclass(frozen=True)
class Term:
    slug: str        # the anchor on the Glossary page: lowercase, digits and hyphens
    name: str        # as a page writes it
    short: str       # one sentence: tooltips
    more: str = ""   # a second paragraph on the Glossary page: why it matters here
    see: tuple = ()  # slugs of related terms


TERMS: tuple[Term, ...] = (
    Term("loss", "Loss",
         "A single number that says how wrong the model's predictions are on the data; training tries to make it small.",
         "Every chart of training in the lab plots the loss against the step. Different losses (MSE, MAE, Huber, "
         "cross-entropy) punish mistakes differently.", ("mse", "gradient")),
    Term("gradient", "Gradient",
         "The slopes of the loss with respect to each parameter: which way, and how steeply, the loss rises.",
         "Gradient descent moves every parameter a little against its slope. PyTorch's autograd computes the "
         "gradient exactly; the Gradient descent page checks it against a finite difference.",
         ("autograd", "finite-difference", "learning-rate")),
    Term("gradient-descent", "Gradient descent",
         "Repeatedly change each parameter by minus the learning rate times its gradient: p ← p − η·∂L/∂p.",
         "One such change is a step (or update). With all the data per step it is batch gradient descent.",
         ("gradient", "learning-rate", "batch")),
    Term("learning-rate", "Learning rate (η)",
         "How far each step moves the parameters, as a multiple of the gradient.",
         "Too small and training crawls; too large and the steps overshoot the minimum, zig-zag, and finally "
         "grow without bound (divergence). On a quadratic loss the limit is exactly 2/λmax.",
         ("divergence", "lambda-max", "schedule")),
    Term("epoch", "Epoch",
         "One pass over the whole training data. With full-batch training an epoch is one step.",
         "With mini-batches of size B and N examples, an epoch is N/B steps.", ("batch",)),
    Term("step", "Step (update)",
         "One change of the parameters by the optimizer, from one gradient.", "", ("gradient-descent",)),
    Term("parameter", "Parameter (weight, bias)",
         "A number inside the model that training changes, such as w and b in y = w·x + b.",
         "A network's weights multiply its inputs; its biases are added. The 3→4→1 network has 21 of them.",
         ("gradient",)),
    Term("seed", "Seed",
         "The number that starts the random number generator, so the same seed gives the same random start and "
         "the same run.",
         "Every page shows its seed; changing it changes the random initial weights (and data), not the method.",
         ()),
    Term("mse", "MSE (mean squared error)",
         "The average of the squared differences between predictions and targets.",
         "Squaring makes large errors count much more than small ones, so one outlier can dominate it.",
         ("rmse", "mae", "huber")),
    Term("rmse", "RMSE", "The square root of the MSE: a typical error size, in the units of the target.", "",
         ("mse",)),
    Term("mae", "MAE (mean absolute error)",
         "The average of the absolute differences between predictions and targets; an outlier counts only in "
         "proportion to its size.", "", ("mse", "huber")),
    Term("huber", "Huber loss",
         "Squared error for small mistakes and absolute error for large ones (beyond a threshold δ): MSE's "
         "smoothness with MAE's calm about outliers.", "", ("mse", "mae")),
    Term("least-squares", "Least-squares optimum",
         "The line (w, b) with the smallest possible MSE on the data, computed exactly by a formula rather than "
         "by gradient descent.",
         "The pages use it as the finish line: how far gradient descent still is from the best possible fit.",
         ("mse",)),
    Term("hessian", "Hessian",
         "The table of second derivatives of the loss: how the slopes themselves change as the parameters move. "
         "It describes the curvature of the loss surface.",
         "For the line fit's MSE it is the same everywhere (the loss is a bowl), so it fixes which learning rates "
         "are stable.", ("eigenvalue", "lambda-max", "condition-number")),
    Term("eigenvalue", "Eigenvalue",
         "For the Hessian, the curvature of the loss along one of its principal directions; a steep direction "
         "has a large eigenvalue.", "", ("hessian", "lambda-max")),
    Term("lambda-max", "λmax and the limit 2/λmax",
         "The largest eigenvalue of the Hessian: the curvature of the steepest direction. Plain gradient "
         "descent on a quadratic loss converges exactly when the learning rate is below 2/λmax.",
         "Above 2/λmax every step overshoots the steepest direction by more than it corrects, so the error "
         "grows each step: divergence.", ("hessian", "divergence", "condition-number")),
    Term("condition-number", "Condition number",
         "λmax/λmin: how much steeper the steepest direction of the loss is than the flattest one.",
         "A large condition number means any rate that is stable for the steep direction is very slow along "
         "the flat one. Standardising the inputs usually brings it down.",
         ("lambda-max", "standardise")),
    Term("divergence", "Divergence",
         "Training that runs away: the loss grows instead of shrinking until the numbers overflow (inf or NaN).",
         "The lab shows a diverged run as a state with the step it happened at, not as a NaN.",
         ("learning-rate", "lambda-max", "nan")),
    Term("convergence", "Convergence",
         "Training has converged when the loss is within a tolerance of its best value and stays there.",
         "The lab counts the first step after which the run stays within the tolerance.", ("divergence",)),
    Term("nan", "NaN and inf",
         "Not-a-number and infinity: what floating-point arithmetic gives when numbers overflow or are "
         "undefined (such as 0/0).", "", ("divergence",)),
    Term("float32", "float32",
         "The 32-bit floating-point numbers PyTorch uses by default: about 7 significant decimal digits.",
         "Two computers can differ in the last digits of a long float32 run, because their processors use "
         "different instructions; the lab's own numbers are reproducible on one machine.", ()),
    Term("autograd", "Autograd",
         "PyTorch's automatic differentiation: it records the operations that computed the loss and works out "
         "every gradient from them exactly.", "", ("gradient", "finite-difference")),
    Term("finite-difference", "Finite difference",
         "An estimate of a slope from two nearby values: (L(w + h) − L(w − h)) / 2h. Used to check autograd.",
         "", ("autograd",)),
    Term("optimizer", "Optimizer",
         "The rule that turns gradients into parameter updates: plain SGD, Momentum, Adam and others.",
         "They differ in what they remember from earlier steps.", ("sgd", "momentum", "adam")),
    Term("sgd", "SGD",
         "Stochastic gradient descent: the plain update p ← p − η·gradient, usually on a random mini-batch.",
         "torch.optim.SGD also offers momentum, Nesterov momentum and weight decay.", ("batch", "momentum")),
    Term("momentum", "Momentum",
         "An optimizer that keeps a running velocity of past gradients and moves along it, so steps build up "
         "speed along a consistent slope and zig-zags cancel.",
         "With momentum μ the velocity is v ← μ·v + gradient and the step is −η·v. Too much momentum "
         "overshoots.", ("nesterov", "sgd")),
    Term("nesterov", "Nesterov momentum",
         "A momentum variant that looks at the gradient after the velocity's step, which reacts sooner when the "
         "slope changes.", "", ("momentum",)),
    Term("adam", "Adam",
         "An optimizer that keeps running averages of each parameter's gradient and squared gradient and "
         "scales each step by them, so every parameter gets its own step size.",
         "Early on the averages are debiased (divided by 1 − β^t) because they start at zero.",
         ("ema", "adamw", "rmsprop")),
    Term("adamw", "AdamW", "Adam with weight decay applied directly to the weights rather than through the gradient.",
         "", ("adam", "weight-decay")),
    Term("adagrad", "AdaGrad",
         "An optimizer that divides each parameter's step by the root of the sum of all its past squared "
         "gradients, so steps shrink over time.", "", ("rmsprop",)),
    Term("rmsprop", "RMSprop",
         "Like AdaGrad, but with a running average of squared gradients instead of a sum, so steps do not "
         "shrink forever.", "", ("adagrad", "adam")),
    Term("ema", "Running average (EMA)",
         "An exponential moving average: each new value is mixed in with weight 1 − β, so old values fade "
         "away. \"Debiased\" means corrected for starting at zero.", "", ("adam",)),
    Term("weight-decay", "Weight decay",
         "Shrinking every weight a little each step, which keeps weights small (the same as L2 regularisation "
         "for plain SGD).", "", ("l2", "adamw")),
    Term("l1", "L1 regularisation",
         "Adding λ·Σ|w| to the loss: it pushes weights towards zero by a constant amount, and can make them "
         "exactly zero.",
         "Exact zeros need a proximal step (soft-thresholding); a plain gradient step on |w| only jitters "
         "around zero.", ("l2", "proximal")),
    Term("l2", "L2 regularisation",
         "Adding λ·Σw² to the loss: it shrinks weights in proportion to their size, so they get small but rarely "
         "exactly zero.", "", ("l1", "weight-decay")),
    Term("proximal", "Proximal step",
         "After the gradient step, every weight within η·λ of zero is set to exactly zero and the others move "
         "η·λ towards it (soft-thresholding). It is how L1 produces exact zeros.", "", ("l1",)),
    Term("batch", "Batch, mini-batch, stochastic",
         "How many examples each step's gradient uses: all of them (batch), a random handful (mini-batch) or "
         "one (stochastic).",
         "Fewer examples per step means cheaper but noisier steps; an epoch then has more steps.",
         ("epoch", "sgd")),
    Term("schedule", "Learning-rate schedule",
         "A rule that changes the learning rate during training, such as step decay, cosine annealing or "
         "one-cycle.", "", ("learning-rate",)),
    Term("range-test", "Learning-rate range test",
         "A short run that raises the learning rate every step and watches the loss; a good rate is a little "
         "below where the loss falls fastest.", "", ("learning-rate",)),
    Term("clipping", "Gradient clipping",
         "Capping the size of the gradient before the step, so one huge gradient cannot throw the parameters "
         "far away.", "", ("divergence",)),
    Term("standardise", "Standardising",
         "Rescaling an input to mean 0 and standard deviation 1, so all inputs have similar sizes.",
         "It usually lowers the condition number, so a larger learning rate is stable.",
         ("condition-number",)),
    Term("relu", "ReLU",
         "The activation max(0, x): a neuron passes positive values on and outputs 0 for negative ones.", "",
         ("dead-relu", "activation")),
    Term("dead-relu", "Dead ReLU",
         "A ReLU neuron whose input is negative for every example, so it always outputs 0 and gets a zero "
         "gradient: it can never recover.",
         "If every path through the network is dead, the output is a constant and training stops.", ("relu",)),
    Term("activation", "Activation function",
         "The non-linear function a neuron applies to its weighted sum (ReLU, tanh, sigmoid); without it a deep "
         "network would be just one linear map.", "", ("relu", "vanishing-gradient")),
    Term("vanishing-gradient", "Vanishing gradients",
         "Gradients that shrink layer by layer on the way back through a deep network, so the first layers "
         "barely learn.", "", ("activation",)),
    Term("local-minimum", "Local and global minimum",
         "A local minimum is lower than everything near it; the global minimum is the lowest point of all. "
         "Gradient descent stops at whichever it reaches first.", "", ("saddle",)),
    Term("saddle", "Saddle point",
         "A point where the slope is zero but the surface goes up in one direction and down in another.", "",
         ("local-minimum",)),
    Term("logistic-regression", "Logistic regression",
         "A linear model followed by a sigmoid, giving the probability of a yes/no answer; trained with "
         "cross-entropy loss.", "", ("accuracy",)),
    Term("accuracy", "Accuracy", "The share of examples the classifier labels correctly.",
         "Compare it with the majority-class baseline: always answering the commonest label already scores its "
         "share.", ("precision", "recall")),
    Term("precision", "Precision", "Of the examples predicted positive, the share that really are.", "",
         ("recall", "f1")),
    Term("recall", "Recall", "Of the examples that really are positive, the share the classifier finds.", "",
         ("precision", "f1")),
    Term("f1", "F1 score", "The harmonic mean of precision and recall: high only when both are.", "",
         ("precision", "recall")),
    Term("roc-auc", "ROC curve and AUC",
         "The ROC curve plots the true-positive rate against the false-positive rate for every threshold; AUC is "
         "the area under it: 0.5 is guessing, 1.0 is perfect ranking.", "", ("precision", "recall")),
)

BY_SLUG: dict[str, Term] = {t.slug: t for t in TERMS}


def link(slug: str, text: str | None = None) -> str:
    """A markdown link to the term on the Glossary page (Streamlit opens it in a new
    tab, so the learner's experiment stays as it is). Relative, so it also works when
    the app is served under a base path."""
    term = BY_SLUG[slug]
    return f"[{text or term.name}](./{URL_PATH}#{slug})"


def tip(slug: str) -> str:
    """The term's one-sentence definition, for a widget's or metric's ``help=``."""
    term = BY_SLUG[slug]
    return f"{term.name}: {term.short}"


def search(query: str) -> tuple[Term, ...]:
    """Terms whose name or definition contains every word of ``query`` (any case)."""
    words = query.lower().split()
    return tuple(t for t in TERMS if all(w in f"{t.name} {t.short} {t.more}".lower() for w in words))
