"""The pytest plugin: one test item per (spec, check, adapter).

Items are named ``ops.numpy.add::values[keras3-jax]``, so ``-k keras3-torch``,
``-k softmax``, junit XML and pytest-xdist (``--dist loadgroup``) work as
usual. The first item of a (spec, check) to run executes it once over every
adapter still selected; the others read their verdicts from that shared run.
"""

from __future__ import annotations

import os
import pathlib
import random
import shlex
import sys
import warnings
from typing import Any

import pytest
from hypothesis import settings

from conformance import PROFILES, ROOT, divergences, registry, strategies
from conformance.report import ReportWriter
from conformance.runner import ABSENT, KNOWN, PASS, STALE, CheckRunner, Verdict
from conformance.spec import Spec, catalog

# Registered at import so that hypothesis' own --hypothesis-profile option can load
# them whichever plugin configures first.
for _name, _examples in PROFILES.items():
    settings.register_profile(_name, max_examples=_examples, deadline=None, derandomize=_name == "quick")
QUICK_SEED = 0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "keras-conformance")
    group.addoption("--adapters", default=None,
                    help="comma-separated adapter ids (default: every adapter whose packages import)")
    group.addoption("--catalog", action="store_true", default=False,
                    help="collect the conformance catalog even when paths are given")
    group.addoption("--reference-adapter", default="keras3-tensorflow",
                    help="adapter that specs without an oracle are compared with")
    group.addoption("--case-timeout", type=float, default=60.0,
                    help="seconds an adapter may take for one case before the verdict is 'timeout'")
    group.addoption("--report-dir", default="reports",
                    help="where conformance.json/.md/.html are written ('' to write none)")
    group.addoption("--divergences", action="append", default=None,
                    help="known divergences file (default: divergences.toml in the rootdir); "
                         "repeat to add more files")
    group.addoption("--no-shrink", action="store_true", default=False,
                    help="report the first failing case without shrinking it")
    group.addoption("--strict-divergences", action="store_true", default=False,
                    help="fail cells whose known divergence did not occur (stale); by default "
                         "they pass with a warning, since a sample that missed a bug proves nothing")
    group.addoption("--shard", default=None, metavar="I/N",
                    help="run only the I-th of N slices of the selected (spec, check) pairs, "
                         "dealt round-robin (a CI matrix splitting one adapter's catalog over N jobs)")


def _catalog_requested(config: pytest.Config) -> bool:
    if config.getoption("adapters") or config.getoption("catalog"):
        return True
    return config.args_source != pytest.Config.ArgsSource.ARGS


