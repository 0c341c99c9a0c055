"""The classroom through the pages (AppTest; the store is the real SQLite of the suite's
temporary data folder): a teacher opens a class, a learner joins by link and predicts,
the dashboard counts it, a reveal reaches the learner, and no learner-side element ever
holds the teacher key."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from classroom.store import ClassStore
from tests.apptest_helpers import APP, ROOT, open_page


def everything(at) -> str:
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto")) + \
        "\n".join(str(node.proto) for node in at.sidebar if hasattr(node, "proto"))


def open_class(title="Period 3"):
    at = open_page("teachers.py")
    assert not at.exception
    at.text_input[0].set_value(title)
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert not at.exception
    code = re.search(r"Class code: `([A-Z0-9]{6})`", "\n".join(m.value for m in at.markdown)).group(1)
    key_link = next(c.value for c in at.code if "key=" in c.value)
    key = re.search(r"key=([A-Za-z0-9_-]+)", key_link).group(1)
    return at, code, key


def test_a_teacher_opens_a_class_and_gets_a_code_a_qr_code_and_links():
    at, code, key = open_class()
    assert at.query_params["class"] == code and "key" not in at.query_params
    learner_links = [c.value for c in at.code if "key=" not in c.value]
    assert learner_links and all(f"class={code}" in link for link in learner_links)
    assert len(at.get("image")) == 1                         # the QR code
    assert [m.label for m in at.metric][:2] == ["Learners joined", "Active in the last 5 minutes"]
    # The projector view shows no key, no link with a key, no controls.
    at.toggle(key="teacher-projector").set_value(True).run()
    assert key not in everything(at)
    assert not [t for t in at.toggle if t.key and t.key.startswith("reveal-")]


def test_a_teacher_link_moves_the_key_out_of_the_address_bar():
    _, code, key = open_class()
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(str(ROOT / "app_pages" / "teachers.py"))
    at.query_params.update({"class": code, "key": key})
    at.run()
    assert not at.exception
    assert "key" not in at.query_params
    assert any(f"Class code: `{code}`" in m.value for m in at.markdown)


def test_a_wrong_key_or_a_learner_link_never_opens_the_dashboard():
    _, code, key = open_class()
    for wrong in ("", "x" * 22, key[:-1] + ("A" if key[-1] != "A" else "B")):
        at = AppTest.from_file(APP, default_timeout=90)
        at.run()
        at.switch_page(str(ROOT / "app_pages" / "teachers.py"))
        at.query_params.update({"class": code, "key": wrong})
        at.run()
        assert not at.exception
        assert not [m for m in at.metric if m.label == "Learners joined"]
        assert not any("Class code" in m.value for m in at.markdown)


def test_a_learner_joins_by_link_predicts_and_sees_the_reveal():
    teacher, code, key = open_class()
    learner = open_page("optimizer_comparison.py", **{"class": code})
    assert not learner.exception
    learner.text_input(key="class-join-nickname").set_value("<b>Ada</b>")
    next(b for b in learner.button if b.label == "Join").click().run()
    assert not learner.exception
    assert key not in everything(learner)
    store = ClassStore()
    joined, _, _ = store.dashboard(code, key)
    assert joined == 1
    csv = store.answers_csv(code, key)
    assert csv.count("\n") == 1                      # no answers yet: the header only


def test_a_learner_whose_session_is_lost_comes_back_as_the_same_learner():
    """The failover case (issue 18): a replica dies, the browser reconnects through the
    proxy to another replica, which has a new session for it but the same address. The
    seat in the address takes the learner back into the class: no second join offer, one
    learner on the dashboard, and their later answers are theirs."""
    teacher, code, key = open_class()
    learner = open_page("optimizer_comparison.py", **{"class": code})
    learner.text_input(key="class-join-nickname").set_value("Cy")
    next(b for b in learner.button if b.label == "Join").click().run()
    assert not learner.exception
    address = dict(learner.query_params)
    seat = address["seat"]
    assert seat and seat != key and key not in everything(learner)
    store = ClassStore()
    assert store.dashboard(code, key)[0] == 1
    # A new session with the same address (what the other replica gets).
    again = open_page("optimizer_comparison.py", **address)
    assert not again.exception
    assert not [b for b in again.button if b.label == "Join"]
    assert not any("Ignored unknown link settings" in w.value for w in again.warning)
    assert again.query_params["seat"] == seat
    next(b for b in again.button if b.label == "Start the lesson").click().run()
    next(b for b in again.button if b.label == "Set up the experiment").click().run()
    again.radio[-1].set_value(again.radio[-1].options[0])
    next(b for b in again.button if "Submit" in b.label).click().run()
    assert not again.exception
    joined, _, tasks = store.dashboard(code, key)
    assert joined == 1
    assert len(next(t for t in tasks if t.task_id == "rosenbrock-winner").predictions) == 1
    # The seat follows the learner from page to page (the menu drops a page's own link).
    again.switch_page(str(ROOT / "app_pages" / "gradient_descent.py"))
    again.query_params.clear()
    again.run()
    assert not again.exception and again.query_params["seat"] == seat
    # Leaving the class takes the seat out of the address.
    again.switch_page(str(ROOT / "app_pages" / "home.py"))
    again.run()
    next(b for b in again.button if b.label == "Leave the class").click().run()
    assert "seat" not in again.query_params


def test_an_unknown_seat_is_dropped_quietly():
    _, code, key = open_class()
    at = open_page("gradient_descent.py", seat="x" * 22)
    assert not at.exception
    assert "seat" not in at.query_params
    assert not any("Ignored unknown link settings" in w.value for w in at.warning)
    assert ClassStore().dashboard(code, key)[0] == 0


def test_a_learners_prediction_reaches_the_dashboard_and_a_reveal_reaches_the_learner():
    teacher, code, key = open_class()
    learner = open_page("optimizer_comparison.py", **{"class": code})
    learner.text_input(key="class-join-nickname").set_value("Bo")
    next(b for b in learner.button if b.label == "Join").click().run()
    next(b for b in learner.button if b.label == "Start the lesson").click().run()
    next(b for b in learner.button if b.label == "Set up the experiment").click().run()
    learner.radio[-1].set_value(learner.radio[-1].options[0])
    next(b for b in learner.button if "Submit" in b.label).click().run()
    assert not learner.exception
    store = ClassStore()
    _, _, tasks = store.dashboard(code, key)
    first = next(t for t in tasks if t.task_id == "rosenbrock-winner")
    assert len(first.predictions) == 1 and len(first.truths) == 1
    assert first.finished == 1
    # The teacher reveals the next task before the learner answers it: the learner's page shows it.
    next(b for b in learner.button if b.label == "Next task →").click().run()
    second = "momentum-beats-adam"
    store.set_reveal(code, key, "optimizer-race", second, True)
    assert ("optimizer-race", second) in store.revealed(code)


def test_a_malformed_lesson_file_is_left_out_and_the_teacher_sees_why(tmp_path, monkeypatch):
    """The built-in lessons folder with one broken file: every page works, the For teachers
    page names the file, task and field."""
    import shutil

    from ui import lesson_panel
    for f in lesson_panel.LESSON_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "zz-broken.toml").write_text('id = "broken"\npage = "gradient-descent"\ntitle = "B"\n'
                                             'summary = "S"\n[[task]]\nid = "t"\nkind = "guess"\n')
    monkeypatch.setattr(lesson_panel, "LESSON_DIR", tmp_path)
    lesson_panel.builtin_lessons.cache_clear()
    try:
        at = open_page("teachers.py")
        assert not at.exception
        shown = "\n".join(t.value for t in at.text)
        assert "zz-broken.toml: task 1 ('t'), field kind" in shown
        page = open_page("gradient_descent.py")
        assert not page.exception and page.metric
    finally:
        lesson_panel.builtin_lessons.cache_clear()


def test_home_lists_each_lesson_with_the_learners_progress():
    """Progress made on a page (here from a link: one task done) shows on Home."""
    at = open_page("gradient_descent.py", lesson="gradient-descent", lp="c1", lt="2")
    assert not at.exception
    at.switch_page(str(ROOT / "app_pages" / "home.py"))
    at.query_params.clear()
    at.run()
    assert not at.exception
    rows = [m.value for m in at.markdown]
    assert "1 of 5 done" in rows
    assert rows.count("not started") == 4


# --- a teacher's dataset for the class (issue 17) -------------------------------------------
def open_class_with_data(table: str, title="Data class"):
    """The For teachers page: a class for the first lesson (Gradient descent) with ``table``
    pasted as the class's dataset; returns the page, the class code, the key and the
    learner links it shows."""
    at = open_page("teachers.py")
    at.text_input[0].set_value(title)
    at.text_area(key="class-data-paste").set_value(table)
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert not at.exception
    code = re.search(r"Class code: `([A-Z0-9]{6})`", "\n".join(m.value for m in at.markdown)).group(1)
    key = re.search(r"key=([A-Za-z0-9_-]+)", next(c.value for c in at.code if "key=" in c.value)).group(1)
    links = [c.value for c in at.code if "key=" not in c.value]
    return at, code, key, links


def learner_on(link: str) -> AppTest:
    """A learner following ``link`` (a Gradient descent learner link)."""
    from urllib.parse import parse_qsl, urlsplit
    parts = urlsplit(link)
    assert parts.path.endswith("/gradient-descent")
    return open_page("gradient_descent.py", **dict(parse_qsl(parts.query)))


def fitted_line(at) -> tuple[float, float]:
    """The least-squares line the page states for the learner's data."""
    text = next(m.value for m in at.markdown if m.value.startswith("**Your data**"))
    w, b = re.search(r"ŷ = ([-−\d.e+]+)·x \+ ([-−\d.e+]+)\*\*", text).groups()
    return float(w.replace("−", "-")), float(b.replace("−", "-"))


