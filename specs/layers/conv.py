"""Specs of ``keras.layers`` convolutions: Conv1D/2D/3D, their transposes, depthwise and separable.

Each layer has two specs sharing one strategy: ``layers.Conv1D`` draws
channels_last inputs, ``layers.Conv1D.channels_first`` channels_first ones, so
that a divergence of one data format (TensorFlow's CPU kernels support
channels_last only) is recorded without hiding the other. Every padding
("causal" for Conv1D), strides, dilations, activations and use_bias are drawn;
strategies and references are in conformance/families/layers_conv.py.
"""

from __future__ import annotations

from conformance.families import layers_conv as family
from conformance.objects import (
    LAYER_CHECKS_WITH_SYMBOLIC,
    LayerSpec,
)

#: layer name -> (rank, kind)
LAYERS = {
    "Conv1D": (1, family.CONV), "Conv2D": (2, family.CONV), "Conv3D": (3, family.CONV),
    "Conv1DTranspose": (1, family.TRANSPOSE), "Conv2DTranspose": (2, family.TRANSPOSE),
    "Conv3DTranspose": (3, family.TRANSPOSE),
    "DepthwiseConv1D": (1, family.DEPTHWISE), "DepthwiseConv2D": (2, family.DEPTHWISE),
    "SeparableConv1D": (1, family.SEPARABLE), "SeparableConv2D": (2, family.SEPARABLE),
}
CHECKS = LAYER_CHECKS_WITH_SYMBOLIC

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum).
SPECS = [
    LayerSpec(f"layers.{name}", family.conv_config(rank, kind, data_format), family.conv_inputs(kind),
              family.conv_weights(kind), family.conv_reference(kind), conditioning=family.conv_conditioning(kind),
              signed_zeros=False, checks_=CHECKS,
              name=f"layers.{name}" + (".channels_first" if data_format == "channels_first" else ""))
    for name, (rank, kind) in LAYERS.items()
    for data_format in ("channels_last", "channels_first")
] + [
    # variants of the channels_last transposes holding what TF's CPU kernels reject
    LayerSpec(f"layers.{name}", family.conv_config(rank, family.TRANSPOSE, "channels_last", variant),
              family.conv_inputs(family.TRANSPOSE), family.conv_weights(family.TRANSPOSE),
              family.conv_reference(family.TRANSPOSE), conditioning=family.conv_conditioning(family.TRANSPOSE),
              signed_zeros=False, checks_=CHECKS, name=f"layers.{name}.{variant}")
    for name, rank in (("Conv1DTranspose", 1), ("Conv2DTranspose", 2), ("Conv3DTranspose", 3))
    for variant in (family.DILATED, family.SAME_OUTPUT_PADDING)
]
