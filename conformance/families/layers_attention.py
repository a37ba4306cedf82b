"""Strategies and float64 references of the attention layers: Attention, AdditiveAttention,
MultiHeadAttention.

The first catalog's draft of Attention (dot scores, two masks, no scale: ``attention_config``,
``attention_inputs``, ``attention_reference``, ``attention_conditioning``) is re-exported
from conformance/families/layers.py for tests/test_object_specs.py; the full specs
(score modes, scales, causal masks, a key input, the scores returned) use the general
strategies below. References follow keras/src/layers/attention/*.py's equations in float64
NumPy and never call Keras.

Every drawn mask keeps key 0, so every query row has a key to attend to: Keras documents
that a scores mask "must contain at least one True value in each line", and an all-masked
row is the softmax of scores shifted by -1e9, which float32 rounds to a constant (uniform
weights over the masked keys) where float64 keeps the scores (a recorded op-level edge:
divergences.toml "causal mask"). A causal mask always allows key 0 too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.objects import CallInputs, LayerResult

#: Keras's masked score offset for float32/float64 (float16's is 65504, not drawn here)
MASKED_SCORE = 1e9


# -- the first catalog's draft (dot scores, two masks, no scale) ----------------------------------
def attention_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"use_scale": st.just(False), "score_mode": st.just("dot"),
                                  "dropout": st.just(0.0)})


@st.composite
def _attention_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """query (B, Tq, D) and value (B, Tv, D), a query mask and a value mask with at least one
    key kept per row (an all-masked row is an edge of its own: the softmax of a constant)."""
    batch, tq, tv, dim = (draw(st.integers(1, 3)) for _ in range(4))
    query = draw(strategies.arrays(dtype, (batch, tq, dim), mode))
    value = draw(strategies.arrays(dtype, (batch, tv, dim), mode))
    query_mask, value_mask = _masks(draw, batch, tq, tv)
    return {"args": [[query, value]], "kwargs": {"mask": [query_mask, value_mask]}}


def attention_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _attention_inputs(config, dtype, mode)


def attention_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                        training: bool) -> Any:
    """softmax(scores, masked keys at -1e9) · v, rows of masked queries zeroed; the mask is the query's."""
    return attention_layer_reference(config, weights, inputs, training)


def attention_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                           ref: Any) -> Any:
    return attention_layer_conditioning(config, weights, inputs, ref)


def _masks(draw: Any, batch: int, tq: int, tv: int) -> tuple[np.ndarray, np.ndarray]:
    """A query mask (some rows masked) and a value mask keeping key 0 of every sequence."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    query_mask = rng.random((batch, tq)) < 0.7
    value_mask = rng.random((batch, tv)) < 0.7
    value_mask[:, 0] = True
    return query_mask, value_mask


# -- Attention and AdditiveAttention ------------------------------------------------------------
def attention_layer_config(dtype: str) -> st.SearchStrategy:
    """Attention: both score modes, with and without the learned scale (dropout is 0: see specs)."""
    return st.fixed_dictionaries({"use_scale": st.booleans(), "score_mode": st.sampled_from(["dot", "concat"]),
                                  "dropout": st.just(0.0)})


def additive_attention_config(dtype: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({"use_scale": st.booleans(), "dropout": st.just(0.0)})


@st.composite
def _attention_call(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """[query, value] or [query, value, key]; value's width may differ from the query's when a key
    is given; masks or none; the causal mask and the returned scores as call arguments."""
    batch, tq, tv = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dim = draw(st.integers(1, 4))
    with_key = draw(st.booleans())
    value_dim = draw(st.integers(1, 4)) if with_key else dim
    query = draw(strategies.arrays(dtype, (batch, tq, dim), mode))
    value = draw(strategies.arrays(dtype, (batch, tv, value_dim), mode))
    tensors = [query, value]
    if with_key:
        tensors.append(draw(strategies.arrays(dtype, (batch, tv, dim), mode)))
    kwargs: dict[str, Any] = {"use_causal_mask": draw(st.booleans()),
                              "return_attention_scores": draw(st.booleans())}
    if draw(st.booleans()):
        kwargs["mask"] = list(_masks(draw, batch, tq, tv))
    return {"args": [tensors], "kwargs": kwargs}


def attention_layer_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _attention_call(config, dtype, mode)


def attention_layer_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    if config.get("use_scale"):
        shapes["scale"] = ()
    if config.get("score_mode") == "concat":
        shapes["concat_score_weight"] = ()
    return shapes


def additive_attention_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    dim = inputs["args"][0][0].shape[-1]
    return {"scale": (dim,)} if config["use_scale"] else {}


def _scores(config: dict, weights: dict[str, np.ndarray], query: np.ndarray, key: np.ndarray) -> np.ndarray:
    """(B, Tq, Tv) scores as Attention/AdditiveAttention._calculate_scores compute them."""
    pairs = query[:, :, None, :] + key[:, None, :, :]
    if "score_mode" not in config:  # AdditiveAttention: a scale per feature
        return np.sum(weights.get("scale", 1.0) * np.tanh(pairs), axis=-1)
    scale = weights.get("scale")
    if config["score_mode"] == "dot":
        scores = query @ np.swapaxes(key, -1, -2)
        return scores * scale if scale is not None else scores
    inner = scale * pairs if scale is not None else pairs
    return weights["concat_score_weight"] * np.sum(np.tanh(inner), axis=-1)


def _parts(inputs: CallInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any, Any, dict]:
    tensors = inputs["args"][0]
    query, value = tensors[0], tensors[1]
    key = tensors[2] if len(tensors) > 2 else value
    kwargs = inputs["kwargs"]
    query_mask, value_mask = kwargs.get("mask") or (None, None)
    return query, value, key, query_mask, value_mask, kwargs


def causal_mask(tq: int, tv: int) -> np.ndarray:
    """(Tq, Tv): query i sees keys j <= i (Keras compares cumulative sums, whatever Tq and Tv)."""
    return np.arange(tq)[:, None] >= np.arange(tv)[None, :]


def attention_layer_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                              training: bool) -> Any:
    """softmax(scores, keys outside the value mask and the causal mask shifted by -1e9) · value,
    rows of masked queries zeroed; the scores (the softmax) returned when asked; the mask is the query's."""
    query, value, key, query_mask, value_mask, kwargs = _parts(inputs)
    scores = _scores(config, weights, query, key)
    allowed = np.ones(scores.shape, bool)
    if value_mask is not None:
        allowed &= value_mask[:, None, :]
    if kwargs.get("use_causal_mask"):
        allowed &= causal_mask(*scores.shape[-2:])
    probabilities = oracle.softmax(np.where(allowed, scores, scores - MASKED_SCORE), axis=-1)
    out = probabilities @ value
    if query_mask is not None:
        out = np.where(query_mask[..., None], out, 0.0)
    outputs = (out, probabilities) if kwargs.get("return_attention_scores") else out
    return LayerResult(outputs, mask=query_mask)


