"""Specs of ``keras.layers`` pooling layers: windowed, global and adaptive, 1-D to 3-D.

Each layer has a channels_last spec and a ``.channels_first`` variant (as the
convolutions: TensorFlow's CPU pooling kernels are channels_last only, and that
divergence must not hide the other layout). Pooling has no weights; strategies
and references are in conformance/families/layers_pooling.py.
"""

from __future__ import annotations

from conformance.families import layers_pooling as family
from conformance.objects import (
    LAYER_CHECKS_WITH_SYMBOLIC,
    LayerSpec,
)

CHECKS = LAYER_CHECKS_WITH_SYMBOLIC
DATA_FORMATS = ("channels_last", "channels_first")
KINDS = {"Max": family.MAX, "Average": family.AVERAGE}


def _name(api: str, data_format: str) -> str:
    return api + (".channels_first" if data_format == "channels_first" else "")


def _no_weights(config: dict, inputs: dict) -> dict:
    return {}


# A maximum's tie (equal values in one window) has no defined gradient split: the drawn
# values are continuous (normal in gradient cases), so ties do not occur there.
SPECS = [
    *(LayerSpec(f"layers.{word}Pooling{rank}D", family.pool_config(rank, data_format), family.pool_inputs(),
                _no_weights, family.pool_reference(kind), conditioning=family.pool_conditioning(kind),
                checks_=CHECKS, name=_name(f"layers.{word}Pooling{rank}D", data_format))
      for word, kind in KINDS.items() for rank in (1, 2, 3) for data_format in DATA_FORMATS),
    *(LayerSpec(f"layers.Global{word}Pooling{rank}D", family.global_pool_config(data_format),
                family.global_pool_inputs(rank), _no_weights, family.global_pool_reference(kind),
                conditioning=family.global_pool_conditioning(kind), checks_=CHECKS,
                name=_name(f"layers.Global{word}Pooling{rank}D", data_format))
      for word, kind in KINDS.items() for rank in (1, 2, 3) for data_format in DATA_FORMATS),
    *(LayerSpec(f"layers.Adaptive{word}Pooling{rank}D", family.adaptive_pool_config(rank, kind, data_format),
                family.adaptive_pool_inputs(rank), _no_weights, family.adaptive_pool_reference(kind),
                conditioning=family.adaptive_pool_conditioning(kind), checks_=CHECKS,
                name=_name(f"layers.Adaptive{word}Pooling{rank}D", data_format))
      for word, kind in KINDS.items() for rank in (1, 2, 3) for data_format in DATA_FORMATS),
]
