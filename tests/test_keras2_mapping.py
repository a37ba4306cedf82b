"""The Keras 3 -> Keras 2 name mapping of the tf-keras, keras2 and keras2.3-theano adapters.

No Keras 2 is imported: a recording stand-in for ``keras.backend`` and
``keras.activations`` shows which function each canonical name reaches, with
which arguments. Standalone environments (keras2, keras2.3-theano) that are
missing or broken leave one line and the other adapters run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conformance.adapters import keras2_theano
from conformance.adapters.keras2_ops import CHANGES, OP_MAP
from conformance.adapters.keras2_theano import Keras2Cntk, Keras2Theano, _Namespace
from plugin_runs import run_pytest, subprocess_env

from conformance.adapter import Absent


class Recording:
    """A module stand-in: every function call is recorded and answered with its name."""

    def __init__(self, label: str, lacks: tuple[str, ...] = ()) -> None:
        self.label = label
        self.lacks = lacks
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str) -> Any:
        if name in self.lacks or name.startswith("__"):
            raise AttributeError(name)
        if name == "ndim":
            return lambda x: np.ndim(x)
        if name == "int_shape":
            return lambda x: np.shape(x)
        if name == "dtype":
            return lambda x: np.asarray(x).dtype.name

        def call(*args: Any, **kwargs: Any) -> str:
            self.calls.append((name, args, kwargs))
            return f"{self.label}.{name}"

        return call


X2 = np.zeros((2, 3), np.float32)
X4 = np.zeros((1, 4, 4, 2), np.float32)

#: canonical name, arguments, Keras 3 kwargs -> the Keras 2 function and the kwargs it receives
REACHES = [
    ("ops.numpy.sum", [X2], {"axis": [0], "keepdims": True}, "K.sum", {"axis": (0,), "keepdims": True}),
    ("ops.numpy.exp", [X2], {}, "K.exp", {}),
    ("ops.numpy.argmax", [X2], {"axis": 1}, "K.argmax", {"axis": 1}),
    ("ops.numpy.cumsum", [X2], {"axis": 0}, "K.cumsum", {"axis": 0}),
    ("ops.nn.softmax", [X2], {"axis": 0}, "K.softmax", {"axis": 0}),
    ("ops.nn.gelu", [X2], {}, "A.gelu", {}),  # Keras 2's own default applies (a listed change)
    ("ops.nn.leaky_relu", [X2], {"negative_slope": 0.1}, "A.relu", {"alpha": 0.1}),
    ("ops.nn.elu", [X2], {"alpha": 0.5}, "A.elu", {"alpha": 0.5}),
    ("ops.nn.max_pool", [X4], {"pool_size": 2}, "K.pool2d",
     {"strides": (2, 2), "padding": "valid", "data_format": "channels_last", "pool_mode": "max"}),
    ("ops.image.resize", [X4], {"size": [8, 8]}, "K.resize_images", {"interpolation": "nearest"}),
]


@pytest.mark.parametrize(("api", "args", "kwargs", "target", "received"), REACHES,
                         ids=[r[0] for r in REACHES])
def test_a_mapped_op_reaches_its_keras2_function(api: str, args: list, kwargs: dict, target: str,
                                                 received: dict) -> None:
    K, A = Recording("K"), Recording("A")
    assert OP_MAP[api](K, A, list(args), dict(kwargs)) == target
    (name, _, got), = (K.calls or A.calls)
    assert f"{'K' if K.calls else 'A'}.{name}" == target
    assert got == received


def test_arguments_without_a_keras2_meaning_are_absent() -> None:
    K, A = Recording("K"), Recording("A")
    with pytest.raises(Absent, match="no flattened index"):
        OP_MAP["ops.numpy.argmax"](K, A, [X2], {"axis": None})
    with pytest.raises(Absent, match="rejects 1-D"):
        OP_MAP["ops.nn.softmax"](K, A, [np.zeros(3)], {})
    assert not K.calls and not A.calls


def test_theano_adapter_reaches_the_same_table_through_keras_2_3() -> None:
    adapter = Keras2Theano()
    adapter.K, adapter.A = _Namespace(Recording("K"), "keras.backend"), _Namespace(Recording("A"), "keras.activations")
    assert adapter.op("ops.numpy.sum")(X2, axis=1) == "K.sum"
    with pytest.raises(Absent, match="ops.numpy.sort has no Keras 2 counterpart"):
        adapter.op("ops.numpy.sort")
    # a function Keras 2.3 does not have is absent, not an AttributeError
    adapter.A = _Namespace(Recording("A", lacks=("gelu",)), "keras.activations")
    with pytest.raises(Absent, match=r"keras.activations.gelu does not exist in Keras 2.3"):
        adapter.op("ops.nn.gelu")(X2)


def test_theano_adapter_declares_its_environment() -> None:
    assert Keras2Theano.env_requirements == (
        "numpy==1.23.5 scipy==1.10.1 Theano==1.0.5 keras==2.3.1 h5py pyyaml six ml_dtypes==0.2.0",)
    assert Keras2Theano.environment == {"KERAS_BACKEND": "theano", "THEANO_FLAGS": "cxx=,blas.ldflags="}
    assert keras2_theano.Keras2Theano.keras_major == 2
    assert set(Keras2Theano.migration_changes) >= set(CHANGES)


def test_cntk_is_listed_as_unavailable_with_its_reason() -> None:
    from conformance import registry

    info = registry.discover()["keras2.3-cntk"]
    assert not info.available
    assert info.why_unavailable() == f"adapter keras2.3-cntk: unavailable: {Keras2Cntk.unavailable}"
    with pytest.raises(registry.ConfigError, match="CNTK has no wheel for any current Python"):
        registry.select("keras2.3-cntk", registry.discover())


# -- standalone environments: missing or broken, one line, the others run -----------------
def _fake_env(envs: Path, adapter_id: str, steps: tuple[str, ...]) -> None:
    """An env whose marker is current but whose interpreter cannot run (a broken install)."""
    root = envs / adapter_id
    (root / "bin").mkdir(parents=True)
    python = root / "bin" / "python"
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    (root / "keras-conformance-env.json").write_text(json.dumps({"steps": list(steps)}))


@pytest.mark.parametrize("adapter", ["keras2", "keras2.3-theano"])
def test_a_broken_standalone_environment_is_one_line_and_the_run_goes_on(adapter: str, tmp_path: Path) -> None:
    from conformance import registry

    steps = registry.discover()[adapter].cls.env_requirements
    envs = tmp_path / "envs"
    _fake_env(envs, adapter, steps)
    run = run_pytest(["--adapters", f"{adapter},keras3-numpy", "-k", "ops.numpy.tanh and values",
                      "--hypothesis-profile=quick", "-rA"],
                     env=subprocess_env({"KERAS_CONFORMANCE_ENVS": str(envs)}))
    assert run.returncode == 0, run.explain()
    assert "PASSED ops.numpy.tanh::values[keras3-numpy]" in run.stdout, run.explain()
    lines = [line for line in run.stdout.splitlines() if f"adapter {adapter}:" in line]
    assert len(lines) == 1, run.explain()
    assert lines[0].startswith(f"  (not run) adapter {adapter}: missing "), lines[0]
    assert f"to repair: keras-conformance env create {adapter} --force" in lines[0]


def test_a_missing_standalone_environment_is_named_in_the_header(tmp_path: Path) -> None:
    env = subprocess_env({"KERAS_CONFORMANCE_ENVS": str(tmp_path / "none")})
    run = run_pytest(["--adapters", "keras3-numpy", "--collect-only", "-k", "ops.numpy.tanh"], env=env)
    assert run.returncode == 0, run.explain()
    line, = [x for x in run.stdout.splitlines() if "no environment yet" in x]
    assert "keras2," in line and "keras2.3-theano" in line and "keras-conformance env create ID" in line
    cntk, = [x for x in run.stdout.splitlines() if "keras2.3-cntk" in x]
    assert cntk.startswith("  (not run) adapter keras2.3-cntk: unavailable: CNTK has no wheel"), cntk
    assert not os.path.exists(tmp_path / "none" / "keras2.3-theano")
