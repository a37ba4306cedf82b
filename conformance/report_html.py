"""The report's HTML page: for a person looking for what fails, and why.

One self-contained file (inline CSS, SVG and a little JavaScript, nothing fetched):
the run and its adapters, a heatmap (namespace x adapter, the worst verdict and its
counts, each square a link into the matrix with that filter), the failing cells
first, the matrix with filters by adapter, verdict, namespace and check and sticky
headers, the error distribution per adapter, then every non-passing cell's details
(each adapter's answer on that check, the message with the case, each side's values
and the worst elements, the reproducers) and the Markdown's other sections. The JSON
stays the source: this module only reads it. ``tests/test_report_browser.py`` checks
the filters and links in headless Chromium.
"""

from __future__ import annotations

import html
import json
import math
import re
import shlex
from collections import Counter

from conformance import migration
from conformance.report import FAILING, cell_text

#: worst first: the verdict a heatmap square or a matrix row shows when its cells differ
VERDICT_ORDER = ("crash", "timeout", "malformed", "error", "diverged", "stale", "known", "pass", "absent")
COLOURS = {"pass": "#cdeccd", "diverged": "#f4a6a6", "error": "#f4a6a6", "known": "#fbe3a6",
           "stale": "#fff3a0", "absent": "#e8e8e8", "crash": "#d9a6f4", "timeout": "#d9a6f4",
           "malformed": "#d9a6f4"}
#: a Keras 2 -> 3 difference the adapters explain (a listed change, a recorded divergence)
EXPLAINED = COLOURS["known"]

