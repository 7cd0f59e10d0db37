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
# The lock names PyPI alone: no local index, find-links or uv config of this machine's.
LOCK_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--index-url https://pypi.org/simple --no-config --custom-compile-command "make lock"

# The second look at what pip-audit could not audit, without any package of its own. A
# project's page on PyPI carries the advisories of its latest release, so a pin at the
# latest release is audited from it. Any other pin is reported as not audited, and fails
# when a newer release of its own series exists (Django and most others ship security
# fixes as such releases): `make lock UPGRADE="--upgrade-package NAME"` moves to it.
define AUDIT_SKIPPED
import json, re, sys, urllib.request
from packaging.version import Version

lock, report = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
pins = dict(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", lock, re.M))
pins = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}
found, failed, unaudited = [], [], []
for dep in report["dependencies"]:
    name = dep["name"]
    if "skip_reason" not in dep:
        found += [(name, dep["version"], v["id"], v["fix_versions"]) for v in dep["vulns"]]
        continue
    version = Version(pins[name])
    url = "https://pypi.org/pypi/" + name + "/json"
    with urllib.request.urlopen(url, timeout=60) as response:
        project = json.load(response)
    if Version(project["info"]["version"]) == version:
        advisories = [v for v in project["vulnerabilities"] if not v.get("withdrawn")]
        found += [(name, str(version), v["id"], v["fixed_in"]) for v in advisories]
        continue
    newer = sorted(
        Version(release)
        for release, files in project["releases"].items()
        if files and not all(f["yanked"] for f in files)
        and not Version(release).is_prerelease
        and Version(release).release[:2] == version.release[:2]
        and Version(release) > version
    )
    (failed if newer else unaudited).append((name, str(version), newer))
for name, version, vuln, fixed in found:
    print("VULNERABLE", name, version, vuln, "fixed in", ", ".join(fixed) or "no release")
for name, version, newer in failed:
    print("NOT AUDITED", name, version, "and a newer release of its series exists:", newer[-1])
for name, version, newer in unaudited:
    print("not audited", name, version, "(no advisories for it from this index;",
          "no newer release of its series)")
audited = len(report["dependencies"]) - len(failed) - len(unaudited)
print(audited, "of", len(report["dependencies"]), "locked packages audited,",
      len(found), "known vulnerabilities")
sys.exit(1 if found or failed else 0)
endef
export AUDIT_SKIPPED

.PHONY: install lock audit run test lint fmt worker beat bench browser clean

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

install: $(VENV)/.installed

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
# reach) leaves it blind, so AUDIT_SKIPPED checks what it skipped with what such a mirror
# does serve, and prints the one verdict. No report (pip-audit could not run) fails too.
# `make audit AUDIT_REQUIREMENTS=other.txt` audits another hashed requirements file.
AUDIT_REQUIREMENTS ?= $(LOCK)
audit: install
	mkdir -p var && rm -f var/pip-audit.json
	$(PY) -m pip_audit --requirement $(AUDIT_REQUIREMENTS) --require-hashes --disable-pip \
		--vulnerability-service pypi --progress-spinner off --format json \
		--output var/pip-audit.json >/dev/null || true
	$(PY) -c "$$AUDIT_SKIPPED" $(AUDIT_REQUIREMENTS) var/pip-audit.json

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
	$(MAKE) --no-print-directory audit

fmt: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: install
	$(PY) -m celery -A omwellness worker --loglevel=INFO --concurrency=2

beat: install
	$(PY) -m celery -A omwellness beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache
