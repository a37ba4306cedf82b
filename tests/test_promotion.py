"""conformance.promotion against Keras 3's documented promotion table (JAX's lattice, 64-bit kept)."""

from __future__ import annotations

import pytest

from conformance import promotion

# pairs from https://jax.readthedocs.io/en/latest/type_promotion.html (x64 enabled)
TABLE = [
    (("bool", "bool"), "bool"),
    (("bool", "int8"), "int8"),
    (("uint8", "int8"), "int16"),
    (("uint16", "int16"), "int32"),
    (("uint32", "int32"), "int64"),
    (("uint32", "int64"), "int64"),
    (("int64", "float16"), "float16"),
    (("uint8", "bfloat16"), "bfloat16"),
    (("bfloat16", "float16"), "float32"),
    (("float16", "float64"), "float64"),
    (("int32", "float32"), "float32"),
    (("int8", "int8", "uint8"), "int16"),
    (("int32", "float"), "float32"),  # a Python float is weak
    (("float16", "float"), "float16"),
    (("int", "int"), "int32"),
]


@pytest.mark.parametrize("dtypes,expected", TABLE)
def test_result_type(dtypes: tuple[str, ...], expected: str) -> None:
    assert promotion.result_type(*dtypes) == expected
    assert promotion.result_type(*reversed(dtypes)) == expected


def test_rules() -> None:
    assert promotion.floating(["int8", "uint8"], {}) == "float32"
    assert promotion.floating(["float16"], {}) == "float16"
    assert promotion.same(["uint8", "int8"], {}) == "int16"
    assert promotion.fixed("bool")(["float32"], {}) == "bool"
    assert promotion.of_args((1, 2))(["bool", "int8", "float16"], {}) == "float16"


def test_unknown_dtype_is_an_error() -> None:
    with pytest.raises(ValueError, match="complex64"):
        promotion.result_type("complex64", "float32")
