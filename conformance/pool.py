"""Adapter workers: one execnet gateway (one process) per adapter.

The pool starts every selected adapter's worker once per run, in parallel,
sends cases as wire messages and turns a worker that dies, hangs past its
per-case timeout or answers nonsense into a verdict for that case
("crash", "timeout", "malformed"); the worker is then restarted and the run
goes on.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import tempfile
import time
from collections.abc import Sequence

import execnet

import conformance
from conformance.adapter import Case, Outcome
from conformance.registry import AdapterInfo
from conformance.wire import decode, encode

# Verdict statuses produced by the pool itself, next to an Outcome's own.
CRASH, TIMEOUT, MALFORMED = "crash", "timeout", "malformed"

# Backends run single-threaded: on 2 shared cores, torch's and XLA's default
# thread pools stall small calls for milliseconds (DESIGN.md, measured).
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
}


def encode_cases(cases: Sequence[Case]) -> list[dict]:
    return [encode(case.to_wire()) for case in cases]


class WorkerStartError(Exception):
    pass


@dataclasses.dataclass
class _Batch:
    """A batch sent to a worker and not yet answered."""

    message: dict
    count: int
    apis: list[str]
    #: in the worker's channel (False: sent when it is the next to be answered)
    delivered: bool = False
    #: delivered while an earlier batch was unanswered
    behind: bool = False
    #: why it could not be delivered: every case's verdict
    failure: str | None = None


class Worker:
    """One adapter's worker process, restartable."""

    def __init__(self, info: AdapterInfo, case_timeout: float = 60.0,
                 start_timeout: float = 300.0, log_dir: str | None = None, index: int = 0) -> None:
        self.info = info
        self.case_timeout = case_timeout
        self.start_timeout = start_timeout
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="keras-conformance-")
        suffix = f".{index}" if index else ""
        self.log_path = os.path.join(self.log_dir, f"{info.id}{suffix}.log")
        self.description: dict | None = None
        self.restarts = 0
        #: what happened that no verdict shows: a worker that exited after answering
        self.incidents: list[str] = []
        #: batches sent and not yet answered, oldest first
        self._batches: collections.deque[_Batch] = collections.deque()
        self._last_apis: list[str] = []
        self._group: execnet.Group | None = None
        self._channel = None

    # -- life cycle ---------------------------------------------------------
    def spec(self) -> str:
        env = dict(SINGLE_THREAD_ENV)
        assert self.info.cls is not None
        env.update(self.info.cls.environment)
        parts = ["popen", f"python={self.info.python}"]
        parts += [f"env:{k}={v}" for k, v in env.items()]
        return "//".join(parts)

    def start(self) -> None:
        """Spawn the process and ask it to set the adapter up (non-blocking)."""
        self._group = execnet.Group()
        gateway = self._group.makegateway(self.spec())
        assert self.info.cls is not None
        if self.info.cls.env_requirements:  # an interpreter of its own: links only, no site-packages
            from conformance.envs import shim_for

            path = shim_for(self.info.id, self.info.reference.partition(":")[0])
        else:
            path = os.path.dirname(os.path.dirname(os.path.realpath(conformance.__file__)))
        source = (
            "import sys\n"
            f"sys.path.insert(0, {path!r})\n"
            "from conformance.worker import serve\n"
            f"serve(channel, {self.info.reference!r}, {self.log_path!r})\n"
        )
        self._channel = gateway.remote_exec(source)

    def wait_ready(self) -> dict:
        assert self._channel is not None
        try:
            message = self._channel.receive(timeout=self.start_timeout)
        except self._channel.TimeoutError as exc:
            self.kill()
            raise WorkerStartError(
                f"adapter {self.info.id}: worker did not start within {self.start_timeout:.0f} s"
            ) from exc
        except (EOFError, OSError, execnet.RemoteError) as exc:
            self.kill()
            raise WorkerStartError(
                f"adapter {self.info.id}: worker died while starting: {self.log_tail() or exc}"
            ) from exc
        if "fatal" in message:
            self.kill()
            last = message["fatal"].strip().splitlines()[-1]
            raise WorkerStartError(f"adapter {self.info.id}: setup failed: {last}")
        self.description = decode(message["ready"])
        return self.description

    def kill(self) -> None:
        if self._group is not None:
            try:
                self._group.terminate(timeout=1.0)
            except Exception:  # noqa: BLE001 - best effort on a dead process
                pass
        self._group = None
        self._channel = None

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()
        self.wait_ready()

    def log_tail(self, lines: int = 5) -> str:
        try:
            with open(self.log_path, errors="replace") as handle:
                return " | ".join(line.strip() for line in handle.readlines()[-lines:])
        except OSError:
            return ""

    # -- cases --------------------------------------------------------------
    def send(self, cases: Sequence[Case], encoded: Sequence[dict] | None = None) -> None:
        """Send a batch; never raises. Batches are answered in order by :meth:`receive`.

        ``encoded``: the cases' wire forms, when the pool encoded them once for every adapter.

        A batch sent while earlier ones are unanswered is queued in the process, so it
        starts as soon as they end (the runner keeps one batch in flight ahead). A batch
        sent with nothing ahead goes to a live worker: one that cannot take it is
        restarted, once. A backend that corrupts its heap may answer a batch and die a
        moment later (MLX: ``free(): invalid next size`` after the reply); the next batch
        then goes to a fresh worker, and the death is kept as an incident naming the batch
        it answered last.
        """
        message = {"op": "run", "cases": list(encoded) if encoded is not None else encode_cases(cases)}
        batch = _Batch(message, len(cases), sorted({c.api for c in cases}))
        self._batches.append(batch)
        if len(self._batches) == 1:
            self._deliver(batch)
        elif self.alive() and all(b.delivered for b in list(self._batches)[:-1]):
            try:
                assert self._channel is not None
                self._channel.send(message)
                batch.delivered = batch.behind = True
            except (EOFError, OSError, execnet.RemoteError):
                pass  # delivered when it is the next to be answered

    def _deliver(self, batch: _Batch) -> None:
        """Send a batch that has nothing ahead of it, to a live worker."""
        for attempt in range(2):
            if not self.alive():
                if self._channel is not None:
                    self._note_exit()
                try:
                    self.restart()
                except Exception as exc:  # noqa: BLE001 - becomes a verdict for each case
                    batch.failure = f"worker could not be restarted: {exc}"
                    return
            assert self._channel is not None
            try:
                self._channel.send(batch.message)
            except (EOFError, OSError, execnet.RemoteError) as exc:
                if not attempt:
                    self._note_exit()
                self.kill()
                if attempt:
                    batch.failure = f"cannot send to a fresh worker: {type(exc).__name__}: {exc}"
                continue
            batch.delivered, batch.behind = True, False
            return

    def alive(self) -> bool:
        """Whether the process still answers: execnet's reader thread ends at its EOF."""
        channel = self._channel
        return channel is not None and not channel.isclosed() and channel.gateway.hasreceiver()

    def _note_exit(self) -> None:
        last = ", ".join(self._last_apis) or "nothing"
        tail = self.log_tail()
        self.incidents.append(f"{self.info.id}: the worker exited after answering a batch of "
                              f"{last}" + (f" (log: {tail})" if tail else ""))

    def receive(self) -> list[Outcome]:
        """The outcomes of the oldest unanswered batch; a failed worker gives a verdict per case."""
        batch = self._batches[0]
        if not batch.delivered and batch.failure is None:
            self._deliver(batch)
        try:
            return self._answer(batch)
        finally:
            self._batches.popleft()

    def _answer(self, batch: _Batch) -> list[Outcome]:
        count = batch.count
        if batch.failure is not None:
            return [Outcome(CRASH, reason=batch.failure) for _ in range(count)]
        assert self._channel is not None
        try:
            message = self._channel.receive(timeout=self.case_timeout * max(count, 1))
        except self._channel.TimeoutError:
            return self._fail(TIMEOUT, f"no answer within {self.case_timeout:g} s per case", count)
        except (EOFError, OSError, execnet.RemoteError) as exc:
            if batch.behind:
                # sent while the batch before it ran: the worker may have died of that one
                # after answering it, as send() would have seen. A fresh worker runs it.
                self._note_exit()
                self.kill()
                self._undeliver_later()
                self._deliver(batch)
                return self._answer(batch)
            detail = self.log_tail() or f"{type(exc).__name__}"
            return self._fail(CRASH, f"worker process died: {detail}", count)
        try:
            outcomes = [Outcome.from_wire(decode(raw)) for raw in message["outcomes"]]
            if len(outcomes) != count:
                raise ValueError(f"{len(outcomes)} outcomes for {count} cases")
            for outcome in outcomes:
                if outcome.status not in ("ok", "absent", "error", MALFORMED):
                    raise ValueError(f"unknown status {outcome.status!r}")
        except Exception as exc:  # noqa: BLE001 - anything off is malformed
            return self._fail(MALFORMED, f"malformed answer: {type(exc).__name__}: {exc}", count)
        self._last_apis = batch.apis
        return outcomes

    def _undeliver_later(self) -> None:
        """The batches queued in a process that is gone: sent again when their turn comes."""
        for later in list(self._batches)[1:]:
            later.delivered = later.behind = False

    def _fail(self, status: str, reason: str, count: int) -> list[Outcome]:
        self._undeliver_later()
        try:
            self.restart()
        except WorkerStartError as exc:
            reason += f"; restart failed: {exc}"
        return [Outcome(status, reason=reason) for _ in range(count)]

    def stop(self) -> None:
        if self._channel is not None:
            try:
                self._channel.send({"op": "stop"})
            except Exception:  # noqa: BLE001 - best effort on a dead process
                pass
        self.kill()


