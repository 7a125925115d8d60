# JII Otonari platform. `make run` sets up and serves the demo site; `make test` runs the whole test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
# The catalogs `make messages` refreshes: every one under locale/ (a new language: make messages CATALOGS=vi).
CATALOGS ?= $(notdir $(patsubst %/,%,$(wildcard locale/*/)))

.PHONY: run setup test test-postgres lint types-baseline format messages translations bench lock clean

$(BIN)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

translations: $(BIN)/.installed  ## compile locale/*/django.po into .mo files (pure Python, no gettext needed)
	@$(MANAGE) compile_translations

setup: translations  ## virtualenv, locked dependencies, database, demo data
	@$(MANAGE) migrate --noinput --verbosity 0
	@$(MANAGE) load_demo_data

run: setup  ## set everything up, print where to go and the demo logins, and serve on http://127.0.0.1:8000
	@$(MANAGE) demo_coordinator
	@$(MANAGE) runserver $(HOST)

node_modules/.package-lock.json: package-lock.json  ## the page checkers the browser tests run (axe-core, Nu)
	npm ci --no-audit --no-fund --loglevel=error

# On the embedded default the suite runs on both cores (pytest-xdist: a database each). With REDIS_URL it runs in
# one process: the tests share one Redis (the cache they clear, the worker they start, the server they stop).
PYTEST_WORKERS ?= $(if $(REDIS_URL),0,2)

test: translations node_modules/.package-lock.json  ## the whole suite (SQLite, eager Celery by default; set DATABASE_URL / REDIS_URL for the real stack)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy | $(BIN)/mypy-baseline filter
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/lint-imports

types-baseline: $(BIN)/.installed  ## after fixing type errors: rewrite mypy-baseline.txt to mypy's errors of today
	$(BIN)/mypy | $(BIN)/mypy-baseline sync

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(BIN)/.installed  ## refresh every locale/*/LC_MESSAGES/django.po from the source (needs GNU gettext)
	$(MANAGE) makemessages $(addprefix -l ,$(CATALOGS)) --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests

bench: translations  ## page benchmarks on their own database, figures printed as a table
	$(BIN)/python bench/run.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/spot.py
	$(BIN)/python bench/hanamaru.py
	$(BIN)/python bench/consultations.py
	$(BIN)/python bench/receipts.py
	$(BIN)/python bench/campaign_load.py
	$(BIN)/python bench/outbox.py

lock:  ## re-resolve the lock files from pyproject.toml
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-output demo-emails
