"""Keras 3 on NumPy under ids of its own, as a third-party package registers them."""

from __future__ import annotations

from pathlib import Path

from conformance.adapters.keras3 import Keras3NumPy


class ToyNumPy(Keras3NumPy):
    id = "toy-numpy"
    title = "Keras 3 on NumPy, installed as a third-party package (engine tests)"


class ToyKnown(Keras3NumPy):
    id = "toy-known"
    title = "Keras 3 on NumPy with a known-failures file of its own (engine tests)"
    known_failures = str(Path(__file__).with_name("known_failures.toml"))


class ToyPlain(Keras3NumPy):
    """ToyKnown without its known-failures file: the same cells must fail here."""

    id = "toy-plain"
    title = "Keras 3 on NumPy without a known-failures file (engine tests)"
