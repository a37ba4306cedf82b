"""What the catalog covers of the installed Keras: every public API, covered, excluded or missing.

The public APIs are read from the installed Keras in a subprocess (the engine never
imports Keras): the functions of ``keras.ops`` and its namespaces and of
``keras.random`` (area ``ops``), and the classes of ``keras.layers``,
``keras.losses``, ``keras.metrics``, ``keras.optimizers``,
``keras.optimizers.schedules``, ``keras.initializers``, ``keras.regularizers``,
``keras.constraints`` and ``keras.callbacks`` (one area each; the loss and
metric functions count in their area too). Aliases (``Conv2D`` and
``Convolution2D``) are one API. An API is covered when a spec's ``api`` names it,
excluded when conformance/exclusions.py gives a reason, missing otherwise.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterable

#: area -> (module path under keras, base class whose subclasses count, or None for functions)
AREAS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "ops": tuple((ns, None) for ns in ("ops", "ops.numpy", "ops.nn", "ops.linalg", "ops.image", "random")),
    "layers": (("layers", "Layer"),),
    "losses": (("losses", "Loss"), ("losses", None)),
    "metrics": (("metrics", "Metric"), ("metrics", None)),
    "optimizers": (("optimizers", "Optimizer"),),
    "schedules": (("optimizers.schedules", "LearningRateSchedule"),),
    "initializers": (("initializers", "Initializer"),),
    "regularizers": (("regularizers", "Regularizer"),),
    "constraints": (("constraints", "Constraint"),),
    "callbacks": (("callbacks", "Callback"),),
}

#: names in those modules that are machinery, not an API to specify
MACHINERY = frozenset({"get", "serialize", "deserialize", "Layer", "Loss", "Metric", "Optimizer",
                       "LearningRateSchedule", "Initializer", "Regularizer", "Constraint", "Callback",
                       "CallbackList", "InputSpec", "Input", "LossFunctionWrapper", "MeanMetricWrapper",
                       "Reduction"})

LIST_PUBLIC_APIS = r"""
import inspect, json, sys, types, keras
areas = json.loads(sys.argv[1])
machinery = set(json.loads(sys.argv[2]))
out = {}
for area, sources in areas.items():
    groups = {}
    for namespace, base in sources:
        module = keras
        for part in namespace.split("."):
            module = getattr(module, part)
        base_class = None
        if base is not None:
            base_class = getattr(module, base, None) or getattr(keras.layers, base, None)
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or name in machinery or isinstance(obj, types.ModuleType):
                continue
            if base is None:
                if inspect.isclass(obj) or not callable(obj):
                    continue
            elif not (inspect.isclass(obj) and base_class is not None and issubclass(obj, base_class)):
                continue
            groups.setdefault(id(obj), (obj, []))[1].append(f"{namespace}.{name}")
    # canonical first: the name that is the object's own (Conv2D, not Convolution2D), then the
    # most specific namespace (ops.numpy.add, not ops.add)
    out[area] = [sorted(names, key=lambda n: (n.rsplit(".", 1)[-1] != getattr(obj, "__name__", ""),
                                               -n.count("."), n))
                 for obj, names in groups.values()]
print(json.dumps(out))
"""


@dataclasses.dataclass
class AreaCoverage:
    covered: list[str] = dataclasses.field(default_factory=list)
    excluded: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.excluded) + len(self.missing)


class CoverageError(Exception):
    pass


def public_apis(areas: Iterable[str], python: str = sys.executable) -> dict[str, list[list[str]]]:
    """Per area, groups of public names (aliases together) from the installed keras, in a subprocess."""
    chosen = {area: AREAS[area] for area in areas}
    env = dict(os.environ, KERAS_BACKEND="numpy", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([python, "-c", LIST_PUBLIC_APIS, json.dumps(chosen), json.dumps(sorted(MACHINERY))],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise CoverageError(f"cannot list the public keras APIs with {python}: "
                            f"{done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def canonical(names: list[str]) -> str:
    """The canonical name of an alias group: listed first (the object's own name, then the most
    specific namespace: ``layers.MaxPooling2D`` for ``MaxPool2D``, ``ops.numpy.add`` for ``ops.add``)."""
    return names[0]


def classify(groups: dict[str, list[list[str]]], covered: set[str], excluded: dict[str, str]
             ) -> dict[str, dict[str, AreaCoverage]]:
    """area -> namespace -> covered / excluded / missing canonical names."""
    out: dict[str, dict[str, AreaCoverage]] = {}
    for area, alias_groups in groups.items():
        for names in alias_groups:
            name = canonical(names)
            namespace = name.rsplit(".", 1)[0]
            bucket = out.setdefault(area, {}).setdefault(namespace, AreaCoverage())
            if covered & set(names):
                bucket.covered.append(name)
            elif set(excluded) & set(names):
                bucket.excluded.append(name)
            else:
                bucket.missing.append(name)
    return out


def report(table: dict[str, dict[str, AreaCoverage]], excluded: dict[str, str], verbose: bool = False) -> list[str]:
    """The lines ``keras-conformance coverage`` prints: a line per namespace, a total per area."""
    lines = []
    for area, namespaces in table.items():
        for namespace, bucket in sorted(namespaces.items()):
            lines.append(f"{namespace:22s} covered {len(bucket.covered):4d}  excluded {len(bucket.excluded):4d}  "
                         f"missing {len(bucket.missing):4d}")
            if verbose:
                lines += [f"    missing  {name}" for name in sorted(bucket.missing)]
                lines += [f"    excluded {name}: {excluded.get(name, '')}" for name in sorted(bucket.excluded)]
        total = AreaCoverage(*(sum((getattr(b, k) for b in namespaces.values()), []) for k in
                               ("covered", "excluded", "missing")))
        share = 100.0 * len(total.excluded) / max(total.total, 1)
        lines.append(f"{'= ' + area:22s} covered {len(total.covered):4d}  excluded {len(total.excluded):4d}  "
                     f"missing {len(total.missing):4d}  of {total.total} (exclusions {share:.1f}%)")
    return lines


def missing_count(table: dict[str, dict[str, AreaCoverage]]) -> int:
    return sum(len(b.missing) for namespaces in table.values() for b in namespaces.values())
