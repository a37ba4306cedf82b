"""The ``ops.nn`` family: float64 references and argument strategies shared by its specs.

References follow Keras 3's documented semantics (defaults such as
``epsilon = keras.backend.epsilon() = 1e-7``, ``"same"`` padding, layouts);
nothing here calls a backend. Elementwise activations propagate NaN (a NaN
input is neither above nor below a threshold). Strategies keep gradient
inputs away from kinks, as ``strategies.binary`` keeps ties out of ``maximum``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import special

from conformance import oracle
from conformance.strategies import (
    GRAD,
    SPECIAL,
    VALUES,
    ArgsFactory,
    arrays,
    axis_for,
    composite,
    fill,
    is_float,
    shapes,
)
from conformance.wire import dtype_from_name

EPSILON = 1e-7  # keras.backend.epsilon(), the default of every epsilon below
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _nan_kept(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), x, y)


# -- activations ------------------------------------------------------------------
def celu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0) / alpha)


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x >= 0, x, alpha * np.expm1(x))


def selu(x: np.ndarray) -> np.ndarray:
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))


def glu(x: np.ndarray, axis: int = -1) -> np.ndarray:
    a, b = np.split(x, 2, axis=axis)
    return a * special.expit(b)


def hard_shrink(x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    return _nan_kept(x, np.where(np.abs(x) > threshold, x, 0.0))


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Keras 3: relu6(x + 3) / 6 (Keras 2's was clip(0.2 x + 0.5, 0, 1))."""
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


def hard_swish(x: np.ndarray) -> np.ndarray:
    return x * hard_sigmoid(x)


def hard_tanh(x: np.ndarray) -> np.ndarray:
    return np.clip(x, -1.0, 1.0)


def leaky_relu(x: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    return np.where(x >= 0, x, negative_slope * x)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0)


def soft_shrink(x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    return _nan_kept(x, np.where(x > threshold, x - threshold, np.where(x < -threshold, x + threshold, 0.0)))


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def softsign(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.abs(x))


def sparse_plus(x: np.ndarray) -> np.ndarray:
    return np.where(x <= -1, 0.0, np.where(x < 1, (x + 1) ** 2 / 4, x))


def sparse_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))


def squareplus(x: np.ndarray, b: float = 4) -> np.ndarray:
    return (x + np.sqrt(x * x + b)) / 2


def swish(x: np.ndarray) -> np.ndarray:
    return x * special.expit(x)


def tanh_shrink(x: np.ndarray) -> np.ndarray:
    return x - np.tanh(x)


def threshold(x: np.ndarray, threshold: float, default_value: float) -> np.ndarray:
    return _nan_kept(x, np.where(x > threshold, x, default_value))


