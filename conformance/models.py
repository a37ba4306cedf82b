"""A user's own model across implementations: ``keras-conformance model``.

The question users bring: "my model gives other numbers on backend B than on A:
is it Keras, and where?". The model (a ``.keras`` file, an H5 file saved by
tf-keras, or ``module:function`` returning a model) is loaded on every chosen
adapter with ``safe_mode``; every adapter gets the same inputs (the user's
``.npz``, or drawn from the model's input specs: integer inputs below the
smallest Embedding ``input_dim``); each returns every layer's output (the
LAYER_OUTPUTS procedure). The reference is the same model rebuilt in float64 on
the reference adapter (Keras 3 on TensorFlow keeps float64 where the other
backends narrow parts of it to float32), its weights cast from the file's.

Each adapter's layers are judged in model order by the normalised error
``max|got - ref| / max|ref|`` against ``MODEL_RTOL[dtype] x (1 + depth)``
(rounding grows about linearly through well-conditioned layers); the first
layer beyond it is named, with the error at every layer. Nothing here imports
a backend.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from conformance.adapter import LAYER_OUTPUTS, MODEL_INFO, Case, Outcome
from conformance.pool import WorkerPool
from conformance.registry import AdapterInfo

#: the normalised error one layer may add, per dtype: 64 eps of the dtype
MODEL_RTOL = {"float64": 64 * 2.0**-52, "float32": 64 * 2.0**-23, "float16": 64 * 2.0**-10,
              "bfloat16": 64 * 2.0**-7}
API = "models.user_model"


class ModelError(Exception):
    """A bad input: a missing file, a file that is not a model, a factory that does not import."""


@dataclasses.dataclass
class ModelSource:
    """Where the model comes from: a file's bytes, or a factory ``module:function``."""

    label: str
    params: dict[str, Any]

    @classmethod
    def parse(cls, text: str) -> ModelSource:
        if os.path.exists(text):
            suffix = os.path.splitext(text)[1].lower()
            if suffix not in (".keras", ".h5", ".hdf5"):
                raise ModelError(f"{text}: not a .keras or .h5 model file")
            with open(text, "rb") as handle:
                data = np.frombuffer(handle.read(), dtype=np.uint8)
            return cls(text, {"file": data, "suffix": suffix})
        module, colon, function = text.partition(":")
        if colon and module and function and not text.endswith((".keras", ".h5")):
            return cls(text, {"factory": text})
        raise ModelError(f"{text}: no such file (give a .keras or .h5 file, or module:function)")


@dataclasses.dataclass
class LayerError:
    name: str
    error: float  # max |got - ref| / max |ref|; inf where NaN/inf positions or shapes differ
    allowed: float
    note: str = ""

    @property
    def diverged(self) -> bool:
        return not self.error <= self.allowed


