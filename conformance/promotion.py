"""Keras 3's dtype promotion, written out independently: the expected result dtypes.

Keras 3 documents ``keras.backend.result_type`` as JAX's type-promotion
lattice (https://jax.readthedocs.io/en/latest/type_promotion.html) with the
64-bit types kept. This module encodes that lattice as data and computes the
least upper bound, so a spec's expected dtype never comes from a backend
under test. Spec rules (``result_dtype=``) are built from :func:`result_type`:

- :func:`same`: the promoted dtype of the array arguments (add, maximum…);
- :func:`floating`: as ``same``, then integers and bools go to floatx
  (``float32``; divide, exp, mean…);
- :func:`fixed`: always one dtype (comparisons give ``bool``).

``"int"`` and ``"float"`` are the weak types of Python scalars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

FLOATX = "float32"

#: each type -> the types immediately above it (JAX's lattice, complex types left out)
_ABOVE: dict[str, tuple[str, ...]] = {
    "bool": ("int",),
    "int": ("uint8", "int8"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64",),
    "float64": (),
}


@lru_cache(None)
def _upper_bounds(dtype: str) -> frozenset[str]:
    if dtype not in _ABOVE:
        raise ValueError(f"no promotion rule for dtype {dtype!r}")
    out = {dtype}
    for parent in _ABOVE[dtype]:
        out |= _upper_bounds(parent)
    return frozenset(out)


@lru_cache(None)
def result_type(*dtypes: str) -> str:
    """The least upper bound of ``dtypes`` on the lattice; a weak type alone becomes concrete."""
    if not dtypes:
        return FLOATX
    common = frozenset.intersection(*(_upper_bounds(d) for d in dtypes))
    # the least element of the common upper bounds is the one above which all others lie
    least = [d for d in common if _upper_bounds(d) == common]
    assert len(least) == 1, (dtypes, common)
    out = least[0]
    return {"int": "int32", "float": FLOATX}.get(out, out)


def is_floating(dtype: str) -> bool:
    return dtype in ("float16", "bfloat16", "float32", "float64")


def same(dtypes: Sequence[str], kwargs: dict) -> str:
    """Rule: the promoted dtype of the array arguments."""
    return result_type(*dtypes)


def floating(dtypes: Sequence[str], kwargs: dict) -> str:
    """Rule: promoted, and a non-float result becomes floatx (as ``result_type(*d, float)``)."""
    out = result_type(*dtypes)
    return out if is_floating(out) else FLOATX


def fixed(dtype: str) -> Callable[[Sequence[str], dict], str]:
    """Rule: always ``dtype`` (``bool`` for comparisons, ``int32`` for argmax…)."""

    def rule(dtypes: Sequence[str], kwargs: dict) -> str:
        return dtype

    rule.__doc__ = f"Rule: always {dtype}."
    return rule


def of_args(indices: Sequence[int],
            then: Callable[[Sequence[str], dict], str] = same) -> Callable[[Sequence[str], dict], str]:
    """Rule: ``then`` applied to the arguments at ``indices`` only (where's x1, x2)."""

    def rule(dtypes: Sequence[str], kwargs: dict) -> str:
        return then([dtypes[i] for i in indices], kwargs)

    return rule
