"""An adapter whose distribution requirement is not installed anywhere."""

from conformance.adapters.keras3 import Keras3NumPy


class BrokenRequires(Keras3NumPy):
    id = "broken-requires"
    title = "requires a distribution that does not exist (engine tests)"
    requires = ("keras", "no-such-distribution-xyz")
