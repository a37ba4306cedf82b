"""The wire format: arrays as (dtype name, shape, raw bytes), everything else JSON-able."""

from __future__ import annotations

import json

import ml_dtypes
import numpy as np
import pytest

from conformance.adapter import Case, Outcome
from conformance.wire import ARRAY_TAG, decode, decode_array, dtype_from_name, encode, encode_array

DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "bfloat16", "float32", "float64")


def sample(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Values that exercise the dtype: extremes of integers, specials of floats."""
    size = int(np.prod(shape))
    target = dtype_from_name(dtype)
    if dtype == "bool":
        values = np.arange(size) % 3 == 0
    elif target.kind in "iu":
        info = np.iinfo(target)
        values = np.resize(np.array([info.min, info.max, 0, 1], dtype=target), size)
    else:
        pool = np.array([np.nan, np.inf, -np.inf, -0.0, 1.5, -3.25e3, 1e-3], dtype=np.float64)
        values = np.resize(pool, size).astype(target)
    return values.reshape(shape)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bitwise equality (NaN == NaN, -0.0 != 0.0), dtype and shape included."""
    return (a.dtype == b.dtype and a.shape == b.shape
            and a.tobytes() == b.tobytes())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4), (), (0,), (3, 0, 2)], ids=str)
def test_array_round_trip(dtype: str, shape: tuple[int, ...]) -> None:
    array = sample(dtype, shape)
    message = encode(array)
    assert message[ARRAY_TAG] is True
    assert message["dtype"] == dtype
    assert isinstance(message["data"], bytes)
    back = decode(message)
    assert isinstance(back, np.ndarray)
    assert same(back, array)
    assert back.flags.writeable  # a copy, not a view of the message's bytes


def test_bfloat16_travels_as_ml_dtypes() -> None:
    array = np.array([1.0, 3.140625, -0.0, np.inf], dtype=ml_dtypes.bfloat16)
    back = decode(encode(array))
    assert back.dtype == np.dtype(ml_dtypes.bfloat16)
    assert same(back, array)


def test_non_contiguous_and_scalars() -> None:
    array = np.arange(24, dtype=np.float32).reshape(4, 6)[::2, ::3]
    assert same(decode(encode(array)), np.ascontiguousarray(array))
    scalar = decode(encode(np.float16(2.5)))
    assert scalar.shape == () and scalar.dtype == np.float16 and scalar == 2.5


def test_nested_structure_round_trip() -> None:
    value = {
        "args": [np.ones((2, 2), np.float32), (np.int8(3), [np.zeros(0, np.uint16)])],
        "params": {"axis": [0, -1], "keepdims": True, "name": "x", "eps": 1e-3, "none": None},
        "raw": b"\x00\x01",
    }
    back = decode(encode(value))
    assert set(back) == {"args", "params", "raw"}
    assert same(back["args"][0], value["args"][0])
    assert back["args"][1][0].dtype == np.int8 and back["args"][1][0] == 3
    assert same(back["args"][1][1][0], np.zeros(0, np.uint16))
    assert back["params"] == {"axis": [0, -1], "keepdims": True, "name": "x", "eps": 1e-3,
                              "none": None}
    assert back["raw"] == b"\x00\x01"
    # everything that is not an array is JSON-able: configs never need pickle
    json.dumps(back["params"])


def test_case_and_outcome_round_trip() -> None:
    case = Case("op", "ops.numpy.add", "values", [np.ones(3, np.float16)], {"kwargs": {"axis": 1}},
                {"cotangent": np.full((3,), -0.0)})
    back = Case.from_wire(decode(encode(case.to_wire())))
    assert (back.kind, back.api, back.check, back.params) == ("op", "ops.numpy.add", "values",
                                                             {"kwargs": {"axis": 1}})
    assert same(back.args[0], case.args[0]) and same(back.extra["cotangent"], case.extra["cotangent"])
    outcome = Outcome.ok({"out": np.arange(4, dtype=np.int16)}, took=1)
    again = Outcome.from_wire(decode(encode(outcome.to_wire())))
    assert again.status == "ok" and again.info == {"took": 1}
    assert same(again.outputs["out"], outcome.outputs["out"])


class Opaque:
    """Something only pickle could send."""


@pytest.mark.parametrize("value", [Opaque(), {1, 2}, {"nested": [1, Opaque()]}, 1 + 2j, print],
                         ids=["instance", "set", "nested", "complex", "function"])
def test_pickle_only_objects_are_rejected(value: object) -> None:
    with pytest.raises(TypeError, match="cannot send"):
        encode(value)


def test_object_arrays_are_rejected_when_encoded() -> None:
    # their bytes would be pointers: refused before they travel
    with pytest.raises(TypeError, match="cannot send an array of dtype object"):
        encode(np.array([Opaque(), None], dtype=object))


@pytest.mark.parametrize("cut", [1, 4], ids=["one-byte", "one-element"])
def test_truncated_payload_raises(cut: int) -> None:
    message = encode_array(np.arange(6, dtype=np.float32).reshape(2, 3))
    message["data"] = message["data"][:-cut]
    with pytest.raises(ValueError):
        decode_array(message)


def test_payload_shape_mismatch_raises() -> None:
    message = encode_array(np.arange(6, dtype=np.int32))
    message["shape"] = [7]
    with pytest.raises(ValueError, match="elements"):
        decode_array(message)


def test_unknown_dtype_name_raises() -> None:
    message = encode_array(np.arange(2, dtype=np.int8))
    message["dtype"] = "float7"
    with pytest.raises(TypeError):
        decode_array(message)
