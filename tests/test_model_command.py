"""``keras-conformance model``: a user's model on every adapter, and the first layer that diverges.

The project's example model (examples/small_model.py: conv, layer normalization,
pooling, two dense layers) is saved as a ``.keras`` file by Keras 3 on JAX, then
checked on honest Keras 3 on JAX and on one whose LayerNormalization is off by
1e-2 (tests/faulty_objects.py): the command must pass the first, name ``norm`` for
the second, and exit 1. Bad input is one line and exit 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jax")
ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
sys.path.insert(0, str(TESTS))

from faulty_objects import REGISTRATION  # noqa: E402

CLI = [sys.executable, "-m", "conformance.cli"]


def environment() -> dict[str, str]:
    env = dict(os.environ, KERAS_CONFORMANCE_EXTRA_ADAPTERS=REGISTRATION, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "small_model.keras"
    subprocess.run([sys.executable, str(ROOT / "examples" / "small_model.py"), str(path)], check=True,
                   env=dict(environment(), KERAS_BACKEND="jax"), capture_output=True, timeout=300)
    return path


def run_model(*args: str, report_dir: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--report-dir", str(report_dir)] if report_dir else ["--report-dir", ""]
    return subprocess.run([*CLI, "model", *args, *extra], capture_output=True, text=True, cwd=ROOT,
                          env=environment(), timeout=600)


def test_the_wrong_layer_in_the_middle_is_named(saved_model: Path, tmp_path: Path) -> None:
    done = run_model(str(saved_model), "--adapters", "faulty-layer-norm,honest-jax",
                     "--reference-adapter", "honest-jax", report_dir=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    faulty = next(line for line in lines if line.strip().startswith("faulty-layer-norm"))
    assert "first diverging layer: norm" in faulty, done.stdout
    assert any(line.strip().startswith("norm") and "<- first" in line for line in lines), done.stdout
    assert any(line.strip().startswith("conv ") for line in lines), "the layers before it are listed too"
    page = (tmp_path / "model.html").read_text()
    assert "<svg" in page and "faulty-layer-norm" in page


def test_a_factory_gets_the_references_weights_everywhere(tmp_path: Path) -> None:
    done = run_model("examples.small_model:build", "--adapters", "honest-jax", "--reference-adapter", "honest-jax")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "honest-jax (float32): pass, 5 layers and the output within tolerance" in done.stdout


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    missing = run_model(str(tmp_path / "nothing.keras"), "--adapters", "honest-jax")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1, missing.stderr
    assert "no such file" in missing.stderr
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(b"not a zip file")
    done = run_model(str(garbage), "--adapters", "honest-jax", "--reference-adapter", "honest-jax")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("keras-conformance model: ") and "cannot load it" in done.stderr


def test_an_h5_model_saved_by_tf_keras_loads_in_keras_3(tmp_path: Path) -> None:
    pytest.importorskip("tf_keras")
    path = tmp_path / "small_model.h5"
    build = ("import sys, tf_keras as keras\n"
             "inputs = keras.Input(shape=(6,), name='features')\n"
             "x = keras.layers.Dense(5, activation='relu', name='hidden')(inputs)\n"
             "x = keras.layers.LayerNormalization(name='norm')(x)\n"
             "keras.Model(inputs, keras.layers.Dense(2, name='out')(x)).save(sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", build, str(path)], check=True, capture_output=True, timeout=300,
                   env=dict(environment(), TF_USE_LEGACY_KERAS="1"))
    done = run_model(str(path), "--adapters", "faulty-layer-norm,honest-jax", "--reference-adapter", "honest-jax")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "honest-jax (float32): pass, 3 layers and the output within tolerance" in done.stdout, done.stdout
    assert "first diverging layer: norm" in done.stdout, done.stdout
