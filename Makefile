# The two commands of the README. Each installs what it needs first (once).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench

demo: $(VENV)/.installed ## run the service on :8000 with a ready demo database (SQLite)
	$(BIN)/tranche demo

test: $(VENV)/.installed ## run the whole suite (TRANCHE_TEST_DATABASE_URL=postgresql://… for PostgreSQL)
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python bench/run_all.py

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@
