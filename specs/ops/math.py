"""Specs of the top-level ``keras.ops`` math functions (``keras.ops.math``).

erf/erfc/erfinv/rsqrt/logsumexp, the FFT/STFT family (complex values travel as
``(real, imag)`` tuples, passed as marked tensors in the ``x`` keyword),
extract_sequences, segment reductions, top_k/in_top_k, saturate_cast, cdist.
Strategies and references: :mod:`conformance.families.math`.
"""

from __future__ import annotations

from scipy import special

from conformance import promotion
from conformance.families import math as fm
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES, bounded, positive, unary, with_axis
from conformance.tolerance import elementwise

NUMERIC = FLOAT_DTYPES + INT_DTYPES
INT_NOTE = ("integer inputs: a spec of their own (Keras promotes them to floatx, per result_type; "
            "backends differ)")
FFT_DTYPES = ("float32", "float64")
FFT_NOTE = ("float32/float64 only: jax and torch have no half-precision CPU FFT, and the NumPy backend "
            "widens; Keras documents float32/float64 for stft. No special values: complex arithmetic on "
            "inf/NaN (inf * 0, inf - inf between components) is implementation-defined (C99 Annex G). ")
X_DTYPE = fm.dtype_of_kwarg("x")
#: segment_prod multiplies up to 8 values: integers folded into [-2, 2] (2^8 fits int16), no int8/uint8
PROD_DTYPES = FLOAT_DTYPES + tuple(d for d in INT_DTYPES if d not in ("int8", "uint8"))


def _segment_dtypes(kind: str) -> tuple[str, ...]:
    return PROD_DTYPES if kind == "prod" else NUMERIC


def _segment_domain(kind: str) -> object:
    return bounded(2) if kind == "prod" else None


def _unary_pair(api: str, reference: object, domain: object = None, **kw: object) -> list[OpSpec]:
    """A float spec and an integer-input spec (``<api>.integer``)."""
    return [
        OpSpec(api, unary(domain), reference, FLOAT_DTYPES, result_dtype=promotion.floating, grad=True, **kw),
        OpSpec(api, unary(domain), reference, INT_DTYPES, result_dtype=promotion.floating,
               name=f"{api}.integer", notes=INT_NOTE, **kw),
    ]


