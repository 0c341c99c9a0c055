"""Heavy dlcore calls in worker processes, so a class of learners uses every core.

Why: every learner's session is a thread of one Streamlit process, and one process runs
Python on one core at a time (the GIL). The training loops are thousands of tiny torch
ops, bound by Python, so with ten learners at once the server never used more than about
1.1 of its 2 cores (bench/README.md). With the loops in worker processes, training runs
on every core while the Streamlit process draws pages.

How: a forkserver that has imported torch and dlcore once forks the workers, so they
share those pages (a worker starts with a few MB of its own instead of ~290 MB, and
grows to ~110–170 MB as its jobs touch objects it shares with the forkserver).
Each worker reads jobs from its pipe and runs each in a thread; the threads share the
worker's core through a ``FairGate(1)`` with the same round-robin quantum the in-process
path uses, so a quick job never waits behind a whole sweep. Progress comes back over the
pipe; the session's thread turns it into a progress bar (a Streamlit call, which is where
Streamlit stops a run the learner has replaced) and, when its run is stopped, cancels the
job: the worker raises at the job's next progress call and the core is free again.

Nothing here imports Streamlit: the workers import this module.

Messages, as tuples (payloads are pickled separately, so one bad payload fails one job
and never the pipe):
  to a worker     ("run", jid, payload), ("cancel", jid)
  from a worker   ("start", jid), ("progress", jid, frac, text), ("done", jid, payload),
                  ("error", jid, payload), ("cancelled", jid)
"""
from __future__ import annotations

import gc
import itertools
import multiprocessing as mp
import multiprocessing.spawn
import os
import pickle
import threading
import time

from ui.gate import QUANTUM, FairGate, effective_cpus

# Imported once by the forkserver, shared by every worker it forks.
PRELOAD = ["torch", "numpy", "pandas", "dlcore", "dlcore.sweep", "dlcore.inspect_step",
           "dlcore.optstate", "dlcore.reference", "dlcore.sparse", "ui.workers"]
MAX_WORKERS = 8
PROGRESS_EVERY = 0.1       # s between progress messages from a job


class Cancelled(Exception):
    """Raised inside a worker's job when the run that asked for it has been stopped."""


class WorkerLost(RuntimeError):
    """The worker process running a job exited (killed, or out of memory)."""


def configured_workers(value: str | None = None) -> int:
    """Worker processes to start, from ``GDL_WORKERS``: ``auto`` (the default) is one per
    usable core but one, which the server process keeps for drawing pages, at most 4;
    none on one core (a worker would only add copying). A number is clamped to
    0..MAX_WORKERS; 0 trains in the server process.

    Measured on 2 cores, 10 learners clicking without pause (bench/README.md): one worker
    answered as fast as two (p95 3.0 s and 3.5 s, against 10.4 s with none), and a
    worker costs ~170 MB, so auto gives one."""
    value = os.environ.get("GDL_WORKERS", "auto") if value is None else value
    value = value.strip().lower()
    if value in ("", "auto"):
        return min(effective_cpus() - 1, 4)
    try:
        return min(max(int(value), 0), MAX_WORKERS)
    except ValueError:
        return configured_workers("auto")


# multiprocessing re-runs the parent's __main__ in every child it starts (for functions
# defined there). Under Streamlit, __main__ is whichever page script is running, so each
# worker would execute a page (importing Streamlit, Altair and scikit-learn): measured, a
# worker then held ~240 MB of its own. Workers need nothing from __main__ — their target
# lives in this module — so for our processes only, that step is left out.
_WORKER_NAME = "gdl-worker-"
_preparation_data = multiprocessing.spawn.get_preparation_data


def _without_main(name):
    data = _preparation_data(name)
    if str(name).startswith(_WORKER_NAME):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


multiprocessing.spawn.get_preparation_data = _without_main


