"""classroom.store against the real SQLite and a real PostgreSQL server (tests/pg.py):
classes, learners, answers stored once, teacher-only actions, expiry, CSV, many learners
at once from two processes, and a database that goes away mid-class."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from classroom.store import CODE_ALPHABET, ClassStore, StoreError, StoreUnavailable, _now
from tests.pg import postgres_server


@pytest.fixture(scope="module")
def pg():
    with postgres_server() as server:
        yield server


ROOT = Path(__file__).resolve().parents[1]

_db_count = iter(range(10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classroom.sqlite3'}"
    server = request.getfixturevalue("pg")
    return server.create_database(f"gdl_{next(_db_count)}")


@pytest.fixture
def store(url):
    return ClassStore(url)


def every_stored_text(store) -> str:
    """Every value in every table, as text: to check what the database holds."""
    out = []
    with store.engine.connect() as conn:
        for table in ("classes", "learners", "answers", "reveals"):
            out += [repr(tuple(r)) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    return "\n".join(out)


def test_a_class_has_a_readable_code_and_its_key_is_never_stored(store):
    info, key = store.open_class("Year 10 maths", ["gd-first-steps"], {"hide": ["lr"]}, days=30)
    assert len(info.code) == 6 and set(info.code) <= set(CODE_ALPHABET)
    assert info.lessons == ("gd-first-steps",) and info.settings == {"hide": ["lr"]}
    assert timedelta(days=29.9) < info.expires_at - _now() <= timedelta(days=30)
    assert len(key) >= 22                                  # 128 random bits, url-safe
    assert key not in every_stored_text(store)
    assert store.find_class(info.code.lower()) == info     # what a learner types
    assert store.find_class(f" {info.code[:3]}-{info.code[3:]} ") == info
    assert store.find_class("ZZZZZZ") is None


def test_learners_join_with_a_nickname_that_stays_plain_text(store):
    info, key = store.open_class("c", ["l"])
    hostile = "<script>alert(1)</script>\u202e**bold**" + "x" * 100
    joined = store.join(info.code, hostile)
    assert len(joined.nickname) <= 24 and "\u202e" not in joined.nickname
    assert joined.token not in every_stored_text(store)
    assert store.join(info.code, "").nickname == "anonymous"
    with pytest.raises(StoreError, match="no open class"):
        store.join("NOPE42", "x")


def test_an_answer_is_stored_once_however_often_it_is_sent(store):
    info, key = store.open_class("c", ["l"])
    ada, bob = store.join(info.code, "Ada"), store.join(info.code, "Bob")
    assert store.submit(info.code, ada.token, "l", "t1", "prediction", choice=1) is True
    assert store.submit(info.code, ada.token, "l", "t1", "prediction", choice=0) is False   # double click
    assert store.submit(info.code, bob.token, "l", "t1", "prediction", choice=0) is True
    assert store.submit(info.code, bob.token, "l", "t2", "prediction", number=1.85) is True
    assert store.submit(info.code, ada.token, "l", "t3", "done") is True
    joined, active, tasks = store.dashboard(info.code, key)
    assert (joined, active) == (2, 2)
    by_task = {t.task_id: t for t in tasks}
    assert sorted(by_task["t1"].predictions) == [(0, None), (1, None)]    # Ada's first answer counts
    assert by_task["t1"].finished == 2 and by_task["t2"].predictions == ((None, 1.85),)
    assert by_task["t3"].finished == 1 and by_task["t3"].predictions == ()


def test_every_teacher_action_needs_the_teacher_key(store):
    info, key = store.open_class("c", ["l"])
    other, other_key = store.open_class("other", ["l"])
    learner = store.join(info.code, "Ada")
    assert store.is_teacher(info.code, key)
    for wrong in ("", "x", key[:-1], learner.token, other_key, None):
        assert not store.is_teacher(info.code, wrong)
        for action in (lambda k: store.dashboard(info.code, k), lambda k: store.answers_csv(info.code, k),
                       lambda k: store.set_reveal(info.code, k, "l", "t", True),
                       lambda k: store.close_class(info.code, k)):
            with pytest.raises(StoreError, match="not this class's teacher link"):
                action(wrong)
    assert store.revealed(info.code) == frozenset() and store.find_class(info.code) is not None


def test_a_learner_token_takes_the_same_learner_back_and_nothing_else(store):
    """A new session (another replica after a failover) rejoins with the token: the same
    learner, counted once, whose earlier answer still counts as theirs."""
    info, key = store.open_class("c", ["l"])
    other, other_key = store.open_class("other", ["l"])
    ada = store.join(info.code, "Ada")
    store.submit(info.code, ada.token, "l", "t1", "prediction", choice=1)
    again = store.rejoin(ada.token)
    assert (again.code, again.nickname, again.token) == (info.code, "Ada", ada.token)
    assert store.submit(again.code, again.token, "l", "t1", "prediction", choice=0) is False  # still Ada's
    assert store.submit(again.code, again.token, "l", "t2", "done") is True
    joined, _, tasks = store.dashboard(info.code, key)
    assert joined == 1
    assert {t.task_id: t.predictions for t in tasks}["t1"] == ((1, None),)
    # Nothing but a learner's own token rejoins: not the teacher key, not a near miss, not junk.
    for wrong in (key, ada.token[:-1] + ("A" if ada.token[-1] != "A" else "B"), "", "x" * 22, "x" * 500):
        assert store.rejoin(wrong) is None
    # A closed class's seats are gone.
    bob = store.join(other.code, "Bob")
    assert store.rejoin(bob.token).code == other.code
    store.close_class(other.code, other_key)
    assert store.rejoin(bob.token) is None


def test_reveal_switches_are_seen_by_the_class(store):
    info, key = store.open_class("c", ["l"])
    store.set_reveal(info.code, key, "l", "t1", True)
    store.set_reveal(info.code, key, "l", "t1", True)
    assert store.revealed(info.code) == {("l", "t1")}
    store.set_reveal(info.code, key, "l", "t1", False)
    assert store.revealed(info.code) == frozenset()


def test_classes_expire_or_close_and_their_data_is_deleted(store):
    short, short_key = store.open_class("short", ["l"], days=1)
    closed, closed_key = store.open_class("closed", ["l"])
    kept, _ = store.open_class("kept", ["l"], days=30)
    learner = store.join(short.code, "Ada")
    store.submit(short.code, learner.token, "l", "t", "done")
    store.close_class(closed.code, closed_key)
    assert store.find_class(closed.code) is None
    with pytest.raises(StoreError):
        store.join(closed.code, "Bob")
    assert store.purge_expired(_now() + timedelta(days=2)) == 2
    assert store.find_class(kept.code) is not None
    text = every_stored_text(store)
    assert short.code not in text and closed.code not in text and "Ada" not in text
    with pytest.raises(StoreError):
        store.submit(short.code, learner.token, "l", "t", "hint")
    with pytest.raises(StoreError, match="1 to 365 days"):
        store.open_class("x", [], days=0)


def test_the_csv_has_every_answer_and_no_spreadsheet_formula(store):
    info, key = store.open_class("c", ["l"])
    evil = store.join(info.code, '=HYPERLINK("http://x","y"),"')
    store.submit(info.code, evil.token, "l", "t", "prediction", number=2.5)
    rows = list(csv.reader(io.StringIO(store.answers_csv(info.code, key))))
    assert rows[0] == ["learner", "nickname", "lesson", "task", "kind", "choice", "number", "time_utc"]
    assert len(rows) == 2 and rows[1][1].startswith("'=") and rows[1][2:7] == ["l", "t", "prediction", "", "2.5"]


def run_together(*commands: list[str]) -> list[list[str]]:
    """Start each worker command (tests/classroom_worker.py) at once; each one's error list."""
    procs = [subprocess.Popen([sys.executable, "-m", "tests.classroom_worker", *cmd], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for cmd in commands]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_thirty_learners_at_once_through_two_processes_are_each_counted_once(store, url):
    info, key = store.open_class("c", ["l"])
    names = [f"learner{i:02d}" for i in range(30)]
    errors = run_together(*(["submit", url, info.code, *half]
                            for half in (names[:15], names[15:])))
    assert errors == [[], []]
    joined, active, tasks = store.dashboard(info.code, key)
    assert joined == 30 and active == 30
    assert sorted(t.task_id for t in tasks) == ["t1", "t2", "t3"]
    assert all(len(t.predictions) == 30 and t.finished == 30 for t in tasks)
    assert len(store.answers_csv(info.code, key).splitlines()) == 1 + 90


def test_a_database_restart_mid_class_loses_nothing(pg):
    url = pg.create_database("gdl_restart")
    store = ClassStore(url)
    info, key = store.open_class("c", ["l"])
    ada = store.join(info.code, "Ada")
    store.submit(info.code, ada.token, "l", "t1", "prediction", choice=1)
    pg.stop("fast")
    try:
        with pytest.raises(StoreUnavailable):
            store.submit(info.code, ada.token, "l", "t2", "prediction", choice=0)
        with pytest.raises(StoreUnavailable):
            store.find_class(info.code)
    finally:
        pg.start()
    assert store.submit(info.code, ada.token, "l", "t2", "prediction", choice=0) is True   # kept by the caller, sent again
    _, _, tasks = store.dashboard(info.code, key)
    assert sorted((t.task_id, t.predictions) for t in tasks) == [("t1", ((1, None),)), ("t2", ((0, None),))]


def test_an_unreachable_database_is_reported_as_unavailable():
    with pytest.raises(StoreUnavailable):
        ClassStore("postgresql+psycopg://postgres@127.0.0.1:1/none")


def test_two_processes_starting_at_once_migrate_once(url):
    assert run_together(["open", url], ["open", url]) == [[], []]
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == ["0002"]    # the newest migration


def test_a_learners_answers_wait_in_the_session_while_the_database_is_away(pg, monkeypatch):
    """Through a page (tests/apps/lesson_page.py, AppTest): a learner in a class answers while
    PostgreSQL is stopped — the lesson goes on, a quiet notice says the answer waits, and it
    is stored once the database is back."""

    from streamlit.testing.v1 import AppTest
    url = pg.create_database("gdl_away")
    monkeypatch.setenv("GDL_DATABASE_URL", url)
    store = ClassStore(url)
    info, key = store.open_class("c", ["lesson-test"])
    page = str(Path(__file__).parent / "apps" / "lesson_page.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.query_params.update({"class": info.code, "lesson": "lesson-test"})
    at.run()
    at.text_input(key="class-join-nickname").set_value("Ada")
    next(b for b in at.button if b.label == "Join").click().run()
    assert store.dashboard(info.code, key)[0] == 1
    pg.stop("fast")
    try:
        at.radio[0].set_value("No, still further away")
        next(b for b in at.button if "Submit" in b.label).click().run()
        assert not at.exception
        assert any("Right!" in s.value for s in at.success)          # the lesson went on alone
        assert any("will be sent to your class" in c.value for c in at.caption)
    finally:
        pg.start()
    at.slider[0].set_value(0.2).run()                                # any next interaction
    assert not any("will be sent to your class" in c.value for c in at.caption)
    _, _, tasks = store.dashboard(info.code, key)
    first = next(t for t in tasks if t.task_id == "where-is-w")
    assert first.predictions == ((1, None),)


# --- a teacher's dataset for a class (issue 17) -------------------------------------------
def table_of_size(n: int) -> str:
    """A readable CSV table (x, y and a text column) of exactly n bytes."""
    head = "x,y,note\n"
    rows, size, i = [], len(head), 0
    while size + 500 < n:                     # rows of about 200 bytes: under MAX_ROWS rows
        row = f"{i},{i * 3 + 1},{'n' * 190}\n"
        rows.append(row)
        size, i = size + len(row), i + 1
    rows.append(f"{i},{i * 3 + 1},{'n' * (n - size - len(f'{i},{i * 3 + 1},') - 1)}\n")
    text = head + "".join(rows)
    assert len(text.encode()) == n
    return text


def test_a_class_keeps_its_dataset_and_learners_read_it_back(store):
    from dlcore.tabular import MAX_BYTES, read_table
    text = "hours,score\n10,480\n20,520\n30,710\n40,680\n"
    info, key = store.open_class("c", ["gradient-descent"], {"data": "hours,score;10,480"}, dataset=text,
                                 dataset_name="the\u202e pasted\n table")
    shared = store.class_dataset(info.code.lower())
    assert shared.csv == text and shared.name == "the pasted table"
    assert list(read_table(shared.csv.encode()).frame["score"]) == [480, 520, 710, 680]
    assert info.settings["data"] == "hours,score;10,480"
    other, _ = store.open_class("c2", ["l"])
    assert store.class_dataset(other.code) is None
    assert store.class_dataset("ZZZZZZ") is None
    # The largest table allowed is stored whole (and read back exactly, on PostgreSQL too).
    big = table_of_size(MAX_BYTES)
    large, _ = store.open_class("c3", ["l"], dataset=big)
    assert store.class_dataset(large.code).csv == big
    # A closed class's dataset is gone for learners, and deleted with the class.
    store.close_class(info.code, key)
    assert store.class_dataset(info.code) is None
    store.purge_expired()
    with store.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT class_id FROM class_datasets")).all()
    assert len(kept) == 1                                  # only the big one's class is still open


def test_a_dataset_too_large_or_unreadable_is_refused_and_no_class_is_opened(store):
    from dlcore.tabular import MAX_BYTES
    with pytest.raises(StoreError, match="at most 2 MB"):
        store.open_class("c", ["l"], dataset=table_of_size(MAX_BYTES + 1))
    with pytest.raises(StoreError, match="cannot be used"):
        store.open_class("c", ["l"], dataset="\x00\x01\x02 not a table")
    with pytest.raises(StoreError, match="cannot be used"):
        store.open_class("c", ["l"], dataset="a,b\n" + "1," * 6000 + "\n")      # one enormous line
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM classes")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM class_datasets")).scalar_one() == 0


