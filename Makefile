# Linli (邻里). `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: run test lint test-py test-miniprogram install clean

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e ".[test]"
	touch $@

install: $(VENV)/.installed

## run: migrate, load the demo compound, start API + WeChat sandbox + scheduler (Ctrl-C stops)
run: $(VENV)/.installed
	$(PY) scripts/dev.py

## test: lint, the Python suite on SQLite (and on MySQL/MariaDB when TEST_DATABASE_URL is set),
## and the mini-program's jest tests when npm is installed
test: lint test-py test-miniprogram

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-py: $(VENV)/.installed-test
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $${TEST_DATABASE_URL%%\?*}"; \
		$(VENV)/bin/pytest; \
	fi

test-miniprogram:
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/miniprogram && npm ci --no-audit --no-fund --loglevel=error && npx jest --ci; \
	else \
		echo "npm not found: skipping the mini-program tests"; \
	fi

clean:
	rm -rf $(VENV) instance/*.sqlite3* tests/miniprogram/node_modules .pytest_cache .ruff_cache
