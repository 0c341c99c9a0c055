"""A headless Streamlit client: one learner's session, speaking the browser's protocol.

What the browser does, as read in Streamlit 1.67's source (server:
web/server/starlette/starlette_websocket.py, runtime/app_session.py,
commands/navigation.py, runtime/pages_manager.py; browser: the bundled
static/static/js/index.*.js, App.sendRerunBackMsg / onPageChange):

* It opens a websocket to ``/_stcore/stream`` with the subprotocol list
  ``["streamlit", <xsrf token>, <session id to resume>]``. The server accepts the first
  entry as the subprotocol. The XSRF token is only checked (and only used, to read
  auth cookies) when the request has an Origin header; this client sends none.
* Everything it sends is a binary ``BackMsg`` protobuf. To run the script it sends
  ``BackMsg(rerun_script=ClientState(...))``:

  - first load of a URL: ``page_name`` = the URL path under the app ("" for the
    default page, "lr-sweep"...), ``page_script_hash`` = "", ``query_string`` = the
    URL's query without "?". st.navigation resolves the page by ``url_pathname``.
  - click on a page in the sidebar (``onPageChange``): ``page_script_hash`` = that
    page's hash, from the ``navigation`` ForwardMsg's ``app_pages``; ``page_name`` =
    ""; the query string is dropped (only params bound to widgets survive); widget
    states = those of widgets outside the main area (the sidebar), which stay.
  - widget change: ``page_script_hash`` = the current page, ``query_string`` = the
    address bar's (which the server updates with ``page_info_changed`` whenever the
    script writes st.query_params), and ``widget_states`` = the values of *every*
    active widget, the changed one included.

* The server answers with binary ``ForwardMsg`` protobufs: ``new_session`` (a run
  started), ``navigation`` (pages and their hashes), ``delta`` (elements; a widget's
  element carries its ``id``, options, default and, when the server overrides it,
  ``set_value`` + its value), ``page_info_changed``, ``page_not_found``, and
  ``script_finished`` (FINISHED_EARLY_FOR_RERUN when superseded by a newer run).
  Exceptions arrive as ``delta.new_element.exception`` (a generic one when
  client.showErrorDetails = "none") or ``session_event.script_compilation_exception``.

This client keeps, like the browser's WidgetStateManager, the current value of every
widget it has seen: the default, or the server's value when ``set_value`` is true, or
what it last sent. Widget values are encoded as each widget's ``value_type`` in 1.67:
slider -> double_array_value; select_slider, multiselect, segmented control/pills
(button_group) -> string_array_value of the formatted options; selectbox, radio,
text_input, text_area -> string_value; number_input -> double_value; checkbox/toggle
-> bool_value. Other widgets (buttons, data editors, uploaders...) are not sent, as a
browser does not send an unclicked button.

It sends no ``cached_message_hashes``, so the server sends every message in full
(a browser with a warm cache would get some as small ``ref_hash`` references).
"""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

SUPPORTED = ("slider", "number_input", "selectbox", "radio", "checkbox", "button_group", "multiselect",
             "text_input", "text_area")
# Widgets a learner would move to change "a setting", best first.
CHANGEABLE = ("slider", "number_input", "selectbox", "radio", "button_group", "checkbox")
PREFERRED_LABEL = re.compile(r"learning rate|\blr\b|step size|η", re.I)
_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
_MAIN, _SIDEBAR = 0, 1


