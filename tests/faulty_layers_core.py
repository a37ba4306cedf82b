"""Keras 3 on JAX with one fault planted in a simple layer, for tests/test_layers_core_faults.py.

Each adapter patches one Keras class when its worker starts (HonestJax.plant), as a
backend with that bug would behave: a mask that keeps index 0, a data format ignored,
an axis ignored, a dropout that does not rescale, a softmax that ignores its mask,
a ReLU threshold ignored.
Workers import this module by name, so the test puts this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from faulty_objects import HonestJax


class EmbeddingMaskDropped(HonestJax):
    """Embedding(mask_zero=True) masks nothing: index 0 is kept like any other."""

    id = "faulty-embedding-mask"

    def plant(self, keras: Any) -> None:
        def compute_mask(self: Any, inputs: Any, mask: Any = None) -> Any:
            return keras.ops.ones_like(inputs, dtype="bool") if self.mask_zero else None

        keras.layers.Embedding.compute_mask = compute_mask


class FlattenChannelsLast(HonestJax):
    """Flatten ignores data_format='channels_first' (flattens in the stored order)."""

    id = "faulty-flatten-format"

    def plant(self, keras: Any) -> None:
        original = keras.layers.Flatten.call

        def call(self: Any, inputs: Any) -> Any:
            self._channels_first = False
            return original(self, inputs)

        keras.layers.Flatten.call = call


class ConcatenateLastAxis(HonestJax):
    """Concatenate joins along the last axis whatever its axis says."""

    id = "faulty-concatenate-axis"

    def plant(self, keras: Any) -> None:
        original = keras.layers.Concatenate._merge_function

        def merge(self: Any, inputs: Any) -> Any:
            if all(x.shape[-1] == inputs[0].shape[-1] for x in inputs):  # where the last axis can join
                saved, self.axis = self.axis, -1
                try:
                    return original(self, inputs)
                finally:
                    self.axis = saved
            return original(self, inputs)

        keras.layers.Concatenate._merge_function = merge


class DropoutNotRescaled(HonestJax):
    """Dropout zeroes units in training but does not divide the kept ones by 1 - rate."""

    id = "faulty-dropout-scale"

    def plant(self, keras: Any) -> None:
        ops = keras.ops

        def call(self: Any, inputs: Any, training: bool = False) -> Any:
            if training and self.rate > 0:
                keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
                return ops.where(keep, inputs, ops.zeros_like(inputs))
            return inputs

        keras.layers.Dropout.call = call


class SoftmaxMaskIgnored(HonestJax):
    """Softmax drops the mask it is given."""

    id = "faulty-softmax-mask"

    def plant(self, keras: Any) -> None:
        original = keras.layers.Softmax.call
        keras.layers.Softmax.call = lambda self, inputs, mask=None: original(self, inputs)


class ReluThresholdIgnored(HonestJax):
    """ReLU keeps every positive value whatever its threshold."""

    id = "faulty-relu-threshold"

    def plant(self, keras: Any) -> None:
        original = keras.layers.ReLU.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self.threshold = 0.0

        keras.layers.ReLU.__init__ = init


ADAPTERS = (HonestJax, EmbeddingMaskDropped, FlattenChannelsLast, ConcatenateLastAxis, DropoutNotRescaled,
            SoftmaxMaskIgnored, ReluThresholdIgnored)
