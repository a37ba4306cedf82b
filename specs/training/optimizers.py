"""Specs of ``keras.optimizers``: plain SGD on a small Dense model, judged step by step.

A scenario is a chain of one or two Dense layers (``d0``, ``d1``), the
``"mse"`` loss, SGD with a drawn learning rate, and three full-batch
``train_on_batch`` steps in float64. The oracle
(:func:`conformance.training_oracle.sgd_dense_fit`) backpropagates in float64
and returns the weights after each step (``step1/d0/kernel``…).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.spec import TrainingSpec
from conformance.training_oracle import sgd_dense_fit

TRAIN_ACTIVATIONS = ("linear", "tanh")
STEPS = 3


@st.composite
def _sgd_scenario(draw: Any) -> dict:
    layers = [
        {"units": draw(st.integers(1, 4)), "activation": draw(st.sampled_from(TRAIN_ACTIVATIONS)),
         "use_bias": draw(st.booleans())}
        for _ in range(draw(st.integers(1, 2)))
    ]
    return {
        "dtype": "float64",
        "batch": draw(st.integers(1, 6)),
        "in_features": draw(st.integers(1, 4)),
        "layers": layers,
        "loss": "mse",
        # Large enough that three steps move every weight well beyond the tolerance.
        "optimizer": {"learning_rate": draw(st.floats(0.01, 0.5))},
        "steps": STEPS,
    }


def sgd_scenario() -> st.SearchStrategy:
    return _sgd_scenario()


def dense_chain_weights(scenario: dict) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    fan_in = scenario["in_features"]
    for i, layer in enumerate(scenario["layers"]):
        shapes[f"d{i}/kernel"] = (fan_in, layer["units"])
        if layer["use_bias"]:
            shapes[f"d{i}/bias"] = (layer["units"],)
        fan_in = layer["units"]
    return shapes


def dense_chain_data(scenario: dict) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (scenario["batch"], scenario["in_features"]), (scenario["batch"], scenario["layers"][-1]["units"])


SPECS = [
    TrainingSpec("optimizers.SGD", sgd_scenario, dense_chain_weights, dense_chain_data, sgd_dense_fit),
]
