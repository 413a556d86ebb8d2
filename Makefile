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

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Open http://127.0.0.1:8000/  (API: /api/, schema: /api/schema/, admin: /admin/)"
	@echo "  Logins: rewadee (drafter), anchana, thatsanee, worawit (acting ปลัดเทศบาล), phichet (mayor), admin"
	@echo "  Password for all: klongphon-demo     Emails are written to var/outbox/.  Ctrl-C stops everything."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/celery -A config worker -B -s var/beat-schedule -Q documents,mail,celery --pool=solo -l warning & \
	  DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/ruff check .
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  SECRET_KEY="$${SECRET_KEY:-make-test-only-key-never-used-in-production-0123456789}" \
	  $(BIN)/python -m pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

samples: $(STAMP)
	mkdir -p var/samples
	for f in examples/*.json; do \
	  $(BIN)/python manage.py render_document $$f -o var/samples/$$(basename $$f .json).pdf || exit 1; \
	done

# Thai and English catalogues (locale/*): extract our strings, then compile. viewflow's strings
# are translated to Thai in locale/th too (viewflow ships no Thai).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l th -l en --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	$(BIN)/python manage.py compilemessages --ignore='.venv/*'
