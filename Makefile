# The front door: `make run` serves the demo site, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Values that look like production's, for the deployment checks in `make lint`.
PRODUCTION_LIKE := DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY=lint-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP \
	STRIPE_SECRET_KEY=sk_live_lint_only STRIPE_WEBHOOK_SECRET=whsec_lint_only \
	DJANGO_ALLOWED_HOSTS=register.omwellness.ca SITE_URL=https://register.omwellness.ca

# Every dependency, with the dev extra, pinned with hashes for Python 3.11 on Linux.
LOCK := requirements.txt
# The lock names PyPI alone (uv's default index): no local index, find-links or uv config.
LOCK_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--no-config --custom-compile-command "make lock"


.PHONY: install lock audit run test lint fmt worker beat bench browser clean messages gettext

# Installs exactly what the lock pins, refusing any file whose hash differs; the project
# itself adds no dependencies, and `pip check` stops a pyproject.toml the lock falls
# short of (edited without `make lock`).
$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check || { \
		echo "pyproject.toml asks for more than $(LOCK) holds: run make lock"; exit 1; }
	touch $@

# The translations are compiled with babel (no GNU gettext needed); a .mo newer than its
# .po is left alone, so this costs nothing on most runs.
install: $(VENV)/.installed
	$(PY) -m devtools.compilemessages

# After editing the dependencies in pyproject.toml: keeps every pin that still fits and
# resolves the rest. `make lock UPGRADE=--upgrade` (or `UPGRADE="--upgrade-package
# django"`) moves pins forward. Not through `install`: its `pip check` refuses the very
# pyproject.toml this is about to lock.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(LOCK_COMPILE) $(UPGRADE) --output-file $(LOCK)

# Known vulnerabilities of every locked version, from PyPI's advisory data (the PyPA and
# OSV advisories that PyPI shows); fails on any. pip-audit asks PyPI per version
# (--disable-pip: it reads the hashed lock as it is instead of installing it again). A
# registry mirror that serves no per-version pages (like the one our machines and CI
# reach) leaves it blind, so devtools/audit_skipped.py checks what it skipped with what
# such a mirror does serve, and prints the one verdict. No report fails too.
# `make audit AUDIT_REQUIREMENTS=other.txt` audits another hashed requirements file.
AUDIT_REQUIREMENTS ?= $(LOCK)
audit: install
	mkdir -p var && rm -f var/pip-audit.json
	$(PY) -m pip_audit --requirement $(AUDIT_REQUIREMENTS) --require-hashes --disable-pip \
		--vulnerability-service pypi --progress-spinner off --format json \
		--output var/pip-audit.json >/dev/null || true
	$(PY) -m devtools.audit_skipped $(AUDIT_REQUIREMENTS) var/pip-audit.json

# Serves the site with the Stripe stand-in beside it; Ctrl-C stops both.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Site: http://$(HOST):$(PORT)/   (Stripe stand-in: http://127.0.0.1:12111/)"
	trap 'kill 0' EXIT; \
	$(PY) -m devtools.stripe_standin --port 12111 --api-key sk_test_standin \
		--webhook-secret whsec_standin --webhook-url http://$(HOST):$(PORT)/stripe/webhook/ & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The benchmarks need PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL) and wrk: five
# pages against bare Django (bench/bare) in one run, the registration rush with the program
# page read alongside, the reminder scan. BENCH_SECONDS, BENCH_ROUNDS and BENCH_DATABASE
# (the run's own database, recreated; omw_bench) tune them.
bench: install
	@command -v wrk >/dev/null || { \
		echo "Installing wrk from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; }
	export DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/omwellness} \
		REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}; \
	$(PY) -m bench.pages && \
	$(PY) -m bench.registration_rush && \
	$(PY) -m bench.reminders

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null || { \
		echo "Installing Chromium from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

# makemessages needs GNU gettext's xgettext; install Debian's gettext when it is missing.
gettext:
	@command -v xgettext >/dev/null || { \
		echo "Installing gettext from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null; }

# Brings the French catalogue (locale/fr/LC_MESSAGES/django.po) up to date with the
# marked strings; new ones arrive with an empty msgstr for a translator to fill.
messages: install gettext
	$(PY) manage.py makemessages -l fr --no-location --no-obsolete \
		-i ".venv/*" -i "tests/*" -i "var/*" -i "bench/*" -i "devtools/*" \
		-i "staticfiles/*" -i "node_modules/*"
	$(PY) -m devtools.compilemessages

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install gettext
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PRODUCTION_LIKE) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m mypy
	$(PY) -m devtools.i18n_check
	$(MAKE) --no-print-directory audit

fmt: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: install
	$(PY) -m celery -A omwellness worker --loglevel=INFO --concurrency=2

beat: install
	$(PY) -m celery -A omwellness beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache .mypy_cache
