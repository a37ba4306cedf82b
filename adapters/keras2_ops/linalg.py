"""Keras 2 counterparts of ``keras.ops.linalg``: none.

``tf_keras.backend`` has no linear-algebra functions (no det, inv, solve,
cholesky, norm…; only ``l2_normalize``, which is not ``norm``), so every
``ops.linalg`` name is absent on the Keras 2 adapters.
"""

from __future__ import annotations

from typing import Any

#: canonical Keras 3 name -> how tf_keras computes it. Names not here are absent.
OP_MAP: dict[str, Any] = {}
