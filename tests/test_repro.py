"""``keras-conformance repro``: a failing cell becomes a script that runs with Keras and NumPy alone."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from plugin_runs import ROOT, run_pytest, subprocess_env

from conformance import repro


@pytest.mark.parametrize("array", [
    np.array([1.5, np.nan, -np.inf, np.inf, -0.0, 1e-45], dtype=np.float32),
    np.array([[0.1, 2 ** -1074]], dtype=np.float64),
    np.array([-(2 ** 63), 2 ** 63 - 1], dtype=np.int64),
    np.array([True, False]),
    np.zeros((0, 3), dtype=np.uint8),
    np.array(3.25, dtype=np.float16),
    np.array([1.0, -0.0, np.nan, 3.140625], dtype=ml_dtypes.bfloat16),
])
def test_an_inlined_array_is_the_same_array(array: np.ndarray) -> None:
    rebuilt = eval(repro.array_source(array), {"np": np, "ml_dtypes": ml_dtypes,  # noqa: S307
                                               "nan": float("nan"), "inf": float("inf")})
    assert rebuilt.dtype == array.dtype and rebuilt.shape == array.shape
    assert rebuilt.tobytes() == array.tobytes()  # bit for bit: NaN, -0.0, subnormals


def test_a_cell_is_named_as_in_the_report() -> None:
    assert repro.parse_cell("ops.numpy.add::values[keras3-jax@nightly]") == (
        "ops.numpy.add", "values", "keras3-jax@nightly")
    with pytest.raises(repro.ReproError, match="SPEC::CHECK"):
        repro.parse_cell("ops.numpy.add values keras3-jax")


def test_another_case_kind_is_refused_in_one_line() -> None:
    from conformance.adapter import Case
    from conformance.spec import Draw

    found = repro.Found("layers.Dense", "forward", "keras3-jax", Draw(Case("layer", "layers.Dense", "forward"), None),
                        None, "diverged", "quick", 0)
    with pytest.raises(repro.ReproError, match="kind 'layer'.*kinds written: op"):
        repro.script(found)


def test_a_failing_cell_gives_a_standalone_script_that_shows_the_difference(tmp_path: Path) -> None:
    run = run_pytest(["--adapters", "faulty-softmax,keras3-numpy", "-k", "ops.nn.softmax::values",
                      "--hypothesis-profile=quick", "-q"], tmp_path / "run")
    assert run.verdicts()[("ops.nn.softmax", "values", "faulty-softmax")]["status"] == "diverged", run.explain()
    page = (tmp_path / "run" / "conformance.html").read_text()
    assert "keras-conformance repro &#x27;ops.nn.softmax::values[faulty-softmax]&#x27;" in page  # linked
    script = tmp_path / "repro_softmax.py"
    made = subprocess.run([sys.executable, "-m", "conformance.cli", "repro", "ops.nn.softmax::values[faulty-softmax]",
                           f"--report={tmp_path / 'run' / 'conformance.json'}", f"--output={script}"],
                          cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    text = script.read_text()
    imported = {n.names[0].name.split(".")[0] for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Import)}
    # nothing of this suite: Keras, NumPy, and a backend's own autodiff or compiler where a check needs it
    assert imported <= {"os", "subprocess", "sys", "numpy", "ml_dtypes", "keras", "jax", "tensorflow", "torch"}
    # standalone: run from elsewhere, with nothing of the checkout on the path
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    expected = printed_array(out, "expected out")
    assert np.allclose(printed_array(out, "numpy (keras"), expected, rtol=1e-3, atol=1e-6, equal_nan=True), out
    assert not np.allclose(printed_array(out, "faulty-softmax answered in the run"), expected,
                           rtol=1e-3, atol=1e-6, equal_nan=True), out  # the wrong answer is shown
    assert "arg0:" in out and "call: keras.ops.nn.softmax" in out


def printed_array(out: str, label: str) -> np.ndarray:
    """The array the script printed (its repr) after the line that starts with ``label``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label))
    block = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        block.append(line.strip())
    names = {"array": np.array, "nan": np.nan, "inf": np.inf, "dtype": np.dtype, "bfloat16": ml_dtypes.bfloat16,
             **{d: d for d in ("float16", "float32", "float64")}}
    return np.asarray(eval(" ".join(block), names), dtype=np.float64)  # noqa: S307 - our own output


