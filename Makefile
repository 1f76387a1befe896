SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pip lists every 'file:///opt/pypi' location it looks in; those lines are noise.
QUIET_PIP := 2>&1 | { grep -v 'WARNING: Location' || true; }
# Python sources that ruff checks (bench/ joins once it holds Python files).
PY_DIRS := assistant tests $(if $(wildcard bench/*.py),bench)
TEST_ENV := GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False

.PHONY: help install run test lint fmt clean

help:
	@echo "make install  create .venv and install the project with its dev tools"
	@echo "make run      build the index if missing, then chat in the terminal"
	@echo "make test     ruff, ruff format --check, mypy, pytest (what CI runs)"
	@echo "make lint     ruff check + format check"
	@echo "make fmt      ruff format + ruff check --fix"
	@echo "make clean    remove the index and tool caches (keeps .venv)"

# CPU torch goes in first: otherwise resolving the project pulls the multi-GB CUDA build.
# The stamp depends on pyproject.toml, so changed dependencies are installed on the next run.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip $(QUIET_PIP)
	$(BIN)/pip install -q torch==2.13.0 $(QUIET_PIP)
	$(BIN)/pip install -q -e ".[dev]" $(QUIET_PIP)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	test -f index/manifest.json || $(BIN)/prep index
	$(BIN)/prep chat

test: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy
	$(TEST_ENV) $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

fmt: $(STAMP)
	$(BIN)/ruff format $(PY_DIRS)
	$(BIN)/ruff check --fix $(PY_DIRS)

clean:
	rm -rf index .pytest_cache .mypy_cache .ruff_cache tests/artifacts build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
