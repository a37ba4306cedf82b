"""Specs of ``keras.layers`` core layers: Dense.

Weights (kernel, bias) are drawn by the engine and injected by variable path;
strategies and the float64 reference are in conformance/families/layers.py.
"""

from __future__ import annotations

from conformance.families import layers as family
from conformance.objects import LayerSpec

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.Dense", family.dense_config, family.dense_inputs, family.dense_weights,
              family.dense_reference, conditioning=family.dense_conditioning, signed_zeros=False),
]
