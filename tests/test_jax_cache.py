"""The JAX adapters' persistent compilation cache: where it lives, and its bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conformance.adapters.keras3 import jax_cache_dir, prune_cache


def test_the_cache_lives_under_the_user_cache_and_can_be_moved_or_turned_off(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("JAX_COMPILATION_CACHE_DIR", "KERAS_CONFORMANCE_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jax_cache_dir() == str(tmp_path / "keras-conformance" / "jax")
    monkeypatch.setenv("KERAS_CONFORMANCE_CACHE_DIR", str(tmp_path / "ci"))
    assert jax_cache_dir() == str(tmp_path / "ci" / "jax")
    monkeypatch.setenv("KERAS_CONFORMANCE_CACHE_DIR", "off")
    assert jax_cache_dir() is None
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(tmp_path / "mine"))  # JAX reads it itself
    monkeypatch.delenv("KERAS_CONFORMANCE_CACHE_DIR")
    assert jax_cache_dir() is None


def test_pruning_removes_the_least_recently_used_files_first(tmp_path: Path) -> None:
    for i in range(10):
        path = tmp_path / f"entry{i}"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + i, 1000 + i))  # entry0 is the oldest
    prune_cache(str(tmp_path), max_bytes=800)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [f"entry{i}" for i in range(4, 10)]  # down to 3/4 of the bound: 600 bytes
    prune_cache(str(tmp_path / "missing"), max_bytes=1)  # no cache yet: nothing to do


def _fake_jax_adapter(monkeypatch: pytest.MonkeyPatch, resident: list) -> tuple:
    from conformance.adapters import keras3
    from conformance.adapters.keras3 import Keras3Adapter, Keras3Jax

    from conformance.adapter import Outcome

    clears: list[str] = []

    class FakeJax:
        @staticmethod
        def clear_caches() -> None:
            clears.append(adapter._last_api)

    monkeypatch.setattr(Keras3Adapter, "run", lambda self, case: Outcome.ok({}))
    monkeypatch.setattr(keras3, "resident_bytes", lambda: resident[0])
    adapter = Keras3Jax()
    adapter._jax, adapter._cases, adapter._last_api = FakeJax(), 0, ""
    return adapter, clears


def test_in_memory_caches_are_cleared_by_memory_between_ops_never_within_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """values, symbolic and compiled share their cases: clearing between them recompiles them;
    below the memory bound nothing is cleared, so later ops reuse the executables."""
    from conformance.adapter import OP, Case

    resident = [100 * 1024**2]
    adapter, clears = _fake_jax_adapter(monkeypatch, resident)
    for api in ("ops.numpy.add", "ops.numpy.sin"):
        for _ in range(3000):
            adapter.run(Case(OP, api, "values"))
    assert clears == []  # 6000 cases, under the memory bound
    resident[0] = adapter.CLEAR_CACHES_ABOVE_BYTES + 1
    for _ in range(50):
        adapter.run(Case(OP, "ops.numpy.sin", "values"))
    assert clears == []  # over the bound, but one op's cases are never split
    adapter.run(Case(OP, "ops.numpy.cos", "values"))
    assert clears == ["ops.numpy.sin"]  # at the first case of the next op
    resident[0] = 100 * 1024**2
    adapter.run(Case(OP, "ops.numpy.tan", "values"))
    assert clears == ["ops.numpy.sin"]


def test_without_proc_the_caches_are_cleared_by_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.adapter import OP, Case

    adapter, clears = _fake_jax_adapter(monkeypatch, [None])
    for _ in range(adapter.CLEAR_CACHES_EVERY + 10):
        adapter.run(Case(OP, "ops.numpy.add", "values"))
    assert clears == []
    adapter.run(Case(OP, "ops.numpy.sin", "values"))
    assert clears == ["ops.numpy.add"]


def test_resident_bytes_reads_this_process() -> None:
    from conformance.adapters.keras3 import resident_bytes

    found = resident_bytes()
    assert found is None or 10 * 1024**2 < found < 64 * 1024**3
