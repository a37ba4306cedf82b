"""The resampling oracle's tolerance scale (conformance.families.image): it must cover what
float32 weights cost, and nothing near what a wrong kernel costs."""

from __future__ import annotations

import numpy as np

from conformance.families import image as im
from conformance.tolerance import VALUE_TOLERANCE


def _allowed(scale: np.ndarray, dtype: str = "float32") -> np.ndarray:
    tol = VALUE_TOLERANCE[dtype]
    return tol.atol + tol.rtol * scale


def test_weights_are_unchanged_without_a_dtype() -> None:
    m = im.weight_matrix(6, 5, 2.0, 1.0, "lanczos3", True)
    inside = m.any(axis=1)
    np.testing.assert_allclose(m.sum(axis=1)[inside], 1.0)


def test_magnitudes_cover_every_input_in_the_support_even_at_a_zero_weight() -> None:
    exact = im.weight_matrix(6, 6, 1.0, 0.0, "lanczos3", False)  # integer offsets: zeros in the support
    magnitudes = im.weight_matrix(6, 6, 1.0, 0.0, "lanczos3", False, "float32")
    zero_in_support = (np.abs(exact) < 1e-12) & (np.abs(np.arange(6)[:, None] - np.arange(6)[None, :]) < 3)
    assert zero_in_support.any()
    np.testing.assert_allclose(magnitudes[zero_in_support], im.weight_rounding("float32") * (1 + 6 + 3 * np.pi))
    far = np.abs(np.arange(6)[:, None] - np.arange(6)[None, :]) > 3
    assert (magnitudes[far] < 1e-12).all()
    assert im.weight_rounding("float64") < 1e-5  # float64 weights add next to nothing


def test_float32_weights_pass_and_a_wrong_kernel_fails() -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((1, 4, 6)) * np.array([1, 1, 900, 1, 1, 1])).astype(np.float32)
    kwargs = dict(output_shape=[1, 4, 5], scale=[1.0, 1.25], translation=[0.0, 0.5], spatial_dims=[1, 2],
                  method="lanczos3", antialias=True)
    exact = im.scale_and_translate(x, **kwargs)
    scale = im.scale_and_translate_scale([x.astype(np.float64)], kwargs, exact, dtype="float32")
    # every weight rounded to float32 and off by the rounding of its sample position
    # (eps times the position, up to the input's size) where the kernel's slope is ~1
    eps = float(np.finfo(np.float32).eps)
    y = x.astype(np.float64)
    for axis, (s, t) in zip((1, 2), zip(kwargs["scale"], kwargs["translation"])):
        m = im.weight_matrix(y.shape[axis], kwargs["output_shape"][axis], s, t, "lanczos3", True)
        support = im.weight_matrix(y.shape[axis], kwargs["output_shape"][axis], s, t, "lanczos3", True,
                                   "float32") > 0
        moved = eps * y.shape[axis] * support * rng.choice([-1, 1], m.shape)
        noisy = m.astype(np.float32).astype(np.float64) + moved
        y = im.apply_along(y, noisy, axis)
    assert (np.abs(y - exact) <= _allowed(scale)).all()
    wrong = im.scale_and_translate(x, **{**kwargs, "method": "lanczos5"})
    assert (np.abs(wrong - exact) > _allowed(scale)).any()


def test_the_spec_gives_the_resampling_scale_the_drawn_dtype() -> None:
    """The engine hands conditionings float64 arguments; the resampling ones ask for the dtype."""
    from conformance.spec import catalog

    spec = next(s for s in catalog() if s.name == "ops.image.scale_and_translate.lanczos")
    seen: list[str] = []
    original = spec.conditioning

    def spy(args, kwargs, ref, dtype="float64"):
        seen.append(dtype)
        return original(args, kwargs, ref, dtype=dtype)

    spy.needs_dtype = True
    object.__setattr__(spec, "conditioning", spy)
    try:
        x = np.ones((1, 4, 3), np.float32)
        kwargs = dict(output_shape=[1, 6, 3], scale=[1.5], translation=[0.0], spatial_dims=[1],
                      method="lanczos3", antialias=True)
        spec.prepare("values", [x], kwargs)
    finally:
        object.__setattr__(spec, "conditioning", original)
    assert seen == ["float32"]
