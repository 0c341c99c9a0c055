"""A tiny app whose pages fail on purpose, run from the repository root so it uses the
lab's .streamlit/config.toml and its real safety net (ui.safety.run_page).

Each failure carries a server path and a "secret" in its message: the browser test checks
that neither, nor any source line or traceback, reaches a visitor."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import safety  # noqa: E402

SECRET = "SECRET-7d1c"


def _boom():
    raise RuntimeError(f"{SECRET} while reading {ROOT / 'dlcore' / 'train.py'}")


def page_raises():
    st.title("A page that fails")
    st.write("Drawn before the failure.")
    _boom()


def page_callback_raises():
    st.title("Buttons whose callbacks fail")
    st.button("Fail", on_click=safety.callback(_boom))
    st.button("Fail unguarded", on_click=_boom)


@safety.fragment
def failing_fragment():
    if st.button("Fail inside the fragment"):
        _boom()
    st.write("fragment drawn")


@st.fragment
def unguarded_fragment():
    if st.button("Fail inside the unguarded fragment"):
        _boom()


def page_fragment_raises():
    st.title("Fragments that fail")
    failing_fragment()
    unguarded_fragment()


nav = st.navigation([st.Page(page_raises, url_path="raises", default=True),
                     st.Page(page_callback_raises, url_path="callback"),
                     st.Page(page_fragment_raises, url_path="fragment")])
safety.run_page(nav)
