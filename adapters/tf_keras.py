"""Legacy tf.keras: the ``tf_keras`` package (Keras 2.x) with TF_USE_LEGACY_KERAS=1.

Keras 2 has no ``keras.ops``; this module maps each canonical Keras 3 op name
to its Keras 2 counterpart (``tf_keras.backend``, ``tf_keras.activations``)
and translates arguments explicitly. An op with no counterpart, or one whose
counterpart means something else for the given arguments, is "absent".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from conformance.adapter import OBJECT_PROCEDURES, OP, OP_GRAD, Absent, Adapter, Case, Outcome

from ._common import (
    call_kwargs,
    normalized_name,
    outputs_of,
    positional,
    split_call,
    tensorflow_vjp,
)
from .keras2_objects import Keras2Objects
from .keras2_ops import CHANGES, OP_MAP
from .keras3 import seeded_calls


class TfKeras(Adapter):
    id = "tf-keras"
    title = "legacy tf.keras: tf_keras (Keras 2) with TF_USE_LEGACY_KERAS=1"
    requires = ("tf-keras", "tensorflow")
    environment = {"TF_USE_LEGACY_KERAS": "1"}
    keras_major = 2
    #: defaults, formulas and argument names that changed from Keras 2 to Keras 3
    migration_changes: ClassVar[dict[str, list]] = CHANGES
    supported_apis = frozenset(OP_MAP)
    #: the Keras 2 package this adapter drives
    keras_module: ClassVar[str] = "tf_keras"

    def setup(self) -> None:
        import importlib  # noqa: PLC0415

        import tensorflow as tf  # noqa: PLC0415 - worker only

        tf.config.experimental.enable_tensor_float_32_execution(False)
        self.tf = tf
        self.keras = importlib.import_module(self.keras_module)
        self.objects = Keras2Objects(self)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["keras"] = self.keras.__version__
        info["backend"] = "tensorflow"
        return info

    def to_tensor(self, array: np.ndarray) -> Any:
        return self.tf.constant(array)

    def join_outputs(self, parts: list[Any]) -> Any:
        """Several outputs as one 1-D tensor, for their gradient (see ``split_call``)."""
        return self.tf.concat([self.tf.reshape(part, [-1]) for part in parts], axis=0)

    def to_numpy(self, tensor: Any) -> np.ndarray:
        return np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)

    @staticmethod
    def variable_name(variable: Any) -> str:
        return normalized_name(variable.name)

    def op(self, api: str) -> Callable:
        if api not in OP_MAP:
            raise Absent(f"{api} has no Keras 2 counterpart in tf_keras")
        impl = OP_MAP[api]
        return lambda *args, **kw: impl(self.keras.backend, self.keras.activations, list(args), kw)

    def run(self, case: Case) -> Outcome:
        if case.kind in OBJECT_PROCEDURES:
            return self.objects.run(case)
        if case.kind == OP:
            fn = self.op(case.api)
            args = [self.to_tensor(a) for a in case.args]
            if "seeds" in case.params:  # keras.random: one call per seed, no SeedGenerator
                return Outcome.ok(seeded_calls(fn, args, case, self.to_numpy))
            return Outcome.ok(outputs_of(fn(*positional(args, case), **call_kwargs(case)),
                                         self.to_numpy))
        if case.kind == OP_GRAD:
            call, wrt = split_call(self.op(case.api), case, self.join_outputs)
            grads = tensorflow_vjp(call, [self.to_tensor(a) for a in case.args], wrt, case)
            return Outcome.ok({f"grad{i}": self.to_numpy(g) for i, g in zip(wrt, grads)})
        raise Absent(f"case kind {case.kind!r} is not supported")


class Keras2(TfKeras):
    """Standalone Keras 2.15 (``keras==2.15.0`` on ``tensorflow-cpu==2.15.1``), in ``.envs/keras2/``.

    Same API as tf_keras, so the same name mapping; a disagreement between the two
    is a finding (measured: bit for bit equal on the cases tried by hand).
    """

    id = "keras2"
    title = "standalone Keras 2.15 (keras==2.15.0, tensorflow-cpu==2.15.1)"
    requires = ("keras", "tensorflow-cpu")
    environment = {}
    keras_module = "keras"
    env_requirements = ('tensorflow-cpu==2.15.1 keras==2.15.0 "numpy<2" scipy',)