class ConformanceState:
    """Everything the catalog's items share in one pytest process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.registry = registry.discover()
        self.env_warnings: list[str] = []
        self.adapters = registry.select(config.getoption("adapters"), self.registry,
                                        warn=self.env_warnings.append)
        self.known = self._load_divergences()
        self.specs: dict[str, Spec] = {s.name: s for s in catalog()}
        self.selected: dict[tuple[str, str], list[str]] = {}
        self.verdicts: dict[tuple[str, str], dict[str, Verdict]] = {}
        self.pool = None
        self.runner: CheckRunner | None = None
        #: set by a KeyboardInterrupt inside a check: the incidents recorded before it, the rest
        #: being the interrupt's own doing (SIGINT reaches the workers too)
        self.incidents_before_interrupt: int | None = None
        profile = config.getoption("hypothesis_profile", None) or "default"
        self.profile = profile
        forced = config.getoption("hypothesis_seed", None)
        if forced is not None:
            self.run_seed = int(forced)
        elif profile == "quick":
            self.run_seed = QUICK_SEED
        else:
            self.run_seed = random.randrange(2**31)
        # The run's seed also picks the run's shapes (strategies.shape_vocabulary), so
        # --hypothesis-seed reproduces a case's shape as well as its values.
        strategies.set_shape_vocabulary(self.run_seed)
        report_dir = config.getoption("report_dir")
        self.report_dir = report_dir
        # Under pytest-xdist each worker writes its own part; the controller merges them.
        worker_id = getattr(config, "workerinput", {}).get("workerid")
        self.xdist_controller = worker_id is None and config.pluginmanager.hasplugin("dsession")
        self.xdist_worker = worker_id is not None
        #: each check's successor in the run's order (see upcoming)
        self._order: dict[tuple[str, str], tuple[str, str] | None] | None = None
        stem = f"conformance-{worker_id}" if worker_id else "conformance"
        self.report = ReportWriter(report_dir, stem) if report_dir and not self.xdist_controller else None
        if self.report:
            self.report.start(profile=profile, seed=self.run_seed, shard=config.getoption("shard"),
                              unavailable=self.unavailable())

    def unavailable(self) -> dict[str, str]:
        """Why each adapter that is not run is not run: one line each.

        An environment whose creation failed is reported by that failure; an
        environment nobody asked for yet (an ``@nightly`` variant) is not news.
        """
        chosen = {i.id for i in self.adapters}
        out = {}
        for warning in self.env_warnings:
            adapter_id = warning.split(":", 1)[0].removeprefix("adapter ")
            out[adapter_id] = warning
        for info in self.registry.values():
            if info.id in chosen or info.available or info.id in out:
                continue
            if info.missing and info.missing[0].endswith("(missing)"):
                continue
            out[info.id] = info.why_unavailable()
        return out

    def _load_divergences(self) -> list[divergences.Divergence]:
        paths = self.config.getoption("divergences") or []
        for path in paths:
            if not os.path.exists(path):
                raise registry.ConfigError(f"--divergences: no such file {path}")
        if not paths:  # the rootdir's, else the checkout's (the engine's own list)
            candidates = [os.path.join(str(self.config.rootpath), "divergences.toml"),
                          os.path.join(ROOT, "divergences.toml")]
            paths = [next((c for c in candidates if os.path.exists(c)), candidates[0])]
        entries = [entry for path in paths for entry in divergences.load(path)]
        for info in self.adapters:
            if info.cls is not None and info.cls.known_failures:
                entries += divergences.load(info.cls.known_failures, adapter=info.id)
        return entries

    def reproduce(self, spec: str, check: str, adapter: str) -> str:
        # this interpreter, not whatever pytest is first on PATH (it may lack the plugin)
        args = [sys.executable, "-m", "pytest", "--adapters", adapter, "-k", f"{spec} and {check}",
                "--hypothesis-profile", self.profile, "--hypothesis-seed", str(self.run_seed)]
        return shlex.join(args)

    def start_workers(self) -> None:
        from conformance.pool import WorkerPool

        needed = {a for adapters in self.selected.values() for a in adapters}
        reference = self.config.getoption("reference_adapter")
        if any(getattr(self.specs[spec], "reference", True) is None for spec, _ in self.selected):
            # specs without an oracle are judged against the reference adapter's answers
            info = self.registry.get(reference)
            if info is None or not info.available:
                raise registry.ConfigError(
                    f"--reference-adapter {reference}: not available; specs without an oracle need it")
            needed.add(reference)
        infos = [self.registry[a] for a in sorted(needed)]
        self.pool = WorkerPool(infos, case_timeout=self.config.getoption("case_timeout"))
        descriptions = self.pool.start()
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"conformance: started {len(descriptions)} worker(s) in "
                                f"{self.pool.start_seconds:.1f} s")
            for error in self.pool.start_errors.values():
                reporter.write_line(f"conformance: {error}", red=True)
        if self.report:
            self.report.adapters(descriptions, self.pool.start_errors)
        pairs = migration_pairs([self.registry[a] for a in sorted(needed)])
        if self.report and pairs:
            self.report.migration_causes({k2: migration_causes(self.registry[k2]) for k2, _ in pairs})
        self.runner = CheckRunner(
            self.pool, settings.default, self.run_seed, self.reproduce,
            reference_adapter=self.config.getoption("reference_adapter"),
            shrink=not self.config.getoption("no_shrink"), known=self.known,
            migration_pairs=pairs,
        )

    def verdict(self, spec: str, check: str, adapter: str) -> Verdict:
        key = (spec, check)
        if key not in self.verdicts:
            if self.runner is None:
                self.start_workers()
            assert self.runner is not None
            incidents = len(self.pool.incidents()) if self.pool is not None else 0
            try:
                self.verdicts[key] = self.runner.run(self.specs[spec], check, self.selected[key],
                                                     upcoming=self.upcoming(key))
            except KeyboardInterrupt:
                self.incidents_before_interrupt = incidents
                raise
            if self.report and self.runner.last_migration:
                self.report.add_migration(self.runner.last_migration)
        return self.verdicts[key][adapter]

    def upcoming(self, key: tuple[str, str]) -> tuple[Spec, str, list[str]] | None:
        """The check that runs after ``key``, to be drawn and started while ``key`` ends.

        Items run in collection order; under xdist a worker runs the groups it is sent,
        in an order it cannot know, so nothing is started ahead there.
        """
        if self.xdist_worker:
            return None
        if self._order is None:
            keys = list(self.selected)
            self._order = {k: keys[i + 1] if i + 1 < len(keys) else None for i, k in enumerate(keys)}
        after = self._order.get(key)
        if after is None or after in self.verdicts:
            return None
        return self.specs[after[0]], after[1], self.selected[after]

    def incidents(self) -> list[str]:
        """Worker incidents of the run, without those an interrupt caused."""
        found = self.pool.incidents() if self.pool is not None else []
        return found[:self.incidents_before_interrupt] if self.interrupted() else found

    def interrupted(self) -> bool:
        return self.incidents_before_interrupt is not None

    def close(self) -> None:
        if self.pool is not None:
            if self.report:
                self.report.incidents(self.incidents())
            self.pool.close()
        if self.report:
            self.report.finish(interrupted=self.interrupted())
        if self.xdist_controller and self.report_dir:
            merge_worker_parts(self.report_dir)


def migration_pairs(infos: list[registry.AdapterInfo]) -> list[tuple[str, str]]:
    """Every (Keras 2 adapter, Keras 3 adapter) pair of the run, for the migration view."""
    majors = {i.id: i.cls.keras_major for i in infos if i.cls is not None}
    return [(k2, k3) for k2 in sorted(majors) if majors[k2] == 2
            for k3 in sorted(majors) if majors[k3] >= 3]


def migration_causes(info: registry.AdapterInfo) -> dict[str, list[dict]]:
    """The changes a Keras 2 adapter lists (``migration_changes``), as JSON."""
    changes = getattr(info.cls, "migration_changes", {}) or {}
    return {api: [c.to_json() for c in listed] for api, listed in changes.items()}


class StaleDivergenceWarning(UserWarning):
    """A listed divergence did not occur in this run's cases."""