def _score_magnitude(config: dict, weights: dict[str, np.ndarray], query: np.ndarray, key: np.ndarray) -> np.ndarray:
    """(B, Tq, 1): the largest magnitude of a score's terms, what its rounding is relative to."""
    if config.get("score_mode", "concat") == "dot":
        terms = np.abs(query) @ np.abs(np.swapaxes(key, -1, -2)) * abs(float(weights.get("scale", 1.0)))
    else:
        scale = np.abs(weights.get("scale", 1.0)) * abs(float(weights.get("concat_score_weight", 1.0)))
        terms = np.sum(scale * (1.0 + np.abs(query[:, :, None, :]) + np.abs(key[:, None, :, :])), axis=-1)
    return terms.max(axis=-1, keepdims=True) + 1.0


def attention_layer_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                                 ref: Any) -> Any:
    """A score's error (relative to its terms) moves the softmax by as much; times max|v| for the output."""
    query, value, key, _, _, _ = _parts(inputs)
    score_scale = _score_magnitude(config, weights, query, key)
    largest_value = np.abs(value).max(axis=(-2, -1), keepdims=True)
    out, scores = (ref if isinstance(ref, tuple) else (ref, None))
    out_scale = np.abs(out) + score_scale * largest_value * np.sqrt(value.shape[-2] * value.shape[-1])
    if scores is None:
        return out_scale
    return {"out0": out_scale, "out1": np.abs(scores) + score_scale * np.maximum(scores, 1e-3)}


# -- MultiHeadAttention ---------------------------------------------------------------------------
def multi_head_attention_config(dtype: str) -> st.SearchStrategy:
    """Heads and their widths, value_dim defaulting to key_dim or its own, an output width or the
    query's; dropout 0 (a stochastic mask is no value to compare)."""
    return st.fixed_dictionaries({
        "num_heads": st.integers(1, 3),
        "key_dim": st.integers(1, 4),
        "value_dim": st.one_of(st.none(), st.integers(1, 4)),
        "use_bias": st.booleans(),
        "output_shape": st.one_of(st.none(), st.integers(1, 4)),
        "dropout": st.just(0.0),
    })


