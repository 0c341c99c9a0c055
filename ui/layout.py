"""Page furniture shared by every page: header, formulas, tables with CSV download,
"show the code", number formatting and a friendly wrapper for configuration errors."""
from __future__ import annotations

import ast
import functools
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from . import safety
from .format import fmt, quote  # re-exported: pages import fmt from here


def header(title: str, lead: str) -> None:
    st.title(title)
    st.markdown(lead)


def table(df: pd.DataFrame, filename: str, label: str = "Download CSV", height: int | None = None,
          hide_index: bool = True, column_config: dict | None = None, key: str | None = None) -> None:
    """A table and a button to download exactly its data as CSV. Non-finite numbers are
    shown as 'diverged' in the table; the CSV keeps them as nan/inf."""
    shown = df.copy()
    # A column mixing floats and "diverged" cannot be serialised to Arrow: Streamlit would log
    # a traceback and fall back to str() on every render. Convert it to text here instead.
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]) and not np.isfinite(shown[c].dropna().to_numpy()).all():
            shown[c] = shown[c].map(lambda v: fmt(v) if v is not None and not pd.isna(v) and not np.isfinite(v)
                                    else v).astype(str)
    kw = {"height": height} if height else {}
    st.dataframe(shown, hide_index=hide_index, width="stretch", column_config=column_config, **kw)
    st.download_button(label, df.to_csv(index=False).encode(), file_name=filename, mime="text/csv",
                       key=key or f"dl-{filename}", icon=":material/download:")


def code(script: str, filename: str, label: str = "Show the code") -> None:
    """The plain PyTorch script that reproduces what the page shows."""
    with st.expander(f"{label} — a plain PyTorch script that reproduces this", icon=":material/code:"):
        st.caption("Runs on its own (`python " + filename + "`) and repeats this page's computation: the same "
                   "PyTorch operations from the same seed. Its numbers match the page's to float rounding — the "
                   "lab trains many runs at once with batched matrix products, which can round the last bit "
                   "differently from one model at a time.")
        st.code(script, language="python", line_numbers=True)
        left, right = st.columns(2)
        left.download_button("Download script", script.encode(), file_name=filename, mime="text/x-python",
                             key=f"dl-{filename}", icon=":material/download:")
        notebook = filename.rsplit(".", 1)[0] + ".ipynb"
        right.download_button("Download as a Jupyter notebook", _notebook(script), file_name=notebook,
                              mime="application/x-ipynb+json", key=f"dl-{notebook}", icon=":material/book_2:",
                              help="The same steps as cells with notes, and a plot of the loss: run it at home "
                                   "or in Colab.")


@functools.lru_cache(maxsize=64)
def _notebook(script: str) -> bytes:
    # Validating a notebook against nbformat's schema costs milliseconds: once per script.
    from dlcore.notebook import notebook_bytes
    return notebook_bytes(script)


@contextmanager
def friendly_errors(what: str = "these settings"):
    """Turn a configuration ValueError from dlcore into a message in the page."""
    try:
        yield
    except ValueError as e:
        st.error(f"Can't use {what}: {e}", icon="🚫")
        st.stop()


def share_hint(state) -> None:
    link = state.link()
    st.caption("🔗 **Share this experiment:** copy the address bar — it holds every setting"
               + (f" ({quote(link, 160)})." if link else " (all defaults right now)."))


def note_box(notes: list[str]) -> None:
    if notes:
        st.info("\n".join(f"- {n}" for n in notes), icon="⏱️")


ROOT = Path(__file__).resolve().parents[1]
# Reference pages (not lessons): in the navigation, but "Next →" walks past them.
NOT_LESSONS = ("glossary.py", "teachers.py")


