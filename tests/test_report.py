"""The report: JSON written as verdicts arrive, Markdown and HTML views, merging CI jobs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance import report
from conformance.report import FORMAT, ReportWriter, merge, to_html, to_markdown
from conformance.runner import Verdict


def verdict(spec: str, check: str, adapter: str, status: str = "pass", **fields: object) -> Verdict:
    return Verdict(spec, check, adapter, status, examples=3, **fields)  # type: ignore[arg-type]


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_verdict_is_kept_at_once_and_the_json_at_most_every_few_seconds(tmp_path: Path) -> None:
    writer = ReportWriter(str(tmp_path), stem="run")
    writer.start(profile="quick", seed=7, unavailable={"keras3-openvino": "missing openvino"})
    assert read(tmp_path / "run.json")["results"] == []
    writer.adapters({"keras3-numpy": {"versions": {"keras": "3.15.1"}}},
                    {"keras3-torch": "worker did not start"})
    writer.add(verdict("ops.numpy.add", "values", "keras3-numpy"))
    writer.add(verdict("ops.numpy.exp", "values", "keras3-numpy", "diverged", message="off"))
    # a killed run keeps what it had: the journal has every verdict, the JSON says unfinished
    assert len((tmp_path / "run.jsonl").read_text().splitlines()) == 2
    snapshot = read(tmp_path / "run.json")
    assert snapshot["results"] == [] and snapshot["finished"] is None  # within SNAPSHOT_SECONDS
    killed = report.load(str(tmp_path / "run.json"))
    assert [r["status"] for r in killed["results"]] == ["pass", "diverged"]
    assert killed["profile"] == "quick" and killed["seed"] == 7
    assert set(killed["unavailable"]) == {"keras3-openvino", "keras3-torch"}
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically

    writer._last_snapshot -= report.SNAPSHOT_SECONDS  # time passes
    writer.add(verdict("ops.numpy.log", "values", "keras3-numpy"))
    assert len(read(tmp_path / "run.json")["results"]) == 3

    writer.finish()
    done = read(tmp_path / "run.json")
    assert done["finished"] is not None and done["format"] == FORMAT
    assert len(done["results"]) == 3 and report.load(str(tmp_path / "run.json")) == done
    assert not (tmp_path / "run.jsonl").exists()  # the JSON holds everything now
    assert (tmp_path / "run.md").exists() and (tmp_path / "run.html").exists()


def test_a_journal_line_cut_by_a_kill_is_left_out(tmp_path: Path) -> None:
    writer = ReportWriter(str(tmp_path), stem="run")
    writer.start(profile="quick", seed=0)
    writer.add(verdict("ops.numpy.add", "values", "keras3-numpy"))
    with open(tmp_path / "run.jsonl", "a") as handle:
        handle.write('{"spec": "ops.numpy.ex')
    assert [r["spec"] for r in report.load(str(tmp_path / "run.json"))["results"]] == ["ops.numpy.add"]


CELLS = [
    ("ops.numpy.add", "values", "keras3-jax", "pass"),
    ("ops.numpy.add", "values", "keras3-torch", "diverged"),
    ("ops.numpy.add", "special", "keras3-jax", "known"),
    ("ops.numpy.add", "special", "keras3-torch", "absent"),
    ("ops.nn.softmax", "values", "keras3-jax", "crash"),
    ("ops.nn.softmax", "values", "keras3-torch", "stale"),
]


def document() -> dict:
    writer = ReportWriter("/nonexistent")
    writer.data.update(profile="default", seed=3)
    writer.data["adapters"] = {"keras3-jax": {"keras": "3.15.1", "versions": {"jax": "0.10.2"}},
                               "keras3-torch": {"keras": "3.15.1", "versions": {"torch": "2.13"}}}
    for spec, check, adapter, status in CELLS:
        writer.data["results"].append(verdict(
            spec, check, adapter, status, message=f"why {spec} {adapter} <{status}>",
            reason=f"reason {status}", max_rel=0.5 if status == "diverged" else 0.0,
            reproduce=f"pytest --adapters {adapter}").to_json())
    return writer.data


def test_markdown_matrix_has_every_cell() -> None:
    text = to_markdown(document())
    header = next(line for line in text.splitlines() if line.startswith("| spec | check |"))
    assert header == "| spec | check | keras3-jax | keras3-torch |"
    rows = {tuple(c.strip() for c in line.strip("|").split("|"))
            for line in text.splitlines() if line.startswith("| `")}
    assert ("`ops.numpy.add`", "values", "pass", "diverged (rel 0.5)") in rows
    assert ("`ops.numpy.add`", "special", "known", "absent") in rows
    assert ("`ops.nn.softmax`", "values", "crash", "stale") in rows
    assert "keras3-jax: 1 pass, 1 known, 1 crash" in text
    assert "why ops.numpy.add keras3-torch <diverged>" in text  # failures are explained
    assert "Reproduce: `pytest --adapters keras3-torch`" in text


def test_html_has_every_cell_escaped() -> None:
    page = to_html(document())
    for spec, *_ in CELLS:
        assert f"<code>{spec}</code>" in page
    for status in ("pass", "diverged", "known", "absent", "crash", "stale"):
        assert f"data-status='{status}'" in page
    assert ">diverged (rel 0.5)</a></td>" in page  # a failing cell links to its details
    assert "&lt;diverged&gt;" in page and "<diverged>" not in page
    assert page.count("<tr data-spec=") == 3  # one matrix row per (spec, check)


def test_html_puts_failures_first_and_every_link_has_its_target() -> None:
    page = to_html(document(), "reports/conformance.json")
    assert page.index("id='failures'") < page.index("id='matrix-section'") < page.index("id='details'")
    failing = page[page.index("id='failures'"):page.index("id='matrix-section'")]
    assert "softmax</code> [values] on keras3-jax" in failing  # the crash
    assert "add</code> [values] on keras3-torch" in failing     # the diverged cell
    assert "known" not in failing.split("<tbody>")[1]          # not a failure
    targets = set(re.findall(r" id='([^']+)'", page))
    links = set(re.findall(r"href='#([^':]+)'", page))
    assert links and links <= targets, links - targets
    assert "keras-conformance repro &#x27;ops.numpy.add::values[keras3-torch]&#x27; " \
           "--report=reports/conformance.json" in page


def test_html_heatmap_shows_the_worst_verdict_per_namespace_and_adapter() -> None:
    page = to_html(document())
    heatmap = page[page.index("id='heatmap'"):page.index("</table>", page.index("id='heatmap'"))]
    rows = dict(re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", heatmap, re.S))
    assert set(rows) == {"namespace", "ops.numpy", "ops.nn"}  # the header row, then one per namespace
    # ops.numpy on keras3-torch: one diverged, one absent -> failing; on jax: pass + known -> known
    assert "adapter=keras3-torch&amp;verdict=failing'>1 failing" in rows["ops.numpy"]
    assert "data-status='known'" in rows["ops.numpy"].split("</td>")[0]
    assert "adapter=keras3-jax&amp;verdict=failing'>1 failing" in rows["ops.nn"]


def test_a_stopped_run_says_so_at_the_top_of_every_view() -> None:
    data = {**document(), "interrupted": True, "cells_total": 40, "finished": "2025-01-01T00:00:00"}
    assert "**interrupted after 6 of 40 cells" in to_markdown(data)
    page = to_html(data)
    assert page.index("interrupted after 6 of 40 cells") < page.index("id='summary'")
    assert "interrupted" not in to_markdown(document())


def test_the_merged_report_names_each_jobs_profile_and_seed() -> None:
    jax = per_adapter("keras3-jax", {("ops.numpy.add", "values"): "pass"}, "2025-01-01T00:00:00")
    torch = per_adapter("keras3-torch", {("ops.numpy.add", "values"): "pass"}, "2025-01-02T00:00:00")
    torch.update(seed=99, profile="nightly", shard="2/3")
    text = to_markdown(merge([jax, torch]))
    assert "profile `?`" not in text and "seed ?" not in text
    assert "- keras3-jax: profile `default`, seed 1," in text
    assert "- keras3-torch shard 2/3: profile `nightly`, seed 99," in text


def test_html_migration_colours_an_explained_difference_as_known_and_keeps_the_numbers() -> None:
    from conformance import report_html

    data = document()
    data["migration"] = [
        {"spec": "ops.nn.gelu", "check": "values", "keras2": "tf-keras", "keras3": "keras3-jax", "api": "ops.nn.gelu",
         "cases": 12, "disagreeing": 3, "max_abs": 3.5123456, "max_rel": 0.25, "example": "differs > allowed 3.5e-06"},
        {"spec": "ops.numpy.sqrt", "check": "values", "keras2": "tf-keras", "keras3": "keras3-jax",
         "api": "ops.numpy.sqrt", "cases": 12, "disagreeing": 1, "max_abs": 1.0, "max_rel": 1.0, "example": "x"}]
    data["migration_causes"] = {"tf-keras": {"ops.nn.gelu": [{"text": "changed default of approximate"}]}}
    page = to_html(data)
    section = page[page.index("id='migration'"):]
    gelu = section[section.index("ops.nn.gelu"):section.index("ops.numpy.sqrt")]
    assert report_html.EXPLAINED in gelu and report_html.COLOURS["diverged"] not in gelu
    assert "differs &gt; allowed 3.5e-06" in gelu and "3.51235" in gelu
    assert report_html.COLOURS["diverged"] in section[section.index("ops.numpy.sqrt"):]


def test_unavailable_adapters_are_listed() -> None:
    data = document()
    data["unavailable"] = {"keras3-openvino": "missing openvino"}
    assert "keras3-openvino: unavailable — missing openvino" in to_markdown(data)
    assert "keras3-openvino: unavailable" in to_html(data)


def per_adapter(adapter: str, statuses: dict[tuple[str, str], str], started: str) -> dict:
    writer = ReportWriter("/nonexistent")
    writer.data.update(profile="default", seed=1, started=started, finished=started)
    writer.data["adapters"] = {adapter: {"keras": "3.15.1"}}
    writer.data["unavailable"] = {"keras3-openvino": "missing openvino"}
    for (spec, check), status in statuses.items():
        writer.data["results"].append(verdict(spec, check, adapter, status).to_json())
    return json.loads(json.dumps(writer.data))


def test_merge_of_two_per_adapter_files_gives_one_matrix(tmp_path: Path) -> None:
    jax = per_adapter("keras3-jax", {("ops.numpy.add", "values"): "pass",
                                     ("ops.numpy.exp", "values"): "diverged"}, "2025-01-01T00:00:00")
    torch = per_adapter("keras3-torch", {("ops.numpy.add", "values"): "known",
                                         ("ops.numpy.exp", "values"): "pass"}, "2025-01-02T00:00:00")
    merged = merge([jax, torch])
    assert merged["format"] == FORMAT
    assert set(merged["adapters"]) == {"keras3-jax", "keras3-torch"}
    cells = {(r["spec"], r["adapter"]): r["status"] for r in merged["results"]}
    assert cells == {("ops.numpy.add", "keras3-jax"): "pass", ("ops.numpy.exp", "keras3-jax"): "diverged",
                     ("ops.numpy.add", "keras3-torch"): "known", ("ops.numpy.exp", "keras3-torch"): "pass"}
    assert merged["started"] == "2025-01-01T00:00:00" and merged["finished"] == "2025-01-02T00:00:00"
    assert len(merged["sources"]) == 2
    text = to_markdown(merged)
    assert "| `ops.numpy.add` | values | pass | known |" in text
    assert "| `ops.numpy.exp` | values | diverged | pass |" in text


def test_merge_later_results_win_and_run_adapters_are_not_unavailable() -> None:
    old = per_adapter("keras3-jax", {("ops.numpy.add", "values"): "diverged"}, "2025-01-01T00:00:00")
    new = per_adapter("keras3-jax", {("ops.numpy.add", "values"): "pass"}, "2025-01-02T00:00:00")
    new["adapters"]["keras3-openvino"] = {"keras": "3.15.1"}
    merged = merge([old, new])
    assert [r["status"] for r in merged["results"]] == ["pass"]
    assert "keras3-openvino" not in merged["unavailable"]


@pytest.mark.parametrize("doc", [{}, {"format": "junit"}, {"results": []}])
def test_merge_rejects_a_non_report(doc: dict) -> None:
    with pytest.raises(ValueError, match="not a keras-conformance report"):
        merge([per_adapter("keras3-jax", {}, "2025-01-01T00:00:00"), doc])


def test_summary_counts_per_adapter() -> None:
    counts = report.summary(document())
    assert counts["keras3-torch"]["diverged"] == 1 and counts["keras3-torch"]["stale"] == 1
    assert sum(counts["keras3-jax"].values()) == 3


def test_time_per_adapter_sums_busy_seconds_slowest_first() -> None:
    data = document()
    for r in data["results"]:
        r["busy_seconds"] = {"keras3-jax": 120.0, "keras3-torch": 6.0}[r["adapter"]] * (
            2 if r["check"] == "special" else 1)
    lines = report.time_lines(data)
    # jax: 120 s + 240 s + 120 s = 8 min, its special check 4 min; torch 0.4 min
    assert lines == ["keras3-jax: 8.0 min (values 4.0, special 4.0)",
                     "keras3-torch: 0.4 min (values 0.2, special 0.2)"]
    text = to_markdown(data)
    assert "## Time per adapter" in text and "- keras3-jax: 8.0 min" in text


def test_a_run_records_each_adapters_busy_time(tmp_path: Path) -> None:
    from plugin_runs import run_pytest

    run = run_pytest(["--adapters", "honest-numpy", "-k", "ops.numpy.add::values",
                      "--hypothesis-profile=quick", "-q"], tmp_path)
    cell = run.verdicts()[("ops.numpy.add", "values", "honest-numpy")]
    assert cell["busy_seconds"] > 0, run.explain()
    assert "worker busy time per adapter (minutes):" in run.output, run.explain()


def test_worker_incidents_are_kept_merged_and_shown(tmp_path: Path) -> None:
    line = "keras-mlx: the worker exited after answering a batch of ops.image.sobel_edges"
    writer = ReportWriter(str(tmp_path), stem="run")
    writer.start(profile="quick", seed=0)
    writer.add(verdict("ops.numpy.add", "values", "keras-mlx"))
    writer.incidents([line])
    writer.finish()
    data = read(tmp_path / "run.json")
    assert data["incidents"] == [line]
    assert "## Worker incidents" in to_markdown(data) and line in to_markdown(data)
    assert merge([data, {**data, "incidents": []}])["incidents"] == [line]
    assert "Worker incidents" not in to_markdown({**data, "incidents": []})
    assert line in to_html(data)


def test_spec_lines_rank_a_spec_by_its_worst_check() -> None:
    data = {"results": [verdict(spec, check, "a", status).to_json() for spec, check, status in [
        ("add", "values", "pass"), ("add", "grad", "known"),          # some known
        ("exp", "values", "pass"), ("exp", "grad", "pass"),           # pass every check
        ("log", "values", "pass"), ("log", "grad", "absent"),         # pass where present
        ("fft", "values", "absent"),                                  # absent
        ("sin", "values", "known"), ("sin", "grad", "crash"),         # failing
    ]]}
    assert report.spec_lines(data) == [
        "a: 5 specs: 1 failing, 1 some known, 1 pass every check, 1 pass where present, 1 absent"]
    assert "a: 5 specs:" in to_markdown(data)
