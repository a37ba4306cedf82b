"""The HTML report in a real browser: headless Chromium (Debian's ``chromium`` package).

Chromium loads the page with ``--dump-dom``, which runs its script and prints the DOM
afterwards; a script appended to a copy of the page drives the filters the way a
person does (set a select, fire its ``input`` event) and logs what is left visible,
which Chromium writes to stderr. ``.ci/run`` installs Chromium, so these run in CI;
elsewhere they skip when no Chromium is on PATH.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.report import to_html
from conformance.runner import Verdict

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (apt-get install chromium)")

#: (spec, check, adapter, status): two namespaces, three adapters, every kind of verdict
CELLS = [
    ("ops.numpy.add", "values", "keras3-jax", "pass"),
    ("ops.numpy.add", "values", "keras3-torch", "diverged"),
    ("ops.numpy.add", "values", "keras3-numpy", "pass"),
    ("ops.numpy.add", "grad", "keras3-jax", "known"),
    ("ops.numpy.add", "grad", "keras3-torch", "pass"),
    ("ops.numpy.add", "grad", "keras3-numpy", "absent"),
    ("ops.numpy.exp", "values", "keras3-jax", "pass"),
    ("ops.numpy.exp", "values", "keras3-torch", "pass"),
    ("ops.numpy.exp", "values", "keras3-numpy", "known"),
    ("ops.nn.softmax", "values", "keras3-jax", "crash"),
    ("ops.nn.softmax", "values", "keras3-torch", "stale"),
    ("ops.nn.softmax", "values", "keras3-numpy", "pass"),
    ("ops.nn.relu", "special", "keras3-jax", "pass"),
    ("ops.nn.relu", "special", "keras3-torch", "error"),
    ("ops.nn.relu", "special", "keras3-numpy", "pass"),
]
FAILING = {"diverged", "error", "crash", "timeout", "malformed"}


def page(tmp_path: Path, probe: str = "") -> Path:
    results = [Verdict(spec, check, adapter, status, examples=3, message=f"why <{status}>",
                       max_rel=0.5 if status == "diverged" else 1e-7).to_json()
               for spec, check, adapter, status in CELLS]
    data = {"format": "keras-conformance/1", "started": "s", "finished": "f", "profile": "quick", "seed": 0,
            "adapters": {a: {"keras": "3"} for a in ("keras3-jax", "keras3-torch", "keras3-numpy")},
            "results": results}
    text = to_html(data, "reports/conformance.json")
    if probe:
        text = text.replace("</html>", f"<script>{probe}</script></html>")
    path = tmp_path / "conformance.html"
    path.write_text(text)
    return path


def browse(path: Path, fragment: str = "") -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and every console line."""
    done = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", path.as_uri() + fragment],
                          capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-3000:]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console
    return done.stdout, console


def visible_rows(dom: str) -> set[tuple[str, str]]:
    """The matrix rows not hidden (Chromium writes a hidden row's attribute as hidden="")."""
    return {(spec, check) for spec, check, attrs in
            re.findall(r'<tr data-spec="([^"]+)" data-ns="[^"]+" data-check="([^"]+)"([^>]*)>', dom)
            if "hidden" not in attrs}


def expected_rows(adapter: str = "", verdict: str = "", ns: str = "", check: str = "") -> set[tuple[str, str]]:
    def wanted(status: str) -> bool:
        return not verdict or (status in FAILING if verdict == "failing" else status == verdict)
    return {(s, c) for s, c, a, status in CELLS
            if (not adapter or a == adapter) and wanted(status) and (not check or c == check)
            and (not ns or s.rsplit(".", 1)[0] == ns)}


def test_the_page_runs_and_shows_every_row_without_a_filter(tmp_path: Path) -> None:
    dom, _ = browse(page(tmp_path))
    assert visible_rows(dom) == {(s, c) for s, c, _, _ in CELLS}
    assert "5 of 5 rows" in dom


def test_every_heatmap_square_opens_the_matrix_filtered_to_its_cells(tmp_path: Path) -> None:
    path = page(tmp_path)
    dom, _ = browse(path)
    links = re.findall(r"<td[^>]*data-status=\"[a-z]+\"[^>]*><a href=\"(#filter:[^\"]+)\"", dom)
    assert len(links) == 2 * 3  # two namespaces, three adapters
    for link in links:
        query = dict(part.split("=", 1) for part in link[len("#filter:"):].replace("&amp;", "&").split("&"))
        filtered, _ = browse(path, link.replace("&amp;", "&"))
        assert visible_rows(filtered) == expected_rows(**query), link
        assert visible_rows(filtered), f"{link} shows nothing"


def test_the_filters_answer_a_person_choosing_from_them(tmp_path: Path) -> None:
    probe = """
    const set = (id, v) => { const c = document.querySelector(id); c.value = v;
                             c.dispatchEvent(new Event('input')); };
    const shown = () => [...document.querySelectorAll('#matrix tbody tr')].filter(r => !r.hidden)
                          .map(r => r.dataset.spec + '::' + r.dataset.check).sort();
    const columns = () => [...document.querySelectorAll('#matrix thead th[data-adapter]')]
                          .filter(c => !c.hidden).map(c => c.dataset.adapter);
    const out = {};
    set('#f-verdict', 'failing'); out.failing = shown();
    set('#f-adapter', 'keras3-torch'); out.torchFailing = shown(); out.columns = columns();
    set('#f-verdict', ''); set('#f-adapter', ''); set('#f-check', 'grad'); out.grad = shown();
    set('#f-check', ''); set('#f-ns', 'ops.nn'); out.nn = shown();
    set('#f-ns', ''); set('#f-verdict', 'known'); out.known = shown();
    set('#f-verdict', ''); set('#f-text', 'soft'); out.text = shown();
    console.log('PROBE ' + JSON.stringify(out));
    """
    _, console = browse(page(tmp_path, probe))
    line = next(line for line in console if "PROBE " in line)
    found = json.loads(line.split("PROBE ", 1)[1].rsplit('", source', 1)[0].replace('\\"', '"'))

    def names(rows: set[tuple[str, str]]) -> list[str]:
        return sorted(f"{s}::{c}" for s, c in rows)
    assert found["failing"] == names(expected_rows(verdict="failing"))
    assert found["torchFailing"] == names(expected_rows(adapter="keras3-torch", verdict="failing"))
    assert found["columns"] == ["keras3-torch"]
    assert found["grad"] == names(expected_rows(check="grad"))
    assert found["nn"] == names(expected_rows(ns="ops.nn"))
    assert found["known"] == names(expected_rows(verdict="known"))
    assert found["text"] == ["ops.nn.softmax::values"]


def test_every_in_page_link_has_its_target_and_failures_come_first(tmp_path: Path) -> None:
    dom, _ = browse(page(tmp_path))
    targets = set(re.findall(r' id="([^"]+)"', dom))
    links = set(re.findall(r'href="#([^":]+)"', dom))
    assert len(links) >= 6 and links <= targets, links - targets
    failures = dom[dom.index('id="failures"'):dom.index('id="matrix-section"')]
    for spec, check, adapter, status in CELLS:
        assert (f"{spec}</code> [{check}] on {adapter}</a>" in failures) == (status in FAILING)
    assert dom.index('id="failures"') < dom.index('id="matrix-section"')