def sparsemax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Euclidean projection onto the simplex along ``axis`` (Martins & Astudillo, 2016)."""
    z = np.moveaxis(x, axis, -1)
    ordered = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cumulative = np.cumsum(ordered, axis=-1)
    support = 1 + k * ordered > cumulative
    size = np.sum(support, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, np.maximum(size - 1, 0), axis=-1) - 1) / np.maximum(size, 1)
    out = np.maximum(z - tau, 0.0)
    out = np.where(np.isnan(z).any(axis=-1, keepdims=True), np.nan, out)  # NaN poisons its slice's tau
    return np.moveaxis(out, -1, axis)


#: Points where each activation's derivative jumps, as a function of its keyword arguments.
KINKS: dict[str, Callable[[dict], list[float]]] = {
    "elu": lambda kw: [0.0], "celu": lambda kw: [0.0], "selu": lambda kw: [0.0],
    "leaky_relu": lambda kw: [0.0], "relu6": lambda kw: [0.0, 6.0], "hard_tanh": lambda kw: [-1.0, 1.0],
    "hard_sigmoid": lambda kw: [-3.0, 3.0], "hard_swish": lambda kw: [-3.0, 3.0],
    "sparse_sigmoid": lambda kw: [-1.0, 1.0], "sparse_plus": lambda kw: [-1.0, 1.0],
    "softsign": lambda kw: [0.0],
    "hard_shrink": lambda kw: [-kw.get("threshold", 0.5), kw.get("threshold", 0.5)],
    "soft_shrink": lambda kw: [-kw.get("threshold", 0.5), kw.get("threshold", 0.5)],
    "threshold": lambda kw: [kw["threshold"]],
    "squareplus": lambda kw: [0.0],
}


def away_from(x: np.ndarray, kinks: Sequence[float], gap: float = 0.05) -> np.ndarray:
    """``x`` with every element within ``gap`` of a kink moved ``gap`` past it (gradient mode)."""
    wide = x.astype(np.float64)
    for k in kinks:
        near = np.abs(wide - k) < gap
        wide = np.where(near, k + gap * np.where(wide >= k, 1.0, -1.0), wide)
    return wide.astype(x.dtype)


def activation_args(kinks: Callable[[dict], list[float]] | None = None,
                    **params: st.SearchStrategy) -> ArgsFactory:
    """One array and drawn keyword ``params`` (each left out or given); gradient inputs avoid kinks."""

    def draw_activation(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        x = draw(arrays(dtype, shapes(mode), mode))
        kwargs = {name: draw(s) for name, s in params.items()}
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if mode == GRAD and kinks is not None:
            x = away_from(x, kinks(kwargs))
        return [x], kwargs

    return composite(draw_activation)


def axis_activation_args(even: bool = False) -> ArgsFactory:
    """One non-empty array and an int ``axis`` (``even``: that axis has an even length, for glu)."""

    def draw_axis(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = list(draw(shapes(VALUES if mode == SPECIAL else mode, max_dims=3, max_side=4)))
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        if even:
            shape[axis] *= 2
        x = draw(arrays(dtype, tuple(shape), mode))
        kwargs = {} if axis == -1 and draw(st.booleans()) else {"axis": axis}
        return [x], kwargs

    return composite(draw_axis)


# -- losses -------------------------------------------------------------------------
def _probabilities(values: np.ndarray) -> np.ndarray:
    """Values folded into [0.01, 0.99]: no probability reaches the epsilon clip."""
    return 0.01 + 0.98 * (np.abs(np.tanh(values)))


def binary_crossentropy(target: np.ndarray, output: np.ndarray, from_logits: bool = False) -> np.ndarray:
    if from_logits:
        return target * np.logaddexp(0.0, -output) + (1 - target) * np.logaddexp(0.0, output)
    o = np.clip(output, EPSILON, 1 - EPSILON)
    return -(target * np.log(o) + (1 - target) * np.log(1 - o))


def _log_probabilities(output: np.ndarray, from_logits: bool, axis: int) -> np.ndarray:
    if from_logits:
        shifted = output - np.max(output, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    o = output / np.sum(output, axis=axis, keepdims=True)
    return np.log(np.clip(o, EPSILON, 1 - EPSILON))


def categorical_crossentropy(target: np.ndarray, output: np.ndarray, from_logits: bool = False,
                             axis: int = -1) -> np.ndarray:
    if target.shape != output.shape:
        raise ValueError(f"target {target.shape} and output {output.shape} differ")
    return -np.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target: np.ndarray, output: np.ndarray, from_logits: bool = False,
                                    axis: int = -1) -> np.ndarray:
    onehot = (target[..., None] == np.arange(output.shape[-1])).astype(np.float64)
    return -np.sum(onehot * _log_probabilities(output, from_logits, -1), axis=-1)


def loss_args(kind: str) -> ArgsFactory:
    """``target, output`` of a cross-entropy, ``from_logits`` drawn (left out or given).

    Probabilities lie in [0.01, 0.99] (normalised by the sum for categorical ones):
    the clip at ``epsilon`` is rounded differently at each precision. In special mode
    probabilities keep their special values out (NaN/inf go into the target), logits carry them.
    """

    def draw_loss(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        from_logits = draw(st.sampled_from([None, False, True]))
        min_dims = 0 if kind == "binary" else 1
        shape = draw(shapes(VALUES if mode == SPECIAL else mode, min_dims=min_dims, max_dims=3, max_side=5))
        axis = -1
        if kind != "binary":  # at least two classes: one class normalises to 1 and meets the clip
            axis = draw(st.integers(-len(shape), len(shape) - 1)) if kind == "categorical" else -1
            shape = list(shape)
            shape[axis] = max(shape[axis], 2)
            shape = tuple(shape)
        out_mode = mode if from_logits else (VALUES if mode == SPECIAL else mode)
        output = draw(arrays(dtype, shape, out_mode))
        if not from_logits:
            output = _probabilities(output.astype(np.float64)).astype(output.dtype)
        if kind == "sparse":
            seed = draw(st.integers(0, 2**32 - 1))
            tdtype = draw(st.sampled_from(["int32", "int64"]))
            target = np.random.default_rng(seed).integers(0, shape[-1], size=shape[:-1]).astype(tdtype)
        else:
            target = draw(arrays(dtype, shape, mode))
            if mode != SPECIAL:
                wide = np.abs(np.tanh(target.astype(np.float64)))
                if kind == "categorical":  # a distribution, as documented (TF's logits gradient assumes it)
                    wide = (wide + 0.01) / np.sum(wide + 0.01, axis=axis, keepdims=True)
                target = wide.astype(target.dtype)
        kwargs: dict[str, Any] = {} if from_logits is None else {"from_logits": from_logits}
        if kind != "binary" and (axis != -1 or draw(st.booleans())):
            kwargs["axis"] = axis
        return [target, output], kwargs

    return composite(draw_loss)


def loss_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """A cross-entropy sums target * log p: each term rounds at |target * log p|, logits at |x|."""
    target, output = (np.abs(np.asarray(a, dtype=np.float64)) for a in args)
    axis = kwargs.get("axis", -1)
    from_logits = kwargs.get("from_logits", False)
    if target.shape != output.shape:  # sparse: the target picks one class
        target = np.ones_like(output)
    with np.errstate(all="ignore"):
        if from_logits:
            logp = np.abs(_log_probabilities(np.asarray(args[1], dtype=np.float64), True, axis))
            terms = target * (logp + np.abs(output) + 1.0)
        else:
            terms = target * (np.abs(np.log(output)) + 1.0) + (1 + target) * np.abs(np.log1p(-np.minimum(output, 0.99)))
    if ref.shape == terms.shape:
        return np.abs(ref) + terms
    return np.abs(ref) + np.sum(np.nan_to_num(terms, posinf=0.0), axis=axis) * np.sqrt(max(output.shape[axis], 1))


def ctc_loss(target: np.ndarray, output: np.ndarray, target_length: np.ndarray, output_length: np.ndarray,
             mask_index: int = 0) -> np.ndarray:
    """Negative log-likelihood of each label sequence by the CTC forward recursion (log space).

    ``output`` holds logits, normalised with log-softmax over classes; ``mask_index`` is the blank.
    """
    logp = output - np.max(output, axis=-1, keepdims=True)
    logp = logp - np.log(np.sum(np.exp(logp), axis=-1, keepdims=True))
    blank = mask_index % output.shape[-1]
    losses = []
    for b in range(output.shape[0]):
        labels = [int(v) for v in target[b, : int(target_length[b])]]
        ext = [blank]
        for label in labels:
            ext += [label, blank]
        steps = int(output_length[b])
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = logp[b, 0, ext[0]]
        if len(ext) > 1:
            alpha[1] = logp[b, 0, ext[1]]
        for t in range(1, steps):
            new = np.full(len(ext), -np.inf)
            for s, label in enumerate(ext):
                terms = [alpha[s]]
                if s >= 1:
                    terms.append(alpha[s - 1])
                if s >= 2 and label != blank and label != ext[s - 2]:
                    terms.append(alpha[s - 2])
                new[s] = np.logaddexp.reduce(terms) + logp[b, t, label]
            alpha = new
        tail = alpha[-2:] if len(ext) > 1 else alpha[-1:]
        losses.append(-np.logaddexp.reduce(tail))
    return np.array(losses)


def ctc_loss_args() -> ArgsFactory:
    """Labels without the blank, feasible lengths (every label sequence has an alignment).

    ``mask_index`` (the blank) is left out (0), 0, or the last class. ``target`` and the
    lengths are int32; beyond ``target_length`` the labels are padding.
    """

    def draw_ctc(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        small = mode != VALUES
        batch, classes = draw(st.integers(1, 2 if small else 3)), draw(st.integers(2, 4))
        max_label, steps = draw(st.integers(1, 3)), draw(st.integers(1, 4 if small else 6))
        mask = draw(st.sampled_from([None, 0, classes - 1]))
        blank = 0 if mask is None else mask
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        non_blank = [c for c in range(classes) if c != blank]
        target = rng.choice(non_blank, size=(batch, max_label))
        target_length, output_length = [], []
        for b in range(batch):
            length = int(rng.integers(1, max_label + 1))
            need = length + int(np.sum(target[b, 1:length] == target[b, : length - 1]))
            steps = max(steps, need)
            target_length.append(length)
        for b in range(batch):
            length, labels = target_length[b], target[b]
            need = length + int(np.sum(labels[1:length] == labels[: length - 1]))
            output_length.append(int(rng.integers(need, steps + 1)))
        output = draw(arrays(dtype, (batch, steps, classes), mode))
        kwargs = {} if mask is None else {"mask_index": mask}
        return [target.astype(np.int32), output, np.array(target_length, np.int32),
                np.array(output_length, np.int32)], kwargs

    return composite(draw_ctc)


def ctc_decode(inputs: np.ndarray, sequence_lengths: np.ndarray, strategy: str = "greedy",
               beam_width: int = 100, top_paths: int = 1, merge_repeated: bool = True,
               mask_index: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Greedy: best class per step, repeats merged, blanks dropped; score -sum(max logit).

    Beam search: the exact ``top_paths`` most probable labelings (every alignment of
    the log-softmax inputs enumerated), score their log-probability; exact equals
    the beam when ``beam_width`` exceeds the number of prefixes (small cases only).
    Decoded rows are padded with -1 to the number of steps.
    """
    batch, steps, classes = inputs.shape
    blank = classes - 1 if mask_index is None else mask_index % classes
    paths = 1 if strategy == "greedy" else top_paths
    decoded = np.full((paths, batch, steps), -1, dtype=np.int64)
    scores = np.zeros((batch, paths))
    for b in range(batch):
        length = int(sequence_lengths[b])
        if strategy == "greedy":
            best = np.argmax(inputs[b, :length], axis=-1)
            labels = [int(c) for t, c in enumerate(best)
                      if c != blank and not (merge_repeated and t > 0 and c == best[t - 1])]
            decoded[0, b, : len(labels)] = labels
            scores[b, 0] = -np.sum(np.max(inputs[b, :length], axis=-1))
            continue
        logp = inputs[b, :length] - special.logsumexp(inputs[b, :length], axis=-1, keepdims=True)
        totals: dict[tuple[int, ...], float] = {}
        for alignment in itertools.product(range(classes), repeat=length):
            labels = tuple(c for t, c in enumerate(alignment)
                           if c != blank and not (t > 0 and c == alignment[t - 1]))
            score = float(np.sum(logp[np.arange(length), list(alignment)]))
            totals[labels] = np.logaddexp(totals.get(labels, -np.inf), score)
        ranked = sorted(totals.items(), key=lambda item: -item[1])[:paths]
        for p, (labels, score) in enumerate(ranked):
            decoded[p, b, : len(labels)] = labels
            scores[b, p] = score
    return decoded, scores


