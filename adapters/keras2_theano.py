"""Multi-backend Keras 2.3.1 on Theano 1.0.5: the Keras of the TF 1.x era, and CNTK's place.

Keras 2.3 has no ``keras.ops``: the canonical names map through the same
Keras 3 -> Keras 2 table as tf_keras (``adapters/keras2_ops``), called with
Keras 2.3's ``keras.backend`` and ``keras.activations``. A function that
Keras 2.3 lacks (``gelu``, ``swish``...) is absent, never an error.

Theano is symbolic: inputs become shared variables, each case's outputs are
compiled into one Theano function and evaluated. With ``cxx=`` Theano runs
its Python implementations (no C compiler step), so cases stay cheap.

``keras2.3-cntk`` is listed so that the report names it: CNTK, the third
backend of that Keras, has no wheel for any current Python.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from conformance.adapter import OBJECT_PROCEDURES, OP, OP_GRAD, Absent, Adapter, Case, Outcome
from conformance.migration import changed_default

from ._common import call_kwargs, normalized_name, outputs_of, positional, split_call
from .keras2_objects import TheanoObjects
from .keras2_ops import CHANGES, OP_MAP

#: the names Python 3.10 removed from ``collections``; Keras 2.3 and Theano 1.0 still import them there
_COLLECTIONS_ABC_ALIASES = ("Iterable", "Mapping", "MutableMapping", "Sequence", "Callable")


def restore_removed_names() -> None:
    """Put back the names Keras 2.3 and Theano 1.0 import from newer Python and SciPy.

    ``collections.Iterable`` and friends (gone in Python 3.10): the same as the
    ``sitecustomize.py`` a user of that Keras puts in the env, done in the worker
    so the env stays a plain pip install. ``scipy.signal.signaltools._valfrommode``,
    ``_bvalfromboundary`` and ``scipy.signal.sigtools._convolve2d`` (private, moved
    to ``_signaltools``/``_sigtools`` in SciPy 1.8): without them Theano's Python
    implementation of convolution refuses to run ("Need the python package for
    scipy.signal"). Same functions, old import paths; no computation is changed.
    """
    import collections  # noqa: PLC0415
    import collections.abc  # noqa: PLC0415
    import sys  # noqa: PLC0415

    for name in _COLLECTIONS_ABC_ALIASES:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    import scipy.signal._signaltools as signaltools  # noqa: PLC0415
    import scipy.signal._sigtools as sigtools  # noqa: PLC0415
    import scipy.signal.signaltools as old_signaltools  # noqa: PLC0415

    for name in ("_valfrommode", "_bvalfromboundary"):
        setattr(old_signaltools, name, getattr(signaltools, name))
    sys.modules.setdefault("scipy.signal.sigtools", sigtools)


class _Namespace:
    """``keras.backend`` / ``keras.activations`` where a missing function is Absent, not AttributeError."""

    def __init__(self, module: Any, label: str) -> None:
        self._module = module
        self._label = label

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._module, name)
        except AttributeError:
            raise Absent(f"{self._label}.{name} does not exist in Keras 2.3") from None


def _resize(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw.get("interpolation", "nearest") not in ("nearest", "bilinear"):
        raise Absent("keras.backend.resize_images of Keras 2.3 on Theano has nearest and bilinear only")
    return OP_MAP["ops.image.resize"](K, A, args, kw)


#: where Keras 2.3's Theano backend offers less than tf_keras for the same name
THEANO_OP_MAP: dict[str, Callable] = {**OP_MAP, "ops.image.resize": _resize}


class Keras2Theano(Adapter):
    id = "keras2.3-theano"
    title = "multi-backend Keras 2.3.1 on Theano 1.0.5 (Python implementations, NumPy BLAS)"
    requires = ("keras", "Theano")
    keras_major = 2
    #: Theano without a C++ compiler step and without a system BLAS: measured to run here
    environment = {"KERAS_BACKEND": "theano", "THEANO_FLAGS": "cxx=,blas.ldflags="}
    #: ml_dtypes: the engine's wire format decodes bfloat16 with it (Theano never sees one)
    env_requirements = ("numpy==1.23.5 scipy==1.10.1 Theano==1.0.5 keras==2.3.1 h5py pyyaml six "
                        "ml_dtypes==0.2.0",)
    can_train = False
    supported_apis = frozenset(THEANO_OP_MAP)
    #: as tf_keras, except where Keras 2.3's Theano backend computes it otherwise
    migration_changes: ClassVar[dict[str, list]] = {
        **CHANGES,
        "ops.nn.normalize": [changed_default("epsilon", "1e-07 on the squared norm (keras.backend.epsilon())",
                                             "1e-07 on the norm (keras.config.epsilon())")],
    }

    def setup(self) -> None:
        restore_removed_names()
        warnings.filterwarnings("ignore")  # Theano warns once per process that it has no compiler
        import keras  # noqa: PLC0415 - worker only
        import theano  # noqa: PLC0415

        if keras.backend.backend() != "theano":
            raise RuntimeError(f"KERAS_BACKEND is {keras.backend.backend()!r}, expected 'theano'")
        self.keras, self.theano = keras, theano
        self.K = _Namespace(keras.backend, "keras.backend")
        self.A = _Namespace(keras.activations, "keras.activations")
        self.objects = TheanoObjects(self)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["keras"] = self.keras.__version__
        info["backend"] = "theano"
        return info

    def to_tensor(self, array: np.ndarray) -> Any:
        """A shared variable of the array's dtype, static shape and broadcast pattern.

        Theano broadcasts only axes declared broadcastable: a length-1 axis is
        declared so, as a constant of that value would be (``K.variable`` declares
        none, and ``(1,) + (2,)`` would raise a dimension mismatch).
        """
        if array.dtype.name == "bfloat16":
            raise Absent("Theano has no bfloat16 type")
        variable = self.theano.shared(array, broadcastable=tuple(n == 1 for n in array.shape), strict=True)
        variable._keras_shape = array.shape  # what keras.backend.variable records
        variable._uses_learning_phase = False
        return variable

    @staticmethod
    def variable_name(variable: Any) -> str:
        return normalized_name(variable.name)

    def to_numpy(self, value: Any) -> np.ndarray:
        return self.evaluate({"value": value})["value"]

    def evaluate(self, outputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """Compile every symbolic output of the case into one Theano function."""
        names = [n for n, v in outputs.items() if isinstance(v, self.theano.Variable)]
        values = self.theano.function([], [outputs[n] for n in names])() if names else []
        result = {n: np.asarray(v) for n, v in outputs.items()}
        result.update({n: np.asarray(v) for n, v in zip(names, values)})
        return result

    def op(self, api: str) -> Callable:
        if api not in THEANO_OP_MAP:
            raise Absent(f"{api} has no Keras 2 counterpart")
        impl = THEANO_OP_MAP[api]
        return lambda *args, **kw: impl(self.K, self.A, list(args), kw)

    def run(self, case: Case) -> Outcome:
        if case.params.get("kwargs", {}).get("dtype") == "bfloat16":
            raise Absent("Theano has no bfloat16 type")
        if case.kind in OBJECT_PROCEDURES:
            return self.objects.run(case)
        if case.kind == OP:
            fn = self.op(case.api)
            args = [self.to_tensor(a) for a in case.args]
            if "seeds" in case.params:
                kwargs = call_kwargs(case)
                calls = {}
                for i, seed in enumerate(case.params["seeds"]):
                    if isinstance(seed, dict):
                        raise Absent("no keras.random.SeedGenerator in Keras 2.3")
                    calls[f"out{i}"] = fn(*args, **kwargs, seed=seed)
                return Outcome.ok(self.evaluate(calls))
            return Outcome.ok(self.evaluate(outputs_of(fn(*positional(args, case), **call_kwargs(case)),
                                                       lambda t: t)))
        if case.kind == OP_GRAD:
            call, wrt = split_call(self.op(case.api), case)
            fixed = [self.to_tensor(a) for a in case.args]
            out = call(fixed, *[fixed[i] for i in wrt])
            cotangent = case.extra["cotangent"]
            loss = (out * self.theano.tensor.constant(cotangent, dtype=cotangent.dtype.name)).sum()
            # an argument the result does not depend on has a zero gradient, as in Keras 3
            grads = self.theano.grad(loss, [fixed[i] for i in wrt], disconnected_inputs="ignore")
            return Outcome.ok(self.evaluate({f"grad{i}": g for i, g in zip(wrt, grads)}))
        raise Absent(f"case kind {case.kind!r} is not mapped for Keras 2.3")


class Keras2Cntk(Adapter):
    """Listed, never run: the report says why instead of leaving the backend out."""

    id = "keras2.3-cntk"
    title = "multi-backend Keras 2.3.1 on CNTK"
    requires = ("keras", "cntk")
    keras_major = 2
    unavailable: ClassVar[str] = (
        "CNTK has no wheel for any current Python: its last release, 2.7 (2019), ships wheels "
        "for CPython 2.7, 3.5 and 3.6 only, and the project is no longer maintained")
