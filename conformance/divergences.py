"""Known, explained divergences: ``divergences.toml`` and plugins' known-failures files.

An entry turns a failing cell into a strict xfail ("known"); an entry whose
cell passes is reported as stale, so the list never outlives the bug.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import glob
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conformance.registry import ConfigError

REQUIRED = {"spec", "reason"}
ALLOWED = {"spec", "check", "adapters", "dtypes", "reason", "link", "crash"}


@dataclasses.dataclass(frozen=True)
class Divergence:
    spec: str
    adapters: tuple[str, ...]
    reason: str
    check: str | None = None
    link: str | None = None
    dtypes: tuple[str, ...] | None = None  # only cases drawn in these dtypes diverge
    source: str = ""
    #: the implementation kills the worker process on these cases (a reproduced backend
    #: crash); only an entry that says so covers a crash, never a plain one
    crash: bool = False

    def matches(self, spec: str, check: str, adapter: str, dtype: str | None = None) -> bool:
        """``spec`` may be a glob (``ops.*``); ``dtype`` None matches any entry of the cell.

        An entry for ``keras3-jax`` also covers its versions (``keras3-jax@nightly``): a
        divergence the next release fixed then shows as stale in the nightly column.
        """
        named = adapter in self.adapters or adapter.partition("@")[0] in self.adapters
        return (fnmatch.fnmatchcase(spec, self.spec) and named
                and (self.check is None or self.check == check)
                and (dtype is None or self.dtypes is None or dtype in self.dtypes))


def load(path: str, adapter: str | None = None) -> list[Divergence]:
    """Read a divergences file; ``adapter`` scopes a plugin's known-failures file.

    A top-level ``include = ["divergences/*.toml"]`` (globs relative to the file) reads
    those files too, in sorted order, so the list can be split by namespace or adapter.
    Any malformed content is a ConfigError with a one-line message.
    """
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return []
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown_tables = set(data) - {"divergence", "include"}
    if unknown_tables:
        raise ConfigError(f"{path}: unknown table(s) {sorted(unknown_tables)}; expected [[divergence]]")
    included = []
    for pattern in data.get("include", []):
        if not isinstance(pattern, str):
            raise ConfigError(f"{path}: include must be a list of glob patterns")
        for found in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(path)), pattern))):
            included += load(found, adapter)
    entries = data.get("divergence", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'divergence' must be an array of tables ([[divergence]])")
    out = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        missing = REQUIRED - set(entry)
        if missing:
            raise ConfigError(f"{where}: missing {', '.join(sorted(missing))}")
        extra = set(entry) - ALLOWED
        if extra:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        adapters = entry.get("adapters", [adapter] if adapter else None)
        if adapters is None:
            raise ConfigError(f"{where}: missing adapters")
        if isinstance(adapters, str) or not all(isinstance(a, str) for a in adapters) or not adapters:
            raise ConfigError(f"{where}: adapters must be a non-empty list of adapter ids")
        if adapter and set(adapters) != {adapter}:
            raise ConfigError(f"{where}: a known-failures file of {adapter} may only name {adapter}")
        dtypes = entry.get("dtypes")
        if dtypes is not None and (isinstance(dtypes, str) or not dtypes
                                   or not all(isinstance(d, str) for d in dtypes)):
            raise ConfigError(f"{where}: dtypes must be a non-empty list of dtype names")
        for key in ("spec", "reason", "check", "link"):
            if key in entry and not isinstance(entry[key], str):
                raise ConfigError(f"{where}: {key} must be a string")
        if not entry["reason"].strip():
            raise ConfigError(f"{where}: reason is empty")
        if not isinstance(entry.get("crash", False), bool):
            raise ConfigError(f"{where}: crash must be true or false")
        out.append(Divergence(entry["spec"], tuple(adapters), entry["reason"], entry.get("check"),
                              entry.get("link"), tuple(dtypes) if dtypes else None, path,
                              entry.get("crash", False)))
    return out + included


def find(entries: list[Divergence], spec: str, check: str, adapter: str,
         dtype: str | None = None, crash: bool = False) -> Divergence | None:
    """The first entry matching the cell (and the case's dtype); ``crash``: one with crash = true."""
    for entry in entries:
        if entry.matches(spec, check, adapter, dtype) and (entry.crash or not crash):
            return entry
    return None
