# Coach Portal: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format lock migrate demo browser pdftools check-deploy clean

help:
	@echo "make run      install, migrate, load demo data, start sandboxes + worker + web on http://127.0.0.1:$(PORT)/"
	@echo "make test     install what the tests need (incl. Debian's chromium when possible) and run the whole suite"
	@echo "make test-fast  the suite without browser (e2e) and slow tests, on two cores: the quick loop while coding"
	@echo "make lint     ruff check + format check + import contracts (lint-imports)"
	@echo "make lock     re-resolve requirements*.txt from pyproject.toml"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install whenever the lock file changes.
$(STAMP): $(PY) requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(STAMP)

# A git-ignored .env with DEBUG on and freshly generated secrets, for this machine only.
.env: | $(STAMP)
	$(PY) -m coachportal.devenv > $@
	@echo "Wrote .env (local development settings)."

migrate: install .env
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "Coach Portal is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops everything)"
	@echo ""
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

# Browser tests drive Debian's chromium; install it when we may (CI and dev machines run as root).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Could not install chromium: browser tests will be skipped."; \
	else echo "chromium is not installed and cannot be installed here: browser tests will be skipped."; fi

# The PDF report test reads the text back and renders every page with poppler (pdftotext, pdftoppm).
pdftools:
	@if command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
		|| echo "Could not install poppler-utils: the PDF rendering test will be skipped."; \
	else echo "poppler-utils is not installed: the PDF rendering test will be skipped."; fi

test: install browser pdftools
	$(PY) -m pytest

# Browser tests are marked e2e by tests/e2e/conftest.py; tests that start gunicorn, workers or big
# uploads, or take more than ~5 s, are marked slow. `make test` runs them all. The quick loop spreads
# the tests over TEST_WORKERS processes (pytest-xdist): each has its own test database and sandboxes.
# Byte code is written even where PYTHONDONTWRITEBYTECODE is set: each worker otherwise compiles the
# project and rewrites the asserts of every test module again at each run (5 s of CPU per worker).
TEST_WORKERS ?= 2
test-fast: install
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) -m "not e2e and not slow" -x -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lock: install
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements.txt
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.txt

check-deploy: install
	DEBUG=0 COACHPORTAL_SKIP_DOTENV=1 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
		ALLOWED_HOSTS=example.com EMAIL_HOST=smtp.example.com $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .sandbox