@dataclass
class Widget:
    id: str
    kind: str            # the Element oneof name: "slider", "selectbox", ...
    proto: object        # the widget's element proto
    container: int       # delta_path root: 0 main, 1 sidebar

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    def options(self) -> list[str]:
        p = self.proto
        if self.kind == "button_group":
            return [o.content for o in p.options]
        return list(getattr(p, "options", []))

    def initial_state(self) -> WidgetState | None:
        """The value the browser holds for this widget after this run's delta."""
        p, k, ws = self.proto, self.kind, WidgetState(id=self.id)
        if k == "slider":
            if p.type == Slider.SELECT_SLIDER:
                opts = list(p.options)
                vals = list(p.raw_value) if p.set_value else [opts[int(i)] for i in p.default]
                ws.string_array_value.data[:] = vals
            else:
                ws.double_array_value.data[:] = list(p.value) if p.set_value else list(p.default)
        elif k == "number_input":
            if p.set_value and p.HasField("value"):
                ws.double_value = p.value
            elif p.HasField("default"):
                ws.double_value = p.default
            else:
                return None
        elif k in ("selectbox", "radio"):
            if p.set_value and p.HasField("raw_value"):
                ws.string_value = p.raw_value
            elif p.HasField("default"):
                ws.string_value = p.options[p.default]
            else:
                return None
        elif k == "checkbox":
            ws.bool_value = p.value if p.set_value else p.default
        elif k in ("button_group", "multiselect"):
            opts = self.options()
            ws.string_array_value.data[:] = list(p.raw_values) if p.set_value else [opts[i] for i in p.default]
        elif k in ("text_input", "text_area"):
            if p.set_value and p.HasField("value"):
                ws.string_value = p.value
            elif p.HasField("default"):
                ws.string_value = p.default
            else:
                return None
        else:
            return None
        return ws

    def alternatives(self, current: WidgetState | None, limit: int = 64) -> list[WidgetState]:
        """Up to `limit` values other than `current` that a learner could pick, in a
        fixed order (the options after the current one, then from the start; numbers
        stepping up from the current value, wrapping to the minimum)."""
        p, k, out = self.proto, self.kind, []
        if k in ("slider", "selectbox", "radio", "button_group") and self.options():
            opts = self.options()
            if k == "slider" or k == "button_group":
                cur = list(current.string_array_value.data) if current else []
                cur = cur[0] if cur else None
            else:
                cur = current.string_value if current else None
            start = opts.index(cur) + 1 if cur in opts else 0
            for j in range(len(opts)):
                o = opts[(start + j) % len(opts)]
                if o == cur:
                    continue
                ws = WidgetState(id=self.id)
                if k in ("selectbox", "radio"):
                    ws.string_value = o
                else:
                    ws.string_array_value.data[:] = [o]
                out.append(ws)
        elif k == "slider":
            vals = list(current.double_array_value.data) if current else list(p.default)
            step = p.step or (1 if p.data_type == Slider.INT else 0.01)
            for v in _grid(vals[0], p.min, p.max, step, limit):
                ws = WidgetState(id=self.id)
                ws.double_array_value.data[:] = [v] + vals[1:] if len(vals) < 2 else [v, max(v, vals[1])]
                out.append(ws)
        elif k == "number_input":
            cur = current.double_value if current else (p.default if p.HasField("default") else 0.0)
            step = p.step or (1 if p.data_type == p.INT else 0.01)
            lo = p.min if p.has_min else cur - limit * step
            hi = p.max if p.has_max else cur + limit * step
            for v in _grid(cur, lo, hi, step, limit):
                ws = WidgetState(id=self.id)
                ws.double_value = v
                out.append(ws)
        elif k == "checkbox":
            ws = WidgetState(id=self.id)
            ws.bool_value = not (current.bool_value if current else p.default)
            out.append(ws)
        return out[:limit]


def _grid(cur: float, lo: float, hi: float, step: float, limit: int) -> list[float]:
    """Values cur+step, cur+2·step, ... up to hi, then lo, lo+step, ... (not cur)."""
    n = int(round((hi - lo) / step)) + 1 if hi > lo else 1
    base = int(round((cur - lo) / step))
    out = []
    for j in range(1, min(n, limit + 1)):
        v = lo + ((base + j) % n) * step
        v = round(v, 12)
        if abs(v - cur) > step / 2:
            out.append(v)
    return out[:limit]


@dataclass
class RunResult:
    """One request (open a page / change a widget) and what the server did."""
    kind: str
    page: str
    seconds: float | None = None       # send -> script_finished; None if it never finished
    bytes: int = 0                     # ForwardMsg bytes received for the run
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    query_string: str = ""             # the address bar after the run
    detail: str = ""
    cpu: float | None = None           # server CPU s for this request (measured alone only)


