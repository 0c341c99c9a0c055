"""App shell and Home page, rendered by Streamlit's AppTest."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import APP, find_dataset


def run_home(**query):
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def ball_positions(at):
    """The w of each ball drawn in the Home picture, from the chart's own data."""
    balls = find_dataset(at, {"step", "w", "loss", "grad_norm"}, without={"w2"}).sort_values("step")
    return [round(w, 9) for w in balls["w"]]


def test_home_renders_with_the_ball_in_the_bowl():
    at = run_home()
    assert at.title[0].value == "Gradient Descent Lab"
    # GD on L(w) = w² from w = −4: w_{t+1} = (1 − 2η)·w_t — a closed form, independent of the engine.
    assert ball_positions(at) == [round(-4.0 * (1 - 2 * 0.1) ** t, 9) for t in range(13)]
    assert at.query_params.get("lr") is None          # defaults are not written into the URL


@pytest.mark.parametrize("lr", ["0.5", "0.9"])
def test_url_sets_the_learning_rate(lr):
    at = run_home(lr=lr)
    eta = float(lr)
    assert at.select_slider[0].value == eta
    balls = ball_positions(at)
    assert balls == [round(-4.0 * (1 - 2 * eta) ** t, 9) for t in range(13)]
    assert not any("adjusted" in w.value for w in at.warning)


def test_divergent_rate_is_explained_not_broken():
    at = run_home(lr="1.05")
    assert any("flies out of the bowl" in e.value for e in at.error)
    assert all(abs(w) <= 6 for w in ball_positions(at))     # nothing drawn off the chart


@pytest.mark.parametrize("raw", ["1e308", "nan", "-inf", "<b>x</b>", "0.47", "'; DROP TABLE"])
def test_hostile_url_values_are_clamped_with_a_note(raw):
    at = run_home(lr=raw)
    assert at.select_slider[0].value in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05)
    assert any("adjusted" in w.value and "learning rate" in w.value for w in at.warning)


def test_widget_change_updates_picture_and_url():
    at = run_home()
    at.select_slider[0].set_value(0.3).run()
    assert not at.exception
    assert ball_positions(at)[1] == round(-4.0 * 0.4, 9)
    assert at.query_params["lr"] in ("0.3", ["0.3"])


def test_unknown_url_parameters_are_reported():
    at = run_home(foo="1")
    assert any("foo" in w.value for w in at.warning)


@pytest.mark.parametrize("lr,kind,words", [(0.1, "info", "1 − 2η = 0.8"), (0.5, "success", "lands exactly"),
                                           (0.9, "warning", "overshoots"), (1.05, "error", "flies out")])
def test_ball_verdict_on_real_runs(lr, kind, words):
    """ui.text.home.ball_verdict on the engine's run; w after 12 steps from the closed form."""
    import dlcore
    from dlcore.inspect_step import step_regime
    from ui.text.home import ball_verdict
    bowl = dlcore.SurfaceProblem("custom", expression="x**2", start=(-4.0, 0.0))
    res = dlcore.train(bowl, (dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr)),),
                       dlcore.TrainConfig(steps=12, dtype="float64"))
    w_end = float(res.final_params[0, 0])
    v = ball_verdict(step_regime(lr, 2.0, diverged=bool(res.diverged_at[0] >= 0)), w_end, 12)
    assert v.kind == kind and words in v.text
    if kind in ("info", "warning"):
        assert w_end == pytest.approx(-4.0 * (1 - 2 * lr) ** 12, rel=1e-12)
        assert f"w = {w_end:.4g}" in v.text


def test_lesson_cards_and_next_link():
    at = run_home()
    links = [p.proto.label for p in at.get("page_link")]
    for title in ("1 · Gradient descent", "2 · Loss explorer", "3 · Neural network", "4 · Optimizer comparison",
                  "5 · Learning-rate sweep"):
        assert title in links, title
    assert "Next → Gradient descent" in links


def test_home_lists_lessons_sources_and_the_class_join_form():
    """Issue 15: lessons with progress, the articles by title under Sources, and the class join form."""
    from ui.sources import ARTICLES
    at = run_home()
    headers = [h.value for h in at.header]
    assert "Lessons" in headers and "Sources" in headers
    links = [p.proto.label for p in at.get("page_link")]
    assert "Does w really reach 2?" in links and "How wrong is a line?" in links
    text = " ".join(m.value for m in at.markdown)
    for article in ARTICLES.values():
        assert article.title in text
    assert at.text_input, "the class join form (class code) is on Home"
