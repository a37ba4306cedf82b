"""Strategies and float64 references of the recurrent layers: SimpleRNN, GRU, LSTM.

The references follow the cells' equations in keras/src/layers/rnn/simple_rnn.py,
gru.py and lstm.py exactly (LSTM gates in the order i, f, c, o; GRU's z, r, h, the
reset gate applied before or after the recurrent product with ``reset_after``, whose
bias is then (2, 3 * units): the input's and the recurrent one), and the loop of
keras/src/backend/tensorflow/rnn.py: a masked step keeps the states and repeats the
previous output (zeros before the first output), ``go_backwards`` walks the sequence from its end
and returns the outputs in the order they were computed, the last output is the last
computed. In float64 NumPy; nothing here calls Keras.

Drawn edges: a length-1 time axis, an all-masked sequence (its outputs are zeros, its
states the initial ones), initial states given or zeros, relu as an activation where Keras allows any.
Not drawn: dropout and recurrent_dropout (stochastic masks, no value to compare),
``stateful=True`` (the states persist across calls of a fixed batch: one call per case
cannot see it), ``zero_output_for_mask`` (a Keras 3 argument Keras 2's layers lack).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies, structure
from conformance.objects import CallInputs

ACTIVATIONS = ("tanh", "sigmoid", "relu")
#: how many states each cell carries (h, or h and c)
STATE_COUNT = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2}
#: how many gate blocks its kernels hold
GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def recurrent_config(kind: str) -> Callable[[str], st.SearchStrategy]:
    """The layer's sequence flags and its cell's activations (GRU: reset_after both ways)."""

    def config(dtype: str) -> st.SearchStrategy:
        fields: dict[str, st.SearchStrategy] = {
            "units": st.integers(1, 4), "activation": st.sampled_from(ACTIVATIONS), "use_bias": st.booleans(),
            "return_sequences": st.booleans(), "return_state": st.booleans(), "go_backwards": st.booleans(),
            "unroll": st.booleans(), "dropout": st.just(0.0), "recurrent_dropout": st.just(0.0),
        }
        if kind != "SimpleRNN":
            fields["recurrent_activation"] = st.sampled_from(ACTIVATIONS)
        if kind == "GRU":
            fields["reset_after"] = st.booleans()
        return st.fixed_dictionaries(fields)

    return config


def recurrent_inputs(kind: str) -> Callable[[dict, str, str], st.SearchStrategy]:
    """(B, T, F) with T from 1; a boolean (B, T) mask or none (a row may be all masked);
    initial states or none."""

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        batch, steps, features = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
            mask = rng.random((batch, steps)) < 0.7
            if draw(st.booleans()):
                mask[0] = False  # an all-masked sequence: every output is the initial state
            kwargs["mask"] = mask
        if draw(st.booleans()):
            kwargs["initial_state"] = [draw(strategies.arrays(dtype, (batch, config["units"]), mode))
                                       for _ in range(STATE_COUNT[kind])]
        x = draw(strategies.arrays(dtype, (batch, steps, features), mode))
        return {"args": [x], "kwargs": kwargs}

    return draw_inputs


def recurrent_weights(kind: str) -> Callable[[dict, CallInputs], dict[str, tuple[int, ...]]]:
    def weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
        units, width = config["units"], GATES[kind] * config["units"]
        shapes = {"kernel": (inputs["args"][0].shape[-1], width), "recurrent_kernel": (units, width)}
        if config["use_bias"]:
            shapes["bias"] = (2, width) if config.get("reset_after") else (width,)
        return shapes

    return weights


# -- the cells' equations -------------------------------------------------------------------------
Step = Callable[[np.ndarray, list[np.ndarray]], tuple[np.ndarray, list[np.ndarray]]]


def _activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    return oracle.ACTIVATIONS[name]


def simple_rnn_step(config: dict, weights: dict[str, np.ndarray]) -> Step:
    act = _activation(config["activation"])
    kernel, recurrent, bias = weights["kernel"], weights["recurrent_kernel"], weights.get("bias", 0.0)

    def step(x: np.ndarray, states: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        h = act(x @ kernel + bias + states[0] @ recurrent)
        return h, [h]

    return step


def lstm_step(config: dict, weights: dict[str, np.ndarray]) -> Step:
    act, gate = _activation(config["activation"]), _activation(config["recurrent_activation"])
    kernel, recurrent, bias = weights["kernel"], weights["recurrent_kernel"], weights.get("bias", 0.0)

    def step(x: np.ndarray, states: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        h, c = states
        z_i, z_f, z_c, z_o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)
        c = gate(z_f) * c + gate(z_i) * act(z_c)
        h = gate(z_o) * act(c)
        return h, [h, c]

    return step


def gru_step(config: dict, weights: dict[str, np.ndarray]) -> Step:
    act, gate = _activation(config["activation"]), _activation(config["recurrent_activation"])
    kernel, recurrent = weights["kernel"], weights["recurrent_kernel"]
    units = config["units"]
    bias = weights.get("bias")
    width = 3 * units
    input_bias, recurrent_bias = ((bias[0], bias[1]) if config["reset_after"] else (bias, np.zeros(width))) \
        if bias is not None else (np.zeros(width), np.zeros(width))

    def step(x: np.ndarray, states: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        h = states[0]
        x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3, axis=-1)
        inner = h @ recurrent + recurrent_bias
        z = gate(x_z + inner[:, :units])
        r = gate(x_r + inner[:, units:2 * units])
        if config["reset_after"]:
            recurrent_h = r * inner[:, 2 * units:]
        else:
            recurrent_h = (r * h) @ recurrent[:, 2 * units:]
        h = z * h + (1 - z) * act(x_h + recurrent_h)
        return h, [h]

    return step


STEPS = {"SimpleRNN": simple_rnn_step, "GRU": gru_step, "LSTM": lstm_step}


def run_sequence(step: Step, x: np.ndarray, states: list[np.ndarray], mask: np.ndarray | None,
                 go_backwards: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """The outputs (B, T, units) in the order computed and the final states; a masked step keeps
    the states and repeats the previous output, zeros before the first (TF's loop and every
    backend's unrolled one; jax's and NumPy's scans repeat the first state instead: a recorded
    divergence, visible with an initial state and masked leading steps)."""
    outputs: list[np.ndarray] = []
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    for t in order:
        output, new_states = step(x[:, t], states)
        if mask is not None:
            kept = mask[:, t][:, None]
            output = np.where(kept, output, outputs[-1] if outputs else np.zeros_like(output))
            new_states = [np.where(kept, new, old) for new, old in zip(new_states, states)]
        outputs.append(output)
        states = new_states
    return np.stack(outputs, axis=1), states


def recurrent_reference(kind: str) -> Callable[[dict, dict, CallInputs, bool], Any]:
    def reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs, training: bool) -> Any:
        x = inputs["args"][0]
        kwargs = inputs["kwargs"]
        zeros = np.zeros((x.shape[0], config["units"]))
        initial = list(kwargs.get("initial_state") or [zeros] * STATE_COUNT[kind])
        outputs, states = run_sequence(STEPS[kind](config, weights), x, initial, kwargs.get("mask"),
                                       config["go_backwards"])
        output = outputs if config["return_sequences"] else outputs[:, -1]
        return (output, *states) if config["return_state"] else output

    return reference


def recurrent_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs, ref: Any) -> Any:
    """|out| plus the largest pre-activation's terms (|x|·|kernel| + |h|·|recurrent| + |bias|), times
    the steps (each step's rounding is carried into the next through the state)."""
    x = inputs["args"][0]
    named = structure.output_names(ref)
    arrays = [*named.values(), *(inputs["kwargs"].get("initial_state") or [])]
    largest_state = max(1.0, *(float(np.abs(a).max(initial=0.0)) for a in arrays))
    terms = (np.abs(x) @ np.abs(weights["kernel"])).max(initial=0.0)
    terms += largest_state * np.abs(weights["recurrent_kernel"]).sum(axis=0).max()
    terms += np.abs(weights.get("bias", 0.0)).max(initial=0.0) * 2
    scale = terms * x.shape[1]
    if len(named) == 1:
        return np.abs(ref) + scale
    return {name: np.abs(array) + scale for name, array in named.items()}