def test_a_database_made_by_migration_0001_is_upgraded_and_keeps_its_classes(url):
    """A class store from before datasets existed (schema 0001, with a class, a learner and
    an answer in it): opening it migrates to the newest revision and everything is kept."""
    from alembic import command
    from alembic.config import Config
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "classroom" / "migrations"))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
        tables = set(sa.inspect(conn).get_table_names())
        assert "classes" in tables and "class_datasets" not in tables
        now = _now()
        conn.execute(sa.text("INSERT INTO classes (code, teacher_key_hash, title, lessons, settings, created_at, "
                             "expires_at) VALUES ('OLD234', :h, 'Old class', :l, :s, :c, :e)"),
                     dict(h="0" * 64, l=json.dumps(["gradient-descent"]), s=json.dumps({"hide": ["lr"]}), c=now,
                          e=now + timedelta(days=3)))
        conn.commit()
    engine.dispose()
    store = ClassStore(url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
        assert "class_datasets" in sa.inspect(conn).get_table_names()
    old = store.find_class("OLD234")
    assert old.title == "Old class" and old.settings == {"hide": ["lr"]} and old.lessons == ("gradient-descent",)
    assert store.class_dataset("OLD234") is None
    assert store.join("OLD234", "Ada").nickname == "Ada"
    new, _ = store.open_class("new", ["l"], dataset="a,b\n1,2\n3,4\n")
    assert store.class_dataset(new.code).csv == "a,b\n1,2\n3,4\n"
