"""Pure wording and links for the classroom: learner and teacher links, the class's
answers summarised for the dashboard. No Streamlit; unit-tested."""
from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from ui.format import md_escape

__all__ = ["app_base", "learner_link", "DATA_PAGES", "dataset_sentence", "teacher_link", "TaskView", "task_view", "share_sentence"]


def app_base(page_url: str, page_path: str) -> str:
    """The app's base URL (scheme, host, any base path), from the current page's URL."""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if page_path and path.endswith("/" + page_path):
        path = path[: -len(page_path) - 1]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


# Pages that read a table from their ``data`` link setting (ui.own_data.data_param()).
DATA_PAGES = frozenset({"gradient-descent", "loss-explorer"})


SHOP_PAGE = "neural-network"      # its Shoppers tab reads a table from c_data (with c_src=own)


def learner_link(base: str, page: str, code: str, lesson: str = "", hide=(), lock=(), data: str = "",
                 data_for: str = "line") -> str:
    """The link a learner opens: the lesson's page, the class code, the teacher's
    hidden and locked controls, and — on a page that reads one — the class's data
    (``data``: the page's own data setting, a small table itself or "@" and the digest of
    a large one that the page fetches from the class; ``data_for``: "line" for the line-fit
    pages, "shop" for the Shoppers tab). It never holds the teacher key."""
    query = {"class": code}
    if lesson:
        query["lesson"] = lesson
    if data and data_for == "line" and page in DATA_PAGES:
        query["data"] = data
    elif data and data_for == "shop" and page == SHOP_PAGE:
        query.update({"tab": "shop", "c_src": "own", "c_data": data})
    if hide:
        query["hide"] = ",".join(hide)
    if lock:
        query["lock"] = ",".join(lock)
    return f"{base}/{page}?{urlencode(query, safe=',')}"


def dataset_sentence(name: str, csv_text: str, in_link: bool, data_for: str = "line") -> str:
    """What the teacher is told about the class's dataset (markdown; the column names are
    the teacher's own words and are shown as inline code)."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    names = ", ".join("`" + c.replace("`", "'")[:24] + "`" for c in header[:8]) + (", …" if len(header) > 8 else "")
    how = ("the learner links carry it" if in_link else
           "it is too large for a link, so the learner links name it and the pages fetch it from the class")
    return (f"**The class's data** ({md_escape(name)}): {len(body):,} row{'s' if len(body) != 1 else ''}, "
            f"columns {names or 'none'}. " + (
                "The learners' Shoppers tab (Neural network) opens on it" if data_for == "shop" else
                "The learners' Gradient descent and Loss explorer pages open on it")
            + f" (a lesson's tasks still ask about the lesson's own data); {how}.")


def teacher_link(base: str, code: str, key: str) -> str:
    """The teacher's own link: the For teachers page with the class and its secret key."""
    return f"{base}/teachers?{urlencode({'class': code, 'key': key})}"


@dataclass(frozen=True)
class TaskView:
    """One predict task on the dashboard: the class's predictions and PyTorch's answer."""

    lesson_id: str
    task_id: str
    title: str
    counts: tuple[tuple[str, int], ...]     # choice label -> how many learners chose it
    numbers: tuple[float, ...]              # number predictions
    truth: str                              # what the learners' runs computed ("" if none yet)
    finished: int
    share_right: float | None               # of those who predicted, the share that was right


def task_view(lesson_id: str, task_id: str, title: str, labels: tuple[str, ...], predictions, truths,
              finished: int, tolerance: float | None = None) -> TaskView:
    """Summarise one task. ``predictions`` are (choice, number) pairs, ``truths`` the
    same pairs as the learners' runs computed them (the commonest one is shown: learners
    who set the task up all ran the same experiment)."""
    counts = Counter(labels[c] for c, _ in predictions if c is not None and 0 <= c < len(labels))
    numbers = tuple(n for _, n in predictions if n is not None and math.isfinite(n))
    truth_pair = Counter(truths).most_common(1)[0][0] if truths else None
    truth, right = "", None
    if truth_pair is not None:
        choice, number = truth_pair
        if choice is not None and 0 <= choice < len(labels):
            truth = labels[choice]
            picked = sum(counts.values())
            right = counts.get(truth, 0) / picked if picked else None
        elif number is not None:
            truth = f"{number:.4g}" if math.isfinite(number) else "diverged"
            if numbers and tolerance is not None and math.isfinite(number):
                right = sum(abs(n - number) <= tolerance for n in numbers) / len(numbers)
    return TaskView(lesson_id, task_id, title, tuple((lb, counts.get(lb, 0)) for lb in labels), numbers, truth,
                    finished, right)


def share_sentence(view: TaskView, joined: int) -> str:
    """One line under a task's chart, e.g. "12 of 20 learners answered; 58% were right."."""
    answered = sum(n for _, n in view.counts) + len(view.numbers)
    text = f"{answered} of {joined} learner{'s' if joined != 1 else ''} predicted; {view.finished} finished the task"
    if view.share_right is not None:
        text += f"; {view.share_right:.0%} of the predictions were right"
    return text + "."
