"""The Keras-object procedures for Keras 2 (tf_keras, standalone Keras 2.15, Keras 2.3 on Theano).

The engine writes every object as Keras 3 serializes it. This module is the one
place where that becomes Keras 2: :func:`to_keras2` translates a serialized
object (modules dropped, ``batch_shape`` -> ``batch_input_shape``, dtype
policies -> their names, nested layers of a model), and the Keras 2 hooks of
:class:`~adapters.objects.ObjectProcedures` build variables, placeholders and
gradients with ``keras.backend`` and TensorFlow's tape (Theano's ``grad`` for
Keras 2.3). A default that changed between Keras 2 and Keras 3 is not
normalised here: the config is the user's, and each side applies its own.

Runs inside a worker only.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ._common import matching_key
from .objects import ObjectProcedures

#: Keras 3 config keys that Keras 2 spells otherwise, per class ("*": every class)
RENAMED_KEYS: dict[str, dict[str, str]] = {
    "InputLayer": {"batch_shape": "batch_input_shape"},
    "LeakyReLU": {"negative_slope": "alpha"},  # Keras 3 renamed the slope (both default 0.3 here)
}

#: Keras 2 variable names -> Keras 3's, where they differ (the engine keys weights by Keras 3's)
VARIABLE_ALIASES: dict[str, str] = {
    "depthwise_kernel": "kernel",  # DepthwiseConv1D/2D: Keras 3 calls the depthwise kernel "kernel"
}

#: Keras 3 module -> the Keras 2 namespace whose ``deserialize`` builds its objects
#: (Keras 2 builds models through ``layers.deserialize``)
NAMESPACES = {"keras": "layers", "keras.models": "layers", "keras.layers": "layers",
              "keras.losses": "losses", "keras.optimizers": "optimizers", "keras.metrics": "metrics",
              "keras.optimizers.schedules": "optimizers.schedules", "keras.regularizers": "regularizers",
              "keras.constraints": "constraints", "keras.initializers": "initializers",
              "keras.callbacks": "callbacks"}


def to_keras2(serialized: Any) -> Any:
    """A Keras 3 serialized object (or a nested config value) as Keras 2 writes it."""
    if isinstance(serialized, list):
        return [to_keras2(v) for v in serialized]
    if not isinstance(serialized, dict):
        return serialized
    if "class_name" in serialized and "config" in serialized:
        class_name = serialized["class_name"]
        if class_name in ("DTypePolicy", "FloatDTypePolicy"):  # Keras 2 takes the dtype's name
            return serialized["config"]["name"]
        renamed = {**RENAMED_KEYS.get("*", {}), **RENAMED_KEYS.get(class_name, {})}
        config = {renamed.get(k, k): to_keras2(v) for k, v in serialized["config"].items()}
        return {"class_name": class_name, "config": config}
    return {k: to_keras2(v) for k, v in serialized.items()}


class Keras2Objects(ObjectProcedures):
    """tf_keras and standalone Keras 2.15: variables and gradients through TensorFlow."""

    #: added to an optimizer's config: without it tf_keras (2.11+) deserializes the *legacy*
    #: optimizer, whose learning rate stays float32 under floatx float64; the class a user
    #: names (``keras.optimizers.SGD``) is the new one, which tf_keras writes with this flag
    OPTIMIZER_CONFIG: dict[str, Any] = {"is_legacy_optimizer": False}

    def deserialize(self, serialized: Any) -> Any:
        if isinstance(serialized, str):
            return serialized
        module = serialized.get("module") or "keras.layers"
        namespace = NAMESPACES.get(module, "layers")
        found = self.require_class(serialized, "keras.models" if module in ("keras", "keras.models")
                                   else f"keras.{namespace}")
        if not inspect.isclass(found):  # a public function (keras.losses.mean_squared_error): itself
            return found
        translated = to_keras2(serialized)
        if namespace == "optimizers":
            translated["config"] = {**translated["config"], **self.OPTIMIZER_CONFIG}
        module_object = self.keras
        for part in namespace.split("."):
            module_object = getattr(module_object, part)
        return module_object.deserialize(translated)

    def placeholder(self, array: np.ndarray) -> Any:
        return self.keras.Input(batch_shape=array.shape, dtype=array.dtype.name)

    def shape_of(self, variable: Any) -> tuple[int, ...]:
        return tuple(self.keras.backend.int_shape(variable))  # Theano's own shape is symbolic

    def key_of(self, variable: Any, weights: dict[str, Any]) -> str:
        name = self.adapter.variable_name(variable)
        try:
            return matching_key(name, weights)
        except ValueError:  # a Keras 2 name Keras 3 renamed (DepthwiseConv's depthwise_kernel)
            head, _, last = name.rpartition("/")
            if last not in VARIABLE_ALIASES:
                raise
            return matching_key(f"{head}/{VARIABLE_ALIASES[last]}" if head else VARIABLE_ALIASES[last], weights)

    def symbolic_spec(self, tensor: Any) -> tuple[np.dtype, tuple]:
        from conformance.wire import dtype_from_name  # noqa: PLC0415

        return dtype_from_name(self.keras.backend.dtype(tensor)), tuple(self.keras.backend.int_shape(tensor))

    def set_value(self, variable: Any, value: np.ndarray) -> None:
        self.keras.backend.set_value(variable, value)

    def load_model(self, path: str) -> Any:
        return self.keras.models.load_model(path, compile=False)

    def make_variable(self, value: np.ndarray, name: str) -> Any:
        return self.adapter.tf.Variable(value, name=name)

    def sum_of_products(self, value: Any, cotangent: np.ndarray) -> Any:
        K = self.keras.backend
        return K.sum(K.cast(value, cotangent.dtype.name) * K.constant(cotangent, dtype=cotangent.dtype.name))

    def differentiate(self, objective: Callable[[list, list | None], Any], inputs: list[np.ndarray],
                      trainable: list[Any], dtype: str) -> list[Any]:
        """``tf.GradientTape`` over the inputs and the layer's own variables."""
        tf = self.adapter.tf
        values = [tf.constant(a) for a in inputs]
        with tf.GradientTape() as tape:
            tape.watch(values)
            total = objective(values, None)
        sources = [*values, *trainable]
        grads = tape.gradient(total, sources)
        # an Embedding's gradient is sparse (IndexedSlices): densified, as Keras 3 returns it
        return [tf.zeros_like(s) if g is None else tf.convert_to_tensor(g) for s, g in zip(sources, grads)]


