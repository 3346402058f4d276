# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up
# on the way: the virtual environment from uv.lock, then the dbt manifest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
# sqlfluff's dbt templater compiles the models against a scratch warehouse
LINT_DATA := $(CURDIR)/transform/target/sqlfluff
DBT_SOURCES := $(shell find transform -path transform/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)

.PHONY: setup prepare demo test lint lint-sql ui docs bench faults check-exports sql clean

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet --compile-bytecode
	@touch $@

prepare: transform/target/manifest.json

transform/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	$(BIN)/python -m orchestration.launcher prepare

# The demo exports are vendor-shaped (read through ingestion/demo_exports/mappings/vendor.yml);
# SHAPE=contract writes the contract's columns instead.
demo: prepare
	$(BIN)/python -m orchestration.launcher demo $(if $(SHAPE),--shape $(SHAPE))

# The house style first (what .pre-commit-config.yaml runs), then every test.
test: prepare lint
	$(BIN)/python -m pytest

lint: prepare
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MAKE) --no-print-directory lint-sql

lint-sql: prepare
	mkdir -p $(LINT_DATA)
	SHARED_FUNNEL_DATA_DIR=$(LINT_DATA) $(BIN)/sqlfluff lint transform/models --processes 2

# Read the landing folder against the source mapping, load nothing, say what is missing.
check-exports: setup
	$(BIN)/python -m ingestion.preflight $(if $(LANDING),--landing $(LANDING))

ui: prepare
	$(BIN)/python -m orchestration.launcher ui

docs: prepare
	$(BIN)/python -m orchestration.launcher docs

bench: prepare
	$(BIN)/python -m ingestion.benchmark $(if $(CONTACTS),--contacts $(CONTACTS))
	$(BIN)/python -m orchestration.benchmark $(if $(CONTACTS),--contacts $(CONTACTS))

# The fault suite: damaged exports, kill -9 at random points of each step (KILLS per step),
# replays, concurrent runs; prints a table of the cases. `make test` runs its fast cases.
faults: prepare
	$(BIN)/python -m tests.faults $(if $(KILLS),--kills $(KILLS))

# The duckdb shell (duckdb-cli, from the lock) on the published marts, read-only.
sql: setup
	$(BIN)/duckdb -readonly "$$($(BIN)/python -c 'from ingestion import settings; print(settings.published_warehouse_path())')"

clean:
	rm -rf data transform/target transform/logs
