"""The spec model: the op records, what every spec kind shares (Draw, Expected), the catalog.

Specs of Keras objects (layers, losses, optimizers, fits) are in conformance/objects.py.

A spec is data: the canonical Keras 3 name, a strategy of inputs, a float64
reference, the dtypes, the result-dtype rule, the conditioning that feeds the
tolerance model. ``draw(check)`` gives a hypothesis strategy of :class:`Draw`
objects: the case every adapter receives, and what the oracle expects.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, promotion, strategies
from conformance.adapter import OP, OP_COMPILED, OP_GRAD, OP_SHAPES, OP_SYMBOLIC, Case
from conformance.tolerance import (
    GRAD_TOLERANCE,
    VALUE_TOLERANCE,
    Conditioning,
    Tolerance,
    compare,
    doubled,
    elementwise,
)

VALUES, SPECIAL, GRAD = strategies.VALUES, strategies.SPECIAL, strategies.GRAD
DTYPE = "dtype"  # the result dtype alone, over mixed argument dtypes
SYMBOLIC = "symbolic"  # shape inference: the call on KerasTensors against the eager call
COMPILED = "compiled"  # the call compiled (jax.jit, tf.function) against the same call eager


@dataclasses.dataclass
class Expected:
    """The oracle's answer for one named output."""

    ref: np.ndarray
    dtype: str | None  # expected result dtype; None: judged at the returned dtype
    scale: np.ndarray | None
    tolerance: dict[str, Tolerance]
    signed_zeros: bool = True
    values: bool = True  # False: only the shape and ``dtype`` are judged (the dtype check)
    #: a statistical judge (conformance/randomness.py) in place of comparing with ``ref``:
    #: given every named output of the adapter, a failure message or None
    judge: Callable[[dict[str, np.ndarray]], str | None] | None = None


@dataclasses.dataclass
class Draw:
    """One drawn case and the oracle's expectations for it."""

    case: Case
    expected: dict[str, Expected] | None  # None: compare with the reference adapter
    oracle_error: str | None = None  # the oracle raised: every adapter must raise too
    dtype: str | None = None  # the dtype the case was drawn in (known divergences may name it)

    def describe(self) -> str:
        c = self.case
        parts = [f"{c.api} [{c.check}]"]
        for i, a in enumerate(c.args):
            parts.append(f"  arg{i}: {_array_text(a)}")
        for k, v in c.params.items():
            parts.append(f"  {k}: {_value_text(v)}")
        for k, v in c.extra.items():
            parts.append(f"  {k}: {_array_text(v)}")
        return "\n".join(parts)


def _array_text(a: np.ndarray) -> str:
    from conformance.tolerance import describe_array

    return describe_array(a)


def _value_text(value: Any, indent: str = "    ") -> str:
    """A params value: JSON as it is, arrays inside structures (a layer's inputs) as arrays."""
    if isinstance(value, np.ndarray):
        return _array_text(value)
    if isinstance(value, dict) and any(isinstance(v, (np.ndarray, dict, list)) for v in value.values()):
        return "".join(f"\n{indent}{k}: {_value_text(v, indent + '  ')}" for k, v in value.items())
    if isinstance(value, list) and any(isinstance(v, np.ndarray) for v in value):
        return "".join(f"\n{indent}[{i}]: {_value_text(v, indent + '  ')}" for i, v in enumerate(value))
    return repr(value)


class Spec:
    """Base of the three spec kinds."""

    api: str
    name: str
    notes: str
    source_file: str = ""  # the catalog module that defines it (set by catalog())

    def checks(self) -> tuple[str, ...]:
        raise NotImplementedError

    def draw(self, check: str) -> st.SearchStrategy:
        raise NotImplementedError


ResultDtype = str | Callable[[Sequence[str], dict], str | None] | None


def _result_dtype(rule: ResultDtype, args: Sequence[np.ndarray], kwargs: dict) -> str | None:
    if rule is None:
        return None
    if callable(rule):
        return rule([a.dtype.name for a in args], kwargs)
    if rule == "same":  # the promoted dtype of the array arguments
        return promotion.result_type(*(a.dtype.name for a in args))
    return rule


