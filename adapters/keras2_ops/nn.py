"""Keras 2 counterparts of ``ops.nn`` activations, losses, depthwise/separable convolution
and batch normalization (relu, sigmoid, softmax, gelu, one_hot, conv and pools are in core.py).

Only counterparts with the same meaning are mapped; where the Keras 2 function
means something else for the given arguments the mapping raises Absent.
"""

from __future__ import annotations

from typing import Any

from conformance.adapter import Absent
from conformance.migration import changed_default, changed_formula, renamed

from ._helpers import as_tuple


def _activation(name: str, **renamed: str) -> Any:
    """``A.<name>(x, **kwargs)`` with Keras 3 keyword names translated (``renamed``: k3 -> k2)."""

    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        return getattr(A, name)(args[0], **{renamed.get(k, k): v for k, v in kw.items()})

    return call


def _leaky_relu(K: Any, A: Any, args: list, kw: dict) -> Any:
    return A.relu(args[0], alpha=kw.get("negative_slope", 0.2))


def _loss(name: str) -> Any:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        return getattr(K, name)(args[0], args[1], **kw)

    return call


def _depthwise(K: Any, A: Any, args: list, kw: dict) -> Any:
    x = args[0]
    rank = K.ndim(x) - 2
    if rank != 2:
        raise Absent("tf_keras.backend.depthwise_conv2d is 2-D only")
    return K.depthwise_conv2d(x, args[1], strides=as_tuple(kw.get("strides", 1), 2),
                              padding=kw.get("padding", "valid"),
                              data_format=kw.get("data_format") or "channels_last",
                              dilation_rate=as_tuple(kw.get("dilation_rate", 1), 2))


def _separable(K: Any, A: Any, args: list, kw: dict) -> Any:
    x = args[0]
    rank = K.ndim(x) - 2
    if rank != 2:
        raise Absent("tf_keras.backend has separable_conv2d only")
    strides = as_tuple(kw.get("strides", 1), rank)
    dilation = as_tuple(kw.get("dilation_rate", 1), rank)
    return K.separable_conv2d(x, args[1], args[2], strides=strides, padding=kw.get("padding", "valid"),
              data_format=kw.get("data_format") or "channels_last", dilation_rate=dilation)


def _batch_normalization(K: Any, A: Any, args: list, kw: dict) -> Any:
    x, mean, var = args
    if kw["axis"] % K.ndim(x) != K.ndim(x) - 1:
        raise Absent("tf_keras.backend.batch_normalization broadcasts mean/var on the last axis only")
    return K.batch_normalization(x, mean, var, None, None, axis=-1, epsilon=kw.get("epsilon", 1e-3))


def _normalize(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw.get("order", 2) != 2 or "epsilon" in kw:
        raise Absent("tf_keras.backend.l2_normalize is the order-2 norm with its own epsilon")
    return K.l2_normalize(args[0], axis=kw.get("axis", -1))


def _ctc_loss(K: Any, A: Any, args: list, kw: dict) -> Any:
    target, output, target_length, output_length = args
    if kw.get("mask_index", 0) != K.int_shape(output)[-1] - 1:
        raise Absent("tf_keras.backend.ctc_batch_cost's blank is the last class")
    loss = K.ctc_batch_cost(target, K.softmax(output), output_length[:, None], target_length[:, None])
    return loss[:, 0]


#: what changed between Keras 2 and Keras 3 for these ops (the migration view lists it)
CHANGES = {
    "ops.nn.hard_sigmoid": [changed_formula("hard_sigmoid", "clip(0.2 * x + 0.5, 0, 1)", "relu6(x + 3) / 6")],
    # Keras 2 has no leaky_relu function: relu(x, alpha) is it, and Keras 3's default
    # slope (0.2, tf.nn.leaky_relu's too) is passed when it is left out
    "ops.nn.leaky_relu": [renamed("negative_slope", "alpha"),
                          changed_default("negative_slope", "relu: 0.0", 0.2, translated=True)],
    "ops.nn.normalize": [changed_default("epsilon", "1e-12 on the squared norm (tf.linalg.l2_normalize)",
                                         "1e-07 on the norm (keras.config.epsilon())")],
}

#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.nn.elu": _activation("elu"),
    "ops.nn.selu": _activation("selu"),
    "ops.nn.softplus": _activation("softplus"),
    "ops.nn.softsign": _activation("softsign"),
    "ops.nn.swish": _activation("swish"),
    # Keras 2's hard_sigmoid is clip(0.2 x + 0.5, 0, 1), Keras 3's relu6(x + 3) / 6: same
    # name and role, different function (a migration finding, recorded as a divergence)
    "ops.nn.hard_sigmoid": _activation("hard_sigmoid"),
    "ops.nn.leaky_relu": _leaky_relu,
    "ops.nn.relu6": lambda K, A, a, kw: A.relu(a[0], max_value=6.0),
    "ops.nn.binary_crossentropy": _loss("binary_crossentropy"),
    "ops.nn.categorical_crossentropy": _loss("categorical_crossentropy"),
    "ops.nn.sparse_categorical_crossentropy": _loss("sparse_categorical_crossentropy"),
    "ops.nn.depthwise_conv": _depthwise,
    "ops.nn.separable_conv": _separable,
    "ops.nn.batch_normalization": _batch_normalization,
    "ops.nn.normalize": _normalize,
    "ops.nn.ctc_loss": _ctc_loss,
}
