"""``keras-conformance repro CELL``: one cell's failing case as a standalone Python script.

What a user pastes into an upstream issue: a script that needs only Keras and NumPy,
with the case's arrays inlined, that runs the call on every installed Keras 3 backend
(each in a process of its own, since a backend is fixed per process) and prints each
answer next to the expected one (the float64 oracle's).

The report keeps verdicts, not cases, so the case is found again: the cell's check
is drawn anew from the run's profile and seed (the same draws the run made, see
``runner.check_seed``), the draws are run on the cell's adapter, and the first one
that does not pass is written out. A case kind is written by one function of
:data:`WRITERS`: the ops' kinds here (values, dtype, special, grad, symbolic, compiled), the
Keras-object kinds in conformance/repro_objects.py (call, call_grad, apply_gradients, accumulate,
fit). A random op's script prints each backend's samples for the case's seeds (they are judged
by statistics and by determinism within a backend, never by value across backends).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from conformance import registry

CELL = re.compile(r"^(?P<spec>[^:\s]+)::(?P<check>[^\[\s]+)\[(?P<adapter>[^\]]+)\]$")

#: Keras 3 backends the script tries, each in its own process; absent ones are skipped
BACKENDS = ("tensorflow", "jax", "torch", "numpy")


class ReproError(Exception):
    """The cell cannot be reproduced as asked: one line saying why."""


@dataclasses.dataclass
class Found:
    """The case to write: the draw, the adapter's outcome on it, and where it came from."""

    spec: str
    check: str
    adapter: str
    draw: Any
    outcome: Any
    verdict: str
    profile: str
    seed: int


def parse_cell(cell: str) -> tuple[str, str, str]:
    match = CELL.match(cell.strip())
    if match is None:
        raise ReproError(f"{cell!r}: a cell is written SPEC::CHECK[ADAPTER], e.g. ops.numpy.add::values[keras3-jax]")
    return match["spec"], match["check"], match["adapter"]


def find_case(spec_name: str, check: str, adapter: str, profile: str, seed: int,
              case_timeout: float = 60.0) -> Found:
    """The run's draws of this check, on the adapter alone: the first that does not pass."""
    from hypothesis import settings

    from conformance import plugin, strategies  # noqa: F401 - plugin registers the profiles
    from conformance.pool import WorkerPool
    from conformance.runner import ABSENT, PASS, CheckRunner, judge
    from conformance.spec import catalog

    specs = {s.name: s for s in catalog()}
    if spec_name not in specs:
        raise ReproError(f"no spec {spec_name!r} in the catalog (`keras-conformance list` lists them)")
    spec = specs[spec_name]
    if check not in spec.checks():
        raise ReproError(f"{spec_name} has no check {check!r}; its checks: {', '.join(spec.checks())}")
    infos = registry.discover()
    if adapter not in infos or not infos[adapter].available:
        why = infos[adapter].why_unavailable() if adapter in infos else "unknown adapter"
        raise ReproError(f"adapter {adapter}: {why}")
    strategies.set_shape_vocabulary(seed)  # the run's seed picks its shapes too
    # the runner's own drawing, so that the draws are the run's (a private method: see the module doc)
    runner = CheckRunner(None, settings.get_profile(profile), seed, lambda *_: "")  # type: ignore[arg-type]
    draws = runner._generate(spec, check, [adapter]).unsent
    pool = WorkerPool([infos[adapter]], case_timeout=case_timeout)
    try:
        pool.start()
        if adapter in pool.start_errors:
            raise ReproError(pool.start_errors[adapter])
        outcomes = pool.run({adapter: [d.case for d in draws]})[adapter]
    finally:
        pool.close()
    for draw, outcome in zip(draws, outcomes):
        judgement = judge(draw, outcome)
        if judgement.status not in (PASS, ABSENT):
            return Found(spec_name, check, adapter, draw, outcome, judgement.status, profile, seed)
    raise ReproError(f"none of the {len(draws)} cases of {spec_name} [{check}] drawn with profile {profile} "
                     f"and seed {seed} fails on {adapter} now")


