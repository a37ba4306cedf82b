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
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance.specs import constraints, losses, metrics, schedules
from conformance.specs.training import optimizers

from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_training  # noqa: E402
from object_runs import assert_fault_caught, fault_runner  # noqa: E402


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
    with fault_runner("faulty_training", faulty_training.ADAPTERS, str(tmp_path_factory.mktemp("logs")),
                      examples=12, seed=5) as started:
        yield started


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_training_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    assert_fault_caught(runner, spec, check, adapter)