def test_a_teacher_attaches_a_pasted_table_and_the_learner_link_opens_gradient_descent_on_it():
    import numpy as np
    xs, ys = [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 4.1, 5.9, 8.2, 9.7]
    table = "hours,score\n" + "".join(f"{x:g},{y:g}\n" for x, y in zip(xs, ys))
    teacher, code, key, links = open_class_with_data(table)
    stored = ClassStore().class_dataset(code)
    assert stored is not None and stored.csv.splitlines()[0] == "hours,score"
    said = next(m.value for m in teacher.markdown if m.value.startswith("**The class's data**"))
    assert "5 rows" in said and "`hours`, `score`" in said and "the learner links carry it" in said
    assert teacher.get("download_button")
    # Small data travels in the link itself, as the page's own `data` setting.
    link = next(link for link in links if "/gradient-descent?" in link)
    assert "data=hours,score%3B1,2%3B" in link and key not in link
    learner = learner_on(link)
    assert not learner.exception
    assert key not in everything(learner)
    w, b = fitted_line(learner)
    w_ref, b_ref = np.polyfit(xs, ys, 1)                 # closed form, independent of the page
    assert w == pytest.approx(w_ref, rel=1e-5) and b == pytest.approx(b_ref, rel=1e-4)
    assert "5 points" in next(m.value for m in learner.markdown if m.value.startswith("**Your data**"))


