# The two commands of the README: `make run` and `make test`.
# Both create the virtual environment and install what they need on a fresh machine.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the app's own links use (calendar feed, e-mails): where `make run` serves,
# unless SITE_URL is set in the environment.
SITE_URL ?= http://$(HOST):$(PORT)
DEV := EXECCOORD_DEV=1

.PHONY: install run test lint bench browsers restore-drill clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[demo,test]"
	touch $(STAMP)

install: $(STAMP)

## Set up the database (SQLite by default), seed demo data if empty, serve on :8000
## (PORT=… and HOST=… serve elsewhere, and SITE_URL follows them).
run: install
	$(DEV) DEBUG=1 $(PY) manage.py migrate --noinput
	$(DEV) DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo --if-empty
	$(DEV) DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

## Install and run the whole test suite (DATABASE_URL selects PostgreSQL).
## One pytest worker per core (pytest-xdist); PYTEST_ARGS adds options, e.g. "-n 0 -x".
test: install
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(DEV) $(PY) -m pytest -n auto $(PYTEST_ARGS)

## Back up the database and the stored files, restore both into new ones and download every
## attachment from the copy (moto's local S3 stands in for the object storage).
restore-drill: install
	$(DEV) $(PY) -m pytest -n 0 -q tests/test_operations.py -k restore_drill

## Style (ruff) and layering (import-linter's contracts in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Debian's Chromium for the browser tests (needs root; never `playwright install`).
browsers:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
