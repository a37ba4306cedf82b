"""How the structures of a Keras-object case are named: its inputs, outputs and gradients.

A layer takes several inputs, masks and initial states, and returns tuples,
lists or dicts; the engine and every adapter must name each array of these
structures the same way. Both sides use this module (it needs nothing but the
standard library, so it runs in any worker):

- an input leaf is named by its path in ``{"args": [...], "kwargs": {...}}``:
  ``args.0``, ``args.1.0`` (the first array of a list argument), ``kwargs.mask``;
- an output is ``out`` for a single result, ``out0``, ``out1``... for the parts of
  a tuple or list, ``out.key`` for a dict, deeper parts joined with ``.``
  (``out1.0``); a mask is named the same way with ``mask`` for ``out``;
- the gradient of input ``P`` is ``dx:P``, of weight ``K`` is ``dw:K``; the
  non-trainable weight ``K`` after a call is ``state:K``; a weight after step
  ``k`` of a fit or an optimizer is ``step<k>:K``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

INPUT_GRAD, WEIGHT_GRAD, STATE = "dx:", "dw:", "state:"


def step_name(step: int, key: str) -> str:
    """A weight's name after training step ``step`` (counted from 1)."""
    return f"step{step}:{key}"


def is_array(value: Any) -> bool:
    """An array leaf: anything with a shape and a dtype (NumPy arrays and backend tensors)."""
    return hasattr(value, "shape") and hasattr(value, "dtype")


def leaves(structure: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every array of a nested list/tuple/dict structure, with its path, in a fixed order.

    Lists in order, dicts in key order as given; other values (None, numbers,
    strings) are not leaves.
    """
    if is_array(structure):
        yield path, structure
    elif isinstance(structure, dict):
        for key, value in structure.items():
            yield from leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(structure, (list, tuple)):
        for index, value in enumerate(structure):
            yield from leaves(value, f"{path}.{index}" if path else str(index))


def map_leaves(structure: Any, fn: Callable[[str, Any], Any], path: str = "") -> Any:
    """The same structure with each array leaf replaced by ``fn(path, leaf)``; lists stay lists."""
    if is_array(structure):
        return fn(path, structure)
    if isinstance(structure, dict):
        return {key: map_leaves(value, fn, f"{path}.{key}" if path else str(key))
                for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_leaves(value, fn, f"{path}.{index}" if path else str(index))
                               for index, value in enumerate(structure))
    return structure


def output_names(result: Any, prefix: str = "out") -> dict[str, Any]:
    """Name each array of a call's result (see the module docstring); None parts are skipped."""
    if result is None:
        return {}
    if is_array(result):
        return {prefix: result}
    named: dict[str, Any] = {}
    if isinstance(result, dict):
        for key, value in result.items():
            named.update(output_names(value, f"{prefix}.{key}"))
    elif isinstance(result, (list, tuple)):
        separator = "" if prefix in ("out", "mask") else "."
        for index, value in enumerate(result):
            named.update(output_names(value, f"{prefix}{separator}{index}"))
    else:  # a Python number (a loss reduced to a float by Keras 2)
        named[prefix] = result
    return named
