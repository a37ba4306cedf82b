"""Throughput of the suite on ``ops.numpy.add`` (small float32), per adapter.

Prints, for each adapter: checked cases per second through the engine (draw,
oracle, worker round trip, judgement) when that adapter runs alone and when
all selected adapters share each drawn case (every adapter answering each
case, so the rate is per adapter); the time of a plain in-process
loop calling ``keras.ops.add`` on the same arrays (in a subprocess with that
backend); and the ratio of the two. Run:

    .venv/bin/python benchmarks/bench_add.py [--adapters a,b] [--examples 600]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np
from hypothesis import settings

from conformance import registry
from conformance.pool import SINGLE_THREAD_ENV, WorkerPool
from conformance.runner import CheckRunner
from conformance.spec import OpSpec
from conformance.strategies import arrays

# A fixed (4, 4) float32 pair per case, so the suite and the loop see the same sizes.
ADD = OpSpec(
    "ops.numpy.add",
    lambda dtype, mode: arrays("float32", (4, 4), mode).flatmap(
        lambda a: arrays("float32", (4, 4), mode).map(lambda b: ([a, b], {}))),
    np.add, ("float32",), special=False,
)

LOOP = r"""
import json, sys, time, numpy as np
import keras
rng = np.random.default_rng(0)
pairs = [(rng.standard_normal((4, 4)).astype("float32"), rng.standard_normal((4, 4)).astype("float32"))
         for _ in range(200)]
for a, b in pairs[:20]:
    keras.ops.convert_to_numpy(keras.ops.add(a, b))
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for a, b in pairs:
        np.asarray(keras.ops.convert_to_numpy(keras.ops.add(a, b)))
    best = min(best, (time.perf_counter() - t0) / len(pairs))
print(json.dumps(best))
"""


def in_process_seconds(info: registry.AdapterInfo) -> float | None:
    if info.cls is None or not hasattr(info.cls, "backend"):
        return None
    env = dict(os.environ, **SINGLE_THREAD_ENV, **info.cls.environment)
    done = subprocess.run([info.python, "-c", LOOP], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def suite_rate(pool: WorkerPool, adapters: list[str], examples: int) -> float:
    runner = CheckRunner(pool, settings(max_examples=examples), 0, lambda *a: "", shrink=False)
    runner.run(ADD, "values", adapters)  # warm up the workers' first calls
    t0 = time.perf_counter()
    verdicts = runner.run(ADD, "values", adapters)
    elapsed = time.perf_counter() - t0
    answered = [v.examples for v in verdicts.values() if v.examples]  # absent adapters aside
    return min(answered) / elapsed if answered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--adapters", default=None)
    parser.add_argument("--examples", type=int, default=600)
    args = parser.parse_args()
    infos = registry.select(args.adapters, registry.discover())
    pool = WorkerPool(infos)
    pool.start()
    ids = list(pool.workers)
    print(f"ops.numpy.add, float32 (4,4) pairs, {args.examples} examples per run, python {sys.version.split()[0]}")
    print(f"{'adapter':20s} {'alone cases/s':>14s} {'shared cases/s':>15s} {'loop us/call':>13s} {'suite/loop':>11s}")
    shared = suite_rate(pool, ids, args.examples)
    for adapter in ids:
        alone = suite_rate(pool, [adapter], args.examples)
        if not alone:
            print(f"{adapter:20s} {'absent: the adapter has no ops.numpy.add':>56s}")
            continue
        loop = in_process_seconds(next(i for i in infos if i.id == adapter))
        ratio = f"{(1 / alone) / loop:.1f}x" if loop else "n/a"
        loop_text = f"{loop * 1e6:.0f}" if loop else "n/a"
        print(f"{adapter:20s} {alone:14.0f} {shared:15.0f} {loop_text:>13s} {ratio:>11s}")
    pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
