"""The attention and recurrent families catch a layer with one fault planted
(tests/faulty_layers_recurrent.py).

The specs are the catalog's own (specs/layers/attention.py, recurrent.py), in float32
on real Keras 3 on JAX, with the argument the fault hides fixed on (a scale, going
backwards, a mask; the recurrent loops unrolled, where jax's masked steps follow the
reference's zeros: see divergences/layers_recurrent.toml): the honest adapter passes the check, the faulty one diverges on it.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conformance.specs.layers import attention, recurrent
from hypothesis import strategies as st

from conformance.objects import CallableSpec, CallInputs
from conformance.runner import CheckRunner

pytest.importorskip("jax")
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import faulty_layers_recurrent  # noqa: E402
from object_runs import assert_fault_caught, fault_runner  # noqa: E402


def _spec(module: object, name: str, fixed: dict[str, Any], masked: bool = False) -> CallableSpec:
    """The catalog's spec in float32 (Keras 3 on JAX computes parts of float64 in float32), with
    ``fixed`` config entries, and a mask that hides some steps if ``masked``."""
    spec = next(s for s in module.SPECS if s.name == name)
    config = spec.config

    def fixed_config(dtype: str) -> st.SearchStrategy:
        return config(dtype).map(lambda drawn: {**drawn, **fixed})

    def masked_inputs(config: dict, dtype: str, mode: str) -> st.SearchStrategy:
        def with_mask(inputs: CallInputs) -> CallInputs:
            x = inputs["args"][0]
            mask = inputs["kwargs"].get("mask")
            if mask is None or mask.all():
                mask = np.ones(x.shape[:2], bool)
                mask[:, 0] = False  # the first step hidden: a dropped mask updates the state there
            return {"args": inputs["args"], "kwargs": {**inputs["kwargs"], "mask": mask}}

        return spec.inputs(config, dtype, mode).map(with_mask)

    return dataclasses.replace(spec, dtypes=("float32",), config=fixed_config,
                               inputs=masked_inputs if masked else spec.inputs)


#: each fault, the spec and the check that must see it
FAULTS = {
    "faulty-attention-scale": (_spec(attention, "layers.Attention", {"use_scale": True}), "forward"),
    "faulty-rnn-go-backwards": (_spec(recurrent, "layers.SimpleRNN", {"go_backwards": True, "unroll": True,
                                                                     "return_sequences": True}), "forward"),
    "faulty-gru-mask": (_spec(recurrent, "layers.GRU", {"return_sequences": True, "unroll": True}, masked=True), "forward"),
    "faulty-lstm-gate-order": (_spec(recurrent, "layers.LSTM", {"unroll": True}), "forward"),
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckRunner]:
    with fault_runner("faulty_layers_recurrent", faulty_layers_recurrent.ADAPTERS,
                      str(tmp_path_factory.mktemp("logs")), examples=12, seed=5) as started:
        yield started


@pytest.mark.parametrize("adapter", sorted(FAULTS))
def test_planted_fault_is_caught(runner: CheckRunner, adapter: str) -> None:
    spec, check = FAULTS[adapter]
    assert_fault_caught(runner, spec, check, adapter)
