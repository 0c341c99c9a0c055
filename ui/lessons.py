"""Lessons as data: one TOML file per lesson, validated when it is loaded.

A lesson is 5–7 tasks on one page, in teaching order. A task either asks the learner to
**predict** (a choice, or a number within a tolerance) before the page shows the answer,
or sets a **goal** that is checked against the page's live result as the learner moves
the controls. Everything a task checks is a condition over the named fields the page
offers (``ui.lesson_fields``), written in the lesson file and parsed by
:mod:`dlcore.conditions` — never run by Python. Which choice is right, and the numbers
in an explanation, are computed from the live run, never written in the file.

This module is pure (no Streamlit): the lesson panel draws what it decides.

A lesson file, in short (the README's "Writing a lesson" section has the whole format)::

    id = "gd-first-steps"
    page = "gradient-descent"
    title = "Gradient descent, step by step"

    [[task]]
    id = "w-after-100"
    kind = "predict"
    title = "Where is w after 100 epochs?"
    ask = "The article says w reaches 2.0 after 100 epochs at η = 0.01. Does it?"
    setup = { lr = 0.01, epochs = 100 }
    hides = ["w_final"]
    explain = "PyTorch gives w = {w_final:.4f} after {epochs} epochs: not 2.0 yet."
    hints = ["Each step moves w by η times the slope, and the slope shrinks as w nears 2."]
    [[task.choices]]
    label = "w is 2.0"
    when = "abs(w_final - 2) < 0.0005"
    [[task.choices]]
    label = "w is still below 2"
    when = "w_final <= 1.9995"
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from dlcore.conditions import Condition, ConditionError, parse_condition

__all__ = ["Lesson", "Task", "Choice", "LessonError", "LoadReport", "LessonField", "load_lesson", "load_folder",
           "render_template", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 64_000          # a lesson is a page of text; anything larger is refused unread
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=800, strip_whitespace=True)]
SetupValue = Union[bool, int, float, Annotated[str, StringConstraints(max_length=200)],
                   list[Union[int, float, Annotated[str, StringConstraints(max_length=40)]]]]


@dataclass(frozen=True)
class LessonField:
    """A named value of a page's result that lessons may check: its kind ("number",
    "bool" or "text"), what it means, and its unit (shown in the README's field table)."""

    kind: str
    meaning: str
    unit: str = ""


class LessonError(ValueError):
    """A lesson file was refused; the message names the file, the task and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Choice(_Strict):
    label: Line
    when: Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Task(_Strict):
    id: Slug
    kind: Literal["predict", "goal"]
    title: Line
    ask: Text
    setup: dict[Annotated[str, StringConstraints(max_length=40)], SetupValue] = Field(default_factory=dict,
                                                                                      max_length=20)
    hides: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list, max_length=10)
    choices: list[Choice] = Field(default_factory=list, max_length=6)
    answer_field: Annotated[str, StringConstraints(max_length=40)] | None = None
    tolerance: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    goal: Annotated[str, StringConstraints(max_length=300)] | None = None
    explain: Text
    hints: list[Text] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _one_kind_of_answer(self):
        if self.kind == "goal":
            if not self.goal or self.choices or self.answer_field:
                raise ValueError("a goal task needs `goal` and no `choices` or `answer_field`")
        elif bool(self.choices) == bool(self.answer_field):
            raise ValueError("a predict task needs either `choices` (2 to 6) or `answer_field` with `tolerance`")
        elif self.choices and len(self.choices) < 2:
            raise ValueError("a multiple-choice task needs at least 2 choices")
        elif self.answer_field and self.tolerance is None:
            raise ValueError("a number answer needs a `tolerance` (how far from the true value still counts)")
        return self


class Lesson(_Strict):
    id: Slug
    page: Slug
    title: Line
    summary: Text
    task: list[Task] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _unique_task_ids(self):
        ids = [t.id for t in self.task]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"task ids must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def tasks(self) -> list[Task]:
        return self.task


@dataclass(frozen=True)
class CheckedTask:
    """A task with its conditions parsed against the page's fields."""

    task: Task
    goal: Condition | None
    choices: tuple[Condition, ...]


@dataclass(frozen=True)
class LoadedLesson:
    lesson: Lesson
    tasks: tuple[CheckedTask, ...]
    source: str                      # the file name (never a server path), for messages

    @property
    def id(self) -> str:
        return self.lesson.id


@dataclass(frozen=True)
class LoadReport:
    """Every lesson in a folder that loaded, and a plain message for each that did not."""

    lessons: tuple[LoadedLesson, ...]
    errors: tuple[str, ...]

    def for_page(self, page: str) -> tuple[LoadedLesson, ...]:
        return tuple(item for item in self.lessons if item.lesson.page == page)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_SPEC = re.compile(r"^[,_]?(\.\d{1,2})?[efg%]?$")


def render_template(text: str, values: Mapping[str, object]) -> str:
    """Fill ``{field}`` and ``{field:.3g}``-style placeholders from the run's values.
    Only plain field names and a number format are understood (no attribute or index
    access, unlike str.format); a NaN or inf number reads "diverged"."""
    def fill(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2) or ""
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if not math.isfinite(value):
            return "diverged"
        return format(float(value), spec or ".4g")
    return _PLACEHOLDER.sub(fill, text)


def _check_template(text: str, fields: Mapping[str, str], where: str) -> None:
    for match in _PLACEHOLDER.finditer(text):
        name, spec = match.group(1), match.group(2)
        if name not in fields:
            raise LessonError(f"{where}: unknown field {{{name}}} (this page offers: {', '.join(sorted(fields))})")
        if spec is not None and not _SPEC.match(spec):
            raise LessonError(f"{where}: the format {{{name}:{spec}}} is not understood; use e.g. {{{name}:.3g}}")


def _condition(text: str, fields: Mapping[str, str], where: str) -> Condition:
    try:
        return parse_condition(text, fields)
    except ConditionError as err:
        raise LessonError(f"{where}: {err}") from None


def _check_fields(task: Task, fields: Mapping[str, str], where: str) -> CheckedTask:
    for name in [*task.hides, *([task.answer_field] if task.answer_field else [])]:
        if name not in fields:
            raise LessonError(f"{where}: unknown field {name!r} (this page offers: {', '.join(sorted(fields))})")
    if task.answer_field and fields[task.answer_field] != "number":
        raise LessonError(f"{where}, answer_field: {task.answer_field!r} is not a number")
    for part, text in (("explain", task.explain), ("ask", task.ask)):
        _check_template(text, fields, f"{where}, {part}")
    goal = _condition(task.goal, fields, f"{where}, goal") if task.goal else None
    choices = tuple(_condition(c.when, fields, f"{where}, choice {i + 1} ({c.label!r})")
                    for i, c in enumerate(task.choices))
    return CheckedTask(task, goal, choices)


def _pydantic_message(err: ValidationError, lesson: dict) -> str:
    first = err.errors()[0]
    loc = list(first["loc"])
    where = []
    if loc[:1] == ["task"] and len(loc) > 1 and isinstance(loc[1], int):
        tasks = lesson.get("task") or []
        task_id = tasks[loc[1]].get("id") if loc[1] < len(tasks) and isinstance(tasks[loc[1]], dict) else None
        where.append(f"task {loc[1] + 1}" + (f" ({task_id!r})" if task_id else ""))
        loc = loc[2:]
    if loc:
        where.append("field " + ".".join(str(p) for p in loc))
    message = first["msg"].removeprefix("Value error, ")
    return (", ".join(where) + ": " if where else "") + message


def load_lesson(text: str, source: str, page_fields: Mapping[str, Mapping[str, str]]) -> LoadedLesson:
    """Parse and check one lesson file's text. ``page_fields`` maps a page's url path to
    the fields it offers (name -> "number", "bool" or "text"). Raises LessonError with a
    message that starts with the file name."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise LessonError(f"{source}: the file is larger than {MAX_FILE_BYTES // 1000} kB")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"{source}: not valid TOML ({err})") from None
    try:
        lesson = Lesson.model_validate(raw)
    except ValidationError as err:
        raise LessonError(f"{source}: {_pydantic_message(err, raw)}") from None
    if lesson.page not in page_fields:
        raise LessonError(f"{source}: unknown page {lesson.page!r} (pages: {', '.join(sorted(page_fields))})")
    fields = page_fields[lesson.page]
    checked = tuple(_check_fields(t, fields, f"{source}: task {i + 1} ({t.id!r})")
                    for i, t in enumerate(lesson.task))
    return LoadedLesson(lesson, checked, source)


def load_folder(folder: Path, page_fields: Mapping[str, Mapping[str, str]]) -> LoadReport:
    """Every ``*.toml`` lesson in ``folder``, sorted by file name. A file that fails is
    left out with a message; the others load. Two lessons with one id: the second is
    refused."""
    lessons, errors, seen = [], [], set()
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise LessonError(f"{path.name}: the file is larger than {MAX_FILE_BYTES // 1000} kB")
            loaded = load_lesson(path.read_text(encoding="utf-8", errors="replace"), path.name, page_fields)
            if loaded.id in seen:
                raise LessonError(f"{path.name}: another lesson already has the id {loaded.id!r}")
        except LessonError as err:
            errors.append(str(err))
            continue
        seen.add(loaded.id)
        lessons.append(loaded)
    return LoadReport(tuple(lessons), tuple(errors))


# --- A learner's progress, and judging a task against the live run -----------------------

_TOKEN = re.compile(r"^(o|d|s|c[0-9]|n-?[0-9.e+-]{1,24})(h[0-2])?$")


@dataclass(frozen=True)
class TaskProgress:
    """Where a learner is on one task: open, done (goal met), skipped, or answered with a
    choice (its index) or a number; plus how many hints they opened."""

    state: Literal["open", "done", "skipped", "answered"] = "open"
    choice: int | None = None
    number: float | None = None
    hints: int = 0

    @property
    def finished(self) -> bool:
        return self.state in ("done", "answered")

    def encode(self) -> str:
        body = {"open": "o", "done": "d", "skipped": "s"}.get(self.state)
        if body is None:
            body = f"c{self.choice}" if self.choice is not None else f"n{self.number:.10g}"
        return body + (f"h{self.hints}" if self.hints else "")


def encode_progress(progress: tuple[TaskProgress, ...]) -> str:
    """The progress as link text, e.g. ``c1~n1.85h1~d~s`` (one token per task; tasks
    still open at the end are left out, so a fresh lesson adds nothing to the link)."""
    tokens = [p.encode() for p in progress]
    while tokens and tokens[-1] == "o":
        tokens.pop()
    return "~".join(tokens)


def decode_progress(text: str, n_tasks: int) -> tuple[tuple[TaskProgress, ...], bool]:
    """Progress from a link: (progress for every task, whether the text was all valid).
    Anything unreadable counts as open, so a damaged link loses only what it damaged."""
    tokens = text.split("~") if text else []
    out, valid = [], len(tokens) <= n_tasks
    for i in range(n_tasks):
        token = tokens[i] if i < len(tokens) else "o"
        parsed = _decode_token(token)
        valid &= parsed is not None
        out.append(parsed or TaskProgress())
    return tuple(out), valid


def _decode_token(token: str) -> TaskProgress | None:
    match = _TOKEN.match(token)
    if not match:
        return None
    body, hints = match.group(1), int(match.group(2)[1:]) if match.group(2) else 0
    if body[0] in "ods":
        return TaskProgress({"o": "open", "d": "done", "s": "skipped"}[body[0]], hints=hints)
    if body[0] == "c":
        return TaskProgress("answered", choice=int(body[1:]), hints=hints)
    try:
        number = float(body[1:])
    except ValueError:
        return None
    return TaskProgress("answered", number=number, hints=hints) if math.isfinite(number) else None


@dataclass(frozen=True)
class Verdict:
    """The reveal of a predict task, or the state of a goal task, on the live run."""

    correct: bool                 # prediction right / goal met
    truth: str                    # the live answer: the right choice's label or the number
    explanation: str              # the lesson's explanation, filled in from the run
    unmet: tuple[str, ...] = ()   # goal parts not met yet
    problem: str = ""             # set when the lesson cannot judge this run (told to the teacher)
    truth_choice: int | None = None    # the right choice's index, for the class dashboard
    truth_number: float | None = None  # or the true number


def judge(checked: CheckedTask, values: Mapping[str, object], progress: TaskProgress) -> Verdict:
    """Judge one task on the live field ``values``: a goal against its condition, a
    prediction against the choice whose condition holds (or the true number)."""
    task = checked.task
    explanation = render_template(task.explain, values)
    if checked.goal is not None:
        unmet = tuple(checked.goal.unmet(values))
        return Verdict(not unmet, "", explanation, unmet)
    if checked.choices:
        holding = [i for i, c in enumerate(checked.choices) if c.holds(values)]
        if len(holding) != 1:
            return Verdict(False, "", explanation,
                           problem=f"task {task.id!r}: {len(holding)} of its choices hold for this run; exactly one must")
        right = holding[0]
        return Verdict(progress.choice == right, task.choices[right].label, explanation, truth_choice=right)
    true = float(values[task.answer_field])
    guess = progress.number
    correct = guess is not None and math.isfinite(true) and abs(guess - true) <= task.tolerance
    return Verdict(correct, "diverged" if not math.isfinite(true) else f"{true:.4g}", explanation,
                   truth_number=true)
