"""keras-conformance adapter for keras-mlx, written as the backend's authors would.

Keras 3.16 loads the ``mlx`` backend from the separate package ``keras_mlx``.
The adapter runs in an interpreter of its own (``.envs/keras-mlx/``) because it
needs keras-nightly, not the keras release of the engine's environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.adapters.keras3 import Keras3Adapter, split_call

from conformance.adapter import Case


class KerasMlx(Keras3Adapter):
    id = "keras-mlx"
    title = "Keras 3.16 (keras-nightly) with the keras-mlx pluggable backend, MLX on CPU"
    backend = "mlx"
    requires = ("keras-nightly", "keras-mlx", "mlx")
    environment = {"KERAS_BACKEND": "mlx"}
    # keras-mlx depends on the keras release, which lands in the same keras/ folder:
    # keras-nightly goes in last, over it.
    env_requirements = (
        "keras-mlx==0.0.1 mlx[cpu]==0.31.1 scipy",
        "--no-deps --force-reinstall keras-nightly==3.16.0.dev2026102704",
    )
    known_failures = str(Path(__file__).with_name("known_failures.toml"))
    # MLX's CPU grouped convolution can corrupt the worker's heap; a later case may then hang
    # instead of crashing: 10 s per case (80 s per batch of 8) before the worker is restarted
    case_timeout = 10.0

    def vjp(self, fn: Any, case: Case) -> list[Any]:
        import mlx.core as mx  # noqa: PLC0415 - worker only

        call, wrt = split_call(fn, case, self.join_outputs)
        fixed = [self.to_tensor(a) for a in case.args]
        diff = [fixed[i] for i in wrt]
        _, grads = mx.vjp(lambda *d: call(fixed, *d), diff, [self.to_tensor(case.extra["cotangent"])])
        return list(grads)

    def compile(self, call: Any) -> Any:
        import mlx.core as mx  # noqa: PLC0415 - worker only

        # keras-mlx's trainer wraps train_step in mx.compile when jit_compile is on
        return mx.compile(call)
