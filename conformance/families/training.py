"""Strategies and float64 references for training: a Dense chain fitted with SGD (the loss and
optimizer families live in losses.py, loss_values.py and optimizers.py; their names that
other modules import are kept importable from here).

Nothing here calls a backend under test. A model is a chain of Dense layers
named ``d0``, ``d1``…, described by a JSON-able scenario (drawn by
:func:`sgd_scenario`) and sent to the adapters as Keras serializes a Sequential
model (:func:`dense_chain_model`); weights are keyed by variable path
(``d0/kernel``, ``d0/bias``). The loss is Keras's ``"mse"``: the mean of the
squared error over the last axis, then over the batch (``sum_over_batch_size``),
which is the mean over every element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance.families.losses import REDUCTIONS, reduce_loss, reduction_config  # noqa: F401 - re-exported
from conformance.families.optimizers import adam_update, optimizer_reference
from conformance.objects import serialized
from conformance.oracle import ACTIVATION_DERIVATIVES, ACTIVATIONS
from conformance.structure import step_name

Weights = dict[str, np.ndarray]


@dataclasses.dataclass
class DenseTrace:
    """What the backward pass of one Dense layer needs from the forward pass."""

    name: str
    inputs: np.ndarray
    pre_activation: np.ndarray
    activation: str
    use_bias: bool


def dense_chain_forward(layers: list[dict], weights: Weights, x: np.ndarray) -> tuple[np.ndarray, list[DenseTrace]]:
    """Forward pass of Dense layers ``d0, d1, …``; returns the output and the trace."""
    traces = []
    a = x
    for i, layer in enumerate(layers):
        name = f"d{i}"
        z = a @ weights[f"{name}/kernel"]
        if layer["use_bias"]:
            z = z + weights[f"{name}/bias"]
        traces.append(DenseTrace(name, a, z, layer["activation"], layer["use_bias"]))
        a = ACTIVATIONS[layer["activation"]](z)
    return a, traces


def mse(prediction: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Keras's ``"mse"`` loss and its gradient with respect to the prediction."""
    diff = prediction - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {"mse": mse}


def dense_chain_gradients(layers: list[dict], weights: Weights, x: np.ndarray, y: np.ndarray,
                          loss: str = "mse") -> Weights:
    """Gradient of the loss with respect to every weight, by backpropagation."""
    prediction, traces = dense_chain_forward(layers, weights, x)
    _, upstream = LOSSES[loss](prediction, y)
    grads: Weights = {}
    for trace in reversed(traces):
        dz = upstream * ACTIVATION_DERIVATIVES[trace.activation](trace.pre_activation)
        # Rank > 2 inputs: Dense contracts the last axis; every leading axis is a batch axis.
        flat_in = trace.inputs.reshape(-1, trace.inputs.shape[-1])
        flat_dz = dz.reshape(-1, dz.shape[-1])
        grads[f"{trace.name}/kernel"] = flat_in.T @ flat_dz
        if trace.use_bias:
            grads[f"{trace.name}/bias"] = flat_dz.sum(axis=0)
        upstream = dz @ weights[f"{trace.name}/kernel"].T
    return grads


def sgd_step(weights: Weights, grads: Weights, learning_rate: float) -> Weights:
    """Plain SGD (no momentum, no weight decay): ``w <- w - learning_rate * g``."""
    return {name: w - learning_rate * grads[name] for name, w in weights.items()}


