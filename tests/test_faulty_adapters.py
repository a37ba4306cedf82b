"""Deliberately wrong adapters (faulty_adapters.py) must be caught by a real run.

Two runs of the plugin, each shared by the tests of this module: one where
the faults are numerical (a wrong add, softmax over the wrong axis, conv's
"same" padding shifted), and one where the worker misbehaves (it dies, hangs,
or answers garbage). :class:`faulty_adapters.Honest`, the same adapter
without a fault, runs next to them on the same drawn cases and must pass.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from plugin_runs import PytestRun, run_pytest

NUMERIC = ("faulty-add", "faulty-softmax", "faulty-conv")
ROBUSTNESS = ("faulty-crash", "faulty-timeout", "faulty-shape", "faulty-status", "faulty-missing",
              "faulty-object")
FAULTY_SPEC = {"faulty-add": "ops.numpy.add", "faulty-softmax": "ops.nn.softmax",
               "faulty-conv": "ops.nn.conv"}


@pytest.fixture(scope="module")
def numeric_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    # The nightly profile (40 examples, fixed seed): a fault that shows in some
    # dtypes only (add's 1e-4 is below float16's resolution) is reached surely.
    return run_pytest(
        ["--adapters", ",".join(("honest-numpy", *NUMERIC)),
         "-k", "ops.numpy.add::values or ops.nn.softmax::values or ops.nn.conv::values",
         "--hypothesis-profile=nightly", "--hypothesis-seed=0", "-q"],
        tmp_path_factory.mktemp("numeric"))


@pytest.fixture(scope="module")
def robustness_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    # 3 s per case: a healthy numpy case takes milliseconds, with room for a loaded machine.
    return run_pytest(
        ["--adapters", ",".join(("honest-numpy", *ROBUSTNESS)),
         "-k", "ops.numpy.add::values or ops.numpy.exp::values",
         "--case-timeout=3", "--hypothesis-profile=quick", "-q"],
        tmp_path_factory.mktemp("robustness"))


def cell(run: PytestRun, spec: str, adapter: str, check: str = "values") -> dict:
    verdicts = run.verdicts()
    assert (spec, check, adapter) in verdicts, (
        f"no verdict for {spec} [{check}] on {adapter}; the report has "
        f"{sorted(verdicts)}\n{run.explain()}")
    return verdicts[(spec, check, adapter)]


# -- numerical faults ------------------------------------------------------------------
@pytest.mark.parametrize("adapter", NUMERIC)
def test_numerical_fault_is_caught(numeric_run: PytestRun, adapter: str) -> None:
    verdict = cell(numeric_run, FAULTY_SPEC[adapter], adapter)
    assert verdict["status"] == "diverged", numeric_run.explain()
    assert "elements beyond tolerance" in verdict["message"], verdict["message"]
    assert "minimal case" in verdict["message"], verdict["message"]  # shrunk
    assert f"--adapters {adapter}" in verdict["reproduce"]


@pytest.mark.parametrize("spec", sorted(set(FAULTY_SPEC.values())))
def test_honest_adapter_passes_the_same_cases(numeric_run: PytestRun, spec: str) -> None:
    verdict = cell(numeric_run, spec, "honest-numpy")
    assert verdict["status"] == "pass", verdict["message"]
    assert verdict["examples"] > 0


@pytest.mark.parametrize("adapter", NUMERIC)
def test_faults_are_specific_to_their_spec(numeric_run: PytestRun, adapter: str) -> None:
    for spec in set(FAULTY_SPEC.values()) - {FAULTY_SPEC[adapter]}:
        verdict = cell(numeric_run, spec, adapter)
        assert verdict["status"] == "pass", f"{adapter} on {spec}: {verdict['message']}"


def test_add_fault_is_shrunk_to_a_small_float32_case(numeric_run: PytestRun) -> None:
    message = cell(numeric_run, "ops.numpy.add", "faulty-add")["message"]
    case = message.split("minimal case:")[1]
    assert "arg0: float32[" in case, message  # float16 cannot show a 1e-4 error
    assert "rel error 0.0001" in message or "rel error 9.9" in message, message


def test_numeric_run_exit_status_and_counts(numeric_run: PytestRun) -> None:
    assert numeric_run.returncode == 1, numeric_run.explain()
    counts = numeric_run.outcomes()
    assert counts.get("failed") == len(NUMERIC), numeric_run.explain()
    assert counts.get("passed") == 4 * 3 - len(NUMERIC), numeric_run.explain()
    for adapter in NUMERIC:
        assert f"FAILED {FAULTY_SPEC[adapter]}::values[{adapter}]" in numeric_run.stdout


def test_reproduce_command_reproduces(numeric_run: PytestRun, tmp_path: Path) -> None:
    command = shlex.split(cell(numeric_run, "ops.numpy.add", "faulty-add")["reproduce"])
    assert command[:3] == [sys.executable, "-m", "pytest"]  # runs outside the venv too
    again = run_pytest([*command[3:], "-q", "--no-shrink"], tmp_path)
    assert again.returncode == 1, again.explain()
    assert "FAILED ops.numpy.add::values[faulty-add]" in again.stdout, again.explain()
    assert cell(again, "ops.numpy.add", "faulty-add")["status"] == "diverged"


# -- workers that misbehave --------------------------------------------------------------
def test_crash_mid_case_is_a_crash_verdict(robustness_run: PytestRun) -> None:
    verdict = cell(robustness_run, "ops.numpy.add", "faulty-crash")
    assert verdict["status"] == "crash", robustness_run.explain()
    assert "worker process died" in verdict["message"]
    assert "ops.numpy.add [values]" in verdict["message"]  # the case that killed it


def test_hang_past_the_case_timeout_is_a_timeout_verdict(robustness_run: PytestRun) -> None:
    verdict = cell(robustness_run, "ops.numpy.add", "faulty-timeout")
    assert verdict["status"] == "timeout", robustness_run.explain()
    assert "no answer within 3 s" in verdict["message"]


@pytest.mark.parametrize("adapter", ["faulty-crash", "faulty-timeout", "faulty-status"])
def test_worker_is_restarted_and_the_run_goes_on(robustness_run: PytestRun, adapter: str) -> None:
    """The next spec runs on a fresh worker of the same adapter and passes."""
    results = robustness_run.report()["results"]
    order = [(r["spec"], r["adapter"]) for r in results]
    assert order.index(("ops.numpy.add", adapter)) < order.index(("ops.numpy.exp", adapter))
    verdict = cell(robustness_run, "ops.numpy.exp", adapter)
    assert verdict["status"] == "pass", verdict["message"]
    assert verdict["examples"] > 0


def test_wrong_shape_is_diverged(robustness_run: PytestRun) -> None:
    verdict = cell(robustness_run, "ops.numpy.add", "faulty-shape")
    assert verdict["status"] == "diverged"
    assert "shape (1," in verdict["message"] and "expected (" in verdict["message"]


@pytest.mark.parametrize("adapter, text", [
    ("faulty-status", "unknown status 'garbled'"),
    ("faulty-missing", "output 'out' missing"),
    ("faulty-object", "outcome cannot be sent: TypeError"),
])
def test_garbage_outcome_is_malformed(robustness_run: PytestRun, adapter: str, text: str) -> None:
    verdict = cell(robustness_run, "ops.numpy.add", adapter)
    assert verdict["status"] == "malformed", robustness_run.explain()
    assert text in verdict["message"], verdict["message"]


def test_robustness_run_counts(robustness_run: PytestRun) -> None:
    assert robustness_run.returncode == 1, robustness_run.explain()
    counts = robustness_run.outcomes()
    assert counts.get("failed") == len(ROBUSTNESS), robustness_run.explain()
    assert counts.get("passed", 0) >= 2 * (1 + len(ROBUSTNESS)) - len(ROBUSTNESS)
    assert cell(robustness_run, "ops.numpy.add", "honest-numpy")["status"] == "pass"
    summary = robustness_run.report()
    assert summary["finished"] is not None
    assert set(summary["adapters"]) == {"honest-numpy", *ROBUSTNESS}
