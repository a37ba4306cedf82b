"""Specs of ``keras.layers`` normalization layers.

LayerNormalization, BatchNormalization (inference, and training with the moving
statistics compared after the call: ``stateful``), GroupNormalization,
UnitNormalization, RMSNormalization and SpectralNormalization (wrapping a Dense;
``vector_u`` after a training call's power iteration). Scales, offsets and
moving statistics are drawn (never the default ones and zeros); strategies and
references are in conformance/families/layers_normalization.py.
"""

from __future__ import annotations

from conformance.families import layers_normalization as family
from conformance.objects import (
    FORWARD,
    LAYER_CHECKS_WITH_SYMBOLIC,
    LayerSpec,
)

CHECKS = LAYER_CHECKS_WITH_SYMBOLIC

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.LayerNormalization", family.layer_norm_config, family.layer_norm_inputs,
              family.layer_norm_weights, family.layer_norm_reference,
              conditioning=family.layer_norm_conditioning, signed_zeros=False, checks_=CHECKS),
    LayerSpec("layers.BatchNormalization", family.batch_norm_config, family.batch_norm_inputs,
              family.batch_norm_weights, family.batch_norm_reference,
              conditioning=family.batch_norm_conditioning, signed_zeros=False, stateful=True,
              positive_weights=("moving_variance",), non_trainable_weights=("moving_mean", "moving_variance"),
              checks_=CHECKS),
    LayerSpec("layers.GroupNormalization", family.group_norm_config, family.group_norm_inputs,
              family.group_norm_weights, family.group_norm_reference,
              conditioning=family.group_norm_conditioning, signed_zeros=False, checks_=CHECKS),
    LayerSpec("layers.UnitNormalization", family.unit_norm_config, family.unit_norm_inputs,
              lambda config, inputs: {}, family.unit_norm_reference,
              conditioning=family.unit_norm_conditioning, signed_zeros=False, checks_=CHECKS),
    LayerSpec("layers.RMSNormalization", family.rms_norm_config(trailing=True), family.rms_norm_inputs,
              family.rms_norm_weights, family.rms_norm_reference,
              conditioning=family.rms_norm_conditioning, signed_zeros=False, checks_=CHECKS),
    LayerSpec("layers.RMSNormalization", family.rms_norm_config(trailing=False), family.rms_norm_inputs,
              family.rms_norm_weights, family.rms_norm_reference,
              conditioning=family.rms_norm_conditioning, signed_zeros=False, checks_=(FORWARD,),
              name="layers.RMSNormalization.inner_axis"),
    LayerSpec("layers.SpectralNormalization", family.spectral_norm_config, family.spectral_norm_inputs,
              family.spectral_norm_weights, family.spectral_norm_reference,
              conditioning=family.spectral_norm_conditioning, signed_zeros=False, stateful=True,
              non_trainable_weights=("vector_u",), checks_=CHECKS),
]
