"""The README's commands run as printed, and its links lead somewhere.

A code block preceded by ``<!-- runnable -->`` is run with bash in the repository
root; a ``text`` block right after it is its output, and each of its lines must
appear in what the commands printed (timings and the catalog's size masked, since
they change from run to run and as the catalog grows). Blocks run in order, and a
later one may read what an earlier one wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARK = "<!-- runnable -->"
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
#: what may differ between two runs of the same command: durations, and how many items -k left out
VARYING = re.compile(r"\d+\.\d+|\d+(?= deselected)")


def runnable_blocks(text: str) -> list[tuple[str, str | None]]:
    """(commands, expected output or None) for every block marked runnable, in order."""
    found = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1]
        if before.strip() != MARK:
            continue
        rest = text[match.end():].lstrip("\n")
        output = BLOCK.match(rest)
        found.append((match.group(2), output.group(2) if output and output.group(1) == "text" else None))
    return found


def as_printed(commands: str) -> str:
    """The commands, with ``.venv/bin/`` pointing at this interpreter when the checkout has no .venv
    (tests run from another environment); under ``make test`` they are left exactly as printed."""
    if (ROOT / ".venv" / "bin" / "python").exists():
        return commands
    return commands.replace(".venv/bin/", str(Path(sys.executable).parent) + "/")


def missing_lines(expected: str, printed: str) -> list[str]:
    printed_lines = {VARYING.sub("#", line.rstrip()) for line in printed.splitlines()}
    return [line for line in expected.splitlines()
            if line.strip() and VARYING.sub("#", line.rstrip()) not in printed_lines]


def test_the_readme_marks_its_first_example_runnable() -> None:
    blocks = runnable_blocks(README.read_text())
    assert len(blocks) >= 2, "the two-minute example and the reproducer should be marked runnable"
    assert blocks[0][1] is not None, "the first example shows its output"


@pytest.mark.parametrize("index", range(len(runnable_blocks(README.read_text()))))
def test_a_runnable_readme_block_runs_as_printed(index: int) -> None:
    commands, expected = runnable_blocks(README.read_text())[index]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "HYPOTHESIS_")) and k != "KERAS_BACKEND"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", as_printed(commands)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    printed = done.stdout + done.stderr
    assert done.returncode == 0, f"$ {commands}\nexit {done.returncode}\n{printed[-4000:]}"
    if expected is not None:
        assert not missing_lines(expected, printed), (
            f"the README's output is not what the command prints now:\n{printed[-4000:]}")


def test_the_output_check_sees_a_changed_line() -> None:
    assert missing_lines("a: 7 pass\n1 passed in 3.33s", "a: 7 pass\n1 passed in 9.10s") == []
    assert missing_lines("a: 7 pass", "a: 6 pass") == ["a: 7 pass"]


def test_every_relative_link_of_the_user_documents_exists() -> None:
    for document in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", document.read_text()):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), f"{document.name} links to {target}, which is missing"


def test_the_readme_names_no_path_outside_the_clone() -> None:
    text = README.read_text()
    assert "../shared" not in text and "/work/" not in text
    assert not re.search(r"^pytest\b", text, re.M), "a bare pytest is not the venv's"
