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

from conformance.adapter import LAYER, OP, OP_GRAD, TRAIN, Absent, Adapter, Case, Outcome

from ._common import (
    call_kwargs,
    normalized_name,
    outputs_of,
    run_layer,
    run_sgd_training,
    split_call,
    tensorflow_vjp,
)


def _no_kwargs(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        if kw:
            raise Absent(f"tf_keras.backend.{name} takes no {sorted(kw)}")
        return getattr(K, name)(*args)

    return call


def _reduction(name: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        axis = kw.get("axis")
        return getattr(K, name)(args[0], axis=tuple(axis) if isinstance(axis, list) else axis,
                                keepdims=kw.get("keepdims", False))

    return call


def _matmul(K: Any, A: Any, args: list, kw: dict) -> Any:
    # K.dot contracts like numpy.dot, which equals matmul only for 1-D and 2-D operands.
    if args[0].shape.rank != 2 or args[1].shape.rank != 2:
        raise Absent("tf_keras.backend.dot equals matmul only for two 2-D operands")
    return K.dot(*args)


def _transpose(K: Any, A: Any, args: list, kw: dict) -> Any:
    axes = kw.get("axes")
    if axes is None:
        axes = list(reversed(range(args[0].shape.rank)))
    return K.permute_dimensions(args[0], axes)


def _softmax(K: Any, A: Any, args: list, kw: dict) -> Any:
    if args[0].shape.rank < 2:
        raise Absent("tf_keras.backend.softmax rejects 1-D inputs by design")
    return K.softmax(args[0], axis=kw.get("axis", -1))


def _gelu(K: Any, A: Any, args: list, kw: dict) -> Any:
    # Keras 2's default is approximate=False, Keras 3's is True. Passed through
    # as given; left out, each keeps its own default (a migration finding).
    return A.gelu(args[0], **kw)


def _conv(K: Any, A: Any, args: list, kw: dict) -> Any:
    x, kernel = args
    rank = x.shape.rank - 2
    fn = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}[rank]
    strides = _tuple(kw.get("strides", 1), rank)
    dilation = _tuple(kw.get("dilation_rate", 1), rank)
    if rank == 1:  # conv1d takes plain ints
        strides, dilation = strides[0], dilation[0]
    return fn(x, kernel, strides=strides, padding=kw.get("padding", "valid"),
              data_format=kw.get("data_format") or "channels_last", dilation_rate=dilation)


def _pool(mode: str) -> Callable:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        x = args[0]
        rank = x.shape.rank - 2
        if rank != 2:
            raise Absent(f"tf_keras.backend.pool{rank}d is not mapped (pool2d only)")
        pool = _tuple(kw["pool_size"], rank)
        strides = _tuple(kw.get("strides") or kw["pool_size"], rank)
        return K.pool2d(x, pool, strides=strides, padding=kw.get("padding", "valid"),
                        data_format=kw.get("data_format") or "channels_last", pool_mode=mode)

    return call


def _tuple(value: Any, rank: int) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * rank


#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Callable] = {
    "ops.numpy.abs": _no_kwargs("abs"),
    "ops.numpy.exp": _no_kwargs("exp"),
    "ops.numpy.log": _no_kwargs("log"),
    "ops.numpy.sqrt": _no_kwargs("sqrt"),
    "ops.numpy.square": _no_kwargs("square"),
    "ops.numpy.tanh": _no_kwargs("tanh"),
    "ops.numpy.maximum": _no_kwargs("maximum"),
    "ops.numpy.minimum": _no_kwargs("minimum"),
    "ops.numpy.sum": _reduction("sum"),
    "ops.numpy.mean": _reduction("mean"),
    "ops.numpy.max": _reduction("max"),
    "ops.numpy.min": _reduction("min"),
    "ops.numpy.prod": _reduction("prod"),
    "ops.numpy.matmul": _matmul,
    "ops.numpy.reshape": lambda K, A, a, kw: K.reshape(a[0], kw["newshape"]),
    "ops.numpy.transpose": _transpose,
    "ops.numpy.clip": lambda K, A, a, kw: K.clip(a[0], kw["x_min"], kw["x_max"]),
    "ops.cast": lambda K, A, a, kw: K.cast(a[0], kw["dtype"]),
    "ops.nn.relu": lambda K, A, a, kw: K.relu(a[0]),
    "ops.nn.sigmoid": lambda K, A, a, kw: K.sigmoid(a[0]),
    "ops.nn.softmax": _softmax,
    "ops.nn.gelu": _gelu,
    "ops.nn.one_hot": lambda K, A, a, kw: K.one_hot(a[0], kw["num_classes"]),
    "ops.nn.conv": _conv,
    "ops.nn.max_pool": _pool("max"),
    "ops.nn.average_pool": _pool("avg"),
}


class TfKeras(Adapter):
    id = "tf-keras"
    title = "legacy tf.keras: tf_keras (Keras 2) with TF_USE_LEGACY_KERAS=1"
    requires = ("tf-keras", "tensorflow")
    environment = {"TF_USE_LEGACY_KERAS": "1"}
    #: the Keras 2 package this adapter drives
    keras_module: ClassVar[str] = "tf_keras"

    def setup(self) -> None:
        import importlib  # noqa: PLC0415

        import tensorflow as tf  # noqa: PLC0415 - worker only

        tf.config.experimental.enable_tensor_float_32_execution(False)
        self.tf = tf
        self.keras = importlib.import_module(self.keras_module)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["keras"] = self.keras.__version__
        info["backend"] = "tensorflow"
        return info

    def to_tensor(self, array: np.ndarray) -> Any:
        return self.tf.constant(array)

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
        if case.kind == OP:
            fn = self.op(case.api)
            args = [self.to_tensor(a) for a in case.args]
            return Outcome.ok(outputs_of(fn(*args, **call_kwargs(case)), self.to_numpy))
        if case.kind == OP_GRAD:
            call, wrt = split_call(self.op(case.api), case)
            grads = tensorflow_vjp(call, [self.to_tensor(a) for a in case.args], wrt, case)
            return Outcome.ok({f"grad{i}": self.to_numpy(g) for i, g in zip(wrt, grads)})
        if case.kind == LAYER:
            return run_layer(self.keras, case, self.to_numpy, self.variable_name)
        if case.kind == TRAIN:
            return run_sgd_training(self.keras, case, self.to_numpy, self.variable_name)
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