def sgd_dense_fit(scenario: dict, weights: Weights, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Weights after each of ``scenario["steps"]`` full-batch SGD steps, keyed ``step1:d0/kernel``…"""
    learning_rate = float(scenario["optimizer"]["learning_rate"])
    current = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    out: dict[str, np.ndarray] = {}
    for step in range(1, scenario["steps"] + 1):
        grads = dense_chain_gradients(scenario["layers"], current, x, y, scenario["loss"])
        current = sgd_step(current, grads, learning_rate)
        for name, value in current.items():
            out[step_name(step, name)] = value
    return out


# -- the scenario: a Dense chain, "mse", SGD, full-batch steps --------------------------------
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


def dense_chain_model(scenario: dict) -> dict:
    """The scenario's model as Keras serializes a Sequential: an input, then Dense ``d0``, ``d1``…"""
    dtype = scenario["dtype"]
    layers = [serialized("layers.InputLayer", {"batch_shape": [None, scenario["in_features"]], "dtype": dtype})]
    for i, spec in enumerate(scenario["layers"]):
        layers.append(serialized("layers.Dense", {
            "units": spec["units"], "activation": spec["activation"], "use_bias": spec["use_bias"],
            "name": f"d{i}", "dtype": dtype}))
    return serialized("models.Sequential", {"name": "dense_chain", "layers": layers})


def sgd_compile(scenario: dict) -> dict:
    return {"optimizer": serialized("optimizers.SGD", dict(scenario["optimizer"])), "loss": scenario["loss"]}


def full_batch_fit(scenario: dict) -> dict:
    """One full batch per epoch, ``steps`` epochs: a step is an epoch."""
    return {"batch_size": scenario["batch"], "epochs": scenario["steps"]}


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


# -- losses --------------------------------------------------------------------------------------
@st.composite
def _regression_pair(draw: Any, config: dict, dtype: str, mode: str) -> dict:
    """y_true, y_pred of one shape (batch, features) and a per-sample weight, or none.

    Rank 2 only, for now: with rank 3 the per-sample losses are (batch, steps), and Keras 3
    broadcasts a (batch,) weight against their *last* axis (``squeeze_or_expand_to_same_rank``
    expands it only when that axis has length 1), not the batch axis its documentation
    names; that edge needs its own spec and a recorded divergence, not this one.
    """
    from conformance import strategies  # noqa: PLC0415

    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    y_true = draw(strategies.arrays(dtype, shape, mode))
    y_pred = draw(strategies.arrays(dtype, shape, mode))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["sample_weight"] = np.abs(draw(strategies.arrays(dtype, shape[:1], mode)))
    return {"args": [y_true, y_pred], "kwargs": kwargs}


def regression_pair(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _regression_pair(config, dtype, mode)


def mean_squared_error_reference(config: dict, weights: dict, inputs: dict, training: bool) -> np.ndarray:
    y_true, y_pred = inputs["args"]
    per_sample = np.mean((y_pred - y_true) ** 2, axis=-1)
    return reduce_loss(per_sample, inputs["kwargs"].get("sample_weight"), config["reduction"])


def loss_conditioning(config: dict, weights: dict, inputs: dict, ref: np.ndarray) -> np.ndarray:
    """The loss of |y_true| + |y_pred| against 0 with |weights|: every term's magnitude, reduced
    the same way, times sqrt(terms) for the summation (each term's rounding is relative to it)."""
    y_true, y_pred = inputs["args"]
    per_sample = np.mean((np.abs(y_pred) + np.abs(y_true)) ** 2, axis=-1)
    weight = inputs["kwargs"].get("sample_weight")
    magnitude = reduce_loss(per_sample, None if weight is None else np.abs(weight), config["reduction"])
    return np.abs(ref) + np.asarray(magnitude) * np.sqrt(y_true.size)


# -- optimizers, given the gradients ------------------------------------------------------------
def adam_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({
        "learning_rate": st.sampled_from((0.001, 0.01, 0.1)),
        "beta_1": st.sampled_from((0.9, 0.5)),
        "beta_2": st.sampled_from((0.999, 0.9)),
        "epsilon": st.sampled_from((1e-7, 1e-3)),
    })


def optimizer_variables(config: dict) -> st.SearchStrategy:
    """One or two variables of small shapes, named w0, w1."""
    shape = st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple)
    return st.lists(shape, min_size=1, max_size=2).map(lambda shapes: {f"w{i}": s for i, s in enumerate(shapes)})


def adam_conditioning(config: dict, variables: dict[str, np.ndarray],
                      gradients: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """|w0| + the sum of |update|s, each through the conditioning of its bias correction.

    Keras computes 1 - beta^t in the variables' dtype: for beta_2 = 0.999 in float32 that
    subtraction loses log10(1000) digits (relative error eps * beta^t / (1 - beta^t)), so
    the step size alpha, and each update, carries it; m / sqrt(v) adds a few eps.
    """
    b1, b2 = config["beta_1"], config["beta_2"]
    updates = adam_reference(config, variables, gradients)
    out = {}
    for k, w0 in variables.items():
        total, previous = np.abs(np.asarray(w0, np.float64)), np.asarray(w0, np.float64)
        for step in range(1, len(gradients) + 1):
            current = updates[step_name(step, k)]
            amplification = 4 + b1**step / (1 - b1**step) + b2**step / (2 * (1 - b2**step))
            total = total + np.abs(current - previous) * amplification
            previous = current
            out[step_name(step, k)] = total.copy()
    return out


#: Keras 3's Adam: m, v from zero; alpha = lr sqrt(1 - b2^t) / (1 - b1^t); w -= alpha m / (sqrt(v) + eps)
adam_reference = optimizer_reference(adam_update)


# -- metrics -------------------------------------------------------------------------------------
@st.composite
def _regression_batches(draw: Any, config: dict, dtype: str) -> list[dict]:
    """Two to four batches of (y_true, y_pred) with the same feature count, weights or none."""
    count = draw(st.integers(2, 4))
    features = draw(st.integers(1, 3))
    batches = []
    for _ in range(count):
        pair = draw(_regression_pair(config, dtype, "values"))
        y_true, y_pred = pair["args"]
        y_true, y_pred = y_true[:, :1].repeat(features, 1), y_pred[:, :1].repeat(features, 1)
        batches.append({"args": [y_true, y_pred], "kwargs": pair["kwargs"]})
    return batches


def regression_batches(config: dict, dtype: str) -> st.SearchStrategy:
    return _regression_batches(config, dtype)


def mean_metric_reference(per_sample: Callable[[np.ndarray, np.ndarray], np.ndarray]
                          ) -> Callable[[dict, list[dict]], dict[str, np.ndarray]]:
    """A ``MeanMetricWrapper``: the weighted mean of per-sample values over every batch so far."""

    def reference(config: dict, batches: list[dict]) -> dict[str, np.ndarray]:
        total = count = 0.0
        out = {}

        def add(batch: dict) -> tuple[float, float]:
            values = per_sample(*batch["args"])
            weight = batch["kwargs"].get("sample_weight")
            weights = np.ones_like(values) if weight is None else np.broadcast_to(weight, values.shape)
            return float(np.sum(values * weights)), float(np.sum(weights))

        for step, batch in enumerate(batches, start=1):
            t, c = add(batch)
            total, count = total + t, count + c
            out[f"result{step}"] = np.asarray(0.0 if count == 0 else total / count)
        t, c = add(batches[0])
        out["after_reset"] = np.asarray(0.0 if c == 0 else t / c)
        return out

    return reference


def squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return np.mean((y_pred - y_true) ** 2, axis=-1)


def mean_metric_conditioning(config: dict, batches: list[dict], refs: dict[str, np.ndarray]
                             ) -> dict[str, np.ndarray]:
    """Each result is a ratio of sums: its rounding is relative to the sum of |terms| over the weights."""
    magnitude = mean_metric_reference(
        lambda t, p: np.mean((np.abs(t) + np.abs(p)) ** 2, axis=-1))(config, batches)
    terms = sum(b["args"][0].size for b in batches)
    return {name: np.abs(refs[name]) + magnitude[name] * np.sqrt(terms) for name in refs}
