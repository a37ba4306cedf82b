"""The loss, optimizer and metric specs catch a wrong loss, update step or accumulation.

Real Keras 3 on JAX, honest and with one fault planted (tests/faulty_training.py):
Adam without its bias corrections, SGD ignoring nesterov, optimizers ignoring
gradient clipping, BinaryCrossentropy ignoring label smoothing, the function huber
ignoring delta, mean metrics keeping the last batch only, Precision ignoring sample
weights, ExponentialDecay ignoring staircase, MaxNorm ignoring its axis. The specs are the catalog's own (specs/losses.py, specs/metrics.py,
specs/schedules.py, specs/constraints.py, specs/training/optimizers.py), drawn in float32.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance.specs import constraints, losses, metrics, schedules
from conformance.specs.training import optimizers
from hypothesis import settings

from conformance.pool import WorkerPool
from conformance.registry import AdapterInfo
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_training  # noqa: E402


def _spec(specs: list, name: str) -> object:
    return dataclasses.replace(next(s for s in specs if s.name == name), dtypes=("float32",))


ADAM = _spec(optimizers.SPECS, "optimizers.Adam")
SGD = _spec(optimizers.SPECS, "optimizers.SGD")
BCE = _spec(losses.SPECS, "losses.BinaryCrossentropy")
HUBER = _spec(losses.SPECS, "losses.huber")
MSE_METRIC = _spec(metrics.SPECS, "metrics.MeanSquaredError")
PRECISION = _spec(metrics.SPECS, "metrics.Precision")
MAX_NORM = _spec(constraints.SPECS, "constraints.MaxNorm")
# float64: on JAX (x64) a schedule is float64 whatever floatx (a recorded divergence)
EXPONENTIAL = dataclasses.replace(_spec(schedules.SPECS, "optimizers.schedules.ExponentialDecay"),
                                  dtypes=("float64",))

#: each fault, the spec and the check that must see it
FAULTS = {
    "faulty-adam-bias": (ADAM, "steps"),
    "faulty-sgd-nesterov": (SGD, "steps"),
    "faulty-clipping": (ADAM, "steps"),
    "faulty-bce-smoothing": (BCE, "values"),
    "faulty-huber-delta": (HUBER, "values"),
    "faulty-metric-last-batch": (MSE_METRIC, "accumulate"),
    "faulty-precision-weights": (PRECISION, "accumulate"),
    "faulty-schedule-staircase": (EXPONENTIAL, "values"),
    "faulty-maxnorm-axis": (MAX_NORM, "values"),
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckRunner]:
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), saved]))  # workers import by name
    infos = [AdapterInfo(id=cls.id, reference=f"faulty_training:{cls.__name__}", cls=cls)
             for cls in faulty_training.ADAPTERS]
    pool = WorkerPool(infos, case_timeout=120, log_dir=str(tmp_path_factory.mktemp("logs")))
    try:
        pool.start()
        yield CheckRunner(pool, settings(max_examples=12), run_seed=5, reproduce=lambda *a: "")
    finally:
        pool.close()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_training_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    verdicts = runner.run(spec, check, ["honest-jax", adapter])
    assert verdicts["honest-jax"].status == "pass", verdicts["honest-jax"].message
    assert verdicts[adapter].status == "diverged", (verdicts[adapter].status, verdicts[adapter].message)
    assert "minimal case" in verdicts[adapter].message
