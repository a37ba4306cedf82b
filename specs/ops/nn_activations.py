"""Specs of ``keras.ops.nn`` activations (part of the ops.nn namespace, next to nn.py).

Elementwise activations with their keyword parameters drawn (left out or given),
glu and sparsemax along a drawn axis. Floating inputs only, as the other
activations in nn.py: integer inputs have no common meaning across backends.
Gradient inputs are kept 0.05 away from each activation's kinks
(:data:`conformance.families.nn.KINKS`). Special values: NaN propagates through
every activation, including the thresholded ones (a NaN is neither above nor below
a threshold).
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import nn
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES
from conformance.tolerance import with_input_magnitude

ALPHAS = st.sampled_from([None, 0.5, 1.0, 2.0])
THRESHOLDS = st.sampled_from([None, 0.0, 0.25, 1.0])


def _activation(name: str, reference, args=None, **extra) -> OpSpec:  # noqa: ANN001 - OpSpec fields
    kinks = nn.KINKS.get(name)
    return OpSpec(f"ops.nn.{name}", args or nn.activation_args(kinks), reference, FLOAT_DTYPES,
                  grad=True, **extra)


SPECS = [
    _activation("celu", nn.celu, nn.activation_args(nn.KINKS["celu"], alpha=ALPHAS), signed_zeros=False,
                notes="alpha in {0.5, 1, 2}, left out (1.0) or given; celu(-0.0) may be either zero"),
    _activation("elu", nn.elu, nn.activation_args(nn.KINKS["elu"], alpha=ALPHAS),
                notes="alpha in {0.5, 1, 2}, left out (1.0) or given"),
    _activation("selu", nn.selu, notes="the exact constants alpha=1.6732632423543772…, scale=1.0507009873554804…"),
    _activation("leaky_relu", nn.leaky_relu, nn.activation_args(
        nn.KINKS["leaky_relu"], negative_slope=st.sampled_from([None, 0.0, 0.1, 0.25, 0.5])),
        signed_zeros=False,
        notes="negative_slope in [0, 1) (Keras computes max(x, slope·x), which means something else "
              "for slopes above 1); slope 0 and -0.0 inputs may give either zero"),
    _activation("relu6", nn.relu6, signed_zeros=False, notes="relu6(-0.0) may be -0.0 or 0.0"),
    _activation("hard_tanh", nn.hard_tanh),
    _activation("hard_sigmoid", nn.hard_sigmoid, notes="Keras 3's definition, relu6(x + 3) / 6"),
    _activation("hard_swish", nn.hard_swish, signed_zeros=False,
                notes="x · relu6(x + 3) / 6; canonical name of its alias hard_silu. The zero of "
                      "x · 0 for x < -3 may carry either sign"),
    _activation("hard_shrink", nn.hard_shrink, nn.activation_args(nn.KINKS["hard_shrink"],
                                                                  threshold=THRESHOLDS),
                signed_zeros=False, notes="threshold left out (0.5) or in {0, 0.25, 1}"),
    _activation("soft_shrink", nn.soft_shrink, nn.activation_args(nn.KINKS["soft_shrink"],
                                                                  threshold=THRESHOLDS),
                signed_zeros=False, notes="threshold left out (0.5) or in {0, 0.25, 1}"),
    _activation("threshold", nn.threshold, nn.activation_args(
        nn.KINKS["threshold"], threshold=st.sampled_from([-1.0, 0.0, 0.5]),
        default_value=st.sampled_from([0.0, -2.0, 1.5])), signed_zeros=False,
        notes="threshold and default_value are required; x where x > threshold, else default_value"),
    _activation("log_sigmoid", nn.log_sigmoid, signed_zeros=False,
                notes="log_sigmoid(inf) = -0.0 may come back as 0.0"),
    _activation("softplus", nn.softplus),
    _activation("softsign", nn.softsign),
    _activation("sparse_plus", nn.sparse_plus, signed_zeros=False),
    _activation("sparse_sigmoid", nn.sparse_sigmoid),
    _activation("squareplus", nn.squareplus, nn.activation_args(
        nn.KINKS["squareplus"], b=st.sampled_from([None, 0.25, 1.0, 4.0])), conditioning=with_input_magnitude,
        notes="b left out (4) or in {0.25, 1, 4}; (x + sqrt(x² + b)) / 2 cancels for x << 0, so the "
              "scale includes |x|"),
    _activation("swish", nn.swish, signed_zeros=False, notes="canonical name of its alias silu"),
    _activation("tanh_shrink", nn.tanh_shrink, conditioning=with_input_magnitude, signed_zeros=False,
                notes="x - tanh(x) cancels near 0: the scale includes |x|"),
    OpSpec("ops.nn.glu", nn.axis_activation_args(even=True), nn.glu, FLOAT_DTYPES, grad=True,
           special=True, notes="axis of even length, drawn (left out means -1); no 0-d or empty inputs"),
    OpSpec("ops.nn.sparsemax", nn.axis_activation_args(), nn.sparsemax, FLOAT_DTYPES, grad=True,
           conditioning=with_input_magnitude, signed_zeros=False,
           notes="int axis, drawn (left out means -1); no 0-d or empty inputs. x - tau cancels: the "
                 "scale includes |x|"),
]
