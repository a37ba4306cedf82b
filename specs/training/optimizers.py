"""Specs of ``keras.optimizers``: plain SGD on a small Dense model, judged step by step.

A scenario is a chain of one or two Dense layers (``d0``, ``d1``), the
``"mse"`` loss, SGD with a drawn learning rate, and three full-batch steps of
``model.fit`` in float64. The oracle
(:func:`conformance.families.training.sgd_dense_fit`) backpropagates in float64
and returns the weights after each step (``step1:d0/kernel``…).
"""

from __future__ import annotations

from conformance.families import training as family
from conformance.objects import FitSpec

SPECS = [
    FitSpec("optimizers.SGD", family.sgd_scenario, family.dense_chain_model, family.sgd_compile,
            family.full_batch_fit, family.dense_chain_weights, family.dense_chain_data,
            family.sgd_dense_fit),
]
