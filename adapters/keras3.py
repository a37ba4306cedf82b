"""Keras 3 (``keras`` 3.x) on each of its built-in backends.

One class per backend; ``KERAS_BACKEND`` is set in the worker's environment
before its first ``import keras``. Gradients use each backend's own autodiff
(``jax.vjp``, ``tf.GradientTape``, ``torch.autograd``); NumPy and OpenVINO have
none and answer "absent".
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from conformance.adapter import (
    OBJECT_PROCEDURES,
    OP,
    OP_COMPILED,
    OP_GRAD,
    OP_SHAPES,
    OP_SYMBOLIC,
    Absent,
    Adapter,
    Case,
    Outcome,
)
from conformance.wire import dtype_from_name

from ._common import (
    call_kwargs,
    flatten_join,
    outputs_of,
    positional,
    resolve,
    split_call,
    tensorflow_vjp,
)
from .objects import ObjectProcedures

#: the keras-nightly build the ``@nightly`` variants run (Keras 3.16 development)
KERAS_NIGHTLY = "keras-nightly==3.16.0.dev2026102704"
#: the keras release of the engine's environment, installed first in a nightly env for its dependencies
KERAS_RELEASE = "keras==3.15.1"


def seeded_calls(fn: Any, args: list[Any], case: Case, to_numpy: Any,
                 generator: Any = None) -> dict[str, np.ndarray]:
    """``keras.random`` cases that call an op once per entry of ``params["seeds"]``.

    Output ``out{i}`` is the call with ``seed=`` set to entry i: an int is passed
    as is; ``{"generator": s, "instance": k}`` is the ``SeedGenerator(s)`` created
    for instance k on first use and reused after, so two entries naming the same
    instance draw consecutively from one generator (conventions: conformance/randomness.py).
    ``generator`` is the SeedGenerator class; None (Keras 2) makes such an entry absent.
    """
    kwargs = call_kwargs(case)
    instances: dict[Any, Any] = {}
    outputs = {}
    for i, seed in enumerate(case.params["seeds"]):
        if isinstance(seed, dict):
            if generator is None:
                raise Absent("no keras.random.SeedGenerator in this implementation")
            key = seed.get("instance", 0)
            if key not in instances:
                instances[key] = generator(seed["generator"])
            seed = instances[key]
        outputs[f"out{i}"] = to_numpy(fn(*args, **kwargs, seed=seed))
    return outputs


def _gist(exc: BaseException) -> str:
    """An exception's message in a line or two: tf.function's "in user code:" puts the cause last."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[0] if len(lines) == 1 or not lines[0].endswith("in user code:") else lines[-1]


