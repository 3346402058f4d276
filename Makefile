# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up
# on the way: the virtual environment from uv.lock, then the dbt manifest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
DBT_SOURCES := $(shell find transform -path transform/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)

.PHONY: setup prepare demo test ui docs bench check-exports clean

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet --compile-bytecode
	@touch $@

prepare: transform/target/manifest.json

transform/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	$(BIN)/python -m orchestration.launcher prepare

demo: prepare
	$(BIN)/python -m orchestration.launcher demo

test: prepare
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

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

clean:
	rm -rf data transform/target transform/logs
