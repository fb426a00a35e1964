# Linli (邻里). `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: run test lint test-py test-faults test-miniprogram bench bench-data install clean

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

FAST := -m "not (faults and slow)"

test-py: $(VENV)/.installed-test
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest $(FAST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $${TEST_DATABASE_URL%%\?*}"; \
		$(VENV)/bin/pytest $(FAST); \
	fi

## test-faults: every fault test (database kills and outages, WeChat failures, two
## schedulers) and the API fuzz at 100 examples per operation, on MariaDB: TEST_DATABASE_URL, or a fresh database on 127.0.0.1
test-faults: $(VENV)/.installed-test
	@url="$$TEST_DATABASE_URL"; made=; \
	if [ -z "$$url" ]; then \
		url="$$(scripts/mariadb-test-db linli_faults)" || exit 1; made=1; \
	fi; \
	db="$${url##*/}"; db="$${db%%\?*}"; \
	if [ -n "$$made" ]; then trap 'scripts/mariadb-test-db --drop "$$db"' EXIT INT TERM; fi; \
	TEST_DATABASE_URL="$$url" $(VENV)/bin/pytest -m faults -p no:cacheprovider; rc=$$?; \
	echo "== the API fuzz, 100 examples per operation and role"; \
	TEST_DATABASE_URL="$$url" FUZZ_EXAMPLES=100 $(VENV)/bin/pytest -p no:cacheprovider \
		tests/test_api_fuzz.py || rc=1; \
	exit $$rc

test-miniprogram:
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/miniprogram && npm ci --no-audit --no-fund --loglevel=error && npx jest --ci; \
	else \
		echo "npm not found: skipping the mini-program tests"; \
	fi

## bench-data: the district (300 compounds, 100,000 households, 1,000,000 issues,
## 1,200,000 bills) in BENCH_DATABASE_URL (default: database linli_bench on 127.0.0.1)
BENCH_DATABASE_URL ?= mysql+pymysql://root@127.0.0.1:3306/linli_bench?charset=utf8mb4
# The district is ~3 GB: the bench grows MariaDB's buffer pool to hold it.
BENCH_ARGS ?= --buffer-pool-mb 4096

bench-data: $(VENV)/.installed
	@case "$(BENCH_DATABASE_URL)" in mysql*127.0.0.1*) db="$(BENCH_DATABASE_URL)"; \
		db="$${db##*/}"; scripts/mariadb-test-db "$${db%%\?*}" --keep-name >/dev/null;; esac
	$(PY) -m scripts.bench.data --database-url "$(BENCH_DATABASE_URL)" $(BENCH_DATA_ARGS)

## bench: gunicorn + wrk on loopback, each endpoint as a ratio to a bare Flask app
$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -e ".[bench]"
	touch $@

bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -q wrk >/dev/null; } || true
	$(PY) -m scripts.bench.run --database-url "$(BENCH_DATABASE_URL)" $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3* tests/miniprogram/node_modules .pytest_cache .ruff_cache