def test_a_cell_that_passes_now_says_so() -> None:
    with pytest.raises(repro.ReproError, match="fails on keras3-numpy now"):
        repro.find_case("ops.numpy.add", "values", "keras3-numpy", "quick", 0)


def test_a_layer_cell_gives_a_script_that_builds_the_layer_by_its_config(tmp_path: Path) -> None:
    pytest.importorskip("jax")
    from faulty_objects import REGISTRATION as OBJECT_ADAPTERS

    env = subprocess_env()
    env["KERAS_CONFORMANCE_EXTRA_ADAPTERS"] += "," + OBJECT_ADAPTERS
    script = tmp_path / "repro_layer_norm.py"
    made = subprocess.run([sys.executable, "-m", "conformance.cli", "repro",
                           "layers.LayerNormalization::forward[faulty-layer-norm]", "--profile=quick", "--seed=0",
                           f"--output={script}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "object: keras.layers.LayerNormalization(" in out
    expected = printed_array(out, "expected out")
    assert np.allclose(printed_array(out, "jax (keras"), expected, rtol=1e-3, atol=1e-5), out
    assert not np.allclose(printed_array(out, "faulty-layer-norm answered in the run, out"), expected,
                           rtol=1e-3, atol=1e-5), out


@pytest.mark.parametrize("check, printed", [("grad", "jax (keras {version}) grad0"),
                                            ("symbolic", "jax (keras {version}) symbolic out0: shape (2, 3)"),
                                            ("compiled", "jax (keras {version}) compiled out")])
def test_gradient_shape_inference_and_compiled_cells_are_written(tmp_path: Path, check: str, printed: str) -> None:
    keras = pytest.importorskip("keras")
    pytest.importorskip("jax")
    from conformance.adapter import Outcome
    from conformance.spec import catalog

    spec = next(s for s in catalog() if s.name == "ops.numpy.sin")
    x = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.25]], dtype=np.float32)
    draw = spec.prepare(check, [x], {}, 7)
    answered = {name: np.zeros_like(np.asarray(exp.ref), dtype=np.float32) for name, exp in draw.expected.items()}
    found = repro.Found(spec.name, check, "some-adapter", draw, Outcome.ok(answered), "diverged", "quick", 0)
    script = tmp_path / f"repro_{check}.py"
    script.write_text(repro.script(found))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, str(script), "jax"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert printed.format(version=keras.__version__) in done.stdout, done.stdout
    if check == "grad":  # cos(x) * cotangent, from jax.vjp in the script
        got = printed_array(done.stdout, f"jax (keras {keras.__version__}) grad0")
        assert np.allclose(got, np.asarray(draw.expected["grad0"].ref), rtol=1e-5, atol=1e-6), done.stdout


