"""The lesson panel: a page's guided path — predict, run, explain.

A page with lessons adds :data:`LESSON_PARAMS` to its settings, then::

    panel = LessonPanel(state, "gradient-descent")
    panel.draw()                                   # near the top: the current task
    ...
    if not panel.hides("w_final"):                 # an answer is never sent early
        st.metric("w after the last epoch", short(result.w_final))
    ...
    panel.conclude(lesson_values(result))          # judge the task on the live run

What a task hides is not drawn at all until the learner has answered (so it is not in
what the server sends), and the reveal is judged by :func:`ui.lessons.judge` on the run
the page just computed. Progress lives in the link (``?lesson=…&lp=…``), so it survives a
reload and travels with a shared link.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import streamlit as st

from ui import classroom, safety
from ui.format import quote
from ui.lessons import (MAX_FILE_BYTES, LessonError, LoadedLesson, LoadReport, TaskProgress, decode_progress,
                        encode_progress, judge, load_folder, load_lesson)
from ui.params import PageState, Param

LESSON_DIR = Path(__file__).resolve().parents[1] / "lessons"
LESSON_PARAMS = (Param("lesson", "", "text", max_len=40, label="lesson"),
                 Param("lp", "", "text", max_len=200, label="lesson progress"),
                 Param("lt", 1, "int", lo=1, hi=12, label="lesson task"))
REVEAL_POLL_SECONDS = 4      # a class's learner sees a teacher's reveal within this


def _field_kinds() -> dict[str, dict[str, str]]:
    from ui.lesson_fields import PAGE_FIELDS
    return {page: {n: f.kind for n, f in fields.items()} for page, fields in PAGE_FIELDS.items()}


@lru_cache(maxsize=1)
def builtin_lessons() -> LoadReport:
    """The lessons shipped in lessons/, loaded and checked once per process."""
    return load_folder(LESSON_DIR, _field_kinds())


@lru_cache(maxsize=64)
def _teacher_lesson_text(text: str, source: str) -> LoadedLesson:
    return load_lesson(text, source, _field_kinds())


def teacher_lesson(raw: bytes, source: str = "your lesson file") -> LoadedLesson:
    """A teacher's own lesson file, checked exactly like the built-in ones (raises
    LessonError). Its id must not be a built-in lesson's."""
    if len(raw) > MAX_FILE_BYTES:
        raise LessonError(f"{source}: the file is larger than {MAX_FILE_BYTES // 1000} kB")
    loaded = _teacher_lesson_text(raw.decode("utf-8", "replace"), source[:60])
    if any(item.id == loaded.id for item in builtin_lessons().lessons):
        raise LessonError(f"{source}: the id {loaded.id!r} is a built-in lesson's; give your lesson its own id")
    return loaded


def lessons_for_class(info) -> tuple[LoadedLesson, ...]:
    """A class's lessons, in the teacher's order: built-in ones by id, and the teacher's
    own file (stored with the class) checked again as it is loaded."""
    found = []
    own = None
    if info is not None and info.lesson_file:
        try:
            own = teacher_lesson(info.lesson_file.encode(), "the class's lesson file")
        except LessonError:
            own = None
    for lesson_id in (info.lessons if info else ()):
        item = own if own is not None and own.id == lesson_id else \
            next((x for x in builtin_lessons().lessons if x.id == lesson_id), None)
        if item is not None:
            found.append(item)
    return tuple(found)


