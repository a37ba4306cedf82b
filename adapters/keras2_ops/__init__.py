"""Keras 3 op name -> Keras 2 counterpart, for the tf-keras and keras2 adapters.

One module per op family, each with an ``OP_MAP`` dict; this package merges
them (a name mapped twice is an error). Keras 2 has no ``keras.ops``: each
entry translates arguments to ``tf_keras.backend`` / ``keras.backend`` or the
activations explicitly. A name in no module is "absent" on these adapters.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def _merged(attribute: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, value in getattr(module, attribute, {}).items():
            if name in merged:
                raise ValueError(f"{name} is in {attribute} of {owner[name]} and {info.name}")
            merged[name], owner[name] = value, info.name
    return merged


#: canonical Keras 3 name -> ``impl(K, A, args, kwargs)``. Names not here are absent.
OP_MAP: dict[str, Any] = _merged("OP_MAP")
#: canonical Keras 3 name -> the :class:`conformance.migration.Change` s between Keras 2 and 3
CHANGES: dict[str, list] = _merged("CHANGES")
