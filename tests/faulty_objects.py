"""Keras 3 on JAX, honest and with one fault planted in a Keras object, for the object specs.

Each faulty adapter patches one Keras class when its worker starts, as a
backend with that bug would behave; the adapter code itself is Keras 3's,
untouched (the procedures of adapters/objects.py). Workers import this module
by name, so the tests put this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from conformance.adapters.keras3 import Keras3Jax


class HonestJax(Keras3Jax):
    """keras3-jax in one process: the control the faulty adapters are compared with."""

    id = "honest-jax"
    title = "Keras 3 on JAX (engine tests)"
    workers = 1

    def setup(self) -> None:
        super().setup()
        self.plant(self.keras)

    def plant(self, keras: Any) -> None:
        """Change Keras as the faulty implementation does; nothing for the honest one."""


class MaskIgnored(HonestJax):
    """Attention drops the masks it is given."""

    id = "faulty-attention-mask"

    def plant(self, keras: Any) -> None:
        original = keras.layers.Attention.call

        def call(self: Any, inputs: Any, mask: Any = None, **kwargs: Any) -> Any:
            return original(self, inputs, mask=None, **kwargs)

        keras.layers.Attention.call = call


class MomentumFlipped(HonestJax):
    """BatchNormalization updates its moving statistics with 1 - momentum: a wrong state update."""

    id = "faulty-batchnorm-momentum"

    def plant(self, keras: Any) -> None:
        original = keras.layers.BatchNormalization.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self.momentum = 1.0 - self.momentum

        keras.layers.BatchNormalization.__init__ = init


class SampleWeightIgnored(HonestJax):
    """Losses ignore ``sample_weight``."""

    id = "faulty-loss-weights"

    def plant(self, keras: Any) -> None:
        original = keras.losses.Loss.__call__

        def call(self: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
            return original(self, y_true, y_pred)

        keras.losses.Loss.__call__ = call


class LearningRateTwice(HonestJax):
    """Adam applies its learning rate twice (each step moves twice as far)."""

    id = "faulty-adam-lr"

    def plant(self, keras: Any) -> None:
        original = keras.optimizers.Adam.update_step

        def update_step(self: Any, gradient: Any, variable: Any, learning_rate: Any) -> None:
            original(self, gradient, variable, learning_rate * 2)

        keras.optimizers.Adam.update_step = update_step


class ResetIgnored(HonestJax):
    """Mean metrics keep their totals across ``reset_state()``: a wrong accumulation."""

    id = "faulty-metric-reset"

    def plant(self, keras: Any) -> None:
        keras.metrics.Mean.reset_state = lambda self: None


class NormShifted(HonestJax):
    """LayerNormalization's output off by 1e-2: one wrong layer in the middle of a model."""

    id = "faulty-layer-norm"

    def plant(self, keras: Any) -> None:
        original = keras.layers.LayerNormalization.call

        def call(self: Any, inputs: Any) -> Any:
            return keras.ops.add(original(self, inputs), 1e-2)

        keras.layers.LayerNormalization.call = call


#: the registration the model command's test gives through KERAS_CONFORMANCE_EXTRA_ADAPTERS
REGISTRATION = "honest-jax=faulty_objects:HonestJax,faulty-layer-norm=faulty_objects:NormShifted"

ADAPTERS = (HonestJax, MaskIgnored, MomentumFlipped, SampleWeightIgnored, LearningRateTwice, ResetIgnored)
