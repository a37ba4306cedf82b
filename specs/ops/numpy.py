"""Specs of ``keras.ops.numpy``: elementwise, reductions, shape manipulation, matmul."""

from __future__ import annotations

import numpy as np

from conformance.oracle import as_tuple  # noqa: F401
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, binary, positive, unary, with_axis
from conformance.tolerance import reduction_of

NUMERIC = FLOAT_DTYPES + INT_DTYPES

SPECS = [
    OpSpec("ops.numpy.add", binary(), np.add, NUMERIC, grad=True),
    OpSpec("ops.numpy.exp", unary(), np.exp, FLOAT_DTYPES, grad=True),
    OpSpec("ops.numpy.log", unary(positive), np.log, FLOAT_DTYPES, grad=True),
    OpSpec("ops.numpy.sum", with_axis(), np.sum, FLOAT_DTYPES, grad=True, signed_zeros=False,
           conditioning=reduction_of(np.sum)),
]