def _portable(exc: BaseException) -> bytes:
    """The exception pickled; if it will not pickle, a RuntimeError with its text."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
        return data
    except Exception:                                            # noqa: BLE001
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


# ---- the worker process ---------------------------------------------------------------

class _Jobs:
    """A worker's jobs: one thread each, taking turns through a round-robin gate, with
    progress and results sent back over the pipe (one send at a time)."""

    def __init__(self, conn):
        self.conn, self.gate = conn, FairGate(1)
        self.send_lock = threading.Lock()
        self.cancelled: set = set()

    def send(self, msg) -> None:
        with self.send_lock:
            self.conn.send(msg)

    def wait_turn(self, jid: int, ticket) -> float:
        while not self.gate.wait(ticket, 0.05):
            if jid in self.cancelled:
                raise Cancelled
        return time.monotonic()

    def progress_for(self, jid: int, ticket, turn: list):
        """The job's progress callback: reports every PROGRESS_EVERY s, stops a cancelled
        job, and hands the core over after each QUANTUM."""
        last = [0.0]

        def progress(frac: float, text: str | None = None) -> None:
            if jid in self.cancelled:
                raise Cancelled
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                self.send(("progress", jid, float(frac), text))
                last[0] = now
            if now - turn[0] > QUANTUM and self.gate.requeue(ticket):
                turn[0] = self.wait_turn(jid, ticket)
        return progress

    def run(self, jid: int, payload: bytes) -> None:
        ticket = self.gate.enter()
        try:
            fn, args, kwargs, wants_progress = pickle.loads(payload)
            turn = [self.wait_turn(jid, ticket)]
            self.send(("start", jid))
            if wants_progress:
                kwargs = {**kwargs, "progress": self.progress_for(jid, ticket, turn)}
            out = fn(*args, **kwargs)
            msg = ("done", jid, pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
        except Cancelled:
            msg = ("cancelled", jid)
        except BaseException as e:                               # noqa: BLE001 - reported to the caller
            msg = ("error", jid, _portable(e))
        finally:
            self.gate.leave(ticket)
            self.cancelled.discard(jid)
        try:
            self.send(msg)
        except (BrokenPipeError, OSError):
            os._exit(0)          # the server has gone


def serve(conn) -> None:
    """A worker's main loop: read messages until the pipe closes, one thread per job."""
    # What the forkserver imported is shared with it page by page until written to; the
    # collector writes to every object it visits, so inherited objects leave its view.
    gc.freeze()
    import torch
    torch.set_num_threads(1)     # the cores are shared by processes, not by intra-op threads
    jobs = _Jobs(conn)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg[0] == "run":
            threading.Thread(target=jobs.run, args=msg[1:], name=f"job-{msg[1]}", daemon=True).start()
        elif msg[0] == "cancel":
            jobs.cancelled.add(msg[1])
    os._exit(0)


# ---- the server side ------------------------------------------------------------------

class Job:
    """One submitted call. ``frac``/``text`` follow its progress; ``started`` is False
    while it waits for its worker's core."""

    def __init__(self, jid: int, worker: "_Worker"):
        self.jid, self.worker = jid, worker
        self.started, self.frac, self.text = False, 0.0, None
        self._done = threading.Event()
        self._kind: str | None = None
        self._payload: bytes | BaseException | None = None

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def done(self) -> bool:
        return self._done.is_set()

    def _finish(self, kind: str, payload=None) -> None:
        self._kind, self._payload = kind, payload
        self._done.set()

    def outcome(self):
        """The call's return value, or its exception raised here."""
        self._done.wait()
        if self._kind == "done":
            return pickle.loads(self._payload)
        if self._kind == "error":
            raise pickle.loads(self._payload)
        if self._kind == "lost":
            raise self._payload
        raise Cancelled(f"job {self.jid} was cancelled")

    def cancel(self) -> None:
        """Stop the job at its next progress call (no-op once it has finished)."""
        if not self._done.is_set():
            self.worker.send(("cancel", self.jid))


