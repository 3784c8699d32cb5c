# AIHF — run `make demo` then `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv from PATH, else the one pip installed (`make uv` installs it when missing); evaluated where it is used
UV = $(shell command -v uv 2>/dev/null || (test -x .tools/bin/uv && echo .tools/bin/uv) || echo "$(PYTHON) -m uv")
VENV := .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export PYTHONPATH := $(CURDIR)

.PHONY: help uv install demo lake dagster api key migrate test lint bench scanner-asan clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

uv:  ## install uv with pip when it is missing (into this Python, else a private venv in .tools/)
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || test -x .tools/bin/uv || \
		{ echo "installing uv with pip"; $(PYTHON) -m pip install --quiet uv 2>/dev/null || \
		  { $(PYTHON) -m venv .tools && .tools/bin/python -m pip install --quiet uv; } || \
		  $(PYTHON) -m pip install --quiet --user --break-system-packages uv; }

install: uv  ## create .venv with every dependency (uv, from PyPI)
	$(UV) sync --frozen 2>/dev/null || $(UV) sync
	@$(PY) -m orchestration.instance

demo: lake  ## install, build the lake offline from ../shared, print where the tables are and how to query them
	@echo "Next: make dagster (UI: lineage, backfills) · make test · live SEC: see README"

lake: install  ## materialize every asset once (offline by default)
	$(PY) -m orchestration.build

dagster: install  ## the Dagster UI on http://127.0.0.1:3000 (backfills, lineage)
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

api: install  ## serve the lake on API_HOST:API_PORT (127.0.0.1:8000) with granian, API_WORKERS workers
	$(PY) -m serving

lint: install  ## ruff, mypy, import-linter
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: install lint  ## lint, validate Dagster definitions, run the test suite
	$(VENV)/bin/dagster definitions validate -w workspace.yaml
	$(PY) -m pytest

scanner-asan: install  ## the XBRL C scanner under AddressSanitizer + UBSan over the mirror and damaged variants
	$(PY) -m tests.edgar.asan_scan

BENCH_TOOLS := $(CURDIR)/.bench-tools

bench: install  ## benchmarks: XBRL facts (vs edgartools, Arelle, bare lxml), 13F/Form 4 parsing, SEC client docs/s, lake build, live scale (BENCH_SCALE_N=1,5,20,100), dbt metrics, API req/s, backtester
	@test -x $(BENCH_TOOLS)/bin/python || $(UV) venv --quiet --python $(PY) $(BENCH_TOOLS)
	$(UV) pip install --quiet --python $(BENCH_TOOLS)/bin/python edgartools
	EDGARTOOLS_PYTHON=$(BENCH_TOOLS)/bin/python $(PY) -m tests.bench.facts
	$(PY) -m tests.bench.thirteenf
	$(PY) -m tests.bench.forms
	$(PY) -m tests.bench.sec_http
	$(PY) -m tests.bench.lake_build
	$(PY) -m tests.bench.scale $(if $(BENCH_SCALE_N),--n $(BENCH_SCALE_N),--quick)
	$(PY) -m tests.bench.metrics
	$(PY) -m tests.bench.backtest
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (load generator)"; \
		(apt-get install -y wrk || sudo apt-get install -y wrk) >/dev/null 2>&1 || echo "wrk could not be installed: the API bench needs it"; }
	$(PY) -m tests.bench.api

migrate: install  ## create and migrate the accounts database (AIHF_PG_URL)
	$(PY) -m serving.accounts migrate

key: install  ## print the demo API key (demo@localhost, Pro plan; created once, kept in .aihf-demo-key)
	@$(PY) -m serving.accounts demo-key

clean:  ## remove the local lake and Dagster instance (not .venv)
	rm -rf lakehouse .dagster_home .bench
