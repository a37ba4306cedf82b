"""Known divergences files: what loads, what is refused with a one-line ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import divergences
from conformance.registry import ConfigError

VALID = """
# a comment
[[divergence]]
spec = "ops.*"
adapters = ["keras3-numpy"]
dtypes = ["float64", "int64"]
reason = "the NumPy backend narrows 64-bit dtypes"
link = "https://example.org/issue/1"

[[divergence]]
spec = "ops.nn.softmax"
check = "special"
adapters = ["keras3-jax", "keras3-torch"]
reason = "inf inputs"
"""


def write(tmp_path: Path, text: str, name: str = "divergences.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_valid_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    entries = divergences.load(path)
    assert len(entries) == 2
    first, second = entries
    assert first.spec == "ops.*" and first.adapters == ("keras3-numpy",)
    assert first.dtypes == ("float64", "int64") and first.check is None
    assert first.link == "https://example.org/issue/1" and first.source == path
    assert second.check == "special" and second.dtypes is None and second.link is None


def test_glob_check_adapter_and_dtype_matching(tmp_path: Path) -> None:
    entries = divergences.load(write(tmp_path, VALID))
    find = divergences.find
    assert find(entries, "ops.numpy.add", "values", "keras3-numpy", "float64") is entries[0]
    assert find(entries, "ops.numpy.add", "values", "keras3-numpy", "float32") is None
    # dtype None: any entry of the cell (used to detect stale entries)
    assert find(entries, "ops.numpy.add", "values", "keras3-numpy") is entries[0]
    assert find(entries, "ops.numpy.add", "values", "keras3-jax", "float64") is None
    assert find(entries, "layers.Dense", "forward", "keras3-numpy", "float64") is None
    assert find(entries, "ops.nn.softmax", "special", "keras3-torch", "float32") is entries[1]
    assert find(entries, "ops.nn.softmax", "values", "keras3-torch", "float32") is None
    assert find(entries, "ops.nn.softmax_x", "special", "keras3-torch") is None


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert divergences.load(str(tmp_path / "absent.toml")) == []


def test_empty_file_is_empty(tmp_path: Path) -> None:
    assert divergences.load(write(tmp_path, "# nothing known\n")) == []


ENTRY = '[[divergence]]\nspec = "ops.numpy.add"\nadapters = ["keras3-jax"]\nreason = "why"\n'

MALFORMED = {
    "bad-toml": ("[[divergence]\nspec = 'x'\n", "not valid TOML"),
    "missing-reason": ('[[divergence]]\nspec = "ops.numpy.add"\nadapters = ["keras3-jax"]\n',
                       "missing reason"),
    "missing-spec": ('[[divergence]]\nadapters = ["keras3-jax"]\nreason = "why"\n', "missing spec"),
    "missing-adapters": ('[[divergence]]\nspec = "ops.numpy.add"\nreason = "why"\n',
                         "missing adapters"),
    "empty-reason": ('[[divergence]]\nspec = "x"\nadapters = ["keras3-jax"]\nreason = "  "\n',
                     "reason is empty"),
    "unknown-key": (ENTRY + 'severity = "high"\n', "unknown key(s) severity"),
    "adapters-string": ('[[divergence]]\nspec = "x"\nadapters = "keras3-jax"\nreason = "why"\n',
                        "adapters must be a non-empty list"),
    "adapters-empty": ('[[divergence]]\nspec = "x"\nadapters = []\nreason = "why"\n',
                       "adapters must be a non-empty list"),
    "adapters-numbers": ('[[divergence]]\nspec = "x"\nadapters = [1]\nreason = "why"\n',
                         "adapters must be a non-empty list"),
    "dtypes-string": (ENTRY + 'dtypes = "float64"\n', "dtypes must be a non-empty list"),
    "spec-not-string": ('[[divergence]]\nspec = 3\nadapters = ["a"]\nreason = "why"\n',
                        "spec must be a string"),
    "wrong-table": ('[[known]]\nspec = "x"\nreason = "why"\n', "unknown table(s) ['known']"),
    "single-table": ('[divergence]\nspec = "x"\nadapters = ["a"]\nreason = "why"\n',
                     "must be an array of tables"),
    "not-a-table": ('divergence = ["x"]\n', "must be a table"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_a_one_line_config_error(tmp_path: Path, name: str) -> None:
    text, expected = MALFORMED[name]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        divergences.load(path)
    message = str(info.value)
    assert "\n" not in message.strip(), message
    assert message.startswith(path), message
    assert expected in message, message


def test_bad_toml_error_names_the_file_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'x = "unterminated\ny = 1\n')
    with pytest.raises(ConfigError) as info:
        divergences.load(path)
    assert "\n" not in str(info.value)


def test_plugin_known_failures_default_to_their_adapter(tmp_path: Path) -> None:
    path = write(tmp_path, '[[divergence]]\nspec = "ops.nn.*"\nreason = "no fused kernels"\n')
    entries = divergences.load(path, adapter="keras-mlx")
    assert [e.adapters for e in entries] == [("keras-mlx",)]
    same = write(tmp_path, ENTRY.replace("keras3-jax", "keras-mlx"), "same.toml")
    assert divergences.load(same, adapter="keras-mlx")[0].adapters == ("keras-mlx",)


@pytest.mark.parametrize("adapters", ['["keras3-jax"]', '["keras-mlx", "keras3-jax"]'])
def test_plugin_known_failures_may_only_name_their_adapter(tmp_path: Path, adapters: str) -> None:
    path = write(tmp_path, f'[[divergence]]\nspec = "ops.*"\nadapters = {adapters}\nreason = "x"\n')
    with pytest.raises(ConfigError, match="may only name keras-mlx") as info:
        divergences.load(path, adapter="keras-mlx")
    assert "\n" not in str(info.value)
    # the same file is fine as a project-wide divergences file
    assert divergences.load(path)[0].spec == "ops.*"


def test_project_divergences_file_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    for entry in divergences.load(str(root / "divergences.toml")):
        assert entry.reason.strip() and entry.adapters


def test_an_entry_covers_the_versions_of_its_adapter() -> None:
    from conformance.divergences import Divergence

    entry = Divergence("ops.numpy.exp", ("keras3-jax",), "float64 computed in float32")
    assert entry.matches("ops.numpy.exp", "values", "keras3-jax@nightly")
    assert not entry.matches("ops.numpy.exp", "values", "keras3-jax-other")
    nightly_only = Divergence("ops.numpy.exp", ("keras3-jax@nightly",), "new in 3.16")
    assert not nightly_only.matches("ops.numpy.exp", "values", "keras3-jax")


def test_include_reads_the_files_a_pattern_names(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "b.toml").write_text(
        '[[divergence]]\nspec = "layers.B"\nadapters = ["x"]\nreason = "b"\n')
    (tmp_path / "parts" / "a.toml").write_text(
        '[[divergence]]\nspec = "layers.A"\nadapters = ["x"]\nreason = "a"\n')
    main = tmp_path / "divergences.toml"
    main.write_text('include = ["parts/*.toml"]\n\n[[divergence]]\nspec = "ops.x"\nadapters = ["x"]\nreason = "x"\n')
    assert [e.spec for e in divergences.load(str(main))] == ["ops.x", "layers.A", "layers.B"]
    main.write_text('include = [3]\n')
    with pytest.raises(ConfigError, match="include must be a list of glob patterns"):
        divergences.load(str(main))
