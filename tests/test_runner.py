"""judge() on crafted outcomes, and CheckRunner over an in-process fake pool.

The fake pool answers each case with a Python function instead of a worker,
so the runner's logic (first failure, shrinking, known and stale
divergences, absent adapters) is tested without starting processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given, settings

from conformance.adapter import Case, Outcome
from conformance.divergences import Divergence
from conformance.pool import CRASH, MALFORMED, TIMEOUT
from conformance.promotion import result_type
from conformance.runner import (
    ABSENT,
    DIVERGED,
    KNOWN,
    PASS,
    RAISED,
    STALE,
    STALE_MIN_CASES,
    CheckRunner,
    Verdict,
    judge,
)
from conformance.spec import Draw, Expected, OpSpec, catalog
from conformance.strategies import binary
from conformance.tolerance import VALUE_TOLERANCE


def add_draw(a: np.ndarray, b: np.ndarray) -> Draw:
    return OpSpec("ops.numpy.add", binary(), np.add, ("float32",)).prepare("values", [a, b], {})


A = np.array([1.0, 2.0], np.float32)
B = np.array([0.5, -4.0], np.float32)


def test_judge_pass_and_diverged() -> None:
    draw = add_draw(A, B)
    assert judge(draw, Outcome.ok({"out": A + B})).status == PASS
    wrong = judge(draw, Outcome.ok({"out": A + B + np.float32(0.01)}))
    assert wrong.status == DIVERGED and "beyond tolerance" in wrong.message
    assert wrong.max_abs == pytest.approx(0.01, rel=1e-3)
    # a wrong result dtype is the dtype check's finding; values are judged at the returned dtype
    assert judge(draw, Outcome.ok({"out": (A + B).astype(np.float16)})).status == PASS
    dtype_draw = OpSpec("ops.numpy.add", binary(), np.add, ("float32",)).prepare("dtype", [A, B], {})
    assert judge(dtype_draw, Outcome.ok({"out": A + B})).status == PASS
    wrong_dtype = judge(dtype_draw, Outcome.ok({"out": (A + B).astype(np.float16)}))
    assert wrong_dtype.status == DIVERGED and "dtype float16, expected float32" in wrong_dtype.message
    wrong_shape = judge(dtype_draw, Outcome.ok({"out": np.zeros(3, np.float32)}))
    assert wrong_shape.status == DIVERGED and "shape" in wrong_shape.message


def test_dtype_check_draws_mixed_dtypes() -> None:
    spec = OpSpec("ops.numpy.add", binary(), np.add, ("int8", "uint8", "float16", "float32"))
    assert "dtype" in spec.checks()
    seen: set[tuple[str, ...]] = set()

    @given(spec.draw("dtype"))
    @settings(max_examples=60, database=None, deadline=None)
    def collect(draw: Draw) -> None:
        dtypes = tuple(a.dtype.name for a in draw.case.args)
        seen.add(dtypes)
        assert draw.expected["out"].dtype == result_type(*dtypes)
        assert draw.expected["out"].values is False

    collect()
    assert any(len(set(d)) > 1 for d in seen), seen


def test_judge_absent_error_and_pool_verdicts() -> None:
    draw = add_draw(A, B)
    assert judge(draw, Outcome.absent("no such op")).status == ABSENT
    raised = judge(draw, Outcome("error", reason="ValueError: nope"))
    assert raised.status == RAISED and "ValueError: nope" in raised.message
    for status in (CRASH, TIMEOUT, MALFORMED):
        result = judge(draw, Outcome(status, reason="worker trouble"))
        assert (result.status, result.message) == (status, "worker trouble")


def test_judge_where_the_oracle_raises() -> None:
    def strict(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        raise ValueError("shapes do not broadcast")

    spec = OpSpec("ops.numpy.add", binary(), strict, ("float32",))
    draw = spec.prepare("values", [A, B], {})
    assert draw.oracle_error == "ValueError: shapes do not broadcast"
    assert judge(draw, Outcome("error", reason="ValueError: x")).status == PASS
    returned = judge(draw, Outcome.ok({"out": A}))
    assert returned.status == DIVERGED and "the oracle raises" in returned.message
    assert judge(draw, Outcome.absent("missing")).status == ABSENT


def test_judge_missing_output_is_malformed() -> None:
    result = judge(add_draw(A, B), Outcome.ok({"sum": A + B}))
    assert result.status == MALFORMED and "'out' missing" in result.message


def test_judge_names_the_output_of_a_tuple() -> None:
    ref = np.array([1.0, 2.0])
    expected = {name: Expected(ref, "float32", None, VALUE_TOLERANCE) for name in ("out0", "out1")}
    draw = Draw(Case("op", "ops.x", "values"), expected)
    result = judge(draw, Outcome.ok({"out0": ref.astype(np.float32), "out1": np.zeros(2, np.float32)}))
    assert result.status == DIVERGED and result.message.startswith("out1: ")


def test_judge_against_the_reference_adapter_without_an_oracle() -> None:
    draw = Draw(Case("op", "ops.x", "values"), None)
    reference = Outcome.ok({"out": np.array([1.0, 2.0], np.float32)})
    assert judge(draw, Outcome.ok({"out": np.array([1.0, 2.0], np.float32)}), reference).status == PASS
    off = judge(draw, Outcome.ok({"out": np.array([1.0, 2.5], np.float32)}), reference)
    assert off.status == DIVERGED and "reference adapter" in off.message
    assert judge(draw, Outcome.ok({"x": A}), reference).status == MALFORMED
    assert judge(draw, Outcome.ok({"out": A}), None).status == ABSENT


# -- CheckRunner over a fake pool ---------------------------------------------------------
Answer = Callable[[Case], Outcome]


class FakePool:
    """The WorkerPool interface, answered in-process.

    Like the real pool, each adapter answers its batches in the order they were sent:
    a collect takes the oldest batch per adapter (a runner that collected for one check
    what was sent for another would get the wrong answers here, as it would there).
    """

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.workers = dict.fromkeys(answers)
        self.start_errors: dict[str, str] = {}
        self.calls = 0
        self.recycled: list[str] = []
        self.queues: dict[str, list[list[Outcome]]] = {a: [] for a in answers}
        #: ("submit" | "collect", the cases' api) in order
        self.events: list[tuple[str, str]] = []

    def run(self, case_by_adapter: dict[str, Sequence[Case]]) -> dict[str, list[Outcome]]:
        self.calls += 1
        self.submit(case_by_adapter)
        return self.collect(list(case_by_adapter))

    def submit(self, case_by_adapter: dict[str, Sequence[Case]]) -> None:
        for adapter, cases in case_by_adapter.items():
            self.queues[adapter].append([self.answers[adapter](c) for c in cases])
            self.events.append(("submit", cases[0].api))

    def collect(self, adapters: Sequence[str]) -> dict[str, list[Outcome]]:
        self.events.append(("collect", ""))
        return {a: self.queues[a].pop(0) for a in adapters}

    def recycle(self, adapter_id: str) -> None:
        # a fresh worker: what the old one had not answered is lost
        self.recycled.append(adapter_id)
        self.queues[adapter_id].clear()

    def idle(self) -> bool:
        return not any(self.queues.values())


def exact(case: Case) -> Outcome:
    a, b = case.args
    return Outcome.ok({"out": np.add(a, b)})


def narrow_64(case: Case) -> Outcome:
    """float64 computed in float32 and returned as float64 (as keras-mlx does)."""
    a, b = case.args
    if a.dtype == np.float64:
        narrow = np.add(a.astype(np.float32), b.astype(np.float32))
        return Outcome.ok({"out": narrow.astype(np.float64)})
    return exact(case)


def narrow_64_and_wrong_int(case: Case) -> Outcome:
    """The known float64 narrowing, plus an unexplained bug in int32."""
    a, b = case.args
    if a.dtype == np.int32:
        return Outcome.ok({"out": np.add(a, b) + np.int32(1)})
    return narrow_64(case)


def absent(case: Case) -> Outcome:
    return Outcome.absent("not implemented")


SPEC = OpSpec("ops.numpy.add", binary(), np.add, ("float16", "float32", "float64", "int32"))
KNOWN_64 = Divergence("ops.numpy.*", ("narrow",), "float64 computed in float32",
                      dtypes=("float64",), source="test")


def run(answers: dict[str, Answer], known: Sequence[Divergence] = (), examples: int = 40) -> dict:
    runner = CheckRunner(FakePool(answers), settings(max_examples=examples), run_seed=0,
                         reproduce=lambda spec, check, adapter: f"repro {spec} {check} {adapter}",
                         known=known)
    return runner.run(SPEC, "values", list(answers))


def test_runner_passes_an_exact_adapter_and_records_dtypes() -> None:
    verdict = run({"exact": exact})["exact"]
    assert verdict.status == PASS and verdict.examples == 40
    assert set(verdict.dtypes) <= {"float16", "float32", "float64", "int32"}
    assert verdict.message == "" and verdict.reproduce == ""


def test_runner_reports_a_minimal_case_and_a_reproduce_command() -> None:
    verdicts = run({"exact": exact, "wrong": narrow_64_and_wrong_int})
    assert verdicts["exact"].status == PASS
    wrong = verdicts["wrong"]
    assert wrong.status == DIVERGED
    assert "minimal case:" in wrong.message
    assert wrong.reproduce == "repro ops.numpy.add values wrong"


def test_runner_known_divergence_is_known() -> None:
    verdict = run({"narrow": narrow_64}, [KNOWN_64])["narrow"]
    assert verdict.status == KNOWN and verdict.reason == "float64 computed in float32"
    assert 0 < verdict.known_examples < verdict.examples


def test_runner_stale_divergence_fails() -> None:
    entry = Divergence("ops.numpy.add", ("exact",), "was broken once", source="old.toml")
    verdict = run({"exact": exact}, [entry])["exact"]
    assert verdict.status == STALE and "old.toml" in verdict.message


def test_runner_stale_needs_enough_matching_cases() -> None:
    # An entry may be narrower than its dtypes (float64 *and* tanh): a handful of
    # passing cases is no evidence that it no longer holds.
    entry = Divergence("ops.numpy.add", ("exact",), "was broken once", source="old.toml")
    assert run({"exact": exact}, [entry], examples=STALE_MIN_CASES - 1)["exact"].status == PASS
    assert run({"exact": exact}, [entry], examples=STALE_MIN_CASES)["exact"].status == STALE


def test_runner_stale_check_respects_dtypes_never_drawn() -> None:
    entry = Divergence("ops.numpy.add", ("exact",), "bfloat16 only", dtypes=("bfloat16",))
    assert run({"exact": exact}, [entry])["exact"].status == PASS


def test_runner_glob_entry_is_never_stale() -> None:
    # "ops.*" states a cause common to many specs: one spec where it does not show is no evidence
    entry = Divergence("ops.*", ("exact",), "a backend narrows 64-bit results", source="old.toml")
    assert run({"exact": exact}, [entry])["exact"].status == PASS


def crash(case: Case) -> Outcome:
    return Outcome(CRASH, reason="worker process died: SIGFPE")


def test_runner_crash_is_known_only_for_an_entry_that_says_so() -> None:
    plain = Divergence("ops.numpy.add", ("crashes",), "some divergence", source="d.toml")
    assert run({"crashes": crash}, [plain])["crashes"].status == CRASH
    reproduced = Divergence("ops.numpy.add", ("crashes",), "SIGFPE in the backend", source="d.toml",
                            crash=True)
    assert run({"crashes": crash}, [reproduced])["crashes"].status == KNOWN
    assert run({"crashes": crash}, [plain, reproduced])["crashes"].status == KNOWN


def test_runner_absent_adapter() -> None:
    verdict = run({"absent": absent, "exact": exact})["absent"]
    assert verdict.status == ABSENT and verdict.reason == "not implemented"
    assert verdict.examples == 0 and verdict.absent_examples == 40


def test_runner_adapter_whose_worker_did_not_start_is_a_crash() -> None:
    pool = FakePool({"exact": exact})
    pool.start_errors["gone"] = "adapter gone: setup failed: ImportError"
    runner = CheckRunner(pool, settings(max_examples=5), 0, lambda *a: "")
    verdicts = runner.run(SPEC, "values", ["exact", "gone"])
    assert verdicts["gone"].status == CRASH and "setup failed" in verdicts["gone"].message
    assert verdicts["exact"].status == PASS


def test_shrinking_ignores_cases_explained_by_a_known_divergence() -> None:
    """The unexplained int32 bug must be the minimal case shown, not a known float64 case."""
    verdict = run({"narrow": narrow_64_and_wrong_int}, [KNOWN_64])["narrow"]
    assert verdict.status == DIVERGED
    case = verdict.message.split("minimal case:")[-1]
    assert "int32[" in case, verdict.message
    assert "float64[" not in case, verdict.message


def test_an_adapter_can_ask_for_a_shorter_case_timeout() -> None:
    from conformance.adapter import Adapter
    from conformance.pool import WorkerGroup
    from conformance.registry import AdapterInfo

    class Hangs(Adapter):
        id = "hangs"
        case_timeout = 5.0

    shorter = WorkerGroup(AdapterInfo("hangs", "m:Hangs", Hangs), case_timeout=60.0, log_dir="/tmp")
    assert [m.case_timeout for m in shorter.members] == [5.0]
    run_wins = WorkerGroup(AdapterInfo("hangs", "m:Hangs", Hangs), case_timeout=2.0, log_dir="/tmp")
    assert [m.case_timeout for m in run_wins.members] == [2.0]


def test_runner_gives_fresh_workers_after_a_check_listed_as_crashing() -> None:
    # listed as a crash: its passing cases may still have corrupted the heap
    listed = Divergence("ops.numpy.add", ("crashes",), "corrupts MLX's heap", source="d.toml", crash=True)
    plain = Divergence("ops.numpy.add", ("exact",), "float64 unsupported", source="d.toml")
    pool = FakePool({"crashes": exact, "exact": exact})
    runner = CheckRunner(pool, settings(max_examples=5), run_seed=0,
                         reproduce=lambda spec, check, adapter: "", known=[listed, plain])
    runner.run(SPEC, "values", ["crashes", "exact"])
    assert pool.recycled == ["crashes"]


def test_symbolic_and_compiled_judge_the_values_checks_cases() -> None:
    # the same inputs: a backend compiling per shape finds the eager half compiled already
    seen: dict[str, list[tuple]] = {}
    spec = OpSpec("ops.numpy.add", binary(), np.add, ("float32", "float16"))
    prepare = spec.prepare

    def recording(check: str, args: list, kwargs: dict, grad_seed: int = 0) -> Draw:
        seen.setdefault(check, []).append(tuple((a.dtype.name, a.shape, a.tobytes()) for a in args))
        return prepare(check, args, kwargs, grad_seed)

    object.__setattr__(spec, "prepare", recording)
    runner = CheckRunner(FakePool({"a": absent}), settings(max_examples=10), run_seed=5,
                         reproduce=lambda spec, check, adapter: "")
    for check in ("values", "symbolic", "compiled", "special"):
        runner.run(spec, check, ["a"])
    assert len(seen["values"]) == 10
    assert seen["symbolic"] == seen["values"] == seen["compiled"]
    assert seen["special"] != seen["values"]


def split_vjp(case: Case, reverse: bool = False) -> Outcome:
    """The exact gradient of ops.numpy.split: the cotangent's pieces put back along the axis.

    ``reverse`` is a plausible join bug: the pieces' cotangents taken in the wrong order.
    """
    [x] = case.args
    kwargs = case.params["kwargs"]
    sections = kwargs["indices_or_sections"]
    pieces = np.split(x, list(sections) if isinstance(sections, (list, tuple)) else sections,
                      axis=kwargs["axis"])
    assert case.params["grad_outputs"] == list(range(len(pieces)))
    flat = case.extra["cotangent"]
    order = list(reversed(pieces)) if reverse else pieces
    offsets = np.cumsum([0] + [p.size for p in order])
    parts = [flat[a:b].reshape(p.shape) for a, b, p in zip(offsets, offsets[1:], order)]
    if reverse:
        parts = parts[::-1]
    return Outcome.ok({"grad0": np.concatenate(parts, axis=kwargs["axis"]).astype(x.dtype)})


def test_gradient_of_several_outputs_is_judged_through_one_joined_cotangent() -> None:
    spec = next(s for s in catalog() if s.name == "ops.numpy.split")
    runner = CheckRunner(
        FakePool({"exact": split_vjp, "joined-in-reverse": lambda c: split_vjp(c, reverse=True)}),
        settings(max_examples=30), run_seed=0, reproduce=lambda spec, check, adapter: "", shrink=False)
    verdicts = runner.run(spec, "grad", ["exact", "joined-in-reverse"])
    assert verdicts["exact"].status == PASS, verdicts["exact"].message
    assert verdicts["exact"].examples == 30
    assert verdicts["joined-in-reverse"].status == DIVERGED


@pytest.mark.parametrize("check", ["dtype", "symbolic", "compiled"])
def test_an_entry_naming_no_check_is_not_stale_on_checks_that_do_not_judge_values(check: str) -> None:
    """A values divergence (bicubic weights) says nothing of dtypes, shapes or the compiler."""
    entry = Divergence("ops.numpy.add", ("exact",), "other bicubic weights", source="d.toml")
    runner = CheckRunner(FakePool({}), settings(max_examples=1), 0, lambda *a: "", known=[entry])
    for judged, expected in ((check, PASS), ("values", STALE)):
        verdict = Verdict("ops.numpy.add", judged, "exact")
        runner._stale(verdict, "ops.numpy.add", judged, "exact", ["float32"] * STALE_MIN_CASES)
        assert verdict.status == expected, judged


# -- the next check drawn and started while this one ends ------------------------------
SUBTRACT = OpSpec("ops.numpy.subtract", binary(), np.subtract, ("float32", "int32"))
MULTIPLY = OpSpec("ops.numpy.multiply", binary(), np.multiply, ("float32",))


def by_api(case: Case) -> Outcome:
    """Right for every op of these tests: the answer follows the case's api."""
    a, b = case.args
    fn = {"ops.numpy.add": np.add, "ops.numpy.subtract": np.subtract, "ops.numpy.multiply": np.multiply}
    return Outcome.ok({"out": fn[case.api](a, b)})


