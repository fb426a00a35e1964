# Linli (邻里). `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: run reset test lint test-py test-py-sqlite test-py-mariadb test-clock test-faults \
	test-miniprogram test-browser test-setup faketime chromium bench bench-data install mysqlclient clean

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@$(MAKE) --no-print-directory mysqlclient
	touch $@

# mysqlclient, the MySQL/MariaDB driver in C (a plain mysql:// URL uses it when it imports),
# builds against Debian's libmariadb-dev (installed here when run as root); without it,
# or if it does not build, PyMySQL (always installed) is the driver: never a failure.
mysqlclient:
	@pkg-config --exists mariadb 2>/dev/null || { [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null \
		&& apt-get install -y -q libmariadb-dev pkg-config >/dev/null 2>&1; } || true
	@if pkg-config --exists mariadb 2>/dev/null; then \
		$(PIP) install -q -e ".[mysql]" \
		|| echo "mysqlclient did not build: PyMySQL stays the MySQL/MariaDB driver"; \
	else \
		echo "no libmariadb-dev: PyMySQL is the MySQL/MariaDB driver" \
			"(apt-get install libmariadb-dev pkg-config, then make mysqlclient)"; \
	fi

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e ".[test]"
	touch $@

install: $(VENV)/.installed

## run: migrate, load the demo compound, start API + WeChat sandbox + scheduler (Ctrl-C stops)
run: $(VENV)/.installed
	$(PY) scripts/dev.py

## reset: start over: deletes the development database (SQLite under instance/; a MySQL one
## only after you type its name), the uploaded photos and instance/dev.env; keeps .venv and
## node_modules. Refuses while make run is running. Then `make run` loads a fresh demo.
reset: $(VENV)/.installed
	$(PY) scripts/reset.py

## test: lint, the Python suite on SQLite (and on MySQL/MariaDB when TEST_DATABASE_URL is set),
## the mini-program's jest tests, the desk (电脑端) in a real Chromium (test-browser), then the fast suite and jest again with the clock a year and
## five years ahead (test-clock). Every part runs; the command fails at the end if any failed.
## TEST_JOBS parts run at once (2: the SQLite and MariaDB runs side by side); each part's
## output is shown whole when it ends, with its time. TEST_JOBS=1: one part after another.
TEST_PARTS ?= lint test-py-sqlite test-py-mariadb test-miniprogram test-browser test-clock
TEST_JOBS ?= 2
TEST_LABEL ?= make test

# What the parts install on first use, made once before they start side by side (two
# pip or npm installs at once would trip over each other).
NPM := $(shell command -v npm 2>/dev/null)
NODE_MODULES := tests/miniprogram/node_modules/.installed
TEST_SETUP = $(if $(filter lint test-py% test-clock clock-py-%,$(TEST_PARTS)),$(VENV)/.installed-test) \
	$(if $(NPM),$(if $(filter test-miniprogram test-clock clock-jest-%,$(TEST_PARTS)),$(NODE_MODULES))) \
	$(if $(filter test-clock clock-jest-%,$(TEST_PARTS)),faketime) \
	$(if $(filter test-browser,$(TEST_PARTS)),chromium)

# Inside another make -j (test-clock within make test), its job slots are shared, not added to.
TEST_JOBS_FLAG = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(TEST_JOBS))

test:
	@$(MAKE) --no-print-directory -k test-setup || true; \
	logs="$$(mktemp -d "$${TMPDIR:-/tmp}/linli-test.XXXXXX")" || exit 1; \
	trap 'rm -rf "$$logs"' EXIT; trap 'exit 130' INT TERM; \
	started=$$(date +%s); rc=0; \
	$(MAKE) --no-print-directory -k $(TEST_JOBS_FLAG) TEST_LOGS="$$logs" \
		$(addprefix test-part-,$(TEST_PARTS)) || rc=$$?; \
	failed=; for part in $(TEST_PARTS); do \
		[ -e "$$logs/$$part.passed" ] || failed="$$failed $$part"; \
	done; \
	took="in $$(( $$(date +%s) - started )) s"; \
	if [ -n "$$failed" ] || [ "$$rc" != 0 ]; then \
		echo "== $(TEST_LABEL) FAILED:$${failed:- (make exited $$rc)} ($$took)"; exit 1; \
	fi; \
	echo "== $(TEST_LABEL): every part passed ($(TEST_PARTS)) $$took"

test-setup: $(TEST_SETUP)
	@:

# One part of make test, its output kept in TEST_LOGS and printed (one part at a time)
# when it ends.
test-part-%:
	@[ -n "$(TEST_LOGS)" ] || { echo "make test runs test-part-$*: make test TEST_PARTS=$*"; exit 2; }
	@echo "== $* started"; \
	log="$(TEST_LOGS)/$*.log"; started=$$(date +%s); \
	if $(MAKE) --no-print-directory $* >"$$log" 2>&1; then result=passed; else result=FAILED; fi; \
	echo "== $* $$result in $$(( $$(date +%s) - started )) s" >>"$$log"; \
	if command -v flock >/dev/null; then flock "$(TEST_LOGS)" cat "$$log"; else cat "$$log"; fi; \
	[ "$$result" = passed ] && touch "$(TEST_LOGS)/$*.passed"

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

FAST := -m "not (faults and slow) and not browser"
# LINLI_CLOCK_SHIFT=365d moves the wall clock of every Python process of the run
# (tests/clock/sitecustomize.py, time-machine) and of jest (libfaketime).
ifneq ($(LINLI_CLOCK_SHIFT),)
PYCLOCK := PYTHONPATH=$(CURDIR)/tests/clock$${PYTHONPATH:+:$$PYTHONPATH}
JSCLOCK := faketime -f '+$(patsubst +%,%,$(LINLI_CLOCK_SHIFT))'
endif

