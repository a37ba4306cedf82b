"""Lets `pytest` run from a checkout with the conformance plugin active.

When keras-conformance is installed, its pytest11 entry point already loads
the plugin; registering it twice would be an error.
"""

import importlib.metadata
import os

_installed = any(ep.name == "conformance" for ep in importlib.metadata.entry_points(group="pytest11"))
if not _installed or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
    pytest_plugins = ["conformance.plugin"]
