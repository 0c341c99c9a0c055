"""Fair sharing of compute slots among concurrent training jobs.

No Streamlit here: the worker processes (ui/workers.py) share their core between jobs
with the same gate the in-process path uses (ui/compute.py).
"""
from __future__ import annotations

import collections
import math
import os
import threading

# A slot is held for at most QUANTUM seconds at a time while others wait: then the loop
# hands it to the longest waiter and queues again (round robin). Under FIFO alone a quick
# request waited behind a whole 10-second sweep; measured with 10 learners at once, the
# requests' p95 was 13 s while their median was 0.5 s.
QUANTUM = 0.2
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"


def effective_cpus() -> int:
    """Cores this process may really use: the CPU affinity mask, capped by a cgroup v2 CPU
    quota (a container commonly sees all of the host's cores in os.cpu_count() while its
    quota lets it use only one or two)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    try:
        with open(CGROUP_CPU_MAX) as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            n = min(n, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


class FairGate:
    """A first-come-first-served semaphore: waiters are served in arrival order, so no
    learner's request starves behind later ones (a plain semaphore polled with a timeout
    let some wait for minutes under load). A holder may ``requeue`` to share its slot."""

    def __init__(self, slots: int):
        self.slots = slots
        self._cv = threading.Condition()
        self._queue: collections.deque = collections.deque()
        self._running: set = set()

    def enter(self) -> object:
        ticket = object()
        with self._cv:
            self._queue.append(ticket)
            self._admit()
        return ticket

    def _admit(self) -> None:
        while self._queue and len(self._running) < self.slots:
            self._running.add(self._queue.popleft())
        self._cv.notify_all()

    def wait(self, ticket, timeout: float) -> bool:
        """True once ``ticket`` may run; False after ``timeout`` seconds of waiting."""
        with self._cv:
            return self._cv.wait_for(lambda: ticket in self._running, timeout=timeout)

    def requeue(self, ticket) -> bool:
        """Give the slot to the longest waiter and queue again at the back. False (and
        keep the slot) if nobody is waiting or ``ticket`` is not running."""
        with self._cv:
            if not self._queue or ticket not in self._running:
                return False
            self._running.discard(ticket)
            self._queue.append(ticket)
            self._admit()
            return True

    def leave(self, ticket) -> None:
        with self._cv:
            if ticket in self._running:
                self._running.discard(ticket)
            else:
                try:
                    self._queue.remove(ticket)
                except ValueError:
                    pass
            self._admit()

    def idle(self) -> bool:
        with self._cv:
            return not self._running and not self._queue
