"""Strategies and float64 references of the core layers: EinsumDense, Embedding, Identity, Masking.

Also the small helpers every family of simple layers shares (no weights, an
input of a drawn rank, an elementwise conditioning). Dense lives in
conformance/families/layers.py. References take ``(config, weights, inputs,
training)`` and never call Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.objects import (
    CONFIG_ROUND_TRIP,
    FORWARD,
    GRADIENTS,
    SYMBOLIC,
    TRAINING_FORWARD,
    CallInputs,
    LayerResult,
    one_input,
)

#: the checks of a layer whose output shape is the point: shape inference (symbolic) too
WITH_SYMBOLIC = (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP, GRADIENTS, SYMBOLIC)


# -- shared by the simple layer families --------------------------------------------------------
def no_config(dtype: str) -> st.SearchStrategy:
    """A layer whose every argument keeps its default (or that has none)."""
    return st.just({})


def no_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    return {}


def first_input(inputs: CallInputs) -> np.ndarray:
    return inputs["args"][0]


def shape_of_rank(min_rank: int, max_rank: int, max_side: int = 5) -> st.SearchStrategy:
    """(batch, sides...): a batch of 1 to 3, each side 1 to ``max_side`` (length-1 axes included)."""
    return st.integers(min_rank, max_rank).flatmap(
        lambda rank: st.tuples(st.integers(1, 3), *[st.integers(1, max_side) for _ in range(rank - 1)]))


def any_rank(min_rank: int, max_rank: int, max_side: int = 5) -> Any:
    """An inputs factory: one floating array of a drawn rank."""
    return one_input(lambda config: shape_of_rank(min_rank, max_rank, max_side))


def elementwise_conditioning(config: dict, weights: dict, inputs: CallInputs, ref: Any) -> Any:
    """|out| + |x| (an elementwise layer's rounding is relative to its input and output)."""
    return np.abs(ref) + np.abs(first_input(inputs))


# -- EinsumDense ---------------------------------------------------------------------------------
#: equation, input rank, and which output letters come from the kernel (their sizes are drawn);
#: a contraction over an inner axis, an output with two kernel axes, a left ellipsis
EINSUM_EQUATIONS = {
    "ab,bc->ac": 2,
    "abc,cd->abd": 3,
    "abc,cde->abde": 3,
    "abc,bd->adc": 3,
    "abcd,cde->abe": 4,
    "...b,bc->...c": None,  # any rank from 2 to 4
}
EINSUM_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")


def _einsum_parts(equation: str) -> tuple[str, str, str]:
    inputs, output = equation.split("->")
    x_spec, kernel_spec = inputs.split(",")
    return x_spec, kernel_spec, output


def _batch_letter(equation: str) -> str | None:
    """The letter of the batch axis (the input's first), None under a left ellipsis."""
    x_spec = _einsum_parts(equation)[0]
    return None if x_spec.startswith("...") else x_spec[0]


def _named_output_letters(equation: str) -> list[str]:
    """The output letters that ``output_shape`` names: every one but the batch's."""
    out_letters = _einsum_parts(equation)[2].replace("...", "")
    return [letter for letter in out_letters if letter != _batch_letter(equation)]


@st.composite
def _einsum_config(draw: Any, dtype: str) -> dict:
    equation = draw(st.sampled_from(sorted(EINSUM_EQUATIONS)))
    out_letters = _einsum_parts(equation)[2].replace("...", "")
    output_shape = [draw(st.integers(1, 4)) for _ in _named_output_letters(equation)]
    # a bias over a trailing run of output axes, from the last one alone to all but the batch's
    first = 0 if _batch_letter(equation) is None else 1
    bias_choices = [None] + [out_letters[i:] for i in range(first, len(out_letters))]
    return {"equation": equation, "output_shape": output_shape,
            "bias_axes": draw(st.sampled_from(bias_choices)),
            "activation": draw(st.sampled_from(EINSUM_ACTIVATIONS))}


def einsum_config(dtype: str) -> st.SearchStrategy:
    return _einsum_config(dtype)


def _einsum_sizes(config: dict, input_shape: tuple[int, ...]) -> dict[str, int]:
    """Every letter's size: the input's axes, then the output axes that only the kernel has."""
    x_spec = _einsum_parts(config["equation"])[0]
    letters = x_spec.replace("...", "")
    sizes = dict(zip(letters, input_shape[len(input_shape) - len(letters):]))
    for letter, size in zip(_named_output_letters(config["equation"]), config["output_shape"]):
        sizes.setdefault(letter, size)
    return sizes


@st.composite
def _einsum_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """An input whose axes shared with the output have the output's sizes; the contracted
    axes and the elided ones (rank 2 to 4 under an ellipsis) are drawn, length 1 included."""
    equation = config["equation"]
    x_spec = _einsum_parts(equation)[0]
    named = dict(zip(_named_output_letters(equation), config["output_shape"]))
    letters = x_spec.replace("...", "")
    if x_spec.startswith("..."):
        rank = draw(st.integers(2, 4))
        shape = [draw(st.integers(1, 3))] + [draw(st.integers(1, 3)) for _ in range(rank - 1 - len(letters))]
    else:
        shape = [draw(st.integers(1, 3))]
        letters = letters[1:]
    shape += [named.get(letter) or draw(st.integers(1, 4)) for letter in letters]
    return {"args": [draw(strategies.arrays(dtype, tuple(shape), mode))], "kwargs": {}}


def einsum_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _einsum_inputs(config, dtype, mode)


def einsum_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    """kernel: the kernel spec's letters; bias: the output spec from the first bias axis on, 1 elsewhere."""
    x = first_input(inputs)
    _, kernel_spec, out_spec = _einsum_parts(config["equation"])
    sizes = _einsum_sizes(config, x.shape)
    shapes = {"kernel": tuple(sizes[letter] for letter in kernel_spec)}
    if config["bias_axes"]:
        out_letters = out_spec.replace("...", "")
        first = min(out_letters.find(c) for c in config["bias_axes"])
        shapes["bias"] = tuple(sizes[c] if c in config["bias_axes"] else 1 for c in out_letters[first:])
    return shapes


def einsum_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                     training: bool) -> np.ndarray:
    y = np.einsum(config["equation"], first_input(inputs), weights["kernel"])
    if "bias" in weights:
        y = y + weights["bias"]
    return oracle.ACTIVATIONS[config["activation"]](y)


