"""Specs of ``keras.losses``: every loss class, called as ``loss(y_true, y_pred, sample_weight)``.

Each is judged for its values, its config round trip and its gradients (w.r.t.
y_true, y_pred and the sample weight) against the float64 references of
conformance/families/loss_values.py, reduced as Keras 3 reduces
(conformance/families/losses.py). The reductions every Keras generation has are
drawn in each spec; Keras 3's ``mean`` and ``mean_with_sample_weight`` get
variants of their own (``.keras3_reductions``), as does the rank-3 sample weight.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import loss_values as values
from conformance.families import losses as family
from conformance.families.losses import (
    COMMON_REDUCTIONS,
    REDUCTIONS,
    function_spec,
    loss_function_spec,
    loss_spec,
    with_reduction,
)

FLAGS = st.booleans()
SMOOTHING = st.sampled_from((0.0, 0.1, 1.0))

SPECS = [
    loss_spec("losses.MeanSquaredError", with_reduction(), family.real_pair, values.mean_squared_error),
    loss_spec("losses.MeanSquaredError", with_reduction(REDUCTIONS), family.real_pair, values.mean_squared_error,
              name="losses.MeanSquaredError.keras3_reductions"),
    loss_spec("losses.MeanSquaredError", with_reduction(COMMON_REDUCTIONS[:2]), family.rank3_with_sample_weight,
              values.mean_squared_error, name="losses.MeanSquaredError.rank3_sample_weight"),
    loss_spec("losses.MeanAbsoluteError", with_reduction(), family.real_pair, values.mean_absolute_error),
    loss_spec("losses.MeanAbsolutePercentageError", with_reduction(), family.real_pair,
              values.mean_absolute_percentage_error),
    loss_spec("losses.MeanSquaredLogarithmicError", with_reduction(), family.real_pair,
              values.mean_squared_logarithmic_error),
    loss_spec("losses.CosineSimilarity", with_reduction(axis=st.sampled_from((-1, 1))), family.cosine_pair,
              values.cosine_similarity),
    loss_spec("losses.Huber", with_reduction(delta=st.sampled_from((1.0, 0.5, 2.0))), family.real_pair,
              values.huber),
    loss_spec("losses.LogCosh", with_reduction(), family.real_pair, values.log_cosh),
    loss_spec("losses.Hinge", with_reduction(), family.hinge_pair, values.hinge),
    loss_spec("losses.SquaredHinge", with_reduction(), family.hinge_pair, values.squared_hinge),
    loss_spec("losses.CategoricalHinge", with_reduction(), family.categorical, values.categorical_hinge),
    loss_spec("losses.KLDivergence", with_reduction(), family.categorical, values.kl_divergence),
    loss_spec("losses.Poisson", with_reduction(), family.nonnegative_pair, values.poisson),
    loss_spec("losses.BinaryCrossentropy", with_reduction(from_logits=FLAGS, label_smoothing=SMOOTHING),
              family.binary, values.binary_crossentropy),
    loss_spec("losses.BinaryFocalCrossentropy",
              with_reduction(from_logits=FLAGS, label_smoothing=SMOOTHING, apply_class_balancing=FLAGS,
                             alpha=st.sampled_from((0.25, 0.8)), gamma=st.sampled_from((2.0, 0.0, 1.5))),
              family.binary, values.binary_focal_crossentropy),
    loss_spec("losses.CategoricalCrossentropy", with_reduction(from_logits=FLAGS, label_smoothing=SMOOTHING),
              family.categorical, values.categorical_crossentropy),
    loss_spec("losses.CategoricalFocalCrossentropy",
              with_reduction(from_logits=FLAGS, label_smoothing=SMOOTHING, alpha=st.sampled_from((0.25, 1.0)),
                             gamma=st.sampled_from((2.0, 0.0, 1.5))),
              family.categorical, values.categorical_focal_crossentropy),
    loss_spec("losses.SparseCategoricalCrossentropy", with_reduction(from_logits=FLAGS), family.sparse_labels,
              values.sparse_categorical_crossentropy),
    # ignore_class masks entries: the mean reductions then divide by the valid count (apply_mask)
    loss_spec("losses.SparseCategoricalCrossentropy",
              with_reduction(REDUCTIONS, from_logits=FLAGS, ignore_class=st.sampled_from((0, -1))),
              family.sparse_labels, values.sparse_categorical_crossentropy,
              name="losses.SparseCategoricalCrossentropy.ignore_class"),
    loss_spec("losses.Dice", with_reduction(axis=st.sampled_from((None, [1]))), family.mask_pair, values.dice),
    loss_spec("losses.Tversky",
              with_reduction(axis=st.sampled_from((None, [1])), alpha=st.sampled_from((0.5, 0.7)),
                             beta=st.sampled_from((0.5, 0.3))),
              family.mask_pair, values.tversky),
    loss_spec("losses.Circle",
              with_reduction(gamma=st.sampled_from((80.0, 2.0)), margin=st.sampled_from((0.4, 0.1)),
                             remove_diagonal=FLAGS),
              family.embeddings, values.circle),
    loss_spec("losses.CategoricalGeneralizedCrossEntropy", with_reduction(q=st.sampled_from((0.5, 0.1, 0.9))),
              family.generalized, values.categorical_generalized_cross_entropy),
]

# The functions, each with its own keyword arguments drawn (Python values in the call's kwargs).
SPECS += [
    function_spec("losses.mean_squared_error", family.real_pair, values.mean_squared_error),
    function_spec("losses.mean_absolute_error", family.real_pair, values.mean_absolute_error),
    function_spec("losses.mean_absolute_percentage_error", family.real_pair, values.mean_absolute_percentage_error),
    function_spec("losses.mean_squared_logarithmic_error", family.real_pair, values.mean_squared_logarithmic_error),
    function_spec("losses.cosine_similarity", family.cosine_pair, values.cosine_similarity, axis=st.sampled_from((-1, 1))),
    function_spec("losses.huber", family.real_pair, values.huber, delta=st.sampled_from((1.0, 0.5, 2.0))),
    function_spec("losses.log_cosh", family.real_pair, values.log_cosh),
    function_spec("losses.hinge", family.hinge_pair, values.hinge),
    function_spec("losses.squared_hinge", family.hinge_pair, values.squared_hinge),
    function_spec("losses.categorical_hinge", family.categorical, values.categorical_hinge),
    function_spec("losses.kl_divergence", family.categorical, values.kl_divergence),
    function_spec("losses.poisson", family.nonnegative_pair, values.poisson),
    function_spec("losses.binary_crossentropy", family.binary, values.binary_crossentropy, from_logits=FLAGS,
              label_smoothing=SMOOTHING),
    function_spec("losses.binary_focal_crossentropy", family.binary, values.binary_focal_crossentropy, from_logits=FLAGS,
              label_smoothing=SMOOTHING, apply_class_balancing=FLAGS, alpha=st.sampled_from((0.25, 0.8)),
              gamma=st.sampled_from((2.0, 0.0, 1.5))),
    function_spec("losses.categorical_crossentropy", family.categorical, values.categorical_crossentropy, from_logits=FLAGS,
              label_smoothing=SMOOTHING),
    function_spec("losses.categorical_focal_crossentropy", family.categorical, values.categorical_focal_crossentropy,
              from_logits=FLAGS, label_smoothing=SMOOTHING, alpha=st.sampled_from((0.25, 1.0)),
              gamma=st.sampled_from((2.0, 0.0, 1.5))),
    function_spec("losses.sparse_categorical_crossentropy", family.sparse_labels, values.sparse_categorical_crossentropy,
              from_logits=FLAGS),
    # ignore_class: a variant (Keras 2.3's function has no such argument)
    loss_function_spec("losses.sparse_categorical_crossentropy", family.sparse_labels,
                       values.sparse_categorical_crossentropy,
                       st.fixed_dictionaries({"from_logits": FLAGS, "ignore_class": st.sampled_from((0, -1))}),
                       name="losses.sparse_categorical_crossentropy.ignore_class"),
    function_spec("losses.dice", family.mask_pair, values.dice, axis=st.sampled_from((None, [1]))),
    function_spec("losses.tversky", family.mask_pair, values.tversky, alpha=st.sampled_from((0.5, 0.7)),
              beta=st.sampled_from((0.5, 0.3)), axis=st.sampled_from((None, [1]))),
    function_spec("losses.circle", family.embeddings, values.circle, gamma=st.sampled_from((80.0, 2.0)),
              margin=st.sampled_from((0.4, 0.1)), remove_diagonal=FLAGS),
    # q has no default: the function cannot be called without it
    function_spec("losses.categorical_generalized_cross_entropy", family.generalized,
              values.categorical_generalized_cross_entropy, q=st.sampled_from((0.5, 0.1, 0.9))),
]

EXCLUSIONS = {
    "losses.CTC": "no float64 reference of the CTC forward algorithm yet (alignment lattice over blank-separated "
                  "labels, log-space sums); left for a spec of its own",
    "losses.ctc": "the function of losses.CTC, excluded for the same reason",
}
