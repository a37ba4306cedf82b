"""Specs of ``keras.ops.numpy`` sorting and searching: sort, argsort, argpartition,
argmax/argmin (and NaN-ignoring), searchsorted, digitize, unique.

Ties: the oracle defines the winner. argmax/argmin and the NaN-ignoring ones
return the first occurrence (NumPy, documented by Keras as numpy-compatible);
argsort is judged twice, on values distinct along the axis (``ops.numpy.argsort``:
one answer) and with ties (``ops.numpy.argsort.ties``: the stable order, which
Keras does not document, so a backend breaking ties otherwise is a divergence of
that spec only). argpartition defines only the kth position: its strategy draws
inputs whose partition is unique (see the family module).
"""

from __future__ import annotations

import numpy as np

from conformance import promotion
from conformance.families import reductions as fam
from conformance.spec import OpSpec
from conformance.strategies import with_axis

NUMERIC = fam.NUMERIC
INDEX = promotion.fixed("int32")
ARG_NOTE = "axis an int or None (flattened index); keepdims; ties give the first occurrence"

SPECS = [
    OpSpec("ops.numpy.sort", fam.sort_args(), fam.sort, fam.ALL, grad=True, signed_zeros=False,
           notes="axis an int or None (flattened); ties kept; NaN sorts last; -0.0 and 0.0 in either "
                 "order"),
    OpSpec("ops.numpy.argsort", fam.sort_args(distinct=True), fam.argsort, NUMERIC, result_dtype=INDEX,
           notes="values distinct along the axis (outside special mode), so the answer is unique; "
                 "bool left out (Keras' own tests skip it)"),
    OpSpec("ops.numpy.argsort", fam.sort_args(), fam.argsort, NUMERIC, result_dtype=INDEX,
           name="ops.numpy.argsort.ties",
           notes="ties: the oracle's answer is the stable order (first occurrence first), which "
                 "Keras does not promise; another order of tied indices is recorded as a divergence"),
    OpSpec("ops.numpy.argpartition", fam.argpartition_args(), fam.argpartition, NUMERIC,
           result_dtype=INDEX, special=False,
           notes="only inputs with a unique partition (axis of 1 or 2, or 3 with kth=1; distinct "
                 "values): the engine compares indices exactly and has no hook to compare "
                 "x[result] around kth, so longer axes cannot be judged. No special check: NaN "
                 "placement in a partition is unspecified"),
    OpSpec("ops.numpy.argmax", with_axis(allow_tuple=False), np.argmax, NUMERIC, result_dtype=INDEX,
           notes=ARG_NOTE + "; NaN counts as the maximum (its first occurrence), as in NumPy"),
    OpSpec("ops.numpy.argmin", with_axis(allow_tuple=False), np.argmin, NUMERIC, result_dtype=INDEX,
           notes=ARG_NOTE + "; NaN counts as the minimum (its first occurrence), as in NumPy"),
    OpSpec("ops.numpy.nanargmax", fam.with_nans(with_axis(allow_tuple=False), never_all_nan=True), np.nanargmax, NUMERIC,
           result_dtype=INDEX,
           notes=ARG_NOTE + "; NaNs ignored. Never an all-NaN slice: NumPy raises, JAX documents -1, "
                 "Keras says nothing"),
    OpSpec("ops.numpy.nanargmin", fam.with_nans(with_axis(allow_tuple=False), never_all_nan=True), np.nanargmin, NUMERIC,
           result_dtype=INDEX,
           notes=ARG_NOTE + "; NaNs ignored. Never an all-NaN slice: NumPy raises, JAX documents -1, "
                 "Keras says nothing"),
    OpSpec("ops.numpy.searchsorted", fam.searchsorted_args(), fam.searchsorted, NUMERIC,
           result_dtype=INDEX,
           notes="1-D sorted sequence with repeats, N-D values with exact hits; side left out or "
                 "given. The result is int32 (the sequence is shorter than 2**31)"),
    OpSpec("ops.numpy.digitize", fam.digitize_args(), fam.digitize, NUMERIC, result_dtype=INDEX,
           mixed_args=(0,),
           notes="the dtype check mixes x only (a recast could unsort the bins); bins finite; strictly increasing 1-D bins (documented as increasing); values on edges included"),
    OpSpec("ops.numpy.unique", fam.unique_args(), fam.unique, fam.ALL, result_dtype=None, compiled=False,
           notes="no compiled check: the output's shape depends on the values (unique.size is compiled). "
                 "sorted=True (the default; with sorted=False the order is unspecified); axis None or "
                 "an int; return_index/inverse/counts left out or given. No dtype check: the outputs "
                 "have different dtypes (values: x's, indices and counts: int32) and a spec has one. "
                 "NaNs are distinct (Keras passes equal_nan=False)"),
    OpSpec("ops.numpy.unique", fam.unique_args(sized=True), fam.unique, fam.ALL, result_dtype="same",
           name="ops.numpy.unique.size",
           notes="size given: truncated or padded with fill_value (documented default 0); the return_* "
                 "flags left out (how index/counts are padded is undocumented)"),
]
