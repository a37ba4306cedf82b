"""Keras 2 counterparts of the reduction, statistic, cumulative and arg-reduction specs.

``tf_keras.backend`` has all/any/max/min/std/var with Keras 3's ``axis``/``keepdims``,
argmax/argmin with a default axis of -1 (Keras 3: None, the flattened index) and
cumsum/cumprod with a default axis of 0 (Keras 3: None, flattened): those are mapped
only where the arguments mean the same. sum/mean/max/min/prod are mapped in ``core``.
Sorting, quantiles and the NaN-ignoring ops have no Keras 2 counterpart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.adapter import Absent
from conformance.migration import changed_default

from ._helpers import reduction


def _arg(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        if kw.get("axis") is None or kw.get("keepdims", False):
            raise Absent(f"tf_keras.backend.{name} has no flattened index (axis=None) nor keepdims")
        return getattr(K, name)(args[0], axis=kw["axis"])

    return call


def _cumulative(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        if kw.get("axis") is None:
            raise Absent(f"tf_keras.backend.{name} does not flatten (axis=None)")
        return getattr(K, name)(args[0], axis=kw["axis"])

    return call


#: what changed between Keras 2 and Keras 3; the flattening defaults are mapped only where given
CHANGES = {
    "ops.numpy.argmax": [changed_default("axis", -1, None)],
    "ops.numpy.argmin": [changed_default("axis", -1, None)],
    "ops.numpy.cumsum": [changed_default("axis", 0, None)],
    "ops.numpy.cumprod": [changed_default("axis", 0, None)],
}

#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.numpy.all": reduction("all"),
    "ops.numpy.any": reduction("any"),
    "ops.numpy.amax": reduction("max"),
    "ops.numpy.amin": reduction("min"),
    "ops.numpy.std": reduction("std"),
    "ops.numpy.var": reduction("var"),
    "ops.numpy.argmax": _arg("argmax"),
    "ops.numpy.argmin": _arg("argmin"),
    "ops.numpy.cumsum": _cumulative("cumsum"),
    "ops.numpy.cumprod": _cumulative("cumprod"),
}