class WorkerGroup:
    """The processes of one adapter (``Adapter.workers``), sharing each batch in order.

    JAX compiles every new shape (175 ms for a gelu, 0.15 ms once compiled):
    a second process lets a slow-compiling backend use the second core.
    """

    def __init__(self, info: AdapterInfo, case_timeout: float, log_dir: str) -> None:
        count = max(1, int(getattr(info.cls, "workers", 1)))
        # an adapter may ask for less (a backend whose worker can hang after corrupting its heap)
        own = getattr(info.cls, "case_timeout", None)
        case_timeout = min(case_timeout, own) if own else case_timeout
        self.members = [Worker(info, case_timeout, log_dir=log_dir, index=i) for i in range(count)]
        #: how each unanswered batch was shared out, oldest first
        self._shares: collections.deque[list[int]] = collections.deque()

    def start(self) -> None:
        for member in self.members:
            member.start()

    def wait_ready(self) -> dict:
        descriptions = [member.wait_ready() for member in self.members]
        return descriptions[0]

    def send(self, cases: Sequence[Case], encoded: Sequence[dict] | None = None) -> None:
        encoded = encoded if encoded is not None else encode_cases(cases)
        size = -(-len(cases) // len(self.members))
        starts = range(0, len(cases), size) if cases else [0]
        shares = []
        for member, start in zip(self.members, starts):
            member.send(cases[start:start + size], encoded[start:start + size])
            shares.append(len(cases[start:start + size]))
        self._shares.append(shares)

    def receive(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for member, _ in zip(self.members, self._shares.popleft()):
            outcomes.extend(member.receive())
        return outcomes

    def kill(self) -> None:
        for member in self.members:
            member.kill()

    @property
    def incidents(self) -> list[str]:
        return [i for member in self.members for i in member.incidents]

    def stop(self) -> None:
        for member in self.members:
            member.stop()


class WorkerPool:
    """The workers of one run, keyed by adapter id, started in parallel."""

    def __init__(self, infos: Sequence[AdapterInfo], case_timeout: float = 60.0,
                 log_dir: str | None = None) -> None:
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="keras-conformance-")
        self.workers = {i.id: WorkerGroup(i, case_timeout, self.log_dir) for i in infos}
        self.start_errors: dict[str, str] = {}
        self.started = False

    def start(self) -> dict[str, dict]:
        t0 = time.perf_counter()
        for worker in self.workers.values():
            worker.start()
        descriptions = {}
        for adapter_id, worker in list(self.workers.items()):
            try:
                descriptions[adapter_id] = worker.wait_ready()
            except WorkerStartError as exc:
                self.start_errors[adapter_id] = str(exc)
                del self.workers[adapter_id]
        self.started = True
        self.start_seconds = time.perf_counter() - t0
        return descriptions

    def submit(self, case_by_adapter: dict[str, Sequence[Case]]) -> None:
        """Send each adapter its cases (one message each); answers are collected later.

        A case sent to several adapters is encoded once (it was once per adapter: the
        engine's cost grew with the number of adapters).
        """
        wire: dict[int, dict] = {}
        for adapter_id, cases in case_by_adapter.items():
            encoded = []
            for case in cases:
                if id(case) not in wire:
                    wire[id(case)] = encode(case.to_wire())
                encoded.append(wire[id(case)])
            self.workers[adapter_id].send(cases, encoded)

    def collect(self, adapters: Sequence[str]) -> dict[str, list[Outcome]]:
        return {a: self.workers[a].receive() for a in adapters}

    def run(self, case_by_adapter: dict[str, Sequence[Case]]) -> dict[str, list[Outcome]]:
        """Send each adapter its cases, all at once, then gather the answers."""
        self.submit(case_by_adapter)
        return self.collect(list(case_by_adapter))

    def recycle(self, adapter_id: str) -> None:
        """Fresh processes for an adapter (after a check known to corrupt its heap)."""
        for member in self.workers[adapter_id].members:
            try:
                member.restart()
            except Exception:  # noqa: BLE001 - the next send restarts it or gives crash verdicts
                member.kill()

    def incidents(self) -> list[str]:
        """Worker deaths that no verdict shows (see :meth:`Worker.send`)."""
        return [i for group in self.workers.values() for i in group.incidents]

    def close(self) -> None:
        for group in self.workers.values():
            group.stop()