def test_a_large_class_table_reaches_the_learner_from_the_class_store():
    """A table too large for a link: the learner link says "@" and its digest, and the
    learner's page fetches the table from the class; once the class is closed the same
    link says the data did not travel and shows the built-in data."""
    import numpy as np
    xs = [i / 7 for i in range(120)]
    ys = [3.25 * x - 1.5 + (0.37 if i % 3 == 0 else -0.21) for i, x in enumerate(xs)]
    table = "x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in zip(xs, ys))
    teacher, code, key, links = open_class_with_data(table)
    said = next(m.value for m in teacher.markdown if m.value.startswith("**The class's data**"))
    assert "120 rows" in said and "too large for a link" in said
    link = next(link for link in links if "/gradient-descent?" in link)
    assert re.search(r"data=%40[0-9a-f]{10}(&|$)", link) and key not in link
    learner = learner_on(link)
    assert not learner.exception
    text = next(m.value for m in learner.markdown if m.value.startswith("**Your data**"))
    assert "your class's data" in text and "120 points" in text
    w, b = fitted_line(learner)
    w_ref, b_ref = np.polyfit(xs, ys, 1)
    assert w == pytest.approx(w_ref, rel=1e-5) and b == pytest.approx(b_ref, rel=1e-4)
    ClassStore().close_class(code, key)
    late = learner_on(link)
    assert not late.exception
    assert not any(m.value.startswith("**Your data**") for m in late.markdown)
    assert any("too large to travel in a link" in w.value for w in late.warning)


