"""What a user meets when a run stops early or an option is wrong: one line that says so.

Ctrl-C sends SIGINT to the whole foreground process group, the workers included; the
report must say the run was interrupted, and the workers killed by that same signal are
not worker incidents. The interrupted runner does not wait for the batches in flight,
so one Ctrl-C stops a run even inside a hung case.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from plugin_runs import ROOT, run_pytest, subprocess_env

from conformance import report

USAGE_ERROR = 4


def one_error_line(run) -> str:  # noqa: ANN001 - a PytestRun
    assert run.returncode == USAGE_ERROR, run.explain()
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output, run.explain()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), run.explain()
    return lines[0]


def test_an_unknown_hypothesis_profile_is_one_line_naming_the_known_ones() -> None:
    line = one_error_line(run_pytest(["--adapters", "keras3-numpy", "--hypothesis-profile=defualt",
                                      "--collect-only"]))
    assert "defualt" in line and "quick" in line and "nightly" in line


def test_an_unknown_adapter_suggests_the_closest_ids() -> None:
    line = one_error_line(run_pytest(["--adapters", "keras3-nump", "--collect-only"]))
    assert "did you mean keras3-numpy" in line


def test_a_malformed_shard_is_one_line() -> None:
    for shard in ("3/2", "0/2", "a/b", "2"):
        assert "--shard" in one_error_line(run_pytest(["--adapters", "keras3-numpy", f"--shard={shard}",
                                                       "--collect-only"]))


def test_k_that_matches_nothing_says_how_cells_are_named() -> None:
    run = run_pytest(["--adapters", "keras3-numpy", "-k", "softmaks", "-q"])
    assert run.returncode == 5, run.explain()  # pytest's "no tests collected"
    assert "matched no cell" in run.stdout and "ops.numpy.add::values[keras3-numpy]" in run.stdout


def collected(args: list[str]) -> list[str]:
    run = run_pytest([*args, "--collect-only", "-q"])
    assert run.returncode == 0, run.explain()
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_shards_partition_the_selection_and_keep_a_pairs_adapters_together() -> None:
    args = ["--adapters", "honest-numpy,keras3-numpy", "-k", "ops.numpy.a"]
    whole = collected(args)
    shards = [collected([*args, f"--shard={i}/3"]) for i in (1, 2, 3)]
    assert sorted(sum(shards, [])) == sorted(whole)
    assert all(shards) and max(map(len, shards)) - min(map(len, shards)) <= 2  # two adapters per pair
    for shard in shards:
        pairs = {cell.split("[")[0] for cell in shard}
        assert len(shard) == 2 * len(pairs)  # both adapters of each pair in the same shard


def test_ctrl_c_writes_an_interrupted_report_without_worker_incidents(tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    journal = report_dir / "conformance.jsonl"
    args = [sys.executable, "-m", "pytest", "--adapters", "faulty-timeout",
            "-k", "ops.nn.softmax::values or ops.numpy.add::values or ops.numpy.subtract::values",
            "--case-timeout=600", "--hypothesis-profile=quick", f"--report-dir={report_dir}",
            "-p", "no:cacheprovider", "-q"]
    # SIGINT's default action back: a shell's background job (CI's, this test's parent) ignores
    # it, and an ignored signal stays ignored in every process started from there
    process = subprocess.Popen(args, cwd=ROOT, env=subprocess_env(), start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(1200):  # softmax passes first, then ops.numpy.add hangs
            if process.poll() is not None or (journal.exists() and journal.read_text().endswith("\n")):
                break
            time.sleep(0.1)
        assert process.poll() is None, "the run ended although ops.numpy.add hangs"
        time.sleep(1.0)  # inside ops.numpy.add's wait
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = process.communicate(timeout=60)  # one Ctrl-C is enough
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 2, output  # pytest's "interrupted"
    assert "interrupted after 1 of 3 cells" in output, output
    assert "worker incident" not in output, output
    data = json.loads((report_dir / "conformance.json").read_text())
    assert data["interrupted"] is True and data["cells_total"] == 3
    assert data.get("incidents", []) == []
    assert [r["spec"] for r in data["results"]] == ["ops.nn.softmax"]
    assert "interrupted after 1 of 3 cells" in (report_dir / "conformance.md").read_text()
    assert "interrupted after 1 of 3 cells" in (report_dir / "conformance.html").read_text()


def test_stopped_line_tells_complete_interrupted_and_killed_runs_apart() -> None:
    done = {"results": [{}] * 3, "cells_total": 3, "finished": "t"}
    assert report.stopped_line(done) == ""
    assert report.stopped_line({**done, "interrupted": True}).startswith("interrupted after 3 of 3 cells")
    assert report.stopped_line({**done, "finished": None}).startswith("unfinished: 3 of 3 cells")
    assert report.stopped_line({**done, "cells_total": 5}) == "incomplete: 3 of 5 cells"


def test_cli_run_does_not_announce_an_older_report_after_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "conformance.md").write_text("an older run\n")
    old = time.time() - 3600
    os.utime(tmp_path / "conformance.md", (old, old))
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--adapters", "keras3-nump",
                           f"--report-dir={tmp_path}"], cwd=ROOT, env=subprocess_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == USAGE_ERROR, done.stdout + done.stderr
    assert "report:" not in done.stdout, done.stdout


def test_cli_run_help_says_pytest_options_pass_through() -> None:
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert "passed to pytest" in done.stdout and "--shard" in done.stdout


def test_progress_says_cells_done_of_total_per_adapter_and_the_time_left() -> None:
    data = {"started": "2026-01-01T00:00:00+00:00", "finished": None, "cells_total": 40,
            "cells_per_adapter": {"keras3-jax": 20, "keras3-torch": 20},
            "results": [{"adapter": "keras3-jax"}] * 5 + [{"adapter": "keras3-torch"}] * 5}
    # 10 minutes for 5 of 20 cells: 30 minutes left
    assert report.progress_lines(data, now="2026-01-01T00:10:00+00:00") == [
        "keras3-jax: 5 of 20 cells, about 30 min left", "keras3-torch: 5 of 20 cells, about 30 min left"]
    assert "keras3-jax: 5 of 20 cells" in report.stopped_line(data)
    assert report.progress_lines({**data, "results": []}, now="2026-01-01T00:10:00+00:00")[0] == \
        "keras3-jax: 0 of 20 cells"
