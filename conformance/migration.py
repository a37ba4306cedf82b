"""The Keras 2 -> Keras 3 migration view: which parts of a model give other numbers, by how much, why.

Built from the same runs as the matrix. When a run has adapters of both Keras
majors (``Adapter.keras_major``), every drawn case that reaches a Keras 2
adapter and a Keras 3 adapter is also compared between the two: the same
arguments as a user writes them, each side applying its own defaults. Per
(spec, check, Keras 2 adapter, Keras 3 adapter) a :class:`Tally` counts the
cases compared and those that disagree, with the greatest difference.

Two answers that are each within the spec's tolerance of the oracle can be
twice that apart, so they are compared with twice the tolerance; random
samples are never compared (each implementation has its own stream).

Causes come from the Keras 2 adapters: each lists, per canonical op, the
defaults that changed (both values), the formulas that changed and the
arguments that were renamed (:class:`Change`). A disagreement without a listed
change shows the reason of its known divergence, when the run has one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from conformance.tolerance import VALUE_TOLERANCE, compare, doubled

DEFAULT, FORMULA, RENAMED = "changed default", "changed formula", "renamed argument"


@dataclasses.dataclass(frozen=True)
class Change:
    """One documented difference between Keras 2 and Keras 3 for an op."""

    kind: str  # DEFAULT | FORMULA | RENAMED
    what: str  # the argument (default, renamed) or the function (formula)
    keras2: Any
    keras3: Any
    #: a changed default the adapter passes explicitly as Keras 3's value, so that the spec
    #: compares one computation (the user moving code still gets the other default)
    translated: bool = False

    def describe(self) -> str:
        if self.kind == RENAMED:
            return f"renamed argument: Keras 2 `{self.keras2}` is Keras 3 `{self.what}`"
        text = f"{self.kind} of `{self.what}`: Keras 2 {self.keras2!r}, Keras 3 {self.keras3!r}"
        return text + (" (the adapter passes Keras 3's value when it is left out)" if self.translated else "")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "what": self.what, "keras2": repr(self.keras2),
                "keras3": repr(self.keras3), "translated": self.translated, "text": self.describe()}


def changed_default(argument: str, keras2: Any, keras3: Any, translated: bool = False) -> Change:
    return Change(DEFAULT, argument, keras2, keras3, translated)


def changed_formula(function: str, keras2: str, keras3: str) -> Change:
    return Change(FORMULA, function, keras2, keras3)


def renamed(keras3_name: str, keras2_name: str) -> Change:
    return Change(RENAMED, keras3_name, keras2_name, keras3_name)


@dataclasses.dataclass
class Tally:
    spec: str
    api: str
    check: str
    keras2: str  # adapter id
    keras3: str  # adapter id
    cases: int = 0
    disagreeing: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0
    example: str = ""  # the first disagreement: what differed, and the case

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def compare_outcomes(draw: Any, before: Any, after: Any) -> tuple[bool, float, float, str] | None:
    """(agree, |diff|, rel diff, what differed) for one case on a Keras 2 and a Keras 3 adapter.

    None when the case says nothing about migration: either side lacks the API or
    did not answer (crash, timeout), or the outputs are random samples.
    """
    if "absent" in (before.status, after.status) or {before.status, after.status} - {"ok", "error"}:
        return None
    if before.status == "error" or after.status == "error":
        if before.status == after.status:
            return True, 0.0, 0.0, ""
        side, reason = ("Keras 2", before.reason) if before.status == "error" else ("Keras 3", after.reason)
        return False, 0.0, 0.0, f"only {side} raises: {reason.splitlines()[0] if reason else ''}"
    expected = draw.expected or {}
    names = list(expected) or sorted(set(before.outputs) | set(after.outputs))
    worst_abs = worst_rel = 0.0
    for name in names:
        exp = expected.get(name)
        if exp is not None and exp.judge is not None:
            return None
        a, b = before.outputs.get(name), after.outputs.get(name)
        if a is None or b is None:
            return False, 0.0, 0.0, f"{name}: output missing on {'Keras 2' if a is None else 'Keras 3'}"
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False, 0.0, 0.0, f"{name}: shape {a.shape} (Keras 2) vs {b.shape} (Keras 3)"
        if exp is not None and not exp.values:  # the dtype check
            if a.dtype != b.dtype:
                return False, 0.0, 0.0, f"{name}: dtype {a.dtype.name} (Keras 2) vs {b.dtype.name} (Keras 3)"
            continue
        judged = b.dtype.name
        tolerances = exp.tolerance if exp is not None else VALUE_TOLERANCE
        tol = doubled(tolerances.get(judged) or VALUE_TOLERANCE.get(judged))
        if tol is None and b.dtype.kind == "f":
            tol = doubled(VALUE_TOLERANCE["float64"])
        scale = exp.scale if exp is not None else None
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            a = a.astype(np.int64)
        reference = a.astype(np.float64) if a.dtype.kind in "fc" or b.dtype.kind in "fc" else a
        mismatch, stats = compare(b, reference, None, scale, tol, signed_zeros=False)
        worst_abs, worst_rel = max(worst_abs, stats.max_abs), max(worst_rel, stats.max_rel)
        if mismatch is not None:
            return (False, max(worst_abs, mismatch.max_abs), max(worst_rel, mismatch.max_rel),
                    f"{name}: {mismatch.summary} (Keras 3 against Keras 2)")
    return True, worst_abs, worst_rel, ""


class Recorder:
    """Accumulates the tallies of one (spec, check) run; the runner feeds it every judged case."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        self.tallies: dict[tuple[str, str], Tally] = {}

    def observe(self, spec: Any, check: str, draw: Any, replies: dict[str, Any]) -> None:
        for before, after in self.pairs:
            if before not in replies or after not in replies:
                continue
            result = compare_outcomes(draw, replies[before], replies[after])
            if result is None:
                continue
            agree, diff_abs, diff_rel, what = result
            tally = self.tallies.setdefault(
                (before, after), Tally(spec.name, spec.api, check, before, after))
            tally.cases += 1
            tally.max_abs = max(tally.max_abs, diff_abs)
            tally.max_rel = max(tally.max_rel, diff_rel)
            if not agree:
                tally.disagreeing += 1
                if not tally.example:
                    tally.example = f"{what}\n{draw.describe()}"[:1500]

    def take(self) -> list[Tally]:
        out = list(self.tallies.values())
        self.tallies = {}
        return out


