"""Specs of ``keras.constraints``: each called on a drawn weight (the projected weight), its value
and config round trip (conformance/families/penalties.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import penalties as family
from conformance.objects import LOSS_CONFIG_ROUND_TRIP, LOSS_VALUES, CallableSpec

AXES = st.sampled_from((0, 1, [0, 1]))
BOUNDS = st.sampled_from((0.5, 1.0, 2.0))


def _constraint(name: str, fields: dict, reference: object) -> CallableSpec:
    return CallableSpec(f"constraints.{name}", lambda dtype: st.fixed_dictionaries(fields), family.weight,
                        reference, conditioning=family.norm_conditioning,
                        checks_=(LOSS_VALUES, LOSS_CONFIG_ROUND_TRIP), floatx=True)


SPECS = [
    _constraint("MaxNorm", {"max_value": BOUNDS, "axis": AXES}, family.max_norm),
    _constraint("MinMaxNorm", {"min_value": st.sampled_from((0.0, 0.5)), "max_value": BOUNDS,
                               "rate": st.sampled_from((1.0, 0.5)), "axis": AXES}, family.min_max_norm),
    _constraint("UnitNorm", {"axis": AXES}, family.unit_norm),
    _constraint("NonNeg", {}, family.non_neg),
]
