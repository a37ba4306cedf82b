"""Specs of ``keras.ops.linalg`` and ``ops.logdet``: matrices drawn well conditioned (cond <= 4).

See :mod:`conformance.families.linalg` for how each kind of matrix is drawn.
Decompositions whose output is not unique are judged on their unique part
only: ``eigh`` on its eigenvalues (out0; the sign-free eigenvectors out1 are
not judged), ``svd`` with ``compute_uv=False``. ``qr`` and ``eig`` need an
engine hook that canonicalises outputs before comparison (see the exclusions).
The dtype check keeps the drawn matrices (``mixed_args=()``): recasting them to
small integers, as it does for other ops, would make them singular.
"""

from __future__ import annotations

from conformance import promotion
from conformance.families import linalg as la
from conformance.families.math import jvp, jvp_args, jvp_scale
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES

#: every backend solves in float32 and float64 only; float16/bfloat16/integers are
#: rejected or handled differently per backend (torch and TF reject them, jax takes
#: float16 for det and norm, the NumPy backend widens bfloat16 to float64)
LINALG = ("float32", "float64")
DTYPE_NOTE = ("float32 and float64 only: torch and TensorFlow reject float16, bfloat16 and integer "
              "matrices, jax rejects half precision in most decompositions; Keras documents no common "
              "behaviour. ")
NO_SPECIAL = "no special values: NaN/inf in a factorisation is undefined (LAPACK may fail or not). "
COND = la.conditioned()

