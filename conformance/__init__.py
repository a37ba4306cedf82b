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

#: The catalog's profiles: examples drawn per (spec, check), each judged on every adapter.
#: ``default`` is what a plain run and a per-commit CI job get, sized so that the five
#: Keras 3 / tf-keras adapters finish within 20 minutes on 2 cores; ``nightly`` draws twice
#: as many (what one default run misses is measured in the README, "The default profile
#: in 20 minutes"); ``quick`` is a smoke test with a fixed seed. Every other run draws its
#: own cases (its own seed), so a CI history covers more than any one run.
PROFILES = {"quick": 12, "default": 20, "nightly": 40, "thorough": 500}
