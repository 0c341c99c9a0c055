"""Page settings that live in the URL, validated on the server.

A page declares its settings as :class:`Param`s and reads every widget through a
:class:`PageState`. That gives, for every page, the same behaviour:

* **Shareable links.** On entering a page its settings come from the URL's query
  parameters (else from what this learner last used on the page, else the defaults),
  and after every run the non-default settings are written back to the URL — so a
  teacher copies the address bar and a learner who opens it sees the same experiment.
* **Untrusted input.** Every value — from the URL or from a widget (the browser's
  min/max is not a guarantee) — is parsed and clamped here. An invalid value falls back
  to the default (or the nearest valid value) and the page shows a plain note saying so.
  Learner text is never rendered as HTML or markdown: notes quote it as inline code.

Example (in a page)::

    state = PageState("gd", [Param("lr", 0.01, lo=1e-5, hi=2.0, label="learning rate")])
    lr = state.number_input("lr", "Learning rate", format="%.4g")
    state.finish()        # writes the URL, shows notes about rejected values
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import streamlit as st
from streamlit.errors import StreamlitAPIException

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f"}
MAX_RAW = 400  # longer query values are refused before parsing

from .format import fmt_num, quote  # noqa: E402  (re-exported: pages import quote from here)


@dataclass(frozen=True)
class Param:
    """One setting. ``kind`` is float, int, bool, choice, text, ints, floats or multi.

    ``lo``/``hi`` clamp numbers (and bound counts for ints/floats/multi lists);
    ``options`` snaps a number to the nearest allowed value (e.g. a log-spaced slider);
    ``choices`` lists allowed strings for choice/multi.
    """

    key: str
    default: Any
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    options: tuple = ()
    max_len: int = 200
    min_items: int = 0
    max_items: int = 64
    label: str = ""
    # Old spellings still accepted from links: ``aliases`` maps old choice values to current
    # ones ((old, new) pairs, matched case-insensitively, no note); ``legacy_keys`` are old
    # query-parameter names read when this key is absent (and dropped from the URL).
    aliases: tuple = ()
    legacy_keys: tuple = ()

    @property
    def name(self) -> str:
        return self.label or self.key

    # ---- validation of python values (widgets, or parsed URL text) -------------------
    def clean(self, v: Any) -> tuple[Any, str | None]:
        """A valid value and, when v had to be changed, a note saying how."""
        k = self.kind
        try:
            if k in ("float", "int"):
                return self._clean_number(v)
            if k == "bool":
                if isinstance(v, bool):
                    return v, None
                return self.default, f"{self.name}: {quote(v)} is not on/off; using {self.default}."
            if k == "choice":
                if v in self.choices:
                    return v, None
                match = [c for c in self.choices if str(c).lower() == str(v).strip().lower()]
                if match:
                    return match[0], None
                old = [new for a, new in self.aliases if str(a).lower() == str(v).strip().lower()]
                if old and old[0] in self.choices:
                    return old[0], None
                return self.default, (f"{self.name}: {quote(v)} is not one of "
                                      f"{', '.join(map(str, self.choices))}; using {self.default}.")
            if k == "text":
                s = "".join(ch for ch in str(v) if ch.isprintable() or ch in "\n\t")
                if len(s) > self.max_len:
                    return s[:self.max_len], f"{self.name}: cut to {self.max_len} characters."
                return s, None
            if k in ("ints", "floats", "multi"):
                return self._clean_list(v)
        except (TypeError, ValueError, OverflowError):
            pass
        return self.default, f"{self.name}: {quote(v)} is not valid; using the default {self.default}."

    def _clean_number(self, v) -> tuple[Any, str | None]:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError
        x = float(v)
        if not math.isfinite(x):
            return self.default, f"{self.name}: {quote(v)} is not a finite number; using the default {self.default}."
        note = None
        if self.lo is not None and x < self.lo:
            x, note = self.lo, f"{self.name}: {fmt_num(float(v))} is below the minimum; using {fmt_num(self.lo)}."
        elif self.hi is not None and x > self.hi:
            x, note = self.hi, f"{self.name}: {fmt_num(float(v))} is above the maximum; using {fmt_num(self.hi)}."
        if self.options:
            near = _nearest(self.options, x)
            if near != x and note is None and not math.isclose(near, x, rel_tol=1e-9):
                note = f"{self.name}: {fmt_num(x)} is not on the slider; using the nearest value {fmt_num(near)}."
            x = near
        if self.kind == "int":
            if x != int(x) and note is None:
                note = f"{self.name}: {fmt_num(x)} is not a whole number; using {int(round(x))}."
            return int(round(x)), note
        return x, note

    def _clean_list(self, v) -> tuple[list, str | None]:
        items = list(v) if isinstance(v, (list, tuple)) else [v]
        note = None
        if self.kind == "multi":
            out = []
            for item in items:
                c, n = Param(self.key, None, "choice", choices=self.choices, label=self.name).clean(item)
                if n or c is None:
                    note = note or f"{self.name}: {quote(item)} is not one of {', '.join(self.choices)}; left out."
                elif c not in out:
                    out.append(c)
        else:
            kind = "int" if self.kind == "ints" else "float"
            p = Param(self.key, None, kind, lo=self.lo, hi=self.hi, label=self.name)
            out = []
            for item in items:
                c, n = p.clean(item)
                if c is None:
                    note = note or f"{self.name}: {quote(item)} is not a number; left out."
                    continue
                note = note or n
                out.append(c)
        if len(out) > self.max_items:
            out, note = out[:self.max_items], f"{self.name}: at most {self.max_items} values; the rest were left out."
        if len(out) < self.min_items:
            return list(self.default), note or f"{self.name}: needs at least {self.min_items}; using the default."
        return out, note

    # ---- URL text <-> values ---------------------------------------------------------
    def parse(self, raw: str) -> tuple[Any, str | None]:
        if len(raw) > MAX_RAW:
            return self.default, f"{self.name}: the value in the link is too long; using the default."
        k = self.kind
        if k in ("float", "int"):
            try:
                return self.clean(float(raw.strip()))
            except ValueError:
                return self.default, f"{self.name}: {quote(raw)} is not a number; using the default {self.default}."
        if k == "bool":
            s = raw.strip().lower()
            if s in _TRUE or s in _FALSE:
                return s in _TRUE, None
            return self.default, f"{self.name}: {quote(raw)} is not on/off; using {self.default}."
        if k in ("ints", "floats"):
            parts = [p for p in raw.split(",") if p.strip()]
            vals = []
            for p in parts:
                try:
                    vals.append(float(p))
                except ValueError:
                    vals.append(p)          # clean() reports it
            return self.clean(vals)
        if k == "multi":
            return self.clean([p.strip() for p in raw.split(",") if p.strip()])
        return self.clean(raw)

    def encode(self, v: Any) -> str:
        if self.kind == "bool":
            return "1" if v else "0"
        if self.kind == "float":
            return f"{v:.10g}"
        if self.kind in ("ints", "floats", "multi"):
            return ",".join(f"{x:.10g}" if isinstance(x, float) else str(x) for x in v)
        return str(v)


def _takes(fn: Callable, name: str) -> bool:
    """Whether ``fn`` accepts the keyword argument ``name`` (or any keyword)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _nearest(options, x: float) -> float:
    """The option nearest to x: by ratio among positive options (they are log-spaced),
    and 0 (when offered) only for x below half the smallest positive option — a plain
    difference would otherwise send every small value to 0."""
    pos = [o for o in options if o > 0]
    if x > 0 and pos:
        if 0 in options and x < min(pos) / 2:
            return type(options[0])(0)
        return min(pos, key=lambda o: abs(math.log(o) - math.log(x)))
    return min(options, key=lambda o: abs(o - x))


