"""The adapter seam: what an implementation of Keras provides to the engine.

A third-party backend subclasses :class:`Adapter`, registers the class under
the entry-point group ``keras_conformance.adapters``, and answers
:class:`Case` objects with :class:`Outcome` objects inside its worker process.
This module is public API and runs inside workers, so it needs NumPy only.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata as _metadata
import sys
from typing import Any, ClassVar

import numpy as np

ENTRY_POINT_GROUP = "keras_conformance.adapters"

# The procedures an adapter implements: a case's ``kind`` names one. The engine owns their
# meaning (below); an adapter never reads a check's or a spec's name. Keras 3 adapters get every
# procedure from adapters/keras3.py and adapters/objects.py, Keras 2 adapters from
# adapters/keras2_objects.py: a new layer, loss or optimizer spec needs no adapter change.

# -- ops: ``api`` names a function, ``args`` are its positional arrays, params["kwargs"] the rest
OP = "op"  # call the function; outputs ``out`` (one result) or ``out0``, ``out1``... (a tuple)
#: the same call, but only the outputs' shapes and dtypes are judged: an adapter may answer by
#: abstract evaluation (``jax.eval_shape``); one that does not say so (``Adapter.answers_shapes``)
#: receives the case as OP
OP_SHAPES = "op_shapes"
# vector-Jacobian product of an op: extra["cotangent"], params["wrt"]; for an op with several
# outputs, params["grad_outputs"] lists the differentiated ones, whose cotangents are flattened
# and joined in that order (adapters.split_call does the same with the backend's outputs)
OP_GRAD = "op_grad"
#: call an op eagerly and symbolically (KerasTensor in, compute_output_spec); return the eager
#: outputs plus, per output NAME, ``NAME@symbolic`` (a 0-d array of the inferred dtype) and
#: ``NAME@shape`` (the inferred dims, -1 for None)
OP_SYMBOLIC = "op_symbolic"
#: call an op eagerly and compiled the way the backend compiles a Keras function (jax.jit,
#: tf.function with XLA); return the eager outputs plus, per output NAME, ``NAME@compiled``
OP_COMPILED = "op_compiled"

# -- Keras objects: params["object"] is a Keras object as ``keras.saving.serialize_keras_object``
# writes it ({"module": "keras.layers", "class_name": "Dense", "config": {...}}); the adapter
# builds it with Keras's own deserialization. Weights travel in params["weights"] keyed by
# variable path (a key matches the one variable whose path ends with it), never by position.
# Inputs travel in params["inputs"] = {"args": [...], "kwargs": {...}}, nested lists and dicts
# of arrays (several inputs, masks, initial states). Output names: conformance/structure.py.
#: build the object, assign the weights, call it on the inputs with ``training`` =
#: params["training"]; outputs named by their structure (``out``, ``out0``, ``out.key``...).
#: params["state"]: also every non-trainable weight after the call, ``state:<key>``;
#: params["mask"]: also ``compute_mask``'s result, named as outputs with ``mask`` for ``out``;
#: params["rebuild"] = "config": call the object rebuilt from its ``get_config()`` instead;
#: params["inferred"]: also, per output NAME, what a call on symbolic inputs (``KerasTensor``,
#: ``keras.Input``) infers: ``NAME@symbolic`` (a 0-d array of its dtype), ``NAME@shape`` (-1: None)
CALL = "call"
#: the call's vector-Jacobian product: params["cotangents"] maps output names to arrays; the
#: scalar sum(output * cotangent) is differentiated with respect to every floating input
#: (``dx:<input path>``) and every trainable weight (``dw:<key>``)
CALL_GRAD = "call_grad"
#: an optimizer (params["object"]) applied to variables params["variables"] (name -> array)
#: with the given gradients, one dict per step (params["gradients"]); outputs the variables
#: after each step, ``step<k>:<name>`` (k from 1)
APPLY_GRADIENTS = "apply_gradients"
#: ``model.fit``: params["object"] is a model, compiled with params["compile"] (optimizer,
#: loss, metrics as serialized objects or names), fitted on params["data"] (x, y,
#: sample_weight) with params["fit"] (batch_size, epochs, class_weight, validation_data,
#: validation_split, steps_per_epoch, initial_epoch...; never shuffled) and params["callbacks"]
#: (serialized callbacks); outputs every weight after each training batch, ``step<k>:<key>``,
#: the history, ``history:<name>``, and the number of epochs run, ``epochs``
FIT = "fit"
#: a metric (params["object"]) updated with each batch of params["batches"] (each
#: ``{"args": [...], "kwargs": {...}}`` for ``update_state``); outputs ``result<k>`` after batch k
#: (from 1), then, after ``reset_state()`` and the first batch again, ``after_reset``
ACCUMULATE = "accumulate"
#: a model called on params["inputs"]: every layer's output, ``layer:<layer name>`` (several
#: outputs: ``layer:<name>.<i>``), and the model's, ``out``..., for finding the first layer whose
#: output diverges. The model: params["object"] (a serialized model), or params["file"] (the
#: bytes of a ``.keras`` or ``.h5`` file, as uint8, with params["suffix"]; loaded with
#: ``safe_mode``), or params["factory"] (``"module:function"`` returning a model).
#: params["weights"]: assigned by variable path (every floating variable; otherwise the file's);
#: params["as_dtype"]: the model rebuilt from its config with every floating dtype set to this
#: one, its weights cast (the float64 reference run); params["return_weights"]: also every
#: weight, ``weight:<path>``
LAYER_OUTPUTS = "layer_outputs"
#: what the engine needs to draw a model's inputs, as JSON in a uint8 array ``info``: inputs
#: (name, shape with None, dtype), layers (name, class), ``index_limit`` (the smallest
#: ``input_dim`` of its Embedding layers: integer inputs are drawn below it); model as for
#: LAYER_OUTPUTS
MODEL_INFO = "model_info"
#: the procedures over Keras objects, for adapters that answer them all alike
OBJECT_PROCEDURES = frozenset({CALL, CALL_GRAD, APPLY_GRADIENTS, FIT, ACCUMULATE, LAYER_OUTPUTS, MODEL_INFO})


@dataclasses.dataclass
class Case:
    """One concrete input, drawn once by the engine and sent to every adapter.

    ``api`` is the canonical Keras 3 public path (``ops.numpy.add``,
    ``layers.Dense``, ``optimizers.SGD``); ``args`` are positional arrays;
    ``params`` is JSON-able; ``extra`` holds named arrays (weights by variable
    path, a gradient's cotangent).
    """

    kind: str
    api: str
    check: str
    args: list[np.ndarray] = dataclasses.field(default_factory=list)
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def to_wire(self) -> dict:
        # shallow: the wire encoding copies the arrays' bytes (asdict deep-copied them first)
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    @classmethod
    def from_wire(cls, data: dict) -> Case:
        return cls(**data)


@dataclasses.dataclass
class Outcome:
    """What an adapter returns for a case.

    status ``ok``: ``outputs`` maps output names to arrays (``out`` for a single
    result, ``out0``, ``out1``… for tuples, ``grad0``… for gradients).
    status ``absent``: the implementation has no such API; ``reason`` says why.
    status ``error``: the implementation raised; ``reason`` is ``Type: message``.
    """

    status: str
    outputs: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    reason: str = ""
    info: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def ok(cls, outputs: dict[str, Any], **info: Any) -> Outcome:
        return cls("ok", {k: np.asarray(v) for k, v in outputs.items()}, info=info)

    @classmethod
    def absent(cls, reason: str) -> Outcome:
        return cls("absent", reason=reason)

    @classmethod
    def error(cls, exc: BaseException) -> Outcome:
        return cls("error", reason=f"{type(exc).__name__}: {exc}"[:2000])

    def to_wire(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_wire(cls, data: dict) -> Outcome:
        return cls(**data)


class Absent(Exception):
    """Raise inside ``Adapter.run`` when the implementation lacks the API."""


class Adapter:
    """Base class of every adapter; subclass it in your own package.

    Class attributes describe the adapter to the engine without importing any
    backend. Only :meth:`setup`, :meth:`describe` and :meth:`run` execute in the
    worker process, where the backend may be imported.
    """

    #: the adapter id used on the command line (``--adapters my-backend``)
    id: ClassVar[str] = ""
    #: one line for the report
    title: ClassVar[str] = ""
    #: distributions that must be installed in the worker's interpreter
    requires: ClassVar[tuple[str, ...]] = ()
    #: environment variables set before the worker process starts
    environment: ClassVar[dict[str, str]] = {}
    #: pip requirements of an interpreter of its own in ``.envs/<id>/``; empty
    #: means the adapter runs in the engine's own interpreter
    env_requirements: ClassVar[tuple[str, ...]] = ()
    #: whether the implementation can train (fit / gradients)
    can_train: ClassVar[bool] = True
    #: worker processes that share its cases (more for a backend that compiles every shape)
    workers: ClassVar[int] = 1
    #: seconds per case before "timeout", when less than the run's --case-timeout (a worker
    #: that can hang instead of crashing costs this times the batch size per hang)
    case_timeout: ClassVar[float | None] = None
    #: path of a known-failures TOML owned by the adapter's authors, or None
    known_failures: ClassVar[str | None] = None
    #: the Keras major version it implements: 2 puts it on the "from" side of the migration view
    keras_major: ClassVar[int] = 3
    #: the canonical APIs it maps, when it maps names to another API (Keras 2); None: not declared
    supported_apis: ClassVar[frozenset[str] | None] = None
    #: whether ``run`` answers OP_SHAPES itself (by abstract evaluation); otherwise the case
    #: arrives as OP
    answers_shapes: ClassVar[bool] = False
    #: set to a reason to list the adapter in the report as unavailable without ever running it
    #: (a backend that cannot be installed on any current Python)
    unavailable: ClassVar[str] = ""

    @classmethod
    def variants(cls) -> dict[str, type[Adapter]]:
        """Other versions of this implementation, each an adapter ``<id>@<name>``.

        The Keras version is an axis of its own: ``keras3-jax@nightly`` is the
        same adapter on keras-nightly in an interpreter of its own.
        """
        return {}

    def setup(self) -> None:
        """Import the backend and configure it; runs once per worker."""

    def describe(self) -> dict[str, Any]:
        """Versions and capabilities, shown in the header and the report."""
        versions = {}
        for dist in self.requires:
            try:
                versions[dist] = _metadata.version(dist)
            except _metadata.PackageNotFoundError:
                versions[dist] = None
        return {
            "id": self.id,
            "title": self.title,
            "python": sys.executable,
            "python_version": sys.version.split()[0],
            "numpy": np.__version__,
            "versions": versions,
            "can_train": self.can_train,
        }

    def run(self, case: Case) -> Outcome:  # pragma: no cover - abstract
        """Answer one case. Raise :class:`Absent` for a missing API."""
        raise NotImplementedError

    def run_safely(self, case: Case) -> Outcome:
        if case.kind == OP_SHAPES and not self.answers_shapes:
            case = dataclasses.replace(case, kind=OP)
        try:
            return self.run(case)
        except Absent as exc:
            return Outcome.absent(str(exc))
        except Exception as exc:  # the implementation raising is a result too
            return Outcome.error(exc)