def _object_draw(kind: str):
    """A drawn case of each Keras-object procedure that has a writer (float32, a fixed draw)."""
    from hypothesis import strategies as st

    from conformance.families import layers, training
    from conformance.objects import GRADIENTS, LayerSpec, MetricSpec, OptimizerSpec

    rng = np.random.default_rng(0)
    if kind == "call_grad":
        spec = LayerSpec("layers.Dense", layers.dense_config, layers.dense_inputs, layers.dense_weights,
                         layers.dense_reference, dtypes=("float32",), checks_=(GRADIENTS,))
        config = {"units": 2, "activation": "tanh", "use_bias": True, "dtype": "float32"}
        inputs = {"args": [rng.standard_normal((3, 4)).astype("float32")], "kwargs": {}}
        weights = {"kernel": rng.standard_normal((4, 2)).astype("float32"),
                   "bias": rng.standard_normal(2).astype("float32")}
        return spec.prepare(GRADIENTS, config, inputs, weights, "float32", 5)
    if kind == "apply_gradients":
        spec = OptimizerSpec("optimizers.Adam", training.adam_config, training.optimizer_variables,
                             training.adam_reference, dtypes=("float32",))
        config = {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
        variables = {"w0": rng.standard_normal(3).astype("float32")}
        gradients = [{"w0": rng.standard_normal(3).astype("float32")} for _ in range(3)]
        return spec.prepare("steps", config, variables, gradients, "float32")
    if kind == "fit":
        from conformance.objects import FitSpec

        spec = FitSpec("optimizers.SGD", training.sgd_scenario, training.dense_chain_model, training.sgd_compile,
                       training.full_batch_fit, training.dense_chain_weights, training.dense_chain_data,
                       training.sgd_dense_fit)
        scenario = {"dtype": "float64", "batch": 3, "in_features": 2, "loss": "mse", "steps": 3,
                    "layers": [{"units": 2, "activation": "tanh", "use_bias": True}],
                    "optimizer": {"learning_rate": 0.1}}
        weights = {"d0/kernel": rng.standard_normal((2, 2)), "d0/bias": rng.standard_normal(2)}
        return spec.prepare("fit_steps", scenario, weights, rng.standard_normal((3, 2)), rng.standard_normal((3, 2)))
    spec = MetricSpec("metrics.MeanSquaredError", lambda dtype: st.just({}), training.regression_batches,
                      training.mean_metric_reference(training.squared_error), dtypes=("float32",))
    batches = [{"args": [rng.standard_normal((2, 3)).astype("float32") for _ in range(2)], "kwargs": {}}
               for _ in range(2)]
    return spec.prepare("accumulate", {}, batches, "float32")


@pytest.mark.parametrize("kind, name", [("call_grad", "dw:dense/kernel"), ("apply_gradients", "step3:w0"),
                                        ("accumulate", "result2"), ("fit", "step3:d0/kernel")])
def test_keras_object_procedures_are_written(tmp_path: Path, kind: str, name: str) -> None:
    keras = pytest.importorskip("keras")
    pytest.importorskip("jax")
    from conformance.adapter import Outcome

    draw = _object_draw(kind)
    answered = {n: np.zeros_like(np.asarray(e.ref), dtype=np.float32) for n, e in draw.expected.items()}
    found = repro.Found(draw.case.api, draw.case.check, "some-adapter", draw, Outcome.ok(answered), "diverged",
                        "quick", 0)
    script = tmp_path / f"repro_{kind}.py"
    script.write_text(repro.script(found))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, str(script), "jax"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "raised" not in done.stdout, done.stdout + done.stderr
    got = printed_array(done.stdout, f"jax (keras {keras.__version__}) {name}")
    key = name if name in draw.expected else name.replace("dense/", "")
    assert np.allclose(got, np.asarray(draw.expected[key].ref), rtol=1e-4, atol=1e-5), done.stdout


def test_a_random_cell_prints_each_backends_samples_for_its_seeds(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    pytest.importorskip("jax")
    from conformance.adapter import Case, Outcome
    from conformance.spec import Draw

    case = Case("op", "random.uniform", "determinism", [], {"kwargs": {"shape": [3]}, "seeds": [
        7, 7, {"generator": 3, "instance": 0}, {"generator": 3, "instance": 0}]})
    found = repro.Found("random.uniform", "determinism", "some-adapter", Draw(case, {}),
                        Outcome.ok({}), "diverged", "quick", 0)
    script = tmp_path / "repro_random.py"
    script.write_text(repro.script(found))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, str(script), "jax"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    samples = [printed_array(done.stdout, f"jax (keras {keras.__version__}) out{i}") for i in range(4)]
    assert np.array_equal(samples[0], samples[1])  # the same seed, the same values
    assert not np.array_equal(samples[2], samples[3])  # a SeedGenerator moves on
