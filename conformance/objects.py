"""Keras objects as the unit of a case: the spec kinds for layers, losses, optimizers and fits.

A case carries a Keras object as Keras serializes it (:func:`serialized`), the
weights by variable path, the inputs as a structure (several inputs, masks,
initial states: ``{"args": [...], "kwargs": {...}}``) and a procedure from
the adapter seam (conformance/adapter.py: CALL, CALL_GRAD, APPLY_GRADIENTS,
FIT). A check is an :class:`ObjectCheck`: its procedure, the parameters it
adds to the case, and how it turns the float64 reference into the expected
answer. Adapters never see a check's name; the runner never sees a procedure.

The records live in specs/ (one module per Keras namespace); their strategies
and references in conformance/families/ (layers.py, training.py), composed from
the op references, never from Keras.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance import oracle, strategies, structure
from conformance.adapter import ACCUMULATE, APPLY_GRADIENTS, CALL, CALL_GRAD, FIT, Case
from conformance.spec import Draw, Expected, Spec, symbolic_judge
from conformance.tolerance import GRAD_TOLERANCE, VALUE_TOLERANCE, Tolerance

#: a call's inputs: ``{"args": [...], "kwargs": {...}}``, nested lists/dicts of arrays
CallInputs = dict[str, Any]


def serialized(api: str, config: dict) -> dict:
    """The object ``api`` (``layers.Dense``) with ``config``, as ``keras.saving.serialize_keras_object`` writes it."""
    namespace, class_name = api.rsplit(".", 1)
    module = "keras" if namespace == "models" else f"keras.{namespace}"
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


@dataclasses.dataclass
class LayerResult:
    """What a reference returns when outputs alone do not say it all."""

    outputs: Any  # an array, a tuple/list of arrays or a dict (named as adapters name them)
    state: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # non-trainable, after
    mask: Any = None  # compute_mask's answer, named like the outputs
    #: properties in place of values, by output name (stochastic layers: identity at inference,
    #: the rate in training): given every output of the adapter, a failure message or None
    judges: dict[str, Callable[[dict[str, np.ndarray]], str | None]] = dataclasses.field(default_factory=dict)


#: ``inputs(config, dtype, mode)``: a strategy of the call's inputs; mode is strategies.VALUES,
#: or strategies.GRAD for a gradient check (values away from overflow and saturation)
InputsFactory = Callable[[dict, str, str], st.SearchStrategy]


def one_input(input_shape: Callable[[dict], st.SearchStrategy]) -> InputsFactory:
    """An inputs factory for a layer called on one array, from a factory of its shape."""

    @st.composite
    def draw_inputs(draw: Any, config: dict, dtype: str, mode: str) -> CallInputs:
        shape = tuple(draw(input_shape(config)))
        return {"args": [draw(strategies.arrays(dtype, shape, mode))], "kwargs": {}}

    return draw_inputs


# -- checks -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ObjectCheck:
    """One check of a callable Keras object: the procedure, its parameters, how it expects.

    ``training`` is passed to the call (None: not passed); ``rebuild`` rebuilds the object
    from its own config first; ``gradients`` differentiates a drawn scalar function of the
    outputs with respect to the floating inputs and the trainable weights; ``symbolic``
    judges what a call on symbolic inputs infers (shape, dtype) against the eager call.
    """

    name: str
    training: bool | None = False
    rebuild: str | None = None
    gradients: bool = False
    symbolic: bool = False

    def params(self, spec: CallableSpec) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.training is not None:
            out["training"] = self.training
        if self.rebuild:
            out["rebuild"] = self.rebuild
        if self.symbolic:
            out["inferred"] = True
        if self.training and spec.stateful:
            out["state"] = True
        if spec.masking and not self.gradients and not self.symbolic:
            out["mask"] = True
        return out


FORWARD = ObjectCheck("forward")
TRAINING_FORWARD = ObjectCheck("training_forward", training=True)
CONFIG_ROUND_TRIP = ObjectCheck("config_round_trip", rebuild="config")
GRADIENTS = ObjectCheck("grad", gradients=True)
#: shape inference: the layer called on KerasTensors (as in a functional model) against the eager call
SYMBOLIC = ObjectCheck("symbolic", symbolic=True)
#: a layer's default checks and shape inference: what a layer family passes once triaged
LAYER_CHECKS_WITH_SYMBOLIC = (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP, GRADIENTS, SYMBOLIC)
#: a loss is called without ``training``
LOSS_VALUES = ObjectCheck("values", training=None)
LOSS_CONFIG_ROUND_TRIP = ObjectCheck("config_round_trip", training=None, rebuild="config")
LOSS_GRADIENTS = ObjectCheck("grad", training=None, gradients=True)


Reference = Callable[[dict, dict, CallInputs, bool], Any]
Conditioning = Callable[[dict, dict, CallInputs, Any], Any]


@dataclasses.dataclass
class CallableSpec(Spec):
    """A Keras object called on inputs: a layer, a loss (PyTorch's ``ModuleInfo`` in spirit).

    ``config(dtype)`` draws a JSON-able config; ``inputs(config, dtype, mode)`` the call's
    inputs; ``weights(config, inputs)`` names each variable's key and shape (the engine
    draws every one, never a backend's initializer); ``reference(config, weights,
    inputs, training)`` is the float64 answer: an array, a tuple/dict of them, or a
    :class:`LayerResult` with the state after the call and the mask;
    ``conditioning(config, weights, inputs, reference outputs)`` the tolerance scale
    (an array for a single output, or a dict by output name).
    """

    api: str
    config: Callable[[str], st.SearchStrategy]
    inputs: InputsFactory
    reference: Reference
    weights: Callable[[dict, CallInputs], dict[str, tuple[int, ...]]] = lambda config, inputs: {}
    dtypes: tuple[str, ...] = ("float32", "float64")
    conditioning: Conditioning | None = None
    checks_: tuple[ObjectCheck, ...] = (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP)
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    signed_zeros: bool = True  # False: a zero formed by cancellation may carry either sign
    #: the training-mode check also compares the non-trainable weights after the call
    stateful: bool = False
    #: the forward checks also compare ``compute_mask``'s answer
    masking: bool = False
    #: floatx set to the case's dtype while the object is built and called (a loss computes in floatx)
    floatx: bool = False
    #: weights whose drawn values are made positive (|w| + 0.1): a variance, a scale that divides
    positive_weights: tuple[str, ...] = ()
    #: weights that are not trainable (moving statistics): no gradient is expected for them
    non_trainable_weights: tuple[str, ...] = ()
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api
        self._checks = {c.name: c for c in self.checks_}

    def checks(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def draw(self, check: str) -> st.SearchStrategy:
        chosen = self._checks[check]

        @st.composite
        def draw_case(draw: Any) -> Draw:
            dtype = draw(st.sampled_from(list(self.dtypes)))
            config = {**draw(self.config(dtype)), **({"dtype": dtype} if self.api.startswith("layers.") else {})}
            mode = strategies.GRAD if chosen.gradients else strategies.VALUES
            inputs = draw(self.inputs(config, dtype, mode))
            weights = strategies.weights(draw, self.weights(config, inputs), dtype)
            for key in set(self.positive_weights) & set(weights):
                weights[key] = (np.abs(weights[key].astype(np.float64)) + 0.1).astype(weights[key].dtype)
            seed = draw(st.integers(0, 2**32 - 1)) if chosen.gradients else 0
            drawn = self.prepare(chosen, config, inputs, weights, dtype, seed)
            drawn.dtype = dtype
            return drawn

        return draw_case()

    def prepare(self, check: ObjectCheck, config: dict, inputs: CallInputs, weights: dict,
                dtype: str, seed: int = 0) -> Draw:
        params: dict[str, Any] = {"object": serialized(self.api, config), "weights": dict(weights),
                                  "inputs": inputs, **check.params(self)}
        if self.floatx:
            params["floatx"] = dtype
        wide_inputs = structure.map_leaves(inputs, lambda _, a: oracle.to_oracle(a))
        wide_weights = {k: oracle.to_oracle(v) for k, v in weights.items()}
        training = bool(check.training)
        result = self._reference(config, wide_weights, wide_inputs, training)
        outputs = {n: r for n, r in structure.output_names(result.outputs).items() if n not in result.judges}
        if check.gradients:
            return self._gradient_draw(check, params, config, inputs, weights, outputs, training, seed)
        if check.symbolic:
            return Draw(Case(CALL, self.api, check.name, [], params),
                        {name: Expected(np.asarray(ref), None, None, {}, judge=symbolic_judge(name))
                         for name, ref in outputs.items()})
        with np.errstate(all="ignore"):
            scale = (self.conditioning(config, wide_weights, wide_inputs, result.outputs)
                     if self.conditioning else None)
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        expected = {}
        for name, ref in outputs.items():
            ref = np.asarray(ref)
            part = scale.get(name) if isinstance(scale, dict) else scale
            expected[name] = Expected(ref, dtype if ref.dtype.kind == "f" else None, part, tolerance,
                                      self.signed_zeros)
        if params.get("mask"):
            for name, ref in structure.output_names(result.mask, "mask").items():
                expected[name] = Expected(np.asarray(ref), None, None, tolerance)
        for name, judge in result.judges.items():
            expected[name] = Expected(np.zeros(()), None, None, {}, judge=judge)
        if params.get("state"):
            for key, ref in result.state.items():
                ref = np.asarray(ref, np.float64)
                expected[structure.STATE + key] = Expected(
                    ref, dtype, np.abs(ref) + np.mean(np.abs(ref)), tolerance, False)
        return Draw(Case(CALL, self.api, check.name, [], params), expected)

    def _reference(self, config: dict, weights: dict, inputs: CallInputs, training: bool) -> LayerResult:
        with np.errstate(all="ignore"):
            result = self.reference(config, weights, inputs, training)
        return result if isinstance(result, LayerResult) else LayerResult(result)

    def _gradient_draw(self, check: ObjectCheck, params: dict, config: dict, inputs: CallInputs,
                       weights: dict, outputs: dict[str, Any], training: bool, seed: int) -> Draw:
        """Expected gradients of sum(output * cotangent) by central differences on the reference."""
        float_outputs = {n: np.asarray(r) for n, r in outputs.items() if np.asarray(r).dtype.kind == "f"}
        dtype = params["object"]["config"].get("dtype") or _first_float_dtype(inputs)
        cotangents = {name: strategies.fill(dtype, np.shape(ref), "normal", seed + i)
                      for i, (name, ref) in enumerate(sorted(float_outputs.items()))}
        params["cotangents"] = cotangents
        diff = [(path, a) for path, a in structure.leaves(inputs) if strategies.is_float(a.dtype.name)]
        keys = sorted(k for k in weights if k not in self.non_trainable_weights)
        fixed = {k: oracle.to_oracle(v) for k, v in weights.items() if k in self.non_trainable_weights}
        primals = [oracle.to_oracle(a) for _, a in diff] + [oracle.to_oracle(weights[k]) for k in keys]
        wide_cot = {n: c.astype(np.float64) for n, c in cotangents.items()}
        count = len(diff)
        by_path_index = {path: i for i, (path, _) in enumerate(diff)}

        def objective(*values: np.ndarray) -> np.ndarray:
            wide_inputs = structure.map_leaves(
                inputs, lambda path, a: values[by_path_index[path]] if path in by_path_index
                else oracle.to_oracle(a))
            wide_weights = {**fixed, **dict(zip(keys, values[count:]))}
            named = structure.output_names(self._reference(config, wide_weights, wide_inputs, training).outputs)
            return np.asarray(sum(np.sum(np.asarray(named[n], np.float64) * c) for n, c in wide_cot.items()))

        with np.errstate(all="ignore"):
            grads = oracle.numerical_vjp(objective, primals, list(range(len(primals))), np.ones(()))
        names = [structure.INPUT_GRAD + p for p, _ in diff] + [structure.WEIGHT_GRAD + k for k in keys]
        expected = {}
        for name, g, source in zip(names, grads, [a for _, a in diff] + [weights[k] for k in keys]):
            scale = np.abs(g) + np.mean(np.abs(g)) if g.size else None
            expected[name] = Expected(g, source.dtype.name, scale, GRAD_TOLERANCE, False)
        return Draw(Case(CALL_GRAD, self.api, check.name, [], params), expected)


def _first_float_dtype(inputs: CallInputs) -> str:
    for _, array in structure.leaves(inputs):
        if strategies.is_float(array.dtype.name):
            return array.dtype.name
    return "float32"


def LayerSpec(api: str, config: Callable[[str], st.SearchStrategy], inputs: InputsFactory,
              weights: Callable[[dict, CallInputs], dict[str, tuple[int, ...]]], reference: Reference,
              **options: Any) -> CallableSpec:
    """A ``keras.layers`` class: forward, training-mode forward, config round trip and gradients
    (w.r.t. the inputs and every trainable weight) by default."""
    options.setdefault("checks_", (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP, GRADIENTS))
    return CallableSpec(api, config, inputs, reference, weights, **options)


def LossSpec(api: str, config: Callable[[str], st.SearchStrategy], inputs: InputsFactory,
             reference: Reference, **options: Any) -> CallableSpec:
    """A ``keras.losses`` class called as ``loss(y_true, y_pred, sample_weight)``; computed in floatx."""
    options.setdefault("checks_", (LOSS_VALUES, LOSS_CONFIG_ROUND_TRIP, LOSS_GRADIENTS))
    options.setdefault("floatx", True)
    return CallableSpec(api, config, inputs, reference, **options)


def LossFunctionSpec(api: str, inputs: InputsFactory, reference: Reference, **options: Any) -> CallableSpec:
    """A ``keras.losses`` function (``mean_squared_error``): called as ``fn(y_true, y_pred)``, per
    sample, unreduced; it has no config to round-trip. Computed in floatx."""
    options.setdefault("checks_", (LOSS_VALUES, LOSS_GRADIENTS))
    options.setdefault("floatx", True)
    return CallableSpec(api, lambda dtype: st.just({}), inputs, reference, **options)


# -- optimizers, given the gradients -------------------------------------------------------------
def _in_a_dtype(dtypes: tuple[str, ...], config: Callable[[str], st.SearchStrategy],
                body: Callable[[Any, str, dict], Draw]) -> st.SearchStrategy:
    """Draws a dtype, then a config for it, then the rest of the case with ``body``."""

    @st.composite
    def draw_case(draw: Any) -> Draw:
        dtype = draw(st.sampled_from(list(dtypes)))
        drawn = body(draw, dtype, draw(config(dtype)))
        drawn.dtype = dtype
        return drawn

    return draw_case()


def _training_expected(refs: dict[str, np.ndarray], dtype: str, tolerance: dict[str, Tolerance],
                       scales: dict[str, np.ndarray] | None = None) -> dict[str, Expected]:
    """Weights after steps are sums of many terms: by default the scale is floored by their
    typical size; a spec's conditioning gives it per weight instead."""
    expected = {}
    for name, ref in refs.items():
        ref = np.asarray(ref, dtype=np.float64)
        scale = scales[name] if scales is not None else np.abs(ref) + np.mean(np.abs(ref))
        expected[name] = Expected(ref, dtype, scale, tolerance, False)
    return expected