def ctc_decode_args(strategy: str) -> ArgsFactory:
    """Logits with distinct values per step (no argmax ties) and lengths in [1, steps]."""

    def draw_decode(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        beam = strategy == "beam_search"
        batch, classes = draw(st.integers(1, 3)), draw(st.integers(2, 3 if beam else 5))
        steps = draw(st.integers(1, 4 if beam else 6))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        # a permutation of well separated levels per step: no ties at any precision
        levels = np.stack([rng.permutation(classes) for _ in range(batch * steps)]).astype(np.float64)
        inputs = (levels * 0.75 + rng.uniform(-0.1, 0.1, size=levels.shape)).reshape(batch, steps, classes)
        lengths = rng.integers(1, steps + 1, size=batch).astype(np.int32)
        kwargs: dict[str, Any] = {"strategy": strategy}
        mask = draw(st.sampled_from([None, 0, classes - 1]))
        if mask is not None:
            kwargs["mask_index"] = mask
        if beam:
            kwargs["top_paths"] = draw(st.integers(1, 2))
            kwargs["beam_width"] = 100
        elif draw(st.booleans()):
            kwargs["merge_repeated"] = draw(st.booleans())
        return [inputs.astype(dtype_from_name(dtype)), lengths], kwargs

    return composite(draw_decode)


def psnr(x1: np.ndarray, x2: np.ndarray, max_val: float) -> np.ndarray:
    if x1.shape != x2.shape:
        raise ValueError(f"shapes {x1.shape} and {x2.shape} differ")
    return 20 * np.log10(max_val) - 10 * np.log10(np.mean((x1 - x2) ** 2))


def psnr_args() -> ArgsFactory:
    def draw_psnr(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(VALUES if mode == SPECIAL else mode))
        x1, x2 = draw(arrays(dtype, shape, mode)), draw(arrays(dtype, shape, mode))
        if mode != SPECIAL and np.array_equal(x1, x2):
            x2 = (x2.astype(np.float64) + 0.5).astype(x2.dtype)
        return [x1, x2], {"max_val": draw(st.sampled_from([1.0, 2.0, 255.0]))}

    return composite(draw_psnr)


def psnr_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """10 log10(mse) rounds at ~eps·(|x1| + |x2|)/|x1 - x2| relative in the mse (cancellation)."""
    x1, x2 = (np.asarray(a, dtype=np.float64) for a in args)
    mse = np.mean((x1 - x2) ** 2)
    cross = np.mean((np.abs(x1) + np.abs(x2)) * np.abs(x1 - x2))
    return np.abs(ref) + 10 / np.log(10) * (1 + 2 * cross / mse)


# -- normalisation ----------------------------------------------------------------------
def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    return tuple(sorted(a % ndim for a in (axis if isinstance(axis, (list, tuple)) else (axis,))))


def batch_normalization(x: np.ndarray, mean: np.ndarray, variance: np.ndarray, axis: int,
                        epsilon: float = 1e-3) -> np.ndarray:
    shape = [1] * x.ndim
    shape[axis % x.ndim] = -1
    return (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + epsilon)


def layer_normalization(x: np.ndarray, gamma: np.ndarray | None = None, beta: np.ndarray | None = None,
                        axis: Any = -1, epsilon: float | None = None) -> np.ndarray:
    return oracle.layer_normalization(x, gamma, beta, axis=axis, epsilon=EPSILON if epsilon is None else epsilon)


def rms_normalization(x: np.ndarray, scale: np.ndarray | None = None, axis: Any = -1,
                      epsilon: float | None = None) -> np.ndarray:
    axes = _axes(axis, x.ndim)
    y = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + (EPSILON if epsilon is None else epsilon))
    return y if scale is None else y * scale


