"""Keras 3 on JAX with one training fault planted: losses, optimizers and metrics that are subtly wrong.

Each adapter patches one Keras class when its worker starts (tests/faulty_objects.py
explains the pattern); tests/test_training_faults.py checks that the loss and
optimizer and metric specs catch each one. Workers import this module by name.
"""

from __future__ import annotations

from typing import Any

from faulty_objects import HonestJax


def _set_after_init(cls: Any, **attributes: Any) -> None:
    """Patch ``cls.__init__`` so that each instance gets ``attributes`` after its own init."""
    original = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        for name, value in attributes.items():
            setattr(self, name, value)

    cls.__init__ = init


class AdamWithoutBiasCorrection(HonestJax):
    """Adam steps by lr m / (sqrt(v) + eps): the 1 - beta^t corrections are dropped."""

    id = "faulty-adam-bias"

    def plant(self, keras: Any) -> None:
        ops = keras.ops

        def update_step(self: Any, gradient: Any, variable: Any, learning_rate: Any) -> None:
            lr = ops.cast(learning_rate, variable.dtype)
            gradient = ops.cast(gradient, variable.dtype)
            index = self._get_variable_index(variable)
            m, v = self._momentums[index], self._velocities[index]
            self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
            self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
            if self.amsgrad:
                v_hat = self._velocity_hats[index]
                self.assign(v_hat, ops.maximum(v_hat, v))
                v = v_hat
            self.assign_sub(variable, ops.divide(ops.multiply(m, lr), ops.add(ops.sqrt(v), self.epsilon)))

        keras.optimizers.Adam.update_step = update_step


class NesterovIgnored(HonestJax):
    """SGD with ``nesterov=True`` takes the plain momentum step."""

    id = "faulty-sgd-nesterov"

    def plant(self, keras: Any) -> None:
        _set_after_init(keras.optimizers.SGD, nesterov=False)


class ClippingIgnored(HonestJax):
    """Optimizers ignore clipnorm, clipvalue and global_clipnorm."""

    id = "faulty-clipping"

    def plant(self, keras: Any) -> None:
        keras.optimizers.Optimizer._clip_gradients = lambda self, grads: grads


class LabelSmoothingIgnored(HonestJax):
    """BinaryCrossentropy drops its ``label_smoothing``."""

    id = "faulty-bce-smoothing"

    def plant(self, keras: Any) -> None:
        original = keras.losses.BinaryCrossentropy.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self._fn_kwargs["label_smoothing"] = 0.0

        keras.losses.BinaryCrossentropy.__init__ = init


class HuberFunctionIgnoresDelta(HonestJax):
    """The function ``keras.losses.huber`` computes with delta = 1 whatever it is given."""

    id = "faulty-huber-delta"

    def plant(self, keras: Any) -> None:
        original = keras.losses.huber
        keras.losses.huber = lambda y_true, y_pred, delta=1.0: original(y_true, y_pred, 1.0)


class MeanOfLastBatchOnly(HonestJax):
    """Mean metrics forget every batch before the last: each update resets the state first."""

    id = "faulty-metric-last-batch"

    def plant(self, keras: Any) -> None:
        original = keras.metrics.Mean.update_state

        def update_state(self: Any, values: Any, sample_weight: Any = None) -> None:
            self.reset_state()
            original(self, values, sample_weight=sample_weight)

        keras.metrics.Mean.update_state = update_state


class PrecisionIgnoresSampleWeight(HonestJax):
    """Precision counts every sample once, whatever its weight."""

    id = "faulty-precision-weights"

    def plant(self, keras: Any) -> None:
        original = keras.metrics.Precision.update_state
        keras.metrics.Precision.update_state = lambda self, y_true, y_pred, sample_weight=None: original(
            self, y_true, y_pred)


class StaircaseIgnored(HonestJax):
    """ExponentialDecay decays smoothly even with ``staircase=True``."""

    id = "faulty-schedule-staircase"

    def plant(self, keras: Any) -> None:
        _set_after_init(keras.optimizers.schedules.ExponentialDecay, staircase=False)


class MaxNormAxisIgnored(HonestJax):
    """MaxNorm takes the norms over axis 0 whatever its ``axis``."""

    id = "faulty-maxnorm-axis"

    def plant(self, keras: Any) -> None:
        _set_after_init(keras.constraints.MaxNorm, axis=0)


ADAPTERS = (HonestJax, AdamWithoutBiasCorrection, NesterovIgnored, ClippingIgnored, LabelSmoothingIgnored,
            HuberFunctionIgnoresDelta, MeanOfLastBatchOnly, PrecisionIgnoresSampleWeight,
            StaircaseIgnored, MaxNormAxisIgnored)
