"""An adapter whose known-failures file reaches beyond its own adapter."""

from __future__ import annotations

from pathlib import Path

from conformance.adapters.keras3 import Keras3NumPy


class ToyBadKnown(Keras3NumPy):
    id = "toy-badknown"
    title = "Keras 3 on NumPy whose known-failures file names keras3-numpy (engine tests)"
    known_failures = str(Path(__file__).with_name("known_failures.toml"))
