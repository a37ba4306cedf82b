"""Keras 2 counterparts of the top-level ``keras.ops`` math/core functions.

Only two mean the same in ``tf_keras.backend``: ``stop_gradient`` and
``in_top_k`` (arguments swapped). Left absent on purpose: ``K.shape`` returns a
tensor, not a tuple; ``K.switch`` selects elementwise by a condition, not a
branch by an index; ``K.map_fn``/``K.foldl`` would run the case's named
functions, which are written with Keras 3 ``keras.ops``. Keras 2 has no
erf/erfinv/rsqrt/logsumexp/fft/stft/segment/top_k/scatter/slice functions.
"""

from __future__ import annotations

from typing import Any


def _in_top_k(K: Any, A: Any, args: list, kw: dict) -> Any:
    targets, predictions = args
    return K.in_top_k(predictions, targets, kw["k"])


#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.stop_gradient": lambda K, A, a, kw: K.stop_gradient(a[0]),
    "ops.in_top_k": _in_top_k,
}
