"""``keras-conformance coverage``: every public API of the installed Keras, covered, excluded or missing."""

from __future__ import annotations

import pytest

from conformance import coverage


def test_classify_counts_alias_groups_once_under_their_canonical_name() -> None:
    groups = {"layers": [["layers.Conv2D", "layers.Convolution2D"], ["layers.Dense"], ["layers.Lambda"]],
              "ops": [["ops.numpy.add", "ops.add"]]}
    table = coverage.classify(groups, covered={"layers.Convolution2D", "ops.add"},
                              excluded={"layers.Lambda": "takes a Python function"})
    assert table["layers"]["layers"].covered == ["layers.Conv2D"]
    assert table["layers"]["layers"].missing == ["layers.Dense"]
    assert table["layers"]["layers"].excluded == ["layers.Lambda"]
    assert table["ops"]["ops.numpy"].covered == ["ops.numpy.add"]
    assert coverage.missing_count(table) == 1
    lines = coverage.report(table, {"layers.Lambda": "takes a Python function"}, verbose=True)
    assert "    missing  layers.Dense" in lines
    assert any(line.startswith("= layers") and "of 3" in line for line in lines)


def test_the_installed_keras_lists_classes_with_their_own_names() -> None:
    pytest.importorskip("keras")
    groups = coverage.public_apis(["layers", "losses"])
    layers = {coverage.canonical(names) for names in groups["layers"]}
    assert {"layers.Dense", "layers.MaxPooling2D", "layers.Conv2D"} <= layers
    assert "layers.Layer" not in layers  # the base class is machinery, not an API
    losses = {coverage.canonical(names) for names in groups["losses"]}
    assert {"losses.MeanSquaredError", "losses.mean_squared_error"} <= losses
