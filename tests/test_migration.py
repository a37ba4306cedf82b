"""The Keras 2 -> Keras 3 migration view: case comparison, tallies, causes, the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from plugin_runs import run_pytest

from conformance import cli, migration
from conformance.adapter import Outcome
from conformance.spec import Expected
from conformance.tolerance import VALUE_TOLERANCE


class _Draw:
    def __init__(self, ref: np.ndarray, values: bool = True, judge=None) -> None:
        self.expected = {"out": Expected(ref=ref, dtype=None, scale=None, tolerance=VALUE_TOLERANCE,
                                         values=values, judge=judge)}

    def describe(self) -> str:
        return "the case"


def _ok(x: object) -> Outcome:
    return Outcome.ok({"out": np.asarray(x)})


def test_answers_within_twice_the_tolerance_agree() -> None:
    ref = np.array([1.0, 2.0])
    # each within float32 tolerance of the truth, in opposite directions
    a, b = np.float32([1.0 + 1.5e-6, 2.0]), np.float32([1.0 - 1.5e-6, 2.0])
    agree, diff_abs, _, what = migration.compare_outcomes(_Draw(ref), _ok(a), _ok(b))
    assert agree and what == "" and 2e-6 < diff_abs < 4e-6


def test_a_real_difference_is_reported_with_its_size() -> None:
    agree, diff_abs, diff_rel, what = migration.compare_outcomes(
        _Draw(np.array([1.0])), _ok(np.float32([1.0])), _ok(np.float32([1.01])))
    assert not agree and diff_abs == pytest.approx(0.01, rel=1e-4) and diff_rel == pytest.approx(0.01, rel=1e-3)
    assert "Keras 3 against Keras 2" in what


def test_one_side_raising_is_a_difference_and_both_raising_is_not() -> None:
    draw = _Draw(np.array([1.0]))
    error = Outcome.error(ValueError("rejects 1-D"))
    agree, *_, what = migration.compare_outcomes(draw, error, _ok([1.0]))
    assert not agree and what.startswith("only Keras 2 raises: ValueError")
    assert migration.compare_outcomes(draw, error, error)[0] is True


def test_absent_crashed_and_random_cases_say_nothing() -> None:
    draw = _Draw(np.array([1.0]))
    assert migration.compare_outcomes(draw, Outcome.absent("no such op"), _ok([1.0])) is None
    assert migration.compare_outcomes(draw, Outcome("crash", reason="died"), _ok([1.0])) is None
    random_draw = _Draw(np.array([1.0]), judge=lambda outputs: None)
    assert migration.compare_outcomes(random_draw, _ok([0.3]), _ok([0.9])) is None


def test_the_dtype_check_compares_dtypes() -> None:
    draw = _Draw(np.array([1.0]), values=False)
    agree, *_, what = migration.compare_outcomes(draw, _ok(np.int8([1])), _ok(np.array([True])))
    assert not agree and what == "out: dtype int8 (Keras 2) vs bool (Keras 3)"


def test_each_listed_change_names_both_values() -> None:
    from conformance.adapters.keras2_theano import Keras2Theano
    from conformance.adapters.tf_keras import Keras2, TfKeras

    for cls in (TfKeras, Keras2, Keras2Theano):
        assert cls.keras_major == 2 and cls.migration_changes
        for api, changes in cls.migration_changes.items():
            for change in changes:
                text = change.to_json()["text"]
                if change.kind == migration.RENAMED:
                    assert f"`{change.keras2}`" in text and f"`{change.keras3}`" in text, (api, text)
                else:
                    assert repr(change.keras2) in text and repr(change.keras3) in text, (api, text)
    gelu = TfKeras.migration_changes["ops.nn.gelu"][0]
    assert gelu.describe() == "changed default of `approximate`: Keras 2 False, Keras 3 True"


# -- end to end: a Keras 2 stand-in whose gelu keeps Keras 2's default ---------------------
@pytest.fixture(scope="module")
def gelu_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    report_dir = tmp_path_factory.mktemp("migration")
    run = run_pytest(["--adapters", "honest-numpy,legacy-gelu", "-k", "ops.nn.gelu and values",
                      "--hypothesis-profile=quick"], report_dir=report_dir)
    return report_dir, run


def test_a_changed_default_is_reported_as_such(gelu_run: tuple[Path, object]) -> None:
    report_dir, run = gelu_run
    data = run.report()
    tallies = {t["spec"]: t for t in data["migration"]}
    assert set(tallies) == {"ops.nn.gelu", "ops.nn.gelu.approximate", "ops.nn.gelu.exact"}, run.explain()
    default = tallies["ops.nn.gelu"]
    assert (default["keras2"], default["keras3"]) == ("legacy-gelu", "honest-numpy")
    assert 0 < default["disagreeing"] <= default["cases"] and default["max_abs"] > 1e-4, default
    # the explicit argument means the same on both sides: no difference
    assert tallies["ops.nn.gelu.exact"]["disagreeing"] == 0 and tallies["ops.nn.gelu.exact"]["cases"] > 0
    assert tallies["ops.nn.gelu.approximate"]["disagreeing"] == 0
    rows = {r.spec: r for r in migration.rows(data)}
    assert rows["ops.nn.gelu"].differs and not rows["ops.nn.gelu.exact"].differs
    assert rows["ops.nn.gelu"].causes == ["changed default of `approximate`: Keras 2 False, Keras 3 True"]
    markdown = (report_dir / "conformance.md").read_text()
    assert "## Migration: Keras 2 -> Keras 3" in markdown
    assert "changed default of `approximate`: Keras 2 False, Keras 3 True" in markdown
    assert "Migration: Keras 2 → Keras 3" in (report_dir / "conformance.html").read_text()


def test_migrate_prints_the_table_from_a_report(gelu_run: tuple[Path, object], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    report_dir, _ = gelu_run
    code = cli.main(["migrate", f"--from-report={report_dir / 'conformance.json'}",
                     f"--report-dir={tmp_path}"])
    out = capsys.readouterr().out
    assert code == 0, out
    differing = [line for line in out.splitlines() if line.startswith("DIFFERS")]
    assert len(differing) == 1 and "ops.nn.gelu " in differing[0] and "honest-numpy: " in differing[0]
    assert "cause: changed default of `approximate`: Keras 2 False, Keras 3 True" in out
    assert "legacy-gelu: ops.nn.leaky_relu: renamed argument: Keras 2 `alpha` is Keras 3 `negative_slope`" in out
    assert "## Migration: Keras 2 -> Keras 3" in (tmp_path / "conformance.md").read_text()


def test_migrate_needs_both_majors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--adapters", "keras3-numpy"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "needs at least one Keras 2 adapter and one Keras 3 adapter" in err


def test_migrate_runs_only_the_specs_a_keras2_adapter_maps() -> None:
    from conformance.adapters.keras2_ops import OP_MAP

    names = cli.migration_scope(["tf-keras", "keras3-numpy"]).split(" or ")
    assert "ops.nn.gelu" in names and "ops.nn.gelu.exact" in names and "ops.numpy.sum" in names
    assert "ops.numpy.sort" not in names and "ops.numpy.sort" not in OP_MAP
    assert all(n.startswith("ops.") for n in names)
