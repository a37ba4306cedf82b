"""Run one (spec, check) over the selected adapters and give a verdict per adapter.

Each example is drawn once and sent to every adapter at the same time (their
workers compute in parallel); the oracle is computed once. Phase one runs the
profile's examples and records the first failure per adapter; phase two
replays the same seed against each failed adapter alone, so hypothesis shrinks
the failure to a minimal case. Phase one's draws never depend on the answers, so
they are all made first; the next check's are made, and its first batch sent,
while this check's last batches are computed.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from conformance import divergences
from conformance.adapter import Outcome
from conformance.migration import Recorder, Tally
from conformance.pool import CRASH, MALFORMED, TIMEOUT, WorkerPool
from conformance.spec import Draw, Spec
from conformance.tolerance import VALUE_TOLERANCE, compare

PASS, DIVERGED, RAISED, ABSENT = "pass", "diverged", "error", "absent"
KNOWN, STALE = "known", "stale"
FAILING = {DIVERGED, RAISED, CRASH, TIMEOUT, MALFORMED}
#: passing cases an entry of divergences.toml must cover before it is called stale
STALE_MIN_CASES = 20


@dataclasses.dataclass
class Verdict:
    spec: str
    check: str
    adapter: str
    status: str = PASS
    examples: int = 0  # cases the adapter answered and was judged on
    absent_examples: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: float = 0.0
    dtypes: list[str] = dataclasses.field(default_factory=list)  # dtypes the adapter returned
    known_examples: int = 0  # failing cases explained by a known divergence
    message: str = ""  # why it failed: the minimal case, each side's values
    reason: str = ""  # absent: why; known: the divergence's reason
    link: str = ""
    reproduce: str = ""
    seconds: float = 0.0  # wall time of the cell, shared by every adapter of the run
    #: seconds this adapter's worker(s) spent computing the cell's cases (summed over processes)
    busy_seconds: float = 0.0

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Judgement:
    status: str
    message: str = ""
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: float = 0.0
    dtypes: tuple[str, ...] = ()


def judge(draw: Draw, outcome: Outcome, reference: Outcome | None = None) -> Judgement:
    """Judge one adapter's outcome for one drawn case."""
    if outcome.status in (CRASH, TIMEOUT, MALFORMED):
        return Judgement(outcome.status, outcome.reason)
    if outcome.status == "absent":
        return Judgement(ABSENT, outcome.reason)
    if draw.oracle_error is not None:
        if outcome.status == "error":
            return Judgement(PASS)
        return Judgement(DIVERGED, f"the oracle raises ({draw.oracle_error}); the adapter returned a result")
    if outcome.status == "error":
        return Judgement(RAISED, f"raised {outcome.reason}")
    expected = draw.expected
    if expected is None:  # no oracle: the reference adapter's answer is the expectation
        return _judge_against_adapter(outcome, reference)
    worst = Judgement(PASS)
    for name, exp in expected.items():
        if name not in outcome.outputs:
            return Judgement(MALFORMED, f"output {name!r} missing; got {sorted(outcome.outputs)}")
        got = outcome.outputs[name]
        if exp.judge is not None:  # random ops: judged by statistics, never by value
            worst.dtypes = tuple(sorted(set(worst.dtypes) | {a.dtype.name for a in outcome.outputs.values()}))
            failure = exp.judge(outcome.outputs)
            if failure is not None:
                worst.status, worst.message = DIVERGED, failure
                return worst
            continue
        judged = exp.dtype or got.dtype.name
        if not exp.values:  # the dtype check: shape and dtype only
            shape = np.shape(got)
            if shape != exp.ref.shape:
                return Judgement(DIVERGED, f"{name}: shape {shape}, expected {exp.ref.shape}")
            if got.dtype.name != exp.dtype:
                return Judgement(DIVERGED, f"{name}: dtype {got.dtype.name}, expected {exp.dtype} "
                                           "(keras.backend.result_type)")
            continue
        mismatch, stats = compare(got, exp.ref, exp.dtype, exp.scale, exp.tolerance.get(judged),
                                  exp.signed_zeros)
        worst.max_abs = max(worst.max_abs, stats.max_abs)
        worst.max_rel = max(worst.max_rel, stats.max_rel)
        worst.max_ulp = max(worst.max_ulp, stats.max_ulp)
        worst.dtypes = tuple(sorted(set(worst.dtypes) | {got.dtype.name}))
        if mismatch is not None:
            label = f"{name}: " if len(expected) > 1 or name != "out" else ""
            worst.status = DIVERGED
            worst.message = f"{label}{mismatch.summary}"
            return worst
    return worst


