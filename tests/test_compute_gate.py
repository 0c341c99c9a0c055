"""ui.compute.gated: at most one heavy loop per core at a time, re-entrant, always released."""
import threading
import time

from ui import compute


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
    # Every slot is free again afterwards.
    assert all(compute._GATE.acquire(blocking=False) for _ in range(compute._SLOTS))
    for _ in range(compute._SLOTS):
        compute._GATE.release()


def test_gate_is_reentrant_and_released_after_an_error():
    try:
        with compute.gated():
            with compute.gated():       # nested heavy call in the same thread: no deadlock
                raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert all(compute._GATE.acquire(blocking=False) for _ in range(compute._SLOTS))
    for _ in range(compute._SLOTS):
        compute._GATE.release()