@dataclasses.dataclass
class OptimizerSpec(Spec):
    """A ``keras.optimizers`` class applied to drawn variables with drawn gradients, step by step.

    The optimizer is judged alone (PyTorch's ``OptimizerInfo`` in spirit):
    ``config(dtype)`` draws its config, ``variables(config)`` the variables' names and
    shapes, ``reference(config, variables, gradients)`` returns every variable after
    each step (``step<k>:<name>``, conformance/structure.py).
    """

    api: str
    config: Callable[[str], st.SearchStrategy]
    variables: Callable[[dict], st.SearchStrategy]
    reference: Callable[[dict, dict[str, np.ndarray], list[dict[str, np.ndarray]]], dict[str, np.ndarray]]
    #: ``conditioning(config, variables, gradients)``: the scale of each ``step<k>:<name>``
    #: (the sum of the magnitudes of what the update adds, through its conditioning)
    conditioning: Callable[[dict, dict[str, np.ndarray], list[dict[str, np.ndarray]]],
                           dict[str, np.ndarray]] | None = None
    steps: int = 3
    dtypes: tuple[str, ...] = ("float32", "float64")
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    def checks(self) -> tuple[str, ...]:
        return ("steps",)

    def draw(self, check: str) -> st.SearchStrategy:
        def body(draw: Any, dtype: str, config: dict) -> Draw:
            shapes = draw(self.variables(config))
            variables = strategies.weights(draw, shapes, dtype)
            gradients = [strategies.weights(draw, shapes, dtype) for _ in range(self.steps)]
            return self.prepare(check, config, variables, gradients, dtype)

        return _in_a_dtype(self.dtypes, self.config, body)

    def prepare(self, check: str, config: dict, variables: dict, gradients: list[dict], dtype: str) -> Draw:
        params = {"object": serialized(self.api, config), "variables": variables,
                  "gradients": gradients, "floatx": dtype}
        wide = {k: oracle.to_oracle(v) for k, v in variables.items()}
        wide_grads = [{k: oracle.to_oracle(v) for k, v in step.items()} for step in gradients]
        refs = self.reference(config, wide, wide_grads)
        scales = self.conditioning(config, wide, wide_grads) if self.conditioning else None
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        return Draw(Case(APPLY_GRADIENTS, self.api, check, [], params),
                    _training_expected(refs, dtype, tolerance, scales))


