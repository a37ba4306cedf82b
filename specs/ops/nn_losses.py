"""Specs of ``keras.ops.nn`` losses and metrics (part of the ops.nn namespace, next to nn.py).

Cross-entropies (binary, categorical, sparse categorical) with ``from_logits``
left out, False or True and a drawn ``axis``; CTC loss (log-space forward
recursion) and CTC decoding (greedy, and beam search checked against exact
enumeration on small cases); PSNR. Probabilities are drawn inside [0.01, 0.99]
so that the ``epsilon`` clip, rounded differently at each precision, is never
reached.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance import promotion
from conformance.families import nn
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES


def _at_least_float32(dtypes: Sequence[str], kwargs: dict) -> str:
    """``backend.result_type(output.dtype, "float32")``: half precision is widened (ctc_loss)."""
    return promotion.result_type(dtypes[1], "float32")


SPECS = [
    OpSpec("ops.nn.binary_crossentropy", nn.loss_args("binary"), nn.binary_crossentropy, FLOAT_DTYPES,
           grad=True, conditioning=nn.loss_scale, signed_zeros=False,
           notes="target and output of one shape (0-d too), target in [0, 1]; output probabilities in "
                 "[0.01, 0.99] or logits. Special values: in the target for probabilities, in both for "
                 "logits"),
    OpSpec("ops.nn.categorical_crossentropy", nn.loss_args("categorical"), nn.categorical_crossentropy,
           FLOAT_DTYPES, grad=True, conditioning=nn.loss_scale, signed_zeros=False,
           notes="axis drawn (left out means -1); probabilities are normalised by their sum along axis "
                 "as Keras does; no 0-d or empty inputs"),
    OpSpec("ops.nn.sparse_categorical_crossentropy", nn.loss_args("sparse"),
           nn.sparse_categorical_crossentropy, FLOAT_DTYPES, grad=True, grad_wrt=(1,), mixed_args=(1,),
           result_dtype=promotion.of_args((1,)), conditioning=nn.loss_scale, signed_zeros=False,
           notes="int32/int64 targets in [0, classes); axis -1 (left out or given: Keras's backends "
                 "support the last axis only); no 0-d or empty outputs"),
    OpSpec("ops.nn.ctc_loss", nn.ctc_loss_args(), nn.ctc_loss, FLOAT_DTYPES, grad=True, grad_wrt=(1,),
           mixed_args=(1,), result_dtype=_at_least_float32, conditioning=nn.ctc_scale, signed_zeros=False,
           notes="output holds logits (B, T, C); int32 labels without the blank and lengths that admit "
                 "an alignment; mask_index (the blank) left out (0), 0 or C-1. Result dtype is "
                 "result_type(output, float32) as Keras casts"),
    OpSpec("ops.nn.ctc_decode", nn.ctc_decode_args("greedy"), nn.ctc_decode, FLOAT_DTYPES, result_dtype=None,
           special=False, name="ops.nn.ctc_decode",
           notes="greedy: decoded labels (1, B, T) padded with -1 and scores -sum(max logit). Logits "
                 "are separated levels (no argmax ties at any precision); no special values: the "
                 "argmax of NaN has no meaning"),
    OpSpec("ops.nn.ctc_decode", nn.ctc_decode_args("beam_search"), nn.ctc_decode, FLOAT_DTYPES,
           result_dtype=None, special=False, name="ops.nn.ctc_decode.beam_search",
           notes="beam_search, beam_width=100, top_paths 1 or 2, at most 4 steps and 3 classes: the "
                 "beam then holds every prefix and equals the exact top labelings, enumerated over "
                 "all alignments of the log-softmax inputs"),
    OpSpec("ops.nn.psnr", nn.psnr_args(), nn.psnr, FLOAT_DTYPES, grad=True, conditioning=nn.psnr_scale,
           notes="two arrays of one shape (x1 != x2 outside special mode), max_val in {1, 2, 255}"),
]
