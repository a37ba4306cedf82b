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

# Kinds of case an adapter can be asked to run.
OP = "op"  # call a function: args are the positional tensors, params the kwargs
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
LAYER = "layer"  # build a layer from params["config"], set extra weights, call on args
TRAIN = "train"  # fit a model for params["steps"] steps; return weights after each


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
        try:
            return self.run(case)
        except Absent as exc:
            return Outcome.absent(str(exc))
        except Exception as exc:  # the implementation raising is a result too
            return Outcome.error(exc)
