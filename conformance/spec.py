"""The spec model: declarative records for ops, layers and training, and the catalog.

A spec is data: the canonical Keras 3 name, a strategy of inputs, a float64
reference, the dtypes, the result-dtype rule, the conditioning that feeds the
tolerance model. ``draw(check)`` gives a hypothesis strategy of :class:`Draw`
objects: the case every adapter receives, and what the oracle expects.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies
from conformance.adapter import LAYER, OP, OP_GRAD, TRAIN, Case
from conformance.tolerance import (
    GRAD_TOLERANCE,
    VALUE_TOLERANCE,
    Conditioning,
    Tolerance,
    elementwise,
)

VALUES, SPECIAL, GRAD = strategies.VALUES, strategies.SPECIAL, strategies.GRAD
FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP = "forward", "training_forward", "config_round_trip"
FIT_STEPS = "fit_steps"


@dataclasses.dataclass
class Expected:
    """The oracle's answer for one named output."""

    ref: np.ndarray
    dtype: str | None  # expected result dtype; None: judged at the returned dtype
    scale: np.ndarray | None
    tolerance: dict[str, Tolerance]
    signed_zeros: bool = True


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
            parts.append(f"  {k}: {v!r}")
        for k, v in c.extra.items():
            parts.append(f"  {k}: {_array_text(v)}")
        return "\n".join(parts)


def _array_text(a: np.ndarray) -> str:
    from conformance.tolerance import describe_array

    return describe_array(a)


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
    if rule == "same":
        return args[0].dtype.name
    return rule


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
    special: bool = True
    signed_zeros: bool = True
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    def checks(self) -> tuple[str, ...]:
        out = [VALUES]
        if self.special and any(strategies.is_float(d) for d in self.dtypes):
            out.append(SPECIAL)
        if self.grad:
            out.append(GRAD)
        return tuple(out)

    def draw(self, check: str) -> st.SearchStrategy:
        mode = check

        @st.composite
        def draw_op(draw: Any) -> Draw:
            dtype = draw(strategies.dtypes_for(mode, self.dtypes))
            args, kwargs = draw(self.args(dtype, mode))
            grad_seed = draw(st.integers(0, 2**32 - 1)) if mode == GRAD else 0
            drawn = self.prepare(check, args, kwargs, grad_seed)
            drawn.dtype = dtype
            return drawn

        return draw_op()

    def prepare(self, check: str, args: list[np.ndarray], kwargs: dict, grad_seed: int = 0) -> Draw:
        params: dict[str, Any] = {"kwargs": kwargs}  # JSON-able; adapters turn lists into tuples
        case = Case(OP, self.api, check, list(args), params)
        if self.reference is None:
            return Draw(case, None)
        wide = [oracle.to_oracle(a) for a in args]
        kwargs_in = kwargs
        kwargs = oracle.tuples(kwargs)
        try:
            with np.errstate(all="ignore"):
                result = self.reference(*wide, **kwargs)
        except Exception as exc:  # the oracle rejects the input: adapters must too
            return Draw(case, None, oracle_error=f"{type(exc).__name__}: {exc}")
        outputs = _named_outputs(result)
        if check != GRAD:
            dtype = _result_dtype(self.result_dtype, args, kwargs_in)
            tolerance = {**VALUE_TOLERANCE, **self.tolerance}
            expected = {}
            for name, ref in outputs.items():
                with np.errstate(all="ignore"):
                    scale = self.conditioning(wide, kwargs, ref) if ref.dtype.kind == "f" else None
                expected[name] = Expected(ref, dtype, scale, tolerance, self.signed_zeros)
            return Draw(case, expected)
        ref = outputs["out"]
        wrt = list(self.grad_wrt if self.grad_wrt is not None else
                   [i for i, a in enumerate(args) if strategies.is_float(a.dtype.name)])
        cotangent = strategies.fill(args[wrt[0] if wrt else 0].dtype.name, ref.shape, "normal", grad_seed)
        case = Case(OP_GRAD, self.api, check, list(args), {"kwargs": kwargs_in, "wrt": wrt},
                    {"cotangent": cotangent})
        with np.errstate(all="ignore"):
            grads = oracle.numerical_vjp(self.reference, wide, wrt, cotangent.astype(np.float64), kwargs)
        expected = {}
        for i, g in zip(wrt, grads):
            scale = np.abs(g) + np.mean(np.abs(g)) if g.size else None
            expected[f"grad{i}"] = Expected(g, args[i].dtype.name, scale, GRAD_TOLERANCE, False)
        return Draw(case, expected)


