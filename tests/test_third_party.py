"""Third-party adapter packages, installed and found through their entry points.

The packages under ``tests/third_party/`` are built and installed with
``pip install --no-deps --no-build-isolation --no-index --target <tmp>/site``
(from a copy, so no build output lands in the checkout); the runs below see
them only through ``PYTHONPATH=<tmp>/site``, as a user sees a plugin installed
next to keras-conformance. Every run sets ``KERAS_CONFORMANCE_ENVS`` to a
temporary folder (nothing is created in the checkout's ``.envs/``) and
``PIP_NO_INDEX=1`` (an environment's pip steps never reach the network).

The cells are Keras 3 on the NumPy backend, the fastest worker to start.
``ops.numpy.tanh`` passes there; ``ops.linalg.jvp`` raises on every case (the
backend has no JVP), which ``divergences.toml`` lists for ``keras3-numpy`` only,
so it is the cell a plugin's known-failures file covers: every draw of every
seed hits it.

Not covered here: an adapter whose own environment is created successfully
(it needs keras and its dependencies installed from an index into a fresh
venv, tens of seconds and a network or a local mirror).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_runs import ROOT, TESTS, PytestRun, run_pytest

PACKAGES = TESTS / "third_party"
USAGE_ERROR = 4
PASSING = "ops.numpy.tanh::values"  # passes on Keras 3's NumPy backend, no divergence listed
DIVERGING = "ops.linalg.jvp::values"  # NotImplementedError on the NumPy backend, whatever is drawn


def install(packages: list[str], site: Path, scratch: Path) -> Path:
    """pip-install the named folders of tests/third_party into ``site`` (a --target folder)."""
    sources = []
    for name in packages:
        source = scratch / name
        shutil.copytree(PACKAGES / name, source)
        sources.append(str(source))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", f"--target={site}", *sources],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """toy-numpy, toy-known, toy-plain, the broken adapters and broken-env, installed."""
    scratch = tmp_path_factory.mktemp("plugin-sources")
    return install(["toy", "broken", "badenv"], tmp_path_factory.mktemp("plugins") / "site", scratch)


@pytest.fixture(scope="module")
def badknown_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """toy-badknown alone: its known-failures file names keras3-numpy."""
    scratch = tmp_path_factory.mktemp("badknown-sources")
    return install(["badknown"], tmp_path_factory.mktemp("badknown") / "site", scratch)


def plugin_env(site: Path | None, envs: Path) -> dict[str, str]:
    """The environment of a run: the installed site on PYTHONPATH, envs in a temporary folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "HYPOTHESIS_"))
           and k not in ("KERAS_BACKEND", "KERAS_CONFORMANCE_EXTRA_ADAPTERS", "PYTHONPATH")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    env["KERAS_CONFORMANCE_ENVS"] = str(envs)
    env["PIP_NO_INDEX"] = "1"
    return env


def header_lines(run: PytestRun, adapter: str) -> list[str]:
    """The lines of the run's output that name ``adapter`` (and not one of its variants)."""
    return [line for line in run.output.splitlines()
            if f"adapter {adapter}:" in line]


def assert_one_line_usage_error(run: PytestRun, *fragments: str) -> str:
    assert run.returncode == USAGE_ERROR, run.explain()
    assert "Traceback" not in run.output, run.explain()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), run.explain()
    for fragment in fragments:
        assert fragment in lines[0], run.explain()
    return lines[0]


# -- 1. discovery ------------------------------------------------------------------------
def test_installed_package_is_discovered_through_its_entry_point(plugin_site: Path,
                                                                 tmp_path: Path) -> None:
    env = plugin_env(plugin_site, tmp_path / "envs")
    run = run_pytest(["--adapters", "toy-numpy", "-k", PASSING, "--hypothesis-profile=quick"],
                     tmp_path / "report", env=env)
    assert run.returncode == 0, run.explain()
    assert run.outcomes().get("passed") == 1, run.explain()
    verdict = run.verdicts()[("ops.numpy.tanh", "values", "toy-numpy")]
    assert verdict["status"] == "pass" and verdict["examples"] > 0, verdict
    # the worker loaded the plugin's own class (its title), on the engine's interpreter
    described = run.report()["adapters"]["toy-numpy"]
    assert described["title"].startswith("Keras 3 on NumPy, installed as a third-party package")
    assert described["backend"] == "numpy"
    header = [line for line in run.stdout.splitlines() if line.startswith("  adapter toy-numpy:")]
    assert len(header) == 1 and "keras 3." in header[0], run.explain()

    cli = [sys.executable, "-m", "conformance.cli", "env"]
    listed = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if line.split()[:1] == ["toy-numpy"]]
    assert len(rows) == 1 and "keras 3." in rows[0] and "[" not in rows[0], listed.stdout
    # control: without the installed site there is no such adapter
    bare = subprocess.run(cli, cwd=ROOT, env=plugin_env(None, tmp_path / "envs"),
                          capture_output=True, text=True, timeout=120)
    assert bare.returncode == 0 and "toy-numpy" not in bare.stdout, bare.stdout + bare.stderr


