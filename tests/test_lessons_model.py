"""ui.lessons: lesson files validated with messages that name the file, task and field;
progress that survives a link; tasks judged on the live values."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from ui.lessons import (LessonError, TaskProgress, decode_progress, encode_progress, judge, load_folder,
                        load_lesson, render_template)

FIELDS = {"gradient-descent": {"w_final": "number", "lr": "number", "epochs": "number", "diverged": "bool",
                               "loss_final": "number"}}

GOOD = '''
id = "gd-test"
page = "gradient-descent"
title = "Test lesson"
summary = "A lesson used by the tests."

[[task]]
id = "predict-w"
kind = "predict"
title = "Where is w?"
ask = "Predict w after {epochs:.0f} epochs."
setup = { lr = 0.01, epochs = 100 }
hides = ["w_final"]
explain = "w = {w_final:.4f} after {epochs:.0f} epochs."
hints = ["Look at the slope."]
[[task.choices]]
label = "w is 2.0"
when = "abs(w_final - 2) < 0.0005"
[[task.choices]]
label = "w is below 2"
when = "w_final <= 1.9995"

[[task]]
id = "number-w"
kind = "predict"
title = "A number"
ask = "Type w."
answer_field = "w_final"
tolerance = 0.01
explain = "It is {w_final:.3g}."

[[task]]
id = "zigzag"
kind = "goal"
title = "Make it zig-zag"
ask = "Find a rate that oscillates but converges."
goal = "not diverged and lr > 0.06 and loss_final < 0.01"
explain = "At η = {lr:.3g} the loss ends at {loss_final:.2g}."
hints = ["Try 0.1.", "Stay below 2/λmax."]
'''


def load(text, fields=FIELDS):
    return load_lesson(text, "test.toml", fields)


def test_a_good_lesson_loads_with_its_conditions_checked():
    lesson = load(GOOD)
    assert lesson.id == "gd-test" and [t.task.id for t in lesson.tasks] == ["predict-w", "number-w", "zigzag"]
    assert lesson.tasks[0].choices[1].fields == {"w_final"}
    assert lesson.tasks[2].goal.fields == {"diverged", "lr", "loss_final"}
    assert lesson.lesson.task[0].setup == {"lr": 0.01, "epochs": 100}


@pytest.mark.parametrize("change,says", [
    (('kind = "goal"\ntitle = "Make', 'kind = "race"\ntitle = "Make'), "task 3 ('zigzag'), field kind"),
    (('explain = "It is {w_final:.3g}."', ''), "task 2 ('number-w'), field explain: Field required"),
    (('tolerance = 0.01', 'tolerance = 0.01\ncolour = "red"'), "task 2 ('number-w'), field colour"),
    (('tolerance = 0.01', 'tolerance = -1'), "field tolerance"),
    (('tolerance = 0.01', ''), "needs a `tolerance`"),
    (('hides = ["w_final"]', 'hides = ["w_end"]'), "task 1 ('predict-w'): unknown field 'w_end'"),
    (('goal = "not diverged and lr > 0.06', 'goal = "not exploded and lr > 0.06'), "task 3 ('zigzag'), goal: Unknown field \"exploded\""),
    (('when = "w_final <= 1.9995"', 'when = "w_final <= "'), "task 1 ('predict-w'), choice 2 ('w is below 2')"),
    (('when = "w_final <= 1.9995"', 'when = "__import__(\'os\')"'), "choice 2"),
    (('id = "number-w"', 'id = "predict-w"'), "task ids must be unique; repeated: predict-w"),
    (('page = "gradient-descent"', 'page = "nowhere"'), "unknown page 'nowhere'"),
    (('explain = "It is {w_final:.3g}."', 'explain = "It is {w_final.__class__}."'), None),
    (('explain = "It is {w_final:.3g}."', 'explain = "It is {speed}."'), "unknown field {speed}"),
    (('explain = "It is {w_final:.3g}."', 'explain = "It is {w_final:!r}."'), "is not understood"),
    (('hints = ["Try 0.1.", "Stay below 2/λmax."]', 'hints = ["a", "b", "c"]'), "field hints"),
    (('title = "Test lesson"', 'title = "Test lesson'), "not valid TOML"),
])
def test_mistakes_are_refused_with_file_task_and_field(change, says):
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    if says is None:            # text that merely looks like a placeholder stays text
        assert "{w_final.__class__}" in load(text).lesson.task[1].explain
        return
    with pytest.raises(LessonError) as err:
        load(text)
    assert str(err.value).startswith("test.toml: ")
    assert says in str(err.value)


def test_a_goal_task_needs_a_goal_and_a_predict_task_an_answer():
    with pytest.raises(LessonError, match="a goal task needs `goal`"):
        load(GOOD.replace('goal = "not diverged and lr > 0.06 and loss_final < 0.01"', ''))
    with pytest.raises(LessonError, match="either `choices`"):
        load(GOOD.replace('answer_field = "w_final"\ntolerance = 0.01', ''))


def test_a_huge_file_is_refused_unread():
    with pytest.raises(LessonError, match="larger than 64 kB"):
        load(GOOD + "#" * 70_000)


def test_a_bad_file_in_a_folder_is_left_out_and_reported(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD)
    (tmp_path / "b.toml").write_text(GOOD.replace('kind = "goal"', 'kind = "?"'))
    (tmp_path / "c.toml").write_text(GOOD)                       # same id as a.toml
    (tmp_path / "d.toml").write_bytes(b"\xff\xfe\x00garbage = [")
    report = load_folder(tmp_path, FIELDS)
    assert [item.source for item in report.lessons] == ["a.toml"]
    assert [e.split(":")[0] for e in report.errors] == ["b.toml", "c.toml", "d.toml"]
    assert "already has the id 'gd-test'" in report.errors[1]
    assert report.for_page("gradient-descent")[0].id == "gd-test" and report.for_page("lr-sweep") == ()


def test_templates_fill_numbers_and_say_diverged():
    assert render_template("w = {w:.3f}, n = {n:.0f}, ok = {ok}", {"w": 1.84634, "n": 100, "ok": True}) == \
        "w = 1.846, n = 100, ok = True"
    assert render_template("loss {loss}", {"loss": math.nan}) == "loss diverged"
    assert render_template("{a.b} {a[0]}", {"a": 1.0}) == "{a.b} {a[0]}"


def test_judging_uses_the_live_values_not_the_file():
    lesson = load(GOOD)
    choice, number, goal = lesson.tasks
    values = {"w_final": 1.8463, "lr": 0.01, "epochs": 100, "diverged": False, "loss_final": 0.034}
    v = judge(choice, values, TaskProgress("answered", choice=1))
    assert v.correct and v.truth == "w is below 2" and v.explanation == "w = 1.8463 after 100 epochs."
    assert not judge(choice, values, TaskProgress("answered", choice=0)).correct
    assert judge(choice, {**values, "w_final": 2.0}, TaskProgress("answered", choice=0)).correct
    assert judge(number, values, TaskProgress("answered", number=1.85)).correct
    assert not judge(number, values, TaskProgress("answered", number=1.9)).correct
    assert not judge(number, {**values, "w_final": math.nan}, TaskProgress("answered", number=1.9)).correct
    g = judge(goal, values, TaskProgress())
    assert not g.correct and g.unmet == ("lr > 0.06", "loss_final < 0.01")
    assert judge(goal, {**values, "lr": 0.1, "loss_final": 0.001}, TaskProgress()).correct


def test_choices_that_do_not_decide_a_run_are_reported():
    text = GOOD.replace('when = "w_final <= 1.9995"', 'when = "w_final <= 2.5"')
    v = judge(load(text).tasks[0], {"w_final": 2.0, "lr": 0.01, "epochs": 100}, TaskProgress())
    assert v.problem and "2 of its choices hold" in v.problem


progress_tokens = st.one_of(
    st.builds(TaskProgress, st.sampled_from(["open", "done", "skipped"]), hints=st.integers(0, 2)),
    st.builds(lambda c, h: TaskProgress("answered", choice=c, hints=h), st.integers(0, 5), st.integers(0, 2)),
    st.builds(lambda n, h: TaskProgress("answered", number=float(f"{n:.10g}"), hints=h),
              st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 2)),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(progress_tokens, min_size=1, max_size=7))
def test_progress_survives_a_link(progress):
    decoded, valid = decode_progress(encode_progress(tuple(progress)), len(progress))
    assert valid and decoded == tuple(progress)


def test_a_damaged_link_keeps_what_it_can():
    decoded, valid = decode_progress("d~c9x~n1e999~s", 5)
    assert not valid
    assert [p.state for p in decoded] == ["done", "open", "open", "skipped", "open"]
    assert decode_progress("d~d~d", 2)[1] is False      # more tokens than tasks
