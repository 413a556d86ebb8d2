# Two commands for a new machine: `make run` (the product on embedded defaults) and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := config.settings
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/memo_approval
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint samples install messages

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# config/run.py: migrate, demo data, the worker and gunicorn; prints the URL once the server
# answers; Ctrl-C stops both. `make run PORT=8123` for another port.
PORT ?= 8000
run: $(STAMP)
	@$(BIN)/python -m config.run --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  SECRET_KEY="$${SECRET_KEY:-make-test-only-key-never-used-in-production-0123456789}" \
	  $(BIN)/python -m pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

# the tools below run Django without serving anything: a throw-away key is enough
TOOL_ENV := SECRET_KEY="$${SECRET_KEY:-make-tools-only-key}"

samples: $(STAMP)
	mkdir -p var/samples
	for f in examples/*.json; do \
	  $(TOOL_ENV) $(BIN)/python manage.py render_document $$f -o var/samples/$$(basename $$f .json).pdf || exit 1; \
	done

# Thai and English catalogues (locale/*): extract our strings, then compile. viewflow's strings
# are translated to Thai by hand in locale_vendor/th (viewflow ships no Thai), which this leaves alone.
messages: $(STAMP)
	$(TOOL_ENV) $(BIN)/python manage.py makemessages -l th -l en --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	$(TOOL_ENV) $(BIN)/python manage.py compilemessages --ignore='.venv/*'
