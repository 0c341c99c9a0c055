"""The classroom safety net around every page run.

A page that fails must never show a visitor a stack trace, a server path or a source
line: Streamlit's exception element (``st.exception``) ignores ``client.showErrorDetails`` (Streamlit's docstring says
so), so the net does not use it. The visitor gets a plain message with a short error id
to tell the teacher; the server log gets the full traceback under the same id, so the
two can be matched up. Exceptions that escape elsewhere (widget callbacks, fragment
reruns) are drawn by Streamlit's own handler, which *does* apply
``showErrorDetails = "none"`` (.streamlit/config.toml): a generic box, no details.
"""
from __future__ import annotations

import functools
import logging
import secrets

import streamlit as st

LOG = logging.getLogger("gradient_descent_lab")


def new_error_id() -> str:
    """Six hex digits: short enough to read out in class, random enough not to repeat
    within a day of logs (16.7 million values)."""
    return secrets.token_hex(3).upper()


def visitor_message(error_id: str) -> str:
    """What a visitor reads when a page fails: what to do, and the id to pass on.
    Contains no detail of the exception (its text could quote server paths or data)."""
    return ("**Sorry — this page hit an unexpected problem with these settings.** "
            "Go back and change the last setting, or reset the page to its defaults with the link below. "
            f"If it happens again, tell your teacher the error code **{error_id}**.")


def _report(what: str) -> None:
    """Log the exception being handled under a new id and show the visitor message."""
    error_id = new_error_id()
    LOG.exception("error %s: %s failed", error_id, what)
    st.error(visitor_message(error_id), icon="🛟")


def _guard(f, what: str):
    """``f`` wrapped so that an exception shows the visitor message instead."""
    @functools.wraps(f)
    def guarded(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except Exception:
            _report(f"{what} {getattr(f, '__qualname__', f)}")
    return guarded


def fragment(func=None, *, run_every=None):
    """``st.fragment`` with the safety net: a fragment rerun does not pass through
    :func:`run_page`, so without this a failing fragment would fall to Streamlit's own
    box (details redacted, but with "Ask Google / Ask ChatGPT" links on localhost)."""
    def decorate(f):
        return st.fragment(_guard(f, "fragment"), run_every=run_every)
    return decorate(func) if func is not None else decorate


def callback(f):
    """Wrap a widget's on_click / on_change callback with the safety net (callbacks run
    before the page script, outside :func:`run_page`)."""
    return _guard(f, "callback")


def run_page(nav) -> None:
    """Run the page chosen by ``st.navigation``; on failure show the visitor message.

    Streamlit's rerun and stop signals are BaseExceptions, not Exceptions, so they pass
    through untouched."""
    try:
        nav.run()
    except Exception:
        error_id = new_error_id()
        LOG.exception("error %s: page %r failed", error_id, getattr(nav, "url_path", "?"))
        # A plain link (a fresh page load, so a fresh session with the defaults), relative
        # so that it also works when the app is served under a base path.
        path = getattr(nav, "url_path", "") or ""
        st.error(visitor_message(error_id) + f"\n\n[Reset this page to its defaults](./{path})", icon="🛟")
