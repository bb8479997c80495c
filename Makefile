# Everything a new machine needs: python3 (>= 3.11) with venv, and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := plugins/lombardia_2014 plugins/lombardia_2020 examples/plugins/cofinancing

.PHONY: demo test lint typecheck pytest docs bench fuzz-deep mutation catalogues charts clean

$(STAMP): pyproject.toml requirements-dev.txt $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e '.[chart,fast]' $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

## demo: the main job, the 2020-2023 allocation among the 8 ATS, explained for one ATS
demo: $(STAMP)
	$(BIN)/conciliazione allocate lombardia-2020 --explain ATS-MONTAGNA

## test: lint, type-check, the whole test suite (core and plugins) and the docs build
test: $(STAMP) lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check src tests bench plugins examples
	$(BIN)/ruff format --check src tests bench plugins examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict src plugins/lombardia_2014/src plugins/lombardia_2020/src examples/plugins/cofinancing/src

pytest: $(STAMP)
	$(BIN)/pytest -q

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/bench_allocation.py
	$(BIN)/python bench/bench_core.py

## charts: draw the allocation charts the docs embed (docs/img/lombardia-2020.svg, -2014.svg)
charts: $(STAMP)
	$(BIN)/python bench/make_charts.py

## catalogues: extract the messages of src/ and plugins/, update the Italian catalogue, compile it
LOCALE := src/conciliazione_core/locale
PO := $(LOCALE)/it/LC_MESSAGES/conciliazione.po
catalogues: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 \
	    --add-comments=TRANSLATORS: --add-location=file --sort-by-file --no-wrap \
	    --project=conciliazione-core --copyright-holder="conciliazione-core developers" \
	    -o $(LOCALE)/conciliazione.pot src plugins
	test -f $(PO) || $(BIN)/pybabel init -i $(LOCALE)/conciliazione.pot -d $(LOCALE) \
	    -D conciliazione -l it --no-wrap
	$(BIN)/pybabel update -i $(LOCALE)/conciliazione.pot -d $(LOCALE) -D conciliazione -l it \
	    --ignore-pot-creation-date --ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d $(LOCALE) -D conciliazione -l it --statistics

## fuzz-deep: the fuzz tests with 100,000 inputs per loader (long; counts go in docs/robustness.md)
fuzz-deep: $(STAMP)
	$(BIN)/python bench/fuzz_deep.py --jobs 2 --json .hypothesis/fuzz-deep.json

## mutation: mutation testing of rules.py and allocation/ (long; score in docs/robustness.md)
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet "mutmut>=3.8,<4"
	BIN=$(BIN) bash bench/mutation.sh

clean:
	rm -rf $(VENV) site build dist .mypy_cache .ruff_cache .hypothesis
