"""The shape-inference check: the call on KerasTensors against the eager call, per output."""

from __future__ import annotations

import numpy as np
import pytest
from plugin_runs import PytestRun, check_run

from conformance.spec import symbolic_judge

SPECS = ("ops.numpy.add", "ops.numpy.sum", "ops.nn.conv", "ops.numpy.matmul")


def test_a_none_dimension_matches_any_size_and_a_wrong_one_does_not() -> None:
    judge = symbolic_judge("out")
    eager = np.zeros((3, 4), np.float32)
    ok = {"out": eager, "out@symbolic": np.zeros((), np.float32), "out@shape": np.array([-1, 4])}
    assert judge(ok) is None
    wrong = {**ok, "out@shape": np.array([3, 5])}
    assert judge(wrong) == "out: symbolic shape (3, 5), the eager call returns (3, 4)"
    rank = {**ok, "out@shape": np.array([12])}
    assert judge(rank) == "out: symbolic shape (12,), the eager call returns (3, 4)"
    dtype = {**ok, "out@symbolic": np.zeros((), np.float64)}
    assert judge(dtype) == "out: symbolic dtype float64, the eager call returns float32"
    assert judge({"out": eager}) == "out: the adapter returned no symbolic result"


@pytest.fixture(scope="module")
def symbolic_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    return check_run("honest-numpy,faulty-symbolic", SPECS, "symbolic", tmp_path_factory.mktemp("symbolic"))


@pytest.mark.parametrize("spec", SPECS)
def test_wrong_shape_inference_is_caught_and_the_honest_adapter_passes(symbolic_run: PytestRun,
                                                                       spec: str) -> None:
    verdicts = symbolic_run.verdicts()
    honest, faulty = verdicts[(spec, "symbolic", "honest-numpy")], verdicts[(spec, "symbolic", "faulty-symbolic")]
    assert honest["status"] == "pass" and honest["examples"] > 0, symbolic_run.explain()
    assert faulty["status"] == "diverged", symbolic_run.explain()
    assert "symbolic shape" in faulty["message"] and "the eager call returns" in faulty["message"]


def test_keras2_adapters_have_no_symbolic_call() -> None:
    from conformance.adapters.tf_keras import TfKeras

    from conformance.adapter import OP_SYMBOLIC, Absent, Case

    adapter = TfKeras()
    with pytest.raises(Absent, match="not supported"):
        adapter.run(Case(OP_SYMBOLIC, "ops.numpy.add", "symbolic", [], {}))


