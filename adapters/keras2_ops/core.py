"""Keras 2 counterparts of the first catalog slice: core elementwise, reductions, nn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.adapter import Absent
from conformance.migration import changed_default

from ._helpers import as_tuple, no_kwargs, reduction


def _matmul(K: Any, A: Any, args: list, kw: dict) -> Any:
    # K.dot contracts like numpy.dot, which equals matmul only for 1-D and 2-D operands.
    if K.ndim(args[0]) != 2 or K.ndim(args[1]) != 2:
        raise Absent("tf_keras.backend.dot equals matmul only for two 2-D operands")
    return K.dot(*args)


def _transpose(K: Any, A: Any, args: list, kw: dict) -> Any:
    axes = kw.get("axes")
    if axes is None:
        axes = list(reversed(range(K.ndim(args[0]))))
    return K.permute_dimensions(args[0], axes)


def _softmax(K: Any, A: Any, args: list, kw: dict) -> Any:
    if K.ndim(args[0]) < 2:
        raise Absent("tf_keras.backend.softmax rejects 1-D inputs by design")
    return K.softmax(args[0], axis=kw.get("axis", -1))


def _gelu(K: Any, A: Any, args: list, kw: dict) -> Any:
    # Keras 2's default is approximate=False, Keras 3's is True. Passed through
    # as given; left out, each keeps its own default (a migration finding).
    return A.gelu(args[0], **kw)


def _conv(K: Any, A: Any, args: list, kw: dict) -> Any:
    x, kernel = args
    rank = K.ndim(x) - 2
    fn = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}[rank]
    strides = as_tuple(kw.get("strides", 1), rank)
    dilation = as_tuple(kw.get("dilation_rate", 1), rank)
    if rank == 1:  # conv1d takes plain ints
        strides, dilation = strides[0], dilation[0]
    return fn(x, kernel, strides=strides, padding=kw.get("padding", "valid"),
              data_format=kw.get("data_format") or "channels_last", dilation_rate=dilation)


def _pool(mode: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        x = args[0]
        rank = K.ndim(x) - 2
        if rank != 2:
            raise Absent(f"tf_keras.backend.pool{rank}d is not mapped (pool2d only)")
        pool = as_tuple(kw["pool_size"], rank)
        strides = as_tuple(kw.get("strides") or kw["pool_size"], rank)
        return K.pool2d(x, pool, strides=strides, padding=kw.get("padding", "valid"),
                        data_format=kw.get("data_format") or "channels_last", pool_mode=mode)

    return call


#: what changed between Keras 2 and Keras 3 for these ops (the migration view lists it)
CHANGES = {
    "ops.nn.gelu": [changed_default("approximate", False, True)],
}

#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.numpy.abs": no_kwargs("abs"),
    "ops.numpy.exp": no_kwargs("exp"),
    "ops.numpy.log": no_kwargs("log"),
    "ops.numpy.sqrt": no_kwargs("sqrt"),
    "ops.numpy.square": no_kwargs("square"),
    "ops.numpy.tanh": no_kwargs("tanh"),
    "ops.numpy.maximum": no_kwargs("maximum"),
    "ops.numpy.minimum": no_kwargs("minimum"),
    "ops.numpy.sum": reduction("sum"),
    "ops.numpy.mean": reduction("mean"),
    "ops.numpy.max": reduction("max"),
    "ops.numpy.min": reduction("min"),
    "ops.numpy.prod": reduction("prod"),
    "ops.numpy.matmul": _matmul,
    "ops.numpy.reshape": lambda K, A, a, kw: K.reshape(a[0], kw["newshape"]),
    "ops.numpy.transpose": _transpose,
    "ops.numpy.clip": lambda K, A, a, kw: K.clip(a[0], kw["x_min"], kw["x_max"]),
    "ops.cast": lambda K, A, a, kw: K.cast(a[0], kw["dtype"]),
    "ops.nn.relu": lambda K, A, a, kw: K.relu(a[0]),
    "ops.nn.sigmoid": lambda K, A, a, kw: K.sigmoid(a[0]),
    "ops.nn.softmax": _softmax,
    "ops.nn.gelu": _gelu,
    "ops.nn.one_hot": lambda K, A, a, kw: K.one_hot(a[0], kw["num_classes"]),
    "ops.nn.conv": _conv,
    "ops.nn.max_pool": _pool("max"),
    "ops.nn.average_pool": _pool("avg"),
}


