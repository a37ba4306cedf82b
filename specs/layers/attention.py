"""Specs of ``keras.layers`` attention layers: Attention, AdditiveAttention, MultiHeadAttention.

Strategies and references are in conformance/families/layers_attention.py. Dropout is
0 throughout: a dropped attention weight is drawn from a backend's generator, no value
to compare (the Dropout layer's judged properties cover the rescaling). Every drawn
mask keeps one key per query row (see the family module for the all-masked row).
"""

from __future__ import annotations

from conformance.families import layers_attention as family
from conformance.families.layers_core import WITH_SYMBOLIC as CHECKS
from conformance.objects import LayerSpec

# Signed zeros are not compared: a masked query's row is where(mask, out, 0) in Keras and a
# product by the mask elsewhere, and a softmax-weighted sum that cancels may carry either sign.
SPECS = [
    LayerSpec("layers.Attention", family.attention_layer_config, family.attention_layer_inputs,
              family.attention_layer_weights, family.attention_layer_reference,
              conditioning=family.attention_layer_conditioning, masking=True, signed_zeros=False,
              checks_=CHECKS),
    LayerSpec("layers.AdditiveAttention", family.additive_attention_config, family.attention_layer_inputs,
              family.additive_attention_weights, family.attention_layer_reference,
              conditioning=family.attention_layer_conditioning, masking=True, signed_zeros=False,
              checks_=CHECKS),
    LayerSpec("layers.MultiHeadAttention", family.multi_head_attention_config, family.multi_head_attention_inputs,
              family.multi_head_attention_weights, family.multi_head_attention_reference,
              conditioning=family.multi_head_attention_conditioning, signed_zeros=False, checks_=CHECKS),
]
