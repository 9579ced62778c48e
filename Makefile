# Two commands for a fresh machine: `make run` (install, migrate, run on SQLite) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
KEYWORDS := -k t -k N_ -k plural:1,2

.PHONY: install run test lint messages bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/thidua run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Re-extract the English source strings and merge them into the vi and en catalogs.
messages: install
	$(BIN)/pybabel extract -F babel.cfg $(KEYWORDS) --no-location --sort-output \
		--project thidua-bot -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching \
		--ignore-obsolete

bench: install
	$(BIN)/python -m bench.throughput