test-py: test-py-sqlite test-py-mariadb

test-py-sqlite: $(VENV)/.installed-test
	@echo "== pytest on SQLite$(if $(LINLI_CLOCK_SHIFT), with the clock $(LINLI_CLOCK_SHIFT) ahead)"
	env -u TEST_DATABASE_URL $(PYCLOCK) $(VENV)/bin/pytest $(FAST) -p no:cacheprovider

test-py-mariadb: $(VENV)/.installed-test
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== pytest again on $${TEST_DATABASE_URL%%\?*}"; \
		$(PYCLOCK) $(VENV)/bin/pytest $(FAST) -p no:cacheprovider; \
	fi

## test-clock: the fast suite on SQLite and jest with the clock a year and five years ahead
## (without the tests marked slow: they wait on real time, not on dates; nor the route walks
## marked routes: tenancy and archived compounds, about routing, not dates)
CLOCK_SHIFTS ?= 365d 1826d

test-clock:
	@$(MAKE) --no-print-directory TEST_LABEL=test-clock \
		TEST_PARTS="$(foreach shift,$(CLOCK_SHIFTS),clock-py-$(shift) clock-jest-$(shift))" test

clock-py-%:
	@$(MAKE) --no-print-directory LINLI_CLOCK_SHIFT=$* \
		FAST='-m "not slow and not routes and not browser"' \
		test-py-sqlite

clock-jest-%:
	@$(MAKE) --no-print-directory LINLI_CLOCK_SHIFT=$* test-miniprogram

## test-browser: the desk (电脑端) in Debian's Chromium through Playwright, on SQLite (its own
## database file: it runs beside the MariaDB part); screenshots of each page it visits go to
## build/screenshots/ (CONSOLE_SCREENSHOTS overrides), the run's artifacts for review
test-browser: $(VENV)/.installed-test chromium
	@echo "== the desk in Chromium"
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest -m browser -p no:cacheprovider tests/browser

# Debian's Chromium, its Chinese words (chromium-l10n: a date field's 年/月/日) and the CJK
# fonts the desk's pages need (Playwright's own browser download needs the internet).
chromium:
	@{ command -v $${CHROMIUM_PATH:-chromium} >/dev/null && fc-list 2>/dev/null | grep -q "Noto Sans CJK" \
		&& { [ -n "$$CHROMIUM_PATH" ] || [ -e /usr/lib/chromium/locales/zh-CN.pak ]; }; } \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -q chromium chromium-l10n fonts-noto-cjk >/dev/null; } \
		|| { echo "chromium not found: apt-get install chromium chromium-l10n fonts-noto-cjk"; exit 1; }

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

# jest prints the mini-program's coverage, file by file (~4 s of CPU more), except with
# the clock shifted (test-clock runs it twice more: the same table again). npm ci runs
# only when node_modules is older than package-lock.json (or missing).
$(NODE_MODULES): tests/miniprogram/package-lock.json
	cd tests/miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-miniprogram: $(if $(NPM),$(NODE_MODULES)) $(if $(LINLI_CLOCK_SHIFT),faketime)
	@if [ -n "$(NPM)" ]; then \
		echo "== jest$(if $(LINLI_CLOCK_SHIFT), with the clock $(LINLI_CLOCK_SHIFT) ahead)"; \
		cd tests/miniprogram && $(JSCLOCK) npx jest --ci $(if $(LINLI_CLOCK_SHIFT),,--coverage); \
	else \
		echo "npm not found: skipping the mini-program tests"; \
	fi

# Debian's libfaketime moves jest's clock (Python's is moved by time-machine: under
# libfaketime its timed waits never fire).
faketime:
	@command -v faketime >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -q faketime >/dev/null; } \
		|| { echo "faketime not found: apt-get install faketime"; exit 1; }

## bench-data: the district (300 compounds, 100,000 households, 1,000,000 issues,
## 1,200,000 bills) in BENCH_DATABASE_URL (default: database linli_bench on 127.0.0.1)
# A plain mysql:// URL: mysqlclient when it is installed (make mysqlclient), else PyMySQL.
BENCH_DATABASE_URL ?= mysql://root@127.0.0.1:3306/linli_bench?charset=utf8mb4
# The district is ~3 GB: the bench grows MariaDB's buffer pool to hold it.
BENCH_ARGS ?= --buffer-pool-mb 4096

bench-data: $(VENV)/.installed
	@case "$(BENCH_DATABASE_URL)" in mysql*127.0.0.1*) db="$(BENCH_DATABASE_URL)"; \
		db="$${db##*/}"; scripts/mariadb-test-db "$${db%%\?*}" --keep-name >/dev/null;; esac
	$(PY) -m scripts.bench.data --database-url "$(BENCH_DATABASE_URL)" $(BENCH_DATA_ARGS)
	@# Checkpoints, as the nightly verify_ledger leaves them in production: without them a
	@# ledger page re-checks its compound's whole chain (55 ms of CPU instead of 2).
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(VENV)/bin/flask --app server ledger verify --full

## bench: gunicorn + wrk on loopback: each endpoint against its same-work and lean floors
## (hello as a reference), the compounds under load, the district operations
$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -e ".[bench]"
	touch $@

bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -q wrk >/dev/null; } || true
	$(PY) -m scripts.bench.run --database-url "$(BENCH_DATABASE_URL)" $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3* tests/miniprogram/node_modules .pytest_cache .ruff_cache
