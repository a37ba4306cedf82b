"""``keras-conformance``: a thin command line over the pytest plugin.

run       the catalog over the adapters (pytest with the plugin), writing the report
list      the specs and their checks, and the adapters with their state
coverage  every public Keras API (ops, layers, losses, metrics, optimizers...): covered, excluded or missing
report    merge the JSON results of several jobs (a CI matrix) into one report
migrate   Keras 2 -> Keras 3: which ops give other numbers, by how much, and why
env       the adapters, their interpreters and versions; `env create ID` builds .envs/ID
repro     one cell's failing case as a standalone script (Keras and NumPy only)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from conformance import PROFILES, ROOT, models, registry


def _specs_dir() -> str:
    import conformance.specs

    return os.path.dirname(os.path.abspath(conformance.specs.__file__))


def cmd_run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    # option=value forms: pytest takes a separate path-like value for a test path
    # when it decides the rootdir, before plugins' options are known
    argv = [_specs_dir(), "--catalog", "-p", "no:cacheprovider",
            f"--hypothesis-profile={args.profile}", f"--report-dir={args.report_dir}"]
    if args.adapters:
        argv.append(f"--adapters={args.adapters}")
    for path in args.divergences or [os.path.join(ROOT, "divergences.toml")]:
        if args.divergences or os.path.exists(path):
            argv.append(f"--divergences={path}")
    started = time.time()
    code = pytest.main(argv + extra)
    report = os.path.join(args.report_dir, "conformance.md") if args.report_dir else ""
    # only this run's report: a usage error writes none, and an older one may be there
    if report and os.path.exists(report) and os.path.getmtime(report) >= started - 1:
        print(f"report: {report} (and .json, .html)")
    return int(code)


def migration_adapters(requested: str | None) -> str:
    """The adapters of a migration run: those asked for, else every available one of both majors."""
    adapters = registry.discover()
    if requested:
        chosen = [a.strip() for a in requested.split(",") if a.strip()]
    else:
        chosen = [i.id for i in adapters.values() if i.available and "@" not in i.id]
    majors = {a: adapters[a].cls.keras_major for a in chosen
              if a in adapters and adapters[a].cls is not None}
    if requested is None and not any(m == 2 for m in majors.values()):
        keras2 = [i for i in adapters.values() if i.cls is not None and i.cls.keras_major == 2]
        why = "; ".join(i.why_unavailable() for i in keras2) or "none is registered"
        raise registry.ConfigError(f"migrate: no Keras 2 adapter is available ({why})")
    if requested is None and not any(m >= 3 for m in majors.values()):
        raise registry.ConfigError("migrate: no Keras 3 adapter is available")
    if requested and not (any(m == 2 for m in majors.values()) and any(m >= 3 for m in majors.values())):
        raise registry.ConfigError(
            f"migrate: --adapters {requested} needs at least one Keras 2 adapter and one Keras 3 adapter")
    return ",".join(chosen)


def migration_scope(adapter_ids: list[str]) -> str:
    """A -k expression: the keras.ops specs whose API some Keras 2 adapter of the run maps.

    A spec no Keras 2 adapter has would only spend the Keras 3 adapters' time.
    ``Adapter.supported_apis`` None means the adapter does not say: every ops spec.
    """
    from conformance.spec import catalog

    adapters = registry.discover()
    apis: set[str] = set()
    for adapter_id in adapter_ids:
        cls = adapters[adapter_id].cls
        if cls is None or cls.keras_major != 2:
            continue
        if cls.supported_apis is None:
            return "ops."
        apis |= set(cls.supported_apis)
    names = sorted(s.name for s in catalog() if s.api in apis and s.name.startswith("ops."))
    if not names:
        raise registry.ConfigError("migrate: the Keras 2 adapters of this run map no keras.ops spec")
    return " or ".join(names)


def cmd_migrate(args: argparse.Namespace, extra: list[str]) -> int:
    from conformance import migration, report

    path = args.from_report
    code = 0
    if path is None:
        adapters = migration_adapters(args.adapters)
        run = argparse.Namespace(adapters=adapters, profile=args.profile,
                                 report_dir=args.report_dir, divergences=args.divergences)
        code = cmd_run(run, ["-k", args.k or migration_scope(adapters.split(",")), *extra])
        if code not in (0, 1):
            return code
        path = os.path.join(args.report_dir, "conformance.json")
    try:
        data = report.load(path)
    except (OSError, ValueError) as exc:
        print(f"keras-conformance migrate: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    if args.from_report and args.report_dir:  # write the section into a copy of that report
        os.makedirs(args.report_dir, exist_ok=True)
        stem = os.path.join(args.report_dir, "conformance")
        if os.path.abspath(stem + ".json") != os.path.abspath(path):
            with open(stem + ".json", "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
        report.write_views(data, stem + ".md", stem + ".html")
    print(migration.to_text(data, only_differing=not args.all))
    return code


def cmd_list(args: argparse.Namespace, extra: list[str]) -> int:
    from conformance.spec import catalog

    for spec in catalog():
        print(f"{spec.name:40s} {', '.join(spec.checks())}")
    print()
    for info in registry.discover().values():
        state = "available" if info.available else info.why_unavailable()
        print(f"adapter {info.id:20s} {state}")
    return 0


def cmd_env(args: argparse.Namespace, extra: list[str]) -> int:
    adapters = registry.discover()
    if args.action == "create":
        from conformance import envs

        if not args.ids:
            print("keras-conformance env create: name at least one adapter id", file=sys.stderr)
            return 2
        for adapter_id in args.ids:
            info = adapters.get(adapter_id)
            if info is None:
                raise registry.ConfigError(f"unknown adapter {adapter_id!r}; known: {', '.join(sorted(adapters))}")
            if info.cls is None or not info.cls.env_requirements:
                print(f"{adapter_id}: runs in the engine's interpreter ({sys.executable}); nothing to create")
                continue
            python = envs.create(adapter_id, info.cls.env_requirements, force=args.force)
            print(f"{adapter_id}: {python}")
        return 0
    for info in adapters.values():
        versions = ", ".join(f"{k} {v}" for k, v in info.versions.items())
        state = "" if info.available else f"  [{info.why_unavailable()}]"
        print(f"{info.id:20s} python {info.python}; {versions}{state}")
    return 0


def cmd_report(args: argparse.Namespace, extra: list[str]) -> int:
    from conformance import report

    documents = []
    for path in args.files:
        try:
            documents.append(report.load(path))
        except (OSError, ValueError) as exc:
            print(f"keras-conformance report: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    try:
        merged = report.merge(documents)
    except ValueError as exc:
        print(f"keras-conformance report: {exc}", file=sys.stderr)
        return 2
    os.makedirs(args.output, exist_ok=True)
    stem = os.path.join(args.output, "conformance")
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump(merged, handle, indent=1)
    report.write_views(merged, stem + ".md", stem + ".html")
    for line in report.summary_lines(merged):
        print(line)
    print(f"report: {stem}.md (and .json, .html)")
    failing = [r for r in merged["results"] if r["status"] in report.FAILING]
    return 1 if failing and args.strict else 0


def cmd_repro(args: argparse.Namespace, extra: list[str]) -> int:
    from conformance import repro

    profile, seed = args.profile, args.seed
    if args.report:
        from conformance import report

        try:
            data = report.load(args.report)
        except (OSError, ValueError) as exc:
            print(f"keras-conformance repro: cannot read {args.report}: {exc}", file=sys.stderr)
            return 2
        sources = data.get("sources") or [data]
        spec, check, adapter = repro.parse_cell(args.cell)
        # a merged report: the job that ran this adapter
        source = next((s for s in sources if adapter in (s.get("adapters") or [adapter])), sources[0])
        profile = profile or source.get("profile")
        seed = seed if seed is not None else source.get("seed")
    if profile is None or seed is None:
        print("keras-conformance repro: give --report=RUN/conformance.json, or --profile and --seed "
              "(printed in the run's header)", file=sys.stderr)
        return 2
    try:
        spec, check, adapter = repro.parse_cell(args.cell)
        found = repro.find_case(spec, check, adapter, profile, int(seed), case_timeout=args.case_timeout)
        text = repro.script(found)
    except repro.ReproError as exc:
        print(f"keras-conformance repro: {exc}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"{args.output}: {found.spec} [{found.check}] on {found.adapter}, {found.verdict}; "
              f"run it with: python {args.output}")
    return 0


def cmd_coverage(args: argparse.Namespace, extra: list[str]) -> int:
    from conformance import coverage
    from conformance.exclusions import EXCLUDED
    from conformance.spec import catalog

    areas = list(coverage.AREAS) if args.area == "all" else args.area.split(",")
    unknown = sorted(set(areas) - set(coverage.AREAS))
    if unknown:
        print(f"keras-conformance coverage: unknown area {', '.join(unknown)}; "
              f"choose from all, {', '.join(coverage.AREAS)}", file=sys.stderr)
        return 2
    try:
        table = coverage.classify(coverage.public_apis(areas), {spec.api for spec in catalog()}, EXCLUDED)
    except coverage.CoverageError as exc:
        print(f"keras-conformance coverage: {exc}", file=sys.stderr)
        return 2
    print("\n".join(coverage.report(table, EXCLUDED, args.verbose)))
    return 1 if coverage.missing_count(table) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="keras-conformance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="run the catalog; extra arguments go to pytest",
        description="Run the catalog over the adapters, writing the report. Any other option is "
                    "passed to pytest as it is: -k EXPR (pick specs, checks, adapters), --shard=I/N, "
                    "--hypothesis-seed=N, --no-shrink, --case-timeout=S, --strict-divergences, "
                    "--junitxml=FILE, -x, -q, -n 2 (pytest-xdist) ...; `python -m pytest --help` lists them "
                    "under 'keras-conformance'.",
        epilog="example: keras-conformance run --adapters keras3-jax,keras3-torch --profile quick -k softmax")
    run.add_argument("--adapters", default=None, help="comma-separated ids (default: every available)")
    run.add_argument("--profile", default="default", choices=tuple(PROFILES))
    run.add_argument("--report-dir", default="reports")
    run.add_argument("--divergences", action="append", default=None,
                     help="known divergences file (repeatable; default: the checkout's divergences.toml)")
    sub.add_parser("list", help="specs and adapters")
    env = sub.add_parser("env", help="adapters, interpreters, versions; `env create ID` makes .envs/ID")
    env.add_argument("action", nargs="?", choices=("list", "create"), default="list")
    env.add_argument("ids", nargs="*")
    env.add_argument("--force", action="store_true", help="recreate even when it is up to date")
    cov = sub.add_parser("coverage", help="public keras APIs: covered / excluded / missing; exits 1 if any is missing")
    cov.add_argument("-v", "--verbose", action="store_true", help="name every missing and excluded API")
    cov.add_argument("--area", default="all",
                     help="comma-separated areas: ops, layers, losses, metrics, optimizers, schedules, "
                          "initializers, regularizers, constraints, callbacks (default: all)")
    rep = sub.add_parser("report", help="merge JSON results into one report")
    rep.add_argument("files", nargs="+")
    rep.add_argument("-o", "--output", default="reports")
    rep.add_argument("--strict", action="store_true", help="exit 1 when any cell fails")
    mig = sub.add_parser("migrate", help="Keras 2 -> Keras 3: where the numbers differ, by how much, why; "
                                         "extra arguments go to pytest")
    mig.add_argument("--adapters", default=None,
                     help="ids of both majors (default: every available Keras 2 and Keras 3 adapter)")
    mig.add_argument("--profile", default="quick", choices=tuple(PROFILES))
    mig.add_argument("--report-dir", default="reports")
    mig.add_argument("--divergences", action="append", default=None)
    mig.add_argument("-k", default=None,
                     help="the specs compared (pytest -k; default: every keras.ops spec, activations "
                          "included, that a Keras 2 adapter of the run maps)")
    mig.add_argument("--from-report", default=None,
                     help="read this conformance.json instead of running (its section is rewritten "
                          "into --report-dir)")
    mig.add_argument("--all", action="store_true", help="print the rows that agree too")
    rp = sub.add_parser("repro", help="write one cell's failing case as a standalone script",
                        description="Draw the cell's check again with the run's profile and seed, run it on "
                                    "the cell's adapter, and write the first case that does not pass as a "
                                    "Python script that needs only keras and numpy: it prints every installed "
                                    "Keras 3 backend's answer next to the expected one.")
    rp.add_argument("cell", help="SPEC::CHECK[ADAPTER], as in the report, e.g. 'ops.numpy.add::values[keras3-jax]'")
    rp.add_argument("--report", default=None, help="the run's conformance.json (gives the profile and the seed)")
    rp.add_argument("--profile", default=None, choices=tuple(PROFILES))
    rp.add_argument("--seed", type=int, default=None)
    rp.add_argument("--case-timeout", type=float, default=60.0)
    rp.add_argument("-o", "--output", default="-", help="the script's path ('-': standard output)")
    models.add_parser(sub)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("run", "migrate"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = {"run": cmd_run, "list": cmd_list, "env": cmd_env, "coverage": cmd_coverage,
               "report": cmd_report, "migrate": cmd_migrate, "repro": cmd_repro,
               "model": lambda args, extra: models.command(args)}[args.command]
    try:
        return handler(args, extra)
    except registry.ConfigError as exc:
        print(f"keras-conformance: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
