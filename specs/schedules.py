"""Specs of ``keras.optimizers.schedules``: each schedule called on a scalar step, its value and
its config round trip (conformance/families/schedules.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import schedules as family
from conformance.objects import LOSS_CONFIG_ROUND_TRIP, LOSS_VALUES, CallableSpec

FLAGS = st.booleans()
CHECKS = (LOSS_VALUES, LOSS_CONFIG_ROUND_TRIP)


def _schedule(name: str, fields: dict, reference: object, conditioning: object, **options: object) -> CallableSpec:
    """A schedule computes in floatx (its initial learning rate, a Python float, sets the dtype)."""
    return CallableSpec(f"optimizers.schedules.{name}", lambda dtype: st.fixed_dictionaries(fields), family.step,
                        reference, conditioning=conditioning, checks_=CHECKS, floatx=True, **options)


SPECS = [
    _schedule("ExponentialDecay", {"initial_learning_rate": family.LEARNING_RATES, "decay_steps": family.DECAY_STEPS,
                                   "decay_rate": st.sampled_from((0.96, 0.5, 2.0)), "staircase": FLAGS},
              family.exponential_decay, family.exponential_conditioning),
    _schedule("InverseTimeDecay", {"initial_learning_rate": family.LEARNING_RATES, "decay_steps": family.DECAY_STEPS,
                                   "decay_rate": st.sampled_from((0.5, 2.0)), "staircase": FLAGS},
              family.inverse_time_decay, family.sum_conditioning("initial_learning_rate")),
    # boundaries and one value more; a step equal to a boundary takes the value before it (<=)
    CallableSpec("optimizers.schedules.PiecewiseConstantDecay", lambda dtype: st.sampled_from((
        {"boundaries": [3], "values": [1.0, 0.5]}, {"boundaries": [2, 5], "values": [1.0, 0.5, 0.1]},
        {"boundaries": [1, 4, 9], "values": [0.3, 0.5, 0.1, 0.01]})), family.step,
        family.piecewise_constant_decay, conditioning=family.sum_conditioning(), checks_=CHECKS, floatx=True),
    _schedule("PolynomialDecay", {"initial_learning_rate": family.LEARNING_RATES, "decay_steps": family.DECAY_STEPS,
                                  "end_learning_rate": st.sampled_from((0.0001, 0.0)),
                                  "power": st.sampled_from((1.0, 0.5, 2.0)), "cycle": FLAGS},
              family.polynomial_decay, family.sum_conditioning("initial_learning_rate", "end_learning_rate")),
    _schedule("CosineDecay", {"initial_learning_rate": family.LEARNING_RATES, "decay_steps": family.DECAY_STEPS,
                              "alpha": st.sampled_from((0.0, 0.1)),
                              "warmup_target": st.sampled_from((None, 0.5)), "warmup_steps": st.sampled_from((0, 4))},
              family.cosine_decay, family.sum_conditioning("initial_learning_rate", "warmup_target")),
    _schedule("CosineDecayRestarts", {"initial_learning_rate": family.LEARNING_RATES,
                                      "first_decay_steps": family.DECAY_STEPS, "t_mul": st.sampled_from((2.0, 1.0)),
                                      "m_mul": st.sampled_from((1.0, 0.5)), "alpha": st.sampled_from((0.0, 0.1))},
              family.cosine_decay_restarts, family.cosine_restarts_conditioning),
]