# -- the view ---------------------------------------------------------------------------
@dataclasses.dataclass
class Row:
    spec: str
    check: str
    keras2: str
    outcomes: dict[str, str]  # Keras 3 adapter -> "agree (12)" / "3/12 differ"
    max_abs: float
    max_rel: float
    causes: list[str]
    first: str = ""  # what differed in the first differing case

    @property
    def differs(self) -> bool:
        return any("differ" in o for o in self.outcomes.values())


def _outcome_text(t: dict) -> str:
    if t["disagreeing"] == 0:
        return f"agree ({t['cases']})"
    return f"{t['disagreeing']}/{t['cases']} differ"


def rows(data: dict) -> list[Row]:
    """One row per (spec, check, Keras 2 adapter), with each Keras 3 adapter's outcome."""
    causes = data.get("migration_causes", {})
    known = {(r["spec"], r["check"], r["adapter"]): r.get("reason", "")
             for r in data.get("results", []) if r.get("status") == "known"}
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    for t in data.get("migration", []):
        grouped.setdefault((t["spec"], t["check"], t["keras2"]), []).append(t)
    out = []
    for (spec, check, keras2), tallies in sorted(grouped.items()):
        api = tallies[0]["api"]
        differing = [t for t in tallies if t["disagreeing"]]
        reasons = []  # named where the numbers differ; every listed change is also listed on its own
        if differing:
            listed = causes.get(keras2, {}).get(api, [])
            reasons = [c["text"] for c in listed]
            # the recorded divergences of either side, Keras 2 first (a listed change may not be why)
            for adapter in [keras2, *sorted(t["keras3"] for t in differing)]:
                if known.get((spec, check, adapter)):
                    reasons.append(f"recorded divergence of {adapter}: {known[(spec, check, adapter)]}")
        out.append(Row(spec, check, keras2, {t["keras3"]: _outcome_text(t) for t in sorted(tallies, key=lambda t: t["keras3"])},
                       max(t["max_abs"] for t in differing) if differing else max(t["max_abs"] for t in tallies),
                       max(t["max_rel"] for t in differing) if differing else max(t["max_rel"] for t in tallies),
                       reasons, differing[0]["example"].splitlines()[0] if differing else ""))
    return out


