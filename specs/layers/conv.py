"""Specs of ``keras.layers`` convolutions: Conv2D.

Two specs share one strategy: ``layers.Conv2D`` draws channels_last inputs,
``layers.Conv2D.channels_first`` channels_first ones, so that a divergence
of one data format (TensorFlow's CPU kernels only support NHWC) is recorded
without hiding the other. Strategies and the reference
(:func:`conformance.oracle.conv_layer`) are in conformance/families/layers.py.
"""

from __future__ import annotations

from conformance.families import layers as family
from conformance.objects import LayerSpec

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.Conv2D", family.conv2d_config("channels_last"), family.conv2d_inputs,
              family.conv2d_weights, family.conv2d_reference, conditioning=family.conv2d_conditioning,
              signed_zeros=False),
    LayerSpec("layers.Conv2D", family.conv2d_config("channels_first"), family.conv2d_inputs,
              family.conv2d_weights, family.conv2d_reference, conditioning=family.conv2d_conditioning,
              signed_zeros=False, name="layers.Conv2D.channels_first"),
]
