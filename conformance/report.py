"""The conformance report: JSON for machines, a Markdown matrix, an HTML page.

Written as results arrive, so a killed run keeps what it had: each verdict is
appended to a journal (``conformance.jsonl``, one line per verdict), and the
JSON and its views are rewritten, atomically, every few seconds and at the end.
Rewriting the whole JSON after every verdict made a run quadratic (measured:
43 of 118 s on 1313 cells). :func:`load` reads an unfinished run's JSON with
its journal. ``merge`` joins the JSON files of a CI matrix, one job per
adapter, into one report.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Iterable
from typing import Any

from conformance import migration

FORMAT = "keras-conformance/1"
FAILING = {"diverged", "error", "crash", "timeout", "malformed"}
STATUSES = ("pass", "diverged", "error", "known", "stale", "absent", "crash", "timeout", "malformed")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _write_atomic(path: str, text: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


#: seconds between rewrites of the whole JSON and its views while a run goes on
SNAPSHOT_SECONDS = 10.0


def load(path: str) -> dict:
    """A report's JSON; for a run that did not finish, with every verdict of its journal."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    journal = path[: -len(".json")] + ".jsonl" if path.endswith(".json") else None
    if data.get("finished") is None and journal and os.path.exists(journal):
        with open(journal, encoding="utf-8") as handle:
            results = [json.loads(line) for line in handle if line.endswith("\n")]
        if len(results) >= len(data.get("results", [])):
            data["results"] = results
    return data


class ReportWriter:
    def __init__(self, directory: str, stem: str = "conformance") -> None:
        self.directory = directory
        self.stem = stem
        self.data: dict[str, Any] = {"format": FORMAT, "started": _now(), "finished": None,
                                     "adapters": {}, "unavailable": {}, "results": []}
        self._last_snapshot = 0.0
        self._journal: Any = None

    def path(self, suffix: str) -> str:
        return os.path.join(self.directory, f"{self.stem}.{suffix}")

    def start(self, **meta: Any) -> None:
        os.makedirs(self.directory, exist_ok=True)
        unavailable = meta.pop("unavailable", {})
        self.data.update(meta)
        self.data["unavailable"].update(unavailable)
        self._journal = open(self.path("jsonl"), "w", encoding="utf-8")  # noqa: SIM115 - open for the run
        self._flush(everything=True)

    def adapters(self, descriptions: dict[str, dict], start_errors: dict[str, str]) -> None:
        self.data["adapters"].update(descriptions)
        for adapter_id, error in start_errors.items():
            self.data["unavailable"][adapter_id] = error
        self._flush(everything=True)

    def add(self, verdict: Any) -> None:
        result = verdict.to_json()
        self.data["results"].append(result)
        if self._journal is not None:
            self._journal.write(json.dumps(result, default=str) + "\n")
            self._journal.flush()
        self._flush()

    def migration_causes(self, causes: dict[str, dict[str, list[dict]]]) -> None:
        self.data.setdefault("migration_causes", {}).update(causes)

    def add_migration(self, tallies: Iterable[Any]) -> None:
        self.data.setdefault("migration", []).extend(t.to_json() for t in tallies)

    def expect(self, cells: int, per_adapter: dict[str, int] | None = None) -> None:
        """How many cells the run selected (in all and per adapter), so that a run in progress
        can say how far it is and a run stopped early how far it got."""
        self.data["cells_total"] = cells
        self.data["cells_per_adapter"] = dict(per_adapter or {})
        self._flush(everything=True)

    def incidents(self, lines: Iterable[str]) -> None:
        """Worker deaths that no verdict shows (a worker that exited after answering)."""
        self.data["incidents"] = list(lines)

    def finish(self, interrupted: bool = False) -> None:
        self.data["finished"] = _now()
        if interrupted:
            self.data["interrupted"] = True
        self._flush(everything=True)
        if self._journal is not None:  # the JSON now holds every verdict
            self._journal.close()
            self._journal = None
            os.remove(self.path("jsonl"))

    def _flush(self, everything: bool = False) -> None:
        now = time.monotonic()
        if not everything and now - self._last_snapshot < SNAPSHOT_SECONDS:
            return
        _write_atomic(self.path("json"), json.dumps(self.data, indent=1, default=str))
        write_views(self.data, self.path("md"), self.path("html"))
        self._last_snapshot = now


