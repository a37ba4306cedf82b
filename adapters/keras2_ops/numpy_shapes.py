"""Keras 2 counterparts of the shape, indexing, creation and linear-algebra ops.

Only what ``tf_keras.backend`` computes with the same meaning is mapped; an
argument form Keras 2 lacks (a tuple axis, axis None, a 1-D dot) is Absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.adapter import Absent
from conformance.migration import changed_default


def _int_axis(name: str, default: Any = None) -> Callable:
    """``K.<name>(x, axis)`` for a single int axis."""

    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        axis = kw.get("axis", default)
        if not isinstance(axis, int):
            raise Absent(f"tf_keras.backend.{name} takes one int axis, not {axis!r}")
        return getattr(K, name)(args[0], axis)

    return call


def _flip(K: Any, A: Any, args: list, kw: dict) -> Any:
    axis = kw.get("axis")
    axes = list(range(K.ndim(args[0]))) if axis is None else axis
    return K.reverse(args[0], list(axes) if isinstance(axes, (list, tuple)) else axes)


def _repeat(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw.get("axis") is None:
        raise Absent("tf_keras.backend.repeat_elements needs an axis (no flattening form)")
    return K.repeat_elements(args[0], kw["repeats"], kw["axis"])


def _tile(K: Any, A: Any, args: list, kw: dict) -> Any:
    # numpy.tile pads short repeats with leading 1s; K.tile needs one count per axis.
    rank, repeats = K.ndim(args[0]), kw["repeats"]
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(repeats) > rank:
        raise Absent("tf_keras.backend.tile cannot add axes")
    return K.tile(args[0], [1] * (rank - len(repeats)) + repeats)


def _arange(K: Any, A: Any, args: list, kw: dict) -> Any:
    # Keras 2 defaults to int32; Keras 3 infers the dtype: pass Keras 3's choice explicitly.
    values = [kw.get(k) for k in ("start", "stop", "step")]
    dtype = kw.get("dtype") or ("float32" if any(isinstance(v, float) for v in values) else "int32")
    step = kw.get("step")
    return K.arange(kw["start"], kw.get("stop"), 1 if step is None else step, dtype=dtype)


def _dot(K: Any, A: Any, args: list, kw: dict) -> Any:
    # K.dot follows numpy.dot (Theano's rule) for N-D . M-D, N, M >= 2 only.
    if K.ndim(args[0]) < 2 or K.ndim(args[1]) < 2:
        raise Absent("tf_keras.backend.dot is numpy.dot only for operands of rank >= 2")
    return K.dot(*args)


def _take(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw.get("axis") not in (0, -K.ndim(args[0])):
        raise Absent("tf_keras.backend.gather takes along axis 0 only")
    # "* 1": the gradient of gather is IndexedSlices, which the adapter cannot send; a product densifies it.
    x = args[0] * 1 if str(K.dtype(args[0])).startswith("float") else args[0]
    return K.gather(x, args[1])


def _filled(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        return getattr(K, name)(tuple(kw["shape"]), dtype=kw.get("dtype"))

    return call


def _eye(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw.get("k", 0) != 0:
        raise Absent("tf_keras.backend.eye has no diagonal offset")
    size = kw.get("N", kw.get("n"))
    if kw.get("M") is not None:
        size = (size, kw["M"])
    return K.eye(size, dtype=kw.get("dtype"))


#: what changed between Keras 2 and Keras 3 (the migration view lists it)
CHANGES = {
    "ops.numpy.arange": [changed_default("dtype", "int32", "inferred from start/stop/step", translated=True)],
}

#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.numpy.expand_dims": _int_axis("expand_dims"),
    "ops.numpy.squeeze": _int_axis("squeeze"),
    "ops.numpy.ravel": lambda K, A, a, kw: K.flatten(a[0]),
    "ops.numpy.flip": _flip,
    "ops.numpy.repeat": _repeat,
    "ops.numpy.tile": _tile,
    "ops.numpy.ndim": lambda K, A, a, kw: K.ndim(a[0]),
    "ops.numpy.take": _take,
    "ops.numpy.dot": _dot,
    "ops.numpy.arange": _arange,
    "ops.numpy.ones": _filled("ones"),
    "ops.numpy.zeros": _filled("zeros"),
    "ops.numpy.ones_like": lambda K, A, a, kw: K.ones_like(a[0], dtype=kw.get("dtype")),
    "ops.numpy.zeros_like": lambda K, A, a, kw: K.zeros_like(a[0], dtype=kw.get("dtype")),
    "ops.numpy.eye": _eye,
    "ops.numpy.identity": _eye,
    "ops.numpy.full": lambda K, A, a, kw: K.constant(kw["fill_value"], dtype=kw.get("dtype"),
                                                     shape=tuple(kw["shape"])),
}
