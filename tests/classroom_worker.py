"""One app process against a class store, for tests/test_classroom_store.py.

Run as `python -m tests.classroom_worker open URL` or `... submit URL CODE NAME...`; it
prints one JSON list of error texts (empty when all went well). A plain subprocess, not
multiprocessing: a spawned child re-runs the parent's __main__, and after an AppTest has
run app.py in the same pytest process, __main__ is that page script (CI failed so)."""
from __future__ import annotations

import json
import sys
import threading

from classroom.store import ClassStore


def open_store(url: str) -> list[str]:
    try:
        ClassStore(url)
    except Exception as err:   # reported to the test, which fails
        return [repr(err)]
    return []


def learners_submit(url: str, code: str, names: list[str]) -> list[str]:
    """Its learners join at once, in threads, and each submits every answer twice."""
    store = ClassStore(url)
    errors: list[str] = []

    def learner(name):
        try:
            me = store.join(code, name)
            for task in ("t1", "t2", "t3"):
                for _ in range(2):
                    store.submit(code, me.token, "l", task, "prediction", number=float(len(name)))
        except Exception as err:   # reported to the test, which fails
            errors.append(repr(err))

    threads = [threading.Thread(target=learner, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


if __name__ == "__main__":
    action, url, *rest = sys.argv[1:]
    if action == "open":
        result = open_store(url)
    else:
        result = learners_submit(url, rest[0], rest[1:])
    print(json.dumps(result))
