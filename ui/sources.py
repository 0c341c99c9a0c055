"""The three articles the lab is built from, named the way a learner can find them.

A learner who opens a teacher's link has read none of them, so pages never say "article
000": they cite an article by its title (:func:`cite`) and, where it matters, say in one
line what it claims. The Home page lists them under "Sources"."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Article", "ARTICLES", "cite"]


@dataclass(frozen=True)
class Article:
    key: str          # "000", "001", "002": the seed files' numbers, for the code's own use
    title: str
    claim: str        # one line: what the article shows or claims that the lab checks
    pages: tuple[str, ...]


ARTICLES: dict[str, Article] = {
    "000": Article("000", "Deep Learning Basics with PyTorch, Part 3",
                   "fits y = w·x + b to four points with gradient descent and computes the mean squared error of "
                   "a study-hours / exam-score line; it prints w = 2.0 after 100 epochs and an MSE of 2675 "
                   "(its comment says 2550).",
                   ("gradient-descent", "loss-explorer")),
    "001": Article("001", "Deep Learning Basics with PyTorch, Part 4",
                   "trains a 3→4→1 ReLU network to add three numbers and prints its loss every 10 epochs.",
                   ("neural-network",)),
    "002": Article("002", "Gradient Descent in PyTorch",
                   "tours torch.optim: momentum, Adam, AdaGrad and RMSprop; a table of learning rates and the "
                   "steps they need; batch, mini-batch and stochastic descent; L1/L2; a 1000-record purchase "
                   "classifier with five metrics; local minima, clipping and schedules.",
                   ("neural-network", "optimizer-comparison", "lr-sweep")),
}


def cite(key: str, italic: bool = True) -> str:
    """The article's title for prose, e.g. *Gradient Descent in PyTorch*."""
    title = ARTICLES[key].title
    return f"*{title}*" if italic else title