def listed_changes(data: dict) -> list[tuple[str, str, dict]]:
    """Every change the Keras 2 adapters of the run list: (adapter, api, change)."""
    return [(adapter, api, change)
            for adapter, per_api in sorted(data.get("migration_causes", {}).items())
            for api, changes in sorted(per_api.items()) for change in changes]


def summary_line(data: dict) -> str:
    table = rows(data)
    differing = [r for r in table if r.differs]
    return (f"Keras 2 -> Keras 3: {len(table)} (spec, check, Keras 2 adapter) rows compared, "
            f"{len(differing)} give different numbers on some Keras 3 backend")


def to_markdown(data: dict, only_differing: bool = False) -> list[str]:
    table = rows(data)
    if not table:
        return []
    out = ["", "## Migration: Keras 2 -> Keras 3", "",
           "Each case drawn for a spec was run on both sides with the same arguments, each "
           "side applying its own defaults; two answers agree when they are within twice the "
           "spec's tolerance of each other. Cell: Keras 3 adapter agrees (cases) or k/n cases differ.",
           "", summary_line(data), ""]
    adapters = sorted({a for r in table for a in r.outcomes})
    out += ["| spec | check | Keras 2 | " + " | ".join(adapters) + " | max abs diff | max rel diff | first difference | cause |",
            "|---|---|---|" + "---|" * len(adapters) + "---|---|---|---|"]
    for r in table:
        if only_differing and not r.differs:
            continue
        cells = [r.outcomes.get(a, "—") for a in adapters]
        first = r.first.replace("|", "\\|")[:160]
        out.append(f"| `{r.spec}` | {r.check} | {r.keras2} | " + " | ".join(cells)
                   + f" | {r.max_abs:.3g} | {r.max_rel:.3g} | {first} | {'; '.join(r.causes)} |")
    changes = listed_changes(data)
    if changes:
        out += ["", "### Changes listed by the Keras 2 adapters", ""]
        out += [f"- {adapter}: `{api}`: {change['text']}" for adapter, api, change in changes]
    return out


def to_text(data: dict, only_differing: bool = True) -> str:
    """The table for a terminal: one block per differing row (and a line per agreeing one)."""
    table = rows(data)
    if not table:
        return ("no case reached both a Keras 2 and a Keras 3 adapter: run with at least one of "
                "each (keras2, keras2.3-theano, tf-keras; keras3-*)")
    lines = [summary_line(data), ""]
    width = max(len(r.spec) for r in table) + 2
    for r in table:
        if only_differing and not r.differs:
            continue
        outcomes = ", ".join(f"{a}: {o}" for a, o in r.outcomes.items())
        head = f"{'DIFFERS' if r.differs else 'agrees '}  {r.spec:<{width}}{r.check:<8} {r.keras2:<16}"
        lines.append(f"{head} {outcomes}")
        if r.differs:
            lines.append(f"{'':9}max |diff| {r.max_abs:.3g}, max rel diff {r.max_rel:.3g}; first: {r.first[:160]}")
        for cause in r.causes:
            lines.append(f"{'':9}cause: {cause}")
    if only_differing:
        agreeing = sum(not r.differs for r in table)
        lines.append(f"({agreeing} rows where every Keras 3 adapter agrees are not shown: --all lists them)")
    changes = listed_changes(data)
    if changes:
        lines += ["", "changes listed by the Keras 2 adapters:"]
        lines += [f"  {adapter}: {api}: {change['text']}" for adapter, api, change in changes]
    return "\n".join(lines)
