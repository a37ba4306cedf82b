"""Built-in adapters (installed as ``conformance.adapters``).

Each module is the only place that imports its backend, and only inside a
worker process: module level stays import-free so the engine can load the
classes to read their descriptions.
"""