class _Worker:
    def __init__(self, ctx, index: int):
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child,), name=f"{_WORKER_NAME}{index}", daemon=True)
        self.proc.start()
        child.close()
        self.conn, self.jobs, self.alive = parent, {}, True
        self._send_lock, self._jobs_lock = threading.Lock(), threading.Lock()
        threading.Thread(target=self._read, name=f"gdl-worker-{index}-reader", daemon=True).start()

    def load(self) -> int:
        return len(self.jobs)

    def add(self, job: Job) -> None:
        with self._jobs_lock:
            self.jobs[job.jid] = job

    def send(self, msg) -> None:
        try:
            with self._send_lock:
                self.conn.send(msg)
        except (BrokenPipeError, OSError, ValueError):
            self._lost()

    def _read(self) -> None:
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                break
            kind, jid = msg[0], msg[1]
            job = self.jobs.get(jid)
            if job is None:
                continue
            if kind == "start":
                job.started = True
            elif kind == "progress":
                job.frac, job.text = msg[2], msg[3]
            else:
                with self._jobs_lock:
                    self.jobs.pop(jid, None)
                job._finish(kind, msg[2] if len(msg) > 2 else None)
        self._lost()

    def _lost(self) -> None:
        self.alive = False
        with self._jobs_lock:
            jobs, self.jobs = list(self.jobs.values()), {}
        for job in jobs:
            job._finish("lost", WorkerLost("The server's training process stopped while running this "
                                           "request (it may have run out of memory)."))

    def close(self) -> None:
        self.alive = False
        try:
            self.conn.close()
        except OSError:
            pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()


class Pool:
    """``n`` worker processes; each call goes to the worker with the fewest jobs."""

    def __init__(self, n: int):
        if n < 1:
            raise ValueError(f"a pool needs at least one worker, got {n}")
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(PRELOAD)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.workers = [_Worker(self.ctx, i) for i in range(n)]

    def submit(self, fn, args: tuple = (), kwargs: dict | None = None, wants_progress: bool = False) -> Job:
        """Start ``fn(*args, **kwargs)`` (with ``progress=`` if ``wants_progress``) on a
        worker. ``fn`` must be importable by name (a module-level function)."""
        payload = pickle.dumps((fn, tuple(args), dict(kwargs or {}), wants_progress),
                               protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            for i, w in enumerate(self.workers):
                if not w.alive:                 # replace a worker that died
                    w.close()
                    self.workers[i] = _Worker(self.ctx, i)
            worker = min(self.workers, key=_Worker.load)
            job = Job(next(self._ids), worker)
            worker.add(job)
        worker.send(("run", job.jid, payload))
        return job

    def call(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` on a worker, waiting for the answer (no progress)."""
        return self.submit(fn, args, kwargs).outcome()

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.workers]

    def close(self) -> None:
        with self._lock:
            for w in self.workers:
                w.close()


# ---- the process-wide pool ------------------------------------------------------------

_pool: Pool | None = None
_starting = False
_failed = False
_start_lock = threading.Lock()


def start(n: int | None = None, wait: bool = False) -> None:
    """Start the process-wide pool once (``n`` defaults to ``configured_workers()``), in
    the background unless ``wait``: until it is ready, ``pool()`` is None and callers
    train in their own thread, so the first learner never waits for the workers. app.py
    calls this on every rerun, so after the first call it returns at once; if the pool
    could not start, it is not tried again (training stays in-process)."""
    global _starting
    if _pool is not None or _starting or _failed:
        return
    n = configured_workers() if n is None else n
    with _start_lock:
        if _pool is not None or _starting or _failed or n < 1:
            return
        _starting = True

    def boot() -> None:
        global _pool, _starting, _failed
        p = None
        try:
            p = Pool(n)
            pings = [p.submit(os.getpid) for _ in p.workers]   # one per worker (fewest jobs first)
            for job in pings:                 # every worker answers before the pool is used
                job.outcome()
            _pool = p
        except Exception:                                        # noqa: BLE001
            _failed = True                    # no workers: everything trains in-process
            if p is not None:
                p.close()
        finally:
            _starting = False

    if wait:
        boot()
    else:
        threading.Thread(target=boot, name="gdl-workers-start", daemon=True).start()


def pool() -> Pool | None:
    return _pool
