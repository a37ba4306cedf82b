"""CPU time of eager Keras-on-JAX calls on shapes and dtypes not seen before, per JAX setting.

What a catalog case costs the keras3-jax worker, without the engine: 120 calls of four ops
(mean, softmax or abs, add, where) over 5 dtypes x 6 shapes, each call a new signature, made
under a 60-frame Python stack as under pytest and execnet. Each ``name=value`` argument is a
``jax.config`` setting applied first. Run (single-threaded XLA, as the workers run it):

    .venv/bin/python benchmarks/bench_jax_eager.py
    .venv/bin/python benchmarks/bench_jax_eager.py jax_include_full_tracebacks_in_locations=False

Prints milliseconds of process CPU time per call. Nothing here asserts a time.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")


def parse(setting: str) -> tuple[str, object]:
    name, _, text = setting.partition("=")
    value: object = {"True": True, "False": False}.get(text, text)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    return name, value


def main(argv: list[str]) -> int:
    import jax  # noqa: PLC0415

    jax.config.update("jax_enable_x64", True)
    for setting in argv:
        jax.config.update(*parse(setting))
    import numpy as np  # noqa: PLC0415
    from keras import ops  # noqa: PLC0415

    rng = np.random.default_rng(0)
    calls: list[Callable[[], object]] = []
    for dtype in ("float32", "float64", "float16", "bfloat16", "int32"):
        for shape in ((3,), (2, 5), (4, 3, 2), (2, 3, 4, 5), (7,), (6, 2)):
            x = rng.normal(size=shape).astype("float32")
            calls += [
                lambda x=x, d=dtype: ops.mean(ops.convert_to_tensor(x, dtype=d), axis=-1, keepdims=True),
                lambda x=x, d=dtype: (ops.abs(ops.convert_to_tensor(x, dtype=d)) if "int" in d
                                      else ops.softmax(ops.convert_to_tensor(x, dtype=d))),
                lambda x=x, d=dtype: ops.add(ops.convert_to_tensor(x, dtype=d), 1),
                lambda x=x, d=dtype: ops.where(ops.convert_to_tensor(x) > 0, ops.convert_to_tensor(x, dtype=d), 0),
            ]

    def under_stack(depth: int, call: Callable[[], object]) -> object:
        return call() if depth == 0 else under_stack(depth - 1, call)

    np.asarray(ops.add(ops.convert_to_tensor(np.ones(1, "float32")), 1))  # JAX's own start-up
    started = time.process_time()
    for call in calls:
        np.asarray(under_stack(60, call))
    per_call = (time.process_time() - started) * 1000 / len(calls)
    print(f"{' '.join(argv) or 'defaults'}: {len(calls)} calls on new signatures, {per_call:.1f} ms CPU per call")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
