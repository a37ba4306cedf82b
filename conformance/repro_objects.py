"""Reproducers for Keras-object cells (layers, losses, loss functions): the CALL procedure as a script.

The script needs only Keras and NumPy: it builds the object from its serialized
config with Keras's own deserialization (a public function by its name), builds
it by a first call, assigns the drawn weights by variable path, optionally
rebuilds it from ``get_config()``, calls it on the inlined inputs on every
installed Keras 3 backend (each in a process of its own) and prints each answer
next to the float64 reference's. Registered in :data:`conformance.repro.WRITERS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance import repro
from conformance.adapter import ACCUMULATE, APPLY_GRADIENTS, CALL, CALL_GRAD, FIT


def structure_source(value: Any) -> str:
    """Nested dicts and lists of arrays and JSON values as Python source (lists stay lists)."""
    if isinstance(value, np.ndarray):
        return repro.array_source(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {structure_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(structure_source(v) for v in value) + "]"
    return repr(value)


def write_call(found: repro.Found) -> str:
    case = found.draw.case
    params = case.params
    expected = {name: np.asarray(exp.ref) for name, exp in (found.draw.expected or {}).items()
                if getattr(exp, "judge", None) is None}
    got = dict(found.outcome.outputs) if found.outcome.status == "ok" else {}
    pieces = {
        "object": structure_source(params["object"]), "weights": structure_source(params.get("weights", {})),
        "inputs": structure_source(params["inputs"]), "expected": structure_source(expected),
        "answered": structure_source(got), "cotangents": structure_source(params.get("cotangents", {})),
    }
    needs_bf16 = any("ml_dtypes" in text for text in pieces.values())
    return CALL_TEMPLATE.format(
        title=f"{found.spec} [{found.check}]: {found.verdict} on {found.adapter}",
        command=f"keras-conformance repro '{found.spec}::{found.check}[{found.adapter}]' "
                f"--profile={found.profile} --seed={found.seed}",
        bf16_import="import ml_dtypes  # bfloat16, installed with keras\n" if needs_bf16 else "",
        training=repr(params.get("training")), rebuild=repr(params.get("rebuild")), floatx=repr(params.get("floatx")),
        adapter=found.adapter, status=repr(found.outcome.status), reason=repr(found.outcome.reason),
        backends=repr(repro.BACKENDS), mode=repr("grad" if case.kind == CALL_GRAD else "call"), **pieces)


CALL_TEMPLATE = '''"""{title}

