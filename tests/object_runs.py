"""The fault tests' shared machinery: a pool of Keras 3 / JAX workers, honest and faulty.

Each ``tests/test_*_faults.py`` (and test_object_specs.py) starts the adapters of its
``faulty_*.py`` module once per module, runs a spec's check on the honest adapter and on
one with a planted fault, and asserts the fault is caught with a minimal case.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from hypothesis import settings

from conformance.pool import WorkerPool
from conformance.registry import AdapterInfo
from conformance.runner import CheckRunner
from conformance.spec import Spec

TESTS = Path(__file__).resolve().parent


@contextlib.contextmanager
def fault_runner(module: str, adapters: Sequence[type], log_dir: str, examples: int,
                 seed: int) -> Iterator[CheckRunner]:
    """A started pool of the ``module``'s adapter classes; the workers import ``module`` by name."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), saved]))
    infos = [AdapterInfo(id=cls.id, reference=f"{module}:{cls.__name__}", cls=cls) for cls in adapters]
    pool = WorkerPool(infos, case_timeout=120, log_dir=log_dir)
    try:
        pool.start()
        yield CheckRunner(pool, settings(max_examples=examples), run_seed=seed, reproduce=lambda *a: "")
    finally:
        pool.close()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def assert_fault_caught(runner: CheckRunner, spec: Spec, check: str, adapter: str,
                        honest: str = "honest-jax") -> None:
    """The honest adapter passes the check; the faulty one diverges, with a shrunk case."""
    verdicts = runner.run(spec, check, [honest, adapter])
    assert verdicts[honest].status == "pass", verdicts[honest].message
    assert verdicts[adapter].status == "diverged", (verdicts[adapter].status, verdicts[adapter].message)
    assert "minimal case" in verdicts[adapter].message
