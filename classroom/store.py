"""The class store: the one module that reads and writes classroom data.

One setting picks the database, ``GDL_DATABASE_URL``:

* unset (the default): a SQLite file in the app's data folder (``GDL_DATA_DIR``, else
  ``data/`` beside the app), created on first use, in WAL mode so readers and the writer
  do not block each other — ``streamlit run app.py`` needs no set-up;
* ``postgresql+psycopg://user:password@host/db``: for several app processes or machines
  sharing one class (replicas behind a proxy).

The schema is created and migrated when a store opens (Alembic, ``classroom/migrations``).

Secrets: a teacher key and a learner token are 128 random bits from :mod:`secrets`,
returned once and stored only as SHA-256 hashes; a teacher key is checked in constant
time. Every teacher action takes the key, so a learner's link (which never holds it)
cannot reach one. Answers are stored once per learner, task and kind, so a double click
or a resubmission after a reconnect counts once.

A class may carry a teacher's dataset (a CSV, at most ``dlcore.tabular.MAX_BYTES``, read
and checked by ``dlcore.tabular.read_table`` before it is stored, kept as its CSV text
in its own table so the class row every page reads stays small): a learner page whose
link names it (``data=@<digest>``, too large for a link) reads it with
:meth:`ClassStore.class_dataset`. Small data travels in the class's settings instead, as
the page's own ``data`` link value. A learner token in a page's address
(``?seat=``) makes a new session the same learner again (:meth:`ClassStore.rejoin`):
after a replica fails over, the learner is not counted twice.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import io
import os
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from classroom.tables import METADATA, answers, classes, learners, reveals
from dlcore.tabular import MAX_BYTES, DataError, read_table

__all__ = ["ClassStore", "ClassInfo", "Joined", "TaskSummary", "StoreError", "StoreUnavailable",
           "database_url", "CODE_ALPHABET", "DEFAULT_DAYS", "ClassDataset", "datasets"]

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6
DEFAULT_DAYS = 30
MAX_DAYS = 365
MAX_LEARNERS = 300            # per class
MAX_ANSWERS = 400             # per learner
NICKNAME_MAX = 24
ACTIVE_WITHIN = timedelta(minutes=5)
# prediction: a learner's answer before the reveal; truth: what their page then computed
# for the task (the dashboard shows it beside the class's predictions); done / skipped /
# hint: progress.
KINDS = ("prediction", "truth", "done", "skipped", "hint")
ROOT = Path(__file__).resolve().parents[1]
DATASET_NAME_MAX = 80

# A teacher's dataset for a class (migration 0002). Its own table, not a column of
# ``classes``: every page run of every learner reads the class row, and a 2 MB CSV
# there would travel with each read.
datasets = sa.Table(
    "class_datasets", METADATA,
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(DATASET_NAME_MAX), nullable=False),
    sa.Column("csv", sa.Text, nullable=False),
)


class StoreError(ValueError):
    """A request the store refuses; the message is plain and safe to show."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached right now (the caller keeps answers and retries)."""


@dataclass(frozen=True)
class ClassInfo:
    code: str
    title: str
    lessons: tuple[str, ...]
    settings: dict
    lesson_file: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ClassDataset:
    name: str               # where it came from, for the page (a file name, "the pasted table")
    csv: str                # the CSV text, as the teacher's table was read


@dataclass(frozen=True)
class Joined:
    code: str
    nickname: str
    token: str              # the learner's secret: in their session and page address (?seat=), hashed in the store


@dataclass(frozen=True)
class TaskSummary:
    lesson_id: str
    task_id: str
    predictions: tuple[tuple[int | None, float | None], ...]   # (choice, number) per learner
    finished: int           # learners who answered or met the goal
    revealed: bool
    truths: tuple[tuple[int | None, float | None], ...] = ()   # what the learners' runs computed
    hints: int = 0          # learners who opened a hint


