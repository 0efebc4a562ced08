# The two commands of the README: `make demo` and `make test`. Everything else helps them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install demo test services services-stop lint format browser frontend prod prod-stop messages

help:
	@echo "make demo      portal with demo data at http://127.0.0.1:$(PORT)/ (PORT=... to change)"
	@echo "make test      provision PostgreSQL, Redis, Elasticsearch, Keycloak on loopback and run everything"
	@echo "make services  start the real services and print the PORTAL_* lines to reach them"
	@echo "make prod      the production stack on loopback (nginx at http://127.0.0.1:\$${PORT:-8080}/)"
	@echo "make prod-stop stop it (data is kept)"
	@echo "make lint      ruff check + format check"
	@echo "make frontend  build the HDF5/NeXus viewer (npm) into static/build/"
	@echo "make messages  update locale/*/django.po from the code (makemessages) and list untranslated msgids"

# (Re)install into .venv whenever pyproject.toml changes.
$(STAMP): pyproject.toml scripts/bootstrap.sh
	@scripts/bootstrap.sh "$(PYTHON)" "$(VENV)"
	@touch $@

# Compiled translations (git-ignored build output), in pure Python: no gettext needed.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
%.mo: %.po $(STAMP) scripts/i18n.py
	@$(BIN)/python scripts/i18n.py compile

install: $(STAMP) $(MO_FILES)

# After adding or changing page text: update every language's .po (Django's makemessages,
# which needs gettext: installed as a Debian package if missing) and list what is untranslated.
MESSAGES_IGNORE := --ignore 'frontend/*' --ignore 'static/*' --ignore 'tests/*' \
	--ignore 'benchmarks/*' --ignore 'deploy/*' --ignore 'docs/*' --ignore 'var/*' --ignore 'scripts/*'
messages: $(STAMP)
	@scripts/ensure-debian-package.sh gettext /usr/bin/xgettext "makemessages"
	$(BIN)/python manage.py makemessages $(foreach l,$(notdir $(patsubst %/LC_MESSAGES/,%,$(dir $(PO_FILES)))),-l $(l)) \
	  -e html,txt,py --add-location file --no-obsolete $(MESSAGES_IGNORE)
	@$(BIN)/python scripts/i18n.py compile
	@$(BIN)/python scripts/i18n.py check || echo "(Translate the msgids above in locale/<lang>/LC_MESSAGES/django.po, then run make messages again.)"

# The HDF5/NeXus viewer (frontend/ -> static/build/, git-ignored), rebuilt when its sources change.
FRONTEND_STAMP := static/build/.built
FRONTEND_SOURCES := $(wildcard frontend/src/*) frontend/package.json frontend/vite.config.js \
	$(wildcard frontend/package-lock.json) scripts/build-frontend.sh
$(FRONTEND_STAMP): $(FRONTEND_SOURCES)
	@scripts/build-frontend.sh
	@touch $@

frontend: $(FRONTEND_STAMP)

# Absolute links (OAI-PMH baseURL, exports, Signposting) name the port actually served.
demo: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
# SciCat clients' sourceFolder /scicat/data/... is the demo storage folder scicat/...
demo: export PORTAL_SCICAT_SOURCE_FOLDER_MAP ?= /scicat/data=scicat
demo: $(STAMP) $(MO_FILES)
	@$(MAKE) --no-print-directory frontend || echo "(The HDF5 viewer was not built: it needs Node.js >= 20.19 and npm. The portal works without it; files are listed and downloadable.)"
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

# The production stack (scripts/prod.sh, deploy/): PostgreSQL, Redis, an Elasticsearch cluster
# of PORTAL_ES_NODES nodes, gunicorn, Celery workers per queue, beat, nginx. PORT is nginx's
# port here (8080 unless set); make demo's default of 8000 does not apply.
prod: $(STAMP) $(MO_FILES)
	@$(MAKE) --no-print-directory frontend || echo "(The HDF5 viewer was not built: it needs Node.js >= 20.19 and npm. The portal works without it.)"
	@PORT=$${PROD_PORT:-$(if $(filter command line environment,$(origin PORT)),$(PORT),8080)} scripts/prod.sh start

prod-stop:
	@scripts/prod.sh stop

browser:
	@scripts/ensure-debian-package.sh chromium /usr/bin/chromium "the browser tests"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite against the real services; a missing service is an error, not a skip.
# PORTAL_* variables already set win over the provisioned defaults (e.g. another database).
test: $(STAMP) $(FRONTEND_STAMP) $(MO_FILES)
	@scripts/ensure-debian-package.sh chromium /usr/bin/chromium "the browser tests"
	@scripts/ensure-debian-package.sh aria2 aria2c "the manifest tests"
	@scripts/ensure-debian-package.sh nginx /usr/sbin/nginx "the download and production tests"
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
