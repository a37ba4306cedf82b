"""Keras 2 counterparts of ``keras.random``: ``tf_keras.backend.random_*``, ``dropout``.

Keras 2 seeds are ints only (no SeedGenerator). ``random_binomial`` is a
Bernoulli draw, so it stands for ``random.binomial`` only when ``counts`` is 1.
``randint``, ``gamma``, ``beta``, ``categorical`` and ``shuffle`` have no
counterpart in the backend: absent.
"""

from __future__ import annotations

from typing import Any

from conformance.adapter import Absent


def _sampler(name: str, *params: str) -> Any:
    def call(K: Any, A: Any, args: list, kw: dict) -> Any:
        given = {p: kw[p] for p in params if p in kw}
        return getattr(K, name)(tuple(kw["shape"]), dtype=kw.get("dtype"), seed=kw.get("seed"), **given)

    return call


def _binomial(K: Any, A: Any, args: list, kw: dict) -> Any:
    if kw["counts"] != 1:
        raise Absent("tf_keras.backend.random_binomial is a Bernoulli draw: counts=1 only")
    return K.random_binomial(tuple(kw["shape"]), p=kw["probabilities"], dtype=kw.get("dtype"),
                             seed=kw.get("seed"))


def _dropout(K: Any, A: Any, args: list, kw: dict) -> Any:
    noise = kw.get("noise_shape")
    return K.dropout(args[0], level=kw["rate"], noise_shape=None if noise is None else tuple(noise),
                     seed=kw.get("seed"))


OP_MAP: dict[str, Any] = {
    "random.normal": _sampler("random_normal", "mean", "stddev"),
    "random.uniform": _sampler("random_uniform", "minval", "maxval"),
    "random.truncated_normal": _sampler("truncated_normal", "mean", "stddev"),
    "random.binomial": _binomial,
    "random.dropout": _dropout,
}
