"""Specs of ``keras.layers`` recurrent layers: SimpleRNN, GRU, LSTM.

Weights are the cell's, by the last parts of their paths (``kernel`` matches Keras 3's
``lstm/lstm_cell/kernel`` and not ``recurrent_kernel``); strategies and
references are in conformance/families/layers_recurrent.py (what is drawn and what is
left out, with its reason, is listed there).
"""

from __future__ import annotations

from conformance.families import layers_recurrent as family
from conformance.objects import CONFIG_ROUND_TRIP, FORWARD, TRAINING_FORWARD, LayerSpec

# Not yet: GRADIENTS (the adapters' stateless call passes no non-trainable variables, and a
# recurrent layer owns one, its dropout seed generator's state: every backend raises 'Argument
# non_trainable_variables must be a list of tensors corresponding 1:1', an engine matter) and
# SYMBOLIC (torch raised "'tuple' object has no attribute 'shape'" on KerasTensor calls with a mask
# in the harness, not yet reproduced by hand).
CHECKS = (FORWARD, TRAINING_FORWARD, CONFIG_ROUND_TRIP)

# Signed zeros are not compared: a relu cell's zero and a masked step's repeated zero state
# carry the sign of a sum whose order differs between backends.
SPECS = [
    LayerSpec(f"layers.{kind}", family.recurrent_config(kind), family.recurrent_inputs(kind),
              family.recurrent_weights(kind), family.recurrent_reference(kind),
              conditioning=family.recurrent_conditioning, signed_zeros=False, checks_=CHECKS)
    for kind in ("SimpleRNN", "GRU", "LSTM")
]
