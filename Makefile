# Two commands for a newcomer: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
# pyenv's own build first (no shim needed on PATH), then whatever python3.13 is on PATH.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)*/bin/python$(PYTHON_VERSION)) $(shell command -v python$(PYTHON_VERSION)))
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# The test suite always runs on PostgreSQL: DATABASE_URL if set, else the local server.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/cop_portal)

.PHONY: help install e2e-deps run test e2e lint fmt migrations-check check-deploy lock clean \
	bench bench-deps bench-email redis-deps haproxy-deps loadtest

help:
	@echo "make run [PORT=8000]  install, migrate, load starter and demo content, serve on http://127.0.0.1:8000 with a worker"
	@echo "make test             the whole test suite on PostgreSQL (DATABASE_URL, else 127.0.0.1:5432)"
	@echo "make e2e              only the browser journeys and accessibility checks (headless Chromium)"
	@echo "make lint | fmt       ruff check | ruff format"
	@echo "make migrations-check fail if a model change has no migration"
	@echo "make lock             re-resolve requirements.lock (dev) and requirements-prod.lock from pyproject.toml"
	@echo "make bench [TIER=S|M|L] seed a synthetic CoP, load-test the pages: tiers S then M unless TIER names one (L only then)"
	@echo "make bench-email      publish a programme to 20,000 members: enqueue cost, and email delivered per second"
	@echo "make loadtest [TIER=S|M|L] 50 members: PostgreSQL and Redis restarted, then two instances behind HAProxy, one killed"

$(BIN)/uv:
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) not found: install it (pyenv install $(PYTHON_VERSION)) or set PYTHON=/path/to/python$(PYTHON_VERSION)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9

# Re-sync only when the lock changes; the stamp file records the last sync.
$(VENV)/.synced: requirements.lock | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@touch $@

install: $(VENV)/.synced

# The browser suite drives Debian's Chromium (never a downloaded browser) and injects axe-core
# from the npm registry. Both install only when missing; apt needs root, as on these machines.
e2e-deps:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f node_modules/axe-core/axe.min.js || npm ci --silent --no-audit --no-fund

# `make run PORT=9000` (or HOST=0.0.0.0) serves elsewhere; links in the demo's emails follow.
# honcho runs the web server and a worker (Procfile.dev) and stops both on Ctrl-C. It gives each
# process a PORT of its own (the worker's is unused), so the worker is told the web one.
HOST ?= 127.0.0.1
PORT ?= 8000
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_starter_content
	DEBUG=true $(MANAGE) load_demo_content
	PATH="$(abspath $(BIN)):$$PATH" DEBUG=true HOST=$(HOST) WEB_PORT=$(PORT) \
		$(BIN)/honcho -f Procfile.dev start -p $(PORT)

test: install e2e-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

e2e: install e2e-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# Django's deployment checklist under production settings, with throwaway values for the secrets.
check-deploy: install
	DJANGO_SETTINGS_MODULE=cop_portal.settings.prod \
	SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=cop.example.org DATABASE_URL=postgres://localhost/cop_portal \
	EMAIL_URL=smtp+tls://portal:secret@smtp.example.org:587 PORTAL_URL=https://cop.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

# The benchmark (bench/run.py): its own database (cop_bench, made afresh each run), gunicorn on
# 127.0.0.1 and Debian's wrk, installed when missing as e2e-deps does for Chromium. Without TIER
# it runs S, then M, so that the M run is compared with S; tier L (ten times M) only on demand.
TIER ?=
BENCH_TIERS := $(or $(TIER),S M)
bench-deps: redis-deps
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Redis for the benchmark and the load test, as in production (each uses a database of its own).
redis-deps:
	@command -v redis-server >/dev/null || { echo "Installing Debian's redis-server for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Starting Redis on 127.0.0.1:6379"; \
		redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes; }

bench: install bench-deps
	@for tier in $(BENCH_TIERS); do $(BIN)/python -m bench.run --tier $$tier || exit 1; done

# The email benchmark (bench/email_drain.py): its own database (cop_bench_email, made afresh),
# 20,000 members, an SMTP server of its own on 127.0.0.1 and 1, then 2, workers. No Redis.
bench-email: install
	$(BIN)/python -m bench.email_drain

# HAProxy, Debian's, for the load test's two instances: installed when missing, as e2e-deps does.
haproxy-deps:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || { echo "Installing Debian's haproxy for the load test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }

# The load test: its own throwaway PostgreSQL cluster and Redis server (never the shared ones,
# which it restarts), seeded at TIER (M unless given), 50 locust members. First loadtest/run.py:
# one gunicorn on 127.0.0.1, PostgreSQL and Redis restarted. Then loadtest/balanced.py: two
# instances behind HAProxy, one killed mid-run; it runs even when the first part found a fault,
# and the target fails if either did. Not part of `make test`. `timeout` is a second limit behind
# each script's own (--timeout).
LOADTEST_TIER := $(or $(TIER),M)
loadtest: install redis-deps haproxy-deps
	@status=0; \
	timeout --kill-after=30 1500 $(BIN)/python -m loadtest.run --tier $(LOADTEST_TIER) || status=1; \
	timeout --kill-after=30 1500 $(BIN)/python -m loadtest.balanced --tier $(LOADTEST_TIER) || status=1; \
	exit $$status

# Two locks from pyproject.toml: requirements.lock (the project's and the dev group's packages:
# `make install`, the tests, CI) and requirements-prod.lock (the project's only: production
# installs no test runner, browser driver or load tester). The second is resolved within the
# first (-c), so each package it pins is at the version the tests ran against.
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --group dev --generate-hashes --python-version $(PYTHON_VERSION) --quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version $(PYTHON_VERSION) --quiet -c requirements.lock -o requirements-prod.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules test-artifacts
