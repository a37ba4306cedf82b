"""Specs of ``keras.layers`` normalization layers: LayerNormalization.

gamma and beta are drawn (never the default ones and zeros) and have the
shape of the normalised axes; strategies and the reference
(:func:`conformance.oracle.layer_normalization`) are in conformance/families/layers.py.
"""

from __future__ import annotations

from conformance.families import layers as family
from conformance.objects import LayerSpec

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.LayerNormalization", family.layer_norm_config, family.layer_norm_inputs,
              family.layer_norm_weights, family.layer_norm_reference,
              conditioning=family.layer_norm_conditioning, signed_zeros=False),
]
