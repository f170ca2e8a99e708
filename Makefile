# Rogatory: `make demo` runs it, `make test` tests it. Both set up the virtual environment first.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: install demo test lint format bench bench-pages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The demo writes only under $(DEMO_DIR): its own database, documents, static files and the
# reminder e-mails its worker would send (as files in mail/), built afresh on every run so that
# it never touches a real register (rogatory.sqlite3).
DEMO_DIR ?= $(CURDIR)/demo

demo: install
	rm -rf $(DEMO_DIR)/demo.sqlite3 $(DEMO_DIR)/demo.sqlite3-wal $(DEMO_DIR)/demo.sqlite3-shm \
		$(DEMO_DIR)/media $(DEMO_DIR)/static $(DEMO_DIR)/mail
	mkdir -p $(DEMO_DIR)
	ROGATORY_DATABASE_URL=sqlite:///$(DEMO_DIR)/demo.sqlite3 \
	ROGATORY_MEDIA_DIR=$(DEMO_DIR)/media \
	ROGATORY_STATIC_ROOT=$(DEMO_DIR)/static \
	ROGATORY_EMAIL_BACKEND=file ROGATORY_EMAIL_FILE_PATH=$(DEMO_DIR)/mail \
	ROGATORY_BASE_URL=http://127.0.0.1:8000 \
		$(BIN)/rogatory demo

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench` measures everything issue 5 sets a target for and writes docs/benchmarks.md; it
# takes about an hour at its default sizes. A quick run:
# make bench BENCH_ARGS="--import-rows 20000 --requests 20000 --duration 10 --warmup 5"
BENCH_ARGS ?=

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

bench: install $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py --output docs/benchmarks.md $(BENCH_ARGS)

bench-pages: install
	$(BIN)/python benchmarks/pages.py --rows 1000000 --output docs/benchmarks.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
