"""Specs of ``keras.ops.nn`` normalisation ops (part of the ops.nn namespace, next to nn.py).

batch_normalization, layer_normalization, rms_normalization, normalize and
moments. epsilon is left out (Keras 3: ``backend.epsilon()`` = 1e-7, 1e-3 for
batch_normalization) or drawn. The scale of a normalised value includes
(|x| + |mean|) / std: x - mean cancels, and the division amplifies it.
"""

from __future__ import annotations

from conformance.families import nn
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES

SPECS = [
    OpSpec("ops.nn.batch_normalization", nn.normalization_args("batch"), nn.batch_normalization, FLOAT_DTYPES,
           grad=True, conditioning=nn.normalization_scale, signed_zeros=False,
           notes="x, mean, variance (> 0) on one drawn channel axis. offset and scale are left out: they "
                 "follow axis in the signature, and the engine passes arrays positionally only"),
    OpSpec("ops.nn.layer_normalization", nn.normalization_args("layer"), nn.layer_normalization,
           FLOAT_DTYPES, grad=True, conditioning=nn.normalization_scale, signed_zeros=False,
           notes="gamma and beta (shaped as the normalised axes) left out or given; axis an int or a "
                 "tuple; no empty inputs"),
    OpSpec("ops.nn.rms_normalization", nn.normalization_args("rms"), nn.rms_normalization, FLOAT_DTYPES,
           grad=True, conditioning=nn.normalization_scale, signed_zeros=False,
           notes="axis -1 or the last two axes (scale shaped as them, left out or given)"),
    OpSpec("ops.nn.normalize", nn.normalization_args("normalize"), nn.normalize, FLOAT_DTYPES, grad=True,
           conditioning=nn.normalization_scale, signed_zeros=False,
           notes="order left out (2) or in {1, 2, 3}; x / max(norm, epsilon)"),
    OpSpec("ops.nn.moments", nn.normalization_args("moments"), nn.moments, FLOAT_DTYPES,
           conditioning=nn.moments_scale, signed_zeros=False, grad=True,
           notes="axes a list, keepdims left out or given; synchronized left out (a distribution "
                 "option); grad through mean and variance together"),
]
