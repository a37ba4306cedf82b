"""Interpreters of their own: ``.envs/<adapter-id>/`` for adapters that cannot share ours.

An adapter declares ``env_requirements``: pip install steps run in order in a
fresh venv (keras-nightly, for instance, must be installed last, over the
``keras`` release its backend package pulls in). The engine creates the env
once, records the steps in a marker file and reuses it while they are
unchanged. A failure is one line naming the adapter and the repair command.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys

from conformance.registry import ConfigError, envs_dir

MARKER = "keras-conformance-env.json"


class EnvError(ConfigError):
    pass


def env_dir(adapter_id: str) -> str:
    return os.path.join(envs_dir(), adapter_id)


def repair_command(adapter_id: str) -> str:
    return f"keras-conformance env create {adapter_id} --force"


def _marker(adapter_id: str) -> dict | None:
    try:
        with open(os.path.join(env_dir(adapter_id), MARKER), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def state(adapter_id: str, steps: tuple[str, ...]) -> str:
    """``ready``, ``missing`` (never created), ``stale`` (steps changed) or ``broken``."""
    root = env_dir(adapter_id)
    if not os.path.isdir(root):
        return "missing"
    marker = _marker(adapter_id)
    if marker is None or not os.path.exists(os.path.join(root, "bin", "python")):
        return "broken"
    return "ready" if marker.get("steps") == list(steps) else "stale"


def base_python() -> str:
    """The interpreter new envs are made from: the one under the engine's venv."""
    return getattr(sys, "_base_executable", None) or sys.executable


def create(adapter_id: str, steps: tuple[str, ...], force: bool = False,
           log=lambda line: print(line, file=sys.stderr)) -> str:
    """Create (or reuse) the env; return its python. Raises EnvError in one line."""
    root = env_dir(adapter_id)
    current = state(adapter_id, steps)
    if current == "ready" and not force:
        return os.path.join(root, "bin", "python")
    if os.path.isdir(root):
        shutil.rmtree(root)
    log(f"keras-conformance: creating {root} for adapter {adapter_id} ({len(steps)} pip step(s))")
    logfile = os.path.join(envs_dir(), f"{adapter_id}.install.log")
    os.makedirs(envs_dir(), exist_ok=True)
    commands = [[base_python(), "-m", "venv", root]]
    python = os.path.join(root, "bin", "python")
    for step in steps:
        commands.append([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                         *shlex.split(step)])
    with open(logfile, "w", encoding="utf-8") as out:
        for command in commands:
            out.write("$ " + shlex.join(command) + "\n")
            out.flush()
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                raise EnvError(
                    f"adapter {adapter_id}: creating its environment failed at "
                    f"`{shlex.join(command[1:] if command[0] == python else command)}` "
                    f"(log: {logfile}); to repair: {repair_command(adapter_id)}")
    with open(os.path.join(root, MARKER), "w", encoding="utf-8") as handle:
        json.dump({"steps": list(steps), "created": datetime.datetime.now().isoformat()}, handle)
    return python


def shim_for(adapter_id: str, module_name: str) -> str:
    """A folder of links for the env's sys.path: the engine package and the adapter's package.

    The env imports the engine (pure Python, NumPy only) and a plugin installed
    in the engine's interpreter from there, without the engine's site-packages
    (whose keras would shadow the env's) ever joining that env's path.
    """
    shim = os.path.join(env_dir(adapter_id), "shim")
    os.makedirs(shim, exist_ok=True)
    for top in {"conformance", module_name.split(".")[0]}:
        spec = importlib.util.find_spec(top)
        if spec is None or spec.origin is None:
            continue
        source = os.path.dirname(spec.origin) if spec.submodule_search_locations else spec.origin
        source = os.path.realpath(source)
        link = os.path.join(shim, os.path.basename(source))
        if os.path.islink(link) and os.readlink(link) != source:
            os.remove(link)
        if not os.path.lexists(link):
            os.symlink(source, link)
    return shim