def symbolic_judge(name: str) -> Callable[[dict[str, np.ndarray]], str | None]:
    """Shape inference of output ``name``: the symbolic shape and dtype against the eager call's.

    A None dimension (a size only the data decides, as in ``nonzero``) matches any size.
    """

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        eager = outputs[name]
        inferred, dims = outputs.get(f"{name}@symbolic"), outputs.get(f"{name}@shape")
        if inferred is None or dims is None:
            return f"{name}: the adapter returned no symbolic result"
        shape = tuple(int(d) for d in np.ravel(dims))
        text = "(" + ", ".join("None" if d < 0 else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")
        if len(shape) != eager.ndim or any(d >= 0 and d != e for d, e in zip(shape, eager.shape)):
            return f"{name}: symbolic shape {text}, the eager call returns {eager.shape}"
        if inferred.dtype != eager.dtype:
            return f"{name}: symbolic dtype {inferred.dtype.name}, the eager call returns {eager.dtype.name}"
        return None

    return judge


def compiled_judge(name: str, expected: Expected) -> Callable[[dict[str, np.ndarray]], str | None]:
    """The compiled call's output ``name`` against the eager call's.

    Same shape, dtype, NaN/inf positions and signs of zero; values within twice the
    values check's tolerance, at the oracle's conditioning (two answers that are each
    within tolerance of the oracle can be that far apart). A wrong eager answer is the
    values check's business: here only the compiler's change counts.
    """

    def judge(outputs: dict[str, np.ndarray]) -> str | None:
        eager, compiled = outputs[name], outputs.get(f"{name}@compiled")
        if compiled is None:
            return f"{name}: the adapter returned no compiled result"
        scale = expected.scale if expected.scale is not None and np.shape(expected.scale) in (
            (), eager.shape) else None
        mismatch, _ = compare(compiled, eager, eager.dtype.name, scale,
                              doubled(expected.tolerance.get(eager.dtype.name)), expected.signed_zeros)
        if mismatch is None:
            return None
        return f"{name}: compiled against eager: {mismatch.summary.replace('expected', 'eager')}"

    return judge


def _joined(reference: Callable[..., Any], selected: list[int]) -> Callable[..., np.ndarray]:
    """The reference's selected outputs, flattened and concatenated (one float64 vector)."""
    def joined(*args: Any, **kwargs: Any) -> np.ndarray:
        outputs = reference(*args, **kwargs)
        return np.concatenate([np.ravel(np.asarray(outputs[i], np.float64)) for i in selected])

    return joined


def _named_outputs(result: Any) -> dict[str, np.ndarray]:
    if isinstance(result, tuple):
        return {f"out{i}": np.asarray(r) for i, r in enumerate(result)}
    return {"out": np.asarray(result)}


@dataclasses.dataclass
class OpSpec(Spec):
    """One ``keras.ops`` function."""

    api: str
    args: strategies.ArgsFactory
    reference: Callable[..., Any] | None
    dtypes: tuple[str, ...]
    result_dtype: ResultDtype = "same"
    conditioning: Conditioning = elementwise
    grad: bool = False
    grad_wrt: tuple[int, ...] | None = None  # default: every floating argument
    #: the dtype check recasts these positional arguments to independently drawn
    #: dtypes (default: every argument drawn in the case's dtype); () for none
    mixed_args: tuple[int, ...] | None = None
    special: bool = True
    signed_zeros: bool = True
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    #: the shape-inference check (needs the oracle, which names the outputs)
    symbolic: bool = True
    #: the eager-against-compiled check (needs the oracle for its conditioning)
    compiled: bool = True
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    @property
    def has_dtype_check(self) -> bool:
        return self.result_dtype is not None and self.reference is not None

    def checks(self) -> tuple[str, ...]:
        # symbolic and compiled right after values: they judge its very cases, so a
        # backend that compiles each new shape (eager JAX) still holds their executables
        out = [VALUES]
        if self.symbolic and self.reference is not None:
            out.append(SYMBOLIC)
        if self.compiled and self.reference is not None:
            out.append(COMPILED)
        if self.has_dtype_check:
            out.append(DTYPE)
        if self.special and any(strategies.is_float(d) for d in self.dtypes):
            out.append(SPECIAL)
        if self.grad:
            out.append(GRAD)
        return tuple(out)

    def draw(self, check: str) -> st.SearchStrategy:
        mode = VALUES if check in (SYMBOLIC, COMPILED) else check
        # one argument strategy per dtype, not one per example (see strategies.reusable)
        args_for = functools.lru_cache(maxsize=None)(self.args)

        @st.composite
        def draw_op(draw: Any) -> Draw:
            dtype = draw(strategies.dtypes_for(mode, self.dtypes))
            args, kwargs = draw(args_for(dtype, VALUES if mode == DTYPE else mode))
            if mode == DTYPE:
                args = self._mixed(draw, args, dtype)
            grad_seed = draw(st.integers(0, 2**32 - 1)) if mode == GRAD else 0
            drawn = self.prepare(check, args, kwargs, grad_seed)
            # the dtype check is keyed by the result dtype it expects (divergences.toml's dtypes)
            drawn.dtype = dtype if mode != DTYPE or drawn.expected is None else next(
                iter(drawn.expected.values())).dtype
            return drawn

        return draw_op()

    def _mixed(self, draw: Any, args: list[np.ndarray], dtype: str) -> list[np.ndarray]:
        """Recast the mixable arguments to dtypes drawn independently from the spec's."""
        indices = self.mixed_args if self.mixed_args is not None else [
            i for i, a in enumerate(args) if a.dtype.name == dtype]
        out = list(args)
        for i in indices:
            target = draw(st.sampled_from(self.dtypes))
            out[i] = strategies.recast(out[i], target)
        return out

    def prepare(self, check: str, args: list[np.ndarray], kwargs: dict, grad_seed: int = 0) -> Draw:
        # calling conventions (see adapters/_common.positional): "_pack": [[start, stop], ...]
        # passes each args[start:stop] as one list (concatenate's xs); "_leading": [...] JSON
        # values before the arrays (einsum's subscripts). The reference gets them all flat.
        convention = {key[1:]: kwargs[key] for key in ("_pack", "_leading") if key in kwargs}
        kwargs = {k: v for k, v in kwargs.items() if k not in ("_pack", "_leading")}
        params: dict[str, Any] = {"kwargs": kwargs, **convention}  # JSON-able; adapters turn lists into tuples
        # the dtype check judges shapes and dtypes only: an adapter may answer by abstract evaluation
        case = Case(OP_SHAPES if check == DTYPE else OP, self.api, check, list(args), params)
        if self.reference is None:
            return Draw(case, None)
        wide = [oracle.to_oracle(a) for a in args]
        kwargs_in = kwargs
        kwargs = oracle.tuples(kwargs)
        reference = self.reference
        if "leading" in convention:
            reference = functools.partial(self.reference, *convention["leading"])
        try:
            with np.errstate(all="ignore"):
                result = reference(*wide, **kwargs)
        except Exception as exc:  # the oracle rejects the input: adapters must too
            return Draw(case, None, oracle_error=f"{type(exc).__name__}: {exc}")
        outputs = _named_outputs(result)
        if check == SYMBOLIC:
            case = Case(OP_SYMBOLIC, self.api, check, list(args), params)
            return Draw(case, {name: Expected(ref, None, None, {}, judge=symbolic_judge(name))
                               for name, ref in outputs.items()})
        if check != GRAD:
            dtype = _result_dtype(self.result_dtype, args, kwargs_in)
            if check == DTYPE:
                return Draw(case, {name: Expected(ref, dtype, None, {}, values=False)
                                   for name, ref in outputs.items()})
            # with a dtype check, a wrong promotion is reported there, not here:
            # values are judged at the dtype the adapter returned
            dtype = None if self.has_dtype_check else dtype
            tolerance = {**VALUE_TOLERANCE, **self.tolerance}
            expected = {}
            for name, ref in outputs.items():
                with np.errstate(all="ignore"):
                    # a conditioning that says so also gets the dtype the case was drawn in
                    # (tolerance.Conditioning): it sees the arguments in float64
                    extra = ({"dtype": args[0].dtype.name} if args and getattr(
                        self.conditioning, "needs_dtype", False) else {})
                    scale = (self.conditioning([*convention.get("leading", ()), *wide], kwargs, ref, **extra)
                             if ref.dtype.kind == "f" else None)
                expected[name] = Expected(ref, dtype, scale, tolerance, self.signed_zeros)
            if check == COMPILED:
                case = Case(OP_COMPILED, self.api, check, list(args), params)
                expected = {name: dataclasses.replace(exp, judge=compiled_judge(name, exp))
                            for name, exp in expected.items()}
            return Draw(case, expected)
        wrt = list(self.grad_wrt if self.grad_wrt is not None else
                   [i for i, a in enumerate(args) if strategies.is_float(a.dtype.name)])
        grad_params: dict[str, Any] = {"kwargs": kwargs_in, "wrt": wrt, **convention}
        if "out" in outputs:
            shape = outputs["out"].shape
        else:
            # several outputs: the differentiable ones, flattened and joined into one
            # (adapters join theirs the same way: adapters/_common.split_call)
            selected = [i for i, ref in enumerate(outputs.values()) if ref.dtype.kind == "f"]
            grad_params["grad_outputs"] = selected
            reference = _joined(reference, selected)
            shape = (sum(outputs[f"out{i}"].size for i in selected),)
        cotangent = strategies.fill(args[wrt[0] if wrt else 0].dtype.name, shape, "normal", grad_seed)
        case = Case(OP_GRAD, self.api, check, list(args), grad_params, {"cotangent": cotangent})
        with np.errstate(all="ignore"):
            grads = oracle.numerical_vjp(reference, wide, wrt, cotangent.astype(np.float64), kwargs)
        expected = {}
        for i, g in zip(wrt, grads):
            scale = np.abs(g) + np.mean(np.abs(g)) if g.size else None
            expected[f"grad{i}"] = Expected(g, args[i].dtype.name, scale, GRAD_TOLERANCE, False)
        return Draw(case, expected)


# -- the catalog ---------------------------------------------------------------------
def catalog(package: str = "conformance.specs") -> list[Spec]:
    """Every spec in the catalog: the ``SPECS`` list of each module under specs/."""
    root = importlib.import_module(package)
    found: list[Spec] = []
    names: dict[str, str] = {}
    for info in sorted(pkgutil.walk_packages(root.__path__, prefix=package + "."), key=lambda i: i.name):
        module = importlib.import_module(info.name)
        for spec in getattr(module, "SPECS", ()):
            if spec.name in names:
                raise ValueError(f"spec {spec.name} is defined in {names[spec.name]} and {info.name}")
            names[spec.name] = info.name
            spec.source_file = module.__file__ or ""
            found.append(spec)
    return found
