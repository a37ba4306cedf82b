"""Each op family's specs catch a deliberately wrong implementation.

:class:`faulty_adapters.FaultyEveryOp` answers every op wrong (floats off by
5% + 0.05, integers by one, booleans negated); :class:`faulty_adapters.Honest`
is the same Keras 3 NumPy backend without the fault. For one representative
spec per family, the faulty adapter must diverge and the honest one pass, on
the same drawn cases. Random ops have their own judge, tested in
test_randomness.py.
"""

from __future__ import annotations

import pytest
from plugin_runs import PytestRun, run_pytest

from conformance.spec import catalog

#: family -> (spec, check): a spec the NumPy backend passes in 32-bit dtypes
FAMILIES = {
    "elementwise": ("ops.numpy.sin", "values"),
    "comparisons": ("ops.numpy.greater", "values"),
    "reductions": ("ops.numpy.sum", "values"),
    "linear algebra": ("ops.linalg.det", "values"),
    "convolution": ("ops.nn.conv", "values"),
    "pooling": ("ops.nn.max_pool", "values"),
    "image": ("ops.image.rgb_to_grayscale", "values"),
    "indexing": ("ops.numpy.take", "values"),
    "shape manipulation": ("ops.numpy.concatenate", "values"),
    "sorting": ("ops.numpy.sort", "values"),
    "search": ("ops.numpy.argmax", "values"),
}


def present() -> dict[str, tuple[str, str]]:
    names = {spec.name for spec in catalog()}
    return {family: pair for family, pair in FAMILIES.items() if pair[0] in names}


@pytest.fixture(scope="module")
def family_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    expression = " or ".join(f"{spec}::{check}" for spec, check in present().values())
    return run_pytest(["--adapters", "honest-numpy,faulty-every-op", "-k", expression,
                       "--hypothesis-profile=quick", "-q"], tmp_path_factory.mktemp("families"))


def test_every_family_has_a_representative() -> None:
    assert set(present()) == set(FAMILIES), sorted(set(FAMILIES) - set(present()))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_wrong_implementation_is_caught(family_run: PytestRun, family: str) -> None:
    if family not in present():
        pytest.fail(f"no spec {FAMILIES[family][0]} in the catalog")
    spec, check = FAMILIES[family]
    verdicts = family_run.verdicts()
    faulty = verdicts.get((spec, check, "faulty-every-op"))
    honest = verdicts.get((spec, check, "honest-numpy"))
    assert faulty is not None and honest is not None, family_run.explain()
    assert faulty["status"] == "diverged", (faulty, family_run.explain())
    assert honest["status"] == "pass", (honest, family_run.explain())
