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

.PHONY: install run test lint fmt worker beat bench browser clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Serves the site with the Stripe stand-in beside it; Ctrl-C stops both.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Site: http://$(HOST):$(PORT)/   (Stripe stand-in: http://127.0.0.1:12111/)"
	trap 'kill 0' EXIT; \
	$(PY) -m devtools.stripe_standin --port 12111 --api-key sk_test_standin \
		--webhook-secret whsec_standin --webhook-url http://$(HOST):$(PORT)/stripe/webhook/ & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The benchmarks need PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL) and wrk.
bench: install
	@command -v wrk >/dev/null || { \
		echo "Installing wrk from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; }
	export DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/omwellness} \
		REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}; \
	$(PY) -m bench.program_page && \
	$(PY) -m bench.registration_rush && \
	$(PY) -m bench.reminders

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null || { \
		echo "Installing Chromium from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PRODUCTION_LIKE) $(PY) manage.py check --deploy --fail-level WARNING

fmt: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: install
	$(PY) -m celery -A omwellness worker --loglevel=INFO --concurrency=2

beat: install
	$(PY) -m celery -A omwellness beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache
