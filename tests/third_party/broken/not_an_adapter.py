"""An entry point that names a function, not an Adapter subclass."""


def make_adapter() -> None:
    """Not an adapter class."""
