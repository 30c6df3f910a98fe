# #APTIC — every command a newcomer needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# Embedded mode for everything run from here (SQLite under var/, e-mails on the console).
export APTIC_ENV ?= embedded
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run demo-code test test-postgres lint layers format check a11y bench vendor territories lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@ $(VENV)/.installed-base

# The embedded settings build the site URL (e-mails, printed links) from HOST and PORT.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: $(VENV)/.installed-base ## Install, migrate SQLite under var/, load territories and demo data once, serve on http://HOST:PORT (default 127.0.0.1:8000)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_embedded
	@echo "#APTIC sur http://$(HOST):$(PORT)/ — Ctrl+C pour arrêter."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

demo-code: $(VENV)/.installed-base ## Print the demo staff's current second-factor code (embedded mode)
	@$(BIN)/python manage.py demo_code

test: $(VENV)/.installed-dev ## Install test dependencies and run the whole suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev ## Run the suite on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/aptic)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aptic} $(BIN)/pytest --create-db $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

layers: $(VENV)/.installed-dev ## import-linter: each app imports only the layers below it, no import circle inside an app (ADR 0030)
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.installed-dev ## Django checks: no missing migration; deployment checklist with production settings
	$(BIN)/python manage.py makemigrations --check --dry-run
	APTIC_ENV=production DJANGO_SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=aptic.example REDIS_URL=redis://127.0.0.1:6379/0 \
	  APTIC_LEGAL_NAME=Aptic APTIC_LEGAL_SIRET=73282932000074 APTIC_LEGAL_IBAN=FR7630006000011234567890189 \
	  APTIC_SEPA_DEBTOR_IBAN=FR7630006000011234567890189 APTIC_SITE_URL=https://aptic.example DATABASE_URL=sqlite:///:memory: \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

a11y: $(VENV)/.installed-base ## Accessibility crawl: every page of each demo role, desktop and phone, through axe-core in headless Chromium
	scripts/a11y/run.sh

BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
# Issue #14's starting commit: the redemption is compared with it in one run (bench/paired.py).
BENCH_BASE ?= b1bc8f5
bench: $(VENV)/.installed-dev ## Benchmarks under bench/: territories, spreadsheet uploads and reference places on SQLite; places, vouchers, the HTTP API, printing, payouts, dashboards, exports, reference places and the territorial diagnostic on PostgreSQL (BENCH_DASHBOARD_SCALE=50: 1/50 of the issue's history), then the redemption beside BENCH_BASE's
	env -u DATABASE_URL $(BIN)/python -m bench territories places uploads reference_places
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench places vouchers api printing payouts dashboards exports reference_places diagnostic
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.paired $(BENCH_BASE)

vendor: ## Refresh the vendored JS/CSS libraries from npm (frontend/package-lock.json)
	frontend/vendor.sh

territories: ## Re-derive the territories data files from npm and ../shared/data (yearly refresh)
	cd scripts/territories && npm ci --no-audit --no-fund && $(PYTHON) derive.py

lock: ## Re-pin requirements/*.txt from requirements/*.in (needs pip-tools)
	cd requirements && pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

clean: ## Remove the virtual environment and the embedded database (var/)
	rm -rf $(VENV) var
