"""ui.workers: training in worker processes gives the same numbers as training in the
server process, reports progress, can be cancelled, shares a worker's core fairly, and
survives a worker that dies. The browser tests run the real server with its workers."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import dlcore
from ui import compute, gate, workers


def _runs(n, opt="adam", lr=0.01):
    return tuple(dlcore.RunSpec(dlcore.OptimizerSpec.make(opt, lr=lr), seed=s) for s in range(n))


def _until(cond, limit=60.0):
    """Poll until ``cond()``; fail (not hang) if it never holds."""
    end = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < end, "condition never held"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def pool():
    p = workers.Pool(1)
    yield p
    p.close()


# ---- how many workers -----------------------------------------------------------------

@pytest.mark.parametrize("value, cpus, expected", [
    ("0", 2, 0), ("3", 2, 3), ("-5", 2, 0), ("999", 2, workers.MAX_WORKERS), (" 2 ", 1, 2),
    ("auto", 1, 0),      # one core: a worker would only add copying
    ("auto", 2, 1),      # one core stays with the server process, which draws the pages
    ("", 3, 2), ("AUTO", 16, 4), ("lots", 2, 1), ("1e9", 3, 2)])
def test_configured_workers(monkeypatch, value, cpus, expected):
    monkeypatch.setattr(workers, "effective_cpus", lambda: cpus)
    assert workers.configured_workers(value) == expected


@pytest.mark.parametrize("cpu_max, expected", [
    ("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000\n", 1), ("garbage\n", None)])
def test_effective_cpus_honours_a_cgroup_quota(tmp_path, monkeypatch, cpu_max, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    f = tmp_path / "cpu.max"
    f.write_text(cpu_max)
    monkeypatch.setattr(gate, "CGROUP_CPU_MAX", str(f))
    assert gate.effective_cpus() == (8 if expected is None else expected)


def test_effective_cpus_without_a_cgroup_file(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(gate, "CGROUP_CPU_MAX", str(tmp_path / "missing"))
    assert gate.effective_cpus() == 3


# ---- the pool -------------------------------------------------------------------------

def test_a_worker_computes_what_the_server_process_computes(pool):
    problem, runs = dlcore.SumOfThree(), _runs(20)
    config = dlcore.TrainConfig(steps=200)
    here = dlcore.train(problem, runs, config)
    there = pool.call(dlcore.train, problem, runs, config)
    assert os.getpid() not in pool.pids()
    np.testing.assert_array_equal(there.loss, here.loss)
    np.testing.assert_array_equal(there.final_params, here.final_params)


def test_keyword_arguments_and_the_sweep_travel_too(pool):
    from dlcore.sweep import lr_sweep
    lrs = (0.001, 0.01, 0.1, 1.0)
    opt = dlcore.OptimizerSpec.make("sgd", lr=0.01)
    res_here, table_here = lr_sweep(dlcore.LINE_FIT, opt, lrs, steps=300, seed=3)
    res_there, table_there = pool.call(lr_sweep, dlcore.LINE_FIT, opt, lrs, steps=300, seed=3)
    np.testing.assert_array_equal(res_there.loss, res_here.loss)
    assert table_there.equals(table_here)


def test_errors_come_back_with_their_type_and_message(pool):
    with pytest.raises(ValueError, match="steps must be"):
        pool.call(dlcore.TrainConfig, steps=-1)
    # A result that cannot be pickled is an error for that call, not a broken pipe.
    with pytest.raises(TypeError, match="pickle"):
        pool.call(threading.Lock)
    assert pool.call(os.getpid) in pool.pids()     # the worker still answers


def test_progress_is_reported_and_a_cancelled_job_stops(pool):
    long = dlcore.TrainConfig(steps=dlcore.MAX_STEPS)
    job = pool.submit(dlcore.train, (dlcore.SumOfThree(), _runs(50), long), {}, wants_progress=True)
    _until(lambda: job.started and job.frac > 0)
    assert 0 < job.frac < 1
    job.cancel()
    with pytest.raises(workers.Cancelled):
        job.outcome()
    # The worker is free again: a new call is answered.
    assert pool.call(os.getpid) in pool.pids()


def test_a_quick_job_is_not_stuck_behind_a_long_one_on_the_same_worker(pool):
    long = pool.submit(dlcore.train, (dlcore.SumOfThree(), _runs(50), dlcore.TrainConfig(steps=dlcore.MAX_STEPS)),
                       {}, wants_progress=True)
    _until(lambda: long.started)
    quick = pool.submit(dlcore.train, (dlcore.LINE_FIT, _runs(1, "sgd"), dlcore.TrainConfig(steps=20)), {},
                        wants_progress=True)
    result = quick.outcome()                     # served within the long job's round robin
    assert result.loss.shape[0] == 21
    assert not long.done()                       # the long job was still running meanwhile
    long.cancel()
    with pytest.raises(workers.Cancelled):
        long.outcome()


def test_a_worker_that_dies_fails_its_job_and_is_replaced():
    p = workers.Pool(1)
    try:
        job = p.submit(dlcore.train, (dlcore.SumOfThree(), _runs(50), dlcore.TrainConfig(steps=dlcore.MAX_STEPS)),
                       {}, wants_progress=True)
        _until(lambda: job.started)
        dead = p.pids()[0]
        os.kill(dead, signal.SIGKILL)
        with pytest.raises(workers.WorkerLost, match="stopped"):
            job.outcome()
        assert p.call(os.getpid) not in (dead, os.getpid())
    finally:
        p.close()


# ---- compute.offload ------------------------------------------------------------------

def test_offload_uses_the_pool_and_matches_in_process(pool, monkeypatch):
    problem, runs, config = dlcore.LINE_FIT, _runs(3, "sgd"), dlcore.TrainConfig(steps=150)
    monkeypatch.setattr(workers, "_pool", None)
    local = compute.offload(dlcore.train, problem, runs, config)
    seen = []
    real_submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda *a, **k: seen.append(a[0]) or real_submit(*a, **k))
    monkeypatch.setattr(workers, "_pool", pool)
    remote = compute.offload(dlcore.train, problem, runs, config)
    assert seen == [dlcore.train]                # it went to the worker
    np.testing.assert_array_equal(remote.loss, local.loss)


def test_offload_passes_progress_only_to_functions_that_take_it(pool, monkeypatch):
    from dlcore.reference import torch_run
    problem = dlcore.SumOfThree()
    run, config = _runs(1, "sgd")[0], dlcore.TrainConfig(steps=30)
    monkeypatch.setattr(workers, "_pool", pool)
    remote = compute.offload(torch_run, problem, run, config)
    np.testing.assert_array_equal(remote.loss, torch_run(problem, run, config).loss)


def test_a_stopped_run_cancels_its_workers_job(pool, monkeypatch):
    """When Streamlit stops a run (the learner changed a setting), the progress bar's next
    update raises inside offload; the job on the worker must stop too, not burn the core."""
    class Stopped(Exception):
        pass

    class StoppingBar:
        def __init__(self, text):
            pass

        def __call__(self, frac, text=None):
            raise Stopped           # what Streamlit's stop/rerun request does at a Streamlit call

        def done(self):
            pass

    jobs = []
    real_submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda *a, **k: jobs.append(real_submit(*a, **k)) or jobs[-1])
    monkeypatch.setattr(workers, "_pool", pool)
    monkeypatch.setattr(compute, "_Progress", StoppingBar)
    with pytest.raises(Stopped):
        compute.offload(dlcore.train, dlcore.SumOfThree(), _runs(50), dlcore.TrainConfig(steps=dlcore.MAX_STEPS))
    assert len(jobs) == 1
    with pytest.raises(workers.Cancelled):
        jobs[0].outcome()
    assert pool.call(os.getpid) in pool.pids()


def test_a_pool_that_cannot_start_is_not_retried_on_every_rerun(monkeypatch):
    """app.py calls start() on every rerun: a failed start must leave training in-process
    once, not try to start processes again for every page a learner opens."""
    attempts = []

    def broken_pool(n):
        attempts.append(n)
        raise OSError("no room for another process")

    monkeypatch.setattr(workers, "Pool", broken_pool)
    monkeypatch.setattr(workers, "_pool", None)
    monkeypatch.setattr(workers, "_failed", False)
    for _ in range(3):
        workers.start(1, wait=True)
    assert attempts == [1]
    assert workers.pool() is None
    # ...and the pages still train, in-process.
    res = compute.offload(dlcore.train, dlcore.LINE_FIT, _runs(1, "sgd"), dlcore.TrainConfig(steps=5))
    assert res.loss.shape[0] == 6
