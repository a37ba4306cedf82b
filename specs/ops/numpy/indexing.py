"""Specs of ``keras.ops.numpy`` indexing: take, take_along_axis, get_item, nonzero,
unravel_index and meshgrid.

Indices are drawn in range, in ``int32`` or ``int64``; negative indices are
a spec of their own (numpy's meaning, which Keras' numpy API inherits).
Out-of-range indices are left out: Keras documents no result for them.
"""

from __future__ import annotations

from conformance import promotion
from conformance.families import shapes as fam
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES

NUMERIC = FLOAT_DTYPES + INT_DTYPES
ALL = NUMERIC + ("bool",)
OF_X = promotion.of_args((0,))
INDICES = "indices int32 or int64 (the dtype check recasts x only). "

SPECS = [
    OpSpec("ops.numpy.take", fam.take_args(), fam.take, ALL, grad=True, result_dtype=OF_X, mixed_args=(0,),
           notes=INDICES + "indices in [0, n) of rank 0 to 2; axis None (flattened) or an int"),
    OpSpec("ops.numpy.take", fam.take_args(negative=True), fam.take, ALL, grad=True, result_dtype=OF_X,
           mixed_args=(0,), name="ops.numpy.take.negative",
           notes=INDICES + "indices in [-n, n): negative ones count from the end, as in numpy"),
    OpSpec("ops.numpy.take_along_axis", fam.take_along_axis_args(), fam.take_along_axis, ALL, grad=True,
           result_dtype=OF_X, mixed_args=(0,),
           notes=INDICES + "indices of x's rank, sides of 1 broadcast against x off the axis; axis None "
                           "takes from the flattened x"),
    OpSpec("ops.numpy.take_along_axis", fam.take_along_axis_args(negative=True), fam.take_along_axis, ALL,
           grad=True, result_dtype=OF_X, mixed_args=(0,), name="ops.numpy.take_along_axis.negative",
           notes=INDICES + "indices in [-n, n): negative ones count from the end, as in numpy"),
    OpSpec("ops.numpy.get_item", fam.array_and(fam.get_item_kw, zero_d=False), fam.get_item, ALL, grad=True,
           notes="key an int or a tuple of ints (negative too). Slices, None and Ellipsis cannot travel "
                 "as JSON keywords: not covered"),
    OpSpec("ops.numpy.nonzero", fam.array_and(domain=fam.sparse_zeros, zero_d=False), fam.nonzero, ALL,
           result_dtype=promotion.fixed("int32"), compiled=False,
           notes="no compiled check: the output's shape is the count of nonzeros, a value; about half the elements zero; a tuple of int32 index arrays (Keras' documented output "
                 "spec). NaN counts as nonzero, -0.0 as zero. No 0-d input: numpy raises on it"),
    OpSpec("ops.numpy.unravel_index", fam.unravel_index_args(), fam.unravel_index, INT_DTYPES,
           result_dtype="same", special=False,
           notes="flat indices in range (rank 0 to 2), shape of 1 to 3 sides; a tuple of index arrays "
                 "of the indices' dtype (jax.numpy's, which Keras' tests take as the rule)"),
    OpSpec("ops.numpy.meshgrid", fam.meshgrid_args(), fam.meshgrid, ALL, mixed_args=(), grad=True,
           notes="one to three 1-D arrays, indexing left out (xy) or given. The dtype check draws all "
                 "inputs in one dtype (each output keeps its input's); grad: one cotangent per grid"),
]
