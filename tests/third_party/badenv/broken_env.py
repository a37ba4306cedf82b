"""An adapter with an interpreter of its own whose pip step cannot succeed."""

from conformance.adapters.keras3 import Keras3NumPy


class BrokenEnv(Keras3NumPy):
    id = "broken-env"
    title = "an environment of its own that cannot be created (engine tests)"
    env_requirements = ("no-such-distribution-xyz==0.0",)
