"""Keras 3 on JAX with one fault planted in a convolution, pooling or normalization layer.

Each adapter patches one Keras class when its worker starts, as a backend with
that bug would behave (the procedures of adapters/objects.py stay untouched);
tests/test_layers_conv_faults.py checks that the specs of specs/layers/conv.py,
pooling.py and normalization.py see each one. Workers import this module by
name, so the test puts this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from faulty_objects import HonestJax


def _after_init(cls: Any, change: Any) -> None:
    """Run ``change(layer)`` after ``cls.__init__``: a wrong default or a misread argument."""
    original = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        change(self)

    cls.__init__ = init


class CausalOnTheRight(HonestJax):
    """Conv1D's "causal" padding goes after the sequence (it looks ahead instead of back)."""

    id = "faulty-conv1d-causal"

    def plant(self, keras: Any) -> None:
        def causal_padding(self: Any) -> list:
            right = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            return [[0, 0], [0, right], [0, 0]] if self.data_format == "channels_last" else [[0, 0], [0, 0], [0, right]]

        keras.layers.Conv1D._compute_causal_padding = causal_padding


class OutputPaddingIgnored(HonestJax):
    """Conv2DTranspose drops ``output_padding``."""

    id = "faulty-transpose-output-padding"

    def plant(self, keras: Any) -> None:
        _after_init(keras.layers.Conv2DTranspose, lambda layer: setattr(layer, "output_padding", None))


class PoolStridesOne(HonestJax):
    """MaxPooling2D's default strides are 1 instead of the pool size."""

    id = "faulty-pool-default-strides"

    def plant(self, keras: Any) -> None:
        original = keras.layers.MaxPooling2D.__init__

        def init(self: Any, pool_size: Any = (2, 2), strides: Any = None, *args: Any, **kwargs: Any) -> None:
            original(self, pool_size, 1 if strides is None else strides, *args, **kwargs)

        keras.layers.MaxPooling2D.__init__ = init


class GroupEpsilonDoubled(HonestJax):
    """GroupNormalization adds twice its epsilon to the variance."""

    id = "faulty-group-norm-epsilon"

    def plant(self, keras: Any) -> None:
        _after_init(keras.layers.GroupNormalization, lambda layer: setattr(layer, "epsilon", 2 * layer.epsilon))


class PowerIterationExtra(HonestJax):
    """SpectralNormalization runs one power iteration more than it is told: a wrong state update."""

    id = "faulty-spectral-iterations"

    def plant(self, keras: Any) -> None:
        _after_init(keras.layers.SpectralNormalization,
                    lambda layer: setattr(layer, "power_iterations", layer.power_iterations + 1))


class BatchNormVarianceUnbiased(HonestJax):
    """BatchNormalization's training moments use the unbiased (n - 1) variance."""

    id = "faulty-batchnorm-bessel"

    def plant(self, keras: Any) -> None:
        original = keras.layers.BatchNormalization._moments

        def moments(self: Any, inputs: Any, mask: Any) -> Any:
            mean, variance = original(self, inputs, mask)
            count = 1
            for axis in self._reduction_axes:
                count *= inputs.shape[axis]
            return mean, variance * (count / max(count - 1, 1))

        keras.layers.BatchNormalization._moments = moments


ADAPTERS = (HonestJax, CausalOnTheRight, OutputPaddingIgnored, PoolStridesOne, GroupEpsilonDoubled,
            PowerIterationExtra, BatchNormVarianceUnbiased)