def _judge_against_adapter(outcome: Outcome, reference: Outcome | None) -> Judgement:
    if reference is None or reference.status != "ok":
        return Judgement(ABSENT, "no oracle, and the reference adapter gave no result")
    for name, ref in reference.outputs.items():
        got = outcome.outputs.get(name)
        if got is None:
            return Judgement(MALFORMED, f"output {name!r} missing")
        mismatch, stats = compare(got, ref, ref.dtype.name, None, VALUE_TOLERANCE.get(ref.dtype.name))
        if mismatch is not None:
            return Judgement(DIVERGED, f"{name}: {mismatch.summary} (against the reference adapter)",
                             stats.max_abs, stats.max_rel, stats.max_ulp)
    return Judgement(PASS)


class CheckFailure(AssertionError):
    pass


#: checks whose passing cases say nothing against an entry that names no check: such an
#: entry is about values, and these judge dtypes, shape inference, or compiled against eager
NOT_EVIDENCE_FOR_VALUES = frozenset({"dtype", "symbolic", "compiled"})

#: checks that judge another property of the values check's very cases
SAME_CASES_AS_VALUES = frozenset({"symbolic", "compiled"})


def check_seed(run_seed: int, spec: str, check: str) -> int:
    """The hypothesis seed of one check.

    ``symbolic`` and ``compiled`` draw with the values check's seed, so they judge
    the same inputs: a backend that compiles per shape (eager JAX: 175 ms for a gelu
    on a new shape, 0.15 ms on a seen one) finds the eager half already compiled.
    """
    if check in SAME_CASES_AS_VALUES:
        check = "values"
    return zlib.crc32(f"{run_seed}:{spec}:{check}".encode())


@dataclasses.dataclass
class _Sent:
    """One batch of a check, sent to its targets; ``replies`` once collected early."""

    draws: list[Draw]
    targets: list[str]
    replies: dict[str, list[Outcome]] | None = None


@dataclasses.dataclass
class _CheckJob:
    """One check's draws, all made before any is sent, and its batches in flight.

    Drawing ahead is possible because phase one never lets an answer steer hypothesis
    (failures are recorded, not raised); it lets the engine draw the next check, oracle
    included, and send its first batch while the workers finish this one. A worker
    answers its batches in the order sent, so each job collects its own in order.
    """

    key: tuple[str, str, tuple[str, ...]]
    seed: int
    strategy: Any
    unsent: list[Draw] = dataclasses.field(default_factory=list)
    sent: list[_Sent] = dataclasses.field(default_factory=list)
    #: the adapter that judges draws without an oracle, when the run has one
    reference: str | None = None
    error: Exception | None = None


