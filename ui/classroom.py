"""The classroom in a learner's session: joining a class, sending answers, seeing reveals.

A learner joins with a link (``?class=CODE`` on any page) or by typing the code on the
Home page, with an optional nickname. Their lesson predictions, completions and hints go
to the class store; if the database is away, the lesson keeps working alone, the answers
wait in the session (a quiet notice says so) and are sent when it is back.

A learner's seat survives the loss of their session: every page run writes the learner
token to the address (``?seat=TOKEN``), and a new session — the browser reconnected to
another replica after one failed, or the server restarted — takes the learner back into
their class from it (validated by the store: an unknown, closed or expired seat is
dropped from the address and nothing else happens). So a failover does not make a second
learner on the teacher's dashboard. The seat is the learner's own token, never the
teacher key; the For teachers page neither reads nor writes it.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from classroom.store import ClassStore, StoreError, StoreUnavailable, database_url, normalise_code  # noqa: F401
from ui import safety

_MEMBER = "_gdl_class"          # session: the class this learner joined
_QUEUE = "_gdl_class_queue"     # session: answers not yet stored
_SENT = "_gdl_class_sent"       # session: (lesson, task, kind) already queued: sent once
SEAT = "seat"                   # URL: the learner token, so a new session is the same learner
MAX_QUEUE = 200


normalise = normalise_code


@dataclass(frozen=True)
class Membership:
    code: str
    nickname: str
    token: str


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> ClassStore:
    db = ClassStore(url)
    db.purge_expired()      # classes past their days (or closed) go, with every answer in them
    return db


def store() -> ClassStore | None:
    """The process's class store, or None while the database cannot be reached (a
    failed attempt is not cached, so the next run tries again)."""
    try:
        return _open_store(database_url())
    except StoreUnavailable:
        return None


def membership() -> Membership | None:
    return st.session_state.get(_MEMBER)


def join(code: str, nickname: str) -> str | None:
    """Join a class; None on success, else a plain message for the learner."""
    db = store()
    if db is None:
        return "The class list cannot be reached right now; the lab works without a class. Try again in a minute."
    try:
        joined = db.join(code, nickname)
    except StoreError as err:
        return str(err)
    except StoreUnavailable:
        return "The class list cannot be reached right now; the lab works without a class. Try again in a minute."
    st.session_state[_MEMBER] = Membership(joined.code, joined.nickname, joined.token)
    st.session_state.pop(_SENT, None)
    keep_seat()
    return None


def leave() -> None:
    for key in (_MEMBER, _QUEUE, _SENT):
        st.session_state.pop(key, None)
    if SEAT in st.query_params:
        del st.query_params[SEAT]


def keep_seat() -> None:
    """The member's token in the address, so that a new session can take them back."""
    me = membership()
    if me is not None and st.query_params.get(SEAT) != me.token:
        st.query_params[SEAT] = me.token


def restore() -> None:
    """A new session whose address holds a seat (``?seat=``): the same learner again, in
    their class. A seat the store does not know (or whose class ended) leaves the address."""
    seat = st.query_params.get(SEAT)
    if not seat or membership() is not None:
        return
    db = store()
    if db is None:
        return                       # the database is away: try again on the next run
    try:
        joined = db.rejoin(seat)
    except StoreUnavailable:
        return
    if joined is None:
        del st.query_params[SEAT]
        return
    st.session_state[_MEMBER] = Membership(joined.code, joined.nickname, joined.token)


def join_box(key: str = "home") -> None:
    """"Join a class" on the Home page: the code the teacher projects, and a nickname."""
    me = membership()
    if me:
        cols = st.columns([3, 1], vertical_alignment="center")
        with cols[0]:
            st.success(f"You are in class **{me.code}**. Your lesson answers go to your teacher.", icon="🏫")
            st.text(f"Nickname: {me.nickname}")     # the learner's own words: plain text, never markdown
        cols[1].button("Leave the class", key=f"class-leave-{key}", on_click=safety.callback(leave))
        return
    with st.form(f"class-join-{key}", border=True):
        st.markdown("**Join a class** — type the code your teacher shows.")
        cols = st.columns(2)
        code = cols[0].text_input("Class code", max_chars=12, placeholder="e.g. K7P3QX")
        nickname = cols[1].text_input("Nickname (optional)", max_chars=24,
                                      help="Only your teacher sees it. No other personal data is asked for.")
        sent = st.form_submit_button("Join", icon=":material/login:")
    if sent:
        problem = join(normalise_code(code), nickname)
        if problem:
            st.warning(problem, icon="🏫")
        else:
            st.rerun()


