"""Argument translation shared by the Keras 3 -> Keras 2 op mappings.

Each mapping is ``impl(K, A, args, kwargs)``: ``K`` is the Keras 2 backend
module, ``A`` its activations module, ``args`` the tensors, ``kwargs`` the
Keras 3 keyword arguments. Raise :class:`Absent` where Keras 2 has no
counterpart for the given arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.adapter import Absent


def no_kwargs(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        if kw:
            raise Absent(f"tf_keras.backend.{name} takes no {sorted(kw)}")
        return getattr(K, name)(*args)

    return call


def reduction(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        axis = kw.get("axis")
        return getattr(K, name)(args[0], axis=tuple(axis) if isinstance(axis, list) else axis,
                                keepdims=kw.get("keepdims", False))

    return call


def as_tuple(value: Any, rank: int) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * rank
