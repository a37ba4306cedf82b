"""The JAX adapter's two shortcuts answer what the eager call answers.

keras3-jax judges the dtype check by abstract evaluation (``jax.eval_shape``) and
differentiates under ``jax.jit`` (adapters/keras3.py: ``Keras3Jax.abstract_outputs``,
``Keras3Jax.vjp``), because eager JAX compiles every primitive per new shape. Both are
only valid if they give the eager call's shapes, dtypes and gradients, and step aside
(None, or the eager pullback) where tracing cannot answer. Checked on the real backend,
in a process of its own: the test process may have imported Keras on another backend.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json
import numpy as np
from conformance.adapter import OP, OP_GRAD, Case
from conformance.adapters.keras3 import Keras3Adapter, Keras3Jax

adapter = Keras3Jax()
adapter.setup()
rng = np.random.default_rng(0)
x32 = rng.normal(size=(3, 4)).astype("float32")
i8 = rng.integers(-5, 5, size=(3, 4)).astype("int8")
f16 = rng.normal(size=(4,)).astype("float16")
report = {"dtype": {}, "grad": {}}

dtype_cases = {
    "add int8+float16": Case(OP, "ops.numpy.add", "dtype", [i8, f16], {"kwargs": {}}),
    "mean int8 axis": Case(OP, "ops.numpy.mean", "dtype", [i8], {"kwargs": {"axis": 1, "keepdims": True}}),
    "top_k two outputs": Case(OP, "ops.top_k", "dtype", [x32], {"kwargs": {"k": 2}}),
    "argmax": Case(OP, "ops.numpy.argmax", "dtype", [x32], {"kwargs": {"axis": 0}}),
    "nonzero (data-dependent shape)": Case(OP, "ops.numpy.nonzero", "dtype", [i8], {"kwargs": {}}),
    "shape (Python ints)": Case(OP, "ops.shape", "dtype", [x32], {"kwargs": {}}),
}
for name, case in dtype_cases.items():
    abstract = adapter.abstract_outputs(case)
    eager = Keras3Adapter.run(adapter, case).outputs
    routed = adapter.run(case).outputs
    report["dtype"][name] = {
        "abstract": None if abstract is None else {k: [list(v.shape), v.dtype.name] for k, v in abstract.items()},
        "eager": {k: [list(np.shape(v)), np.asarray(v).dtype.name] for k, v in eager.items()},
        "routed": {k: [list(np.shape(v)), np.asarray(v).dtype.name] for k, v in routed.items()},
    }

def branching(x, y):  # a Python branch on the value of an argument not differentiated
    return x * 2.0 if float(adapter.ops.sum(y)) > 0 else x * 3.0

cot = rng.normal(size=(3, 4)).astype("float32")
for name, fn in {"gelu": adapter.keras.ops.gelu, "sin": adapter.keras.ops.sin, "branching": branching}.items():
    args = [x32, x32] if name == "branching" else [x32]
    case = Case(OP_GRAD, "", "grad", args, {"kwargs": {}, "wrt": [0]}, {"cotangent": cot})
    jitted = [np.asarray(g) for g in adapter.vjp(fn, case)]
    report["grad"][name] = [g.tolist() for g in jitted]
    if name != "branching":
        import jax
        _, back = jax.vjp(fn, adapter.to_tensor(x32))
        report["grad"][name + " eager"] = [np.asarray(g).tolist() for g in back(adapter.to_tensor(cot))]
report["grad"]["branching expected"] = (cot * (2.0 if x32.sum() > 0 else 3.0)).tolist()
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def report() -> dict:
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu",
           "KERAS_CONFORMANCE_CACHE_DIR": "off", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_abstract_evaluation_gives_the_eager_shapes_and_dtypes(report: dict) -> None:
    for name in ("add int8+float16", "mean int8 axis", "top_k two outputs", "argmax"):
        row = report["dtype"][name]
        assert row["abstract"] is not None, name
        assert row["abstract"] == row["eager"] == row["routed"], (name, row)
    assert set(report["dtype"]["top_k two outputs"]["abstract"]) == {"out0", "out1"}


def test_abstract_evaluation_steps_aside_where_tracing_cannot_answer(report: dict) -> None:
    """A data-dependent shape and Python results: the dtype check gets the eager answer."""
    for name in ("nonzero (data-dependent shape)", "shape (Python ints)"):
        row = report["dtype"][name]
        assert row["abstract"] is None, (name, row)
        assert row["routed"] == row["eager"], (name, row)


def test_gradients_under_jit_equal_the_eager_pullback(report: dict) -> None:
    import numpy as np

    for name in ("gelu", "sin"):
        np.testing.assert_allclose(report["grad"][name], report["grad"][name + " eager"], rtol=1e-6, atol=1e-7)


def test_an_op_that_cannot_be_traced_is_differentiated_eagerly(report: dict) -> None:
    import numpy as np

    np.testing.assert_allclose(report["grad"]["branching"][0], report["grad"]["branching expected"], rtol=1e-6)
