# The two commands: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: run test lint format bench translations catalogues clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## Set up, migrate, load demo data on an empty database, and serve on http://127.0.0.1:5000
run: $(VENV)/.runtime catalogues
	bash scripts/ensure-pango.sh
	$(BIN)/flask db upgrade
	$(BIN)/flask crm demo --if-empty
	@echo "CRM at http://127.0.0.1:5000 — demo logins: admin@example.com / demo (admin),"
	@echo "  olena@example.com, dmitry@example.com / demo (managers), viewer@example.com / demo (viewer)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## Set up and run the whole suite (browser tests included)
test: $(VENV)/.dev catalogues
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-pango.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Performance benchmark at 100,000 parties (numbers go into the README)
bench: $(VENV)/.dev catalogues
	$(BIN)/python bench/run.py

## Compile the translation catalogues (.po -> .mo); the .mo files are build output
catalogues: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d crm/translations -f

## Re-extract UI strings and update the ru/uk catalogues
translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k lazy_pgettext:1c,2 --no-location --sort-output -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d crm/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
