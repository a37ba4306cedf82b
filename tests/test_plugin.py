"""The pytest plugin as a user meets it: options, errors, item ids, header, junit, exit codes."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from plugin_runs import ROOT, PytestRun, run_pytest, subprocess_env

USAGE_ERROR = 4


def assert_one_line_usage_error(run: PytestRun, *fragments: str) -> str:
    """pytest's exit code 4 and one ``ERROR:`` line naming the problem; no traceback."""
    assert run.returncode == USAGE_ERROR, run.explain()
    assert "Traceback" not in run.output, run.explain()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.explain()
    line = lines[0]
    assert line.startswith("ERROR: "), run.explain()
    for fragment in fragments:
        assert fragment in line, run.explain()
    return line


def test_unknown_adapter_names_the_known_ones() -> None:
    run = run_pytest(["--adapters", "nope", "--collect-only"])
    line = assert_one_line_usage_error(run, "unknown adapter 'nope'", "known adapters:")
    for known in ("keras3-numpy", "keras3-jax", "honest-numpy", "faulty-add"):
        assert known in line


def test_adapter_with_missing_packages() -> None:
    if importlib.util.find_spec("openvino") is not None:
        pytest.skip("openvino is installed here")
    run = run_pytest(["--adapters", "keras3-numpy,keras3-openvino", "--collect-only"])
    assert_one_line_usage_error(run, "adapter keras3-openvino", "missing openvino",
                                "pip install openvino")


def test_adapter_whose_module_does_not_import(tmp_path: Path) -> None:
    env = subprocess_env({"KERAS_CONFORMANCE_EXTRA_ADAPTERS": "broken=no_such_module:Adapter"})
    run = run_pytest(["--adapters", "broken", "--collect-only"], env=env)
    assert_one_line_usage_error(run, "adapter broken", "failed to load", "no_such_module")
    # not selected, it is only listed as not run; the others still work
    fine = run_pytest(["--adapters", "keras3-numpy", "--collect-only"], env=env)
    assert fine.returncode == 0, fine.explain()
    assert "(not run) adapter broken" in fine.stdout


def test_malformed_extra_adapters_variable() -> None:
    env = subprocess_env({"KERAS_CONFORMANCE_EXTRA_ADAPTERS": "just-a-name"})
    run = run_pytest(["--adapters", "keras3-numpy", "--collect-only"], env=env)
    assert_one_line_usage_error(run, "KERAS_CONFORMANCE_EXTRA_ADAPTERS", "'just-a-name'")


@pytest.mark.parametrize("text, fragment", [
    ("[[divergence]]\nspec = 'ops.numpy.add'\nadapters = ['honest-numpy']\n", "missing reason"),
    ("[[divergence\n", "not valid TOML"),
    ("[[divergence]]\nspec = 'x'\nadapters = 'honest-numpy'\nreason = 'r'\n",
     "adapters must be a non-empty list"),
], ids=["missing-reason", "bad-toml", "adapters-string"])
def test_malformed_divergences_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "known.toml"
    path.write_text(text)
    run = run_pytest(["--adapters", "honest-numpy", f"--divergences={path}", "--collect-only"])
    assert_one_line_usage_error(run, str(path), fragment)


def test_missing_divergences_file(tmp_path: Path) -> None:
    run = run_pytest(["--adapters", "honest-numpy", f"--divergences={tmp_path / 'nope.toml'}",
                      "--collect-only"])
    assert_one_line_usage_error(run, "--divergences", "nope.toml")


def collected_ids(run: PytestRun) -> list[str]:
    return [line.strip() for line in run.stdout.splitlines() if "::" in line and "[" in line]


def test_item_ids_and_selecting_an_adapter_with_k() -> None:
    run = run_pytest(["--adapters", "keras3-numpy,honest-numpy", "--collect-only", "-q",
                      "-k", "keras3-numpy"])
    assert run.returncode == 0, run.explain()
    ids = collected_ids(run)
    assert "ops.numpy.add::values[keras3-numpy]" in ids, run.explain()
    assert "ops.numpy.add::special[keras3-numpy]" in ids
    assert all(i.endswith("[keras3-numpy]") for i in ids), ids
    both = collected_ids(run_pytest(["--adapters", "keras3-numpy,honest-numpy", "--collect-only",
                                     "-q"]))
    assert len(both) == 2 * len(ids)
    assert "ops.numpy.add::values[honest-numpy]" in both


def test_header_lists_adapters_with_versions() -> None:
    run = run_pytest(["--adapters", "keras3-numpy,honest-numpy", "--collect-only",
                      "--hypothesis-profile=quick"])
    assert run.returncode == 0, run.explain()
    keras = importlib.metadata.version("keras")  # metadata only: keras is not imported
    assert "conformance: hypothesis profile 'quick', seed 0" in run.stdout
    for adapter in ("keras3-numpy", "honest-numpy"):
        line = re.search(rf"^  adapter {adapter}: keras {re.escape(keras)}\b.*; python \S+$",
                         run.stdout, re.MULTILINE)
        assert line is not None, run.explain()


