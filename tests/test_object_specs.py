"""Keras objects as the unit of a case: new kinds of spec need no adapter change.

Five specs are written here, in the test, and nowhere else: a layer with two
inputs and their masks (Attention, its shape inference too), a layer with state
(BatchNormalization's moving statistics after a training call), a loss with a
sample weight, an optimizer given its gradients (Adam) and a metric accumulated
over batches and reset (MeanSquaredError). Each runs through the procedures every
Keras 3 adapter already has (adapters/objects.py) on real Keras 3 on JAX: the
honest adapter passes every check, and an adapter with one fault planted in the
Keras class (tests/faulty_objects.py) fails the check that sees it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from conformance.families import layers, training
from conformance.objects import (
    FORWARD,
    GRADIENTS,
    SYMBOLIC,
    TRAINING_FORWARD,
    CallableSpec,
    LayerSpec,
    LossFunctionSpec,
    LossSpec,
    MetricSpec,
    OptimizerSpec,
)
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_objects  # noqa: E402
from object_runs import assert_fault_caught, fault_runner  # noqa: E402

# float32 only: Keras 3 on JAX computes parts of float64 layers in float32 (a known divergence)
ATTENTION = LayerSpec("layers.Attention", layers.attention_config, layers.attention_inputs,
                      lambda config, inputs: {}, layers.attention_reference,
                      conditioning=layers.attention_conditioning, dtypes=("float32",), masking=True,
                      signed_zeros=False, checks_=(FORWARD, TRAINING_FORWARD, GRADIENTS, SYMBOLIC))
BATCH_NORM = LayerSpec("layers.BatchNormalization", layers.batch_norm_config, layers.batch_norm_inputs,
                       layers.batch_norm_weights, layers.batch_norm_reference,
                       conditioning=layers.batch_norm_conditioning, dtypes=("float32",), stateful=True,
                       positive_weights=("moving_variance",), signed_zeros=False,
                       non_trainable_weights=("moving_mean", "moving_variance"),
                       checks_=(FORWARD, TRAINING_FORWARD, GRADIENTS))
MSE = LossSpec("losses.MeanSquaredError", training.reduction_config, training.regression_pair,
               training.mean_squared_error_reference, conditioning=training.loss_conditioning,
               dtypes=("float32",))
MSE_FUNCTION = LossFunctionSpec(
    "losses.mean_squared_error",
    lambda config, dtype, mode: training.regression_pair(config, dtype, mode).map(
        lambda inputs: {"args": inputs["args"], "kwargs": {}}),
    lambda config, weights, inputs, training_: training.squared_error(*inputs["args"]),
    dtypes=("float32",), conditioning=lambda config, weights, inputs, ref: np.abs(ref) + np.mean(
        (np.abs(inputs["args"][0]) + np.abs(inputs["args"][1])) ** 2, axis=-1))
ADAM = OptimizerSpec("optimizers.Adam", training.adam_config, training.optimizer_variables,
                     training.adam_reference, conditioning=training.adam_conditioning, dtypes=("float32",))
MSE_METRIC = MetricSpec("metrics.MeanSquaredError", lambda dtype: st.just({}), training.regression_batches,
                        training.mean_metric_reference(training.squared_error),
                        conditioning=training.mean_metric_conditioning, dtypes=("float32",))

#: each fault, the spec and the check that must see it
FAULTS = {
    "faulty-attention-mask": (ATTENTION, "forward"),
    "faulty-batchnorm-momentum": (BATCH_NORM, "training_forward"),
    "faulty-loss-weights": (MSE, "values"),
    "faulty-adam-lr": (ADAM, "steps"),
    "faulty-metric-reset": (MSE_METRIC, "accumulate"),
}
SPECS: list[CallableSpec | OptimizerSpec | MetricSpec] = [ATTENTION, BATCH_NORM, MSE, MSE_FUNCTION, ADAM, MSE_METRIC]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckRunner]:
    with fault_runner("faulty_objects", faulty_objects.ADAPTERS, str(tmp_path_factory.mktemp("logs")),
                      examples=10, seed=3) as started:
        yield started


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_honest_adapter_passes_every_check(runner: CheckRunner, spec: CallableSpec) -> None:
    for check in spec.checks():
        verdict = runner.run(spec, check, ["honest-jax"])["honest-jax"]
        assert verdict.status == "pass", f"{spec.name} [{check}]: {verdict.status}\n{verdict.message}{verdict.reason}"
        assert verdict.examples == 10


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    assert_fault_caught(runner, spec, check, adapter)


def test_adapters_read_no_check_or_spec_name() -> None:
    """Adapters answer procedures: no check name and no spec-only name appears under adapters/ or plugins/."""
    root = TESTS.parent
    # ("dtype" is also an argument's name: the procedure OP_SHAPES replaced that check's name)
    checks = {"training_forward", "config_round_trip", "fit_steps", '"forward"', '"symbolic"',
              '"compiled"', "case.check", ".check =="}
    sources = [*root.joinpath("adapters").rglob("*.py"), *root.joinpath("plugins").rglob("*.py")]
    found = [(path.name, word) for path in sources for word in checks if word in path.read_text()]
    assert not found, found
