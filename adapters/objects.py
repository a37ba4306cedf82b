"""The procedures over Keras objects (layers, losses, optimizers, models), written once.

A case of kind CALL, CALL_GRAD, APPLY_GRADIENTS or FIT (conformance/adapter.py
says what each means) carries a Keras object as Keras serializes it, weights by
variable path and inputs as a structure. :class:`ObjectProcedures` answers them
for Keras 3: every built-in Keras 3 adapter and every plugin that subclasses
``Keras3Adapter`` gets them without writing any; the Keras 2 generation
overrides a few hooks in adapters/keras2_objects.py (config translation,
variables, gradients). Nothing here knows a spec or a check: a new layer, loss,
optimizer or model spec needs no change in this module.

Runs inside a worker only.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from conformance import structure
from conformance.adapter import (
    ACCUMULATE,
    APPLY_GRADIENTS,
    CALL,
    CALL_GRAD,
    FIT,
    LAYER_OUTPUTS,
    MODEL_INFO,
    OP_GRAD,
    Absent,
    Case,
    Outcome,
)

from ._common import floatx, matching_key, release


class ObjectProcedures:
    """Answers the Keras-object procedures with one Keras module (Keras 3 here).

    ``adapter`` provides ``keras``, ``to_tensor``, ``to_numpy``, ``variable_name``
    and, for gradients, ``vjp(fn, case)`` (the one an adapter already has for ops).
    """

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self.keras = adapter.keras

    # -- hooks of a Keras generation ------------------------------------------------------
    def deserialize(self, serialized: Any) -> Any:
        """The object a serialized config describes, built by Keras's own deserialization."""
        if isinstance(serialized, str):  # a name Keras resolves itself ("mse", "sgd")
            return serialized
        found = self.require_class(serialized, serialized.get("module") or "keras")
        if not inspect.isclass(found):  # a public function (keras.losses.mean_squared_error): itself
            return found
        return self.keras.saving.deserialize_keras_object(serialized)

    def require_class(self, serialized: dict, module: str) -> Any:
        """The public class or function named; Absent, not an error, where this Keras has none
        (LayerNormalization in Keras 2.3)."""
        namespace = self.keras
        for part in module.split(".")[1:]:
            namespace = getattr(namespace, part, None)
        found = getattr(namespace, serialized["class_name"], None) if namespace is not None else None
        if found is None:
            raise Absent(f"{module}.{serialized['class_name']} does not exist in {self.keras.__name__} "
                         f"{getattr(self.keras, '__version__', '')}")
        return found

    def shape_of(self, variable: Any) -> tuple[int, ...]:
        return tuple(variable.shape)

    def key_of(self, variable: Any, weights: dict[str, Any]) -> str:
        """The drawn weight's key (a suffix of Keras 3's variable path) that this variable takes."""
        return matching_key(self.adapter.variable_name(variable), weights)

    def set_value(self, variable: Any, value: np.ndarray) -> None:
        variable.assign(value)

    def placeholder(self, array: np.ndarray) -> Any:
        """A symbolic input of the array's shape and dtype: calling a layer on it builds the layer."""
        return self.keras.KerasTensor(array.shape, dtype=array.dtype.name)

    def make_variable(self, value: np.ndarray, name: str) -> Any:
        return self.keras.Variable(value, dtype=value.dtype.name, name=name)

    def invoke(self, obj: Any, args: list, kwargs: dict, training: bool | None) -> Any:
        """Call the object as a user does; ``training`` is passed only when the case sets it."""
        if training is not None:
            kwargs = {**kwargs, "training": training}
        return obj(*args, **kwargs)

    def differentiate(self, objective: Callable[[list, list | None], Any], inputs: list[np.ndarray],
                      trainable: list[Any], dtype: str) -> list[Any]:
        """Gradients of the scalar ``objective(input values, weight values)`` w.r.t. both.

        ``dtype`` is the objective's (the cotangents'); ``trainable`` the object's
        trainable variables, whose current values are differentiated.

        Keras 3: the weights enter as values through ``stateless_call`` (so every
        backend's own autodiff sees them as arguments), differentiated by the adapter's
        ``vjp``, the very one its ops' gradients use.
        """
        weights = [np.asarray(self.adapter.to_numpy(v)) for v in trainable]
        primals = [*inputs, *weights]
        count = len(inputs)

        def scalar(*values: Any) -> Any:
            return objective(list(values[:count]), list(values[count:]) if trainable else None)

        case = Case(OP_GRAD, "", "", primals, {"wrt": list(range(len(primals))), "kwargs": {}},
                    {"cotangent": np.ones((), dtype=dtype)})
        return list(self.adapter.vjp(scalar, case))

    # -- the procedures -------------------------------------------------------------------
    def run(self, case: Case) -> Outcome:
        procedure = {CALL: self.call, CALL_GRAD: self.call_grad, APPLY_GRADIENTS: self.apply_gradients,
                     FIT: self.fit, ACCUMULATE: self.accumulate, LAYER_OUTPUTS: self.layer_outputs,
                     MODEL_INFO: self.model_info}[case.kind]
        with self._floatx(case.params.get("floatx")), self._released():
            return Outcome.ok(procedure(case.params))

    def call(self, params: dict) -> dict[str, np.ndarray]:
        obj = self.built(params)
        args, kwargs = self.inputs(params)
        training = params.get("training")
        outputs = structure.output_names(self.invoke(obj, args, kwargs, training))
        if params.get("mask"):
            mask = obj.compute_mask(args[0] if len(args) == 1 else args, kwargs.get("mask"))
            outputs.update(structure.output_names(mask, "mask"))
        if params.get("state"):
            weights = params.get("weights", {})
            for variable in getattr(obj, "non_trainable_weights", []):
                if self._is_float(variable):
                    key = self.key_of(variable, weights)
                    outputs[structure.STATE + key] = variable
        result = self.materialize(outputs)
        if params.get("inferred"):
            result.update(self.symbolic(obj, params))
        return result

    def symbolic(self, obj: Any, params: dict) -> dict[str, np.ndarray]:
        """Per output NAME, the dtype and shape a call on symbolic inputs infers."""
        placeholders = structure.map_leaves(params["inputs"], lambda _, a: self.placeholder(a))
        inferred = self.invoke(obj, list(placeholders.get("args", [])), dict(placeholders.get("kwargs", {})),
                               params.get("training"))
        out = {}
        for name, tensor in structure.output_names(inferred).items():
            dtype, shape = self.symbolic_spec(tensor)
            out[f"{name}@symbolic"] = np.zeros((), dtype=dtype)
            out[f"{name}@shape"] = np.array([-1 if d is None else d for d in shape], dtype=np.int64)
        return out

    def symbolic_spec(self, tensor: Any) -> tuple[np.dtype, tuple]:
        from conformance.wire import dtype_from_name  # noqa: PLC0415

        return dtype_from_name(self.keras.backend.standardize_dtype(tensor.dtype)), tuple(tensor.shape)

    def accumulate(self, params: dict) -> dict[str, np.ndarray]:
        metric = self.deserialize(params["object"])
        outputs: dict[str, Any] = {}

        def update(batch: dict) -> None:
            tensors = structure.map_leaves(batch, lambda _, a: self.adapter.to_tensor(a))
            metric.update_state(*tensors.get("args", []), **tensors.get("kwargs", {}))

        for step, batch in enumerate(params["batches"], start=1):
            update(batch)
            outputs[f"result{step}"] = self._numpy(metric.result())
        # Keras 2.3 (and tf_keras, as an alias) call it reset_states
        (getattr(metric, "reset_state", None) or metric.reset_states)()
        update(params["batches"][0])
        outputs["after_reset"] = self._numpy(metric.result())
        return outputs

    def layer_outputs(self, params: dict) -> dict[str, np.ndarray]:
        """Every layer's output, through a model that exposes them all (as Keras users debug)."""
        model = self.model(params)
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        probe = self.keras.Model(model.inputs, [layer.output for layer in layers])
        args, kwargs = self.inputs(params)
        results = probe(*args, **kwargs)
        outputs = structure.output_names(model(*args, **kwargs))
        for layer, result in zip(layers, results if isinstance(results, (list, tuple)) else [results]):
            outputs.update(structure.output_names(result, f"layer:{layer.name}"))
        if params.get("return_weights"):
            outputs.update({f"weight:{self.adapter.variable_name(v)}": v for v in model.weights})
        return self.materialize(outputs)

    def model_info(self, params: dict) -> dict[str, np.ndarray]:
        model = self.model({**params, "weights": None})
        inputs = [{"name": getattr(t, "name", f"input{i}"), "shape": list(self.symbolic_spec(t)[1]),
                   "dtype": str(np.dtype(self.symbolic_spec(t)[0]))} for i, t in enumerate(model.inputs)]
        layers = [{"name": layer.name, "class": type(layer).__name__} for layer in model.layers]
        limits = [layer.input_dim for layer in model.layers if hasattr(layer, "input_dim")]
        info = {"inputs": inputs, "layers": layers, "index_limit": min(limits) if limits else None}
        return {"info": np.frombuffer(json.dumps(info).encode(), dtype=np.uint8)}

    def model(self, params: dict) -> Any:
        """The case's model, from a config, a saved file or a factory; weights assigned by path."""
        if "file" in params:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "model" + params.get("suffix", ".keras"))
                with open(path, "wb") as handle:
                    handle.write(np.asarray(params["file"], dtype=np.uint8).tobytes())
                model = self.load_model(path)
        elif "factory" in params:
            module, _, name = params["factory"].partition(":")
            model = getattr(importlib.import_module(module), name)()
        else:
            model = self.deserialize(params["object"])
        if params.get("as_dtype"):
            model = self.recast(model, params["as_dtype"])
        if params.get("weights"):
            self.assign(model, params["weights"])
        return model

    def load_model(self, path: str) -> Any:
        return self.keras.saving.load_model(path, compile=False, safe_mode=True)

    def recast(self, model: Any, dtype: str) -> Any:
        """The same model with every floating dtype set to ``dtype`` and its weights cast, by path."""
        values = {self.adapter.variable_name(v): np.asarray(self.adapter.to_numpy(v)) for v in model.weights}
        config = _with_float_dtype(model.get_config(), dtype)
        rebuilt = type(model).from_config(config)
        self.assign(rebuilt, {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in values.items()})
        return rebuilt

    def call_grad(self, params: dict) -> dict[str, np.ndarray]:
        obj = self.built(params)
        raw = params["inputs"]
        diff = [(path, array) for path, array in structure.leaves(raw)
                if np.dtype(array.dtype).kind == "f" or array.dtype.name == "bfloat16"]
        paths = [path for path, _ in diff]
        weights = params.get("weights", {})
        trainable = list(getattr(obj, "trainable_weights", []))
        keys = [self.key_of(v, weights) for v in trainable]
        cotangents = params["cotangents"]
        training = params.get("training")
        # every non-trainable variable, as stateless_call takes them (seed states of an RNN included)
        non_trainable = list(getattr(obj, "non_trainable_variables", getattr(obj, "non_trainable_weights", [])))

        def objective(values: list, weight_values: list | None) -> Any:
            by_path = dict(zip(paths, values))
            tensors = structure.map_leaves(
                raw, lambda path, a: by_path[path] if path in by_path else self.adapter.to_tensor(a))
            args, kwargs = tensors["args"], tensors.get("kwargs", {})
            if weight_values is None:
                result = self.invoke(obj, args, kwargs, training)
            else:
                # stateless_call passes keyword arguments to ``call`` as they are (``__call__``
                # drops ``training`` for a layer whose ``call`` does not take it)
                if training is not None and "training" in inspect.signature(obj.call).parameters:
                    kwargs = {**kwargs, "training": training}
                result, _ = obj.stateless_call(weight_values, [v.value for v in non_trainable], *args, **kwargs)
            return self._weighted_sum(structure.output_names(result), cotangents)

        dtype = next(iter(cotangents.values())).dtype.name
        grads = self.differentiate(objective, [a for _, a in diff], trainable, dtype)
        names = [structure.INPUT_GRAD + p for p in paths] + [structure.WEIGHT_GRAD + k for k in keys]
        return self.materialize(dict(zip(names, grads)))

    def apply_gradients(self, params: dict) -> dict[str, np.ndarray]:
        self._require_training()
        optimizer = self.deserialize(params["object"])
        names = list(params["variables"])
        variables = [self.make_variable(params["variables"][n], n) for n in names]
        outputs = {}
        for step, gradients in enumerate(params["gradients"], start=1):
            optimizer.apply_gradients([(self.adapter.to_tensor(gradients[n]), v)
                                       for n, v in zip(names, variables)])
            for name, variable in zip(names, variables):
                outputs[structure.step_name(step, name)] = self._numpy(variable)
        return outputs

    def fit(self, params: dict) -> dict[str, np.ndarray]:
        self._require_training()
        model = self.deserialize(params["object"])
        weights = params.get("weights", {})
        self.assign(model, weights)
        keys = [self.key_of(v, weights) for v in model.weights
                if self._is_float(v)]
        compiled = params.get("compile", {})
        model.compile(optimizer=self.deserialize(compiled.get("optimizer", "sgd")),
                      loss=self.deserialize(compiled.get("loss", "mse")),
                      metrics=[self.deserialize(m) for m in compiled.get("metrics", [])])
        steps: list[list[np.ndarray]] = []
        to_numpy = self._numpy
        is_float = self._is_float

        class Recorder(self.keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                steps.append([to_numpy(v) for v in self.model.weights if is_float(v)])

        data = params["data"]
        options = dict(params.get("fit", {}))
        if "class_weight" in options:  # JSON keys are strings; Keras wants the class indices
            options["class_weight"] = {int(k): v for k, v in options["class_weight"].items()}
        if "validation_data" in options:  # a list on the wire; Keras unpacks a tuple (x, y[, weights])
            options["validation_data"] = tuple(options["validation_data"])
        callbacks = [Recorder(), *(self.deserialize(c) for c in params.get("callbacks", []))]
        history = model.fit(data["x"], data.get("y"), sample_weight=data.get("sample_weight"),
                            shuffle=False, verbose=0, callbacks=callbacks, **options)
        outputs = {structure.step_name(step, key): value
                   for step, values in enumerate(steps, start=1) for key, value in zip(keys, values)}
        for name, values in history.history.items():
            outputs[f"history:{name}"] = np.asarray(values, dtype=np.float64)
        outputs["epochs"] = np.asarray(len(history.epoch))  # where a callback stopped the fit
        return outputs

    # -- building blocks ----------------------------------------------------------------------
    def inputs(self, params: dict) -> tuple[list, dict]:
        tensors = structure.map_leaves(params["inputs"], lambda _, a: self.adapter.to_tensor(a))
        return list(tensors.get("args", [])), dict(tensors.get("kwargs", {}))

    def built(self, params: dict) -> Any:
        """The object, built for the case's inputs, with the drawn weights assigned.

        params["rebuild"] = "config": then rebuilt from its own ``get_config()``, built
        and assigned again, as a user who saves a config and restores it does.
        """
        obj = self.deserialize(params["object"])
        if not hasattr(obj, "build"):  # a loss or another plain callable: nothing to build
            return obj
        self.build(obj, params)
        if params.get("rebuild") == "config":
            obj = type(obj).from_config(obj.get_config())
            self.build(obj, params)
        return obj

    def build(self, obj: Any, params: dict) -> None:
        """Build a layer by a symbolic call on the inputs' shapes, then assign the weights."""
        if not getattr(obj, "built", False):
            symbolic = structure.map_leaves(params["inputs"], lambda _, a: self.placeholder(a))
            self.invoke(obj, list(symbolic.get("args", [])), dict(symbolic.get("kwargs", {})), None)
        self.assign(obj, params.get("weights", {}))

    def assign(self, obj: Any, weights: dict[str, np.ndarray]) -> None:
        """Every floating variable gets the one drawn array whose key ends its path.

        A floating variable without a drawn value is an error (a spec must draw every
        weight: initializers' zeros and ones hide bugs); variables of other dtypes
        (seed states, counters) keep their values.
        """
        unused = set(weights)
        for variable in obj.weights:
            if not self._is_float(variable):
                continue
            key = self.key_of(variable, weights)
            value = weights[key]
            if self.shape_of(variable) != value.shape:
                raise ValueError(f"weight {key!r}: variable shape {self.shape_of(variable)}, drawn {value.shape}")
            self.set_value(variable, value)
            unused.discard(key)
        if unused:
            raise ValueError(f"drawn weights {sorted(unused)} match no variable")

    def sum_of_products(self, value: Any, cotangent: np.ndarray) -> Any:
        """sum(value * cotangent) in the cotangent's dtype, with the generation's own functions."""
        ops = self.keras.ops
        return ops.sum(ops.multiply(ops.cast(value, cotangent.dtype.name), self.adapter.to_tensor(cotangent)))

    def materialize(self, outputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """Outputs as NumPy arrays (a symbolic generation evaluates them here)."""
        return {name: self._numpy(value) for name, value in outputs.items()}

    def _weighted_sum(self, outputs: dict[str, Any], cotangents: dict[str, np.ndarray]) -> Any:
        """The drawn scalar function of the outputs: the sum over outputs of sum(output * cotangent)."""
        total = None
        for name, cotangent in cotangents.items():
            if name not in outputs:
                raise ValueError(f"no output {name!r} to differentiate; outputs: {sorted(outputs)}")
            term = self.sum_of_products(outputs[name], cotangent)
            total = term if total is None else total + term
        return total

    def _require_training(self) -> None:
        if not getattr(self.adapter, "can_train", True):
            raise Absent(f"{self.adapter.id} cannot train")

    @staticmethod
    def _is_float(variable: Any) -> bool:
        return any(word in str(variable.dtype) for word in ("float", "bfloat"))

    def _numpy(self, value: Any) -> np.ndarray:
        if isinstance(value, (int, float)):
            return np.asarray(value)
        return np.asarray(self.adapter.to_numpy(value))

    @contextlib.contextmanager
    def _floatx(self, dtype: str | None) -> Iterator[None]:
        if dtype is None:
            yield
            return
        with floatx(self.keras, dtype):
            yield

    @contextlib.contextmanager
    def _released(self) -> Iterator[None]:
        try:
            yield
        finally:
            release(self.keras)


FLOAT_DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16")


def _with_float_dtype(config: Any, dtype: str) -> Any:
    """A model config with every floating dtype (names and dtype policies) replaced by ``dtype``."""
    if isinstance(config, list):
        return [_with_float_dtype(v, dtype) for v in config]
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if key == "dtype" and isinstance(value, str) and value in FLOAT_DTYPE_NAMES:
            out[key] = dtype
        elif key == "dtype" and isinstance(value, dict) and value.get("config", {}).get("name") in FLOAT_DTYPE_NAMES:
            out[key] = {**value, "config": {**value["config"], "name": dtype}}
        else:
            out[key] = _with_float_dtype(value, dtype)
    return out