# -- a model fitted with model.fit -----------------------------------------------------------
@dataclasses.dataclass
class FitSpec(Spec):
    """A short ``model.fit`` whose weights after each training batch are judged.

    ``scenario()`` draws a JSON-able scenario with its ``dtype``; ``model(scenario)``
    gives the model as Keras serializes it; ``compile(scenario)`` the optimizer, loss
    and metrics; ``fit(scenario)`` the fit arguments (batch_size, epochs; never
    shuffled); ``weights(scenario)`` the variables' keys and shapes; ``data(scenario)``
    the shapes of x and y; ``reference(scenario, weights, x, y)`` the weights after
    each step (``step<k>:<key>``).
    """

    api: str
    scenario: Callable[[], st.SearchStrategy]
    model: Callable[[dict], dict]
    compile: Callable[[dict], dict]
    fit: Callable[[dict], dict]
    weights: Callable[[dict], dict[str, tuple[int, ...]]]
    data: Callable[[dict], tuple[tuple[int, ...], tuple[int, ...]]]
    reference: Callable[[dict, dict, np.ndarray, np.ndarray], dict[str, np.ndarray]]
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or f"{self.api}.fit"

    def checks(self) -> tuple[str, ...]:
        return ("fit_steps",)

    def draw(self, check: str) -> st.SearchStrategy:
        @st.composite
        def draw_fit(draw: Any) -> Draw:
            scenario = draw(self.scenario())
            dtype = scenario["dtype"]
            x_shape, y_shape = self.data(scenario)
            x = draw(strategies.arrays(dtype, x_shape, strategies.GRAD))
            y = draw(strategies.arrays(dtype, y_shape, strategies.GRAD))
            weights = strategies.weights(draw, self.weights(scenario), dtype)
            drawn = self.prepare(check, scenario, weights, x, y)
            drawn.dtype = dtype
            return drawn

        return draw_fit()

    def prepare(self, check: str, scenario: dict, weights: dict, x: np.ndarray, y: np.ndarray) -> Draw:
        params = {"object": self.model(scenario), "weights": dict(weights), "compile": self.compile(scenario),
                  "fit": self.fit(scenario), "data": {"x": x, "y": y}, "floatx": scenario["dtype"]}
        wide = {k: oracle.to_oracle(v) for k, v in weights.items()}
        refs = self.reference(scenario, wide, oracle.to_oracle(x), oracle.to_oracle(y))
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        return Draw(Case(FIT, self.api, check, [], params), _training_expected(refs, scenario["dtype"], tolerance))


