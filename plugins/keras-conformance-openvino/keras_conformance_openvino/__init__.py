"""keras-conformance adapter for keras-openvino, written as the backend's authors would.

Keras 3.16 loads the ``openvino`` backend from the separate package
``keras_openvino`` (distinct from the OpenVINO backend built into the Keras
3.15 release, adapter ``keras3-openvino``). Inference only: no gradients, no fit.
"""

from __future__ import annotations

from pathlib import Path

from conformance.adapters.keras3 import Keras3Adapter


class KerasOpenVINO(Keras3Adapter):
    id = "keras-openvino"
    title = "Keras 3.16 (keras-nightly) with the keras-openvino pluggable backend (inference only)"
    backend = "openvino"
    requires = ("keras-nightly", "keras-openvino", "openvino")
    environment = {"KERAS_BACKEND": "openvino"}
    can_train = False
    env_requirements = (
        "keras-openvino==0.0.1 scipy",
        "--no-deps --force-reinstall keras-nightly==3.16.0.dev2026102704",
    )
    known_failures = str(Path(__file__).with_name("known_failures.toml"))
