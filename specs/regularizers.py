"""Specs of ``keras.regularizers``: each called on a drawn weight (a scalar penalty), its value and
config round trip (conformance/families/penalties.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import penalties as family
from conformance.objects import LOSS_CONFIG_ROUND_TRIP, LOSS_VALUES, CallableSpec

FACTORS = st.sampled_from((0.01, 0.0, 1.5))


def _regularizer(name: str, fields: dict, reference: object, conditioning: object) -> CallableSpec:
    return CallableSpec(f"regularizers.{name}", lambda dtype: st.fixed_dictionaries(fields), family.weight,
                        reference, conditioning=conditioning, checks_=(LOSS_VALUES, LOSS_CONFIG_ROUND_TRIP),
                        floatx=True)


SPECS = [
    _regularizer("L1", {"l1": FACTORS}, family.l1_l2, family.l1_l2_conditioning),
    _regularizer("L2", {"l2": FACTORS}, family.l1_l2, family.l1_l2_conditioning),
    _regularizer("L1L2", {"l1": FACTORS, "l2": FACTORS}, family.l1_l2, family.l1_l2_conditioning),
    # rows/columns of size >= 2: with one, Keras divides by zero pairs (0 / 0)
    _regularizer("OrthogonalRegularizer", {"factor": FACTORS, "mode": st.sampled_from(("rows", "columns"))},
                 family.orthogonal, family.orthogonal_conditioning),
]