def database_url() -> str:
    """``GDL_DATABASE_URL``, else the embedded SQLite file (its folder is created)."""
    url = os.environ.get("GDL_DATABASE_URL", "").strip()
    if url:
        return url
    folder = Path(os.environ.get("GDL_DATA_DIR") or ROOT / "data")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'classroom.sqlite3'}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(dt: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _clean_nickname(text: str) -> str:
    """Printable characters only, whitespace collapsed, at most NICKNAME_MAX; shown
    only as plain text."""
    name = " ".join("".join(ch for ch in str(text) if ch.isprintable()).split())[:NICKNAME_MAX]
    return name or "anonymous"


def normalise_code(text: str) -> str:
    """What a learner typed, as a code: letters and digits only, upper case."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())[:CODE_LENGTH * 2]


class ClassStore:
    """Classes, learners and answers in one database (see the module docstring)."""

    _migrate_lock = threading.Lock()

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = sa.create_engine(self.url, pool_pre_ping=True, future=True,
                                       **({"connect_args": {"timeout": 15}} if self.dialect == "sqlite" else
                                          {"connect_args": {"connect_timeout": 5}}))
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            # Every transaction takes SQLite's write lock up front (BEGIN IMMEDIATE): a deferred
            # one that reads, then writes, fails at once with "database is locked" when another
            # process wrote in between, busy_timeout or not; an immediate one waits its turn.
            sa.event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        self.migrate()

    @property
    def dialect(self) -> str:
        return sa.engine.make_url(self.url).get_backend_name()

    # --- schema -----------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest migration. Several processes may start at once:
        one migrates while the others wait (an advisory lock on PostgreSQL, a file lock
        beside a SQLite file), then they find the schema at head."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self._migrate_lock, self._sqlite_file_lock():
            try:
                with self._connect() as conn:
                    if self.dialect == "postgresql":
                        # Several app processes may start at once: one migrates, the others wait.
                        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7210417)"))
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    conn.commit()
            except (OperationalError, DBAPIError) as err:
                if isinstance(err, IntegrityError):
                    raise
                raise StoreUnavailable("The class database cannot be reached.") from err

    @contextmanager
    def _sqlite_file_lock(self):
        """SQLite has no advisory lock: processes that open one file at once take turns
        through an flock on a file beside it, so only one creates the tables."""
        if self.dialect != "sqlite" or not sa.engine.make_url(self.url).database:
            yield
            return
        path = Path(sa.engine.make_url(self.url).database).with_suffix(".migrate-lock")
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _connect(self):
        try:
            return self.engine.connect()
        except (OperationalError, DBAPIError) as err:
            raise StoreUnavailable("The class database cannot be reached.") from err

    def _tx(self):
        try:
            return self.engine.begin()
        except (OperationalError, DBAPIError) as err:
            raise StoreUnavailable("The class database cannot be reached.") from err

    def _insert(self, table):
        return (postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table))

    # --- a teacher's class ------------------------------------------------------------
    def open_class(self, title: str, lessons, settings: dict | None = None, *, days: int = DEFAULT_DAYS,
                   lesson_file: str | None = None, dataset: str | None = None,
                   dataset_name: str = "") -> tuple[ClassInfo, str]:
        """A new class; returns it and the teacher key (shown once, stored as a hash).
        ``dataset``: a CSV text for the class's pages (checked here: at most MAX_BYTES
        and readable by read_table, else StoreError with a message for the teacher)."""
        if not 1 <= int(days) <= MAX_DAYS:
            raise StoreError(f"A class lasts from 1 to {MAX_DAYS} days.")
        if dataset is not None:
            _check_dataset(dataset)
        title = _clean_nickname(title)[:80] if title else "Class"
        key = secrets.token_urlsafe(16)
        now = _now()
        row = dict(teacher_key_hash=_hash(key), title=title, lessons=list(lessons), settings=dict(settings or {}),
                   lesson_file=lesson_file, created_at=now, expires_at=now + timedelta(days=int(days)))
        for _ in range(8):                       # a clash of random codes is rare; try another
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._guard(), self._tx() as conn:
                    new = conn.execute(classes.insert().values(code=code, **row).returning(classes.c.id)).scalar_one()
                    if dataset is not None:
                        name = " ".join("".join(c for c in str(dataset_name) if c.isprintable()).split())[:DATASET_NAME_MAX]
                        conn.execute(datasets.insert().values(class_id=new, name=name or "the class's data", csv=dataset))
                return self.find_class(code), key
            except IntegrityError:
                continue
        raise StoreError("Could not make a class code; try again.")

    def find_class(self, code: str) -> ClassInfo | None:
        """The open class with this code, or None (unknown, closed or expired)."""
        row = self._class_row(normalise_code(code))
        if row is None:
            return None
        return ClassInfo(row.code, row.title, tuple(row.lessons), dict(row.settings), row.lesson_file,
                         _aware(row.expires_at))

    def _class_row(self, code: str):
        with self._guard(), self._connect() as conn:
            row = conn.execute(sa.select(classes).where(classes.c.code == code)).first()
        if row is None or row.closed_at is not None or _aware(row.expires_at) <= _now():
            return None
        return row

    def class_dataset(self, code: str) -> ClassDataset | None:
        """The dataset the teacher attached to this open class, or None. Anyone with the
        class code may read it: it is what the class's learner links show."""
        row = self._class_row(normalise_code(code))
        if row is None:
            return None
        with self._guard(), self._connect() as conn:
            data = conn.execute(sa.select(datasets.c.name, datasets.c.csv).where(datasets.c.class_id == row.id)).first()
        return None if data is None else ClassDataset(data.name, data.csv)

    def is_teacher(self, code: str, key: str) -> bool:
        """Whether ``key`` is this class's teacher key (constant-time comparison)."""
        row = self._class_row(normalise_code(code))
        if row is None or not isinstance(key, str) or not key:
            return False
        return hmac.compare_digest(row.teacher_key_hash, _hash(key))

    def _teacher_row(self, code: str, key: str):
        if not self.is_teacher(code, key):
            raise StoreError("That is not this class's teacher link.")
        return self._class_row(normalise_code(code))

    def close_class(self, code: str, key: str) -> None:
        row = self._teacher_row(code, key)
        with self._guard(), self._tx() as conn:
            conn.execute(classes.update().where(classes.c.id == row.id).values(closed_at=_now()))

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete every class that has expired or was closed, with all its data."""
        now = now or _now()
        cond = sa.or_(classes.c.expires_at <= now, classes.c.closed_at.is_not(None))
        with self._guard(), self._tx() as conn:
            ids = [r.id for r in conn.execute(sa.select(classes.c.id).where(cond))]
            if ids:
                for table in (answers, reveals, learners, datasets):   # explicit: SQLite may lack FK cascades
                    conn.execute(table.delete().where(table.c.class_id.in_(ids)))
                conn.execute(classes.delete().where(classes.c.id.in_(ids)))
        return len(ids)

    # --- learners ---------------------------------------------------------------------
    def join(self, code: str, nickname: str = "") -> Joined:
        row = self._class_row(normalise_code(code))
        if row is None:
            raise StoreError("There is no open class with that code. Check it with your teacher.")
        token, now = secrets.token_urlsafe(16), _now()
        with self._guard(), self._tx() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(learners)
                                 .where(learners.c.class_id == row.id)).scalar_one()
            if count >= MAX_LEARNERS:
                raise StoreError(f"This class is full ({MAX_LEARNERS} learners).")
            conn.execute(learners.insert().values(class_id=row.id, token_hash=_hash(token),
                                                  nickname=_clean_nickname(nickname), joined_at=now, last_seen=now))
        return Joined(row.code, _clean_nickname(nickname), token)

    def rejoin(self, token: str) -> Joined | None:
        """The membership a learner token stands for, or None (unknown token, or its class
        closed or expired). A learner whose session is gone — a replica failed over, the
        server restarted — is the same learner again, not a second one: the page keeps the
        token in its address (``?seat=``) and calls this on a new session."""
        token = str(token)
        if not 16 <= len(token) <= 64:
            return None
        now = _now()
        with self._guard(), self._tx() as conn:
            row = conn.execute(sa.select(learners.c.id, learners.c.nickname, classes.c.code,
                                         classes.c.closed_at, classes.c.expires_at)
                               .join(classes, classes.c.id == learners.c.class_id)
                               .where(learners.c.token_hash == _hash(token))).first()
            if row is None or row.closed_at is not None or _aware(row.expires_at) <= now:
                return None
            conn.execute(learners.update().where(learners.c.id == row.id).values(last_seen=now))
        return Joined(row.code, row.nickname, token)

    def _learner(self, conn, code: str, token: str):
        row = conn.execute(sa.select(learners.c.id, learners.c.class_id, classes.c.closed_at, classes.c.expires_at)
                           .join(classes, classes.c.id == learners.c.class_id)
                           .where(learners.c.token_hash == _hash(str(token)),
                                  classes.c.code == normalise_code(code))).first()
        if row is None or row.closed_at is not None or _aware(row.expires_at) <= _now():
            raise StoreError("You are not in an open class with that code.")
        return row

    def submit(self, code: str, token: str, lesson_id: str, task_id: str, kind: str,
               choice: int | None = None, number: float | None = None) -> bool:
        """Record one answer; True if it is new, False if it was already stored (the
        first answer of each kind counts: a prediction is not changed after the fact)."""
        if kind not in KINDS:
            raise StoreError(f"Unknown kind of answer {kind!r}.")
        lesson_id, task_id = str(lesson_id)[:40], str(task_id)[:40]
        with self._guard(), self._tx() as conn:
            who = self._learner(conn, code, token)
            mine = conn.execute(sa.select(sa.func.count()).select_from(answers)
                                .where(answers.c.learner_id == who.id)).scalar_one()
            if mine >= MAX_ANSWERS:
                raise StoreError(f"At most {MAX_ANSWERS} answers per learner in one class.")
            stmt = self._insert(answers).values(
                class_id=who.class_id, learner_id=who.id, lesson_id=lesson_id, task_id=task_id, kind=kind,
                choice=None if choice is None else int(choice), number=None if number is None else float(number),
                created_at=_now()).on_conflict_do_nothing(index_elements=["learner_id", "lesson_id", "task_id", "kind"])
            new = conn.execute(stmt.returning(answers.c.id)).first() is not None
            conn.execute(learners.update().where(learners.c.id == who.id).values(last_seen=_now()))
        return new

    def revealed(self, code: str) -> frozenset[tuple[str, str]]:
        """(lesson, task) pairs the teacher has revealed to the class."""
        row = self._class_row(normalise_code(code))
        if row is None:
            return frozenset()
        with self._guard(), self._connect() as conn:
            return frozenset((r.lesson_id, r.task_id) for r in
                             conn.execute(sa.select(reveals).where(reveals.c.class_id == row.id)))

    # --- the teacher's dashboard ------------------------------------------------------
    def set_reveal(self, code: str, key: str, lesson_id: str, task_id: str, on: bool) -> None:
        row = self._teacher_row(code, key)
        with self._guard(), self._tx() as conn:
            conn.execute(reveals.delete().where(reveals.c.class_id == row.id, reveals.c.lesson_id == lesson_id,
                                                reveals.c.task_id == task_id))
            if on:
                conn.execute(reveals.insert().values(class_id=row.id, lesson_id=lesson_id, task_id=task_id))

    def dashboard(self, code: str, key: str) -> tuple[int, int, tuple[TaskSummary, ...]]:
        """(learners joined, learners active in the last 5 minutes, one summary per task
        that has answers or is revealed)."""
        row = self._teacher_row(code, key)
        with self._guard(), self._connect() as conn:
            people = conn.execute(sa.select(learners.c.last_seen).where(learners.c.class_id == row.id)).all()
            rows = conn.execute(sa.select(answers).where(answers.c.class_id == row.id)
                                .order_by(answers.c.id)).all()
            shown = {(r.lesson_id, r.task_id) for r in
                     conn.execute(sa.select(reveals).where(reveals.c.class_id == row.id))}
        active = sum(_aware(p.last_seen) >= _now() - ACTIVE_WITHIN for p in people)
        def empty():
            return {"prediction": [], "truth": [], "fin": set(), "hint": 0}
        tasks: dict[tuple[str, str], dict] = {k: empty() for k in shown}
        for r in rows:
            t = tasks.setdefault((r.lesson_id, r.task_id), empty())
            if r.kind in ("prediction", "truth"):
                t[r.kind].append((r.choice, r.number))
            if r.kind in ("prediction", "done"):
                t["fin"].add(r.learner_id)
            t["hint"] += r.kind == "hint"
        summaries = tuple(TaskSummary(lesson, task, tuple(v["prediction"]), len(v["fin"]), (lesson, task) in shown,
                                      tuple(v["truth"]), v["hint"])
                          for (lesson, task), v in tasks.items())
        return len(people), active, summaries

    def answers_csv(self, code: str, key: str) -> str:
        """Every answer in the class as CSV (nickname, lesson, task, kind, choice, number,
        time). Nicknames are learners' own words: the CSV quotes them, and a leading
        = + - @ is prefixed with ' so a spreadsheet never reads one as a formula."""
        row = self._teacher_row(code, key)
        with self._guard(), self._connect() as conn:
            rows = conn.execute(sa.select(learners.c.nickname, answers).join(learners, learners.c.id == answers.c.learner_id)
                                .where(answers.c.class_id == row.id).order_by(answers.c.id)).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["learner", "nickname", "lesson", "task", "kind", "choice", "number", "time_utc"])
        for r in rows:
            writer.writerow([r.learner_id, _spreadsheet_safe(r.nickname), r.lesson_id, r.task_id, r.kind,
                             "" if r.choice is None else r.choice, "" if r.number is None else repr(r.number),
                             _aware(r.created_at).isoformat(timespec="seconds")])
        return out.getvalue()

    # --- faults -----------------------------------------------------------------------
    def _guard(self):
        return _Unavailable()


class _Unavailable:
    """Turns a lost database connection into StoreUnavailable (other errors pass)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if err is not None and isinstance(err, (OperationalError, DBAPIError)) and not isinstance(err, IntegrityError):
            raise StoreUnavailable("The class database cannot be reached.") from err
        return False


def _check_dataset(text: str) -> None:
    """A class's dataset must fit the own-data limits and read as a table."""
    if not isinstance(text, str):
        raise StoreError("A class's dataset is CSV text.")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise StoreError(f"A class's dataset is at most {MAX_BYTES / 1e6:.0f} MB; this one is {size / 1e6:.1f} MB.")
    try:
        read_table(text.encode("utf-8"))
    except DataError as err:
        raise StoreError(f"The class's dataset cannot be used: {err}") from None


def _spreadsheet_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None            # SQLAlchemy's "begin" event issues BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")       # readers do not block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")     # wait for another process's write
    cur.close()
