"""Specs of ``keras.layers`` activation layers.

Activation (the names every generation shares, and Keras 3's own as a spec of
their own), ReLU, LeakyReLU, PReLU (its alpha weight drawn, shared axes), ELU and
Softmax with a mask (a wholly masked slice as a spec of its own: Keras 2 gives it
a uniform distribution, Keras 3 zeros). Strategies and references:
conformance/families/layers_activations.py.
"""

from __future__ import annotations

from conformance.families import layers_activations as family
from conformance.families import layers_core as core
from conformance.objects import CONFIG_ROUND_TRIP, FORWARD, TRAINING_FORWARD, LayerSpec

SPECS = [
    LayerSpec("layers.Activation", family.activation_config(family.ACTIVATIONS), core.any_rank(2, 4),
              core.no_weights, family.activation_reference(family.ACTIVATIONS),
              conditioning=family.activation_conditioning),
    LayerSpec("layers.Activation", family.activation_config(family.KERAS3_ACTIVATIONS), core.any_rank(2, 4),
              core.no_weights, family.activation_reference(family.KERAS3_ACTIVATIONS),
              conditioning=family.activation_conditioning, name="layers.Activation.keras3"),
    LayerSpec("layers.ReLU", family.relu_config, core.any_rank(1, 4), core.no_weights, family.relu_reference,
              conditioning=core.elementwise_conditioning),
    LayerSpec("layers.LeakyReLU", family.leaky_relu_config, core.any_rank(1, 4), core.no_weights,
              family.leaky_relu_reference, conditioning=core.elementwise_conditioning),
    LayerSpec("layers.PReLU", family.prelu_config, family.prelu_inputs, family.prelu_weights,
              family.prelu_reference, conditioning=family.prelu_conditioning),
    LayerSpec("layers.ELU", family.elu_config, core.any_rank(1, 4), core.no_weights, family.elu_reference,
              conditioning=core.elementwise_conditioning),
    LayerSpec("layers.Softmax", family.softmax_config, family.softmax_inputs(all_masked=False), core.no_weights,
              family.softmax_reference, conditioning=family.softmax_conditioning),
    # the forward checks only: a wholly masked slice's gradient is 0, and its value the point
    LayerSpec("layers.Softmax", family.softmax_config, family.softmax_inputs(all_masked=True), core.no_weights,
              family.softmax_reference, conditioning=family.softmax_conditioning,
              checks_=(FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP), name="layers.Softmax.all_masked"),
]