def jax_cache_dir() -> str | None:
    """Where the JAX adapters keep compiled executables between runs; None: no cache.

    ``$KERAS_CONFORMANCE_CACHE_DIR/jax`` (``off`` for no cache), by default
    ``~/.cache/keras-conformance/jax`` (``$XDG_CACHE_HOME`` respected). A
    ``JAX_COMPILATION_CACHE_DIR`` set by the user wins: JAX reads it itself.
    """
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    root = os.environ.get("KERAS_CONFORMANCE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "keras-conformance")
    return None if root == "off" else os.path.join(root, "jax")


def resident_bytes() -> int | None:
    """This process's resident set size, or None where /proc does not tell it."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def prune_cache(directory: str, max_bytes: int) -> None:
    """Keep a cache directory under ``max_bytes``: delete the least recently used files.

    Run once when a worker starts (two JAX workers may both prune; a file already gone
    is skipped)."""
    try:
        entries = [e for e in os.scandir(directory) if e.is_file()]
    except OSError:
        return
    stats = []
    for entry in entries:
        try:
            stat = entry.stat()
        except OSError:
            continue
        stats.append((max(stat.st_atime, stat.st_mtime), stat.st_size, entry.path))
    total = sum(size for _, size, _ in stats)
    for _, size, path in sorted(stats):
        if total <= max_bytes * 3 // 4:
            break
        try:
            os.remove(path)
            total -= size
        except OSError:
            pass


class Keras3Adapter(Adapter):
    """A Keras 3 backend; public, for backend authors to subclass (see docs/third-party-backends.md)."""

    backend: ClassVar[str] = ""
    #: pip requirements of the backend library, for interpreters of its own (the nightly variant)
    backend_requirements: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def variants(cls) -> dict[str, type[Adapter]]:
        # built-in adapters only: a plugin chooses its own versions, a variant has none
        if cls.env_requirements or not cls.id or cls.__module__ != __name__:
            return {}
        # keras-nightly goes in last, over the release that brought the dependencies
        steps = (" ".join((*cls.backend_requirements, KERAS_RELEASE, "scipy")),
                 f"--no-deps --force-reinstall {KERAS_NIGHTLY}")
        requires = tuple("keras-nightly" if r == "keras" else r for r in cls.requires)
        nightly = type(f"{cls.__name__}Nightly", (cls,), {
            "id": f"{cls.id}@nightly", "title": f"{cls.title}, on {KERAS_NIGHTLY}",
            "env_requirements": steps, "requires": requires,
            "__module__": cls.__module__,
        })
        return {"nightly": nightly}

    def setup(self) -> None:
        import keras  # noqa: PLC0415 - imported in the worker only

        if keras.backend.backend() != self.backend:
            raise RuntimeError(
                f"KERAS_BACKEND={self.backend} requested, keras runs {keras.backend.backend()}"
            )
        self.keras = keras
        self.ops = keras.ops
        self._configure_backend()

    def _configure_backend(self) -> None:
        """Single-threaded CPU; on a GPU, TF32 off as in Keras's own tests."""

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["backend"] = self.backend
        info["keras"] = self.keras.__version__
        info["floatx"] = self.keras.backend.floatx()
        return info

    # -- conversions ----------------------------------------------------------
    def to_tensor(self, array: np.ndarray) -> Any:
        return self.ops.convert_to_tensor(array, dtype=array.dtype.name)

    def to_numpy(self, tensor: Any) -> np.ndarray:
        return np.asarray(self.ops.convert_to_numpy(tensor))

    def variable_name(self, variable: Any) -> str:
        return variable.path

    # -- cases ----------------------------------------------------------------
    #: the Keras-object procedures (adapters/objects.py); a generation with other hooks
    #: (Keras 2) names its own class
    object_procedures: ClassVar[type[ObjectProcedures]] = ObjectProcedures

    def run(self, case: Case) -> Outcome:
        if case.kind in OBJECT_PROCEDURES:
            if "_objects" not in self.__dict__:
                self._objects = self.object_procedures(self)
            return self._objects.run(case)
        if case.kind in (OP, OP_SHAPES):
            fn = resolve(self.keras, case.api)
            args = [self.to_tensor(a) for a in case.args]
            if "seeds" in case.params:  # keras.random: one call per seed
                return Outcome.ok(seeded_calls(fn, args, case, self.to_numpy, self.keras.random.SeedGenerator))
            return Outcome.ok(outputs_of(fn(*positional(args, case), **call_kwargs(case)),
                                         self.to_numpy))
        if case.kind == OP_SYMBOLIC:
            return Outcome.ok(self.eager_and_symbolic(case))
        if case.kind == OP_COMPILED:
            return Outcome.ok(self.eager_and_compiled(case))
        if case.kind == OP_GRAD:
            fn = resolve(self.keras, case.api)
            grads = self.vjp(fn, case)
            return Outcome.ok({f"grad{i}": self.to_numpy(g) for i, g in zip(case.params["wrt"], grads)})
        raise Absent(f"case kind {case.kind!r} is not supported")

    def vjp(self, fn: Any, case: Case) -> list[Any]:
        raise Absent(f"the {self.backend} backend has no automatic differentiation")

    def join_outputs(self, parts: list[Any]) -> Any:
        """Several outputs as one 1-D tensor, for their gradient (see ``split_call``)."""
        return flatten_join(self.keras.ops)(parts)

    def compile(self, call: Any) -> Any:
        """``call`` compiled the way this backend compiles a Keras function; Absent if it does not."""
        raise Absent(f"the {self.backend} backend has no compiler here")

    #: compiled functions kept for later cases of the same call (see compiled_function)
    COMPILED_FUNCTIONS_KEPT = 64

    def compiled_function(self, case: Case, call: Any) -> Any:
        """``compile(call)``, reused for every case of the same op with the same parameters.

        As a Keras model's compiled step is built once and called on every batch: the
        backend's compiler then retraces only for an input signature it has not seen
        (jax.jit and tf.function key their traces by shapes and dtypes), rather than for
        every case. Arrays in keyword arguments are part of the key (the call closes over them).
        """
        key = (case.api, _exact_key(case.params))
        cache = self.__dict__.setdefault("_compiled_functions", {})
        if key not in cache:
            if len(cache) >= self.COMPILED_FUNCTIONS_KEPT:
                cache.pop(next(iter(cache)))
            cache[key] = self.compile(call)
        return cache[key]

    def eager_and_compiled(self, case: Case) -> dict[str, np.ndarray]:
        """The eager outputs, and, per output NAME, ``NAME@compiled``: the same call compiled.

        The positional arrays are the compiled function's arguments; keyword arguments
        (tensors among them) are closed over, as a Keras layer's call closes over its config.
        """
        fn = resolve(self.keras, case.api)
        kwargs = call_kwargs(case)
        # first, so that a backend without a compiler answers absent without computing anything
        # (the eager call of such a case only repeated the values check's, crashes included)
        compiled = self.compiled_function(case, lambda *xs: fn(*positional(list(xs), case), **kwargs))
        tensors = [self.to_tensor(a) for a in case.args]
        try:
            eager = fn(*positional(tensors, case), **kwargs)
            outputs = outputs_of(eager, self.to_numpy)
        except Exception as exc:  # the values check judges the eager call; nothing to compare here
            raise Absent(f"the eager call raised {type(exc).__name__} (the plain call answers for it)") from None
        if not all(self.ops.is_tensor(part) for part in (eager if isinstance(eager, (tuple, list)) else [eager])):
            # ops.shape's ints, is_tensor's bool: a compiler turns them into tensors of its own dtype
            raise Absent("the op returns Python values, not tensors: nothing is compiled")
        try:
            result = compiled(*tensors)
        except Exception as exc:
            gist = _gist(exc)
            named = gist if gist.split(":")[0].endswith(("Error", "Exception")) else f"{type(exc).__name__}: {gist}"
            raise RuntimeError(f"the compiled call raised {named}") from None
        outputs.update({f"{name}@compiled": value
                        for name, value in outputs_of(result, self.to_numpy).items()})
        return outputs

    def eager_and_symbolic(self, case: Case) -> dict[str, np.ndarray]:
        """The eager outputs, and what the same call on KerasTensors infers for each."""
        fn = resolve(self.keras, case.api)
        if not case.args:  # tensors in keyword arguments stay concrete: nothing would be inferred
            raise Absent("no positional array argument to make symbolic")
        try:
            kwargs = call_kwargs(case)
            eager = fn(*positional([self.to_tensor(a) for a in case.args], case), **kwargs)
            outputs = outputs_of(eager, self.to_numpy)
        except Exception as exc:  # the values check judges the eager call; nothing to compare here
            raise Absent(f"the eager call raised {type(exc).__name__} (the plain call answers for it)") from None
        placeholders = [self.keras.KerasTensor(a.shape, dtype=a.dtype.name) for a in case.args]
        try:
            inferred = outputs_of(fn(*positional(placeholders, case), **kwargs), lambda t: t)
        except Exception as exc:
            raise RuntimeError(f"the symbolic call raised {type(exc).__name__}: {exc}") from None
        for name, spec in inferred.items():
            if isinstance(spec, self.keras.KerasTensor):
                dtype, shape = self.keras.backend.standardize_dtype(spec.dtype), spec.shape
            else:  # a Python value (ops.shape's ints, is_tensor's bool): compared as it is
                value = self.to_numpy(spec)
                dtype, shape = value.dtype.name, value.shape
            outputs[f"{name}@symbolic"] = np.zeros((), dtype=dtype_from_name(dtype))
            outputs[f"{name}@shape"] = np.array([-1 if d is None else d for d in shape], dtype=np.int64)
        return outputs


def _exact_key(value: Any) -> Any:
    """A hashable key that tells apart any two different parameter values (arrays by bytes)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _exact_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_exact_key(v) for v in value))
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, float):  # -0.0 and 0.0 differ; a NaN equals itself
        return ("float", np.float64(value).tobytes())
    return (type(value).__name__, value)


class Keras3TensorFlow(Keras3Adapter):
    id = "keras3-tensorflow"
    title = "Keras 3 on TensorFlow (= tf.keras in TF >= 2.16)"
    backend = "tensorflow"
    backend_requirements = ("tensorflow==2.21.0",)
    requires = ("keras", "tensorflow")
    environment = {"KERAS_BACKEND": "tensorflow"}

    def _configure_backend(self) -> None:
        import tensorflow as tf  # noqa: PLC0415

        tf.config.experimental.enable_tensor_float_32_execution(False)

    def to_numpy(self, tensor: Any) -> np.ndarray:
        # ops.convert_to_numpy raises on bfloat16 tensors with TF 2.21 + NumPy 2.4
        # ("object __array__ method not producing an array"); EagerTensor.numpy() works.
        if hasattr(tensor, "numpy"):
            return np.asarray(tensor.numpy())
        return super().to_numpy(tensor)

    def vjp(self, fn: Any, case: Case) -> list[Any]:
        call, wrt = split_call(fn, case, self.join_outputs)
        return tensorflow_vjp(call, [self.to_tensor(a) for a in case.args], wrt, case)

    def compile(self, call: Any) -> Any:
        # as Keras' jit_compile="auto" does: XLA when an accelerator is visible, a plain
        # tf.function (graph mode) on a CPU-only machine, where Keras disables XLA
        import tensorflow as tf  # noqa: PLC0415

        accelerated = any(d.device_type != "CPU" for d in tf.config.list_physical_devices())
        return tf.function(call, jit_compile=accelerated)


class Keras3Jax(Keras3Adapter):
    id = "keras3-jax"
    title = "Keras 3 on JAX"
    backend = "jax"
    backend_requirements = ("jax==0.10.2", "jaxlib==0.10.2")
    requires = ("keras", "jax", "jaxlib")
    # float64 specs are meaningless without x64: JAX would silently truncate.
    environment = {"KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1"}
    # the dtype check's cases are answered by abstract evaluation (abstract_outputs)
    answers_shapes = True
    # Eager JAX compiles every new shape (measured: 175 ms per gelu call on a new shape,
    # 0.15 ms on a seen one), so it is the slowest worker by far: give it two processes.
    workers = 2

    #: resident bytes above which the worker drops JAX's in-memory caches (jax.clear_caches)
    #: when the next op begins: every new shape compiles and caches executables, and a
    #: default-profile run grew a worker past 4 GB without clearing. Clearing by memory
    #: rather than every N cases keeps the executables that later ops reuse (the catalog
    #: draws its shapes from one vocabulary per run: strategies.shape_vocabulary). Never
    #: cleared within one op: values, symbolic and compiled share their cases.
    CLEAR_CACHES_ABOVE_BYTES = 1536 * 1024**2
    #: where the resident size cannot be read (no /proc): clear every this many cases
    CLEAR_CACHES_EVERY = 2000

    #: bytes the JAX compilation cache may hold when a worker starts (least recently used go first)
    CACHE_MAX_BYTES = 2 * 1024**3

    def _configure_backend(self) -> None:
        import jax  # noqa: PLC0415

        jax.config.update("jax_default_matmul_precision", "highest")
        # debug metadata only: every lowering otherwise turns the whole Python stack (pytest,
        # execnet, the adapter: ~60 frames) into MLIR locations; the compiled program and its
        # numbers are the same (README, "The default profile in 20 minutes": a small, noisy gain)
        jax.config.update("jax_include_full_tracebacks_in_locations", False)
        cache = jax_cache_dir()
        if cache:
            # every executable, however quick to compile: eager JAX compiles each op per shape,
            # and a rerun (CI, a fixed seed) finds them on disk (README: measured speed-up)
            jax.config.update("jax_compilation_cache_dir", cache)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
            # not jax_compilation_cache_max_size: JAX then stats every file of the cache on
            # each write, quadratic in a catalog's tens of thousands of entries
            prune_cache(cache, self.CACHE_MAX_BYTES)
        self._jax = jax
        self._cases = 0
        self._last_api = ""

    def run(self, case: Case) -> Outcome:
        self._cases += 1
        if case.api != self._last_api and self._caches_full():
            self._jax.clear_caches()
            self._cases = 0
        self._last_api = case.api
        if case.kind == OP_SHAPES and "seeds" not in case.params:
            abstract = self.abstract_outputs(case)
            if abstract is not None:
                return Outcome.ok(abstract)
        return super().run(case)

    def abstract_outputs(self, case: Case) -> dict[str, np.ndarray] | None:
        """The op's result shapes and dtypes by abstract evaluation (``jax.eval_shape``).

        For OP_SHAPES cases, whose outputs are judged by shape and dtype only: an eager
        JAX op is traced, then compiled, and the executable returns exactly the traced
        shapes and dtypes, so tracing alone answers without
        the compilation that is most of eager JAX's time (measured in the README, "Where the
        20 minutes stand"). Each output is a zero-strided array of that shape and
        dtype. None where tracing cannot answer for the eager call: the op needs
        concrete values (a Python branch on a tensor), raises, or returns Python values
        (``ops.shape``'s ints); the eager call then answers, errors included.
        """
        jax = self._jax
        fn = resolve(self.keras, case.api)
        kwargs = call_kwargs(case)
        leaves_are_arrays = []

        def traced(*xs: Any) -> Any:
            out = fn(*positional(list(xs), case), **kwargs)
            parts = out if isinstance(out, (tuple, list)) else [out]
            leaves_are_arrays.append(all(isinstance(p, jax.core.Tracer) for p in parts))
            return out

        try:
            shapes = jax.eval_shape(traced, *[self.to_tensor(a) for a in case.args])
        except Exception:
            return None
        if not all(leaves_are_arrays):
            return None
        return outputs_of(shapes, lambda s: np.broadcast_to(np.zeros((), dtype=s.dtype), s.shape))

    def _caches_full(self) -> bool:
        resident = resident_bytes()
        if resident is None:
            return self._cases >= self.CLEAR_CACHES_EVERY
        return resident > self.CLEAR_CACHES_ABOVE_BYTES

    def compile(self, call: Any) -> Any:
        return self._jax.jit(call)

    def vjp(self, fn: Any, case: Case) -> list[Any]:
        """``jax.vjp`` under ``jax.jit``, as Keras' JAX trainer differentiates (jit_compile
        is True on JAX by default); eagerly where the op cannot be traced.

        Eagerly, ``jax.vjp`` compiles every primitive of the forward pass, its
        linearisation and its transpose, one executable per primitive and shape;
        under ``jit`` they are one program, compiled once (measured in the README, "Where the
        20 minutes stand"). Tracing fails where the op needs concrete values (a
        Python branch on a tensor): the eager pullback then answers, errors included.
        """
        jax = self._jax
        call, wrt = split_call(fn, case, self.join_outputs)
        fixed = [self.to_tensor(a) for a in case.args]
        cotangent = self.to_tensor(case.extra["cotangent"])

        def pullback(fixed: list[Any], cotangent: Any) -> list[Any]:
            _, back = jax.vjp(lambda *d: call(fixed, *d), *[fixed[i] for i in wrt])
            return list(back(cotangent))

        try:
            return jax.jit(pullback)(fixed, cotangent)
        except Exception:
            return pullback(fixed, cotangent)


class Keras3Torch(Keras3Adapter):
    id = "keras3-torch"
    title = "Keras 3 on PyTorch"
    backend = "torch"
    backend_requirements = ("torch==2.13.0",)
    requires = ("keras", "torch")
    environment = {"KERAS_BACKEND": "torch"}

    def _configure_backend(self) -> None:
        import torch  # noqa: PLC0415

        torch.set_num_threads(1)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def compile(self, call: Any) -> Any:
        raise Absent("torch.compile is not run: Keras compiles on torch only with jit_compile=True "
                     "(its default is eager), and inductor builds C++ for every new shape")

    def vjp(self, fn: Any, case: Case) -> list[Any]:
        import torch  # noqa: PLC0415

        call, wrt = split_call(fn, case, self.join_outputs)
        fixed = [self.to_tensor(a) for a in case.args]
        diff = [fixed[i].detach().clone().requires_grad_(True) for i in wrt]
        out = call(fixed, *diff)
        cot = self.to_tensor(case.extra["cotangent"])
        grads = torch.autograd.grad(out, diff, grad_outputs=cot, allow_unused=True)
        return [torch.zeros_like(d) if g is None else g for d, g in zip(diff, grads)]


class Keras3NumPy(Keras3Adapter):
    id = "keras3-numpy"
    title = "Keras 3 on NumPy (inference only)"
    backend = "numpy"
    backend_requirements = ("jax==0.10.2", "jaxlib==0.10.2")
    requires = ("keras", "jax")  # the NumPy backend runs its convolutions through jax.lax
    environment = {"KERAS_BACKEND": "numpy"}
    can_train = False


class Keras3OpenVINO(Keras3Adapter):
    id = "keras3-openvino"
    title = "Keras 3 on OpenVINO (inference only)"
    backend = "openvino"
    backend_requirements = ("openvino",)
    requires = ("keras", "openvino")
    environment = {"KERAS_BACKEND": "openvino"}
    can_train = False

    @classmethod
    def variants(cls) -> dict[str, type[Adapter]]:
        # From Keras 3.16 OpenVINO is a pluggable backend: that is the keras-openvino plugin.
        return {}