# Link keys any page accepts without an "unknown link setting" note: Streamlit's embed
# options, the classroom's class code and a learner's seat in it (ui/classroom.py).
GLOBAL_KEYS = frozenset({"embed", "embed_options", "class", "seat"})
# Links that shape a page (issue 16): ``?hide=lr,epochs&lock=seed`` — setting keys of that
# page. A hidden setting's widget is not drawn; a locked one is drawn disabled; neither can
# be changed (set, set_pending, reset, a lesson's "Set up"). Navigation keys cannot be shaped.
SHAPE_KEYS = ("hide", "lock")
NOT_SHAPEABLE = frozenset({"tab", "lesson", "lp", "lt", *SHAPE_KEYS})


def shape_params(keys) -> tuple[Param, Param]:
    """The automatic ``hide`` and ``lock`` settings of a page whose setting keys are ``keys``."""
    choices = tuple(k for k in keys if k not in NOT_SHAPEABLE)
    n = max(len(choices), 1)
    return (Param("hide", [], "multi", choices=choices, max_items=n, label="hidden settings"),
            Param("lock", [], "multi", choices=choices, max_items=n, label="locked settings"))


# Every page's Param list as last declared, by page name. scripts/url_params.py reads it
# (after running each page once) to write the README's table of link parameters, so the
# docs come from the very objects that validate a link rather than from a second copy.
DECLARED: dict[str, tuple[Param, ...]] = {}