# -- writing the script ------------------------------------------------------------------
def array_source(array: np.ndarray) -> str:
    """An expression that rebuilds ``array`` exactly: values, dtype, shape, NaN, inf, -0.0."""
    array = np.asarray(array)
    dtype = array.dtype.name
    if dtype == "bfloat16":  # ml_dtypes' type; its values are exact in float32
        values = array.astype(np.float32)
        return f"np.array({_literal(values)}, dtype='float32').reshape({array.shape}).astype(ml_dtypes.bfloat16)"
    if array.dtype.kind not in "biuf":
        raise ReproError(f"an array of dtype {dtype} cannot be written into the script yet")
    return f"np.array({_literal(array)}, dtype='{dtype}').reshape({array.shape})"


def _literal(array: np.ndarray) -> str:
    # the repr of a Python float round-trips exactly; nan and inf are names the script defines
    return repr(array.ravel().tolist())


def value_source(value: Any) -> str:
    """A keyword argument as Python source: JSON values as they are, top-level lists as tuples."""
    if isinstance(value, dict) and "tensor" in value:
        return f"keras.ops.convert_to_tensor({array_source(value['tensor'])})"
    if isinstance(value, dict) and "callable" in value:
        raise ReproError(f"the case passes a function ({value['callable']}): not written into a script yet")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(value_source(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, np.ndarray):
        return array_source(value)
    return repr(value)


def write_op(found: Found) -> str:
    """A ``keras.ops`` call (case kind ``op``)."""
    case = found.draw.case
    arrays = ",\n    ".join(array_source(a) for a in case.args)
    kwargs = ",\n    ".join(f"{k!r}: {value_source(v)}" for k, v in case.params.get("kwargs", {}).items())
    expected = {name: np.asarray(exp.ref) for name, exp in (found.draw.expected or {}).items()
                if getattr(exp, "ref", None) is not None}
    expected_src = ",\n    ".join(f"{name!r}: {array_source(a)}" for name, a in expected.items())
    oracle_error = found.draw.oracle_error
    got = {name: a for name, a in found.outcome.outputs.items()} if found.outcome.status == "ok" else {}
    got_src = ",\n    ".join(f"{name!r}: {array_source(a)}" for name, a in got.items())
    pack = case.params.get("pack", [])
    leading = case.params.get("leading", [])
    cotangent = case.extra.get("cotangent")
    needs_bf16 = "ml_dtypes" in arrays + kwargs + expected_src + got_src + (
        array_source(cotangent) if cotangent is not None else "")
    return TEMPLATE.format(
        title=f"{found.spec} [{found.check}]: {found.verdict} on {found.adapter}",
        command=f"keras-conformance repro '{found.spec}::{found.check}[{found.adapter}]' "
                f"--profile={found.profile} --seed={found.seed}",
        bf16_import="import ml_dtypes  # bfloat16, installed with keras\n" if needs_bf16 else "",
        api=case.api, arrays=arrays, kwargs=kwargs, pack=repr([list(p) for p in pack]), leading=repr(list(leading)),
        expected=expected_src, oracle_error=repr(oracle_error), kwargs_source="{" + kwargs.replace(",\n    ", ", ") + "}",
        expected_dtypes=repr({name: exp.dtype for name, exp in (found.draw.expected or {}).items()}), adapter=found.adapter, got=got_src,
        got_status=repr(found.outcome.status if found.outcome.status != "ok" else ""),
        got_reason=repr(found.outcome.reason), backends=repr(BACKENDS),
        mode=repr(MODES[case.kind]), wrt=repr(case.params.get("wrt", [])),
        grad_outputs=repr(case.params.get("grad_outputs")),
        cotangent=array_source(case.extra["cotangent"]) if "cotangent" in case.extra else "None",
        seeds=repr(case.params.get("seeds")),
    )


#: what the script does with the call, per case kind
MODES = {"op": "values", "op_shapes": "values", "op_symbolic": "symbolic", "op_compiled": "compiled",
         "op_grad": "grad"}


#: what every script ends with: how it prints an array, and the loop over the backends
SHOW_SOURCE = '''def show(label, array):
    with np.printoptions(precision=17, threshold=200):
        print(f"{{label}}: dtype {{array.dtype}}, shape {{array.shape}}\\n  {{array!r}}")
'''
EACH_BACKEND_SOURCE = '''    for backend in {backends}:
        done = subprocess.run([sys.executable, __file__, backend], capture_output=True, text=True)
        if done.returncode != 0 and "No module named" in done.stderr:
            print(f"{{backend}}: not installed")
        else:
            print(done.stdout.rstrip() or done.stderr.strip().splitlines()[-1])
'''

TEMPLATE = '''"""{title}

Written by `{command}`.
Needs only keras and numpy: runs the call below on every installed Keras 3 backend, each in a
process of its own, and prints each answer next to the expected one (a float64 NumPy oracle).
"""

import os
import subprocess
import sys

import numpy as np
{bf16_import}
nan, inf = float("nan"), float("inf")

API = "{api}"
ARGS = [
    {arrays}
]
PACK = {pack}        # args[start:stop] passed as one list (concatenate, stack ...)
LEADING = {leading}  # values passed before the arrays (einsum's subscripts)
EXPECTED = {{
    {expected}
}}
EXPECTED_DTYPES = {expected_dtypes}
KWARGS_SOURCE = {kwargs_source!r}
ORACLE_ERROR = {oracle_error}  # the oracle raised: every backend should raise too
MODE = {mode}  # values: the call; symbolic: shape inference; compiled: jit/tf.function; grad: its VJP
WRT = {wrt}  # grad: the differentiated arguments
GRAD_OUTPUTS = {grad_outputs}
COTANGENT = {cotangent}
SEEDS = {seeds}  # keras.random: the seeds of the calls (random values are judged by their statistics
                 # and, within one backend, by determinism: compare the backends' samples, not values)
# what {adapter} answered in the run ({got_status} {got_reason})
ANSWERED = {{
    {got}
}}


def kwargs(keras):
    return {{
    {kwargs}
    }}


def call(backend):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("JAX_ENABLE_X64", "1")  # float64 stays float64 on JAX
    import keras

    fn = keras
    for part in API.split("."):
        fn = getattr(fn, part)
    label = f"{{backend}} (keras {{keras.__version__}})"

    def run(*tensors):
        args = list(tensors)
        for start, stop in reversed(PACK):
            stop = len(args) if stop is None else stop
            args[start:stop] = [list(args[start:stop])]
        return fn(*LEADING, *args, **kwargs(keras))

    args = [keras.ops.convert_to_tensor(a, dtype=a.dtype.name) for a in ARGS]
    try:
        if MODE == "symbolic":  # shape inference, as in a functional model, against the eager call
            inferred = run(*[keras.KerasTensor(a.shape, dtype=a.dtype.name) for a in ARGS])
            for i, spec in enumerate(inferred if isinstance(inferred, (tuple, list)) else [inferred]):
                print(f"{{label}} symbolic out{{i}}: shape {{spec.shape}}, dtype {{spec.dtype}}")
        if MODE == "grad":
            result = gradients(keras, backend, run, args)
            for i, g in zip(WRT, result):
                show(f"{{label}} grad{{i}}", np.asarray(keras.ops.convert_to_numpy(g)))
            return
        if SEEDS is not None:  # keras.random: one call per seed, as the check made them
            generators = {{}}
            for i, seed in enumerate(SEEDS):
                if isinstance(seed, dict):  # a SeedGenerator, reused by the entries naming its instance
                    key = seed.get("instance", 0)
                    seed = generators.setdefault(key, keras.random.SeedGenerator(seed["generator"]))
                out = fn(*LEADING, *args, **kwargs(keras), seed=seed)
                show(f"{{label}} out{{i}}", np.asarray(keras.ops.convert_to_numpy(out)))
            return
        result = compiled(keras, backend, run)(*args) if MODE == "compiled" else run(*args)
    except Exception as exc:
        print(f"{{label}}: raised {{type(exc).__name__}}: {{exc}}")
        return
    results = result if isinstance(result, (tuple, list)) else [result]
    for i, out in enumerate(results):
        name = f"out{{i}}" if isinstance(result, (tuple, list)) else "out"
        show(f"{{label}}{{' compiled' if MODE == 'compiled' else ''}} {{name}}",
             np.asarray(keras.ops.convert_to_numpy(out)))


def compiled(keras, backend, run):
    """The call compiled as Keras compiles a function on this backend."""
    if backend == "jax":
        import jax
        return jax.jit(run)
    if backend == "tensorflow":
        import tensorflow as tf
        return tf.function(run)
    raise RuntimeError(f"Keras compiles nothing by default on {{backend}}")


def gradients(keras, backend, run, args):
    """The vector-Jacobian product of the call with COTANGENT, w.r.t. the arguments WRT."""
    def of(*diff):
        full = list(args)
        for i, d in zip(WRT, diff):
            full[i] = d
        out = run(*full)
        if GRAD_OUTPUTS is not None:  # several outputs: the differentiated ones, flattened and joined
            out = keras.ops.concatenate([keras.ops.reshape(out[i], (-1,)) for i in GRAD_OUTPUTS], axis=0)
        return out
    primals = [args[i] for i in WRT]
    cotangent = keras.ops.convert_to_tensor(COTANGENT, dtype=COTANGENT.dtype.name)
    if backend == "jax":
        import jax
        _, back = jax.vjp(of, *primals)
        return back(cotangent)
    if backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            for p in primals:
                tape.watch(p)
            out = of(*primals)
        return tape.gradient(out, primals, output_gradients=cotangent)
    if backend == "torch":
        import torch
        diff = [p.detach().clone().requires_grad_(True) for p in primals]
        return torch.autograd.grad(of(*diff), diff, grad_outputs=cotangent, allow_unused=True)
    raise RuntimeError(f"the {{backend}} backend has no automatic differentiation")


''' + SHOW_SOURCE + '''

if __name__ == "__main__":
    if len(sys.argv) > 1:
        call(sys.argv[1])
        sys.exit()
    for i, a in enumerate(ARGS):
        show(f"arg{{i}}", a)
    print(f"call: keras.{{API}}(*LEADING, *ARGS, **kwargs(keras)), kwargs: {{KWARGS_SOURCE}}")
    if ORACLE_ERROR:
        print("expected: raises (the oracle raised:", ORACLE_ERROR, ")")
    for name, array in EXPECTED.items():
        dtype = EXPECTED_DTYPES.get(name)
        show(f"expected {{name}} (the float64 oracle; expected dtype {{dtype or 'as returned'}})", array)
    for name, array in ANSWERED.items():
        show(f"{adapter} answered in the run, {{name}}", array)
''' + EACH_BACKEND_SOURCE + ''''''

#: one writer per case kind; another kind (a Keras object: config, weights by path, inputs) is one more entry
WRITERS: dict[str, Callable[[Found], str]] = {kind: write_op for kind in MODES}


def script(found: Found) -> str:
    from conformance import repro_objects  # noqa: F401, PLC0415 - registers the Keras-object writers

    kind = found.draw.case.kind
    if kind not in WRITERS:
        raise ReproError(f"cases of kind {kind!r} ({found.check} check) cannot be written as a script yet; "
                         f"kinds written: {', '.join(WRITERS)}")
    return WRITERS[kind](found)
