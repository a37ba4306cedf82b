"""A small model the project ships for ``keras-conformance model`` (no download).

``build()`` returns a functional model (Dense, LayerNormalization, Conv1D, pooling,
softmax) with named layers; ``python examples/small_model.py model.keras`` saves it with
its initial weights, as a user's own model file would be.
"""

from __future__ import annotations

import sys
from typing import Any


def build() -> Any:
    import keras  # noqa: PLC0415 - imported by the worker that builds it

    inputs = keras.Input(shape=(12, 3), name="signal")
    x = keras.layers.Conv1D(8, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.LayerNormalization(name="norm")(x)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    x = keras.layers.Dense(16, activation="tanh", name="hidden")(x)
    outputs = keras.layers.Dense(4, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="small_model")


if __name__ == "__main__":
    build().save(sys.argv[1] if len(sys.argv) > 1 else "small_model.keras")
