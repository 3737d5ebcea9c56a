# Civic: `make run` serves the app with demo data; `make test` runs the whole suite. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 3
export FLASK_APP := wsgi

.PHONY: run test install install-test translations migrate demo serve bench extract-messages lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

# axe-core for the browser tests' accessibility check (package.json pins it); skipped when npm is missing.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else \
		echo "npm is not installed: the browser tests' axe-core check will fail (apt-get install npm)."; \
	fi

install-test: $(VENV)/.installed-test translations node_modules/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d civic/translations 2>&1 | tail -n 3

migrate: install
	CIVIC_SECURE_COOKIES=0 $(BIN)/flask db upgrade

demo: migrate
	CIVIC_SECURE_COOKIES=0 $(BIN)/flask seed demo --if-empty

run: demo
	@echo
	@echo "Civic is starting on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo "Demo accounts (password: civic-demo-2026):"
	@echo "  admin@demo.civic.kz       administrator"
	@echo "  moderator@demo.civic.kz   moderator (Almaty)"
	@echo "  official@demo.civic.kz    official, Almaty city akimat"
	@echo "  energy@demo.civic.kz      official, Almaty energy department"
	@echo "  inspector@demo.civic.kz   inspector, Almaty city akimat"
	@echo "  consultant@demo.civic.kz  advice bureau consultant"
	@echo "  supervisor@demo.civic.kz  advice bureau supervisor"
	@echo "  council1@demo.civic.kz    public council member (council1..council12; council1 chairs and council2 is"
	@echo "                            the secretary of the Almaty city public council)"
	@echo "  vko@demo.civic.kz         official, East Kazakhstan oblast akimat (initiatives and stakeholder maps)"
	@echo "  glubokoye@demo.civic.kz   official, Glubokoye district akimat (sends weak spots up to the oblast)"
	@echo "  hackathon@demo.civic.kz   organiser of the East Kazakhstan hackathons (one at pitching, one open for registration)"
	@echo "  hr@demo.civic.kz          akimat HR officer (the hackathons' talent pool)"
	@echo "  resident1@demo.civic.kz   resident (resident1..resident64, eight in each Almaty district; verified IIN,"
	@echo "                            except resident9, resident18, ... every 9th: email only, to try adding an IIN)"
	@echo
	CIVIC_SECURE_COOKIES=0 exec $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install-test
	$(BIN)/python -m pytest
	@if [ -n "$$CIVIC_TEST_POSTGRES_URL" ]; then \
		echo "=== the same suite on PostgreSQL ==="; \
		CIVIC_TEST_DB=postgres $(BIN)/python -m pytest; \
	else \
		echo "CIVIC_TEST_POSTGRES_URL is not set: the PostgreSQL pass was skipped."; \
	fi

bench: install-test
	@for script in bench/[!_]*.py; do echo "=== $$script"; $(BIN)/python $$script || exit 1; done

extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -k lazy_gettext \
		--ignore-dirs '.* __pycache__ node_modules' -o civic/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i civic/translations/messages.pot -d civic/translations

lint: install-test
	$(BIN)/ruff check civic tests bench migrations wsgi.py
	$(BIN)/ruff format --check civic tests bench migrations wsgi.py
	$(BIN)/bandit -q -c pyproject.toml -r civic wsgi.py
	$(BIN)/pip-audit --progress-spinner off --skip-editable  # needs the network: only here, never in `make test`

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
