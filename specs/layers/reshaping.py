"""Specs of ``keras.layers`` reshaping layers.

Reshape (a -1 side too), Flatten (both data formats, rank 1 to 4), Permute,
RepeatVector, Cropping1D/2D/3D, ZeroPadding1D/2D/3D, UpSampling1D/2D/3D (2D with
nearest and, as its own spec, bilinear interpolation). Each also checks shape inference
(symbolic). Strategies and references: conformance/families/layers_reshaping.py.
"""

from __future__ import annotations

from conformance.families import layers_core as core
from conformance.families import layers_reshaping as family
from conformance.objects import LayerSpec


def _spec(api: str, config: object, inputs: object, reference: object, **options: object) -> object:
    options.setdefault("checks_", core.WITH_SYMBOLIC)
    return LayerSpec(api, config, inputs, core.no_weights, reference, **options)


SPECS = [
    _spec("layers.Reshape", family.reshape_config, family.reshape_inputs, family.reshape_reference),
    _spec("layers.Flatten", family.flatten_config, core.any_rank(1, 4), family.flatten_reference),
    _spec("layers.Permute", family.permute_config, family.permute_inputs, family.permute_reference),
    _spec("layers.RepeatVector", family.repeat_vector_config, core.any_rank(2, 2), family.repeat_vector_reference),
    *[_spec(f"layers.Cropping{rank}D", family.cropping_config(rank), family.spatial_inputs(rank),
            family.cropping_reference) for rank in (1, 2, 3)],
    *[_spec(f"layers.ZeroPadding{rank}D", family.padding_config(rank), family.spatial_inputs(rank),
            family.padding_reference) for rank in (1, 2, 3)],
    *[_spec(f"layers.UpSampling{rank}D", family.upsampling_config(rank), family.spatial_inputs(rank),
            family.upsampling_reference) for rank in (1, 3)],
    _spec("layers.UpSampling2D", family.upsampling_config(2, "nearest"), family.spatial_inputs(2),
          family.upsampling_reference),
    # its own spec: TensorFlow's bilinear resize computes float64 in float32 (a known divergence)
    _spec("layers.UpSampling2D", family.upsampling_config(2, "bilinear"), family.spatial_inputs(2),
          family.upsampling_reference, conditioning=family.upsampling_conditioning,
          name="layers.UpSampling2D.bilinear"),
]
