"""keras-conformance: numerical conformance of Keras implementations.

This package is the engine. It never imports keras or a backend library in the
pytest process; those are imported only inside adapter worker processes. The
modules that also run inside a worker (``adapter``, ``wire``, ``worker``) depend
on NumPy alone, so a worker interpreter with an old NumPy can load them.
"""

from __future__ import annotations

import os as _os

__version__ = "0.1.0"

# In an installed wheel, specs/ and adapters/ are installed as conformance.specs
# and conformance.adapters (package-dir in pyproject.toml). In a plain checkout
# (no install, or a worker interpreter that only has the checkout on sys.path)
# they sit next to this folder, so the repository root joins the package path.
_here = _os.path.dirname(_os.path.realpath(__file__))
_root = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "specs")) and _os.path.isfile(
    _os.path.join(_root, "specs", "__init__.py")
):
    __path__.append(_root)  # type: ignore[name-defined]  # noqa: F821

ROOT = _root