def link_join() -> None:
    """A learner who opened a class link (``?class=CODE``) and has not joined yet is
    offered to join (with a nickname) at the top of the page; the page works either way."""
    code = normalise_code(st.query_params.get("class", ""))
    me = membership()
    if not code or (me and me.code == code):
        return
    db = store()
    info = db.find_class(code) if db else None
    if info is None:
        st.info("That class code is unknown or the class has ended; the page works without a class.", icon="🏫")
        return
    with st.form("class-join-link", border=True):
        st.markdown("**Join your class** to share your predictions with your teacher.")
        nickname = st.text_input("Nickname (optional)", max_chars=24, key="class-join-nickname")
        if st.form_submit_button("Join", icon=":material/login:"):
            problem = join(code, nickname)
            if problem:
                st.warning(problem, icon="🏫")
            else:
                st.rerun()


def record(lesson_id: str, task_id: str, kind: str, choice: int | None = None, number: float | None = None) -> None:
    """Queue one answer for the class (if the learner is in one) and try to send it."""
    if membership() is None:
        return
    sent = st.session_state.setdefault(_SENT, set())
    if (lesson_id, task_id, kind) in sent:
        return
    sent.add((lesson_id, task_id, kind))
    queue = st.session_state.setdefault(_QUEUE, [])
    if len(queue) < MAX_QUEUE:
        queue.append((lesson_id, task_id, kind, choice, number))
    flush()


def flush() -> bool:
    """Send what is waiting; True when nothing is left. Answers that the store refuses
    (class closed, limits) are dropped with a note; unreachable ones wait."""
    me, queue = membership(), st.session_state.get(_QUEUE, [])
    if me is None or not queue:
        return True
    db = store()
    if db is None:
        return False
    while queue:
        lesson_id, task_id, kind, choice, number = queue[0]
        try:
            db.submit(me.code, me.token, lesson_id, task_id, kind, choice=choice, number=number)
        except StoreUnavailable:
            return False
        except StoreError:
            pass                     # not stored, and never will be: do not retry forever
        queue.pop(0)
    return True


def before_page() -> None:
    """What every page does for the classroom before it runs: take a learner back into
    their class from the seat in the address, offer to join a class link, keep the seat in
    the address, send answers that waited, and say if some still wait. Never breaks the page."""
    try:
        restore()
        link_join()
        keep_seat()
        flush()
        pending_notice()
    except Exception:   # the class is an extra: the page must work without it
        import logging
        logging.getLogger("gradient_descent_lab").exception("classroom: before_page failed")


def pending_notice() -> None:
    """A quiet line when answers are waiting for the database."""
    if st.session_state.get(_QUEUE):
        st.caption(f"🏫 {len(st.session_state[_QUEUE])} answer(s) will be sent to your class when its "
                   "list can be reached again; your lesson works as usual.")


@st.cache_data(show_spinner=False, max_entries=16)
def _read_csv(text: str):
    from dlcore.tabular import read_table
    return read_table(text.encode("utf-8"))


def class_table():
    """The table the teacher attached to the class in the page's ``?class=`` link (else
    the class this learner joined), read by read_table; None when there is none or the
    store cannot be reached. Never raises: a page works without it."""
    me = membership()
    code = normalise_code(st.query_params.get("class", "")) or (me.code if me else "")
    db = store() if code else None
    if db is None:
        return None
    try:
        shared = db.class_dataset(code)
        return None if shared is None else _read_csv(shared.csv)
    except Exception:   # noqa: BLE001 — the class is an extra: the page shows its built-in data
        return None


def revealed() -> frozenset[tuple[str, str]]:
    """(lesson, task) pairs the teacher has revealed to this learner's class."""
    me, db = membership(), store()
    if me is None or db is None:
        return frozenset()
    try:
        return db.revealed(me.code)
    except StoreUnavailable:
        return frozenset()
