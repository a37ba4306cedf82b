"""Float64 NumPy references for training: backpropagation through a Dense chain, the SGD step.

Nothing here calls a backend under test. A model is a chain of Dense layers
named ``d0``, ``d1``…, described by a JSON-able scenario (see
``specs/training/optimizers.py``); weights are keyed by variable path
(``d0/kernel``, ``d0/bias``). The loss is Keras's ``"mse"``: the mean of the
squared error over the last axis, then over the batch (``sum_over_batch_size``),
which is the mean over every element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from conformance.oracle import ACTIVATION_DERIVATIVES, ACTIVATIONS

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
    """Weights after each of ``scenario["steps"]`` full-batch SGD steps, keyed ``step1/d0/kernel``…"""
    learning_rate = float(scenario["optimizer"]["learning_rate"])
    current = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    out: dict[str, np.ndarray] = {}
    for step in range(1, scenario["steps"] + 1):
        grads = dense_chain_gradients(scenario["layers"], current, x, y, scenario["loss"])
        current = sgd_step(current, grads, learning_rate)
        for name, value in current.items():
            out[f"step{step}/{name}"] = value
    return out
