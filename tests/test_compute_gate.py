"""ui.compute.gated: at most one heavy loop per core at a time, re-entrant, always released."""
import threading
import time

from ui import compute
from ui.gate import FairGate


def test_gate_admits_at_most_one_loop_per_slot_and_releases():
    inside, peak, lock = [0], [0], threading.Lock()

    def work():
        with compute.gated():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.05)            # hold the slot so the others must queue
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(3 * compute._SLOTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == compute._SLOTS
    assert compute._GATE.idle()          # every slot is free again afterwards


def test_gate_is_reentrant_and_released_after_an_error():
    try:
        with compute.gated():
            with compute.gated():       # nested heavy call in the same thread: no deadlock
                raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert compute._GATE.idle()


def test_waiters_are_served_in_arrival_order():
    gate = FairGate(1)
    first = gate.enter()
    assert gate.wait(first, timeout=0)
    later = [gate.enter() for _ in range(5)]
    order = []
    for t in later:
        assert not gate.wait(t, timeout=0)          # all queued behind the running one
    gate.leave(first)
    for _ in later:
        running = [t for t in later if gate.wait(t, timeout=0)]
        assert len(running) == 1
        order.append(later.index(running[0]))
        gate.leave(running[0])
        later[later.index(running[0])] = object()   # done: never admitted again
    assert order == [0, 1, 2, 3, 4]
    assert gate.idle()


def test_a_waiter_that_gives_up_leaves_the_queue():
    gate = FairGate(1)
    a, b, c = gate.enter(), gate.enter(), gate.enter()
    gate.leave(b)                                   # b's run was replaced before its turn
    gate.leave(a)
    assert gate.wait(c, timeout=0)                  # c is next, not stuck behind b
    gate.leave(c)
    assert gate.idle()


def test_requeue_hands_the_slot_to_the_longest_waiter():
    gate = FairGate(1)
    a = gate.enter()
    assert not gate.requeue(a)                      # nobody waiting: a keeps its slot
    assert gate.wait(a, timeout=0)
    b = gate.enter()
    assert gate.requeue(a)                          # b waited: b runs, a queues behind it
    assert gate.wait(b, timeout=0) and not gate.wait(a, timeout=0)
    gate.leave(b)
    assert gate.wait(a, timeout=0)
    gate.leave(a)
    assert gate.idle()


def test_a_long_loop_lets_a_later_short_request_finish_first(monkeypatch):
    """Round robin: a quick request does not wait for a whole long loop to end."""
    monkeypatch.setattr(compute, "_GATE", FairGate(1))
    monkeypatch.setattr(compute, "QUANTUM", 0.005)
    finished, started = [], threading.Event()

    def long_loop():
        with compute.gated() as progress:
            started.set()
            for i in range(25):                     # 0.25 s of "training", progress each step
                time.sleep(0.01)
                progress(i / 25)
        finished.append("long")

    def short_request():
        with compute.gated():
            finished.append("short")

    t_long = threading.Thread(target=long_loop)
    t_long.start()
    started.wait(5)
    t_short = threading.Thread(target=short_request)
    t_short.start()
    t_short.join(5)
    t_long.join(5)
    assert finished == ["short", "long"]
    assert compute._GATE.idle()
