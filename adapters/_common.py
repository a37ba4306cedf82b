"""Helpers shared by the adapters that drive a Keras-like module.

Everything here takes the keras module (Keras 3 ``keras`` or Keras 2
``tf_keras``) as an argument and is called inside a worker only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance.adapter import Absent, Case

from ._callables import resolve as resolve_markers


def resolve(root: Any, dotted: str) -> Any:
    """``resolve(keras, "ops.numpy.add")`` -> keras.ops.numpy.add, or Absent."""
    obj = root
    for part in dotted.split("."):
        if not hasattr(obj, part):
            raise Absent(f"{root.__name__}.{dotted} does not exist")
        obj = getattr(obj, part)
    return obj


def call_kwargs(case: Case) -> dict[str, Any]:
    """The op's keyword arguments as a user writes them: JSON lists become tuples.

    Hook: ``{"callable": name}`` and ``{"tensor": array}`` values become a function
    and a tensor (see :mod:`adapters._callables`).
    """
    return {k: resolve_markers(v) for k, v in case.params.get("kwargs", {}).items()}


def positional(args: list[Any], case: Case) -> list[Any]:
    """The op's positional arguments under the case's calling convention.

    ``params["pack"] = [[start, stop], ...]``: each ``args[start:stop]`` (stop None:
    to the end) is passed as one list in its place (``concatenate(xs)``, ``stack``,
    ``select(condlist, choicelist)``); ``params["leading"]``: JSON values passed
    before the arrays (``einsum``'s subscripts).
    """
    out: list[Any] = list(args)
    for start, stop in reversed(case.params.get("pack", ())):
        stop = len(out) if stop is None else stop
        out[start:stop] = [list(out[start:stop])]
    return [*case.params.get("leading", ()), *out]


def outputs_of(result: Any, to_numpy: Any, prefix: str = "out") -> dict[str, np.ndarray]:
    """Name a single result ``out`` and the parts of a tuple ``out0``, ``out1``…"""
    if isinstance(result, (tuple, list)):
        return {f"{prefix}{i}": to_numpy(r) for i, r in enumerate(result)}
    return {prefix: to_numpy(result)}


def normalized_name(name: str) -> str:
    """A variable name without its ``:0`` suffix (Keras 2 names carry one)."""
    return name.split(":")[0]


def release(keras: Any) -> None:
    """Drop the global state a built layer or model leaves behind (graphs, traced functions).

    Thousands of cases build thousands of models; without this a TF worker grew
    past 5 GB in one default-profile run.
    """
    clear = getattr(keras.backend, "clear_session", None)
    if clear is None:  # Keras 2.3 on Theano: no global graph to clear
        return
    try:
        clear(free_memory=False)
    except TypeError:  # tf_keras: no free_memory argument
        clear()


def _floatx_setters(keras: Any) -> tuple[Any, Any]:
    """``floatx`` and ``set_floatx`` of Keras 3 (``keras.config``) or Keras 2 (``keras.backend``)."""
    for module in (getattr(keras, "config", None), keras.backend):
        if module is not None and hasattr(module, "set_floatx"):
            return module.floatx, module.set_floatx
    raise Absent(f"{keras.__name__} has no set_floatx")


@contextlib.contextmanager
def floatx(keras: Any, dtype: str) -> Iterator[None]:
    """Run with ``floatx`` set to ``dtype``, as a user who trains in float64 does.

    Without it, a float64 model still trains partly in float32: the loss casts
    its inputs to floatx (Keras 3 ``Loss.dtype``), and the optimizer keeps its
    learning rate in a floatx variable (Keras 3 and tf_keras), so ``lr * g`` is
    off by the float32 rounding of the learning rate.
    """
    get, set_ = _floatx_setters(keras)
    previous = get()
    set_(dtype)
    try:
        yield
    finally:
        set_(previous)


def matching_key(name: str, keys: Any) -> str:
    """The one drawn weight whose key is ``name`` or a ``/``-separated suffix of it."""
    candidates = [k for k in keys if name == k or name.endswith("/" + k)]
    if len(candidates) != 1:
        raise ValueError(f"variable {name!r} matches {len(candidates)} drawn weights ({sorted(keys)})")
    return candidates[0]


def split_call(fn: Any, case: Case, join: Callable[[list[Any]], Any] | None = None,
               ) -> tuple[Any, list[int]]:
    """A function of the differentiated arguments only, the others held fixed.

    For an op with several outputs, ``params["grad_outputs"]`` names the ones
    differentiated (by position) and the cotangent is theirs, flattened and
    concatenated in that order: ``join`` does the same with the backend's own
    ops (``flatten_join``), so the call has one output and every adapter's
    vector-Jacobian product stays as it is. An adapter without ``join`` reports
    such a case absent.
    """
    wrt = case.params["wrt"]
    kwargs = call_kwargs(case)
    selected = case.params.get("grad_outputs")
    if selected is not None and join is None:
        raise Absent("this adapter does not differentiate ops with several outputs")

    def call(fixed: list[Any], *diff: Any) -> Any:
        args = list(fixed)
        for i, value in zip(wrt, diff):
            args[i] = value
        out = fn(*positional(args, case), **kwargs)
        if selected is None:
            return out
        assert join is not None
        return join([out[i] for i in selected])

    return call, wrt


def flatten_join(ops: Any) -> Callable[[list[Any]], Any]:
    """Outputs flattened and concatenated with a Keras ``ops`` namespace (1-D)."""
    def join(parts: list[Any]) -> Any:
        return ops.concatenate([ops.reshape(part, (-1,)) for part in parts], axis=0)

    return join


def tensorflow_vjp(call: Any, fixed: list[Any], wrt: list[int], case: Case) -> list[Any]:
    """Vector-Jacobian product through ``tf.GradientTape`` (Keras 3 TF and tf_keras)."""
    import tensorflow as tf  # noqa: PLC0415 - worker only

    diff = [tf.identity(fixed[i]) for i in wrt]
    with tf.GradientTape() as tape:
        for d in diff:
            tape.watch(d)
        out = call(fixed, *diff)
    cot = tf.constant(case.extra["cotangent"])
    grads = tape.gradient(out, diff, output_gradients=cot)
    return [tf.zeros_like(d) if g is None else g for d, g in zip(diff, grads)]
