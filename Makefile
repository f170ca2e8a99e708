# Rogatory: `make demo` runs it, `make test` tests it. Both set up the virtual environment first.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: install demo test lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/rogatory demo

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/register.py --output docs/benchmarks.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