SPECS = [
    *_unary_pair("ops.erf", special.erf),
    *_unary_pair("ops.erfc", special.erfc),
    *_unary_pair("ops.erfinv", fm.erfinv, fm.open_unit, conditioning=fm.erfinv_scale),
    *_unary_pair("ops.rsqrt", fm.rsqrt, positive),
    OpSpec("ops.logsumexp", with_axis(), fm.logsumexp, FLOAT_DTYPES, result_dtype=promotion.floating,
           grad=True, conditioning=fm.logsumexp_scale, signed_zeros=False,
           notes="axis None, int or tuple; keepdims both"),
    OpSpec("ops.logsumexp", with_axis(), fm.logsumexp, INT_DTYPES, result_dtype=promotion.floating,
           conditioning=fm.logsumexp_scale, name="ops.logsumexp.integer", notes=INT_NOTE),
    # -- FFT family ----------------------------------------------------------------------------
    OpSpec("ops.fft", fm.fft_args(1), fm.fft, FFT_DTYPES, result_dtype=X_DTYPE, mixed_args=(),
           conditioning=fm.fft_scale(1), signed_zeros=False, special=False,
           notes=FFT_NOTE + "x = (real, imag) over the last axis. No gradient: the engine differentiates "
                            "positional arguments only, and x is a tuple keyword"),
    OpSpec("ops.fft2", fm.fft_args(2), fm.fft2, FFT_DTYPES, result_dtype=X_DTYPE, mixed_args=(),
           conditioning=fm.fft_scale(2), signed_zeros=False, special=False, notes=FFT_NOTE + "over the last two axes"),
    OpSpec("ops.ifft2", fm.fft_args(2), fm.ifft2, FFT_DTYPES, result_dtype=X_DTYPE, mixed_args=(),
           conditioning=fm.fft_scale(2, inverse=True), signed_zeros=False, special=False,
           notes=FFT_NOTE + "over the last two axes, normalised by 1/n"),
    OpSpec("ops.rfft", fm.fft_args(1, real=True, length=True), fm.rfft, FFT_DTYPES, result_dtype="same",
           grad=True, conditioning=fm.fft_scale(1), signed_zeros=False, special=False,
           notes=FFT_NOTE + "fft_length left out, shorter (crop) or longer (zero padding) than the axis. "
                            "Outputs are a (real, imag) tuple; grad through both"),
    OpSpec("ops.irfft", fm.irfft_args(), fm.irfft, FFT_DTYPES, result_dtype=X_DTYPE, mixed_args=(),
           conditioning=fm.fft_scale(1, inverse=True), signed_zeros=False, special=False,
           notes=FFT_NOTE + "x is the rfft of a real signal of length n (so DC and Nyquist have no "
                            "imaginary part); fft_length n or left out (2 (m - 1))"),
    OpSpec("ops.stft", fm.stft_args(), fm.stft, FFT_DTYPES, result_dtype="same", grad=True,
           conditioning=fm.fft_scale(1), signed_zeros=False, special=False,
           notes=FFT_NOTE + "window hann or hamming (periodic, as scipy.signal.get_window) centred in "
                            "fft_length; center True (reflect padding) or False. No special values: "
                            "reflect padding copies them to other frames"),
    OpSpec("ops.stft", fm.stft_args(windows=(None,)), fm.stft, FFT_DTYPES, result_dtype="same",
           grad=True, conditioning=fm.fft_scale(1), signed_zeros=False, special=False,
           name="ops.stft.no_window",
           notes=FFT_NOTE + "window=None: no windowing, frames of fft_length (the NumPy and JAX backends; "
                            "Keras documents only 'no windowing')"),
    OpSpec("ops.istft", fm.istft_args(), fm.istft, FFT_DTYPES, result_dtype=X_DTYPE, mixed_args=(),
           conditioning=fm.fft_scale(2, inverse=True), signed_zeros=False, special=False,
           notes=FFT_NOTE + "x is the stft of a real signal (center=True) with overlap >= 50%, so the "
                            "overlap-added squared window is bounded below; length n or left out"),
    OpSpec("ops.extract_sequences", fm.sequences_args(), fm.extract_sequences, NUMERIC, grad=True,
           notes="frames over the last axis; batch dims 0-2"),
    # -- segment reductions ----------------------------------------------------------------------
    *[OpSpec(f"ops.segment_{kind}", fm.segment_args(domain=_segment_domain(kind)), fm.segment(kind),
             _segment_dtypes(kind),
             result_dtype=promotion.of_args((0,)), mixed_args=(0,), grad=kind == "sum", grad_wrt=(0,),
             signed_zeros=False,
             conditioning=(fm.segment_sum_scale if kind == "sum" else elementwise),
             notes="int32 segment ids in [0, num_segments), every segment non-empty; num_segments given "
                   "(jax requires it); ids shuffled, sorted left out or False. segment_prod: int8/uint8 left "
                   "out and integers folded into [-2, 2] so that products cannot overflow")
      for kind in ("sum", "prod", "max", "min")],
    *[OpSpec(f"ops.segment_{kind}", fm.segment_args(sorted_ids=True, domain=_segment_domain(kind)),
             fm.segment(kind), _segment_dtypes(kind),
             result_dtype=promotion.of_args((0,)), mixed_args=(0,), signed_zeros=False,
             conditioning=(fm.segment_sum_scale if kind == "sum" else elementwise),
             name=f"ops.segment_{kind}.sorted", notes="ids sorted and sorted=True given")
      for kind in ("sum", "prod", "max", "min")],
    *[OpSpec(f"ops.segment_{kind}", fm.segment_args(empty=True), fm.segment(kind), FLOAT_DTYPES,
             result_dtype=promotion.of_args((0,)), mixed_args=(0,), special=False,
             conditioning=(fm.segment_sum_scale if kind == "sum" else elementwise),
             name=f"ops.segment_{kind}.empty_segments",
             notes="num_segments beyond the largest id: empty segments hold the reduction's identity "
                   "(0, 1, -inf, +inf)")
      for kind in ("sum", "prod", "max", "min")],
    # -- top_k, in_top_k -------------------------------------------------------------------------
    OpSpec("ops.top_k", fm.top_k_args(give_sorted=False), fm.top_k, NUMERIC, result_dtype=None,
           special=False, notes="values without ties (the order of ties is unspecified); sorted left "
                                "out. Outputs (values, int32 indices): their dtypes differ, and the engine "
                                "has one rule per spec, so none is checked"),
    OpSpec("ops.top_k", fm.top_k_args(give_sorted=True), fm.top_k, NUMERIC, result_dtype=None,
           special=False, name="ops.top_k.sorted",
           notes="sorted=True given; sorted=False leaves the order unspecified and is not judged"),
    OpSpec("ops.in_top_k", fm.in_top_k_args(), fm.in_top_k, NUMERIC, result_dtype=promotion.fixed("bool"),
           mixed_args=(1,), special=False,
           notes="int32 targets; predictions without ties (TF counts tied classes as in the top k)"),
    # -- casts and distances -----------------------------------------------------------------------
    OpSpec("ops.saturate_cast", fm.saturate_args(), fm.saturate_cast, NUMERIC,
           result_dtype=lambda dtypes, kwargs: kwargs["dtype"], special=False,
           notes="targets int8/uint8/int16/uint16/int32 (and float16 from floats); float inputs scaled "
                 "to +-1e6 so that values saturate. NaN to an integer is undefined: no special values"),
    OpSpec("ops.cdist", fm.cdist_args(), fm.cdist, FLOAT_DTYPES, result_dtype=promotion.floating,
           grad=True, conditioning=fm.cdist_scale, signed_zeros=False,
           notes="(..., m, d) and (..., n, d); special values in x only"),
    OpSpec("ops.cdist", fm.cdist_args(), fm.cdist, INT_DTYPES, result_dtype=promotion.floating,
           conditioning=fm.cdist_scale, name="ops.cdist.integer", notes=INT_NOTE),
]