Written by `{command}`.
Needs only keras and numpy: builds the object below on every installed Keras 3 backend, each in
a process of its own, assigns the weights by variable path, calls it and prints each answer
next to the expected one (a float64 NumPy reference).
"""

import os
import subprocess
import sys

import numpy as np
{bf16_import}
nan, inf = float("nan"), float("inf")

OBJECT = {object}
WEIGHTS = {weights}  # by the end of each variable's path
INPUTS = {inputs}  # the call: obj(*INPUTS["args"], **INPUTS["kwargs"])
TRAINING = {training}  # passed as training= when not None
REBUILD = {rebuild}  # "config": the object rebuilt from its own get_config() first
FLOATX = {floatx}
MODE = {mode}  # call: the outputs; grad: d sum(output * COTANGENTS[output]) / d inputs and trainable weights
COTANGENTS = {cotangents}
EXPECTED = {expected}
# what {adapter} answered in the run ({status} {reason})
ANSWERED = {answered}


def tensors(keras, value):
    if isinstance(value, np.ndarray):
        return keras.ops.convert_to_tensor(value, dtype=value.dtype.name)
    if isinstance(value, dict):
        return {{k: tensors(keras, v) for k, v in value.items()}}
    if isinstance(value, list):
        return [tensors(keras, v) for v in value]
    return value


def build(keras):
    namespace = keras
    for part in OBJECT["module"].split(".")[1:]:
        namespace = getattr(namespace, part)
    found = getattr(namespace, OBJECT["class_name"])
    if not isinstance(found, type):  # a public function: itself
        return found
    obj = keras.saving.deserialize_keras_object(OBJECT)
    if hasattr(obj, "build"):
        obj(*tensors(keras, INPUTS["args"]), **tensors(keras, INPUTS["kwargs"]))  # builds it
        if REBUILD == "config":
            assign(obj)
            obj = type(obj).from_config(obj.get_config())
            obj(*tensors(keras, INPUTS["args"]), **tensors(keras, INPUTS["kwargs"]))
        assign(obj)
    return obj


def assign(obj):
    for variable in obj.weights:
        if "float" not in str(variable.dtype):
            continue
        keys = [k for k in WEIGHTS if variable.path == k or variable.path.endswith("/" + k)]
        variable.assign(WEIGHTS[keys[0]])


def call(backend):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("JAX_ENABLE_X64", "1")  # float64 stays float64 on JAX
    import keras

    if FLOATX:
        keras.config.set_floatx(FLOATX)
    label = f"{{backend}} (keras {{keras.__version__}})"
    try:
        obj = build(keras)
        kwargs = tensors(keras, INPUTS["kwargs"])
        if TRAINING is not None:
            kwargs["training"] = TRAINING
        if MODE == "grad":
            for name, g in gradients(keras, backend, obj, kwargs).items():
                show(f"{{label}} {{name}}", np.asarray(keras.ops.convert_to_numpy(g)))
            return
        result = obj(*tensors(keras, INPUTS["args"]), **kwargs)
    except Exception as exc:
        print(f"{{label}}: raised {{type(exc).__name__}}: {{exc}}")
        return
    parts = result if isinstance(result, (tuple, list)) else [result]
    for i, out in enumerate(parts):
        name = f"out{{i}}" if isinstance(result, (tuple, list)) else "out"
        show(f"{{label}} {{name}}", np.asarray(keras.ops.convert_to_numpy(out)))
    for variable in getattr(obj, "non_trainable_weights", []):
        if "float" in str(variable.dtype):
            show(f"{{label}} state {{variable.path}}", np.asarray(keras.ops.convert_to_numpy(variable)))


def gradients(keras, backend, obj, kwargs):
    """d sum(output * cotangent) w.r.t. the floating inputs (dx:) and trainable weights (dw:),
    the weights entering through stateless_call as the backend's autodiff needs them."""
    leaves = []

    def collect(value, path):
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            leaves.append(path)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                collect(v, f"{{path}}.{{i}}")
    collect(INPUTS["args"], "args")
    trainable = list(getattr(obj, "trainable_weights", []))
    non_trainable = [v.value for v in getattr(obj, "non_trainable_weights", [])]

    def replaced(value, path, by):
        if path in by:
            return by[path]
        if isinstance(value, list):
            return [replaced(v, f"{{path}}.{{i}}", by) for i, v in enumerate(value)]
        return tensors(keras, value)

    def objective(*values):
        args = replaced(INPUTS["args"], "args", dict(zip(leaves, values)))
        if trainable:
            call_kwargs = dict(kwargs) if "training" in obj.call.__code__.co_varnames else {{
                k: v for k, v in kwargs.items() if k != "training"}}
            out, _ = obj.stateless_call(list(values[len(leaves):]), non_trainable, *args, **call_kwargs)
        else:
            out = obj(*args, **kwargs)
        parts = out if isinstance(out, (tuple, list)) else [out]
        named = {{("out" if len(parts) == 1 and not isinstance(out, (tuple, list)) else f"out{{i}}"): p
                 for i, p in enumerate(parts)}}
        total = 0
        for name, cotangent in COTANGENTS.items():
            total = total + keras.ops.sum(keras.ops.cast(named[name], cotangent.dtype.name) * cotangent)
        return total

    first = next(iter(COTANGENTS.values()))
    primals = [keras.ops.convert_to_tensor(p, dtype=first.dtype.name) for p in (
        [leaf_value(INPUTS["args"], path) for path in leaves]
        + [np.asarray(keras.ops.convert_to_numpy(v)) for v in trainable])]
    one = keras.ops.convert_to_tensor(np.ones((), first.dtype))
    if backend == "jax":
        import jax
        grads = jax.vjp(objective, *primals)[1](one)
    elif backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            for p in primals:
                tape.watch(p)
            total = objective(*primals)
        grads = tape.gradient(total, primals, output_gradients=one)
    elif backend == "torch":
        import torch
        diff = [p.detach().clone().requires_grad_(True) for p in primals]
        grads = torch.autograd.grad(objective(*diff), diff, grad_outputs=one, allow_unused=True)
    else:
        raise RuntimeError(f"the {{backend}} backend has no automatic differentiation")
    names = [f"dx:{{p}}" for p in leaves] + [f"dw:{{v.path}}" for v in trainable]
    return dict(zip(names, grads))


def leaf_value(value, path):
    for part in path.split(".")[1:]:
        value = value[int(part)]
    return value


''' + repro.SHOW_SOURCE + '''

if __name__ == "__main__":
    if len(sys.argv) > 1:
        call(sys.argv[1])
        sys.exit()
    print(f"object: {{OBJECT['module']}}.{{OBJECT['class_name']}}({{OBJECT['config']}}), training={{TRAINING}}, "
          f"rebuild={{REBUILD}}")
    for name, array in EXPECTED.items():
        show(f"expected {{name}} (the float64 reference)", array)
    for name, array in ANSWERED.items():
        show(f"{adapter} answered in the run, {{name}}", array)
