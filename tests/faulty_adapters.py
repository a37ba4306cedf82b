"""Deliberately wrong adapters that the engine must catch.

Each is Keras 3 on the NumPy backend (the fastest worker to start) with one
fault injected into ``run``. They are registered without packaging through
``KERAS_CONFORMANCE_EXTRA_ADAPTERS`` (see :data:`REGISTRATION`); the worker
imports this module, so the tests put this folder on ``PYTHONPATH``.

Keras 3's NumPy backend computes float64 and int64 in 32 bits (a known
divergence of ``keras3-numpy``), so every adapter here declines 64-bit cases
as "absent": a verdict then depends on the injected fault alone, and
:class:`Honest`, the same adapter without a fault, passes every case the
faulty ones fail.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from typing import Any, ClassVar

import numpy as np
from conformance.adapters.keras3 import Keras3NumPy

from conformance.adapter import OP, OP_GRAD, OP_SYMBOLIC, Absent, Case, Outcome
from conformance.migration import changed_default, renamed

#: dtypes that Keras 3's NumPy backend narrows to 32 bits (BIT64_TO_BIT32_DTYPE)
WIDE = frozenset({"float64", "int64", "uint64"})


class Honest(Keras3NumPy):
    """keras3-numpy without 64-bit cases: the control the faulty adapters are compared with."""

    id = "honest-numpy"
    title = "Keras 3 on NumPy, 64-bit cases declined (engine tests)"
    #: the one API whose answer a subclass gets wrong ("" for none)
    faulty_api: str = ""

    def run(self, case: Case) -> Outcome:
        if any(np.asarray(a).dtype.name in WIDE for a in case.args):
            raise Absent("Keras 3's NumPy backend computes 64-bit dtypes in 32 bits")
        if case.kind == OP and case.api == self.faulty_api:
            return self.faulty(case)
        return self.correct(case)

    def correct(self, case: Case) -> Outcome:
        """Keras's own answer."""
        return super().run(case)

    def compile(self, call: Any) -> Any:
        # the NumPy backend has no compiler: "compiled" is the same call again, which must agree
        return call

    def faulty(self, case: Case) -> Outcome:
        """The wrong answer; overridden by each faulty adapter."""
        return self.correct(case)


def _with_kwargs(case: Case, **changes: Any) -> Case:
    kwargs = {**case.params.get("kwargs", {}), **changes}
    return dataclasses.replace(case, params={**case.params, "kwargs": kwargs})


class FaultyAdd(Honest):
    """ops.numpy.add off by one part in 1e4 (float results only)."""

    id = "faulty-add"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        outcome = self.correct(case)
        out = outcome.outputs["out"]
        if out.dtype.kind == "f" or out.dtype.name == "bfloat16":
            wide = out.astype(np.float64)
            outcome.outputs["out"] = (wide + wide * 1e-4).astype(out.dtype)
        return outcome


class FaultySoftmax(Honest):
    """ops.nn.softmax over the wrong axis (the next one, or the complement of a tuple)."""

    id = "faulty-softmax"
    faulty_api = "ops.nn.softmax"

    def faulty(self, case: Case) -> Outcome:
        ndim = np.asarray(case.args[0]).ndim
        axis = case.params.get("kwargs", {}).get("axis", -1)
        if ndim >= 2 and isinstance(axis, int):
            wrong: Any = (axis % ndim + 1) % ndim
        elif ndim >= 2 and isinstance(axis, (list, tuple)):
            rest = [a for a in range(ndim) if a not in {int(b) % ndim for b in axis}]
            wrong = rest or list(axis)
        else:
            wrong = axis
        return self.correct(_with_kwargs(case, axis=wrong))


def _same_padding(size: int, window: int, stride: int, dilation: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + (window - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _per_axis(value: Any, rank: int) -> list[int]:
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)] * rank


class FaultyConv(Honest):
    """ops.nn.conv with "same" padding shifted by one element to the left."""

    id = "faulty-conv"
    faulty_api = "ops.nn.conv"

    def faulty(self, case: Case) -> Outcome:
        kwargs = case.params.get("kwargs", {})
        if kwargs.get("padding", "valid") != "same":
            return self.correct(case)
        inputs, kernel = (np.asarray(a) for a in case.args[:2])
        rank = inputs.ndim - 2
        channels_first = kwargs.get("data_format") == "channels_first"
        first_spatial = 2 if channels_first else 1
        strides = _per_axis(kwargs.get("strides", 1), rank)
        dilation = _per_axis(kwargs.get("dilation_rate", 1), rank)
        pads = [(0, 0)] * inputs.ndim
        for i in range(rank):
            left, right = _same_padding(inputs.shape[first_spatial + i], kernel.shape[i],
                                        strides[i], dilation[i])
            pads[first_spatial + i] = (left + 1, right - 1) if right > 0 else (left, right)
        shifted = np.pad(inputs, pads)
        return self.correct(dataclasses.replace(
            _with_kwargs(case, padding="valid"), args=[shifted, *case.args[1:]]))


