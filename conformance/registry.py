"""Adapter discovery: the entry-point group ``keras_conformance.adapters``.

Built-in and third-party adapters are found the same way. Loading an entry
point imports only the adapter's module (never a backend); availability is
decided from installed distributions, so the pytest process stays free of
keras, tensorflow, torch and jax.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata as metadata
import os
import subprocess
import sys
from collections.abc import Callable, Iterable

from conformance import ROOT
from conformance.adapter import ENTRY_POINT_GROUP, Adapter


class ConfigError(Exception):
    """A user error: bad option, unknown adapter, malformed file. One line."""


@dataclasses.dataclass
class AdapterInfo:
    id: str
    reference: str  # "module:Class", loaded again inside the worker
    cls: type[Adapter] | None
    load_error: str | None = None
    python: str = sys.executable
    missing: tuple[str, ...] = ()
    versions: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.cls is not None and self.load_error is None and not self.missing

    def why_unavailable(self) -> str:
        if self.load_error:
            return f"adapter {self.id}: its entry point {self.reference} failed to load: {self.load_error}"
        if self.cls is not None and self.cls.unavailable:
            return f"adapter {self.id}: unavailable: {self.cls.unavailable}"
        if self.missing and self.cls is not None and self.cls.env_requirements \
                and self.missing[0].startswith("its environment"):
            return (f"adapter {self.id}: {self.missing[0]} is not ready; "
                    f"to create it: keras-conformance env create {self.id} --force")
        if self.missing:
            hint = (
                f"keras-conformance env create {self.id} --force"
                if self.cls is not None and self.cls.env_requirements
                else f"pip install {' '.join(self.missing)}"
            )
            return (
                f"adapter {self.id}: missing {', '.join(self.missing)} in {self.python}; "
                f"to repair: {hint}"
            )
        return ""


def envs_dir() -> str:
    return os.environ.get("KERAS_CONFORMANCE_ENVS", os.path.join(ROOT, ".envs"))


def env_python(adapter_id: str) -> str:
    return os.path.join(envs_dir(), adapter_id, "bin", "python")


def _installed_versions(python: str, dists: Iterable[str]) -> dict[str, str | None]:
    dists = list(dists)
    # not realpath: every venv's python links to the same base interpreter
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        found: dict[str, str | None] = {}
        for dist in dists:
            try:
                found[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                found[dist] = None
        return found
    if not os.path.exists(python):
        return {d: None for d in dists}
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: out[d] = None\n"
        "print(json.dumps(out))\n"
    )
    import json

    try:
        text = subprocess.run(
            [python, "-c", code, *dists], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        return json.loads(text)
    except (subprocess.SubprocessError, OSError, ValueError):
        return {d: None for d in dists}


EXTRA_ADAPTERS_ENV = "KERAS_CONFORMANCE_EXTRA_ADAPTERS"


def _extra_entry_points() -> list[metadata.EntryPoint]:
    """Adapters named in $KERAS_CONFORMANCE_EXTRA_ADAPTERS ("id=module:Class,…").

    For adapters under development, and for the engine's own tests, without
    packaging; they behave exactly like entry points.
    """
    raw = os.environ.get(EXTRA_ADAPTERS_ENV, "")
    out = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, value = item.partition("=")
        if not sep or ":" not in value:
            raise ConfigError(f"{EXTRA_ADAPTERS_ENV}: {item!r} is not of the form id=module:Class")
        out.append(metadata.EntryPoint(name.strip(), value.strip(), ENTRY_POINT_GROUP))
    return out


def discover() -> dict[str, AdapterInfo]:
    """Every adapter registered under the entry-point group, loaded or not."""
    found: dict[str, AdapterInfo] = {}
    for ep in [*_extra_entry_points(), *metadata.entry_points(group=ENTRY_POINT_GROUP)]:
        if ep.name in found:
            continue  # the first registration wins; duplicates are a packaging error
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Adapter)):
                raise TypeError(f"{ep.value} is not a conformance.adapter.Adapter subclass")
            if cls.id and cls.id != ep.name.partition("@")[0]:
                raise TypeError(f"class id {cls.id!r} differs from entry point name {ep.name!r}")
            info = AdapterInfo(ep.name, ep.value, cls)
            for variant, variant_cls in cls.variants().items():
                name = f"{ep.name}@{variant}"
                found.setdefault(name, AdapterInfo(name, f"{ep.value}@{variant}", variant_cls))
        except Exception as exc:  # a broken third-party package must not stop the run
            info = AdapterInfo(ep.name, ep.value, None, load_error=f"{type(exc).__name__}: {exc}")
        found[ep.name] = info
    for info in found.values():
        _resolve(info)
    return found


def _resolve(info: AdapterInfo) -> None:
    if info.cls is None:
        return
    if info.cls.unavailable:
        info.missing = (f"{', '.join(info.cls.requires)}: {info.cls.unavailable}",)
        return
    if info.cls.env_requirements:
        from conformance import envs

        info.python = env_python(info.id)
        current = envs.state(info.id, info.cls.env_requirements)
        if current != "ready":
            info.missing = (f"its environment {envs.env_dir(info.id)} ({current})",)
            return
    versions = _installed_versions(info.python, info.cls.requires)
    info.versions = {k: v for k, v in versions.items() if v}
    info.missing = tuple(k for k, v in versions.items() if not v)


def select(requested: str | None, registry: dict[str, AdapterInfo],
           warn: Callable[[str], None] | None = None) -> list[AdapterInfo]:
    """The adapters for a run: the requested ids, or every available one.

    An unknown id, or a requested adapter of the engine's interpreter that
    cannot run, is a ConfigError. A requested adapter with an interpreter of
    its own gets its environment created on first use; when that fails, ``warn``
    receives one line and the run goes on without it.
    """
    if not requested:
        return [info for info in registry.values() if info.available]
    chosen = []
    for raw in requested.split(","):
        info = registry.get(raw.strip())
        if info is None or info.available or info.cls is None or not info.cls.env_requirements:
            continue
        from conformance import envs

        try:
            envs.create(info.id, info.cls.env_requirements)
        except envs.EnvError as exc:
            if warn is None:
                raise
            warn(str(exc))
            continue
        _resolve(info)
        if not info.available and warn is not None:
            warn(info.why_unavailable())
    for raw in requested.split(","):
        adapter_id = raw.strip()
        if not adapter_id:
            continue
        if adapter_id not in registry:
            known = ", ".join(sorted(registry)) or "none"
            raise ConfigError(f"unknown adapter {adapter_id!r}; known adapters: {known}")
        info = registry[adapter_id]
        if not info.available and info.cls is not None and info.cls.env_requirements and warn:
            continue  # already reported through warn; the others still run
        if not info.available:
            raise ConfigError(info.why_unavailable())
        if info not in chosen:
            chosen.append(info)
    if not chosen:
        raise ConfigError("--adapters names no adapter that can run")
    return chosen