def test_a_table_the_class_cannot_use_gets_a_message_and_opens_no_class():
    for bad, says in (("a,b\n" + "1," * 6000 + "\n", "Can't use the pasted table for the class"),
                      ("only one line of text", "Can't use the pasted table for the class")):
        at = open_page("teachers.py")
        at.text_area(key="class-data-paste").set_value(bad)
        next(b for b in at.button if "Open the class" in b.label).click().run()
        assert not at.exception
        assert any(says in e.value for e in at.error), [e.value for e in at.error]
        assert "class" not in at.query_params
        assert not any("Class code" in m.value for m in at.markdown)


def test_a_teacher_uploads_a_csv_file_for_the_class_and_a_too_large_one_is_refused():
    import io

    import pandas as pd

    from dlcore.tabular import MAX_BYTES, read_table
    raw = "heures;note\n1;2,5\n2;4,1\n3;6,0\n4;7,75\n".encode("latin-1")     # semicolons, decimal commas
    at = open_page("teachers.py")
    at.file_uploader(key="class-data-file").upload("notes.csv", raw, "text/csv")
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert not at.exception
    code = re.search(r"Class code: `([A-Z0-9]{6})`", "\n".join(m.value for m in at.markdown)).group(1)
    stored = ClassStore().class_dataset(code)
    ref = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="latin-1")
    back = read_table(stored.csv.encode()).frame
    assert list(back.columns) == list(ref.columns)
    assert back["note"].tolist() == ref["note"].tolist() and back["heures"].tolist() == ref["heures"].tolist()
    said = next(m.value for m in at.markdown if m.value.startswith("**The class's data**"))
    assert "notes" in said and "4 rows" in said
    link = next(c.value for c in at.code if "/gradient-descent?" in c.value)
    assert "data=heures,note%3B1,2.5%3B2,4.1" in link
    # One byte over the limit: a message, and no class.
    big = ("x,y\n" + "1,2\n" * (MAX_BYTES // 4)).encode()[: MAX_BYTES + 1]
    at = open_page("teachers.py")
    at.file_uploader(key="class-data-file").upload("big.csv", big, "text/csv")
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert not at.exception
    assert any("Can't use this file for the class" in e.value and "at most 2 MB" in e.value for e in at.error)
    assert "class" not in at.query_params


def test_a_class_table_for_the_shoppers_opens_the_learners_shoppers_tab_on_it():
    """The teacher's table is for the Shoppers tab (a yes/no column): too large for a link,
    the Neural network learner link opens the Shoppers tab, which fetches it from the class."""
    from tests.nn_page_helpers import texts
    body = "hours,tests,passed\n" + "".join(f"{h},{h % 7},{'yes' if h % 5 > 1 else 'no'}\n" for h in range(1, 61))
    at = open_page("teachers.py")
    at.multiselect[0].set_value([o for o in at.multiselect[0].options if "(neural-network)" in o][:1])
    at.radio(key="class-data-for").set_value("shop")
    at.text_area(key="class-data-paste").set_value(body)
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert not at.exception
    said = next(m.value for m in at.markdown if m.value.startswith("**The class's data**"))
    assert "60 rows" in said and "Shoppers tab" in said
    code = re.search(r"Class code: `([A-Z0-9]{6})`", "\n".join(m.value for m in at.markdown)).group(1)
    info = ClassStore().find_class(code)
    assert info.settings["data_for"] == "shop"
    # The class's learner link to its Neural network lesson, read from the dashboard.
    link = next(c.value for c in at.code if "/neural-network?" in c.value)
    assert re.search(r"tab=shop&c_src=own&c_data=%40[0-9a-f]{10}", link), link
    from urllib.parse import parse_qsl, urlsplit
    learner = open_page("neural_network.py", timeout=180, **dict(parse_qsl(urlsplit(link).query)))
    assert not learner.exception, [e.value for e in learner.exception]
    assert "Your data: 60 rows · 2 features → `passed`" in texts(learner, "header")
    # A table with no yes/no column is refused for the Shoppers, with a message.
    at = open_page("teachers.py")
    at.radio(key="class-data-for").set_value("shop")
    at.text_area(key="class-data-paste").set_value("a,b\n1,2\n2,3\n3,5\n")
    next(b for b in at.button if "Open the class" in b.label).click().run()
    assert any("nothing to predict" in e.value for e in at.error) and "class" not in at.query_params
