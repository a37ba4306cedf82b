# The two entry points of the README. Both create and reuse the virtual environment .venv/.
PY ?= python3
VENV := .venv
PIP := $(VENV)/bin/pip install -q --disable-pip-version-check
PROFILE ?= default

.PHONY: conformance test install-all install-test lint bench

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)

install-all: $(VENV)/bin/python
	$(PIP) -e ".[all,dev]"

install-test: $(VENV)/bin/python
	$(PIP) -e ".[numpy,dev]"

# Run the catalog on every installed adapter; writes reports/conformance.{json,md,html}.
conformance: install-all
	$(VENV)/bin/keras-conformance run --profile $(PROFILE)

# The engine's own tests (what .ci/run calls).
test: install-test
	$(VENV)/bin/python -m pytest tests -q -p no:cacheprovider

lint: install-test
	$(VENV)/bin/ruff check .

bench: install-all
	$(VENV)/bin/python benchmarks/bench_add.py
