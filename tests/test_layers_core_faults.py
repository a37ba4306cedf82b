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
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance.specs.layers import activations, core, merging, regularization, reshaping
from hypothesis import settings

from conformance.objects import CallableSpec
from conformance.pool import WorkerPool
from conformance.registry import AdapterInfo
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_layers_core  # noqa: E402


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
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), saved]))  # workers import by name
    infos = [AdapterInfo(id=cls.id, reference=f"faulty_layers_core:{cls.__name__}", cls=cls)
             for cls in faulty_layers_core.ADAPTERS]
    pool = WorkerPool(infos, case_timeout=120, log_dir=str(tmp_path_factory.mktemp("logs")))
    try:
        pool.start()
        yield CheckRunner(pool, settings(max_examples=12), run_seed=5, reproduce=lambda *a: "")
    finally:
        pool.close()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    verdicts = runner.run(spec, check, ["honest-jax", adapter])
    assert verdicts["honest-jax"].status == "pass", verdicts["honest-jax"].message
    assert verdicts[adapter].status == "diverged", (verdicts[adapter].status, verdicts[adapter].message)
    assert "minimal case" in verdicts[adapter].message