@dataclass
class PageState:
    """The validated settings of one page, bound to widgets and to the URL."""

    page: str
    params: list[Param]
    values: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        DECLARED[self.page] = tuple(self.params)
        own = [p.key for p in self.params]
        if not any(k in own for k in SHAPE_KEYS):          # every page accepts ?hide= and ?lock=
            self.params = [*self.params, *shape_params(own)]
        self.by_key = {p.key: p for p in self.params}
        self._box = st.container()   # notes about adjusted settings appear here, at the top
        ss = st.session_state
        saved = ss.get(self._saved_key, {})
        entering = ss.get("_gdl_page") != self.page
        ss["_gdl_page"] = self.page
        self.entering = entering          # this run opened the page (a link, the menu, a page link)
        self.linked: set[str] = set()     # settings whose value came from the link on entering
        qp = st.query_params
        for p in self.params:
            v = saved.get(p.key, p.default)
            in_link = [k for k in (p.key, *p.legacy_keys) if k in qp] if entering else []
            if in_link:
                self.linked.add(p.key)
                raw = qp.get_all(in_link[0])[-1] if hasattr(qp, "get_all") else qp[in_link[0]]
                v, note = p.parse(str(raw))
                if note:
                    self.notes.append(note)
                # A link's value replaces what the widget held from an earlier visit.
                ss.pop(self.wkey(p.key), None)
                ss.pop(self._pending_key(p.key), None)
            self.values[p.key] = v
        if entering:
            known = set(self.by_key) | {k for p in self.params for k in p.legacy_keys}
            unknown = [k for k in qp.keys() if k not in known and k not in GLOBAL_KEYS]
            if unknown:
                self.notes.append("Ignored unknown link settings: " + ", ".join(quote(k, 20) for k in unknown[:8]) + ".")
        self.hidden = frozenset(self.values.get("hide", ()))
        self.locked = frozenset(self.values.get("lock", ())) - self.hidden

    def fixed(self, key: str) -> bool:
        """True when a link hides or locks this setting (it cannot change in this session)."""
        return key in self.hidden or key in self.locked

    def _refuse(self, key: str) -> bool:
        """A note, and True, when ``key`` is hidden or locked by the link."""
        if not self.fixed(key):
            return False
        how = "hidden" if key in self.hidden else "locked"
        self.notes.append(f"{self.by_key[key].name} is {how} by this link; it stays "
                          f"{fmt_num(self.values[key]) if isinstance(self.values[key], float) else self.values[key]}.")
        return True

    @property
    def _saved_key(self) -> str:
        return f"_gdl_saved.{self.page}"

    def wkey(self, key: str) -> str:
        return f"{self.page}.{key}"

    def __getitem__(self, key: str):
        return self.values[key]

    def _pending_key(self, key: str) -> str:
        return f"_gdl_pending.{self.page}.{key}"

    def param(self, key: str) -> Param:
        """The declared :class:`Param` of a setting (its default, bounds, label)."""
        return self.by_key[key]

    def set(self, key: str, value) -> None:
        """Set a value programmatically (validated), e.g. from a button — before its widget
        is drawn in this run, or in a callback. After the widget was drawn, use
        :meth:`set_pending`."""
        if self._refuse(key):
            return
        v, _ = self.by_key[key].clean(value)
        self.values[key] = v
        st.session_state[self.wkey(key)] = v

    def set_pending(self, key: str, value) -> None:
        """Give a setting's widget ``value`` on the next (re)run, before it is drawn: for a
        click handled after the widget is already on screen (Streamlit forbids changing a
        drawn widget's value). Call ``st.rerun()`` (or ``st.rerun(scope="fragment")``) after
        it to apply it now; otherwise it applies on the learner's next interaction."""
        if self._refuse(key):
            return
        v, _ = self.by_key[key].clean(value)
        st.session_state[self._pending_key(key)] = v

    def _apply_pending(self, key: str) -> None:
        ss = st.session_state
        pk = self._pending_key(key)
        if pk in ss and self.fixed(key):
            ss.pop(pk)
        elif pk in ss:
            v = ss.pop(pk)
            ss[self.wkey(key)] = v
            self.values[key] = v

    def current(self, key: str):
        """The validated value this setting holds right now, before its widget is drawn in
        this run: a widget the learner just moved is ahead of ``state[key]`` (which is the
        last run's value until the widget is drawn). A pending value (set_pending) counts."""
        if self.fixed(key):
            return self.values[key]
        ss = st.session_state
        pk = self._pending_key(key)
        raw = ss[pk] if pk in ss else ss.get(self.wkey(key), self.values[key])
        return self.by_key[key].clean(raw)[0]

    def reset(self, keys=None) -> None:
        """Every setting in ``keys`` (default: all of the page's) back to its default — the
        widgets, the saved settings and (at finish) the URL. Use it as a callback, e.g.
        ``st.button("Reset", on_click=state.reset)`` or ``on_click=state.reset, args=(KEYS,)``,
        so it runs before the widgets are drawn (called later in a run, it applies on the
        next rerun: follow it with ``st.rerun()``)."""
        if keys is None:         # the page's own settings that the link leaves free
            keys = [p.key for p in self.params if p.key not in SHAPE_KEYS and not self.fixed(p.key)]
        else:
            keys = [k for k in keys if not self._refuse(k)]
        ss = st.session_state
        saved = dict(ss.get(self._saved_key, {}))
        for k in keys:
            d = self.by_key[k].default
            d = list(d) if isinstance(d, (list, tuple)) else d
            self.values[k] = saved[k] = d
            try:
                ss[self.wkey(k)] = d
                ss.pop(self._pending_key(k), None)
            except StreamlitAPIException:      # its widget is already drawn: apply on the rerun
                ss[self._pending_key(k)] = d
        ss[self._saved_key] = saved

    def is_default(self, key: str) -> bool:
        p = self.by_key[key]
        return p.encode(self.values[key]) == p.encode(p.default)

    def note(self, text: str) -> None:
        """Add a note to the page's "Some settings were adjusted" box (shown by finish())."""
        self.notes.append(text)

    def widget(self, fn: Callable, key: str, label: str, **kwargs):
        """Render ``fn(label, key=..., **kwargs)`` bound to this setting; return its
        server-validated value."""
        p = self.by_key[key]
        wk = self.wkey(key)
        ss = st.session_state
        self._apply_pending(key)
        if key in self.hidden:             # not drawn: the link's (or default) value stands
            return self.values[key]
        if key in self.locked:             # shown, not changeable: the widget is re-set every run
            ss[wk] = self.values[key]
            fn(label, key=wk, **({**kwargs, "disabled": True} if _takes(fn, "disabled") else kwargs))
            return self.values[key]
        if wk not in ss:
            ss[wk] = self.values[key]
        raw = fn(label, key=wk, **kwargs)
        v, note = p.clean(raw)
        if note:
            self.notes.append(note)
        self.values[key] = v
        return v

    def follow_slider(self, key: str, label: str, lo, hi, *, step=None, end=None, **kw):
        """A slider whose range ``lo … hi`` follows other settings (the number of epochs, the
        data). Streamlit makes a new slider when min/max/step change — it would start at its
        minimum — so the held value is handed over, clamped into the new range. With
        ``end`` (e.g. -1 = "the last step") the setting holds ``end`` while the slider is at
        ``hi``, so the view stays at the end when ``hi`` changes; a value above ``hi`` also
        shows as the end. When ``hi <= lo`` no slider is drawn and the value is ``lo`` (or
        ``end``). Returns the validated setting (``end`` included), like every widget."""
        p = self.by_key[key]
        num = int if p.kind == "int" else float
        lo, hi = num(lo), num(hi)
        if step is not None:
            step = num(step)
        ss = st.session_state
        wk, rk = self.wkey(key), f"_gdl_range.{self.page}.{key}"
        self._apply_pending(key)
        held = self.values[key] if self.fixed(key) else ss.get(wk, self.values[key])
        old = ss.get(rk)
        try:
            held = num(held)
        except (TypeError, ValueError):
            held = num(p.default)
        if end is not None and (held == end or held > hi or (old is not None and held >= old[1] > lo)):
            shown = hi                       # at the end (or past it): stay at the end
        else:
            shown = min(max(held, lo), hi)
        ss[rk] = (lo, hi, step)
        if hi <= lo or key in self.hidden:
            v, _ = p.clean(end if end is not None and (hi <= lo or shown >= hi) else (lo if hi <= lo else shown))
            if not self.fixed(key):
                self.values[key] = v
            return v
        if key in self.locked:
            kw = {**kw, "disabled": True}
        ss[wk] = shown                       # allowed: the slider is not drawn yet in this run
        raw = st.slider(label, min_value=lo, max_value=hi, step=step, key=wk, **kw)
        if key in self.locked:
            raw = shown                      # a locked slider's value is the link's, whatever it sends
        v, note = p.clean(end if end is not None and raw >= hi else raw)
        if note:
            self.notes.append(note)
        if not self.fixed(key):
            self.values[key] = v
        return v

    # Convenience wrappers with bounds taken from the Param.
    def slider(self, key, label, **kw):
        p = self.by_key[key]
        if p.kind in ("float", "int"):
            kw.setdefault("min_value", p.lo)
            kw.setdefault("max_value", p.hi)
        return self.widget(st.slider, key, label, **kw)

    def number_input(self, key, label, **kw):
        p = self.by_key[key]
        kw.setdefault("min_value", p.lo)
        kw.setdefault("max_value", p.hi)
        return self.widget(st.number_input, key, label, **kw)

    def select_slider(self, key, label, **kw):
        p = self.by_key[key]
        kw.setdefault("options", list(p.options or p.choices))
        return self.widget(st.select_slider, key, label, **kw)

    def selectbox(self, key, label, **kw):
        kw.setdefault("options", list(self.by_key[key].choices))
        return self.widget(st.selectbox, key, label, **kw)

    def radio(self, key, label, **kw):
        kw.setdefault("options", list(self.by_key[key].choices))
        return self.widget(st.radio, key, label, **kw)

    def segmented(self, key, label, **kw):
        kw.setdefault("options", list(self.by_key[key].choices))
        v = self.widget(st.segmented_control, key, label, **kw)
        return v

    def multiselect(self, key, label, **kw):
        kw.setdefault("options", list(self.by_key[key].choices))
        return self.widget(st.multiselect, key, label, **kw)

    def checkbox(self, key, label, **kw):
        return self.widget(st.checkbox, key, label, **kw)

    def toggle(self, key, label, **kw):
        return self.widget(st.toggle, key, label, **kw)

    def text_input(self, key, label, **kw):
        kw.setdefault("max_chars", self.by_key[key].max_len)
        return self.widget(st.text_input, key, label, **kw)

    def sync_url(self, *keys: str) -> None:
        """Write these settings (default: all) to the URL and to the saved settings, now —
        for a fragment, whose rerun does not reach :meth:`finish`. A default value leaves
        the URL; an old (legacy) name of the key is dropped from it."""
        ss = st.session_state
        saved = dict(ss.get(self._saved_key, {}))
        qp = st.query_params
        for k in keys or [p.key for p in self.params]:
            p = self.by_key[k]
            v = self.values[k]
            saved[k] = v
            for old in p.legacy_keys:
                if old in qp:
                    del qp[old]
            enc = p.encode(v)
            if enc == p.encode(p.default):
                if p.key in qp:
                    del qp[p.key]
            elif qp.get(p.key) != enc:
                qp[p.key] = enc
        ss[self._saved_key] = saved

    def finish(self) -> None:
        """Write the non-default settings to the URL and show notes about rejected input."""
        st.session_state[self._saved_key] = dict(self.values)
        self.sync_url()
        self.show_notes()

    def show_notes(self) -> None:
        if self.notes:
            self._box.warning("**Some settings were adjusted:**\n\n" + "\n".join(f"- {n}" for n in dict.fromkeys(self.notes)),
                       icon="⚠️")
            self.notes.clear()

    def link(self) -> str:
        """The query string of the current settings (for a "copy link" hint)."""
        parts = [f"{p.key}={p.encode(self.values[p.key])}" for p in self.params
                 if p.encode(self.values[p.key]) != p.encode(p.default)]
        return "?" + "&".join(parts) if parts else ""


def log_options(lo: float, hi: float, per_decade: tuple[float, ...] = (1, 2, 5)) -> tuple[float, ...]:
    """Nice log-spaced values (1, 2, 5 × 10^k) from lo to hi, for learning-rate sliders."""
    out = []
    k = math.floor(math.log10(lo)) - 1
    while True:
        for m in per_decade:
            v = float(f"{m * 10.0 ** k:.12g}")
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                out.append(v)
        if 10.0 ** k > hi:
            break
        k += 1
    return tuple(sorted(set(out)))