class FaultyEveryOp(Honest):
    """Every op answers wrong: floats off by 5% + 0.05, integers by one, booleans negated.

    The family tests run one representative spec per op family against it: a
    spec that such an implementation passes could not fail.
    """

    id = "faulty-every-op"

    def run(self, case: Case) -> Outcome:
        outcome = super().run(case)
        if outcome.status != "ok" or case.kind not in (OP, OP_GRAD):
            return outcome
        outcome.outputs = {name: _perturbed(out) for name, out in outcome.outputs.items()}
        return outcome


def _perturbed(out: np.ndarray) -> np.ndarray:
    out = np.asarray(out)
    if out.dtype == bool:
        return ~out
    if out.dtype.kind in "iu":
        return out + np.ones((), out.dtype)
    wide = out.astype(np.float64)
    return (wide * 1.05 + 0.05).astype(out.dtype)


class FaultyCrash(Honest):
    """The worker process dies in the middle of an ops.numpy.add case."""

    id = "faulty-crash"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        os._exit(1)


class FaultyLateExit(Honest):
    """ops.numpy.add answers right, then the process dies (a backend that corrupted its heap).

    MLX does this: ``free(): invalid next size`` aborts the worker after its reply is
    sent, so the engine finds the channel closed at its next send.
    """

    id = "faulty-late-exit"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        outcome = self.correct(case)
        threading.Timer(0.2, os._exit, (1,)).start()
        return outcome

    def correct(self, case: Case) -> Outcome:
        if case.kind == OP and case.api == "ops.numpy.sin":  # slow: an exit due meanwhile lands in it
            time.sleep(1.0)
        return super().correct(case)


class FaultyTimeout(Honest):
    """ops.numpy.add never answers (the engine must kill the worker)."""

    id = "faulty-timeout"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        time.sleep(600)
        return self.correct(case)


class FaultyShape(Honest):
    """ops.numpy.add answers with an extra leading axis."""

    id = "faulty-shape"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        outcome = self.correct(case)
        outcome.outputs["out"] = outcome.outputs["out"][None]
        return outcome


class FaultyStatus(Honest):
    """ops.numpy.add answers an Outcome whose status the engine does not know."""

    id = "faulty-status"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        return Outcome("garbled", reason="not a status")


class FaultyMissing(Honest):
    """ops.numpy.add names its output "sum" instead of "out"."""

    id = "faulty-missing"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        outcome = self.correct(case)
        return Outcome.ok({"sum": outcome.outputs["out"]})


class FaultyObject(Honest):
    """ops.numpy.add answers an object array, which cannot travel as raw bytes."""

    id = "faulty-object"
    faulty_api = "ops.numpy.add"

    def faulty(self, case: Case) -> Outcome:
        return Outcome("ok", {"out": np.array([object(), None], dtype=object)})


class FaultySymbolic(Honest):
    """Shape inference answers one more element on the last axis than the eager call returns."""

    id = "faulty-symbolic"

    def run(self, case: Case) -> Outcome:
        outcome = super().run(case)
        if case.kind == OP_SYMBOLIC and outcome.status == "ok":
            for name in [n for n in outcome.outputs if n.endswith("@shape")]:
                dims = outcome.outputs[name].copy()
                if dims.size:
                    dims[-1] += 1
                outcome.outputs[name] = dims
        return outcome


class FaultyCompiled(Honest):
    """The compiled call's float outputs are 10% + 0.1 off the eager call's (an optimiser's bug)."""

    id = "faulty-compiled"

    def compile(self, call: Any) -> Any:
        def off(*args: Any) -> Any:
            result = call(*args)
            results = result if isinstance(result, tuple) else (result,)
            shifted = tuple(
                (np.asarray(r, np.float64) * 1.1 + 0.1).astype(np.asarray(r).dtype)
                if np.asarray(r).dtype.kind == "f" or np.asarray(r).dtype.name == "bfloat16" else r
                for r in results)
            return shifted if isinstance(result, tuple) else shifted[0]

        return off


class LegacyGelu(Honest):
    """A Keras 2 stand-in for the migration view: gelu keeps Keras 2's default approximate=False.

    Everything else is Keras 3's answer, so gelu with its default is the one place
    where the two majors disagree, and the change it lists is the cause.
    """

    id = "legacy-gelu"
    keras_major = 2
    faulty_api = "ops.nn.gelu"
    migration_changes: ClassVar[dict[str, list]] = {
        "ops.nn.gelu": [changed_default("approximate", False, True)],
        "ops.nn.leaky_relu": [renamed("negative_slope", "alpha")],
    }

    def faulty(self, case: Case) -> Outcome:
        kwargs = case.params.get("kwargs", {})
        return self.correct(case if "approximate" in kwargs else _with_kwargs(case, approximate=False))


ALL: tuple[type[Honest], ...] = (
    Honest, FaultyAdd, FaultySoftmax, FaultyConv, FaultyEveryOp, FaultyCrash, FaultyLateExit, FaultyTimeout,
    FaultyShape, FaultyStatus, FaultyMissing, FaultyObject, FaultySymbolic, FaultyCompiled, LegacyGelu,
)

#: the value of $KERAS_CONFORMANCE_EXTRA_ADAPTERS that registers every adapter above
REGISTRATION = ",".join(f"{cls.id}=faulty_adapters:{cls.__name__}" for cls in ALL)
