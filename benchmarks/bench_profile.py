"""Wall time, CPU time and memory of one whole-catalog run, and where the time went.

Runs the catalog (``pytest`` on the plugin) for one profile on the given adapters, by
default the five Keras 3 / tf-keras adapters of the 20-minute target, with the JAX
compilation cache cold (a fresh directory) unless ``--warm-cache DIR`` names one, and
prints: the pytest summary, wall time, user+system CPU of every process, peak resident
memory of the largest process, and each adapter's busy time per check (the workers'
own seconds, from the report). Run:

    .venv/bin/python benchmarks/bench_profile.py --profile default [--seed N]
        [--adapters a,b] [-k EXPR] [--report-dir DIR]

Nothing here asserts a time: the figures go to the README with the command.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from conformance import PROFILES

FIVE = "keras3-jax,keras3-torch,keras3-tensorflow,keras3-numpy,tf-keras"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", choices=tuple(PROFILES))
    parser.add_argument("--adapters", default=FIVE)
    parser.add_argument("--seed", type=int, default=None, help="the run's seed (default: the profile's)")
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression (a slice)")
    parser.add_argument("--warm-cache", default=None, help="reuse this JAX cache directory")
    parser.add_argument("--report-dir", default=None, help="keep the report here (default: a temporary one)")
    args = parser.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix="kc-bench-")
    cache = args.warm_cache or os.path.join(scratch, "cache")
    report_dir = args.report_dir or os.path.join(scratch, "report")
    command = [sys.executable, "-m", "pytest", "--adapters", args.adapters,
               f"--hypothesis-profile={args.profile}", "--no-shrink", "-q", "-p", "no:cacheprovider", f"--report-dir={report_dir}"]
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    if args.keyword:
        command += ["-k", args.keyword]
    env = {**os.environ, "KERAS_CONFORMANCE_CACHE_DIR": cache}
    print("$", " ".join(command), f"(KERAS_CONFORMANCE_CACHE_DIR={cache})", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = [line for line in done.stdout.splitlines() if " in " in line and ("passed" in line or "failed" in line)]
    print(summary[-1] if summary else done.stdout[-2000:] + done.stderr[-2000:])
    cpu = usage.ru_utime + usage.ru_stime
    print(f"wall {wall / 60:.1f} min ({wall:.0f} s); CPU {cpu / 60:.1f} min ({100 * cpu / wall:.0f} %); "
          f"peak RSS of the largest process {usage.ru_maxrss / 1024**2:.1f} GB; {os.cpu_count()} cores")
    path = os.path.join(report_dir, "conformance.json")
    if os.path.exists(path):
        busy: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        with open(path) as f:
            for cell in json.load(f)["results"]:
                busy[cell["adapter"]][cell["check"]] += cell.get("busy_seconds", 0.0)
        for adapter, checks in sorted(busy.items(), key=lambda kv: -sum(kv[1].values())):
            top = ", ".join(f"{check} {seconds / 60:.1f}" for check, seconds in checks.most_common(4))
            print(f"  {adapter}: {sum(checks.values()) / 60:.1f} min busy ({top})")
        print(f"report: {path}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