def wrong_subtract(case: Case) -> Outcome:
    """Right but for subtract, off by one there (a shrink replays it)."""
    outcome = by_api(case)
    if case.api == "ops.numpy.subtract":
        outcome.outputs["out"] = outcome.outputs["out"] + 1
    return outcome


def runner_for(pool: FakePool, **kwargs) -> CheckRunner:
    return CheckRunner(pool, settings(max_examples=20), run_seed=0,
                       reproduce=lambda spec, check, adapter: "", **kwargs)


def statuses(verdicts: dict[str, Verdict]) -> dict[str, tuple[str, int]]:
    return {a: (v.status, v.examples) for a, v in verdicts.items()}


def test_the_next_check_is_started_before_this_one_is_collected() -> None:
    pool = FakePool({"right": by_api})
    runner = runner_for(pool)
    first = runner.run(SPEC, "values", ["right"], upcoming=(SUBTRACT, "values", ["right"]))
    assert statuses(first) == {"right": (PASS, 20)}
    started_ahead = pool.events.index(("submit", "ops.numpy.subtract"))
    assert ("collect", "") in pool.events[started_ahead:], "sent only after this check was collected"
    assert not pool.idle(), "the next check's first batch is in flight"
    second = runner.run(SUBTRACT, "values", ["right"])
    assert statuses(second) == statuses(runner_for(FakePool({"right": by_api})).run(SUBTRACT, "values", ["right"]))
    assert pool.idle()


