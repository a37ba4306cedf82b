"""The strategies of the catalog: size caps, modes, domains, reproducible fills."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from conformance import strategies as S
from conformance.spec import OpSpec

FAST = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SEARCH = settings(max_examples=400, deadline=None, database=None)
ALL_DTYPES = ("bool", *S.FLOAT_DTYPES, *S.INT_DTYPES)


def is_negative_zero(a: np.ndarray) -> bool:
    wide = a.astype(np.float64)
    return bool(((wide == 0) & np.signbit(wide)).any())


@pytest.mark.parametrize("mode", [S.VALUES, S.SPECIAL, S.GRAD])
def test_shapes_respect_the_size_cap(mode: str) -> None:
    @FAST
    @given(S.shapes(mode, min_dims=0 if mode == S.SPECIAL else 1))
    def check(shape: tuple[int, ...]) -> None:
        assert int(np.prod(shape)) <= S.MAX_ELEMENTS[mode]
        if mode != S.SPECIAL:
            assert len(shape) >= 1 and min(shape) >= 1

    check()


@FAST
@given(st.sampled_from(ALL_DTYPES), st.data())
def test_values_mode_is_finite_and_non_empty(dtype: str, data: st.DataObject) -> None:
    array = data.draw(S.arrays(dtype, S.shapes(S.VALUES), S.VALUES))
    assert array.dtype.name == dtype
    assert array.ndim >= 1 and array.size >= 1
    assert array.size <= S.MAX_ELEMENTS[S.VALUES]
    assert np.isfinite(array.astype(np.float64)).all()


@FAST
@given(st.sampled_from(ALL_DTYPES), st.data())
def test_binary_values_are_finite_and_non_empty(dtype: str, data: st.DataObject) -> None:
    (a, b), kwargs = data.draw(S.binary()(dtype, S.VALUES))
    assert kwargs == {}
    for x in (a, b):
        assert x.dtype.name == dtype and x.ndim >= 1 and x.size >= 1
        assert np.isfinite(x.astype(np.float64)).all()


SPECIAL_ARRAYS = S.arrays("float32", S.shapes(S.SPECIAL, min_dims=0), S.SPECIAL)


@pytest.mark.parametrize("what, predicate", [
    ("nan", lambda a: bool(np.isnan(a).any())),
    ("+inf", lambda a: bool(np.isposinf(a).any())),
    ("-inf", lambda a: bool(np.isneginf(a).any())),
    ("-0.0", is_negative_zero),
    ("empty", lambda a: a.size == 0),
    ("0-d", lambda a: a.ndim == 0),
])
def test_special_mode_can_produce(what: str, predicate) -> None:
    found = find(SPECIAL_ARRAYS, predicate, settings=SEARCH)
    assert predicate(found), what


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_special_values_survive_narrow_dtypes(dtype: str) -> None:
    strategy = S.arrays(dtype, S.shapes(S.SPECIAL), S.SPECIAL)
    found = find(strategy, lambda a: bool(np.isnan(a.astype(np.float64)).any()
                                          and np.isinf(a.astype(np.float64)).any()),
                 settings=SEARCH)
    assert found.dtype.name == dtype


@FAST
@given(st.sampled_from(S.FLOAT_DTYPES), st.data())
def test_positive_domain(dtype: str, data: st.DataObject) -> None:
    array = data.draw(S.arrays(dtype, S.shapes(S.VALUES), S.VALUES, domain=S.positive))
    assert (array.astype(np.float64) > 0).all()


def test_positive_domain_maps_zero_to_one() -> None:
    np.testing.assert_array_equal(S.positive(np.array([-2.0, 0.0, -0.0, 3.0])), [2.0, 1.0, 1.0, 3.0])


@FAST
@given(st.data())
def test_grad_mode_draws_float32_or_float64(data: st.DataObject) -> None:
    dtype = data.draw(S.dtypes_for(S.GRAD, ("bool", *S.INT_DTYPES, *S.FLOAT_DTYPES)))
    assert dtype in ("float32", "float64")
    array = data.draw(S.arrays(dtype, S.shapes(S.GRAD), S.GRAD))
    assert array.size <= S.MAX_ELEMENTS[S.GRAD]
    assert np.isfinite(array).all()


def test_grad_mode_reaches_both_float_dtypes() -> None:
    strategy = S.dtypes_for(S.GRAD, S.FLOAT_DTYPES + S.INT_DTYPES)
    assert find(strategy, lambda d: d == "float64", settings=SEARCH) == "float64"
    assert find(strategy, lambda d: d == "float32", settings=SEARCH) == "float32"


def test_special_mode_draws_floats_only() -> None:
    strategy = S.dtypes_for(S.SPECIAL, ("bool", *S.INT_DTYPES, "float16", "float32"))

    @FAST
    @given(strategy)
    def check(dtype: str) -> None:
        assert dtype in ("float16", "float32")

    check()


@settings(FAST, max_examples=15)
@given(st.data())
def test_grad_check_of_an_op_spec_uses_float32_or_float64(data: st.DataObject) -> None:
    spec = OpSpec("ops.numpy.add", S.binary(), np.add, S.FLOAT_DTYPES + S.INT_DTYPES, grad=True)
    drawn = data.draw(spec.draw(S.GRAD))
    assert drawn.dtype in ("float32", "float64")
    assert drawn.case.kind == "op_grad"
    assert all(a.dtype.name == drawn.dtype for a in drawn.case.args)
    assert drawn.case.extra["cotangent"].dtype.name == drawn.dtype


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("profile", S.FLOAT_PROFILES)
def test_fill_is_reproducible_from_its_seed(dtype: str, profile: str) -> None:
    shape = (3, 5)
    first = S.fill(dtype, shape, profile, 1234)
    again = S.fill(dtype, shape, profile, 1234)
    assert first.dtype.name == dtype and first.shape == shape
    assert first.tobytes() == again.tobytes()
    specials = S.fill(dtype, shape, profile, 99, specials=(4, 4))
    assert specials.tobytes() == S.fill(dtype, shape, profile, 99, specials=(4, 4)).tobytes()


def test_fill_depends_on_its_seed() -> None:
    a = S.fill("float32", (64,), "normal", 1)
    b = S.fill("float32", (64,), "normal", 2)
    assert a.tobytes() != b.tobytes()


@pytest.mark.parametrize("profile, low, high", [("small_int", -4, 4), ("uniform", -1, 1),
                                                 ("wide", -1e3, 1e3)])
def test_fill_profiles_stay_in_their_ranges(profile: str, low: float, high: float) -> None:
    values = S.fill("float64", (4000,), profile, 7)
    assert values.min() >= low and values.max() <= high
    if profile == "small_int":
        assert (values == np.round(values)).all()
    if profile == "wide":
        assert np.abs(values).min() >= 1e-3


@pytest.mark.parametrize("mode", [S.VALUES, S.SPECIAL, S.GRAD])
@pytest.mark.parametrize("factory", ["binary", "where_args"])
def test_operands_broadcast(factory: str, mode: str) -> None:
    """Operands over the size cap are replaced, and must still broadcast with the others."""
    dtype = "float32"

    @settings(FAST, max_examples=300)
    @given(getattr(S, factory)()(dtype, mode))
    def check(drawn: tuple[list[np.ndarray], dict]) -> None:
        arrays, _ = drawn
        np.broadcast_shapes(*(a.shape for a in arrays))
        assert all(a.size <= S.MAX_ELEMENTS[mode] for a in arrays)

    check()


@pytest.mark.parametrize("mode", [S.VALUES, S.SPECIAL, S.GRAD])
def test_matmul_operands_multiply(mode: str) -> None:
    @settings(FAST, max_examples=200)
    @given(S.matmul_pair()("float64", mode))
    def check(drawn: tuple[list[np.ndarray], dict]) -> None:
        (a, b), _ = drawn
        with np.errstate(all="ignore"):
            np.matmul(a, b)

    check()


def test_axis_for_is_valid() -> None:
    @FAST
    @given(st.integers(0, 4).flatmap(lambda n: st.tuples(st.just(n), S.axis_for(n))))
    def check(drawn: tuple[int, object]) -> None:
        ndim, axis = drawn
        x = np.zeros((2,) * ndim)
        np.sum(x, axis=tuple(axis) if isinstance(axis, list) else axis)

    check()


def test_weights_are_non_trivial_and_reproducible() -> None:
    shapes = {"dense/kernel": (4, 3), "dense/bias": (3,), "norm/gamma": (3,)}

    @FAST
    @given(st.data())
    def check(data: st.DataObject) -> None:
        drawn = S.weights(data.draw, shapes, "float32")
        assert set(drawn) == set(shapes)
        for name, value in drawn.items():
            assert value.shape == shapes[name] and value.dtype == np.float32
            # default initialisers give zeros and ones, which hide bugs
            assert not np.all(value == 0) and not np.all(value == 1)

    check()


def test_strategy_factories_give_one_object_per_arguments() -> None:
    """Hypothesis validates each new strategy object; the factories reuse theirs."""
    assert S.shapes("values", max_dims=3) is S.shapes("values", max_dims=3)
    assert S.shapes("values", max_dims=3) is not S.shapes("special", max_dims=3)
    assert S.arrays("float32", [2, 3], "values") is S.arrays("float32", (2, 3), "values")
    assert S.axis_for(3) is S.axis_for(3)
    unhashable = np.array([2, 3])  # built afresh, as before
    assert S.arrays("float32", unhashable) is not S.arrays("float32", unhashable)


def test_reused_strategies_draw_what_fresh_ones_draw() -> None:
    fresh = S.arrays.__wrapped__("float64", (3, 2), "values")
    reused = S.arrays("float64", (3, 2), "values")
    quiet = settings(database=None, derandomize=True, max_examples=50)
    for wanted in (lambda a: a.sum() > 1, lambda a: a.max() > 3, lambda a: (a < 0).sum() >= 3):
        np.testing.assert_array_equal(find(fresh, wanted, settings=quiet),
                                      find(reused, wanted, settings=quiet))


# -- the run's shape vocabulary ------------------------------------------------------
def draws(strategy: st.SearchStrategy, count: int = 200) -> list:
    """What ``strategy`` gives over ``count`` generated examples."""
    found: list = []

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def collect(value) -> None:
        found.append(value)

    collect()
    return found


@pytest.fixture
def vocabulary_seed():
    """Sets a vocabulary seed for one test and puts the default back after it."""
    yield S.set_shape_vocabulary
    S.set_shape_vocabulary(0)


def test_the_vocabulary_is_a_few_shapes_per_rank_chosen_by_the_seed(vocabulary_seed) -> None:
    vocabulary_seed(11)
    first = {rank: S.shape_vocabulary(rank, 1, 6, 512) for rank in range(1, 5)}
    vocabulary_seed(11)
    assert first == {rank: S.shape_vocabulary(rank, 1, 6, 512) for rank in range(1, 5)}
    for rank, found in first.items():
        assert 1 <= len(found) <= S.SHAPES_PER_RANK
        assert all(len(s) == rank and 1 <= min(s) and max(s) <= 6 and np.prod(s) <= 512 for s in found)
    vocabulary_seed(12)
    assert first != {rank: S.shape_vocabulary(rank, 1, 6, 512) for rank in range(1, 5)}


def test_special_mode_vocabulary_holds_an_empty_shape() -> None:
    found = S.shape_vocabulary(3, 0, 6, S.MAX_ELEMENTS[S.SPECIAL])
    assert found[0] != () and 0 in found[0]
    assert any(0 not in s for s in found)


def test_shapes_come_from_the_run_vocabulary_and_follow_its_seed(vocabulary_seed) -> None:
    def drawn() -> set[tuple[int, ...]]:
        return set(draws(S.shapes(S.VALUES)))

    for seed in (3, 4):
        vocabulary_seed(seed)
        allowed = {s for rank in range(1, 5) for s in S.shape_vocabulary(rank, 1, 6, S.MAX_ELEMENTS[S.VALUES])}
        found = drawn()
        assert found <= allowed
        assert len(found) > len(allowed) // 2  # the draws do spread over the vocabulary


@pytest.mark.parametrize("mode", [S.VALUES, S.SPECIAL, S.GRAD])
@pytest.mark.parametrize("count", [2, 3])
def test_vocabulary_operands_broadcast_and_vary(mode: str, count: int) -> None:
    strategy = S.broadcastable_shapes(mode, count, 0 if mode == S.SPECIAL else 1, 4, 5)
    found = set(draws(strategy, 300))
    for shapes in found:
        assert len(shapes) == count
        np.broadcast_shapes(*shapes)
        if mode != S.SPECIAL:
            assert all(len(s) >= 1 for s in shapes)
    assert any(len(set(shapes)) > 1 for shapes in found)  # not only equal shapes
