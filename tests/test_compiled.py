"""The eager-against-compiled check: the same call under the backend's compiler, per output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from plugin_runs import PytestRun, check_run

from conformance.spec import Expected, compiled_judge
from conformance.tolerance import VALUE_TOLERANCE

SPECS = ("ops.numpy.add", "ops.numpy.sum", "ops.nn.conv", "ops.numpy.matmul", "ops.nn.softmax")


def _expected(ref: np.ndarray) -> Expected:
    return Expected(ref, None, None, VALUE_TOLERANCE)


def test_the_judge_compares_with_the_eager_call_not_the_oracle() -> None:
    eager = np.array([1.0, 2.0, np.nan], np.float32)
    wrong_oracle = _expected(np.array([5.0, 5.0, 5.0]))  # the values check's business, not this one's
    judge = compiled_judge("out", wrong_oracle)
    assert judge({"out": eager, "out@compiled": eager.copy()}) is None
    # within twice the float32 tolerance: two answers each within tolerance of the oracle
    near = eager + np.float32(3e-6)
    assert judge({"out": eager, "out@compiled": near}) is None
    off = eager * np.float32(1.001)
    assert "compiled against eager: 2/3 elements beyond tolerance" in judge({"out": eager, "out@compiled": off})
    nan_moved = np.array([1.0, np.nan, 3.0], np.float32)
    assert "NaN positions differ" in judge({"out": eager, "out@compiled": nan_moved})
    assert "dtype float64, eager float32" in judge({"out": eager, "out@compiled": eager.astype(np.float64)})
    assert "shape (2,), eager (3,)" in judge({"out": eager, "out@compiled": eager[:2]})
    assert judge({"out": eager}) == "out: the adapter returned no compiled result"


def test_integers_must_agree_exactly() -> None:
    eager = np.array([1, 2, 3], np.int32)
    judge = compiled_judge("out", _expected(eager.astype(np.float64)))
    assert judge({"out": eager, "out@compiled": eager.copy()}) is None
    assert "elements differ" in judge({"out": eager, "out@compiled": eager + 1})


@pytest.fixture(scope="module")
def compiled_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    return check_run("honest-numpy,faulty-compiled", SPECS, "compiled", tmp_path_factory.mktemp("compiled"))


@pytest.mark.parametrize("spec", SPECS)
def test_a_compiler_that_changes_results_is_caught_and_the_honest_adapter_passes(
        compiled_run: PytestRun, spec: str) -> None:
    verdicts = compiled_run.verdicts()
    honest = verdicts[(spec, "compiled", "honest-numpy")]
    faulty = verdicts[(spec, "compiled", "faulty-compiled")]
    assert honest["status"] == "pass" and honest["examples"] > 0, compiled_run.explain()
    assert faulty["status"] == "diverged", compiled_run.explain()
    assert "compiled against eager" in faulty["message"]


def test_backends_without_a_compiler_answer_absent() -> None:
    from conformance.adapters.keras3 import Keras3Torch
    from conformance.adapters.tf_keras import TfKeras

    from conformance.adapter import OP_COMPILED, Absent, Case

    with pytest.raises(Absent, match="torch.compile is not run"):
        Keras3Torch().compile(lambda: None)
    with pytest.raises(Absent, match="not supported"):
        TfKeras().run(Case(OP_COMPILED, "ops.numpy.add", "compiled", [], {}))


def test_jax_jit_runs_the_check_on_the_real_backend(tmp_path: Path) -> None:
    pytest.importorskip("jax")
    run = check_run("keras3-jax", ("ops.numpy.add", "ops.nn.relu"), "compiled", tmp_path)
    verdicts = run.verdicts()
    for spec in ("ops.numpy.add", "ops.nn.relu"):
        cell = verdicts[(spec, "compiled", "keras3-jax")]
        assert cell["status"] == "pass" and cell["examples"] > 0, run.explain()


def test_a_compiled_function_is_reused_only_for_identical_parameters() -> None:
    """Cases differing in any parameter, an element in the middle of an array or a zero's sign, get their own."""
    import numpy as np
    from conformance.adapters.keras3 import Keras3TensorFlow

    from conformance.adapter import OP_COMPILED, Case

    adapter = Keras3TensorFlow()
    built: list[int] = []
    adapter.compile = lambda call: built.append(1) or call  # type: ignore[method-assign]
    big = np.zeros(5000)
    other = big.copy()
    other[2500] = 1.0  # the same repr: numpy elides the middle of a long array
    assert repr(big) == repr(other)
    params = [{"kwargs": {"axis": 1}}, {"kwargs": {"axis": 1}}, {"kwargs": {"axis": 0}},
              {"kwargs": {"w": {"tensor": big}}}, {"kwargs": {"w": {"tensor": other}}},
              {"kwargs": {"x": 0.0}}, {"kwargs": {"x": -0.0}}]
    for p in params:
        adapter.compiled_function(Case(OP_COMPILED, "ops.numpy.sum", "compiled", [], p), lambda: None)
    assert len(built) == 6
