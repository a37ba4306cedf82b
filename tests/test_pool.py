"""The worker pool keeps a run going when a worker dies between batches.

A backend that corrupts its heap can answer a batch and abort a moment later
(MLX, seen on ``ops.image.sobel_edges``): the engine then finds the worker's
channel closed when it sends the next batch. That batch must go to a fresh
worker, and the other adapters' workers must not notice.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from conformance.adapter import OP, Case
from conformance.pool import CRASH, Worker, WorkerPool
from conformance.registry import AdapterInfo

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

from faulty_adapters import FaultyLateExit, Honest  # noqa: E402


@pytest.fixture(autouse=True)
def _faulty_adapters_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # the worker imports faulty_adapters by name; it inherits this environment
    path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)


def info(cls: type[Honest]) -> AdapterInfo:
    return AdapterInfo(id=cls.id, reference=f"faulty_adapters:{cls.__name__}", cls=cls)


def add_case(value: float) -> Case:
    x = np.array([value, 2.0], np.float32)
    return Case(OP, "ops.numpy.add", "values", [x, x])


def exp_case() -> Case:
    return Case(OP, "ops.numpy.exp", "values", [np.array([0.0, 1.0], np.float32)])


@contextlib.contextmanager
def running(cls: type[Honest], tmp_path: Path, case_timeout: float = 30) -> Iterator[Worker]:
    """A started worker of ``cls``, stopped at the end."""
    worker = Worker(info(cls), case_timeout=case_timeout, log_dir=str(tmp_path))
    worker.start()
    worker.wait_ready()
    try:
        yield worker
    finally:
        worker.stop()


def wait_closed(worker: Worker, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while worker.alive():
        assert time.monotonic() < deadline, "the worker did not exit"
        time.sleep(0.05)


def test_a_worker_that_exits_after_answering_is_restarted_at_the_next_send(tmp_path: Path) -> None:
    with running(FaultyLateExit, tmp_path) as worker:
        worker.send([add_case(1.0)])
        [answer] = worker.receive()
        assert answer.status == "ok"
        np.testing.assert_array_equal(answer.outputs["out"], [2.0, 4.0])
        wait_closed(worker)

        worker.send([exp_case()])  # raised "cannot send (already closed?)" before
        [answer] = worker.receive()
        assert answer.status == "ok", answer.reason
        np.testing.assert_allclose(answer.outputs["out"], np.exp([0.0, 1.0]), rtol=1e-6)
        assert worker.restarts == 1
        assert worker.incidents == [
            "faulty-late-exit: the worker exited after answering a batch of ops.numpy.add"]


def test_a_worker_that_cannot_restart_gives_crash_verdicts(tmp_path: Path) -> None:
    worker = Worker(info(FaultyLateExit), case_timeout=30, log_dir=str(tmp_path))
    worker.start()
    worker.wait_ready()
    worker.send([add_case(1.0)])
    worker.receive()
    wait_closed(worker)
    worker.info = AdapterInfo(id="faulty-late-exit", reference="faulty_adapters:NoSuchClass",
                              cls=FaultyLateExit)
    worker.send([exp_case(), exp_case()])  # must not raise
    answers = worker.receive()
    assert [a.status for a in answers] == [CRASH, CRASH]
    assert "worker could not be restarted" in answers[0].reason
    assert "NoSuchClass" in answers[0].reason
    worker.stop()


def test_other_adapters_are_untouched_by_a_late_exit(tmp_path: Path) -> None:
    pool = WorkerPool([info(Honest), info(FaultyLateExit)], case_timeout=30, log_dir=str(tmp_path))
    pool.start()
    try:
        assert not pool.start_errors
        first = pool.run({"honest-numpy": [add_case(1.0)], "faulty-late-exit": [add_case(1.0)]})
        assert [o.status for answers in first.values() for o in answers] == ["ok", "ok"]
        honest = pool.workers["honest-numpy"].members[0]
        wait_closed(pool.workers["faulty-late-exit"].members[0])

        # the late exit is found first in the submit order: the honest worker must still get its batch
        second = pool.run({"faulty-late-exit": [exp_case()] * 3, "honest-numpy": [exp_case()] * 3})
        for adapter, answers in second.items():
            assert [o.status for o in answers] == ["ok"] * 3, (adapter, answers)
        assert honest.restarts == 0
        assert len(pool.incidents()) == 1
    finally:
        pool.close()


def test_a_case_sent_to_several_adapters_is_encoded_once(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.pool as pool_module

    encoded: list[int] = []
    real_encode = pool_module.encode

    def counting_encode(value: object) -> object:
        encoded.append(1)
        return real_encode(value)

    monkeypatch.setattr(pool_module, "encode", counting_encode)
    pool = WorkerPool([info(Honest)], case_timeout=30, log_dir=str(tmp_path))
    twin = AdapterInfo(id="honest-twin", reference="faulty_adapters:Honest", cls=Honest)
    pool.workers["honest-twin"] = pool_module.WorkerGroup(twin, 30, str(tmp_path))
    pool.start()
    try:
        cases = [add_case(1.0), exp_case()]
        answers = pool.run({"honest-numpy": cases, "honest-twin": cases})
        assert len(encoded) == 2  # two cases, two adapters: each case encoded once
        for outcomes in answers.values():
            assert [o.status for o in outcomes] == ["ok", "ok"]
            np.testing.assert_array_equal(outcomes[0].outputs["out"], [2.0, 4.0])
    finally:
        pool.close()


# -- batches sent before the one ahead is answered (the runner keeps one in flight ahead) --
def sin_case() -> Case:
    return Case(OP, "ops.numpy.sin", "values", [np.array([0.0, 1.0], np.float32)])


def test_a_batch_queued_behind_a_late_exit_is_answered_by_a_fresh_worker(tmp_path: Path) -> None:
    """The worker dies after answering the first batch, in the second, already in its channel:
    the death is the first batch's doing, so the second is run again by a fresh worker."""
    with running(FaultyLateExit, tmp_path) as worker:
        worker.send([add_case(1.0)])
        worker.send([sin_case()])  # queued while the first runs; slow enough for the exit to land in it
        [first] = worker.receive()
        assert first.status == "ok"
        second = worker.receive()
        assert [a.status for a in second] == ["ok"], second
        np.testing.assert_allclose(second[0].outputs["out"], np.sin([0.0, 1.0]), rtol=1e-6)
        assert worker.restarts == 1
        assert worker.incidents == [
            "faulty-late-exit: the worker exited after answering a batch of ops.numpy.add"]


def test_a_crash_in_a_queued_batch_is_its_own_verdict_and_the_next_batch_runs(tmp_path: Path) -> None:
    from faulty_adapters import FaultyCrash

    with running(FaultyCrash, tmp_path) as worker:
        worker.send([exp_case()])
        worker.send([add_case(1.0)])  # kills the process, every time it runs
        worker.send([exp_case()])
        assert [a.status for a in worker.receive()] == ["ok"]
        crashed = worker.receive()
        assert [a.status for a in crashed] == [CRASH]
        assert "worker process died" in crashed[0].reason
        assert [a.status for a in worker.receive()] == ["ok"]


def test_a_batch_queued_behind_a_timeout_is_answered_by_a_fresh_worker(tmp_path: Path) -> None:
    from faulty_adapters import FaultyTimeout

    from conformance.pool import TIMEOUT

    with running(FaultyTimeout, tmp_path, case_timeout=1) as worker:
        worker.send([add_case(1.0)])  # never answers
        worker.send([exp_case()])
        assert [a.status for a in worker.receive()] == [TIMEOUT]
        [answer] = worker.receive()
        assert answer.status == "ok", answer.reason
        np.testing.assert_allclose(answer.outputs["out"], np.exp([0.0, 1.0]), rtol=1e-6)
