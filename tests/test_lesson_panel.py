"""The lesson panel on a small page (tests/apps/lesson_page.py), driven as a learner would:
start, set up, take a hint, predict wrongly, see the computed answer, go on, meet a goal.
The true values come from the closed form w_n = 2·(1 − (1 − 2η)^n), not from the panel."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).parent / "apps" / "lesson_page.py")


def w_after(lr, n):
    return 2 * (1 - (1 - 2 * lr) ** n)


def everything_sent(at) -> str:
    """Every element's protobuf as text: what the server sends the browser."""
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto"))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_learner_completes_the_lesson():
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    button(at, "Start the lesson").click().run()
    assert "0 of 3 done" in at.markdown[0].value
    assert at.query_params["lesson"] == "lesson-test"

    button(at, "Set up the experiment").click().run()
    assert at.slider[0].value == 0.05 and at.slider[1].value == 10
    truth = w_after(0.05, 10)
    # Before the prediction the answer is not sent at all, not merely hidden.
    assert not [m for m in at.metric if m.label == "w after training"]
    assert f"{truth:.4f}" not in everything_sent(at) and f"{truth:.6f}" not in everything_sent(at)

    button(at, "Show a hint (1 of 1)").click().run()
    assert "(1 − 2η)" in at.info[0].value

    at.radio[0].set_value("Yes, within 0.01")           # wrong: the gap is 2·0.9^10 ≈ 0.70
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert "Not quite." in at.warning[0].value and "No, still further away" in at.warning[0].value
    assert f"{truth:.4f}" in at.warning[0].value
    assert [m.value for m in at.metric if m.label == "w after training"] == [f"{truth:.6f}"]
    assert "1 of 3 done" in at.markdown[0].value
    assert at.query_params["lp"] == "c0h1"

    button(at, "Next task →").click().run()
    at.number_input[0].set_value(round(truth, 3))
    next(b for b in at.button if "Submit" in b.label).click().run()
    assert "Right!" in at.success[0].value

    button(at, "Next task →").click().run()
    assert "Not met yet" in at.info[0].value and "`lr > 0.5`" in at.info[0].value
    at.slider[0].set_value(0.7).run()                    # overshoots: 1 − 2η = −0.4
    at.slider[1].set_value(20).run()
    assert abs(w_after(0.7, 20) - 2) < 0.01
    assert "Goal met!" in at.success[0].value
    assert "3 of 3 done" in at.markdown[0].value and "Lesson complete" in everything_sent(at)


def test_progress_travels_in_the_link_and_a_damaged_one_is_forgiven():
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params.update({"lesson": "lesson-test", "lp": "c1~o~o", "lt": "1"})
    at.run()
    assert "1 of 3 done" in at.markdown[0].value
    assert "Right!" in at.success[0].value               # c1 is the right choice at the defaults too
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params.update({"lesson": "lesson-test", "lp": "zz~<b>~d", "lt": "3"})
    at.run()
    assert not at.exception
    assert "1 of 3 done" in at.markdown[0].value
    assert any("could not be read" in w.value for w in at.warning)


def test_an_unknown_lesson_leaves_the_page_working():
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params.update({"lesson": "no-such-lesson"})
    at.run()
    assert not at.exception
    assert any("There is no lesson" in w.value for w in at.warning)
    assert [m.label for m in at.metric] == ["w after training"]
