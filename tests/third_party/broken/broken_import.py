"""An adapter module that fails at import, as one with a missing dependency does."""

raise ImportError("toy-broken-import needs the module no_such_backend_xyz")