@dataclasses.dataclass
class LayerSpec(Spec):
    """One ``keras.layers`` class with weights drawn by the engine.

    ``config(dtype)`` draws a JSON-able config; ``input_shape(config)`` a batch
    shape; ``weights(config, input_shape)`` names each variable's path and
    shape; ``reference(config, weights, x)`` is the float64 forward pass.
    """

    api: str
    config: Callable[[str], st.SearchStrategy]
    input_shape: Callable[[dict], st.SearchStrategy]
    weights: Callable[[dict, tuple[int, ...]], dict[str, tuple[int, ...]]]
    reference: Callable[[dict, dict[str, np.ndarray], np.ndarray], np.ndarray]
    dtypes: tuple[str, ...] = ("float32", "float64")
    conditioning: Callable[[dict, dict, np.ndarray, np.ndarray], np.ndarray] | None = None
    checks_: tuple[str, ...] = (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP)
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    signed_zeros: bool = True  # False: a zero formed by cancellation may carry either sign
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    def checks(self) -> tuple[str, ...]:
        return self.checks_

    def draw(self, check: str) -> st.SearchStrategy:
        @st.composite
        def draw_layer(draw: Any) -> Draw:
            dtype = draw(st.sampled_from(list(self.dtypes)))
            config = {**draw(self.config(dtype)), "dtype": dtype}
            shape = tuple(draw(self.input_shape(config)))
            x = draw(strategies.arrays(dtype, shape, VALUES))
            weights = strategies.weights(draw, self.weights(config, shape), dtype)
            drawn = self.prepare(check, config, x, weights)
            drawn.dtype = dtype
            return drawn

        return draw_layer()

    def prepare(self, check: str, config: dict, x: np.ndarray, weights: dict) -> Draw:
        case = Case(LAYER, self.api, check, [x], {"config": config}, dict(weights))
        wide_w = {k: oracle.to_oracle(v) for k, v in weights.items()}
        wide_x = oracle.to_oracle(x)
        ref = np.asarray(self.reference(config, wide_w, wide_x))
        scale = self.conditioning(config, wide_w, wide_x, ref) if self.conditioning else None
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        return Draw(case, {"out": Expected(ref, config["dtype"], scale, tolerance, self.signed_zeros)})


@dataclasses.dataclass
class TrainingSpec(Spec):
    """A short fit whose weights after each step are compared with a NumPy oracle.

    ``scenario()`` draws a JSON-able scenario (model, optimizer arguments,
    steps, dtype); ``weights(scenario)`` the variables' paths and shapes;
    ``data(scenario)`` the shapes of x and y; ``reference(scenario, weights,
    x, y)`` returns ``{"step1/d0/kernel": …, "step1/d0/bias": …}``.
    """

    api: str
    scenario: Callable[[], st.SearchStrategy]
    weights: Callable[[dict], dict[str, tuple[int, ...]]]
    data: Callable[[dict], tuple[tuple[int, ...], tuple[int, ...]]]
    reference: Callable[[dict, dict, np.ndarray, np.ndarray], dict[str, np.ndarray]]
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or f"{self.api}.fit"

    def checks(self) -> tuple[str, ...]:
        return (FIT_STEPS,)

    def draw(self, check: str) -> st.SearchStrategy:
        @st.composite
        def draw_training(draw: Any) -> Draw:
            scenario = draw(self.scenario())
            dtype = scenario["dtype"]
            x_shape, y_shape = self.data(scenario)
            x = draw(strategies.arrays(dtype, x_shape, GRAD))
            y = draw(strategies.arrays(dtype, y_shape, GRAD))
            weights = strategies.weights(draw, self.weights(scenario), dtype)
            drawn = self.prepare(check, scenario, weights, x, y)
            drawn.dtype = dtype
            return drawn

        return draw_training()

    def prepare(self, check: str, scenario: dict, weights: dict, x: np.ndarray, y: np.ndarray) -> Draw:
        case = Case(TRAIN, self.api, check, [x, y], {"scenario": scenario}, dict(weights))
        wide = {k: oracle.to_oracle(v) for k, v in weights.items()}
        refs = self.reference(scenario, wide, oracle.to_oracle(x), oracle.to_oracle(y))
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        dtype = scenario["dtype"]
        expected = {}
        for name, ref in refs.items():
            ref = np.asarray(ref, dtype=np.float64)
            # Weights after a step are sums of many terms: floor the scale by their typical size.
            scale = np.abs(ref) + np.mean(np.abs(ref))
            expected[name] = Expected(ref, dtype, scale, tolerance, False)
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