@dataclasses.dataclass
class AdapterVerdict:
    adapter: str
    status: str  # pass | diverged | error
    message: str = ""
    dtype: str = ""
    layers: list[LayerError] = dataclasses.field(default_factory=list)
    first_diverging: str | None = None
    #: weights the adapter loaded that differ from the reference's, by path (portability)
    weight_mismatches: list[str] = dataclasses.field(default_factory=list)
    #: where a positional ``set_weights`` of the reference's list would land on this adapter:
    #: (reference's path, this adapter's variable at that position), where the two differ
    positional: list[tuple[str, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ModelReport:
    model: str
    reference: str
    inputs: dict[str, list[int]]
    layers: list[dict[str, str]]
    verdicts: list[AdapterVerdict]

    @property
    def failed(self) -> bool:
        return any(v.status != "pass" for v in self.verdicts)


def draw_inputs(info: dict, seed: int, batch: int = 2) -> dict[str, np.ndarray]:
    """Inputs from the model's input specs: None dims are ``batch`` (first) or 4, floats normal,
    integers in [0, index_limit) (an Embedding's range), booleans fair."""
    rng = np.random.default_rng(seed)
    out = {}
    for i, spec in enumerate(info["inputs"]):
        shape = tuple(batch if d is None and k == 0 else 4 if d is None else d for k, d in enumerate(spec["shape"]))
        dtype = np.dtype(spec["dtype"])
        if dtype.kind == "f":
            values = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            values = rng.integers(0, info.get("index_limit") or 10, size=shape).astype(dtype)
        else:
            values = rng.random(shape) < 0.5
        out[spec.get("name") or f"input{i}"] = values
    return out


def _inputs_param(inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays = list(inputs.values())
    return {"args": [arrays[0] if len(arrays) == 1 else arrays], "kwargs": {}}


def _one(pool: WorkerPool, adapter: str, case: Case) -> Outcome:
    return pool.run({adapter: [case]})[adapter][0]


def normalised_error(got: np.ndarray, ref: np.ndarray) -> tuple[float, str]:
    """max |got - ref| / max |ref| over the finite elements; inf where shapes or non-finite positions differ."""
    if got.shape != ref.shape:
        return float("inf"), f"shape {got.shape}, reference {ref.shape}"
    wide, ref = got.astype(np.float64), ref.astype(np.float64)
    if not np.array_equal(np.isfinite(wide), np.isfinite(ref)):
        return float("inf"), "NaN/inf where the reference has none (or the other way)"
    finite = np.isfinite(ref)
    if not finite.any():
        return 0.0, ""
    scale = float(np.max(np.abs(ref[finite]))) or 1.0
    return float(np.max(np.abs(wide[finite] - ref[finite]))) / scale, ""


def judge(adapter: str, outcome: Outcome, reference: Outcome, layer_names: Sequence[str]) -> AdapterVerdict:
    """One adapter's layers against the float64 reference, in model order."""
    if outcome.status != "ok":
        return AdapterVerdict(adapter, "error" if outcome.status != "absent" else "absent", outcome.reason)
    verdict = AdapterVerdict(adapter, "pass")
    depth = 0
    for name in [*layer_names, None]:  # None: the model's own outputs, last
        keys = sorted(k for k in reference.outputs if k == f"layer:{name}" or k.startswith(f"layer:{name}.")
                      ) if name is not None else sorted(k for k in reference.outputs if k.startswith("out"))
        if not keys:
            continue
        worst, note = 0.0, ""
        dtype = ""
        for key in keys:
            got = outcome.outputs.get(key)
            if got is None:
                worst, note = float("inf"), f"{key} missing"
                break
            dtype = dtype or got.dtype.name
            error, why = normalised_error(got, reference.outputs[key])
            if error > worst or why:
                worst, note = error, why
        verdict.dtype = verdict.dtype or dtype
        allowed = MODEL_RTOL.get(dtype, MODEL_RTOL["float32"]) * (1 + depth)
        verdict.layers.append(LayerError("(model output)" if name is None else name, worst, allowed, note))
        depth += 1
    for layer in verdict.layers:
        if layer.diverged:
            verdict.status, verdict.first_diverging = "diverged", layer.name
            verdict.message = (f"first diverging layer: {layer.name}: error {layer.error:.3g} > allowed "
                               f"{layer.allowed:.3g}" + (f" ({layer.note})" if layer.note else ""))
            break
    ref_weights = {k: v for k, v in reference.outputs.items() if k.startswith("weight:")}
    got_order = [k for k in outcome.outputs if k.startswith("weight:")]
    verdict.positional = [(r[len("weight:"):], g[len("weight:"):]) for r, g in zip(ref_weights, got_order) if r != g]
    for key, ref in ref_weights.items():
        got = outcome.outputs.get(key)
        if got is None or got.shape != ref.shape or not np.allclose(got.astype(np.float64), ref, rtol=1e-6, atol=0):
            verdict.weight_mismatches.append(key[len("weight:"):])
    return verdict


def check_model(source: ModelSource, adapters: Sequence[AdapterInfo], reference: AdapterInfo,
                inputs: dict[str, np.ndarray] | None = None, seed: int = 0, case_timeout: float = 300.0,
                log_dir: str | None = None) -> ModelReport:
    """Load the model on every adapter and on the reference (in float64); judge every layer."""
    infos = {a.id: a for a in [*adapters, reference]}
    pool = WorkerPool(list(infos.values()), case_timeout=case_timeout, log_dir=log_dir)
    try:
        pool.start()
        if reference.id not in pool.workers:
            raise ModelError(f"the reference adapter {reference.id} did not start: "
                             f"{pool.start_errors.get(reference.id, '')}")
        described = _one(pool, reference.id, Case(MODEL_INFO, API, "model", [], dict(source.params)))
        if described.status != "ok":
            raise ModelError(f"{source.label}: {reference.id} cannot load it: {described.reason}")
        info = json.loads(described.outputs["info"].tobytes().decode())
        inputs = inputs if inputs is not None else draw_inputs(info, seed)
        layer_names = [layer["name"] for layer in info["layers"] if layer["class"] != "InputLayer"]
        params = {**source.params, "inputs": _inputs_param(inputs), "return_weights": True}
        if "factory" in params:  # each adapter's initializers would differ: the reference's weights go to all
            built = _one(pool, reference.id, Case(LAYER_OUTPUTS, API, "model", [], params))
            if built.status != "ok":
                raise ModelError(f"{source.label}: {reference.id} cannot build it: {built.reason}")
            params["weights"] = {k[len("weight:"):]: v for k, v in built.outputs.items() if k.startswith("weight:")}
        expected = _one(pool, reference.id, Case(LAYER_OUTPUTS, API, "model", [], {**params, "as_dtype": "float64"}))
        if expected.status != "ok":
            raise ModelError(f"{source.label}: the float64 reference on {reference.id} failed: {expected.reason}")
        live = [a.id for a in adapters if a.id in pool.workers]
        replies = pool.run({a: [Case(LAYER_OUTPUTS, API, "model", [], params)] for a in live}) if live else {}
        verdicts = [judge(a, replies[a][0], expected, layer_names) for a in live]
        verdicts += [AdapterVerdict(a.id, "error", pool.start_errors.get(a.id, "worker did not start"))
                     for a in adapters if a.id not in pool.workers]
        return ModelReport(source.label, reference.id, {k: list(v.shape) for k, v in inputs.items()},
                           info["layers"], verdicts)
    finally:
        pool.close()


def text_lines(report: ModelReport) -> list[str]:
    """What the terminal shows: per adapter, the verdict and, when it diverged, every layer's error."""
    lines = [f"model {report.model}: reference = the model in float64 on {report.reference}; "
             f"inputs {report.inputs}"]
    for v in report.verdicts:
        head = f"  {v.adapter} ({v.dtype or '?'}): {v.status}"
        message = v.message.strip().splitlines()[0][:300] if v.message.strip() else ""
        within = f", {sum(layer.name != '(model output)' for layer in v.layers)} layers and the output within tolerance"
        lines.append(head + (f" - {message}" if message else within))
        if v.status == "diverged":
            for layer in v.layers:
                mark = "  <- first" if layer.name == v.first_diverging else ""
                lines.append(f"      {layer.name:30s} error {layer.error:10.3g}  allowed {layer.allowed:9.3g}{mark}")
        if v.weight_mismatches:
            lines.append(f"      weights that load differently from the reference: {', '.join(v.weight_mismatches[:8])}")
        if v.positional:
            pairs = ", ".join(f"{ref} -> {got}" for ref, got in v.positional[:4])
            lines.append(f"      a positional set_weights from {report.reference} would land elsewhere "
                         f"({len(v.positional)} variables): {pairs}; assign by path")
    return lines


def write(report: ModelReport, directory: str) -> list[str]:
    """model.json, model.md and model.html (with the error through the depth of the model, as SVG)."""
    os.makedirs(directory, exist_ok=True)
    data = dataclasses.asdict(report)
    paths = [os.path.join(directory, name) for name in ("model.json", "model.md", "model.html")]
    with open(paths[0], "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, default=float)
    with open(paths[1], "w", encoding="utf-8") as handle:
        handle.write("# Model conformance\n\n```\n" + "\n".join(text_lines(report)) + "\n```\n")
    with open(paths[2], "w", encoding="utf-8") as handle:
        handle.write(_html(report))
    return paths


def _html(report: ModelReport) -> str:
    width, height, pad = 640, 240, 40
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    depth = max((len(v.layers) for v in report.verdicts), default=1)
    lines, legend = [], []
    for colour, verdict in zip(colours * 4, report.verdicts):
        points = []
        for i, layer in enumerate(verdict.layers):
            error = min(max(layer.error, 1e-17), 1e3)
            x = pad + (width - 2 * pad) * i / max(depth - 1, 1)
            y = pad + (height - 2 * pad) * (3 - np.log10(error)) / 20  # 1e3 at the top, 1e-17 at the bottom
            points.append(f"{x:.1f},{y:.1f}")
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>')
        legend.append(f'<span style="color:{colour}">&#9632; {html.escape(verdict.adapter)} ({verdict.status})</span>')
    svg = (f'<svg width="{width}" height="{height}" role="img" aria-label="error through the depth of the model">'
           f'<text x="4" y="14" font-size="11">normalised error (log10, 1e3 to 1e-17) by layer</text>'
           + "".join(lines) + "</svg>")
    body = html.escape("\n".join(text_lines(report)))
    return (f"<!doctype html><meta charset=utf-8><title>Model conformance: {html.escape(report.model)}</title>"
            f"<h1>Model conformance</h1><p>{' '.join(legend)}</p>{svg}<pre>{body}</pre>")


def command(args: Any) -> int:
    """``keras-conformance model SOURCE``: exit 0 when every adapter agrees with the reference,
    1 when one diverges or cannot run the model, 2 on bad input (one line each)."""
    import sys  # noqa: PLC0415

    from conformance import registry  # noqa: PLC0415

    def fail(message: str) -> int:
        print(f"keras-conformance model: {message}", file=sys.stderr)
        return 2

    try:
        source = ModelSource.parse(args.model)
        known = registry.discover()
        chosen = registry.select(args.adapters, known, warn=lambda line: print(line, file=sys.stderr))
        if not args.adapters:  # Keras 2.3 and the listed-only adapters cannot read a Keras 3 file
            chosen = [a for a in chosen if a.cls is not None and (a.cls.keras_major == 3 or source.params.get(
                "suffix") in (".h5", ".hdf5"))]
        reference_id = args.reference_adapter or next(
            (i for i in ("keras3-tensorflow", "keras3-jax") if i in known and known[i].available), None)
        if reference_id is None or reference_id not in known or not known[reference_id].available:
            return fail(f"the reference adapter {reference_id} is not available (--reference-adapter)")
        inputs = None
        if args.inputs:
            if not os.path.exists(args.inputs):
                return fail(f"{args.inputs}: no such file")
            with np.load(args.inputs) as data:
                inputs = {name: data[name] for name in data.files}
        # the reference adapter is judged too: its own dtype's run against its float64 one
        report = check_model(source, chosen, known[reference_id],
                             inputs=inputs, seed=args.seed, case_timeout=args.case_timeout)
    except (ModelError, registry.ConfigError) as exc:
        return fail(str(exc))
    print("\n".join(text_lines(report)))
    if args.report_dir:
        print(f"report: {', '.join(write(report, args.report_dir))}")
    return 1 if report.failed else 0


def add_parser(sub: Any) -> None:
    """The ``model`` subcommand's arguments (conformance/cli.py registers it)."""
    parser = sub.add_parser("model", help="a user's model on every adapter: the first layer whose output diverges",
                            description=__doc__.split("\n\n")[1].replace("\n", " "))
    parser.add_argument("model", help="a .keras file, an .h5 file saved by tf-keras, or module:function")
    parser.add_argument("--adapters", default=None, help="comma-separated ids (default: every available Keras 3 "
                        "adapter; an .h5 file also every Keras 2 one)")
    parser.add_argument("--reference-adapter", default=None,
                        help="runs the float64 reference (default: keras3-tensorflow, else keras3-jax)")
    parser.add_argument("--inputs", default=None, help="an .npz file of inputs, one array per model input, in order")
    parser.add_argument("--seed", type=int, default=0, help="seed of the drawn inputs")
    parser.add_argument("--case-timeout", type=float, default=300.0)
    parser.add_argument("--report-dir", default="reports", help="writes model.{json,md,html} there ('' for none)")
