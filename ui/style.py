"""App-wide style: one place for CSS every page needs (issue 19).

:func:`app_style` is called once per run from app.py. It draws one style-only ``st.html``
element, which Streamlit puts in the page without taking room.

* **Reduced motion** (WCAG 2.3.3, the browser's ``prefers-reduced-motion: reduce``):
  Streamlit's own transitions and animations (expanders, spinners, tabs, smooth scrolling)
  are cut to an instant, and every "play" control — a button keyed ``<page>.play``, whose
  element container Streamlit gives the class ``st-key-<page>-play`` — is hidden: it only
  animates what its slider already shows step by step, so nothing is lost.
"""
from __future__ import annotations

import streamlit as st

PLAY_SELECTOR = '[class*="st-key-"][class*="-play"]'

APP_CSS = f"""<style>
@media (prefers-reduced-motion: reduce) {{
  *, *::before, *::after {{
    animation-duration: 0.01ms !important;
    animation-iteration-count: 1 !important;
    transition-duration: 0.01ms !important;
    scroll-behavior: auto !important;
  }}
  {PLAY_SELECTOR} {{ display: none !important; }}
}}
</style>"""


def app_style() -> None:
    """The app-wide CSS; app.py calls it once per run, for every page."""
    st.html(APP_CSS)
