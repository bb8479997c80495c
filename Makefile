# Everything a new machine needs: python3 (>= 3.11) with venv, and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := plugins/lombardia_2014 plugins/lombardia_2020

.PHONY: demo test lint typecheck pytest docs bench fuzz-deep mutation catalogues clean

$(STAMP): pyproject.toml requirements-dev.txt $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e . $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

## demo: the main job, the 2020-2023 allocation among the 8 ATS, explained for one ATS
demo: $(STAMP)
	$(BIN)/conciliazione allocate lombardia-2020 --explain ATS-MONTAGNA

## test: lint, type-check, the whole test suite (core and plugins) and the docs build
test: $(STAMP) lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check src tests bench plugins
	$(BIN)/ruff format --check src tests bench plugins

typecheck: $(STAMP)
	$(BIN)/mypy --strict src plugins/lombardia_2014/src plugins/lombardia_2020/src

pytest: $(STAMP)
	$(BIN)/pytest -q

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir site

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/bench_allocation.py
	$(BIN)/python bench/bench_core.py

clean:
	rm -rf $(VENV) site build dist .mypy_cache .ruff_cache .hypothesis
