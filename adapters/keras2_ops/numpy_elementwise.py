"""Keras 2 counterparts of the elementwise ``keras.ops.numpy`` functions (absolute, trig, comparisons…).

Only functions of ``tf_keras.backend`` with the same meaning are mapped; the
rest of the family (arctan2, bitwise ops, isclose…) has no Keras 2 counterpart.
``minimum`` is mapped in :mod:`core`.
"""

from __future__ import annotations

from typing import Any

from conformance.adapter import Absent

from ._helpers import no_kwargs


def _round(K: Any, A: Any, args: list, kw: dict) -> Any:
    # K.round is tf.round: half to even at 0 decimals; Keras 2 has no decimals argument.
    if kw.get("decimals", 0) != 0:
        raise Absent("tf_keras.backend.round has no decimals argument")
    return K.round(args[0])


#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {
    "ops.numpy.absolute": no_kwargs("abs"),
    "ops.numpy.sin": no_kwargs("sin"),
    "ops.numpy.cos": no_kwargs("cos"),
    "ops.numpy.sign": no_kwargs("sign"),
    "ops.numpy.round": _round,
    "ops.numpy.power": no_kwargs("pow"),
    "ops.numpy.equal": no_kwargs("equal"),
    "ops.numpy.not_equal": no_kwargs("not_equal"),
    "ops.numpy.greater": no_kwargs("greater"),
    "ops.numpy.greater_equal": no_kwargs("greater_equal"),
    "ops.numpy.less": no_kwargs("less"),
    "ops.numpy.less_equal": no_kwargs("less_equal"),
}