class LessonPanel:
    """One page's lesson state for this run: which lesson, where the learner is."""

    def __init__(self, state: PageState, page: str, report: LoadReport | None = None):
        self.state, self.page = state, page
        self.report = report or builtin_lessons()
        self.available = self.report.for_page(page) + self._class_lessons(page)
        wanted = state.current("lesson")
        self.lesson: LoadedLesson | None = next((x for x in self.available if x.id == wanted), None)
        if wanted and self.lesson is None:
            state.note(f"There is no lesson {quote(wanted)} on this page; showing the page without one.")
        state.set("lesson", self.lesson.id if self.lesson else "")
        n = len(self.lesson.tasks) if self.lesson else 0
        self.progress, valid = decode_progress(state.current("lp"), n) if n else ((), True)
        if not valid:
            state.note("Part of the lesson progress in the link could not be read; those tasks start afresh.")
        self.index = min(state.current("lt"), max(n, 1)) - 1
        self._save()
        self._verdict_box = None
        self.revealed = classroom.revealed() if self.lesson else frozenset()

    @staticmethod
    def _class_lessons(page: str) -> tuple[LoadedLesson, ...]:
        """The teacher's own lesson of this learner's class, when it is for this page."""
        me, db = classroom.membership(), None
        if me is not None:
            db = classroom.store()
        if db is None:
            return ()
        try:
            info = db.find_class(me.code)
        except classroom.StoreUnavailable:
            return ()
        built_in = {x.id for x in builtin_lessons().lessons}
        return tuple(x for x in lessons_for_class(info) if x.lesson.page == page and x.id not in built_in)

    # --- what the page asks ---------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.lesson is not None

    def hides(self, field: str) -> bool:
        """Whether the page must not draw ``field`` yet (a prediction is pending on it)."""
        if not self.active:
            return False
        task, progress = self.lesson.tasks[self.index].task, self.progress[self.index]
        if (self.lesson.id, task.id) in self.revealed:       # the teacher showed the class
            return False
        return task.kind == "predict" and not progress.finished and field in task.hides

    # --- drawing --------------------------------------------------------------------
    def draw(self) -> None:
        if not self.available:
            return
        if not self.active:
            self._draw_offer()
            return
        with st.container(border=True):
            self._draw_header()
            self._draw_task()
        self._watch_reveal()

    def _watch_reveal(self) -> None:
        """A learner in a class waiting on a prediction: check every few seconds whether
        the teacher revealed this task, and if so redraw the page with the answer (the
        learner need not touch anything to see the reveal)."""
        task, progress = self.lesson.tasks[self.index].task, self.progress[self.index]
        pair = (self.lesson.id, task.id)
        if task.kind != "predict" or progress.finished or pair in self.revealed or classroom.membership() is None:
            return

        @safety.fragment(run_every=REVEAL_POLL_SECONDS)
        def watch():
            if pair in classroom.revealed():
                st.rerun()
        watch()

    def _draw_offer(self) -> None:
        for item in self.available:
            cols = st.columns([4, 1], vertical_alignment="center")
            cols[0].markdown(f"**Lesson:** {item.lesson.title} · {len(item.tasks)} tasks — "
                             f"{item.lesson.summary}")
            cols[1].button("Start the lesson", key=f"lesson-start-{item.id}", icon=":material/school:",
                           on_click=safety.callback(self._start), args=(item.id,))

    def _draw_header(self) -> None:
        done = sum(p.finished for p in self.progress)
        total = len(self.progress)
        top = st.columns([4, 1], vertical_alignment="center")
        top[0].markdown(f"**Lesson: {self.lesson.lesson.title}** · {done} of {total} done")
        top[1].button("Leave the lesson", key="lesson-leave", icon=":material/logout:",
                      on_click=safety.callback(self._leave), help="Explore freely; your progress stays in the link.")
        st.progress(done / total if total else 0.0)

    def _draw_task(self) -> None:
        i = self.index
        checked, progress = self.lesson.tasks[i], self.progress[i]
        task = checked.task
        mark = "✅ " if progress.finished else ""
        st.markdown(f"## {mark}Task {i + 1} of {len(self.progress)}: {task.title}")
        st.markdown(task.ask)
        if task.setup:
            st.button("Set up the experiment", key=f"lesson-setup-{task.id}", icon=":material/tune:",
                      on_click=safety.callback(self._setup), args=(dict(task.setup),),
                      help="Puts this task's settings in place on the page.")
        if task.kind == "predict" and not progress.finished:
            self._draw_prediction(i)
        self._verdict_box = st.container()
        self._draw_hints_and_moves(i)

    def _draw_prediction(self, i: int) -> None:
        task = self.lesson.tasks[i].task
        with st.form(key=f"lesson-predict-{task.id}", border=False):
            if task.choices:
                guess = st.radio("Your prediction", [c.label for c in task.choices], index=None)
            else:
                guess = st.number_input("Your prediction", value=None, format="%.6g")
            sent = st.form_submit_button("Submit my prediction", icon=":material/send:")
        if sent:
            if guess is None:
                st.warning("Choose or type a prediction first.", icon="✍️")
                return
            labels = [c.label for c in task.choices]
            answer = (TaskProgress("answered", choice=labels.index(guess), hints=self.progress[i].hints)
                      if task.choices else
                      TaskProgress("answered", number=float(guess), hints=self.progress[i].hints))
            self._update(i, answer)
            classroom.record(self.lesson.id, task.id, "prediction", answer.choice, answer.number)
            st.rerun()

    def _draw_hints_and_moves(self, i: int) -> None:
        task, progress = self.lesson.tasks[i].task, self.progress[i]
        for n, hint in enumerate(task.hints[:progress.hints]):
            st.info(f"**Hint {n + 1}:** {hint}", icon="💡")
        cols = st.columns(3)
        if progress.hints < len(task.hints):
            cols[0].button(f"Show a hint ({progress.hints + 1} of {len(task.hints)})", key=f"lesson-hint-{task.id}",
                           on_click=safety.callback(self._hint), args=(i,))
        if not progress.finished:
            cols[1].button("Skip this task", key=f"lesson-skip-{task.id}",
                           on_click=safety.callback(self._skip), args=(i,))
        elif self._following(i) is not None:
            cols[1].button("Next task →", key=f"lesson-next-{task.id}", type="primary",
                           on_click=safety.callback(self._go), args=(self._following(i),))
        else:
            cols[1].markdown("🎉 **Lesson complete.**")
        if i > 0:
            cols[2].button("← Previous task", key=f"lesson-prev-{task.id}",
                           on_click=safety.callback(self._go), args=(i - 1,))

    # --- judging the live run -------------------------------------------------------
    def conclude(self, values: Mapping[str, object]) -> None:
        """Judge the current task on this run's field values and show the outcome."""
        if not self.active or self._verdict_box is None:
            return
        i = self.index
        checked, progress = self.lesson.tasks[i], self.progress[i]
        revealed = (self.lesson.id, checked.task.id) in self.revealed
        if checked.task.kind == "predict" and not progress.finished and not revealed:
            return
        verdict = judge(checked, values, progress)
        box = self._verdict_box
        if checked.task.kind == "predict" and not verdict.problem:
            classroom.record(self.lesson.id, checked.task.id, "truth", verdict.truth_choice, verdict.truth_number)
        if checked.task.kind == "predict" and not progress.finished:
            box.info(f"**Your teacher revealed the answer:** PyTorch computed **{verdict.truth}**.\n\n"
                     f"{verdict.explanation}", icon="🏫")
            return
        if verdict.problem:
            box.warning(f"This task cannot be checked on this run: {verdict.problem}.", icon="🧩")
        elif checked.task.kind == "goal":
            self._show_goal(i, verdict, box)
        else:
            guess = (checked.task.choices[progress.choice].label if progress.choice is not None
                     and progress.choice < len(checked.task.choices) else f"{progress.number:.4g}")
            show = box.success if verdict.correct else box.warning
            show(f"**{'Right!' if verdict.correct else 'Not quite.'}** You predicted *{guess}*; PyTorch computed "
                 f"**{verdict.truth}**.\n\n{verdict.explanation}", icon="🎯" if verdict.correct else "🔍")

    def _show_goal(self, i: int, verdict, box) -> None:
        if verdict.correct:
            if self.progress[i].state != "done":
                self._update(i, TaskProgress("done", hints=self.progress[i].hints))
                classroom.record(self.lesson.id, self.lesson.tasks[i].task.id, "done")
                # The header ("N of M done") and the task's buttons were drawn before this
                # run was judged: draw them again, or the learner sees "Goal met!" beside
                # the old count and only "Skip this task" (which would undo the goal).
                st.rerun()
            box.success(f"**Goal met!** {verdict.explanation}", icon="✅")
        else:
            box.info("**Not met yet:** " + " · ".join(f"`{part}`" for part in verdict.unmet), icon="🎯")

    # --- changes (callbacks run before the next script run) ----------------------------
    def _following(self, i: int) -> int | None:
        """The next task still to do after task i (wrapping round to skipped ones)."""
        n = len(self.progress)
        for j in [*range(i + 1, n), *range(0, i)]:
            if not self.progress[j].finished:
                return j
        return None

    def _save(self) -> None:
        self.state.set("lp", encode_progress(self.progress) if self.progress else "")
        self.state.set("lt", self.index + 1)
        self.state.sync_url(*(p.key for p in LESSON_PARAMS))
        if self.lesson is not None:          # the Home page lists every lesson with this progress
            st.session_state.setdefault("_gdl_lesson_progress", {})[self.lesson.id] = (
                sum(p.finished for p in self.progress), len(self.progress))

    def _update(self, i: int, new: TaskProgress) -> None:
        self.progress = self.progress[:i] + (new,) + self.progress[i + 1:]
        self._save()

    def _go(self, i: int) -> None:
        self.index = i
        self._save()
        task = self.lesson.tasks[i].task
        if task.kind == "goal" and task.setup and not self.progress[i].finished:
            # A goal starts from its own experiment: the previous task's settings could
            # already meet it (Momentum beats Adam at task 1's rates), crediting a goal
            # the learner never worked for.
            self._setup(dict(task.setup))

    def _start(self, lesson_id: str) -> None:
        self.state.set("lesson", lesson_id)
        self.state.set("lp", "")
        self.state.set("lt", 1)

    def _leave(self) -> None:
        self.state.set("lesson", "")

    def _setup(self, setup: dict) -> None:
        for key, value in setup.items():
            try:
                self.state.set(key, value)
            except KeyError:
                self.state.note(f"The lesson sets {quote(key)}, which this page does not have.")

    def _hint(self, i: int) -> None:
        p = self.progress[i]
        self._update(i, TaskProgress(p.state, p.choice, p.number, min(p.hints + 1, 2)))
        classroom.record(self.lesson.id, self.lesson.tasks[i].task.id, "hint")

    def _skip(self, i: int) -> None:
        self._update(i, TaskProgress("skipped", hints=self.progress[i].hints))
        classroom.record(self.lesson.id, self.lesson.tasks[i].task.id, "skipped")
        following = self._following(i)
        if following is not None:
            self._go(following)
