"""Specs of ``keras.ops.nn``: activations, one_hot, multi_hot, convolution, pooling, attention.

More of the namespace lives next to this module: nn_activations.py, nn_losses.py,
nn_normalization.py, nn_conv.py.

Activations other than relu take floating inputs only: TensorFlow rejects
integer inputs to sigmoid/softmax/gelu, so Keras gives them no common meaning.
"""

from __future__ import annotations

from conformance import oracle
from conformance.families import nn
from conformance.spec import OpSpec
from conformance.strategies import (
    FLOAT_DTYPES,
    INT_DTYPES,
    conv_args,
    gelu_args,
    one_hot_args,
    pool_args,
    unary,
    with_axis,
)
from conformance.tolerance import elementwise, products_of, with_input_magnitude


def _multi_hot_dtype(dtypes: list[str], kwargs: dict) -> str:
    return kwargs.get("dtype") or "float32"


CONV_SCALE = products_of(oracle.conv, oracle.conv_terms)
AVERAGE_POOL_SCALE = products_of(oracle.average_pool, oracle.pool_terms)

SPECS = [
    OpSpec("ops.nn.relu", unary(), oracle.relu, FLOAT_DTYPES + INT_DTYPES, grad=True,
           signed_zeros=False, notes="relu(-0.0) may be -0.0 or 0.0"),
    OpSpec("ops.nn.sigmoid", unary(), oracle.sigmoid, FLOAT_DTYPES, grad=True),
    OpSpec("ops.nn.softmax", with_axis(keepdims=False, allow_none=False, empty=False), oracle.softmax,
           FLOAT_DTYPES, grad=True, conditioning=oracle.softmax_scale,
           notes="axis an int or a tuple; no 0-d or empty inputs: backends disagree whether a 0-d input "
                 "has axis -1, and jax, torch and numpy raise on empty inputs where TF returns one"),
    OpSpec("ops.nn.log_softmax", with_axis(keepdims=False, allow_none=False, empty=False), oracle.log_softmax,
           FLOAT_DTYPES, grad=True, conditioning=with_input_magnitude, signed_zeros=False),
    OpSpec("ops.nn.gelu", gelu_args(), oracle.gelu, FLOAT_DTYPES, grad=True,
           conditioning=with_input_magnitude, signed_zeros=False,
           notes="approximate left out: Keras 3's default is the tanh approximation"),
    OpSpec("ops.nn.gelu", gelu_args(approximate=True), oracle.gelu, FLOAT_DTYPES, grad=True,
           conditioning=with_input_magnitude, signed_zeros=False, name="ops.nn.gelu.approximate",
           notes="approximate=True given"),
    OpSpec("ops.nn.gelu", gelu_args(approximate=False), oracle.gelu, FLOAT_DTYPES, grad=True,
           conditioning=with_input_magnitude, signed_zeros=False, name="ops.nn.gelu.exact",
           notes="approximate=False given: the erf form"),
    OpSpec("ops.nn.one_hot", one_hot_args(), oracle.one_hot, INT_DTYPES, result_dtype="float32",
           conditioning=elementwise, notes="indices in [0, num_classes)"),
    OpSpec("ops.nn.one_hot", one_hot_args(out_of_range=True), oracle.one_hot, INT_DTYPES,
           result_dtype="float32", conditioning=elementwise, name="ops.nn.one_hot.out_of_range",
           notes="indices in [-2, num_classes + 2), at least one outside: an all-zero row, as "
                 "TensorFlow (and the Keras docs' examples) give"),
    OpSpec("ops.nn.conv", conv_args(data_formats=("channels_last",)), oracle.conv, FLOAT_DTYPES,
           mixed_args=(),  # Keras documents no promotion of an input against its kernel
           grad=True, signed_zeros=False, conditioning=CONV_SCALE,
           notes="1-D and 2-D, channels_last; strides or dilation_rate above 1, never both (Keras "
                 "documents them as incompatible); both paddings. Special values in the input only"),
    OpSpec("ops.nn.conv", conv_args(data_formats=("channels_first",)), oracle.conv, FLOAT_DTYPES,
           mixed_args=(),  # Keras documents no promotion of an input against its kernel
           grad=True, signed_zeros=False, conditioning=CONV_SCALE, name="ops.nn.conv.channels_first",
           notes="as ops.nn.conv with data_format=\"channels_first\""),
    OpSpec("ops.nn.max_pool", pool_args(), oracle.max_pool, FLOAT_DTYPES, grad=True, signed_zeros=False,
           notes="1-D and 2-D; pool_size and strides as ints or tuples; both paddings. The max of "
                 "-0.0 and 0.0 may be either zero"),
    OpSpec("ops.nn.max_pool", pool_args(paddings=("valid",), default_strides=True), oracle.max_pool,
           FLOAT_DTYPES, grad=True, signed_zeros=False, name="ops.nn.max_pool.default_strides",
           notes="strides left None (= pool_size), valid padding: a spec of its own so that a "
                 "backend failing only this default is recorded without masking the others"),
    OpSpec("ops.nn.average_pool", pool_args(paddings=("valid",)), oracle.average_pool, FLOAT_DTYPES,
           grad=True, signed_zeros=False, conditioning=AVERAGE_POOL_SCALE,
           notes="valid padding, explicit strides"),
    OpSpec("ops.nn.average_pool", pool_args(paddings=("same",)), oracle.average_pool, FLOAT_DTYPES,
           grad=True, signed_zeros=False, conditioning=AVERAGE_POOL_SCALE, name="ops.nn.average_pool.same",
           notes="\"same\" padding averages over the valid elements only (TF semantics); uneven "
                 "padding (more on the right) included"),
    OpSpec("ops.nn.average_pool", pool_args(paddings=("valid",), default_strides=True),
           oracle.average_pool, FLOAT_DTYPES, grad=True, signed_zeros=False,
           conditioning=AVERAGE_POOL_SCALE, name="ops.nn.average_pool.default_strides",
           notes="strides left None (= pool_size), valid padding"),
    OpSpec("ops.nn.multi_hot", nn.multi_hot_args(), nn.multi_hot, ("int32", "int64", "uint8", "int8"),
           result_dtype=_multi_hot_dtype, special=False,
           notes="1-D (one sample) or 2-D (a batch) indices in [0, num_classes); dtype left out "
                 "(float32) or float32/int32/float16; axis -1 and sparse=False (a sparse result has no "
                 "common array form)"),
    OpSpec("ops.nn.dot_product_attention", nn.attention_args(False, False), nn.dot_product_attention,
           FLOAT_DTYPES, grad=True, conditioning=nn.attention_scale,
           notes="(B, T, N, H) query, (B, S, N, H) key/value (N equal: the NumPy backend has no "
                 "grouped heads); scale and is_causal left out or given; flash_attention left to the "
                 "backend (off on CPU); attn_logits_soft_cap left out"),
    OpSpec("ops.nn.dot_product_attention", nn.attention_args(True, False), nn.dot_product_attention,
           FLOAT_DTYPES, grad=True, conditioning=nn.attention_scale, name="ops.nn.dot_product_attention.bias",
           notes="with a bias broadcast to (B, N, T, S)"),
    OpSpec("ops.nn.dot_product_attention", nn.attention_args(False, True), nn.dot_product_attention,
           FLOAT_DTYPES, grad=True, grad_wrt=(0, 1, 2), conditioning=nn.attention_scale,
           name="ops.nn.dot_product_attention.mask",
           notes="with a bool mask (every row keeps key 0); the bias argument, positional before the "
                 "mask, is given as zeros"),
]
