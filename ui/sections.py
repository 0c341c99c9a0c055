"""A page's sections: URL-bound lazy tabs, and fragments that keep the URL in step.

One mechanism for every page with tabs:

* The open tab is a page setting named ``tab`` (a :class:`ui.params.Param` made by
  :func:`tab_param`) whose values are short slugs — ``?tab=batch``. Old links keep working:
  a tab's title and any ``aliases`` are accepted as values, and old parameter names
  (``legacy_keys``, e.g. ``view``) are read when ``tab`` is absent; the URL is rewritten to
  the new form.
* :func:`lazy_tabs` draws ``st.tabs`` bound to that setting and returns the open tab. Only
  the open tab's section runs (Streamlit's ``on_change`` makes tabs rerun the page when
  the learner switches).

Example (a page)::

    TABS = (Tab("race", ":material/sports_score: Optimizer race"),
            Tab("batch", ":material/stacks: Batch vs mini-batch vs stochastic"),
            Tab("restarts", ":material/scatter_plot: Random restarts"))
    state = PageState("opt", [tab_param(TABS, legacy_keys=("view",)), ...])
    opened = lazy_tabs(state, TABS)
    opened.show({"race": race_tab, "batch": batch_tab, "restarts": restarts_tab})

A section whose widgets only change that section can be a :func:`fragment`: moving them
reruns only the section, and the settings they change still reach the URL.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Sequence

import streamlit as st

from . import safety
from .params import PageState, Param


@dataclass(frozen=True)
class Tab:
    """One tab: ``slug`` is its value in links (``?tab=<slug>``), ``title`` what the tab
    shows (may hold a ``:material/icon:``). ``aliases`` are older link values that still
    open it (e.g. an old long title "Loss curves"); the title itself is always accepted."""

    slug: str
    title: str
    aliases: tuple[str, ...] = ()


def tab_param(tabs: Sequence[Tab], key: str = "tab", legacy_keys: tuple[str, ...] = (),
              label: str = "tab") -> Param:
    """The page setting that holds the open tab: a choice of slugs, the first tab by
    default, accepting each tab's title and aliases, and the old parameter names."""
    aliases = []
    for t in tabs:
        for old in (t.title, _plain_title(t.title), *t.aliases):
            if old and old != t.slug and (old, t.slug) not in aliases:
                aliases.append((old, t.slug))
    return Param(key, tabs[0].slug, "choice", choices=tuple(t.slug for t in tabs), aliases=tuple(aliases),
                 legacy_keys=tuple(legacy_keys), label=label)


def _plain_title(title: str) -> str:
    """':material/stacks: Batch vs …' → 'Batch vs …'."""
    if title.startswith(":") and ": " in title:
        return title.split(": ", 1)[1]
    return title


@dataclass
class OpenTab:
    """What :func:`lazy_tabs` returns: the open tab's slug and container, and every tab's
    container by slug. ``with opened:`` writes into the open tab."""

    slug: str
    containers: dict = field(default_factory=dict)

    @property
    def container(self):
        return self.containers[self.slug]

    def __enter__(self):
        return self.container.__enter__()

    def __exit__(self, *exc):
        return self.container.__exit__(*exc)

    def show(self, sections: dict[str, Callable[[], None]]) -> None:
        """Run only the open tab's section, inside its tab."""
        with self.container:
            sections[self.slug]()


def lazy_tabs(state: PageState, tabs: Sequence[Tab], key: str = "tab", **tabs_kw) -> OpenTab:
    """``st.tabs`` bound to the page setting ``key`` (made by :func:`tab_param`): the
    setting (from a link, the saved settings or a click) chooses the tab, switching tabs
    writes the tab's slug back and reruns the page. Returns the open tab; only it should
    run its section (see :meth:`OpenTab.show`)."""
    titles = {t.slug: t.title for t in tabs}
    slugs = {t.title: t.slug for t in tabs}
    holder: list = []

    def draw(label, key, **_):
        ss = st.session_state
        tkey = key + "#tabs"
        clean, _ = state.param(state_key).clean(ss.get(key))
        ss[key] = clean
        ss[tkey] = titles[clean]

        @safety.callback
        def changed():
            ss[key] = slugs.get(ss.get(tkey), tabs[0].slug)

        holder.extend(st.tabs([t.title for t in tabs], key=tkey, on_change=changed, **tabs_kw))
        return ss[key]

    state_key = key
    slug = state.widget(draw, key, "")
    return OpenTab(slug, dict(zip(titles, holder)))


@dataclass
class Fold:
    """What :func:`lazy_expander` returns: whether it is open, and its container
    (``with fold:`` writes into it)."""

    open: bool
    container: object

    def __enter__(self):
        return self.container.__enter__()

    def __exit__(self, *exc):
        return self.container.__exit__(*exc)


def lazy_expander(state: PageState, key: str, label: str, **expander_kw) -> Fold:
    """``st.expander`` bound to a bool page setting ``key`` (open/closed, in the link):
    opening or closing it reruns the page, and only an open expander should run its
    content — ``fold = lazy_expander(state, "inside_open", "Inside the optimizer")``,
    then ``if fold.open: with fold: ...``. For details folded away from a beginner
    (issue 14 #9) whose content costs work."""
    holder: list = []

    def draw(label_, key, **_):
        ss = st.session_state
        ekey = key + "#open"
        ss[ekey] = ss.get(key) is True

        @safety.callback
        def changed():
            ss[key] = bool(ss.get(ekey))

        holder.append(st.expander(label_, key=ekey, on_change=changed, **expander_kw))
        return ss[ekey]

    is_open = state.widget(draw, key, label)
    if not holder:                     # hidden by the link (?hide=): no expander, nothing runs
        return Fold(False, st.container())
    return Fold(bool(is_open), holder[0])


def fragment(state: PageState, *keys: str):
    """``st.fragment`` (with the safety net, :func:`ui.safety.fragment`) for a section whose
    widgets change only that section: moving them reruns the section alone, and at its end
    the settings ``keys`` (default: all) are written to the URL — a fragment's rerun does
    not reach ``state.finish()``.

    Usage (define it in the run that draws it, so it sees this run's ``state``)::

        @fragment(state, "step")
        def race_view(res, steps):
            step = state.follow_slider("step", "Show the race up to step", 0, steps, end=-1)
            ...
        race_view(res, steps)
    """
    def wrap(fn):
        @safety.fragment
        @functools.wraps(fn)
        def run(*args, **kwargs):
            out = fn(*args, **kwargs)
            state.sync_url(*keys)
            return out
        return run
    return wrap


__all__ = ["Tab", "tab_param", "lazy_tabs", "OpenTab", "lazy_expander", "Fold", "fragment"]