def test_a_check_run_out_of_the_expected_order_drops_what_was_started() -> None:
    pool = FakePool({"right": by_api, "wrong": wrong_subtract})
    runner = runner_for(pool)
    runner.run(SPEC, "values", ["right", "wrong"], upcoming=(SUBTRACT, "values", ["right", "wrong"]))
    other = runner.run(MULTIPLY, "values", ["right", "wrong"])
    assert statuses(other) == {"right": (PASS, 20), "wrong": (PASS, 20)}
    assert pool.idle()


def test_a_shrink_replays_on_a_quiet_pool_and_the_next_check_keeps_its_answers() -> None:
    pool = FakePool({"right": by_api, "wrong": wrong_subtract})
    runner = runner_for(pool)
    adapters = ["right", "wrong"]
    runner.run(SPEC, "values", adapters, upcoming=(SUBTRACT, "values", adapters))
    # subtract fails on "wrong" and is shrunk while multiply's first batch is in flight
    failing = runner.run(SUBTRACT, "values", adapters, upcoming=(MULTIPLY, "values", adapters))
    assert failing["wrong"].status == DIVERGED and "minimal case:" in failing["wrong"].message
    assert failing["right"].status == PASS
    after = runner.run(MULTIPLY, "values", adapters)
    assert statuses(after) == {"right": (PASS, 20), "wrong": (PASS, 20)}
    assert pool.idle()


def test_a_worker_restarted_after_a_crashing_check_loses_nothing_started_ahead() -> None:
    listed = Divergence("ops.numpy.add", ("crashes",), "corrupts the heap", source="d.toml", crash=True)
    pool = FakePool({"crashes": by_api})
    runner = runner_for(pool, known=[listed])
    runner.run(SPEC, "values", ["crashes"], upcoming=(SUBTRACT, "values", ["crashes"]))
    assert pool.recycled == ["crashes"]
    assert statuses(runner.run(SUBTRACT, "values", ["crashes"])) == {"crashes": (PASS, 20)}


def test_a_strategy_error_of_the_next_check_is_raised_when_that_check_runs() -> None:
    def broken_args(dtype: str, mode: str):
        raise ValueError("a broken strategy")

    broken = OpSpec("ops.numpy.broken", broken_args, np.add, ("float32",))
    pool = FakePool({"right": by_api})
    runner = runner_for(pool)
    assert statuses(runner.run(SPEC, "values", ["right"], upcoming=(broken, "values", ["right"]))) == {
        "right": (PASS, 20)}
    with pytest.raises(ValueError, match="a broken strategy"):
        runner.run(broken, "values", ["right"])
    assert pool.idle()
