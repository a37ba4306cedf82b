"""The loop that runs inside an adapter's worker process.

Started by :mod:`conformance.pool` through execnet; loads one adapter class,
sets it up, then answers batches of cases until the channel closes. Needs
NumPy only, besides whatever the adapter imports.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from typing import Any

from conformance.adapter import Adapter, Case, Outcome
from conformance.wire import decode, encode


def load_adapter(reference: str) -> Adapter:
    """``module:Class`` or ``module:Class@variant`` -> an adapter instance."""
    module_name, _, class_name = reference.partition(":")
    class_name, _, variant = class_name.partition("@")
    cls = getattr(importlib.import_module(module_name), class_name)
    if variant:
        cls = cls.variants()[variant]
    return cls()


def _redirect_output(log_path: str | None) -> None:
    # execnet already moved its own pipe off fds 0/1; what a backend prints
    # (TF's C++ logging, warnings) goes to a log file instead of the terminal.
    if not log_path:
        return
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _die_with_parent() -> None:
    """Linux: end this worker when the engine's process ends, even mid-computation.

    A worker busy in a backend's native loop never reads its closed channel; without
    this, an interrupted run left it spinning (seen: an MLX case, 18 CPU-minutes on).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # noqa: PLC0415
        import signal  # noqa: PLC0415

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def serve(channel: Any, reference: str, log_path: str | None = None) -> None:
    _die_with_parent()
    _redirect_output(log_path)
    try:
        adapter = load_adapter(reference)
        adapter.setup()
        channel.send({"ready": encode(adapter.describe())})
    except BaseException:
        channel.send({"fatal": traceback.format_exc(limit=8)})
        return
    for message in channel:
        op = message.get("op")
        if op == "run":
            replies = []
            for raw in message["cases"]:
                try:
                    case = Case.from_wire(decode(raw))
                except Exception as exc:  # e.g. bfloat16 in an env without ml_dtypes: this case only
                    replies.append({"status": "error", "outputs": {}, "info": {},
                                    "reason": f"the worker cannot decode the case: {type(exc).__name__}: {exc}"})
                    continue
                started = time.perf_counter()
                outcome = adapter.run_safely(case)
                # the engine sums these per adapter: where a run's time goes (the report's table)
                outcome.info["seconds"] = time.perf_counter() - started
                try:
                    replies.append(encode(outcome.to_wire()))
                except Exception as exc:  # what the adapter returned cannot travel
                    replies.append({"status": "malformed", "outputs": {}, "info": {},
                                    "reason": f"outcome cannot be sent: {type(exc).__name__}: {exc}"})
            channel.send({"outcomes": replies})
        elif op == "describe":
            channel.send({"describe": encode(adapter.describe())})
        elif op == "stop":
            return
        else:
            channel.send({"fatal": f"unknown message {op!r}"})


def _debug_run(reference: str, case: Case) -> Outcome:  # used by tests in-process
    adapter = load_adapter(reference)
    adapter.setup()
    return adapter.run_safely(case)