def merge(documents: Iterable[dict]) -> dict:
    """One report from several (one CI job per adapter); later results win per cell."""
    merged: dict[str, Any] = {"format": FORMAT, "started": None, "finished": None,
                              "adapters": {}, "unavailable": {}, "results": [], "sources": []}
    cells: dict[tuple[str, str, str], dict] = {}
    tallies: dict[tuple[str, str, str, str], dict] = {}
    for doc in documents:
        if doc.get("format") != FORMAT:
            raise ValueError(f"not a keras-conformance report (format {doc.get('format')!r})")
        merged["adapters"].update(doc.get("adapters", {}))
        merged["unavailable"].update(doc.get("unavailable", {}))
        source = {k: doc.get(k) for k in ("started", "finished", "profile", "seed", "shard", "job")}
        source["adapters"] = sorted({r["adapter"] for r in doc.get("results", [])} | set(doc.get("adapters", {})))
        source["stopped"] = stopped_line(doc)
        merged["sources"].append(source)
        merged.setdefault("incidents", []).extend(doc.get("incidents", []))
        for result in doc.get("results", []):
            cells[(result["spec"], result["check"], result["adapter"])] = result
        # the migration view needs both majors in one job; a job's tallies are kept as they are
        for tally in doc.get("migration", []):
            tallies[(tally["spec"], tally["check"], tally["keras2"], tally["keras3"])] = tally
        for adapter, causes in doc.get("migration_causes", {}).items():
            merged.setdefault("migration_causes", {})[adapter] = causes
    for adapter_id in merged["adapters"]:
        merged["unavailable"].pop(adapter_id, None)
    merged["results"] = list(cells.values())
    if tallies:
        merged["migration"] = list(tallies.values())
    starts = [s["started"] for s in merged["sources"] if s.get("started")]
    ends = [s["finished"] for s in merged["sources"] if s.get("finished")]
    merged["started"] = min(starts) if starts else None
    merged["finished"] = max(ends) if ends else None
    return merged


def stopped_line(data: dict) -> str:
    """"interrupted after N of M cells" for a run stopped early, "" for a complete one."""
    done, total = len(data.get("results", [])), data.get("cells_total")
    of = f" of {total}" if total is not None else ""
    if data.get("interrupted"):
        return f"interrupted after {done}{of} cells: the cells not reached are not in this report"
    if data.get("finished") is None:
        pace = "; ".join(progress_lines(data))
        return (f"unfinished: {done}{of} cells so far (a run in progress, or one that was killed)"
                + (f": {pace}" if pace else ""))
    if total is not None and done < total:
        return f"incomplete: {done} of {total} cells"
    return ""


def progress_lines(data: dict, now: str | None = None) -> list[str]:
    """Per adapter: cells done of its total, and the time left at the pace so far."""
    totals = data.get("cells_per_adapter") or {}
    if not totals or not data.get("started"):
        return []
    done: dict[str, int] = {}
    for r in data.get("results", []):
        done[r["adapter"]] = done.get(r["adapter"], 0) + 1
    started = datetime.datetime.fromisoformat(data["started"])
    elapsed = ((datetime.datetime.fromisoformat(now) if now else datetime.datetime.now(datetime.timezone.utc))
               - started).total_seconds()
    lines = []
    for adapter, total in sorted(totals.items()):
        n = done.get(adapter, 0)
        # the adapters of a run share each check's draws, so each advances at the run's pace
        left = "" if not n or n >= total else f", about {max(1, round(elapsed * (total - n) / n / 60))} min left"
        lines.append(f"{adapter}: {n} of {total} cells{left}")
    return lines


def run_lines(data: dict) -> list[str]:
    """When, with which profile and seed: one line per job for a merged report."""
    sources = data.get("sources")
    if not sources:
        return [f"Run {data.get('started')} → {data.get('finished') or 'unfinished'}; "
                f"profile `{data.get('profile', '?')}`, seed {data.get('seed', '?')}."]
    lines = [f"Merged from {len(sources)} job(s), {data.get('started')} → {data.get('finished') or 'unfinished'}:"]
    for source in sources:
        name = source.get("job") or ", ".join(source.get("adapters") or []) or "a job"
        shard = f" shard {source['shard']}" if source.get("shard") else ""
        stop = f" ({source['stopped']})" if source.get("stopped") else ""
        lines.append(f"- {name}{shard}: profile `{source.get('profile', '?')}`, seed {source.get('seed', '?')}, "
                     f"{source.get('started')} → {source.get('finished') or 'unfinished'}{stop}")
    return lines


