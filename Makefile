# Everything a new machine needs: python3 (>= 3.11) with venv, and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := plugins/lombardia_2014 plugins/lombardia_2017 plugins/lombardia_2020 plugins/lombardia_2025 examples/plugins/cofinancing
EDITABLES := -e . $(foreach p,$(PLUGINS),-e $(p))
# uv installs the pinned tools in seconds; where it cannot be had, pip installs the same pins.
UV_VERSION := 0.13.9
LOCK := requirements-dev.lock
LOWEST_LOCK := requirements-lowest.lock

.PHONY: demo test lint typecheck pytest docs bench fuzz-deep mutation catalogues charts clean \
	lock test-latest test-lowest test-dist plugin-catalogues serve

# install VENV LOCK: a virtual environment with the locked tools and the project, editable.
# Our own packages build without isolation, with the locked setuptools: no unpinned download.
define install
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	    || echo "uv could not be installed: installing with pip (slower)"
	if [ -x $(1)/bin/uv ]; then \
	    $(1)/bin/uv pip install --quiet --python $(1)/bin/python -r $(2) && \
	    $(1)/bin/uv pip install --quiet --python $(1)/bin/python --no-deps --no-build-isolation $(EDITABLES); \
	else \
	    $(1)/bin/python -m pip install --quiet --disable-pip-version-check -r $(2) && \
	    $(1)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation $(EDITABLES); \
	fi
endef

$(STAMP): pyproject.toml $(LOCK) $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	$(call install,$(VENV),$(LOCK))
	touch $(STAMP)

## demo: the main job, the 2020-2023 allocation among the 8 ATS, explained for one ATS
demo: $(STAMP)
	$(BIN)/conciliazione allocate lombardia-2020 --explain ATS-MONTAGNA

## serve: the HTTP API on http://127.0.0.1:8000 (docs/http.md); SERVE_ARGS="--port 8080" to change
serve: $(STAMP)
	$(BIN)/conciliazione serve $(SERVE_ARGS)

## test: lint, type-check, the whole test suite (core and plugins) and the docs build
test: $(STAMP) lint typecheck pytest docs

## lock: recompile requirements-dev.lock (newest tools) and requirements-lowest.lock (declared minima)
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	.venv-lock/bin/uv pip compile --quiet --universal --python-version 3.11 \
	    requirements-dev.txt pyproject.toml --all-extras -o $(LOCK)
	.venv-lock/bin/uv pip compile --quiet --python-version 3.11 --resolution lowest-direct \
	    pyproject.toml --all-extras -o $(LOWEST_LOCK)

## test-lowest: the suite with the lowest versions pyproject.toml declares (attrs, cattrs, pluggy,
## click, tomli-w and every extra), the tools as locked; run by CI after `make test`
test-lowest:
	rm -rf .venv-lowest
	$(call install,.venv-lowest,$(LOCK))
	.venv-lowest/bin/uv pip install --quiet --python .venv-lowest/bin/python -r $(LOWEST_LOCK) \
	    || .venv-lowest/bin/python -m pip install --quiet -r $(LOWEST_LOCK)
	.venv-lowest/bin/python -m pip freeze --exclude-editable | grep -iE '^(attrs|cattrs|pluggy|click|tomli.w|numpy|matplotlib|pytest|hypothesis|starlette|uvicorn)=='
	.venv-lowest/bin/pytest -q

## test-dist: the wheels as a user installs them: build the core and both plugins, install the
## wheels with the [testing] extra in a clean venv, run the conformance kit from an unrelated folder
test-dist: $(STAMP)
	rm -rf dist .venv-dist
	for p in . $(PLUGINS); do $(BIN)/python -m build --no-isolation --outdir dist $$p >/dev/null || exit 1; done
	$(PYTHON) -m venv .venv-dist
	wheels="$$(ls dist/conciliazione_core-*.whl)[testing] $$(ls dist/conciliazione_lombardia_*.whl)"; \
	$(BIN)/uv pip install --quiet --python .venv-dist/bin/python -c $(LOCK) $$wheels \
	    || .venv-dist/bin/python -m pip install --quiet -c $(LOCK) $$wheels
	cd "$$(mktemp -d)" && $(CURDIR)/.venv-dist/bin/pytest -q -p no:cacheprovider \
	    --conciliazione-cycle lombardia-2020 --conciliazione-cycle lombardia-2014 \
	    --conciliazione-cycle lombardia-2025

## test-latest: the suite with the newest release of everything (not run by CI: breakage news)
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -r requirements-dev.txt
	.venv-latest/bin/python -m pip install --quiet --upgrade -e '.[chart,fast,server,testing,xlsx]' $(foreach p,$(PLUGINS),-e $(p))
	.venv-latest/bin/ruff check src tests bench plugins examples data-raw
	.venv-latest/bin/mypy --strict src $(foreach p,$(PLUGINS),$(p)/src)
	.venv-latest/bin/pytest -q
	NO_MKDOCS_2_WARNING=1 .venv-latest/bin/mkdocs build --strict --quiet --site-dir site-latest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench plugins examples data-raw
	$(BIN)/ruff format --check src tests bench plugins examples data-raw

typecheck: $(STAMP)
	$(BIN)/mypy --strict src $(foreach p,$(PLUGINS),$(p)/src)

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

## catalogues: extract the messages of src/ and plugins/, update the Italian catalogue, compile it;
## then the plugins' own catalogues (plugin-catalogues)
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
	$(MAKE) --no-print-directory plugin-catalogues

## plugin-catalogues: each plugin that ships its own catalogue (src/PKG/locale/DOMAIN.pot): extract
## its messages (markers _, N_ and _t), update its Italian catalogue, compile it
plugin-catalogues: $(STAMP)
	for pot in $(wildcard plugins/*/src/*/locale/*.pot examples/plugins/*/src/*/locale/*.pot); do \
	    locale=$$(dirname $$pot); domain=$$(basename $$pot .pot); pkg=$$(dirname $$locale); \
	    $(BIN)/pybabel extract --no-default-keywords -k _ -k N_ -k _t --add-location=file \
	        --sort-by-file --no-wrap -o $$pot $$pkg || exit 1; \
	    $(BIN)/pybabel update -i $$pot -d $$locale -D $$domain -l it --ignore-pot-creation-date \
	        --ignore-obsolete --no-wrap || exit 1; \
	    $(BIN)/pybabel compile -d $$locale -D $$domain -l it --statistics || exit 1; \
	done

## fuzz-deep: the fuzz tests with 100,000 inputs per loader (long; counts go in docs/robustness.md)
fuzz-deep: $(STAMP)
	$(BIN)/python bench/fuzz_deep.py --jobs 2 --json .hypothesis/fuzz-deep.json

## mutation: mutation testing of rules.py and allocation/ (long; score in docs/robustness.md)
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet "mutmut>=3.8,<4"
	BIN=$(BIN) bash bench/mutation.sh

clean:
	rm -rf $(VENV) .venv-lowest .venv-latest .venv-lock .venv-dist site site-latest build dist .mypy_cache .ruff_cache .hypothesis
