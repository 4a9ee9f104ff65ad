# Dossier: `make run` serves the archive on http://127.0.0.1:8000, `make test` runs the tests.
# Each target sets up what it needs (.venv, pinned requirements, database, index) itself.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
N ?= 20000

.PHONY: run dev setup test test-postgres lint bench clean

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Dossier needs $(PYTHON) (set PYTHON=... to use another)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py setup_roles
	$(PY) manage.py update_index
	$(PY) manage.py load_sample
	$(PY) manage.py load_places --retag
	$(PY) manage.py update_index
	$(PY) manage.py create_admin --site http://$(HOST):$(PORT)

# Production server: gunicorn (config/gunicorn.conf.py: WEB_CONCURRENCY workers, WEB_THREADS
# threads) with static files compressed and cache-busted by WhiteNoise.
# The job worker (manage.py run_worker: re-tagging, index updates, uploaded imports) runs beside
# the server; one Ctrl-C stops both.
run: setup
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Dossier is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py run_worker & worker=$$!; \
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn config.wsgi --config config/gunicorn.conf.py

# Development: Django's autoreloading server, DEBUG on.
dev: setup
	@trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true $(PY) manage.py run_worker & worker=$$!; \
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on the database DATABASE_URL names (SQLite in a throwaway folder when unset).
test: $(VENV)/.dev
	$(PY) -m pytest

# The whole suite again on PostgreSQL (CI runs both).
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
test-postgres: $(VENV)/.dev
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

# The benchmark (bench/README.md): builds a synthetic archive of N articles through the import
# path (cached in bench/cache/), measures it, and writes bench/results/latest-N$(N).{json,md}.
bench: $(VENV)/.runtime
	$(PY) -m bench.run --n $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
