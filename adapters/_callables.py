"""Python functions and tensors inside an op's keyword arguments, resolved in the worker.

Control-flow ops (``cond``, ``scan``, ``while_loop``…) and ``linalg.jvp`` take
Python functions, which cannot cross the wire. A spec names them instead, and
:func:`resolve` (called by ``_common.call_kwargs``) turns the markers into
objects inside the worker:

- ``{"callable": "<name>"}``: the function ``CALLABLES[name]``, written with
  ``keras.ops``; ``{"callable": "<name>", "bind": [v, ...]}``: that function
  with its leading arguments bound to the (resolved) values ``v``
  (``functools.partial``), e.g. a zero-argument ``cond`` branch over a tensor;
- ``{"tensor": array}``: the array as a tensor of its own dtype (``jvp``'s
  primals, ``vectorized_map``'s elements: torch rejects NumPy arrays there).

Top-level lists become tuples, as before. The float64 oracle implements every
name in NumPy (``conformance/families/math.py``, ``NUMPY_CALLABLES``): the two
tables must mean the same. Markers resolve lazily to Keras 3 (``keras.ops``);
the Keras 2 adapters map none of the ops that use them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def _ops() -> Any:
    import keras  # noqa: PLC0415 - Keras 3, in the worker, only when a function runs

    return keras.ops


def _square_plus_one(x: Any) -> Any:
    return _ops().add(_ops().multiply(x, x), 1)


def _sin_times_x(x: Any) -> Any:
    return _ops().multiply(_ops().sin(x), x)


def _scale_by_max(x: Any) -> Any:
    """A function of a whole slice (not elementwise), dtype-preserving: x * max(x)."""
    return _ops().multiply(x, _ops().max(x))


def _cumulative_add(carry: Any, x: Any) -> tuple[Any, Any]:
    """scan step: new carry = carry + x; output = carry * x."""
    return _ops().add(carry, x), _ops().multiply(carry, x)


def _halve_plus_index(i: Any, v: Any) -> Any:
    """fori_loop body: v / 2 + i, in v's dtype."""
    return _ops().add(_ops().multiply(v, 0.5), _ops().cast(i, v.dtype))


def _counter_below(limit: int, i: Any, x: Any) -> Any:
    """while_loop condition over (i, x): i < limit."""
    return _ops().less(i, limit)


def _count_and_halve(i: Any, x: Any) -> tuple[Any, Any]:
    """while_loop body over (i, x): (i + 1, x / 2 + 1)."""
    return _ops().add(i, 1), _ops().add(_ops().multiply(x, 0.5), 1)


CALLABLES: dict[str, Callable[..., Any]] = {
    "square_plus_one": _square_plus_one,
    "sin_times_x": _sin_times_x,
    "scale_by_max": _scale_by_max,
    "cumulative_add": _cumulative_add,
    "halve_plus_index": _halve_plus_index,
    "counter_below": _counter_below,
    "count_and_halve": _count_and_halve,
    "add": lambda a, b: _ops().add(a, b),
    "maximum": lambda a, b: _ops().maximum(a, b),
    "branch_double": lambda x: _ops().multiply(x, 2),
    "branch_negate": lambda x: _ops().negative(x),
    "branch_square": lambda x: _ops().multiply(x, x),
}


def _value(value: Any) -> Any:
    if isinstance(value, dict) and "callable" in value:
        fn = CALLABLES[value["callable"]]
        bound = [_value(v) for v in value.get("bind", ())]
        return functools.partial(fn, *bound) if bound else fn
    if isinstance(value, dict) and "tensor" in value:
        array = value["tensor"]
        return _ops().convert_to_tensor(array, dtype=array.dtype.name)
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def resolve(value: Any) -> Any:
    """One keyword argument's value with its markers resolved; a top-level list becomes a tuple."""
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    return _value(value)
