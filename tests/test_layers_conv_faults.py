"""The convolution, pooling and normalization layer specs catch a planted fault each.

The specs are the catalog's own (specs/layers/conv.py, pooling.py,
normalization.py), narrowed to float32 and, where a fault only shows under one
setting, to configs that hold it (a causal Conv1D with a kernel of at least 2,
a strided Conv2DTranspose with output_padding, MaxPooling2D with default
strides). Each runs on real Keras 3 on JAX: the honest adapter passes, the
faulty one (tests/faulty_layers_conv.py) diverges on the check that sees it.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance.specs.layers import conv, normalization, pooling

from conformance.objects import CallableSpec
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_layers_conv  # noqa: E402
from object_runs import assert_fault_caught, fault_runner  # noqa: E402


def _catalog(name: str) -> CallableSpec:
    return next(s for s in (*conv.SPECS, *pooling.SPECS, *normalization.SPECS) if s.name == name)


def _narrowed(name: str, change: Callable[[dict], dict] | None = None) -> CallableSpec:
    """The catalog's spec in float32, its drawn configs passed through ``change``."""
    spec = _catalog(name)
    config = spec.config if change is None else (lambda dtype: spec.config(dtype).map(change))
    return dataclasses.replace(spec, dtypes=("float32",), config=config)


def _causal(config: dict) -> dict:
    return {**config, "padding": "causal", "kernel_size": [max(2, config["kernel_size"][0])],
            "activation": "linear"}


def _output_padded(config: dict) -> dict:
    return {**config, "strides": [2, 2], "dilation_rate": [1, 1], "output_padding": [1, 0]}


def _default_strides(config: dict) -> dict:
    return {**config, "strides": None, "pool_size": [2, 2], "padding": "valid"}


def _large_epsilon(config: dict) -> dict:
    return {**config, "epsilon": 0.5}


#: each fault, the spec and the check that must see it
FAULTS: dict[str, tuple[CallableSpec, str]] = {
    "faulty-conv1d-causal": (_narrowed("layers.Conv1D", _causal), "forward"),
    "faulty-transpose-output-padding": (_narrowed("layers.Conv2DTranspose", _output_padded), "forward"),
    "faulty-pool-default-strides": (_narrowed("layers.MaxPooling2D", _default_strides), "forward"),
    "faulty-group-norm-epsilon": (_narrowed("layers.GroupNormalization", _large_epsilon), "forward"),
    "faulty-spectral-iterations": (_narrowed("layers.SpectralNormalization"), "training_forward"),
    "faulty-batchnorm-bessel": (_narrowed("layers.BatchNormalization"), "training_forward"),
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckRunner]:
    with fault_runner("faulty_layers_conv", faulty_layers_conv.ADAPTERS, str(tmp_path_factory.mktemp("logs")),
                      examples=8, seed=5) as started:
        yield started


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    assert_fault_caught(runner, spec, check, adapter)


def test_every_fault_patches_a_layer_of_this_family() -> None:
    """Each faulty adapter is listed with a spec, so none is written and never run."""
    ids: set[Any] = {cls.id for cls in faulty_layers_conv.ADAPTERS} - {"honest-jax"}
    assert ids == set(FAULTS)


def test_catalog_specs_are_found() -> None:
    for name in ("layers.Conv3DTranspose.channels_first", "layers.AdaptiveMaxPooling3D",
                 "layers.RMSNormalization.inner_axis"):
        assert _catalog(name).name == name