def summary(data: dict) -> dict[str, dict[str, int]]:
    """Counts of each status per adapter."""
    out: dict[str, dict[str, int]] = {}
    for r in data["results"]:
        counts = out.setdefault(r["adapter"], dict.fromkeys(STATUSES, 0))
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return out


def _matrix(data: dict) -> tuple[list[str], list[tuple[str, str]], dict]:
    adapters = sorted({r["adapter"] for r in data["results"]} | set(data.get("adapters", {})))
    rows = sorted({(r["spec"], r["check"]) for r in data["results"]})
    cells = {(r["spec"], r["check"], r["adapter"]): r for r in data["results"]}
    return adapters, rows, cells


def cell_text(r: dict | None) -> str:
    if r is None:
        return "—"
    status = r["status"]
    if status == "diverged" and r.get("max_rel"):
        return f"diverged (rel {r['max_rel']:.2g})"
    if status == "pass" and r.get("absent_examples"):
        return "pass (partly absent)"
    return status


def summary_lines(data: dict) -> list[str]:
    lines = []
    for adapter, counts in sorted(summary(data).items()):
        shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        lines.append(f"{adapter}: {shown}")
    return lines


#: a spec's standing on one adapter, from the statuses of its checks (worst first)
SPEC_STANDINGS = ("failing", "some known", "pass every check", "pass where present", "absent")


def spec_standing(statuses: set[str]) -> str:
    if statuses & FAILING:
        return "failing"
    if "known" in statuses:
        return "some known"
    if statuses <= {"pass", "stale"}:
        return "pass every check"
    if statuses == {"absent"}:
        return "absent"
    return "pass where present"


def spec_lines(data: dict) -> list[str]:
    """Per adapter, how many specs fail, have a known divergence, pass, or are absent."""
    statuses: dict[str, dict[str, set[str]]] = {}
    for r in data["results"]:
        statuses.setdefault(r["adapter"], {}).setdefault(r["spec"], set()).add(r["status"])
    lines = []
    for adapter, by_spec in sorted(statuses.items()):
        counts = {standing: 0 for standing in SPEC_STANDINGS}
        for found in by_spec.values():
            counts[spec_standing(found)] += 1
        shown = ", ".join(f"{n} {standing}" for standing, n in counts.items() if n)
        lines.append(f"{adapter}: {len(by_spec)} specs: {shown}")
    return lines


def busy_minutes(data: dict) -> dict[str, dict[str, float]]:
    """Minutes each adapter's workers spent computing, per check and in all ("*")."""
    out: dict[str, dict[str, float]] = {}
    for r in data["results"]:
        minutes = float(r.get("busy_seconds") or 0.0) / 60
        per_check = out.setdefault(r["adapter"], {"*": 0.0})
        per_check["*"] += minutes
        per_check[r["check"]] = per_check.get(r["check"], 0.0) + minutes
    return out


def time_lines(data: dict) -> list[str]:
    """One line per adapter, slowest first: its busy minutes and the three costliest checks."""
    lines = []
    for adapter, per_check in sorted(busy_minutes(data).items(), key=lambda kv: -kv[1]["*"]):
        checks = sorted(((c, m) for c, m in per_check.items() if c != "*"), key=lambda cm: -cm[1])[:3]
        detail = ", ".join(f"{c} {m:.1f}" for c, m in checks if m >= 0.05)
        lines.append(f"{adapter}: {per_check['*']:.1f} min" + (f" ({detail})" if detail else ""))
    return lines