def normalize(x: np.ndarray, axis: int = -1, order: int = 2, epsilon: float | None = None) -> np.ndarray:
    """x / max(norm(x), epsilon); order 2 as Keras writes it, x * min(rsqrt(sum x²), 1/epsilon)."""
    epsilon = EPSILON if epsilon is None else epsilon
    if x.ndim == 0:
        x = x[None]
    norm = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return x / np.maximum(norm, epsilon)


def moments(x: np.ndarray, axes: Any, keepdims: bool = False, synchronized: bool = False) -> tuple:
    axes = _axes(axes, x.ndim)
    return np.mean(x, axis=axes, keepdims=keepdims), np.var(x, axis=axes, keepdims=keepdims)


def normalization_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """(x - mean)/std rounds at eps·(|x| + |mean|)/std; times |gamma|, plus |beta| (layer/batch norm)."""
    x = np.asarray(args[0], dtype=np.float64)
    axes = _axes(kwargs.get("axis", -1), x.ndim) if x.ndim else ()
    if len(args) == 3 and kwargs.get("axis") is not None and not isinstance(kwargs["axis"], (list, tuple)):
        shape = [1] * x.ndim
        shape[kwargs["axis"] % x.ndim] = -1
        std = np.sqrt(np.abs(args[2]).reshape(shape) + kwargs.get("epsilon", 1e-3))
        spread = (np.abs(x) + np.abs(args[1]).reshape(shape)) / std
    else:
        std = np.sqrt(np.var(x, axis=axes, keepdims=True) + (kwargs.get("epsilon") or EPSILON))
        spread = (np.abs(x) + np.abs(np.mean(x, axis=axes, keepdims=True))) / std
        rest = [np.abs(np.asarray(a, dtype=np.float64)) for a in args[1:]]
        shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
        if rest:
            spread = spread * rest[0].reshape(shape)
        if len(rest) > 1:
            spread = spread + rest[1].reshape(shape)
    return np.abs(ref) + spread