def einsum_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        ref: np.ndarray) -> np.ndarray:
    """|x|·|kernel| (same contraction) + |bias|, times sqrt(terms), through the activation's slope."""
    x, kernel = first_input(inputs), weights["kernel"]
    products = np.einsum(config["equation"], np.abs(x), np.abs(kernel))
    terms = max(1, int(np.prod(x.shape)) * int(np.prod(kernel.shape)) // max(1, int(np.prod(ref.shape))))
    products = products * np.sqrt(terms)
    z = np.einsum(config["equation"], x, kernel)
    if "bias" in weights:
        products = products + np.abs(weights["bias"])
        z = z + weights["bias"]
    return np.abs(ref) + oracle.activation_slope(config["activation"], z) * products


# -- Embedding -----------------------------------------------------------------------------------
def embedding_config(dtype: str) -> st.SearchStrategy:
    """input_dim 1 (every index is 0: with mask_zero everything is masked) to 8."""
    return st.fixed_dictionaries({"input_dim": st.integers(1, 8), "output_dim": st.integers(1, 5),
                                  "mask_zero": st.booleans()})


@st.composite
def _embedding_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """Indices in [0, input_dim) of rank 1 to 3; zeros planted (whole rows too), int32 or int64.

    Out-of-range indices are left out: TF raises on CPU, JAX clamps, torch raises; Keras
    documents none of them.
    """
    shape = draw(shape_of_rank(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, config["input_dim"], size=shape)
    indices[rng.random(shape) < draw(st.sampled_from((0.0, 0.3)))] = 0
    if len(shape) > 1 and draw(st.booleans()):
        indices[0] = 0  # an all-zero (all-masked) sequence
    return {"args": [indices.astype(draw(st.sampled_from(("int32", "int64"))))], "kwargs": {}}


def embedding_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _embedding_inputs(config, dtype, mode)


def embedding_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    return {"embeddings": (config["input_dim"], config["output_dim"])}


def embedding_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        training: bool) -> LayerResult:
    """A row per index; the mask (with mask_zero) is ``index != 0``, none without."""
    indices = np.asarray(first_input(inputs)).astype(np.int64)
    mask = indices != 0 if config["mask_zero"] else None
    return LayerResult(weights["embeddings"][indices], mask=mask)


# -- Identity, Masking ---------------------------------------------------------------------------
def identity_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> np.ndarray:
    return first_input(inputs)


MASK_VALUES = (0.0, 1.0, -2.0)


def masking_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"mask_value": st.sampled_from(MASK_VALUES)})


@st.composite
def _masking_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """(batch, steps, features) with whole steps set to mask_value, and steps where only some
    features equal it (not masked). Gradient cases plant none: at a fully masked step the
    output jumps from 0 to x when one element moves off mask_value (no derivative there)."""
    shape = draw(shape_of_rank(3, 3))
    x = draw(strategies.arrays(dtype, shape, mode))
    if mode != strategies.GRAD:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        steps = rng.random(shape[:2]) < draw(st.sampled_from((0.3, 1.0)))
        x[steps] = config["mask_value"]
        partial = rng.random(shape) < 0.3
        x[partial] = config["mask_value"]
    return {"args": [x], "kwargs": {}}


def masking_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _masking_inputs(config, dtype, mode)


def masking_reference(config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
    """A step is kept when any feature differs from mask_value; masked steps become 0."""
    x = first_input(inputs)
    keep = np.any(x != config["mask_value"], axis=-1)
    return LayerResult(np.where(keep[..., None], x, 0.0), mask=keep)
