"""The simple layer families catch a layer with one fault planted (tests/faulty_layers_core.py).

The specs are the catalog's own (specs/layers/core.py, reshaping.py, merging.py,
activations.py, regularization.py), run in float32 on real Keras 3 on JAX: the
honest adapter passes the check, the faulty one diverges on it. A fault each for
a mask (Embedding), a data format (Flatten), an axis (Concatenate), a judged
stochastic layer (Dropout in training), a mask argument (Softmax) and a config
argument (ReLU's threshold).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance.specs.layers import activations, core, merging, regularization, reshaping

from conformance.objects import CallableSpec
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_layers_core  # noqa: E402
from object_runs import assert_fault_caught, fault_runner  # noqa: E402


def _spec(module: object, name: str) -> CallableSpec:
    """The catalog's spec, in float32 only (Keras 3 on JAX computes parts of float64 in float32)."""
    spec = next(s for s in module.SPECS if s.name == name)
    return dataclasses.replace(spec, dtypes=("float32",))


#: each fault, the spec and the check that must see it
FAULTS = {
    "faulty-embedding-mask": (_spec(core, "layers.Embedding"), "forward"),
    "faulty-flatten-format": (_spec(reshaping, "layers.Flatten"), "forward"),
    "faulty-concatenate-axis": (_spec(merging, "layers.Concatenate"), "forward"),
    "faulty-dropout-scale": (_spec(regularization, "layers.Dropout"), "training_forward"),
    "faulty-softmax-mask": (_spec(activations, "layers.Softmax"), "forward"),
    "faulty-relu-threshold": (_spec(activations, "layers.ReLU"), "forward"),
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckRunner]:
    with fault_runner("faulty_layers_core", faulty_layers_core.ADAPTERS, str(tmp_path_factory.mktemp("logs")),
                      examples=12, seed=5) as started:
        yield started


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    assert_fault_caught(runner, spec, check, adapter)