''' + repro.EACH_BACKEND_SOURCE + ''''''

repro.WRITERS[CALL] = write_call
repro.WRITERS[CALL_GRAD] = write_call


def write_steps(found: repro.Found) -> str:
    """An optimizer given its gradients, or a metric given its batches: the state after each step."""
    case = found.draw.case
    params = case.params
    expected = {name: np.asarray(exp.ref) for name, exp in (found.draw.expected or {}).items()}
    got = dict(found.outcome.outputs) if found.outcome.status == "ok" else {}
    if case.kind == APPLY_GRADIENTS:
        steps = structure_source({"variables": params["variables"], "gradients": params["gradients"]})
    elif case.kind == FIT:
        steps = structure_source({key: params.get(key, default) for key, default in (
            ("weights", {}), ("compile", {}), ("fit", {}), ("data", {}), ("callbacks", []))})
    else:
        steps = structure_source({"batches": params["batches"]})
    pieces = {"object": structure_source(params["object"]), "steps": steps,
              "expected": structure_source(expected), "answered": structure_source(got)}
    needs_bf16 = any("ml_dtypes" in text for text in pieces.values())
    return STEPS_TEMPLATE.format(
        title=f"{found.spec} [{found.check}]: {found.verdict} on {found.adapter}",
        command=f"keras-conformance repro '{found.spec}::{found.check}[{found.adapter}]' "
                f"--profile={found.profile} --seed={found.seed}",
        bf16_import="import ml_dtypes  # bfloat16, installed with keras\n" if needs_bf16 else "",
        kind=repr(case.kind), floatx=repr(params.get("floatx")), adapter=found.adapter,
        status=repr(found.outcome.status), reason=repr(found.outcome.reason), backends=repr(repro.BACKENDS), **pieces)


STEPS_TEMPLATE = '''"""{title}

Written by `{command}`.
Needs only keras and numpy: on every installed Keras 3 backend (each in a process of its own),
an optimizer applied to the variables with the given gradients step by step, or a metric updated
with each batch and then reset, printing the state after each step next to the float64 reference.
"""

import os
import subprocess
import sys

import numpy as np
{bf16_import}
nan, inf = float("nan"), float("inf")

KIND = {kind}  # apply_gradients: an optimizer; accumulate: a metric; fit: a model's fit
OBJECT = {object}
STEPS = {steps}
FLOATX = {floatx}
EXPECTED = {expected}
# what {adapter} answered in the run ({status} {reason})
ANSWERED = {answered}


def run(backend):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("JAX_ENABLE_X64", "1")
    import keras

    if FLOATX:
        keras.config.set_floatx(FLOATX)
    label = f"{{backend}} (keras {{keras.__version__}})"
    try:
        obj = keras.saving.deserialize_keras_object(OBJECT)
        if KIND == "apply_gradients":
            names = list(STEPS["variables"])
            variables = [keras.Variable(STEPS["variables"][n], name=n) for n in names]
            for step, grads in enumerate(STEPS["gradients"], start=1):
                obj.apply_gradients([(keras.ops.convert_to_tensor(grads[n]), v) for n, v in zip(names, variables)])
                for n, v in zip(names, variables):
                    show(f"{{label}} step{{step}}:{{n}}", np.asarray(keras.ops.convert_to_numpy(v)))
        elif KIND == "fit":
            fit(keras, obj, label)
        else:
            def update(batch):
                obj.update_state(*batch["args"], **batch["kwargs"])
            for step, batch in enumerate(STEPS["batches"], start=1):
                update(batch)
                show(f"{{label}} result{{step}}", np.asarray(keras.ops.convert_to_numpy(obj.result())))
            obj.reset_state()
            update(STEPS["batches"][0])
            show(f"{{label}} after_reset", np.asarray(keras.ops.convert_to_numpy(obj.result())))
    except Exception as exc:
        print(f"{{label}}: raised {{type(exc).__name__}}: {{exc}}")


def fit(keras, model, label):
    """model.fit as the case compiles and runs it; every weight after each training batch."""
    keys = {{}}  # variable path -> the case's key (the end of the path)
    for variable in model.weights:
        found = [k for k in STEPS["weights"] if variable.path == k or variable.path.endswith("/" + k)]
        keys[variable.path] = found[0]
        variable.assign(STEPS["weights"][found[0]])

    def built(value):
        return value if isinstance(value, str) else keras.saving.deserialize_keras_object(value)
    compiled = STEPS["compile"]
    model.compile(optimizer=built(compiled.get("optimizer", "sgd")), loss=built(compiled.get("loss", "mse")),
                  metrics=[built(m) for m in compiled.get("metrics", [])])
    steps = []

    class Recorder(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append([(keys[v.path], np.asarray(keras.ops.convert_to_numpy(v))) for v in self.model.weights])
    data = STEPS["data"]
    model.fit(data["x"], data.get("y"), sample_weight=data.get("sample_weight"), shuffle=False, verbose=0,
              callbacks=[Recorder(), *(built(c) for c in STEPS["callbacks"])], **STEPS["fit"])
    for step, values in enumerate(steps, start=1):
        for path, value in values:
            show(f"{{label}} step{{step}}:{{path}}", value)


''' + repro.SHOW_SOURCE + '''

if __name__ == "__main__":
    if len(sys.argv) > 1:
        run(sys.argv[1])
        sys.exit()
    print(f"object: {{OBJECT['module']}}.{{OBJECT['class_name']}}({{OBJECT['config']}})")
    for name, array in EXPECTED.items():
        show(f"expected {{name}} (the float64 reference)", array)
    for name, array in ANSWERED.items():
        show(f"{adapter} answered in the run, {{name}}", array)
''' + repro.EACH_BACKEND_SOURCE + ''''''

repro.WRITERS[APPLY_GRADIENTS] = write_steps
repro.WRITERS[ACCUMULATE] = write_steps
repro.WRITERS[FIT] = write_steps
