"""Strategies and float64 references for ``keras.optimizers``, applied to given gradients.

Each update rule is written from Keras 3.15's keras/src/optimizers/*.py (where epsilon
goes, the bias corrections, the order of the moment updates), in float64. Every
optimizer goes through Keras's ``apply`` the same way (base_optimizer.py): the
gradients are clipped first (``clipnorm`` per variable, ``global_clipnorm`` over all,
or ``clipvalue``), then weight decay ``w -= w * weight_decay * lr`` is applied to the
variables, then the optimizer's own ``update_step``; :func:`optimizer_reference`
does the same. Variables are named w0, w1 (conformance/families/training.py draws them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance.structure import step_name

State = dict[str, np.ndarray]
#: ``update(config, state, w, g, step) -> new w`` for one variable; ``state`` persists across steps
Update = Callable[[dict, State, np.ndarray, np.ndarray, int], np.ndarray]


# -- the optimizers' own update steps ------------------------------------------------------------
def sgd_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """m <- momentum m - lr g; w += m, or with nesterov w += momentum m - lr g; plain: w -= lr g."""
    lr, momentum = config["learning_rate"], config.get("momentum", 0.0)
    if momentum == 0:
        return w - lr * g
    m = state.setdefault("m", np.zeros_like(w))
    m[...] = m * momentum - g * lr
    return w + (m * momentum - g * lr if config.get("nesterov") else m)


def adam_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """alpha = lr sqrt(1 - b2^t) / (1 - b1^t); w -= alpha m / (sqrt(v) + eps); amsgrad: v = max of v so far."""
    lr, b1, b2, eps = (config[k] for k in ("learning_rate", "beta_1", "beta_2", "epsilon"))
    m, v = state.setdefault("m", np.zeros_like(w)), state.setdefault("v", np.zeros_like(w))
    alpha = lr * np.sqrt(1 - b2**step) / (1 - b1**step)
    m[...] = m + (g - m) * (1 - b1)
    v[...] = v + (g * g - v) * (1 - b2)
    if config.get("amsgrad"):
        v_hat = state.setdefault("v_hat", np.zeros_like(w))
        v_hat[...] = np.maximum(v_hat, v)
        v = v_hat
    return w - alpha * m / (np.sqrt(v) + eps)


def adamax_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """u <- max(b2 u, |g|); w -= lr m / ((1 - b1^t) (u + eps))."""
    lr, b1, b2, eps = (config[k] for k in ("learning_rate", "beta_1", "beta_2", "epsilon"))
    m, u = state.setdefault("m", np.zeros_like(w)), state.setdefault("u", np.zeros_like(w))
    m[...] = m + (g - m) * (1 - b1)
    u[...] = np.maximum(b2 * u, np.abs(g))
    return w - lr * m / ((1 - b1**step) * (u + eps))


def rmsprop_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """v <- rho v + (1 - rho) g^2; centered subtracts the mean gradient squared; eps inside the sqrt."""
    lr, rho, eps, momentum = config["learning_rate"], config["rho"], config["epsilon"], config.get("momentum", 0.0)
    v = state.setdefault("v", np.zeros_like(w))
    v[...] = rho * v + (1 - rho) * g * g
    if config.get("centered"):
        mean = state.setdefault("mean", np.zeros_like(w))
        mean[...] = rho * mean + (1 - rho) * g
        denominator = v - mean * mean + eps
    else:
        denominator = v + eps
    increment = lr * g / np.sqrt(denominator)
    if momentum > 0:
        m = state.setdefault("m", np.zeros_like(w))
        m[...] = momentum * m + increment
        return w - m
    return w - increment


def adagrad_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """The accumulator starts at initial_accumulator_value; w -= lr g / sqrt(acc + eps)."""
    acc = state.setdefault("acc", np.full_like(w, config["initial_accumulator_value"]))
    acc[...] = acc + g * g
    return w - config["learning_rate"] * g / np.sqrt(acc + config["epsilon"])


def adadelta_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """delta = -sqrt(acc_delta + eps) g / sqrt(acc_grad + eps); w += lr delta."""
    rho, eps = config["rho"], config["epsilon"]
    acc_g, acc_d = state.setdefault("g", np.zeros_like(w)), state.setdefault("d", np.zeros_like(w))
    acc_g[...] = rho * acc_g + (1 - rho) * g * g
    delta = -np.sqrt(acc_d + eps) * g / np.sqrt(acc_g + eps)
    acc_d[...] = rho * acc_d + (1 - rho) * delta * delta
    return w + config["learning_rate"] * delta


def lion_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """w -= lr sign(b1 m + (1 - b1) g), then m <- b2 m + (1 - b2) g."""
    b1, b2 = config["beta_1"], config["beta_2"]
    m = state.setdefault("m", np.zeros_like(w))
    new = w - config["learning_rate"] * np.sign(m * b1 + g * (1 - b1))
    m[...] = m * b2 + g * (1 - b2)
    return new


def nadam_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """Nadam with the 0.96 momentum schedule: u_t = b1 (1 - 0.5 0.96^t), their running product."""
    lr, b1, b2, eps = (config[k] for k in ("learning_rate", "beta_1", "beta_2", "epsilon"))
    u_t, u_next = b1 * (1 - 0.5 * 0.96**step), b1 * (1 - 0.5 * 0.96 ** (step + 1))
    product = np.prod([b1 * (1 - 0.5 * 0.96**k) for k in range(1, step + 1)])
    m, v = state.setdefault("m", np.zeros_like(w)), state.setdefault("v", np.zeros_like(w))
    m[...] = m + (g - m) * (1 - b1)
    v[...] = v + (g * g - v) * (1 - b2)
    m_hat = u_next * m / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
    v_hat = v / (1 - b2**step)
    return w - m_hat * lr / (np.sqrt(v_hat) + eps)


# -- clipping, weight decay, the steps -----------------------------------------------------------
def ftrl_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """FTRL-proximal: accum += g^2; linear += g' - (accum'^-p - accum^-p) / lr w (g' with the
    shrinkage term); w = (clip(linear, +-l1) - linear) / (accum'^-p / lr + 2 (l2 + beta / 2lr))."""
    lr, power = config["learning_rate"], config["learning_rate_power"]
    l1, l2 = config["l1_regularization_strength"], config["l2_regularization_strength"]
    shrinkage, beta = config["l2_shrinkage_regularization_strength"], config["beta"]
    accum = state.setdefault("accum", np.full_like(w, config["initial_accumulator_value"]))
    linear = state.setdefault("linear", np.zeros_like(w))
    new_accum = accum + g * g
    linear[...] = linear + (g + 2 * shrinkage * w) - (new_accum ** -power - accum ** -power) / lr * w
    quadratic = new_accum ** -power / lr + 2 * (l2 + beta / (2.0 * lr))
    accum[...] = new_accum
    return (np.clip(linear, -l1, l1) - linear) / quadratic


def lamb_update(config: dict, state: State, w: np.ndarray, g: np.ndarray, step: int) -> np.ndarray:
    """Adam's bias-corrected m / (sqrt(v) + eps), scaled by the trust ratio |w| / |update| over the
    whole variable (1 where either norm is 0)."""
    lr, b1, b2, eps = (config[k] for k in ("learning_rate", "beta_1", "beta_2", "epsilon"))
    m, v = state.setdefault("m", np.zeros_like(w)), state.setdefault("v", np.zeros_like(w))
    m[...] = m + (g - m) * (1 - b1)
    v[...] = v + (g * g - v) * (1 - b2)
    update = (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + eps)
    w_norm, u_norm = np.sqrt(np.sum(w * w)), np.sqrt(np.sum(update * update))
    ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    return w - ratio * lr * update


def _unscaled(config: dict, gradients: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """LossScaleOptimizer: each step's gradients divided by the current scale; the scale doubles
    after every ``dynamic_growth_steps`` finite steps (the counter restarts)."""
    scale, counter = float(config["initial_scale"]), 0
    unscaled = []
    for grads in gradients:
        unscaled.append({k: g / scale for k, g in grads.items()})
        if counter == config["dynamic_growth_steps"] - 1:
            scale, counter = scale * 2.0, 0
        else:
            counter += 1
    return unscaled


def loss_scale_reference(config: dict, variables: dict[str, np.ndarray], gradients: list[dict[str, np.ndarray]]
                         ) -> dict[str, np.ndarray]:
    """LossScaleOptimizer around SGD: the inner optimizer's steps (its own clipping and decay) on the
    unscaled gradients."""
    inner = config["inner_optimizer"]["config"]
    return optimizer_reference(sgd_update)(inner, variables, _unscaled(config, gradients))


def loss_scale_conditioning(config: dict, variables: dict[str, np.ndarray], gradients: list[dict[str, np.ndarray]]
                            ) -> dict[str, np.ndarray]:
    inner = config["inner_optimizer"]["config"]
    return optimizer_conditioning(sgd_update)(inner, variables, _unscaled(config, gradients))


def clip_gradients(config: dict, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """base_optimizer._clip_gradients: clipnorm per variable, else global_clipnorm, else clipvalue."""
    if config.get("clipnorm"):
        c = config["clipnorm"]
        return {k: g * c / max(np.sqrt(np.sum(g * g)), c) for k, g in grads.items()}
    if config.get("global_clipnorm"):
        c = config["global_clipnorm"]
        norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
        return {k: g * c * min(1.0 / norm if norm else np.inf, 1.0 / c) for k, g in grads.items()}
    if config.get("clipvalue"):
        v = config["clipvalue"]
        return {k: np.clip(g, -v, v) for k, g in grads.items()}
    return grads


def optimizer_reference(update: Update) -> Callable[[dict, dict, list[dict]], dict[str, np.ndarray]]:
    """Every variable after each step: clip, weight decay (w -= w wd lr), then ``update``."""

    def reference(config: dict, variables: dict[str, np.ndarray], gradients: list[dict[str, np.ndarray]]
                  ) -> dict[str, np.ndarray]:
        current = {k: np.asarray(v, np.float64) for k, v in variables.items()}
        states: dict[str, State] = {k: {} for k in current}
        out = {}
        for step, grads in enumerate(gradients, start=1):
            grads = clip_gradients(config, grads)
            for k in current:
                w = current[k]
                if config.get("weight_decay"):
                    w = w - w * config["weight_decay"] * config["learning_rate"]
                current[k] = update(config, states[k], w, grads[k], step)
                out[step_name(step, k)] = current[k]
        return out

    return reference


def optimizer_conditioning(update: Update, amplification: float = 8.0
                           ) -> Callable[[dict, dict, list[dict]], dict[str, np.ndarray]]:
    """|w0| + the sum of |updates| x ``amplification`` (the rounding of moments, square roots and
    divisions in each update, relative to it), plus Adam-style bias corrections' cancellation."""
    reference = optimizer_reference(update)

    def conditioning(config: dict, variables: dict[str, np.ndarray], gradients: list[dict[str, np.ndarray]]
                     ) -> dict[str, np.ndarray]:
        refs = reference(config, variables, gradients)
        b1, b2 = config.get("beta_1", 0.0), config.get("beta_2", 0.0)
        out = {}
        for k, w0 in variables.items():
            previous = np.asarray(w0, np.float64)
            total = np.abs(previous)
            for step in range(1, len(gradients) + 1):
                current = refs[step_name(step, k)]
                # 1 - beta^t in the variables' dtype loses digits as beta -> 1 (float32, beta_2 = 0.999)
                cancellation = b1**step / (1 - b1**step) + b2**step / (2 * (1 - b2**step)) if b2 < 1 else 0.0
                total = total + np.abs(current - previous) * (amplification + cancellation)
                previous = current
                out[step_name(step, k)] = total.copy()
        return out

    return conditioning


# -- configs -------------------------------------------------------------------------------------
CLIPPING = st.sampled_from(({}, {"clipnorm": 0.5}, {"clipvalue": 0.3}, {"global_clipnorm": 0.7}))
WEIGHT_DECAY = st.sampled_from((None, 0.05))
LEARNING_RATES = st.sampled_from((0.001, 0.01, 0.1))


def optimizer_config(weight_decay: st.SearchStrategy = WEIGHT_DECAY, **fields: st.SearchStrategy
                     ) -> Callable[[str], st.SearchStrategy]:
    """A config factory: learning rate, a clipping (or none), weight decay, and the optimizer's own fields."""

    @st.composite
    def draw_config(draw: Any) -> dict:
        config = {"learning_rate": draw(LEARNING_RATES), **draw(CLIPPING),
                  **{k: draw(v) for k, v in fields.items()}}
        decay = draw(weight_decay)
        if decay is not None:
            config["weight_decay"] = decay
        return config

    return lambda dtype: draw_config()


BETA_1 = st.sampled_from((0.9, 0.5))
BETA_2 = st.sampled_from((0.999, 0.9))
EPSILONS = st.sampled_from((1e-7, 1e-3))
