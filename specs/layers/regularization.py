"""Specs of ``keras.layers`` regularization layers.

Dropout (a shared noise_shape too), SpatialDropout1D/2D/3D (both data formats),
GaussianNoise, GaussianDropout, AlphaDropout and ActivityRegularization. At
inference each is the identity, compared by value (its gradient too); in training
the random ones are judged by what their law allows, never compared across
adapters (conformance/families/layers_regularization.py).
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import layers_core as core
from conformance.families import layers_regularization as family
from conformance.families.layers_reshaping import DATA_FORMATS
from conformance.objects import LayerSpec

#: 0 (the identity in training too), ordinary rates, and a high one
RATES = (0.0, 0.2, 0.5, 0.9)
data_format = st.sampled_from(DATA_FORMATS)

SPECS = [
    LayerSpec("layers.Dropout", family.rate_config(RATES, noise_shape=st.sampled_from((None, [None, 1, None]))),
              family.large_inputs(3), core.no_weights, family.dropout_reference),
    LayerSpec("layers.SpatialDropout1D", family.rate_config(RATES), family.large_inputs(3), core.no_weights,
              family.spatial_dropout_reference),
    LayerSpec("layers.SpatialDropout2D", family.rate_config(RATES, data_format=data_format), family.large_inputs(4),
              core.no_weights, family.spatial_dropout_reference),
    LayerSpec("layers.SpatialDropout3D", family.rate_config(RATES, data_format=data_format), family.large_inputs(5),
              core.no_weights, family.spatial_dropout_reference),
    LayerSpec("layers.GaussianNoise",
              lambda dtype: st.fixed_dictionaries({"stddev": st.sampled_from((0.0, 0.1, 1.0)),
                                                   "seed": st.integers(0, 10_000)}),
              family.large_inputs(3), core.no_weights, family.gaussian_noise_reference),
    LayerSpec("layers.GaussianDropout", family.rate_config((0.0, 0.1, 0.5)), family.large_inputs(3),
              core.no_weights, family.gaussian_dropout_reference),
    LayerSpec("layers.AlphaDropout", family.rate_config((0.0, 0.1, 0.5)), family.large_inputs(3), core.no_weights,
              family.alpha_dropout_reference),
    LayerSpec("layers.ActivityRegularization", family.activity_regularization_config, core.any_rank(1, 4),
              core.no_weights, family.identity_reference),
]