e = html.escape

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 1.5em 3em;color:#222}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:separate;border-spacing:0}
td,th{border:1px solid #bbb;border-width:0 1px 1px 0;padding:2px 6px;font-size:13px;text-align:left}
tr>*:first-child{border-left-width:1px}thead tr:first-child>*{border-top-width:1px}
thead th{position:sticky;top:0;background:#f7f7f7;z-index:2}
#matrix td:first-child,#matrix th:first-child{position:sticky;left:0;background:#fff;z-index:1}
#matrix thead th:first-child{z-index:3;background:#f7f7f7}
#matrix td a{color:inherit}
pre{white-space:pre-wrap;background:#f4f4f4;padding:6px;font-size:12px;max-height:40em;overflow:auto}
.banner{background:#f4a6a6;padding:.5em 1em;font-weight:bold}
.filters{position:sticky;top:0;background:#fff;padding:.4em 0;z-index:4}
.filters label{margin-right:1em}
#heatmap td{text-align:center;min-width:7em}#heatmap a{color:#222;text-decoration:none;display:block}
.legend span{display:inline-block;padding:0 .5em;margin-right:.3em}
.detail{border-left:4px solid #bbb;padding-left:.8em;margin:1em 0}
.detail.failing{border-color:#d33}
figure{display:inline-block;margin:0 1.5em 1em 0}figcaption{font-size:13px}
"""

SCRIPT = """
const $ = s => document.querySelector(s), $$ = s => [...document.querySelectorAll(s)];
const FAILING = new Set(__FAILING__);
function matches(status, wanted) {
  return !wanted || (wanted === 'failing' ? FAILING.has(status) : status === wanted);
}
function applyFilters() {
  const adapter = $('#f-adapter').value, verdict = $('#f-verdict').value,
        ns = $('#f-ns').value, check = $('#f-check').value, text = $('#f-text').value.trim();
  $$('#matrix [data-adapter]').forEach(c => { c.hidden = !!adapter && c.dataset.adapter !== adapter; });
  let shown = 0;
  $$('#matrix tbody tr').forEach(row => {
    const cells = [...row.querySelectorAll('td[data-adapter]')].filter(c => !c.hidden);
    const ok = (!ns || row.dataset.ns === ns) && (!check || row.dataset.check === check)
      && (!text || row.dataset.spec.includes(text))
      && (!verdict || cells.some(c => matches(c.dataset.status, verdict)));
    row.hidden = !ok; if (ok) shown++;
  });
  $('#f-count').textContent = shown + ' of ' + $$('#matrix tbody tr').length + ' rows';
}
function fromHash() {
  const hash = decodeURIComponent(location.hash);
  if (!hash.startsWith('#filter:')) return;
  const wanted = new URLSearchParams(hash.slice(8));
  for (const [key, id] of [['adapter','#f-adapter'],['verdict','#f-verdict'],['ns','#f-ns'],['check','#f-check'],['text','#f-text']])
    $(id).value = wanted.get(key) || '';
  applyFilters();
  $('#matrix-section').scrollIntoView();
}
$$('.filters select, .filters input').forEach(c => c.addEventListener('input', applyFilters));
$('#f-reset').addEventListener('click', () => { location.hash = '#filter:'; });
window.addEventListener('hashchange', fromHash);
fromHash(); applyFilters();
""".replace("__FAILING__", json.dumps(sorted(FAILING)))


def anchor(spec: str, check: str, adapter: str) -> str:
    """The id of one cell's details."""
    return "d-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{spec}--{check}--{adapter}")


def namespace(spec: str) -> str:
    return spec.rsplit(".", 1)[0] if "." in spec else spec


def worst(statuses: list[str]) -> str:
    return min(statuses, key=VERDICT_ORDER.index) if statuses else "absent"


def repro_command(r: dict, report_path: str | None) -> str:
    """``keras-conformance repro``: a standalone script of this cell's case (see conformance.repro)."""
    cell = f"{r['spec']}::{r['check']}[{r['adapter']}]"
    args = ["keras-conformance", "repro", cell]
    if report_path:
        args.append(f"--report={report_path}")
    return shlex.join(args)


def to_html(data: dict, sections: dict[str, list[str]], report_path: str | None = None) -> str:
    """The page. ``sections``: the Markdown's text sections this page repeats, as lines
    (summary, spec_lines, time_lines, run_lines, stopped), computed by conformance.report."""
    results = data.get("results", [])
    adapters = sorted({r["adapter"] for r in results} | set(data.get("adapters", {})))
    cells = {(r["spec"], r["check"], r["adapter"]): r for r in results}
    parts = ["<!doctype html><html lang='en'><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width'>",
             "<title>Keras conformance report</title>", f"<style>{STYLE}</style>",
             "<h1>Keras conformance report</h1>"]
    parts += [f"<p class='run'>{e(line)}</p>" for line in sections["run_lines"]]
    if sections["stopped"]:
        parts.append(f"<p class='banner' id='stopped'>{e(sections['stopped'][0])}</p>")
    parts.append("<h2 id='summary'>Summary</h2><ul>")
    parts += [f"<li>{e(line)}</li>" for line in sections["summary"]]
    parts += [f"<li>{e(a)}: unavailable — {e(why)}</li>" for a, why in sorted(data.get("unavailable", {}).items())]
    parts.append("</ul><p>Per spec (a spec's checks taken together):</p><ul>")
    parts += [f"<li>{e(line)}</li>" for line in sections["spec_lines"]]
    parts.append("</ul>")
    parts += _heatmap(results, adapters)
    parts += _failures(results, report_path)
    parts += _matrix(results, adapters, cells)
    parts += _distributions(results, adapters)
    parts += _incidents_and_time(data, sections)
    parts += _adapters(data)
    parts += _details(results, adapters, cells, report_path)
    parts += _stale_and_absent(results)
    parts += _migration(data)
    parts.append(f"<script>{SCRIPT}</script></html>")
    return "\n".join(parts) + "\n"


def _legend() -> str:
    return "<p class='legend'>" + "".join(
        f"<span style='background:{COLOURS[s]}'>{s}</span>" for s in VERDICT_ORDER) + "</p>"


def _heatmap(results: list[dict], adapters: list[str]) -> list[str]:
    by_square: dict[tuple[str, str], Counter] = {}
    for r in results:
        by_square.setdefault((namespace(r["spec"]), r["adapter"]), Counter())[r["status"]] += 1
    spaces = sorted({ns for ns, _ in by_square})
    if not spaces:
        return []
    parts = ["<h2 id='overview'>Overview</h2>",
             "<p>The worst verdict of each namespace on each adapter, with its counts; a square "
             "opens those rows of the matrix.</p>", _legend(),
             "<table id='heatmap'><thead><tr><th>namespace</th>"
             + "".join(f"<th>{e(a)}</th>" for a in adapters) + "</tr></thead><tbody>"]
    for ns in spaces:
        parts.append(f"<tr><th>{e(ns)}</th>")
        for adapter in adapters:
            counts = by_square.get((ns, adapter))
            if not counts:
                parts.append("<td>—</td>")
                continue
            status = worst(list(counts))
            failing = sum(n for s, n in counts.items() if s in FAILING)
            label = f"{failing} failing" if failing else status
            rest = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: VERDICT_ORDER.index(kv[0])))
            verdict = "failing" if failing else status
            href = f"#filter:ns={ns}&adapter={adapter}&verdict={verdict}"
            parts.append(f"<td style='background:{COLOURS[status]}' data-status='{status}' title='{e(rest)}'>"
                         f"<a href='{e(href)}'>{e(label)}<br><small>{sum(counts.values())} cells</small></a></td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return parts


def _failures(results: list[dict], report_path: str | None) -> list[str]:
    failing = sorted((r for r in results if r["status"] in FAILING),
                     key=lambda r: (VERDICT_ORDER.index(r["status"]), r["spec"], r["check"], r["adapter"]))
    parts = ["<h2 id='failures'>Failing cells</h2>"]
    if not failing:
        return [*parts, "<p>None.</p>"]
    parts.append(f"<p>{len(failing)} cell(s); each links to its details.</p><table><thead><tr><th>cell</th>"
                 "<th>verdict</th><th>max rel error</th><th>first line</th></tr></thead><tbody>")
    for r in failing:
        first = (r.get("message") or "").strip().splitlines()[:1]
        parts.append(f"<tr><td><a href='#{anchor(r['spec'], r['check'], r['adapter'])}'><code>{e(r['spec'])}"
                     f"</code> [{e(r['check'])}] on {e(r['adapter'])}</a></td>"
                     f"<td style='background:{COLOURS[r['status']]}'>{e(r['status'])}</td>"
                     f"<td>{r.get('max_rel') or 0:.3g}</td><td>{e(first[0] if first else '')}</td></tr>")
    parts.append("</tbody></table>")
    return parts


def _select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(f"<option value='{e(v)}'>{e(t)}</option>" for v, t in options)
    return f"<label>{label} <select id='f-{name}'>{opts}</select></label>"


def _matrix(results: list[dict], adapters: list[str], cells: dict) -> list[str]:
    rows = sorted({(r["spec"], r["check"]) for r in results})
    # worst rows first: what fails, then what is known, then the rest by name
    rows.sort(key=lambda sc: VERDICT_ORDER.index(worst([cells[(*sc, a)]["status"] for a in adapters
                                                          if (*sc, a) in cells])))
    present = set(VERDICT_ORDER) & {r["status"] for r in results}
    verdicts = [("", "any"), ("failing", "failing (diverged, error, crash, ...)")] + \
        [(s, s) for s in VERDICT_ORDER if s in present]
    parts = ["<h2 id='matrix-section'>Matrix</h2>", "<div class='filters'>",
             _select("adapter", "adapter", [("", "all")] + [(a, a) for a in adapters]),
             _select("verdict", "verdict", verdicts),
             _select("ns", "namespace", [("", "all")] + [(n, n) for n in sorted({namespace(s) for s, _ in rows})]),
             _select("check", "check", [("", "all")] + [(c, c) for c in sorted({c for _, c in rows})]),
             "<label>spec <input id='f-text' size='18' placeholder='part of a name'></label>",
             "<button id='f-reset'>all</button> <span id='f-count'></span></div>",
             "<table id='matrix'><thead><tr><th>spec</th><th>check</th>"
             + "".join(f"<th data-adapter='{e(a)}'>{e(a)}</th>" for a in adapters) + "</tr></thead><tbody>"]
    for spec, check in rows:
        parts.append(f"<tr data-spec='{e(spec)}' data-ns='{e(namespace(spec))}' data-check='{e(check)}'>"
                     f"<td><code>{e(spec)}</code></td><td>{e(check)}</td>")
        for a in adapters:
            r = cells.get((spec, check, a))
            if r is None:
                parts.append(f"<td data-adapter='{e(a)}' data-status=''>—</td>")
                continue
            text = e(cell_text(r))
            if r["status"] not in ("pass", "absent"):
                text = f"<a href='#{anchor(spec, check, a)}'>{text}</a>"
            title = e((r.get("reason") or r.get("message") or "")[:300])
            parts.append(f"<td data-adapter='{e(a)}' data-status='{r['status']}' "
                         f"style='background:{COLOURS.get(r['status'], '#fff')}' title='{title}'>{text}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return parts


#: decades of the relative error histograms: below 1e-16 counts as the first bin
DECADES = list(range(-16, 3))


def _distributions(results: list[dict], adapters: list[str]) -> list[str]:
    """Per adapter, how many judged cells reached each decade of relative error (SVG bars)."""
    judged = [r for r in results if r.get("examples") and r["status"] not in ("absent",)]
    if not judged:
        return []
    parts = ["<h2 id='errors'>Error distributions</h2>",
             "<p>Per adapter, the greatest relative error of each judged cell, by decade "
             "(the leftmost bar: exact or below 1e-16), coloured by the cell's verdict.</p>"]
    width, height, bar = 20 * len(DECADES) + 40, 150, 18
    for adapter in adapters:
        stacks: list[Counter] = [Counter() for _ in DECADES]
        for r in judged:
            if r["adapter"] != adapter:
                continue
            rel = float(r.get("max_rel") or 0.0)
            decade = math.floor(math.log10(rel)) if rel > 0 and math.isfinite(rel) else (DECADES[-1] if rel else DECADES[0])
            index = min(max(decade, DECADES[0]), DECADES[-1]) - DECADES[0]
            group = "failing" if r["status"] in FAILING else ("known" if r["status"] in ("known", "stale") else "pass")
            stacks[index][group] += 1
        top = max((sum(s.values()) for s in stacks), default=0)
        if not top:
            continue
        svg = [f"<svg width='{width}' height='{height + 30}' role='img' aria-label='errors of {e(adapter)}'>"]
        for i, stack in enumerate(stacks):
            y = height
            for group, colour in (("pass", COLOURS["pass"]), ("known", COLOURS["known"]), ("failing", COLOURS["diverged"])):
                n = stack[group]
                if not n:
                    continue
                h = max(1.0, (height - 10) * n / top)
                y -= h
                svg.append(f"<rect x='{30 + 20 * i}' y='{y:.1f}' width='{bar}' height='{h:.1f}' fill='{colour}' "
                           f"stroke='#888'><title>1e{DECADES[i]}: {n} {group}</title></rect>")
            if i % 4 == 0:
                svg.append(f"<text x='{30 + 20 * i}' y='{height + 14}' font-size='10'>1e{DECADES[i]}</text>")
        svg.append(f"<text x='0' y='12' font-size='10'>{top}</text></svg>")
        parts.append(f"<figure>{''.join(svg)}<figcaption>{e(adapter)}</figcaption></figure>")
    return parts


def _incidents_and_time(data: dict, sections: dict[str, list[str]]) -> list[str]:
    parts = []
    if data.get("incidents"):
        parts += ["<h2 id='incidents'>Worker incidents</h2><p>Workers that exited after answering, restarted "
                  "before the next batch; the batch they answered last may have corrupted the process:</p><ul>"]
        parts += [f"<li>{e(line)}</li>" for line in data["incidents"]]
        parts.append("</ul>")
    if sections["time_lines"]:
        parts += ["<h2 id='time'>Time per adapter</h2><p>Minutes each adapter's worker processes spent "
                  "computing cases, with its costliest checks:</p><ul>"]
        parts += [f"<li>{e(line)}</li>" for line in sections["time_lines"]]
        parts.append("</ul>")
    return parts


def _adapters(data: dict) -> list[str]:
    parts = ["<h2 id='adapters'>Adapters</h2><table><thead><tr><th>adapter</th><th>keras</th>"
             "<th>backend versions</th><th>python</th></tr></thead><tbody>"]
    for adapter_id, d in sorted(data.get("adapters", {}).items()):
        versions = ", ".join(f"{k} {v}" for k, v in (d.get("versions") or {}).items())
        parts.append(f"<tr><td>{e(adapter_id)}</td><td>{e(str(d.get('keras', '')))}</td><td>{e(versions)}</td>"
                     f"<td>{e(str(d.get('python_version', '')))}</td></tr>")
    parts.append("</tbody></table>")
    return parts


def _details(results: list[dict], adapters: list[str], cells: dict, report_path: str | None) -> list[str]:
    shown = sorted((r for r in results if r["status"] not in ("pass", "absent")),
                   key=lambda r: (r["status"] not in FAILING, r["spec"], r["check"], r["adapter"]))
    if not shown:
        return []
    parts = ["<h2 id='details'>Details</h2>",
             "<p>Every cell that did not pass: each adapter's verdict on the same check (the same "
             "drawn cases), the message with the case, the adapter's and the oracle's values and the "
             "worst elements, and two reproducers: the pytest command, and a standalone script that "
             "needs only Keras and NumPy.</p>"]
    for r in shown:
        failing = r["status"] in FAILING
        parts.append(f"<section class='detail{' failing' if failing else ''}' id='{anchor(r['spec'], r['check'], r['adapter'])}'>"
                     f"<details{' open' if failing else ''}><summary><code>{e(r['spec'])}</code> [{e(r['check'])}] "
                     f"on {e(r['adapter'])}: <b>{e(r['status'])}</b></summary>")
        if r.get("reason"):
            link = f" <a href='{e(r['link'])}'>{e(r['link'])}</a>" if r.get("link") else ""
            parts.append(f"<p>{e(r['reason'])}{link}</p>")
        parts.append("<table><thead><tr><th>adapter</th><th>verdict</th><th>cases</th><th>max abs</th>"
                     "<th>max rel</th><th>max ulp</th><th>dtypes returned</th></tr></thead><tbody>")
        for a in adapters:
            other = cells.get((r["spec"], r["check"], a))
            if other is None:
                continue
            parts.append(f"<tr><td>{e(a)}</td><td style='background:{COLOURS[other['status']]}'>{e(other['status'])}</td>"
                         f"<td>{other.get('examples', 0)}</td><td>{other.get('max_abs') or 0:.3g}</td>"
                         f"<td>{other.get('max_rel') or 0:.3g}</td><td>{other.get('max_ulp') or 0:.3g}</td>"
                         f"<td>{e(', '.join(other.get('dtypes') or []))}</td></tr>")
        parts.append("</tbody></table>")
        if r.get("message"):
            parts.append(f"<pre>{e(r['message'])}</pre>")
        if r.get("reproduce"):
            parts.append(f"<p>Run again: <code>{e(r['reproduce'])}</code></p>")
        parts.append(f"<p>Standalone script: <code class='repro'>{e(repro_command(r, report_path))}</code></p>")
        parts.append("</details></section>")
    return parts


def _stale_and_absent(results: list[dict]) -> list[str]:
    parts = []
    stale = sorted((r for r in results if r["status"] == "stale"), key=lambda r: (r["spec"], r["check"], r["adapter"]))
    if stale:
        parts += ["<h2 id='stale'>Known divergences that did not occur</h2><p>Listed, but every matching "
                  "case of this run passed: fixed, or not drawn this time.</p><ul>"]
        parts += [f"<li><code>{e(r['spec'])}</code> [{e(r['check'])}] on {e(r['adapter'])}: {e(r.get('reason', ''))}</li>"
                  for r in stale]
        parts.append("</ul>")
    absent = sorted((r for r in results if r["status"] == "absent"), key=lambda r: (r["adapter"], r["spec"], r["check"]))
    if absent:
        parts.append(f"<h2 id='absent'>Absent APIs</h2><details><summary>{len(absent)} cells</summary><ul>")
        parts += [f"<li>{e(r['adapter'])}: <code>{e(r['spec'])}</code> [{e(r['check'])}] — {e(r.get('reason', ''))}</li>"
                  for r in absent]
        parts.append("</ul></details>")
    return parts


def _migration(data: dict) -> list[str]:
    table = migration.rows(data)
    if not table:
        return []
    adapters = sorted({a for r in table for a in r.outcomes})
    parts = ["<h2 id='migration'>Migration: Keras 2 → Keras 3</h2>",
             f"<p>{e(migration.summary_line(data))}; same arguments on both sides, each with its own "
             "defaults; agreement within twice the spec's tolerance. A difference with a cause (a changed "
             "default or formula, a recorded divergence) is coloured as known; one without, as diverged.</p>",
             "<table><thead><tr><th>spec</th><th>check</th><th>Keras 2</th>"
             + "".join(f"<th>{e(a)}</th>" for a in adapters)
             + "<th>max abs diff</th><th>max rel diff</th><th>first difference</th><th>cause</th></tr></thead><tbody>"]
    for r in table:
        row_cells = []
        for a in adapters:
            outcome = r.outcomes.get(a, "—")
            colour = (EXPLAINED if r.causes else COLOURS["diverged"]) if "differ" in outcome else COLOURS["pass"]
            row_cells.append(f"<td style='background:{colour}'>{e(outcome)}</td>")
        parts.append(f"<tr><td><code>{e(r.spec)}</code></td><td>{e(r.check)}</td><td>{e(r.keras2)}</td>{''.join(row_cells)}"
                     f"<td>{r.max_abs:.6g}</td><td>{r.max_rel:.6g}</td><td>{e(r.first)}</td><td>{e('; '.join(r.causes))}</td></tr>")
    parts.append("</tbody></table>")
    changes = migration.listed_changes(data)
    if changes:
        parts.append("<h3>Changes listed by the Keras 2 adapters</h3><ul>")
        parts += [f"<li>{e(a)}: <code>{e(api)}</code>: {e(c['text'])}</li>" for a, api, c in changes]
        parts.append("</ul>")
    return parts

