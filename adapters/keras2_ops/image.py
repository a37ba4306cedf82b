"""Keras 2 counterparts of ``keras.ops.image``: only ``resize``, through ``backend.resize_images``.

``tf_keras.backend.resize_images`` scales a batch by integer factors with
``tf.image.resize`` (half-pixel centres, as Keras 3). Anything it cannot
express (unbatched images, non-integer factors, antialias, aspect-ratio
crop/pad, integer images, which Keras 3 rounds back) is absent. Keras 2 has
no other op of this family.
"""

from __future__ import annotations

from typing import Any

from conformance.adapter import Absent
from conformance.migration import changed_default


def _resize(K: Any, A: Any, args: list, kw: dict) -> Any:
    x = args[0]
    if K.ndim(x) != 4:
        raise Absent("tf_keras.backend.resize_images takes batches (rank 4) only")
    if not str(K.dtype(x)).startswith("float"):
        raise Absent("tf_keras.backend.resize_images returns floats for integer images")
    if kw.get("antialias") or kw.get("crop_to_aspect_ratio") or kw.get("pad_to_aspect_ratio"):
        raise Absent("tf_keras.backend.resize_images has no antialias or aspect-ratio options")
    data_format = kw.get("data_format") or "channels_last"
    shape = K.int_shape(x)
    h, w = (shape[1], shape[2]) if data_format == "channels_last" else (shape[2], shape[3])
    th, tw = kw["size"]
    if th % h or tw % w:
        raise Absent("tf_keras.backend.resize_images scales by integer factors only")
    return K.resize_images(x, th // h, tw // w, data_format,
                           interpolation=kw.get("interpolation", "nearest"))


#: what changed between Keras 2 and Keras 3 (the migration view lists it)
CHANGES = {"ops.image.resize": [changed_default("interpolation", "nearest", "bilinear")]}

OP_MAP = {"ops.image.resize": _resize}
