# Dossier: `make run` serves the archive on http://127.0.0.1:8000, `make test` runs the tests.
# Each target sets up what it needs (.venv, pinned requirements, database, index) itself.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
N ?= 20000

.PHONY: run setup test lint bench clean

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

run: setup
	@echo "Dossier is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: $(VENV)/.dev
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

# The benchmark (bench/README.md): builds a synthetic archive of N articles through the import
# path (cached in bench/cache/), measures it, and writes bench/results/latest-N$(N).{json,md}.
bench: $(VENV)/.runtime
	$(PY) -m bench.run --n $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
