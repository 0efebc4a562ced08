# The two commands of the README: `make demo` and `make test`. Everything else helps them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install demo test services services-stop lint format browser

help:
	@echo "make demo      portal with demo data at http://127.0.0.1:$(PORT)/ (PORT=... to change)"
	@echo "make test      provision PostgreSQL, Redis, Elasticsearch on loopback and run everything"
	@echo "make services  start the real services and print the PORTAL_* lines to reach them"
	@echo "make lint      ruff check + format check"

# (Re)install into .venv whenever pyproject.toml changes.
$(STAMP): pyproject.toml scripts/bootstrap.sh
	@scripts/bootstrap.sh "$(PYTHON)" "$(VENV)"
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@# With Elasticsearch configured, the same demo runs on it: (re)build the search index.
	@if [ -n "$${PORTAL_ELASTICSEARCH_URL:-}" ]; then $(BIN)/python manage.py reindex; fi
	@echo ""
	@echo "  Portal: http://127.0.0.1:$(PORT)/   (curation: http://127.0.0.1:$(PORT)/admin/)"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

services:
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

browser:
	@scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite against the real services; a missing service is an error, not a skip.
# PORTAL_* variables already set win over the provisioned defaults (e.g. another database).
test: $(STAMP)
	@scripts/ensure-chromium.sh
	@service_env="$$(scripts/services.sh start)"; \
	while IFS='=' read -r key value; do \
	  if [ -n "$$key" ] && [ -z "$${!key:-}" ]; then export "$$key=$$value"; fi; \
	done <<< "$$service_env"; \
	export PORTAL_REQUIRE_SERVICES=1; \
	echo "== ruff"; \
	$(BIN)/ruff check .; \
	$(BIN)/ruff format --check .; \
	echo "== migrations"; \
	$(BIN)/python manage.py makemigrations --check --dry-run; \
	echo "== pytest"; \
	$(BIN)/pytest