# -- 2. broken packages ------------------------------------------------------------------
BROKEN = {
    "broken-import": ("its entry point broken_import:BrokenImport failed to load",
                      "ImportError: toy-broken-import needs the module no_such_backend_xyz"),
    "not-an-adapter": ("its entry point not_an_adapter:make_adapter failed to load",
                       "is not a conformance.adapter.Adapter subclass"),
    "broken-requires": ("missing no-such-distribution-xyz",
                        "to repair: pip install no-such-distribution-xyz"),
}


def test_broken_packages_are_listed_and_the_others_run(plugin_site: Path, tmp_path: Path) -> None:
    run = run_pytest(["-k", f"{PASSING} and keras3-numpy", "--hypothesis-profile=quick"],
                     tmp_path / "report", env=plugin_env(plugin_site, tmp_path / "envs"))
    assert run.returncode == 0, run.explain()
    assert "Traceback" not in run.output, run.explain()
    assert run.outcomes().get("passed") == 1, run.explain()
    assert [(key, v["status"]) for key, v in run.verdicts().items()] == [
        (("ops.numpy.tanh", "values", "keras3-numpy"), "pass")], run.explain()
    for adapter, fragments in BROKEN.items():
        lines = header_lines(run, adapter)
        assert len(lines) == 1, f"{adapter}: {lines}\n{run.explain()}"
        assert lines[0].startswith(f"  (not run) adapter {adapter}: "), lines
        for fragment in fragments:
            assert fragment in lines[0], lines


@pytest.mark.parametrize("adapter", sorted(BROKEN))
def test_requesting_a_broken_adapter_is_a_usage_error(plugin_site: Path, tmp_path: Path,
                                                      adapter: str) -> None:
    run = run_pytest(["--adapters", f"keras3-numpy,{adapter}", "--collect-only", "-q"],
                     env=plugin_env(plugin_site, tmp_path / "envs"))
    assert_one_line_usage_error(run, f"ERROR: adapter {adapter}: ", *BROKEN[adapter])


# -- 3. an environment that cannot be created ---------------------------------------------
def test_failed_environment_is_one_line_and_the_run_goes_on(plugin_site: Path,
                                                            tmp_path: Path) -> None:
    envs = tmp_path / "envs"
    run = run_pytest(["--adapters", "broken-env,keras3-numpy", "-k", PASSING,
                      "--hypothesis-profile=quick", "-rA"], env=plugin_env(plugin_site, envs))
    assert run.returncode == 0, run.explain()
    assert "Traceback" not in run.output, run.explain()
    assert run.outcomes().get("passed") == 1, run.explain()
    assert "PASSED ops.numpy.tanh::values[keras3-numpy]" in run.stdout, run.explain()
    assert "[broken-env]" not in run.stdout, run.explain()
    lines = [line for line in run.stdout.splitlines() if "broken-env" in line]
    assert len(lines) == 1, run.explain()
    line = lines[0]
    assert line.startswith("  (not run) adapter broken-env: creating its environment failed at "), line
    assert "`-m pip install -q --disable-pip-version-check no-such-distribution-xyz==0.0`" in line
    assert "to repair: keras-conformance env create broken-env --force" in line, line
    log = envs / "broken-env.install.log"
    assert f"(log: {log})" in line, line
    assert "no-such-distribution-xyz" in log.read_text()
    assert not (ROOT / ".envs" / "broken-env").exists() and not (ROOT / ".envs" / "broken-env.install.log").exists()


# -- 5. a plugin's known failures ---------------------------------------------------------
def test_known_failures_of_a_plugin_are_scoped_to_it(plugin_site: Path, tmp_path: Path) -> None:
    # toy-plain is toy-known without the file: the same drawn cases fail there
    run = run_pytest(["--adapters", "toy-known,toy-plain", "-k", DIVERGING,
                      "--hypothesis-profile=quick", "-q", "-rfx"], tmp_path / "report",
                     env=plugin_env(plugin_site, tmp_path / "envs"))
    assert run.returncode == 1, run.explain()
    counts = run.outcomes()
    assert (counts.get("failed"), counts.get("xfailed"), counts.get("passed")) == (1, 1, None), \
        run.explain()
    verdicts = run.verdicts()
    known = verdicts[("ops.linalg.jvp", "values", "toy-known")]
    assert known["status"] == "known", known
    assert known["reason"] == "toy-known: the NumPy backend has no JVP"
    assert known["link"] == "https://example.org/toy-known/1"
    assert "XFAIL ops.linalg.jvp::values[toy-known] - known divergence: toy-known:" in run.stdout
    assert verdicts[("ops.linalg.jvp", "values", "toy-plain")]["status"] in ("diverged", "error")
    assert "FAILED ops.linalg.jvp::values[toy-plain]" in run.stdout, run.explain()


def test_known_failures_naming_another_adapter_is_a_usage_error(badknown_site: Path,
                                                                tmp_path: Path) -> None:
    env = plugin_env(badknown_site, tmp_path / "envs")
    run = run_pytest(["--adapters", "toy-badknown", "--collect-only", "-q"], env=env)
    toml = badknown_site / "toy_badknown" / "known_failures.toml"
    assert_one_line_usage_error(
        run, f"{toml}: entry 1: a known-failures file of toy-badknown may only name toy-badknown")
