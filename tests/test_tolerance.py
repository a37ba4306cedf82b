"""compare() and the tolerance model: exact structure, tolerant values, conditioning."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from conformance.tolerance import (
    VALUE_TOLERANCE,
    Tolerance,
    compare,
    elementwise,
    products_of,
    reduction_of,
    ulp_of,
    with_input_magnitude,
)

F64 = VALUE_TOLERANCE["float64"]
F32 = VALUE_TOLERANCE["float32"]
F16 = VALUE_TOLERANCE["float16"]


def kind(got: np.ndarray, ref: np.ndarray, dtype: str | None, tol: Tolerance | None = None,
         scale: np.ndarray | None = None, signed_zeros: bool = True) -> str | None:
    """The mismatch kind of compare(), or None when the output passes."""
    if tol is None and dtype in VALUE_TOLERANCE:
        tol = VALUE_TOLERANCE[dtype]
    mismatch, _ = compare(got, ref, dtype, scale, tol, signed_zeros)
    return None if mismatch is None else mismatch.kind


def test_identical_float_output_passes() -> None:
    ref = np.array([[1.0, -2.5], [0.0, 3e5]])
    mismatch, stats = compare(ref.astype(np.float32), ref, "float32", None, F32)
    assert mismatch is None
    assert (stats.max_abs, stats.max_rel, stats.max_ulp) == (0.0, 0.0, 0.0)


def test_shape_mismatch() -> None:
    assert kind(np.zeros((2, 3), np.float32), np.zeros((3, 2)), "float32") == "shape"
    assert kind(np.zeros((1, 3), np.float32), np.zeros((3,)), "float32") == "shape"
    assert kind(np.zeros((), np.float32), np.zeros((1,)), "float32") == "shape"


def test_dtype_mismatch() -> None:
    ref = np.ones(3)
    assert kind(np.ones(3, np.float32), ref, "float64") == "dtype"
    assert kind(np.ones(3, np.int32), ref.astype(np.int64), "int64") == "dtype"
    # None: judged at the dtype returned, not checked
    assert kind(np.ones(3, np.float32), ref, None, F32) is None


def test_empty_outputs_compare_by_shape_and_dtype_only() -> None:
    assert kind(np.zeros((0, 2), np.float32), np.zeros((0, 2)), "float32") is None
    assert kind(np.zeros((0, 2), np.float16), np.zeros((0, 2)), "float32") == "dtype"


def test_nan_positions() -> None:
    ref = np.array([np.nan, 1.0, 2.0])
    assert kind(np.array([np.nan, 1.0, 2.0], np.float32), ref, "float32") is None
    assert kind(np.array([1.0, 1.0, 2.0], np.float32), ref, "float32") == "nan"
    assert kind(np.array([np.nan, np.nan, 2.0], np.float32), ref, "float32") == "nan"
    # a NaN is never "close" to a number, however wide the tolerance
    assert kind(np.array([np.nan, 1.0, 2.0]), np.array([0.0, 1.0, 2.0]), "float64",
                Tolerance(1e9, 1e9)) == "nan"


def test_inf_positions_and_signs() -> None:
    ref = np.array([np.inf, -np.inf, 1.0])
    assert kind(np.array([np.inf, -np.inf, 1.0], np.float32), ref, "float32") is None
    assert kind(np.array([-np.inf, -np.inf, 1.0], np.float32), ref, "float32") == "inf"
    assert kind(np.array([3e38, -np.inf, 1.0], np.float32), ref, "float32") == "inf"
    assert kind(np.array([np.inf, -np.inf, np.inf], np.float32), ref, "float32") == "inf"


def test_oracle_value_that_overflows_the_result_dtype_is_inf() -> None:
    """70000 is finite in float64 and rounds to inf in float16 (max 65504)."""
    ref = np.array([70000.0, -1e6, 100.0])
    assert kind(np.array([np.inf, -np.inf, 100.0], np.float16), ref, "float16") is None
    assert kind(np.array([65504.0, -np.inf, 100.0], np.float16), ref, "float16") == "inf"
    # 65519 still rounds to the largest finite float16
    assert kind(np.array([65504.0], np.float16), np.array([65519.0]), "float16") is None
    assert kind(np.array([np.inf], np.float16), np.array([65519.0]), "float16") == "inf"


def test_signed_zero() -> None:
    ref = np.array([0.0, -0.0, 1.0])
    assert kind(np.array([0.0, -0.0, 1.0]), ref, "float64") is None
    assert kind(np.array([-0.0, -0.0, 1.0]), ref, "float64") == "signed_zero"
    assert kind(np.array([0.0, 0.0, 1.0], np.float32), ref, "float32") == "signed_zero"
    assert kind(np.array([0.0, 0.0, 1.0], np.float32), ref, "float32", signed_zeros=False) is None


def test_integers_are_exact() -> None:
    ref = np.array([1, 2, 3], np.int64)
    assert kind(np.array([1, 2, 3], np.int32), ref, "int32") is None
    assert kind(np.array([1, 2, 4], np.int32), ref, "int32") == "integer"
    # off by one at 2**40: tiny relative error, still a mismatch
    big = np.array([2**40], np.int64)
    assert kind(big + 1, big, "int64") == "integer"
    assert kind(np.array([True, False]), np.array([True, True]), "bool") == "integer"
    assert kind(np.array([True, False]), np.array([True, False]), "bool") is None


def test_value_just_inside_and_just_outside_the_tolerance() -> None:
    tol = Tolerance(atol=0.1, rtol=0.1)
    ref, scale = np.array([1.0]), np.array([2.0])  # allowed = 0.1 + 0.1 * 2 = 0.3
    assert kind(np.array([1.29]), ref, "float64", tol, scale) is None
    assert kind(np.array([0.71]), ref, "float64", tol, scale) is None
    assert kind(np.array([1.31]), ref, "float64", tol, scale) == "value"
    assert kind(np.array([0.69]), ref, "float64", tol, scale) == "value"
    # without a scale, |ref| is the scale: allowed = 0.1 + 0.1 * 1 = 0.2
    assert kind(np.array([1.19]), ref, "float64", tol) is None
    assert kind(np.array([1.21]), ref, "float64", tol) == "value"


def test_float64_tolerance_rejects_float32_rounding() -> None:
    """A float32 computation must never pass as float64 (DESIGN, tolerance model)."""
    ref = np.array([1.0 / 3.0, np.pi, 1e-3])
    assert kind(ref.astype(np.float32).astype(np.float64), ref, "float64") == "value"
    allowed = F64.atol + F64.rtol * abs(ref[1])
    assert kind(np.array([ref[1] + 0.9 * allowed]), ref[1:2], "float64") is None
    assert kind(np.array([ref[1] + 1.1 * allowed]), ref[1:2], "float64") == "value"


def test_float32_rounding_passes_float32() -> None:
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(1000) * 10.0 ** rng.uniform(-3, 3, 1000)
    assert kind(ref.astype(np.float32), ref, "float32") is None
    assert kind(ref.astype(ml_dtypes.bfloat16), ref, "bfloat16") is None
    assert kind(ref.astype(np.float16), ref, "float16") is None


def test_value_mismatch_message_and_stats() -> None:
    ref = np.array([1.0, 2.0, 4.0])
    got = np.array([1.0, 2.5, 4.0], np.float32)
    mismatch, stats = compare(got, ref, "float32", None, F32)
    assert mismatch is not None and mismatch.kind == "value"
    assert "1/3 elements beyond tolerance" in mismatch.summary
    assert "worst at (1,)" in mismatch.summary
    assert stats.max_abs == pytest.approx(0.5)
    assert stats.max_rel == pytest.approx(0.25)
    # float32 spacing at 2.0 is 2**-22: 0.5 is 2**21 ulp
    assert stats.max_ulp == pytest.approx(2.0**21)


def test_ulp_of_bfloat16() -> None:
    # bfloat16 keeps 8 significant bits: eps 2**-7
    values = np.array([1.0, 1.5, 2.0, 3.0, 256.0, -0.75])
    expected = np.array([2**-7, 2**-7, 2**-6, 2**-6, 2.0, 2**-8])
    np.testing.assert_array_equal(ulp_of(values, "bfloat16"), expected)
    # the ulp is the spacing of the dtype itself: the next bfloat16 after 1.0 is 1 + 2**-7
    one = np.array([1.0], ml_dtypes.bfloat16)
    after = np.nextafter(one, np.array([2.0], ml_dtypes.bfloat16)).astype(np.float64)
    assert after[0] - 1.0 == ulp_of(np.array([1.0]), "bfloat16")[0]
    _, stats = compare(np.array([1.0078125], ml_dtypes.bfloat16), np.array([1.0]), "bfloat16",
                       None, VALUE_TOLERANCE["bfloat16"])
    assert stats.max_ulp == pytest.approx(1.0)


def test_ulp_of_float16_and_float32() -> None:
    np.testing.assert_array_equal(ulp_of(np.array([1.0, 1024.0]), "float16"), [2**-10, 1.0])
    np.testing.assert_array_equal(ulp_of(np.array([1.0]), "float32"), [2**-23])


# -- conditioning ----------------------------------------------------------------------
def test_elementwise_and_input_magnitude() -> None:
    x = np.array([-3.0, 0.5])
    ref = np.array([1.0, -2.0])
    np.testing.assert_array_equal(elementwise([x], {}, ref), [1.0, 2.0])
    np.testing.assert_array_equal(with_input_magnitude([x], {}, ref), [4.0, 2.5])


def test_reduction_of_sum() -> None:
    x = np.array([[1.0, -1.0, 2.0, -2.0], [3.0, 3.0, -3.0, 0.0]])
    scale = reduction_of(np.sum)
    # axis=1: 4 terms per output; sum of |x| per row times sqrt(4)
    ref = np.sum(x, axis=1)
    np.testing.assert_allclose(scale([x], {"axis": 1}, ref), [6.0 * 2, 9.0 * 2])
    # a full reduction: 8 terms
    np.testing.assert_allclose(scale([x], {"axis": None}, np.sum(x)), 15.0 * np.sqrt(8))
    # cancellation: the scale, not |ref| (0 here), bounds the error
    assert scale([x[:1]], {"axis": 1}, np.sum(x[:1], axis=1))[0] > 0


def test_reduction_scale_admits_rounding_of_a_cancelling_sum() -> None:
    x = np.array([1e8, 1.0, -1e8], np.float32)
    ref = np.sum(x.astype(np.float64))  # 1.0
    got = np.float32(0.0)  # float32 loses the 1.0
    scale = reduction_of(np.sum)([x.astype(np.float64)], {}, ref)
    assert kind(np.array(got), np.array(ref), "float32") == "value"
    assert kind(np.array(got), np.array(ref), "float32", scale=scale) is None


def test_products_of_matmul() -> None:
    a = np.array([[1.0, -2.0], [3.0, 4.0]])
    b = np.array([[-1.0, 0.5], [2.0, -3.0]])
    scale = products_of(np.matmul, lambda a, b: a.shape[-1])
    expected = (np.abs(a) @ np.abs(b)) * np.sqrt(2)
    np.testing.assert_allclose(scale([a, b], {}, a @ b), expected)
    # terms of at least one
    scale_one = products_of(np.matmul, lambda a, b: 0)
    np.testing.assert_allclose(scale_one([a, b], {}, a @ b), np.abs(a) @ np.abs(b))