class CheckRunner:
    """Runs checks over a worker pool with the hypothesis settings of the run."""

    def __init__(self, pool: WorkerPool, base_settings: settings, run_seed: int,
                 reproduce: Callable[[str, str, str], str], reference_adapter: str | None = None,
                 shrink: bool = True, known: Sequence[divergences.Divergence] = (),
                 batch_size: int = 8, migration_pairs: Sequence[tuple[str, str]] = ()) -> None:
        self.pool = pool
        self.base = settings(
            base_settings, deadline=None, database=None, derandomize=False,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        self.run_seed = run_seed
        self.reproduce = reproduce
        self.reference_adapter = reference_adapter
        self.shrink = shrink
        self.known = list(known)
        self.batch_size = batch_size
        #: the next check's job, drawn and started ahead (run's ``upcoming``)
        self._prefetched: _CheckJob | None = None
        #: (Keras 2 adapter, Keras 3 adapter) pairs compared case by case (conformance.migration)
        self.migration_pairs = list(migration_pairs)
        #: the migration tallies of the last run()
        self.last_migration: list[Tally] = []

    def run(self, spec: Spec, check: str, adapters: Sequence[str],
            upcoming: tuple[Spec, str, Sequence[str]] | None = None) -> dict[str, Verdict]:
        """Every adapter's verdict on one check.

        ``upcoming``: the check the caller runs next. Its draws are made, and its first
        batch sent, while this check's last batches are computed, so the workers do not
        wait for the engine between two checks (see :class:`_CheckJob`).
        """
        started = time.perf_counter()
        job = self._take(spec, check, adapters)
        live = [a for a in adapters if a in self.pool.workers]
        verdicts = {a: Verdict(spec.name, check, a) for a in adapters}
        for adapter in adapters:
            if adapter not in self.pool.workers:
                v = verdicts[adapter]
                v.status = CRASH
                v.message = self.pool.start_errors.get(adapter, "worker is not running")
        first_failure: dict[str, tuple[Draw, Judgement]] = {}
        absent_reason: dict[str, str] = {}
        known_hit: dict[str, divergences.Divergence] = {}
        drawn_dtypes: dict[str, list[str]] = {a: [] for a in adapters}
        migration = Recorder([(k2, k3) for k2, k3 in self.migration_pairs if k2 in live and k3 in live])

        def judge_batch(draws: list[Draw], replies: dict[str, list[Outcome]]) -> None:
            for index, draw in enumerate(draws):
                reference = replies.get(self.reference_adapter or "", [None] * len(draws))[index]
                if migration.pairs:
                    migration.observe(spec, check, draw, {a: replies[a][index] for a in replies})
                for adapter in replies:
                    if adapter in verdicts:
                        verdicts[adapter].busy_seconds += float(
                            replies[adapter][index].info.get("seconds", 0.0))
                    if adapter not in live or adapter in first_failure:
                        continue
                    record(draw, adapter, judge(draw, replies[adapter][index], reference))

        def record(draw: Draw, adapter: str, judgement: Judgement) -> None:
            v = verdicts[adapter]
            if judgement.status == ABSENT:
                v.absent_examples += 1
                absent_reason.setdefault(adapter, judgement.message)
                return
            v.examples += 1
            v.max_abs = max(v.max_abs, judgement.max_abs)
            v.max_rel = max(v.max_rel, judgement.max_rel)
            v.max_ulp = max(v.max_ulp, judgement.max_ulp)
            v.dtypes = sorted(set(v.dtypes) | set(judgement.dtypes))
            drawn_dtypes[adapter].append(draw.dtype or "")
            if judgement.status == PASS:
                return
            entry = divergences.find(self.known, spec.name, check, adapter, draw.dtype,
                                     crash=judgement.status == CRASH)
            if entry is not None:
                v.known_examples += 1
                known_hit.setdefault(adapter, entry)
            else:
                first_failure[adapter] = (draw, judgement)

        # Batches are sent one ahead of the one collected, so a worker that ends its share
        # early (one of JAX's two processes, whose halves compile unequally) goes straight
        # on to the next; an adapter that has failed gets no further cases.
        try:
            if job.error is not None:
                raise job.error
            while job.unsent or job.sent:
                while job.unsent and len(job.sent) < 2:
                    self._send_next(job, [a for a in live if a not in first_failure])
                if not job.unsent and upcoming is not None and self._prefetched is None:
                    self._prefetch(*upcoming)
                if job.sent:
                    judge_batch(*self._receive_oldest(job))
        except KeyboardInterrupt:
            # the run stops here: collecting what is in flight would wait for (or restart) the
            # workers, so a hung case would need a second Ctrl-C; the pool is closed at the end
            raise
        except BaseException:
            # an answer left in flight would be taken for the next check's
            self._drain(job)
            self._drop_prefetched()
            raise

        for adapter in live:
            v = verdicts[adapter]
            if adapter in first_failure:
                draw, judgement = first_failure[adapter]
                v.status = judgement.status
                v.message = self._minimal(spec, check, adapter, job.seed, job.strategy, draw, judgement)
                v.reproduce = self.reproduce(spec.name, check, adapter)
            elif v.examples == 0:
                v.status = ABSENT
                v.reason = absent_reason.get(adapter, "no case was run")
            elif adapter in known_hit:
                entry = known_hit[adapter]
                v.status, v.reason, v.link = KNOWN, entry.reason, entry.link or ""
            else:
                self._stale(v, spec.name, check, adapter, drawn_dtypes[adapter])
        # A spec listed as crashing corrupts the backend's heap even in the cases that
        # answer; a later, innocent spec would die of it. Its adapters get fresh workers.
        for adapter in live:
            if divergences.find(self.known, spec.name, check, adapter, crash=True):
                self._settle_prefetched()  # a fresh worker would lose the next check's batch
                self.pool.recycle(adapter)
        self.last_migration = migration.take()
        elapsed = time.perf_counter() - started
        for v in verdicts.values():
            v.seconds = elapsed
        return verdicts

    # -- draws made ahead, and the batches in flight ----------------------------------
    def _generate(self, spec: Spec, check: str, adapters: Sequence[str]) -> _CheckJob:
        """Every draw of one check, made now (the answers never steer the drawing)."""
        seed = check_seed(self.run_seed, spec.name, check)
        strategy = spec.draw(check)
        job = _CheckJob((spec.name, check, tuple(adapters)), seed, strategy)
        needs_reference = self.reference_adapter is not None and self.reference_adapter in self.pool.workers
        job.reference = self.reference_adapter if needs_reference else None

        @settings(self.base, phases=[Phase.explicit, Phase.generate])
        @hypothesis_seed(seed)
        @given(strategy)
        def explore(draw: Draw) -> None:
            job.unsent.append(draw)

        try:
            explore()
        except Exception as exc:  # a strategy's own error: raised when the check runs
            job.error = exc
            job.unsent.clear()
        return job

    def _take(self, spec: Spec, check: str, adapters: Sequence[str]) -> _CheckJob:
        """The check's job: the one made ahead if it is this check, else a new one."""
        job, self._prefetched = self._prefetched, None
        if job is not None and job.key == (spec.name, check, tuple(adapters)):
            return job
        if job is not None:  # another check ran first (-k order, xdist): its answers are dropped
            self._drain(job)
        return self._generate(spec, check, adapters)

    def _prefetch(self, spec: Spec, check: str, adapters: Sequence[str]) -> None:
        job = self._generate(spec, check, adapters)
        self._prefetched = job
        if job.unsent:
            self._send_next(job, [a for a in adapters if a in self.pool.workers])

    def _send_next(self, job: _CheckJob, targets: list[str]) -> None:
        draws = job.unsent[:self.batch_size]
        del job.unsent[:self.batch_size]
        if job.reference and job.reference not in targets and any(
                d.expected is None and d.oracle_error is None for d in draws):
            targets = [*targets, job.reference]
        if targets:
            self.pool.submit({a: [d.case for d in draws] for a in targets})
            job.sent.append(_Sent(draws, targets))

    def _receive_oldest(self, job: _CheckJob) -> tuple[list[Draw], dict[str, list[Outcome]]]:
        sent = job.sent.pop(0)
        replies = sent.replies if sent.replies is not None else self.pool.collect(sent.targets)
        return sent.draws, replies

    def _drain(self, job: _CheckJob) -> None:
        while job.sent:
            self._receive_oldest(job)

    def _settle_prefetched(self) -> None:
        """Collect the batches sent ahead now (kept for their check), so the pool is quiet:
        before a shrink's replay or a worker's restart."""
        if self._prefetched is not None:
            for sent in self._prefetched.sent:
                if sent.replies is None:
                    sent.replies = self.pool.collect(sent.targets)

    def _drop_prefetched(self) -> None:
        job, self._prefetched = self._prefetched, None
        if job is not None:
            self._drain(job)

    def _stale(self, v: Verdict, spec: str, check: str, adapter: str, drawn: list[str]) -> None:
        """A known divergence whose cases were drawn often enough and all passed no longer holds.

        Entries can be narrower than what a dtype says (float64 *and* tanh), so a
        few passing cases are no evidence: it takes STALE_MIN_CASES of them.
        """
        entry = divergences.find(self.known, spec, check, adapter)
        # a glob entry states a cause common to many specs (a backend narrowing 64-bit
        # types): one spec where it does not show is no evidence against it
        if entry is None or any(c in entry.spec for c in "*?["):
            return
        if entry.check is None and check in NOT_EVIDENCE_FOR_VALUES:
            return
        relevant = [d for d in drawn if entry.dtypes is None or d in entry.dtypes]
        if len(relevant) < STALE_MIN_CASES:
            return
        v.status, v.reason = STALE, entry.reason
        v.message = (f"listed as a known divergence in {entry.source} ({entry.reason}) but all "
                     f"{len(relevant)} matching cases passed: remove or narrow the entry")

    def _minimal(self, spec: Spec, check: str, adapter: str, seed: int, strategy,
                 first: Draw, judgement: Judgement) -> str:
        """Shrink the failure against this adapter alone; fall back to the first one."""
        found = f"{judgement.message}\ncase:\n{first.describe()}"
        # a worker that died, hung or answered nonsense is restarted at every shrink step
        if not self.shrink or judgement.status in (CRASH, TIMEOUT, MALFORMED):
            return found
        self._settle_prefetched()  # the replay's answers must be the next ones collected

        @settings(self.base, phases=[Phase.explicit, Phase.generate, Phase.shrink])
        @hypothesis_seed(seed)
        @given(strategy)
        def replay(draw: Draw) -> None:
            outcome = self.pool.run({adapter: [draw.case]})[adapter][0]
            result = judge(draw, outcome)
            if result.status not in (PASS, ABSENT) and not divergences.find(self.known, spec.name, check, adapter, draw.dtype):
                raise CheckFailure(f"{result.message}\nminimal case:\n{draw.describe()}"
                                   + _values_at_failure(draw, outcome))

        try:
            replay()
        except CheckFailure as exc:
            return str(exc)
        return found + "\n(the failure did not reproduce while shrinking: the adapter may be nondeterministic)"


def _values_at_failure(draw: Draw, outcome: Outcome) -> str:
    if outcome.status != "ok" or not draw.expected:
        return ""
    from conformance.tolerance import describe_array

    lines = []
    for name, exp in draw.expected.items():
        got = outcome.outputs.get(name)
        if got is not None and exp.judge is None:
            lines.append(f"  {name} adapter: {describe_array(got)}")
            lines.append(f"  {name} oracle:  {describe_array(np.asarray(exp.ref))}")
    return "\nvalues:\n" + "\n".join(lines) if lines else ""