class ConformanceFailure(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


class ConformanceItem(pytest.Item):
    def __init__(self, *, spec: Spec, check: str, adapter: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.check = check
        self.adapter = adapter
        self.add_marker(pytest.mark.xdist_group(f"{spec.name}::{check}"))
        self.keywords[adapter] = True

    def runtest(self) -> None:
        state: ConformanceState = self.config.stash[STATE]
        verdict = state.verdict(self.spec.name, self.check, self.adapter)
        if state.report:
            state.report.add(verdict)
        if verdict.status == PASS:
            return
        if verdict.status == STALE and not self.config.getoption("strict_divergences"):
            warnings.warn(StaleDivergenceWarning(f"{self.name}: {verdict.message}"), stacklevel=1)
            return
        if verdict.status == ABSENT:
            pytest.skip(f"absent: {verdict.reason}")
        if verdict.status == KNOWN:
            text = f"known divergence: {verdict.reason}" + (f" ({verdict.link})" if verdict.link else "")
            if verdict.examples > verdict.known_examples:
                text += f"; {verdict.examples - verdict.known_examples} other cases passed"
            pytest.xfail(text)
        raise ConformanceFailure(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            v = excinfo.value.verdict
            lines = [f"{v.spec} [{v.check}] on {v.adapter}: {v.status}", v.message]
            if v.reproduce:
                lines.append(f"reproduce: {v.reproduce}")
            return "\n".join(lines)
        if isinstance(excinfo.value, pytest.xfail.Exception):
            # pytest asks for a failure's repr even for an xfail; the default one parses the
            # source of every frame (116 ms per known cell, measured), and nobody reads it
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


STATE = pytest.StashKey[ConformanceState]()


def merge_worker_parts(report_dir: str) -> None:
    """Join the per-worker JSON parts of an xdist run into the one report."""
    import glob
    import json

    from conformance import report

    parts = sorted(glob.glob(os.path.join(report_dir, "conformance-gw*.json")))
    if not parts:
        return
    documents = [report.load(path) for path in parts]
    merged = report.merge(documents)
    stem = os.path.join(report_dir, "conformance")
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump(merged, handle, indent=1)
    report.write_views(merged, stem + ".md", stem + ".html")
    for path in parts:
        for suffix in (".json", ".jsonl", ".md", ".html"):
            try:
                os.remove(path[: -len(".json")] + suffix)
            except OSError:
                pass


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Options checked before any plugin configures: hypothesis' own plugin would load an
    unknown profile in its pytest_configure and end in an INTERNALERROR."""
    from hypothesis.errors import InvalidArgument

    profile = config.getoption("hypothesis_profile", None)
    if profile is not None:
        try:
            settings.get_profile(profile)
        except InvalidArgument:
            known = ", ".join(sorted(settings._profiles))  # no public listing in hypothesis
            raise pytest.UsageError(f"--hypothesis-profile {profile}: no such profile; known: {known}") from None
    shard_of(config)


def shard_of(config: pytest.Config) -> tuple[int, int] | None:
    """``--shard I/N`` as (I, N), 1 <= I <= N; None without the option."""
    text = config.getoption("shard", None)
    if text is None:
        return None
    index, _, count = str(text).partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise pytest.UsageError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. --shard 2/3")
    return int(index), int(count)


class Shard:
    """Keeps the I-th of N round-robin slices of the selected (spec, check) pairs, after -k.

    A pair's cells stay together: every adapter of a pair is judged on the same draws.
    """

    def __init__(self, index: int, count: int) -> None:
        self.index, self.count = index, count

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        pairs: dict[tuple[str, str], int] = {}
        kept, dropped = [], []
        for item in items:
            if not isinstance(item, ConformanceItem):
                kept.append(item)
                continue
            slot = pairs.setdefault((item.spec.name, item.check), len(pairs)) % self.count
            (kept if slot == self.index - 1 else dropped).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): keep items of one group on one xdist worker")
    if not _catalog_requested(config):
        return
    try:
        config.stash[STATE] = ConformanceState(config)
    except registry.ConfigError as exc:
        raise pytest.UsageError(_with_suggestion(str(exc))) from None
    shard = shard_of(config)
    if shard is not None:
        config.pluginmanager.register(Shard(*shard), "conformance-shard")


def _with_suggestion(message: str) -> str:
    """An unknown adapter's error, with the closest known ids."""
    import difflib
    import re

    unknown = re.match(r"unknown adapter '([^']+)'", message)
    if unknown is None:
        return message
    close = difflib.get_close_matches(unknown.group(1), list(registry.discover()), n=3, cutoff=0.6)
    return message + (f"; did you mean {' or '.join(close)}?" if close else "")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A stopped run says so; workers killed by the same Ctrl-C are not worker incidents."""
    state = session.config.stash.get(STATE, None)
    if state is not None and exitstatus == pytest.ExitCode.INTERRUPTED and state.incidents_before_interrupt is None:
        state.incidents_before_interrupt = len(state.pool.incidents()) if state.pool is not None else 0


def pytest_report_header(config: pytest.Config) -> list[str]:
    if STATE not in config.stash:
        return []
    state = config.stash[STATE]
    lines = [f"conformance: hypothesis profile {state.profile!r}, seed {state.run_seed}"]
    for info in state.adapters:
        versions = ", ".join(f"{k} {v}" for k, v in info.versions.items())
        lines.append(f"  adapter {info.id}: {versions}; python {info.python}")
    unavailable = state.unavailable()
    for reason in unavailable.values():
        lines.append(f"  (not run) {reason}")
    uncreated = sorted(i.id for i in state.registry.values()
                       if i.id not in unavailable and not i.available and i.missing
                       and i.missing[0].endswith("(missing)"))
    if uncreated:
        lines.append(f"  (not run, no environment yet: {', '.join(uncreated)}; "
                     "create one with keras-conformance env create ID)")
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    if STATE not in config.stash:
        return
    state = config.stash[STATE]
    added: list[pytest.Item] = []
    for spec in state.specs.values():
        module_file = pathlib.Path(spec.source_file)
        for check in spec.checks():
            for info in state.adapters:
                item = ConformanceItem.from_parent(
                    session, name=f"{spec.name}::{check}[{info.id}]",
                    nodeid=f"{spec.name}::{check}[{info.id}]", spec=spec, check=check,
                    adapter=info.id)
                item.path = module_file
                added.append(item)
    items.extend(added)
    # Items made here bypass collection reports; tell the terminal how many there are.
    session.ihook.pytest_collectreport(
        report=pytest.CollectReport("conformance", "passed", None, added))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if STATE not in config.stash:
        return
    state = config.stash[STATE]
    for item in session.items:
        if isinstance(item, ConformanceItem):
            state.selected.setdefault((item.spec.name, item.check), []).append(item.adapter)
    _PROGRESS["state"] = state
    if state.report:  # so that a run stopped early can say how far it got
        per_adapter: dict[str, int] = {}
        for adapters in state.selected.values():
            for adapter in adapters:
                per_adapter[adapter] = per_adapter.get(adapter, 0) + 1
        state.report.expect(sum(per_adapter.values()), per_adapter)


#: seconds between two progress lines in the terminal (a shorter run prints none)
PROGRESS_SECONDS = 60.0


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """On a long run, now and then: per adapter, cells done of total and the time left."""
    state = _PROGRESS.get("state")
    if state is None or state.report is None:
        return
    import time

    from conformance import report

    now = time.monotonic()
    last = _PROGRESS.setdefault("last", now)
    if now - last < PROGRESS_SECONDS:
        return
    _PROGRESS["last"] = now
    reporter = state.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        for line in report.progress_lines(state.report.data):
            reporter.write_line(f"conformance progress: {line}")


_PROGRESS: dict[str, Any] = {}


def pytest_unconfigure(config: pytest.Config) -> None:
    _PROGRESS.clear()
    if STATE in config.stash:
        config.stash[STATE].close()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Per adapter: the verdict counts and where its time went, then where the report is."""
    state = config.stash.get(STATE, None)
    if state is not None and not state.selected and config.getoption("keyword"):
        terminalreporter.write_line(
            f"conformance: -k {config.getoption('keyword')!r} matched no cell; cells are named "
            "SPEC::CHECK[ADAPTER], e.g. ops.numpy.add::values[keras3-numpy] (`keras-conformance list` "
            "lists the specs and their checks)", yellow=True)
    if state is None or state.report is None or not state.report.data["results"]:
        return
    from conformance import report  # noqa: PLC0415

    terminalreporter.write_sep("-", "conformance")
    for line in report.summary_lines(state.report.data):
        terminalreporter.write_line(line)
    for line in report.spec_lines(state.report.data):
        terminalreporter.write_line(line)
    terminalreporter.write_line("worker busy time per adapter (minutes):")
    for line in report.time_lines(state.report.data):
        terminalreporter.write_line(f"  {line}")
    for line in state.incidents():
        terminalreporter.write_line(f"worker incident: {line}", yellow=True)
    if state.interrupted():
        terminalreporter.write_line(report.stopped_line({**state.report.data, "interrupted": True}), red=True)
    terminalreporter.write_line(f"report: {state.report.path('md')} (also .json, .html)")