SPECS = [
    OpSpec("ops.linalg.cholesky", la.square("spd", upper=[la.LEFT_OUT, False, True]), la.cholesky, LINALG, mixed_args=(),
           conditioning=COND, special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "symmetric positive definite inputs; upper left out, False and "
                 "True. No gradient: a one-triangle factorisation has no common gradient convention for "
                 "the unread triangle"),
    OpSpec("ops.linalg.cholesky_inverse", la.square("factor", upper=[la.LEFT_OUT, False, True]),
           la.cholesky_inverse, LINALG, mixed_args=(), conditioning=la.conditioned(la.COND**2), special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "x is a triangular Cholesky factor with a positive diagonal "
                 "(lower, or upper with upper=True); the result inverts x x^T (cond <= 16)"),
    OpSpec("ops.linalg.det", la.square("general"), la.det, LINALG, mixed_args=(),
           grad=True, conditioning=la.determinant_scale, special=False, notes=DTYPE_NOTE + NO_SPECIAL),
    OpSpec("ops.linalg.eigh", la.square("symmetric"), la.eigh_values, LINALG, mixed_args=(), conditioning=COND,
           special=False, notes=DTYPE_NOTE + NO_SPECIAL + "only the eigenvalues (out0, ascending) are "
                 "judged; the eigenvectors are unique up to sign only. Eigenvalues >= 0.05 apart"),
    OpSpec("ops.linalg.inv", la.square("general"), la.inv, LINALG, mixed_args=(), grad=True,
           conditioning=COND, special=False, notes=DTYPE_NOTE + NO_SPECIAL),
    OpSpec("ops.linalg.solve", la.system("general"), la.solve, LINALG, mixed_args=(), grad=True, conditioning=COND,
           special=False, notes=DTYPE_NOTE + NO_SPECIAL + "b of shape (..., n, k), batched with a"),
    OpSpec("ops.linalg.solve_triangular", la.system("triangular", lower=[la.LEFT_OUT, False, True]),
           la.solve_triangular, LINALG, mixed_args=(), grad=True, grad_wrt=(1,), conditioning=la.conditioned(8.0),
           special=False, notes=DTYPE_NOTE + NO_SPECIAL + "a exactly triangular (zeros in the other "
                 "triangle); lower left out, False, True. Gradient with respect to b only: the gradient "
                 "in a's zero triangle has no common convention"),
    OpSpec("ops.linalg.lstsq", la.lstsq_args(), la.lstsq, LINALG, mixed_args=(), conditioning=la.conditioned(la.COND**2),
           special=False, notes=DTYPE_NOTE + NO_SPECIAL + "a (m, n) with m >= n of full column rank (unique "
                 "solution); b a vector or (m, k); rcond left out (its meaning differs between NumPy "
                 "versions). Error bound cond^2 (residual term)"),
    OpSpec("ops.linalg.lu_factor", la.square("general"), la.lu_factor, LINALG, mixed_args=(), result_dtype=None,
           conditioning=COND, special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "partial pivoting is unique for continuous values (no ties in "
                 "a pivot column): LU packed (out0) and LAPACK's 0-based row interchanges (out1), as "
                 "jax.scipy.linalg.lu_factor documents. Result dtypes differ per output (the engine has "
                 "one rule per spec): none checked"),
    OpSpec("ops.linalg.matrix_rank", la.rectangular("rank", tol=0.1), la.matrix_rank, LINALG, mixed_args=(),
           result_dtype=promotion.fixed("int32"), special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "rank r drawn with r singular values in [0.5, 2] and the others "
                 "zero (before rounding to the dtype); tol=0.1 given"),
    OpSpec("ops.linalg.matrix_rank", la.rectangular("rank"), la.matrix_rank, ("float64",), mixed_args=(),
           result_dtype=promotion.fixed("int32"), special=False, name="ops.linalg.matrix_rank.default_tol",
           notes="tol left out (max(s) * max(m, n) * eps of the dtype): float64 only, where rounding the "
                 "drawn matrix leaves its zero singular values below that tolerance; in float32 they "
                 "round to ~1e-8, above float32's default but not float64's (the oracle's)"),
    OpSpec("ops.linalg.norm", la.norm_args(matrix_norm=False), la.norm, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=promotion.floating, grad=True, signed_zeros=False,
           conditioning=la.conditioned(1.0), name="ops.linalg.norm.vector",
           notes="vector norms: ord None, 0, 0.5, 1, 2, 3, ±inf, or left out; axis an int (None on 1-D)"),
    OpSpec("ops.linalg.norm", la.norm_args(matrix_norm=True), la.norm, FLOAT_DTYPES + INT_DTYPES,
           result_dtype=promotion.floating, grad=True, signed_zeros=False,
           conditioning=la.conditioned(1.0), name="ops.linalg.norm.matrix",
           notes="matrix norms: ord None, fro, nuc, ±1, ±2, ±inf; axis a pair or None on 2-D. nuc and ±2 "
                 "(singular values) not with special values"),
    OpSpec("ops.linalg.pinv", la.rectangular(), la.pinv, LINALG, mixed_args=(), grad=True,
           conditioning=la.conditioned(la.COND**2), special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "full-rank m x n matrices, singular values in [0.5, 2]; rcond "
                 "left out"),
    OpSpec("ops.linalg.svd", la.rectangular(compute_uv=False), la.svd_values, LINALG, mixed_args=(), conditioning=COND,
           special=False, notes=DTYPE_NOTE + NO_SPECIAL + "compute_uv=False: the singular values "
                 "(descending), the unique part of the decomposition; U and V (unique up to signs) need an "
                 "engine canonicalisation hook"),
    OpSpec("ops.numpy.slogdet", la.square("general"), la.slogdet, LINALG, mixed_args=(),
           conditioning=la.logdet_scale, special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "general well-conditioned matrices: out0 the sign (exact), out1 "
                 "log|det|. No gradient: the engine differentiates single-output ops only"),
    OpSpec("ops.logdet", la.square("spd"), la.logdet, LINALG, mixed_args=(), conditioning=la.logdet_scale, special=False,
           notes=DTYPE_NOTE + NO_SPECIAL + "symmetric positive definite inputs (Keras documents logdet of a "
                 "Hermitian positive definite matrix). No gradient: see cholesky"),
    OpSpec("ops.linalg.jvp", jvp_args(), jvp, FLOAT_DTYPES, mixed_args=(), signed_zeros=False,
           conditioning=jvp_scale,
           result_dtype=lambda dtypes, kwargs: kwargs["primals"][0]["tensor"].dtype.name,
           notes="fun = sin(x) * x (a named function, adapters/_callables.py), one primal; has_aux left "
                 "out. Outputs (primals_out, tangents_out). "),
]