def test_run_selected_with_k_starts_only_that_adapter_and_writes_junit(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    run = run_pytest(["--adapters", "keras3-numpy,faulty-crash", "-k",
                      "keras3-numpy and ops.numpy.exp::values", "--hypothesis-profile=quick",
                      f"--junitxml={junit}"], tmp_path / "report")
    assert run.returncode in (0, 1), run.explain()
    report = run.report()
    assert set(report["adapters"]) == {"keras3-numpy"}, "a deselected adapter's worker was started"
    assert [(r["spec"], r["check"], r["adapter"]) for r in report["results"]] == [
        ("ops.numpy.exp", "values", "keras3-numpy")]
    assert report["adapters"]["keras3-numpy"]["backend"] == "numpy"
    cases = ET.parse(junit).getroot().iter("testcase")
    names = [f"{c.get('classname')}::{c.get('name')}" for c in cases]
    assert len(names) == 1 and "values[keras3-numpy]" in names[0], names
    assert "ops" in names[0] and "exp" in names[0], names


def test_stale_divergence_only_warns_without_strict(tmp_path: Path) -> None:
    # a sample that missed a bug proves nothing: by default a stale entry is a warning
    known = tmp_path / "known.toml"
    known.write_text("[[divergence]]\nspec = 'ops.numpy.exp'\ncheck = 'values'\n"
                     "adapters = ['honest-numpy']\nreason = 'fixed long ago'\n")
    run = run_pytest(["--adapters", "honest-numpy", "-k", "ops.numpy.exp::values",
                      f"--divergences={known}", "--hypothesis-profile=nightly",
                      "--hypothesis-seed=0", "-q"], tmp_path / "report")
    assert run.returncode == 0, run.explain()
    assert "StaleDivergenceWarning" in run.stdout and "fixed long ago" in run.stdout
    assert run.verdicts()[("ops.numpy.exp", "values", "honest-numpy")]["status"] == "stale"


def test_known_divergence_is_xfail_and_stale_one_fails(tmp_path: Path) -> None:
    known = tmp_path / "known.toml"
    known.write_text(
        "[[divergence]]\nspec = 'ops.numpy.add'\nadapters = ['faulty-add']\n"
        "reason = 'adds one part in 1e4'\nlink = 'https://example.org/1'\n\n"
        "[[divergence]]\nspec = 'ops.numpy.exp'\ncheck = 'values'\nadapters = ['honest-numpy']\n"
        "reason = 'fixed long ago'\n")
    run = run_pytest(["--adapters", "honest-numpy,faulty-add", "-k",
                      "ops.numpy.add::values or ops.numpy.exp::values", f"--divergences={known}",
                      "--hypothesis-profile=nightly", "--hypothesis-seed=0", "-q", "-rfxX",
                      "--strict-divergences"],
                     tmp_path / "report")
    assert run.returncode == 1, run.explain()
    counts = run.outcomes()
    assert (counts.get("passed"), counts.get("failed"), counts.get("xfailed")) == (2, 1, 1), \
        run.explain()
    verdicts = run.verdicts()
    stale = verdicts[("ops.numpy.exp", "values", "honest-numpy")]
    assert stale["status"] == "stale" and "remove or narrow the entry" in stale["message"]
    assert "FAILED ops.numpy.exp::values[honest-numpy]" in run.stdout
    entry = verdicts[("ops.numpy.add", "values", "faulty-add")]
    assert entry["status"] == "known" and entry["link"] == "https://example.org/1"
    assert "known divergence: adds one part in 1e4" in run.stdout, run.explain()
    assert verdicts[("ops.numpy.exp", "values", "faulty-add")]["status"] == "pass"


def test_explicit_paths_do_not_collect_the_catalog() -> None:
    run = run_pytest(["tests/test_wire.py", "--collect-only", "-q"])
    assert run.returncode == 0, run.explain()
    assert "tests/test_wire.py::test_nested_structure_round_trip" in run.stdout
    assert "ops.numpy" not in run.stdout and "conformance:" not in run.stdout, run.explain()
    # --catalog asks for it even so
    both = run_pytest(["tests/test_wire.py", "--catalog", "--adapters", "honest-numpy",
                       "--collect-only", "-q"])
    assert "ops.numpy.add::values[honest-numpy]" in both.stdout, both.explain()


def test_engine_never_imports_a_backend_in_the_pytest_process() -> None:
    code = (
        "import sys\n"
        "import conformance.plugin, conformance.registry as r, conformance.runner\n"
        "from conformance.spec import catalog\n"
        "r.select('keras3-numpy,honest-numpy,faulty-add', r.discover())\n"
        "assert catalog()\n"
        "loaded = {'keras', 'tensorflow', 'torch', 'jax', 'tf_keras'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=subprocess_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_killed_run_keeps_its_results(tmp_path: Path) -> None:
    """SIGKILL while a worker hangs: the verdicts already reached are in the report."""
    report_dir = tmp_path / "report"
    path = report_dir / "conformance.json"
    journal = report_dir / "conformance.jsonl"
    args = [sys.executable, "-m", "pytest", "--adapters", "faulty-timeout",
            "-k", "ops.nn.softmax::values or ops.numpy.add::values", "--case-timeout=600",
            "--hypothesis-profile=quick", f"--report-dir={report_dir}", "-p", "no:cacheprovider", "-q"]
    # its own process group holds pytest and its workers, so all of them can be killed
    process = subprocess.Popen(args, cwd=ROOT, env=subprocess_env(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    written = False
    try:
        for _ in range(1200):  # softmax is judged first (specs/ops/nn.py sorts before numpy.py)
            if process.poll() is not None:
                break
            if journal.exists() and journal.read_text().endswith("\n"):
                written = True
                break
            time.sleep(0.1)
        assert process.poll() is None, "the run ended although ops.numpy.add hangs"
        assert written, "no verdict was written while the run went on"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    from conformance import report  # noqa: PLC0415

    data = report.load(str(path))
    assert data["finished"] is None
    assert [(r["spec"], r["adapter"], r["status"]) for r in data["results"]] == [
        ("ops.nn.softmax", "faulty-timeout", "pass")]
    # the merge command reads a killed job's report the same way
    assert report.merge([data])["results"] == data["results"]