def moments_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """The mean: sqrt(n)·mean|x|; the variance: sqrt(n)·mean(x²) (it cancels against mean²)."""
    x = np.asarray(args[0], dtype=np.float64)
    axes, keepdims = _axes(kwargs["axes"], x.ndim), kwargs.get("keepdims", False)
    n = max(int(np.prod([x.shape[a] for a in axes])), 1)
    mean = np.mean(x, axis=axes, keepdims=keepdims)
    if np.array_equal(ref, mean, equal_nan=True):
        return np.mean(np.abs(x), axis=axes, keepdims=keepdims) * np.sqrt(n)
    return np.mean(x * x, axis=axes, keepdims=keepdims) * np.sqrt(n) + np.abs(ref)


def normalization_args(kind: str) -> ArgsFactory:
    """Inputs of batch/layer/rms normalization, normalize and moments (axes, optional epsilon).

    layer: ``x[, gamma[, beta]]`` shaped as the normalised axes; rms: ``x[, scale]`` over
    trailing axes; batch: ``x, mean, variance`` on one channel axis (variance > 0).
    """

    def draw_norm(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        shape = draw(shapes(VALUES if mode == SPECIAL else mode, min_dims=1, max_dims=4, max_side=5))
        x = draw(arrays(dtype, shape, mode))
        ndim = len(shape)
        kwargs: dict[str, Any] = {}
        args = [x]
        if kind == "batch":
            axis = draw(st.integers(-ndim, ndim - 1))
            mean = draw(arrays(dtype, (shape[axis],), VALUES if mode == SPECIAL else mode))
            var = draw(arrays(dtype, (shape[axis],), VALUES if mode == SPECIAL else mode))
            var = (np.abs(var.astype(np.float64)) + 0.25).astype(var.dtype)
            args += [mean, var]
            kwargs["axis"] = axis
        elif kind in ("layer", "moments"):
            axis = draw(axis_for(ndim, allow_none=False))
            axes = _axes(axis, ndim)
            if kind == "moments":
                kwargs["axes"] = list(axes) if isinstance(axis, list) else [axes[0]]
                if draw(st.booleans()):
                    kwargs["keepdims"] = draw(st.booleans())
                return args, kwargs
            kwargs["axis"] = axis
            for _ in range(draw(st.integers(0, 2))):
                args.append(draw(arrays(dtype, tuple(shape[a] for a in axes), VALUES if mode == SPECIAL else mode)))
        elif kind == "rms":
            trailing = draw(st.integers(1, min(2, ndim)))
            axis = -1 if trailing == 1 else [ndim - 2, ndim - 1]
            if axis != -1 or draw(st.booleans()):
                kwargs["axis"] = axis
            if draw(st.booleans()):
                args.append(draw(arrays(dtype, tuple(shape[-trailing:]), VALUES if mode == SPECIAL else mode)))
        elif kind == "normalize":
            kwargs["axis"] = draw(st.integers(-ndim, ndim - 1))
            if draw(st.booleans()):
                kwargs["order"] = draw(st.sampled_from([1, 2, 3]))
        if kind != "moments" and draw(st.booleans()):
            kwargs["epsilon"] = draw(st.sampled_from([1e-3, 1e-5, 0.25]))
        return args, kwargs

    return composite(draw_norm)


# -- multi_hot, attention ----------------------------------------------------------------
def multi_hot(inputs: np.ndarray, num_classes: int, axis: int = -1, dtype: str | None = None) -> np.ndarray:
    """1-D inputs: one sample; 2-D: a batch of samples (their index axis reduced)."""
    hot = (inputs[..., None] == np.arange(num_classes)).astype(np.float64)
    return np.max(hot, axis=1 if inputs.ndim > 1 else 0)


def multi_hot_args() -> ArgsFactory:
    def draw_multi_hot(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        num_classes = draw(st.integers(1, 8))
        shape = draw(st.sampled_from([(draw(st.integers(1, 5)),),
                                      (draw(st.integers(1, 4)), draw(st.integers(1, 5)))]))
        values = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(0, num_classes, size=shape)
        kwargs: dict[str, Any] = {"num_classes": num_classes}
        out_dtype = draw(st.sampled_from([None, "float32", "int32", "float16"]))
        if out_dtype is not None:
            kwargs["dtype"] = out_dtype
        return [values.astype(dtype_from_name(dtype))], kwargs

    return composite(draw_multi_hot)


def dot_product_attention(query: np.ndarray, key: np.ndarray, value: np.ndarray, bias: np.ndarray | None = None,
                          mask: np.ndarray | None = None, scale: float | None = None,
                          is_causal: bool = False) -> np.ndarray:
    """softmax(scale · q·k + bias, masked) · v over (B, T, N, H) layouts; scale defaults to 1/sqrt(H)."""
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", query, key) * scale
    if bias is not None:
        logits = logits + bias
    allowed = np.ones(logits.shape, dtype=bool)
    if mask is not None:
        allowed &= np.broadcast_to(mask, logits.shape)
    if is_causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], dtype=bool))
    logits = np.where(allowed, logits, -np.inf)
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(shifted)
    weights = weights / np.sum(weights, axis=-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", weights, value)


def attention_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """A logit rounds at sqrt(H)·scale·|q|·|k|; softmax turns that into a relative error of the
    weights, which the weighted sum of |v| carries to the output."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in args[:3])
    scale = kwargs.get("scale") or 1.0 / np.sqrt(q.shape[-1])
    logit_error = np.sqrt(q.shape[-1]) * abs(scale) * np.einsum("btnh,bsnh->bnts", np.abs(q), np.abs(k))
    if len(args) > 3:
        logit_error = logit_error + np.abs(np.asarray(args[3], dtype=np.float64))
    spread = 1.0 + np.max(np.where(np.isfinite(logit_error), logit_error, 0.0), axis=-1)  # (b, n, t)
    magnitude = np.max(np.abs(v), axis=1)  # (b, n, h)
    return np.abs(ref) + np.einsum("bnt,bnh->btnh", spread, magnitude) * np.sqrt(k.shape[1])


def attention_args(with_bias: bool, with_mask: bool) -> ArgsFactory:
    """(B, T, N, H) query, (B, S, N, H) key and value; bias and bool mask broadcast to (B, N, T, S).

    Every mask row keeps key 0, which causal masking keeps too: no row is fully masked.
    """

    def draw_attention(draw: Any, dtype: str, mode: str) -> tuple[list, dict]:
        small = mode != VALUES
        b, t, s = draw(st.integers(1, 2)), draw(st.integers(1, 3 if small else 4)), draw(
            st.integers(1, 3 if small else 4))
        n, h = draw(st.integers(1, 2)), draw(st.integers(1, 2 if small else 4))
        # with a mask, special values go into value only: a row whose one allowed logit is -inf
        # has no distribution, and a masked key's stand-in logit is implementation-specific
        qk_mode = VALUES if with_mask and mode == SPECIAL else mode
        args = [draw(arrays(dtype, (b, t, n, h), qk_mode)), draw(arrays(dtype, (b, s, n, h), qk_mode)),
                draw(arrays(dtype, (b, s, n, h), mode))]
        full = (b, n, t, s)
        if with_bias or with_mask:
            shape = tuple(d if draw(st.booleans()) else 1 for d in full[:2]) + full[2:]
            bias = draw(arrays(dtype, shape, VALUES if mode == SPECIAL else mode)) if with_bias else \
                np.zeros(shape, dtype=dtype_from_name(dtype))
            args.append(bias)
        if with_mask:
            shape = tuple(d if draw(st.booleans()) else 1 for d in full)
            mask = fill("bool", shape, "normal", draw(st.integers(0, 2**32 - 1)))
            mask[..., 0] = True
            args.append(mask)
        kwargs: dict[str, Any] = {}
        if draw(st.booleans()):
            kwargs["scale"] = draw(st.sampled_from([0.5, 1.0, 0.125]))
        if draw(st.booleans()):
            kwargs["is_causal"] = draw(st.booleans())
        return args, kwargs

    return composite(draw_attention)


def float_only(dtypes: Sequence[str]) -> tuple[str, ...]:
    return tuple(d for d in dtypes if is_float(d))


def ctc_scale(args: Sequence[np.ndarray], kwargs: dict, ref: np.ndarray) -> np.ndarray:
    """A CTC loss sums T log-softmax terms, each rounding at about |logit| + |log p|."""
    output = np.abs(np.asarray(args[1], dtype=np.float64))
    steps = output.shape[1]
    return np.abs(ref) + (np.max(output, axis=(1, 2)) + 1.0) * steps
