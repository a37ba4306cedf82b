"""Running the conformance plugin in a subprocess, for the engine's own tests.

A subprocess (``python -m pytest`` in the repository root) is the only honest
way to exercise the plugin: it starts adapter workers, reads the catalog and
exits with pytest's own codes. The faulty adapters of ``faulty_adapters.py``
are registered through ``KERAS_CONFORMANCE_EXTRA_ADAPTERS`` and reach the
worker processes through ``PYTHONPATH``.

Options that take a path are always written ``--option=value``: pytest picks
its rootdir from the arguments that name existing paths, and a bare
``--report-dir /tmp/x`` would move the rootdir (and the default
divergences.toml) out of the repository.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from faulty_adapters import REGISTRATION  # noqa: E402

OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|deselected|xfailed|xpassed|errors?|warnings?)")


@dataclasses.dataclass
class PytestRun:
    """What one ``python -m pytest`` subprocess did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    report_dir: Path | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def outcomes(self) -> dict[str, int]:
        """Counts from pytest's last summary line ({"passed": 2, "failed": 1, ...})."""
        lines = [line for line in self.stdout.splitlines() if OUTCOME.search(line)]
        if not lines:
            return {}
        found = {kind: int(n) for n, kind in OUTCOME.findall(lines[-1])}
        if "error" in found:
            found["errors"] = found.pop("error")
        return found

    def report(self) -> dict[str, Any]:
        assert self.report_dir is not None, "this run wrote no report"
        path = self.report_dir / "conformance.json"
        assert path.exists(), f"no report at {path}\n{self.output}"
        return json.loads(path.read_text())

    def verdicts(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        """The report's results keyed by (spec, check, adapter)."""
        return {(r["spec"], r["check"], r["adapter"]): r for r in self.report()["results"]}

    def explain(self) -> str:
        return f"$ pytest {' '.join(self.args)}\nexit {self.returncode}\n{self.output[-6000:]}"


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess run: faulty adapters registered, nothing inherited
    from the outer pytest that could change what the inner one does."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "HYPOTHESIS_")) and k != "KERAS_BACKEND"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env["KERAS_CONFORMANCE_EXTRA_ADAPTERS"] = REGISTRATION
    env.update(extra or {})
    return env


def run_pytest(args: Sequence[str], report_dir: Path | None = None, timeout: float = 400,
               env: dict[str, str] | None = None) -> PytestRun:
    """``python -m pytest ARGS`` in the repository root (the catalog, unless paths are given)."""
    full = [*args, "-p", "no:cacheprovider"]
    if report_dir is not None:
        full.append(f"--report-dir={report_dir}")
    else:
        full.append("--report-dir=")
    done = subprocess.run([sys.executable, "-m", "pytest", *full], cwd=ROOT, env=env or subprocess_env(),
                          capture_output=True, text=True, timeout=timeout)
    return PytestRun(full, done.returncode, done.stdout, done.stderr, report_dir)


def check_run(adapters: str, specs: Sequence[str], check: str, report_dir: Path) -> PytestRun:
    """One check of a few specs on some adapters, quick profile: a faulty adapter's test run."""
    return run_pytest(["--adapters", adapters, "-k", " or ".join(f"{s}::{check}" for s in specs),
                       "--hypothesis-profile=quick", "-q"], report_dir)