@functools.lru_cache(maxsize=1)
def teaching_order() -> tuple[tuple[str, str, str], ...]:
    """(file, title, icon) of every page in app.py's PAGES, in the order the lab teaches,
    leaving out pages whose file does not exist (as app.py does). Read from app.py's source:
    importing it would run the app."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            rows = [tuple(ast.literal_eval(e)) for e in node.value.elts]
            return tuple((f, t, i) for f, t, _u, i in rows if (ROOT / "app_pages" / f).exists())
    raise RuntimeError("PAGES not found in app.py")


def neighbours(current: str) -> tuple[tuple[str, str, str] | None, tuple[str, str, str] | None]:
    """The lessons before and after ``current`` (a page's file name or path) in teaching
    order (reference pages such as the glossary are skipped)."""
    name = Path(current).name
    order = tuple(p for p in teaching_order() if p[0] not in NOT_LESSONS)
    files = [f for f, _, _ in order]
    if name not in files:
        return None, None
    i = files.index(name)
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None)


def next_page(current: str, back: bool = True) -> None:
    """The page's footer: "Next → <page>" (the next page in teaching order; the last page
    leads back to the first) and, with ``back``, "← <previous page>". Call it last, with
    the page module's ``__file__``: ``next_page(__file__)``."""
    before, after = neighbours(current)
    order = tuple(p for p in teaching_order() if p[0] not in NOT_LESSONS)
    if after is None and order and Path(current).name != order[0][0]:
        after = order[0]
    st.divider()
    left, right = st.columns(2)
    if back and before is not None:
        f, title, icon = before
        with left:
            st.page_link(str(ROOT / "app_pages" / f), label=f"← {title}", icon=icon)
    if after is not None:
        f, title, icon = after
        with right, st.container(horizontal=True, horizontal_alignment="right"):
            st.page_link(str(ROOT / "app_pages" / f), label=f"Next → {title}", icon=icon)


# A formula (st.latex, $$…$$) or code block wider than its column scrolls sideways, but
# Streamlit does not make it focusable, so a keyboard user cannot scroll it (WCAG 2.1.1;
# axe's "scrollable-region-focusable"). This constant script gives every such region that
# really overflows a tab stop and a name, and takes them away when it fits again; it keeps
# watching the page (reruns, fragments, resizing). Constant text: nothing a learner types.
_KEYBOARD_SCROLLING = """<script>
(() => {
  if (window.__gdlKeyboardScrolling) return;
  window.__gdlKeyboardScrolling = true;
  const NAMES = [[".katex-display", "Formula", "scrolls sideways"],
                 ["[data-testid='stCode'] pre", "Code", "scrolls"]];
  const mark = () => {
    for (const [sel, what, how] of NAMES) {
      let n = 0;   // numbered, so that each region has its own name
      for (const el of document.querySelectorAll(sel)) {
        const wide = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
        if (wide) {
          n += 1;
          el.setAttribute("tabindex", "0"); el.setAttribute("role", "region");
          el.setAttribute("aria-label", `${what} ${n}, ${how}`); el.dataset.gdlScroll = "1";
        } else if (el.dataset.gdlScroll) {
          el.removeAttribute("tabindex"); el.removeAttribute("role");
          el.removeAttribute("aria-label"); delete el.dataset.gdlScroll;
        }
      }
    }
  };
  let queued = false;
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; mark(); }); } };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  window.addEventListener("resize", soon);
  document.addEventListener("toggle", soon, true);   // an expander opened: its code is now visible
  document.addEventListener("click", soon, true);
  mark();
})();
</script>"""


def keyboard_scrolling() -> None:
    """Make wide formulas and code blocks reachable and scrollable from the keyboard (see
    _KEYBOARD_SCROLLING). Drawn in the sidebar, where its empty element takes no room in
    the page; app.py calls it once per run, for every page."""
    st.sidebar.html(_KEYBOARD_SCROLLING, unsafe_allow_javascript=True)


def reset_button(state, keys=None, label: str = "Reset to defaults", key: str | None = None, **kw) -> bool:
    """A button that puts the page's settings (or only ``keys``) back to their defaults —
    widgets, saved settings and the link — via ``state.reset`` as its callback."""
    kw.setdefault("icon", ":material/restart_alt:")
    kw.setdefault("help", "Every setting on this page back to where the lab starts (the link too)."
                  if keys is None else "These settings back to where the lab starts.")
    return st.button(label, key=key or f"_reset.{state.page}" + ("" if keys is None else "." + ".".join(keys)),
                     on_click=safety.callback(state.reset), args=(None if keys is None else list(keys),), **kw)


__all__ = ["header", "fmt", "table", "code", "friendly_errors", "share_hint", "note_box", "quote",
           "teaching_order", "neighbours", "next_page", "reset_button", "keyboard_scrolling"]
