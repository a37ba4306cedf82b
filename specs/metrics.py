"""Specs of ``keras.metrics``: each metric updated with several batches, its result after each
and after a reset (conformance/families/metrics.py).

The mean metrics reuse the losses' float64 per-sample values
(conformance/families/loss_values.py) and inputs (conformance/families/losses.py); the
accuracies and the confusion-matrix metrics have their own, with probabilities drawn on
the thresholds themselves.
"""

from __future__ import annotations

import dataclasses

from conformance.specs import losses as loss_specs
from hypothesis import strategies as st

from conformance.families import loss_values as values
from conformance.families import losses as inputs
from conformance.families import metrics as family
from conformance.families.losses import function_spec
from conformance.families.metrics import confusion_metric_spec, mean_metric_spec, with_dtype
from conformance.objects import MetricSpec

FLAGS = st.booleans()
SMOOTHING = st.sampled_from((0.0, 0.1, 1.0))
NONE = with_dtype()

SPECS = [
    # regression
    mean_metric_spec("metrics.MeanSquaredError", NONE, inputs.real_pair, values.mean_squared_error),
    mean_metric_spec("metrics.RootMeanSquaredError", NONE, inputs.real_pair, values.mean_squared_error,
                     square_root=True),
    mean_metric_spec("metrics.MeanAbsoluteError", NONE, inputs.real_pair, values.mean_absolute_error),
    mean_metric_spec("metrics.MeanAbsolutePercentageError", NONE, inputs.real_pair,
                     values.mean_absolute_percentage_error),
    mean_metric_spec("metrics.MeanSquaredLogarithmicError", NONE, inputs.real_pair,
                     values.mean_squared_logarithmic_error),
    mean_metric_spec("metrics.CosineSimilarity", with_dtype(axis=st.sampled_from((-1, 1))), inputs.cosine_pair,
                     family.cosine_similarity),
    mean_metric_spec("metrics.LogCoshError", NONE, inputs.real_pair, values.log_cosh),
    # probabilistic
    mean_metric_spec("metrics.BinaryCrossentropy", with_dtype(from_logits=FLAGS, label_smoothing=SMOOTHING),
                     inputs.binary, values.binary_crossentropy),
    mean_metric_spec("metrics.CategoricalCrossentropy", with_dtype(from_logits=FLAGS, label_smoothing=SMOOTHING),
                     inputs.categorical, values.categorical_crossentropy),
    mean_metric_spec("metrics.SparseCategoricalCrossentropy", with_dtype(from_logits=FLAGS), inputs.sparse_labels,
                     values.sparse_categorical_crossentropy),
    mean_metric_spec("metrics.KLDivergence", NONE, inputs.categorical, values.kl_divergence),
    mean_metric_spec("metrics.Poisson", NONE, inputs.nonnegative_pair, values.poisson),
    # hinge
    mean_metric_spec("metrics.Hinge", NONE, inputs.hinge_pair, values.hinge),
    mean_metric_spec("metrics.SquaredHinge", NONE, inputs.hinge_pair, values.squared_hinge),
    mean_metric_spec("metrics.CategoricalHinge", NONE, inputs.categorical, values.categorical_hinge),
    # accuracy
    mean_metric_spec("metrics.Accuracy", NONE, family.exact_pair, family.accuracy),
    mean_metric_spec("metrics.BinaryAccuracy", with_dtype(threshold=st.sampled_from((0.5, 0.3, 0.7))),
                     family.thresholded, family.binary_accuracy),
    mean_metric_spec("metrics.CategoricalAccuracy", NONE, inputs.categorical, family.categorical_accuracy),
    mean_metric_spec("metrics.SparseCategoricalAccuracy", NONE, inputs.sparse_labels,
                     family.sparse_categorical_accuracy),
    mean_metric_spec("metrics.TopKCategoricalAccuracy", with_dtype(k=st.sampled_from((1, 2, 5))),
                     inputs.categorical, family.top_k_categorical_accuracy),
    mean_metric_spec("metrics.SparseTopKCategoricalAccuracy", with_dtype(k=st.sampled_from((1, 2, 5))),
                     inputs.sparse_labels, family.sparse_top_k_categorical_accuracy),
    # given values
    MetricSpec("metrics.Mean", NONE, family.values_batches, family.mean_values_reference,
               conditioning=family.values_conditioning(family.mean_values_reference)),
    MetricSpec("metrics.Sum", NONE, family.values_batches, family.sum_values_reference,
               conditioning=family.values_conditioning(family.sum_values_reference)),
    # confusion matrix
    confusion_metric_spec("metrics.TruePositives", "tp"),
    confusion_metric_spec("metrics.FalsePositives", "fp"),
    confusion_metric_spec("metrics.TrueNegatives", "tn"),
    confusion_metric_spec("metrics.FalseNegatives", "fn"),
    confusion_metric_spec("metrics.Precision", "precision"),
    confusion_metric_spec("metrics.Recall", "recall"),
]


#: keras.metrics re-exports these functions of keras.losses: the same records, under metrics.
SHARED_FUNCTIONS = ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                    "mean_squared_logarithmic_error", "huber", "log_cosh", "hinge", "squared_hinge",
                    "categorical_hinge", "kl_divergence", "poisson", "binary_crossentropy",
                    "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
                    "sparse_categorical_crossentropy")
SPECS += [dataclasses.replace(spec, api=f"metrics.{spec.name[7:]}", name=f"metrics.{spec.name[7:]}")
          for spec in loss_specs.SPECS if spec.name[7:] in SHARED_FUNCTIONS]
# The accuracies' functions (no useful gradient: values only).
SPECS += [
    function_spec("metrics.binary_accuracy", family.thresholded, family.binary_accuracy_elementwise, values_only=True,
                  threshold=st.sampled_from((0.5, 0.3, 0.7))),
    function_spec("metrics.categorical_accuracy", inputs.categorical, family.categorical_accuracy, values_only=True),
    function_spec("metrics.sparse_categorical_accuracy", inputs.sparse_labels, family.sparse_categorical_accuracy,
                  values_only=True),
    function_spec("metrics.top_k_categorical_accuracy", inputs.categorical, family.top_k_categorical_accuracy,
                  values_only=True, k=st.sampled_from((1, 2, 5))),
    function_spec("metrics.sparse_top_k_categorical_accuracy", inputs.sparse_labels,
                  family.sparse_top_k_categorical_accuracy, values_only=True, k=st.sampled_from((1, 2, 5))),
]