@st.composite
def _multi_head_call(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
    """query (B, T, Dq), value (B, S, Dv), a key (B, S, Dk) or none; an attention mask (B, T, S)
    keeping key 0, or none; the causal mask and the returned scores as call arguments."""
    batch, tq, tv = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    query = draw(strategies.arrays(dtype, (batch, tq, draw(st.integers(1, 4))), mode))
    value = draw(strategies.arrays(dtype, (batch, tv, draw(st.integers(1, 4))), mode))
    kwargs: dict[str, Any] = {"use_causal_mask": draw(st.booleans()),
                              "return_attention_scores": draw(st.booleans())}
    if draw(st.booleans()):
        kwargs["key"] = draw(strategies.arrays(dtype, (batch, tv, draw(st.integers(1, 4))), mode))
    if draw(st.booleans()):
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        attention_mask = rng.random((batch, tq, tv)) < 0.7
        attention_mask[..., 0] = True
        kwargs["attention_mask"] = attention_mask
    return {"args": [query, value], "kwargs": kwargs}


def multi_head_attention_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
    return _multi_head_call(config, dtype, mode)


def _head_widths(config: dict, inputs: CallInputs) -> tuple[int, int, int]:
    value_dim = config["value_dim"] or config["key_dim"]
    output_dim = config["output_shape"] or inputs["args"][0].shape[-1]
    return config["key_dim"], value_dim, output_dim


def multi_head_attention_weights(config: dict, inputs: CallInputs) -> dict[str, tuple[int, ...]]:
    """The four EinsumDense projections' kernels (and biases), by sublayer path."""
    query, value = inputs["args"]
    key = inputs["kwargs"].get("key", value)
    heads = config["num_heads"]
    key_dim, value_dim, output_dim = _head_widths(config, inputs)
    shapes = {"query/kernel": (query.shape[-1], heads, key_dim), "key/kernel": (key.shape[-1], heads, key_dim),
              "value/kernel": (value.shape[-1], heads, value_dim),
              "attention_output/kernel": (heads, value_dim, output_dim)}
    if config["use_bias"]:
        shapes.update({"query/bias": (heads, key_dim), "key/bias": (heads, key_dim),
                       "value/bias": (heads, value_dim), "attention_output/bias": (output_dim,)})
    return shapes


def _project(x: np.ndarray, weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    """(B, T, D) -> (B, T, heads, width): EinsumDense 'abc,cde->abde' plus its bias."""
    return np.einsum("abc,cde->abde", x, weights[f"{name}/kernel"]) + weights.get(f"{name}/bias", 0.0)


def multi_head_attention_reference(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                                   training: bool) -> Any:
    """Per head softmax(q·kᵀ / sqrt(key_dim), masked at -1e9) · v, then the output projection;
    the scores are (B, heads, T, S)."""
    query, value = inputs["args"]
    kwargs = inputs["kwargs"]
    q = _project(query, weights, "query") / np.sqrt(config["key_dim"])
    k = _project(kwargs.get("key", value), weights, "key")
    v = _project(value, weights, "value")
    scores = np.einsum("aecd,abcd->acbe", k, q)
    allowed = np.ones(scores.shape[-2:], bool)[None, None]
    if kwargs.get("attention_mask") is not None:
        allowed = allowed & kwargs["attention_mask"][:, None]
    if kwargs.get("use_causal_mask"):
        allowed = allowed & causal_mask(*scores.shape[-2:])
    probabilities = oracle.softmax(np.where(allowed, scores, scores - MASKED_SCORE), axis=-1)
    context = np.einsum("acbe,aecd->abcd", probabilities, v)
    out = np.einsum("abcd,cde->abe", context, weights["attention_output/kernel"])
    out = out + weights.get("attention_output/bias", 0.0)
    return (out, probabilities) if kwargs.get("return_attention_scores") else out


def _abs_project(x: np.ndarray, weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.abs(_project(np.abs(x), {k: np.abs(w) for k, w in weights.items()}, name))


def multi_head_attention_conditioning(config: dict, weights: dict[str, np.ndarray], inputs: CallInputs,
                                      ref: Any) -> Any:
    """Magnitudes through the projections: the scores' terms, the values', then the output's."""
    query, value = inputs["args"]
    q = _abs_project(query, weights, "query") / np.sqrt(config["key_dim"])
    k = _abs_project(inputs["kwargs"].get("key", value), weights, "key")
    v = _abs_project(value, weights, "value")
    score_scale = np.einsum("aecd,abcd->acbe", k, q).max(axis=-1, keepdims=True) + 1.0  # (B, H, T, 1)
    context = (score_scale + 1.0) * v.max(axis=1, keepdims=True).transpose(0, 2, 1, 3)  # (B, H, 1, V)
    context = np.broadcast_to(context, (*score_scale.shape[:3], v.shape[-1])).transpose(0, 2, 1, 3)
    kernel = np.abs(weights["attention_output/kernel"])
    out_terms = np.einsum("abcd,cde->abe", context, kernel) * np.sqrt(kernel.shape[0] * kernel.shape[1])
    out, scores = (ref if isinstance(ref, tuple) else (ref, None))
    out_scale = np.abs(out) + out_terms + np.abs(weights.get("attention_output/bias", 0.0))
    if scores is None:
        return out_scale
    return {"out0": out_scale, "out1": np.abs(scores) + score_scale * np.maximum(scores, 1e-3)}
