"""The Keras version as an axis: ``<adapter>@nightly`` variants of the built-in Keras 3 adapters."""

from __future__ import annotations

from conformance.adapters.keras3 import KERAS_NIGHTLY, Keras3Jax, Keras3OpenVINO

from conformance import registry
from conformance.worker import load_adapter


def test_nightly_variants_are_discovered_with_an_environment_of_their_own() -> None:
    found = registry.discover()
    info = found["keras3-jax@nightly"]
    assert info.reference == "conformance.adapters.keras3:Keras3Jax@nightly"
    assert info.cls is not None and info.cls.id == "keras3-jax@nightly"
    steps = info.cls.env_requirements
    assert "jax==0.10.2" in steps[0] and steps[-1].endswith(KERAS_NIGHTLY)
    assert "keras-nightly" in info.cls.requires and "keras" not in info.cls.requires
    assert info.python.endswith("keras3-jax@nightly/bin/python")


def test_a_variant_is_loaded_by_reference_inside_the_worker() -> None:
    adapter = load_adapter("conformance.adapters.keras3:Keras3Jax@nightly")
    assert isinstance(adapter, Keras3Jax) and adapter.id == "keras3-jax@nightly"
    assert adapter.environment["KERAS_BACKEND"] == "jax"


def test_variants_do_not_nest_and_openvino_has_none() -> None:
    nightly = Keras3Jax.variants()["nightly"]
    assert nightly.variants() == {}
    assert Keras3OpenVINO.variants() == {}  # from 3.16 on, that is the keras-openvino plugin