# -- metrics, accumulated over batches ---------------------------------------------------------
@dataclasses.dataclass
class MetricSpec(Spec):
    """A ``keras.metrics`` class updated with several batches, its result judged after each.

    ``batches(config, dtype)`` draws a list of ``update_state`` inputs
    (``{"args": [y_true, y_pred], "kwargs": {"sample_weight": ...}}``);
    ``reference(config, batches)`` returns ``result<k>`` after batch k and
    ``after_reset`` (the first batch again after ``reset_state()``);
    ``conditioning(config, batches, refs)`` the scale of each, by name.
    """

    api: str
    config: Callable[[str], st.SearchStrategy]
    batches: Callable[[dict, str], st.SearchStrategy]
    reference: Callable[[dict, list[CallInputs]], dict[str, np.ndarray]]
    conditioning: Callable[[dict, list[CallInputs], dict[str, np.ndarray]], dict[str, np.ndarray]] | None = None
    dtypes: tuple[str, ...] = ("float32", "float64")
    tolerance: dict[str, Tolerance] = dataclasses.field(default_factory=dict)
    name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.api

    def checks(self) -> tuple[str, ...]:
        return ("accumulate",)

    def draw(self, check: str) -> st.SearchStrategy:
        return _in_a_dtype(self.dtypes, self.config, lambda draw, dtype, config: self.prepare(
            check, config, draw(self.batches(config, dtype)), dtype))

    def prepare(self, check: str, config: dict, batches: list[CallInputs], dtype: str) -> Draw:
        params = {"object": serialized(self.api, config), "batches": batches, "floatx": dtype}
        wide = [structure.map_leaves(b, lambda _, a: oracle.to_oracle(a)) for b in batches]
        with np.errstate(all="ignore"):
            refs = self.reference(config, wide)
            scales = self.conditioning(config, wide, refs) if self.conditioning else None
        tolerance = {**VALUE_TOLERANCE, **self.tolerance}
        expected = {}
        for name, ref in refs.items():
            ref = np.asarray(ref, dtype=np.float64)
            scale = scales[name] if scales is not None else np.abs(ref)
            expected[name] = Expected(ref, dtype, scale, tolerance)
        return Draw(Case(ACCUMULATE, self.api, check, [], params), expected)
