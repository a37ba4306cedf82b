"""Specs of ``keras.layers`` merging layers.

Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate and Dot, called on a
list of inputs (of different ranks and broadcast sides where Keras merges them); Add and
Average also on a (n, n) input and a (n, 1) column, the operand TF's ops.add mistakes for a bias.
Masks are not drawn: a merge layer's call takes none (conformance/families/layers_merging.py
says why). Strategies and references: conformance/families/layers_merging.py.
"""

from __future__ import annotations

from conformance.families import layers_core as core
from conformance.families import layers_merging as family
from conformance.objects import LayerSpec

ELEMENTWISE = {
    "layers.Add": (family.add_reference, family.sum_conditioning, (2, 3)),
    "layers.Subtract": (family.subtract_reference, family.sum_conditioning, (2, 2)),
    "layers.Multiply": (family.multiply_reference, family.product_conditioning, (2, 3)),
    "layers.Average": (family.average_reference, family.sum_conditioning, (2, 3)),
    "layers.Maximum": (family.maximum_reference, None, (2, 3)),
    "layers.Minimum": (family.minimum_reference, None, (2, 3)),
}

# Two or three inputs: Keras 3 merges a single input too, Keras 2 requires two (an API
# difference, not a numerical one). Signed zeros are compared for Maximum and Minimum only: a
# sum or product whose terms cancel may carry either sign with another order of the terms.
SPECS = [
    *[LayerSpec(api, core.no_config, family.elementwise_inputs(count), core.no_weights, reference,
                conditioning=conditioning, signed_zeros=conditioning is None, checks_=core.WITH_SYMBOLIC)
      for api, (reference, conditioning, count) in ELEMENTWISE.items()],
    *[LayerSpec(api, core.no_config, family.column_inputs, core.no_weights, ELEMENTWISE[api][0],
                conditioning=family.sum_conditioning, signed_zeros=False, name=f"{api}.column_operand")
      for api in ("layers.Add", "layers.Average")],
    LayerSpec("layers.Concatenate", family.concatenate_config, family.concatenate_inputs, core.no_weights,
              family.concatenate_reference, checks_=core.WITH_SYMBOLIC),
    LayerSpec("layers.Dot", family.dot_config, family.dot_inputs, core.no_weights, family.dot_reference,
              conditioning=family.dot_conditioning, signed_zeros=False, checks_=core.WITH_SYMBOLIC),
]