class Learner:
    """One browser tab: a websocket session that opens pages and moves widgets."""

    def __init__(self, base_url: str, name: str = "learner", timeout: float = 90, headers: dict | None = None):
        self.ws_url = (base_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/")
                       + "/_stcore/stream")
        self.name, self.timeout = name, timeout
        self.headers = headers       # e.g. a proxy's affinity cookie (deploy/warmup.py)
        self.ws = None
        self.pages: dict[str, str] = {}          # url_pathname and title -> page_script_hash
        self.page_hash = ""                      # page of the last run
        self.query_string = ""
        self.widgets: dict[str, Widget] = {}     # active widgets (last run), in order
        self.values: dict[str, WidgetState] = {}  # what the browser holds for them

    async def connect(self) -> None:
        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], proxy=None, max_size=None,
                                open_timeout=self.timeout, ping_interval=None, compression=None,
                                additional_headers=self.headers)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    # ---- requests --------------------------------------------------------------------
    async def load(self, url_path: str = "", query: str = "", label: str | None = None) -> RunResult:
        """Open the app at /<url_path>?<query>, as typing the URL (or a shared link) does."""
        cs = ClientState(page_name=url_path, page_script_hash="", query_string=query.lstrip("?"))
        return await self._rerun(cs, "load", label or url_path or "home")

    async def click_page(self, page: dict) -> RunResult:
        """Click a page in the sidebar navigation (needs a previous run for the hashes)."""
        h = self.pages.get(page["url_path"]) or self.pages.get(page["title"])
        if not h:
            r = RunResult("open", page["name"])
            r.errors.append(f"page {page['title']!r} not in the navigation")
            return r
        cs = ClientState(page_script_hash=h, page_name="", query_string="")
        cs.widget_states.widgets.extend(self.values[w.id] for w in self.widgets.values()
                                        if w.container == _SIDEBAR and w.id in self.values)
        return await self._rerun(cs, "open", page["name"])

    def changeable(self) -> list[Widget]:
        """Widgets of the current page a learner might move, the preferred one first."""
        ws = [w for w in self.widgets.values() if w.kind in CHANGEABLE and not getattr(w.proto, "disabled", False)]
        ws.sort(key=lambda w: (not PREFERRED_LABEL.search(w.label or ""), w.container != _MAIN,
                               CHANGEABLE.index(w.kind)))
        return ws

    async def set_widget(self, state: WidgetState, page_name: str) -> RunResult:
        """Send a new value for one widget, with every other widget's current value."""
        self.values[state.id] = state
        cs = ClientState(page_script_hash=self.page_hash, page_name="", query_string=self.query_string)
        cs.widget_states.widgets.extend(self.values[i] for i in self.widgets if i in self.values)
        w = self.widgets.get(state.id)
        r = await self._rerun(cs, "change", page_name)
        r.detail = f"{w.label if w else state.id} = {show_value(state)}"
        return r

    # ---- the run loop ----------------------------------------------------------------
    async def _rerun(self, client_state: ClientState, kind: str, page_name: str) -> RunResult:
        r = RunResult(kind, page_name)
        if self.ws is None:
            r.errors.append("not connected")
            return r
        t0 = time.perf_counter()
        try:
            await self.ws.send(BackMsg(rerun_script=client_state).SerializeToString())
            await asyncio.wait_for(self._until_finished(r), self.timeout)
            r.seconds = time.perf_counter() - t0
        except asyncio.TimeoutError:
            r.errors.append(f"timeout after {self.timeout:g}s")
            await self.close()      # the run may still be going: start the next request afresh
        except ConnectionClosed as e:
            r.errors.append(f"disconnected: {e}")
            self.ws = None
        r.query_string = self.query_string
        return r

    async def _until_finished(self, r: RunResult) -> None:
        fresh: dict[str, Widget] = {}
        started = False
        while True:
            raw = await self.ws.recv()
            r.bytes += len(raw)
            r.messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            t = msg.WhichOneof("type")
            if t == "new_session":
                started, fresh = True, {}
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif t == "navigation":
                # The last navigation message of a run is st.navigation's. (Before it,
                # Streamlit may announce the pages/ folder as an MPA v1 app.)
                self.pages = {}
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
                    self.pages[p.page_name] = p.page_script_hash
                self.page_hash = msg.navigation.page_script_hash
            elif t == "delta" and msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                kind = el.WhichOneof("type")
                if kind == "exception":
                    r.errors.append("exception: " + (el.exception.type or "?") + " "
                                    + (el.exception.message or "(details hidden by client.showErrorDetails)")[:200])
                elif kind in SUPPORTED:
                    proto = getattr(el, kind)
                    path = list(msg.metadata.delta_path)
                    fresh[proto.id] = Widget(proto.id, kind, proto, path[0] if path else _MAIN)
            elif t == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif t == "page_not_found":
                r.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
            elif t == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                r.errors.append("compile error: " + msg.session_event.script_compilation_exception.message[:200])
            elif t == "script_finished" and started and msg.script_finished in _DONE:
                self._adopt(fresh)
                return

    def _adopt(self, fresh: dict[str, Widget]) -> None:
        """Keep the widgets of the finished run and the values the browser would hold."""
        self.widgets = fresh
        values = {}
        for wid, w in fresh.items():
            server = w.initial_state()
            if getattr(w.proto, "set_value", False) or wid not in self.values:
                if server is not None:
                    values[wid] = server
            else:
                values[wid] = self.values[wid]
        self.values = values


def show_value(ws: WidgetState) -> str:
    """A widget value as text, e.g. "0.5" or "['a', 'b']"."""
    v = ws.WhichOneof("value")
    x = getattr(ws, v) if v else None
    if hasattr(x, "data"):
        x = list(x.data)
        x = x[0] if len(x) == 1 else x
    return f"{x:g}" if isinstance(x, float) else str(x)


def load_page(base_url: str, page: str, headers: dict | None = None, timeout: float = 120) -> RunResult:
    """Open one page on a new session and close it: a synchronous call for scripts and
    tests. It runs its event loop in a thread of its own, because a caller's thread may
    already have one running (Playwright's sync API keeps one in the main thread once it
    has been used), and asyncio.run refuses to start inside it."""
    import concurrent.futures

    async def go():
        learner = Learner(base_url, timeout=timeout, headers=headers)
        await learner.connect()
        try:
            return await learner.load(page)
        finally:
            await learner.close()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()