class TheanoObjects(Keras2Objects):
    """Keras 2.3 on Theano: symbolic, so every output is evaluated in one compiled function."""

    OPTIMIZER_CONFIG: dict[str, Any] = {}  # Keras 2.3 has one kind of optimizer

    def placeholder(self, array: np.ndarray) -> Any:
        return self.keras.backend.placeholder(shape=array.shape, dtype=array.dtype.name)

    def invoke(self, obj: Any, args: list, kwargs: dict, training: bool | None) -> Any:
        # Keras 2.3 passes keyword arguments to ``call`` as they are: ``training`` only where
        # ``call`` takes it (a layer without it computes the same in both modes)
        from keras.utils.generic_utils import has_arg  # noqa: PLC0415 - Keras 2.3, worker only

        if training is not None and has_arg(obj.call, "training"):
            kwargs = {**kwargs, "training": training}
        return obj(*args, **kwargs)

    def materialize(self, outputs: dict[str, Any]) -> dict[str, np.ndarray]:
        return self.adapter.evaluate(outputs)

    def differentiate(self, objective: Callable[[list, list | None], Any], inputs: list[np.ndarray],
                      trainable: list[Any], dtype: str) -> list[Any]:
        values = [self.adapter.to_tensor(a) for a in inputs]
        total = objective(values, None)
        return self.adapter.theano.grad(total, [*values, *trainable], disconnected_inputs="ignore")
