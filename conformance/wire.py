"""The wire format between the engine and adapter workers.

Arrays travel as (dtype name, shape, raw bytes), configs as JSON-able data;
never pickles, so NumPy 1.x and 2.x sides and bfloat16 travel alike. This
module runs on both sides and needs NumPy only (ml_dtypes for bfloat16 and the
float8 types, when installed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # bfloat16 and friends are NumPy extension dtypes from ml_dtypes.
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover - a worker env without ml_dtypes
    _ml_dtypes = None

ARRAY_TAG = "__ndarray__"


def dtype_from_name(name: str) -> np.dtype:
    """The NumPy dtype for a dtype name, extension dtypes included."""
    if _ml_dtypes is not None and hasattr(_ml_dtypes, name):
        return np.dtype(getattr(_ml_dtypes, name))
    return np.dtype(name)


def dtype_name(dtype: Any) -> str:
    """The canonical name of a dtype ('float32', 'bfloat16', 'bool')."""
    return np.dtype(dtype).name


def encode_array(array: Any) -> dict:
    array = np.asarray(array)
    if array.dtype.hasobject:  # its bytes would be pointers, meaningless on the other side
        raise TypeError(f"cannot send an array of dtype {array.dtype} over the wire")
    return {
        ARRAY_TAG: True,
        "dtype": dtype_name(array.dtype),
        "shape": list(array.shape),
        "data": np.ascontiguousarray(array).tobytes(),
    }


def decode_array(message: dict) -> np.ndarray:
    dtype = dtype_from_name(message["dtype"])
    shape = tuple(int(d) for d in message["shape"])
    flat = np.frombuffer(message["data"], dtype=dtype)
    expected = int(np.prod(shape, dtype=np.int64))
    if flat.size != expected:
        raise ValueError(f"array payload has {flat.size} elements, shape {shape} needs {expected}")
    return flat.reshape(shape).copy()


def encode(value: Any) -> Any:
    """Encode a nested structure of dicts, lists, scalars and arrays."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return encode_array(value)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} over the wire")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(ARRAY_TAG) is True:
            return decode_array(value)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
