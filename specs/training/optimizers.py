"""Specs of ``keras.optimizers``: each optimizer applied to drawn variables with drawn gradients.

An :class:`OptimizerSpec` applies three steps of ``apply_gradients`` to one or two
variables (w0, w1) and judges every variable after each step against the float64
update rules of conformance/families/optimizers.py, with a clipping (clipnorm,
clipvalue, global_clipnorm or none) and weight decay drawn for each case, in
float32 and float64. Plain SGD is also fitted on a small Dense model
(``optimizers.SGD.fit``: conformance/families/training.py).
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.families import optimizers as rules
from conformance.families import training as family
from conformance.families.optimizers import BETA_1, BETA_2, EPSILONS, optimizer_config
from conformance.objects import FitSpec, OptimizerSpec, serialized


def _optimizer(api: str, config: object, update: rules.Update, **options: object) -> OptimizerSpec:
    return OptimizerSpec(api, config, family.optimizer_variables, rules.optimizer_reference(update),
                         conditioning=rules.optimizer_conditioning(update), **options)


SPECS = [
    FitSpec("optimizers.SGD", family.sgd_scenario, family.dense_chain_model, family.sgd_compile,
            family.full_batch_fit, family.dense_chain_weights, family.dense_chain_data,
            family.sgd_dense_fit),
    _optimizer("optimizers.SGD", optimizer_config(momentum=st.sampled_from((0.0, 0.9, 0.5)), nesterov=st.booleans()),
               rules.sgd_update),
    _optimizer("optimizers.Adam", optimizer_config(beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILONS,
                                                   amsgrad=st.booleans()), rules.adam_update),
    _optimizer("optimizers.AdamW", optimizer_config(st.sampled_from((0.004, 0.1)), beta_1=BETA_1, beta_2=BETA_2,
                                                    epsilon=EPSILONS, amsgrad=st.booleans()), rules.adam_update),
    _optimizer("optimizers.Adamax", optimizer_config(beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILONS),
               rules.adamax_update),
    _optimizer("optimizers.Nadam", optimizer_config(beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILONS),
               rules.nadam_update),
    _optimizer("optimizers.RMSprop", optimizer_config(rho=st.sampled_from((0.9, 0.5)),
                                                      momentum=st.sampled_from((0.0, 0.5)),
                                                      epsilon=EPSILONS, centered=st.booleans()),
               rules.rmsprop_update),
    _optimizer("optimizers.Adagrad", optimizer_config(initial_accumulator_value=st.sampled_from((0.1, 1.0)),
                                                      epsilon=EPSILONS), rules.adagrad_update),
    _optimizer("optimizers.Adadelta", optimizer_config(rho=st.sampled_from((0.95, 0.5)),
                                                       epsilon=EPSILONS), rules.adadelta_update),
    _optimizer("optimizers.Lion", optimizer_config(beta_1=BETA_1, beta_2=st.sampled_from((0.99, 0.9))),
               rules.lion_update),
    _optimizer("optimizers.Ftrl", optimizer_config(
        learning_rate_power=st.sampled_from((-0.5, 0.0, -1.0)), initial_accumulator_value=st.sampled_from((0.1, 1.0)),
        l1_regularization_strength=st.sampled_from((0.0, 0.01)), l2_regularization_strength=st.sampled_from((0.0, 0.1)),
        l2_shrinkage_regularization_strength=st.sampled_from((0.0, 0.1)), beta=st.sampled_from((0.0, 0.5))),
        rules.ftrl_update),
    _optimizer("optimizers.Lamb", optimizer_config(beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILONS), rules.lamb_update),
    # the wrapper takes no clipping or decay of its own: the inner SGD's; growth every 1 or 2 steps
    # doubles the scale within the three steps, 2000 never
    OptimizerSpec("optimizers.LossScaleOptimizer", lambda dtype: st.builds(
        lambda inner, scale, growth: {"inner_optimizer": serialized("optimizers.SGD", inner), "initial_scale": scale,
                                      "dynamic_growth_steps": growth},
        optimizer_config(momentum=st.sampled_from((0.0, 0.9)))(dtype), st.sampled_from((1.0, 8.0, 32768.0)),
        st.sampled_from((1, 2, 2000))), family.optimizer_variables, rules.loss_scale_reference,
        conditioning=rules.loss_scale_conditioning),
]