def to_markdown(data: dict) -> str:
    adapters, rows, cells = _matrix(data)
    out = ["# Keras conformance report", ""]
    out += run_lines(data)
    if stopped_line(data):
        out += ["", f"**{stopped_line(data)}**"]
    out += ["", "## Summary", ""]
    out += [f"- {line}" for line in summary_lines(data)]
    for adapter_id, reason in sorted(data.get("unavailable", {}).items()):
        out.append(f"- {adapter_id}: unavailable — {reason}")
    out += ["", "Per spec (a spec's checks taken together):", ""]
    out += [f"- {line}" for line in spec_lines(data)]
    if data.get("incidents"):
        out += ["", "## Worker incidents", "",
                "Workers that exited after answering, restarted before the next batch; the "
                "batch they answered last may have corrupted the process:", ""]
        out += [f"- {line}" for line in data["incidents"]]
    timing = time_lines(data)
    if timing:
        out += ["", "## Time per adapter", "",
                "Minutes each adapter's worker processes spent computing cases (summed over "
                "an adapter's processes; the run's wall time is set by the slowest), with its "
                "costliest checks:", ""]
        out += [f"- {line}" for line in timing]
    out += ["", "## Adapters", "", "| adapter | keras | backend versions | python |", "|---|---|---|---|"]
    for adapter_id, d in sorted(data.get("adapters", {}).items()):
        versions = ", ".join(f"{k} {v}" for k, v in (d.get("versions") or {}).items())
        out.append(f"| {adapter_id} | {d.get('keras', '')} | {versions} | {d.get('python_version', '')} |")
    out += ["", "## Matrix", "", "| spec | check | " + " | ".join(adapters) + " |",
            "|---|---|" + "---|" * len(adapters)]
    for spec, check in rows:
        texts = [cell_text(cells.get((spec, check, a))) for a in adapters]
        out.append(f"| `{spec}` | {check} | " + " | ".join(texts) + " |")
    failures = [r for r in data["results"] if r["status"] in FAILING]
    if failures:
        out += ["", "## Failures", ""]
        for r in sorted(failures, key=lambda r: (r["spec"], r["check"], r["adapter"])):
            out += [f"### `{r['spec']}` [{r['check']}] on {r['adapter']}: {r['status']}", "", "```",
                    r.get("message", "").strip(), "```"]
            if r.get("reproduce"):
                out += ["", f"Reproduce: `{r['reproduce']}`"]
            out.append("")
    known = [r for r in data["results"] if r["status"] == "known"]
    if known:
        out += ["", "## Known divergences", "", "| spec | check | adapter | reason | link |",
                "|---|---|---|---|---|"]
        for r in sorted(known, key=lambda r: (r["spec"], r["check"], r["adapter"])):
            out.append(f"| `{r['spec']}` | {r['check']} | {r['adapter']} | {r.get('reason', '')} | "
                       f"{r.get('link', '')} |")
    stale = [r for r in data["results"] if r["status"] == "stale"]
    if stale:
        out += ["", "## Known divergences that did not occur", "",
                "Listed in a divergences file, but every matching case of this run passed: fixed, "
                "or not drawn this time (fails the run with `--strict-divergences`).", ""]
        for r in sorted(stale, key=lambda r: (r["spec"], r["check"], r["adapter"])):
            out.append(f"- `{r['spec']}` [{r['check']}] on {r['adapter']}: {r.get('reason', '')}")
    out += migration.to_markdown(data)
    absent = [r for r in data["results"] if r["status"] == "absent"]
    if absent:
        out += ["", "## Absent APIs", ""]
        for r in sorted(absent, key=lambda r: (r["adapter"], r["spec"], r["check"])):
            out.append(f"- {r['adapter']}: `{r['spec']}` [{r['check']}] — {r.get('reason', '')}")
    return "\n".join(out) + "\n"


def to_html(data: dict, report_path: str | None = None) -> str:
    """The HTML page (conformance.report_html); ``report_path``: the JSON it was written from,
    named in each cell's reproducer command."""
    from conformance import report_html

    stopped = stopped_line(data)
    sections = {"run_lines": run_lines(data), "stopped": [stopped] if stopped else [],
                "summary": summary_lines(data), "spec_lines": spec_lines(data), "time_lines": time_lines(data)}
    return report_html.to_html(data, sections, report_path)


def write_views(data: dict, md_path: str, html_path: str) -> None:
    _write_atomic(md_path, to_markdown(data))
    _write_atomic(html_path, to_html(data, html_path[: -len(".html")] + ".json"))
