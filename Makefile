# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DEBUG=1

.PHONY: run test lint bench bench-smoke bench-live bench-accounts cluster cluster-stop load load-curve test-sqlite test-postgres postman install install-dev migrate schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

## Serve the API on http://127.0.0.1:8000 with SQLite, local media and demo data.
run: migrate
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## Lint, then run the whole suite on SQLite, then on a throwaway PostgreSQL 15 server (with the
## schemathesis fuzzing and the race tests against gunicorn), then the Postman collection.
test: lint test-sqlite test-postgres postman bench-smoke

## ruff over the whole tree, and mypy (django-stubs, djangorestframework-stubs) over the services
## (configuration of both in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(RUN_ENV) $(BIN)/mypy

test-sqlite: install-dev node_modules/.installed
	scripts/ensure-debian-packages.sh chromium nginx redis-server
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL $(BIN)/python -m pytest

test-postgres: install-dev node_modules/.installed
	scripts/ensure-debian-packages.sh chromium nginx redis-server
	@echo "=== test suite on PostgreSQL ==="
	scripts/with-postgres.sh $(BIN)/python -m pytest

## Regenerate the committed OpenAPI schema (a test fails while it is stale).
schema: install
	$(RUN_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yml

## Run the Postman collection with newman against gunicorn on a fresh PostgreSQL database.
postman: install-dev node_modules/.installed
	scripts/with-postgres.sh scripts/run-postman.sh

## Benchmark the API against its ceiling on a community-sized dataset (bench/run.py): a table of
## req/s, p50/p99, SQL per request and bytes, as ratios to the baseline views. The PostgreSQL
## cluster and its dataset are kept in bench/.pgdata and reused by the next run.
BENCH_PG := -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=16MB -c max_connections=200
bench: install-dev
	scripts/ensure-debian-packages.sh wrk
	PG_KEEP_DIR=bench/.pgdata PG_SERVER_OPTIONS="$(BENCH_PG)" scripts/with-postgres.sh $(BIN)/python bench/run.py

## The same benchmarks on tiny datasets with one-second runs: part of make test, so they cannot rot.
bench-smoke: install-dev
	scripts/ensure-debian-packages.sh wrk nginx redis-server
	scripts/with-postgres.sh $(BIN)/python bench/run.py --smoke
	scripts/with-postgres.sh $(BIN)/python bench/accounts.py --smoke
	scripts/with-postgres.sh $(BIN)/python bench/load.py --smoke

## What a large account costs (bench/accounts.py): the export's peak memory and time for 10,000
## posts and 50,000 messages, its deletion, and password reset timings against a slow SMTP server.
bench-accounts: install-dev
	scripts/with-postgres.sh $(BIN)/python bench/accounts.py

## Benchmark the live features (a benchmark, not a test: figures, not pass/fail): delivery latency
## across two processes via Redis, 1,000 idle sockets, and ASGI against WSGI on GET /posts/.
bench-live: install-dev
	scripts/ensure-debian-packages.sh redis-server wrk
	scripts/with-postgres.sh $(BIN)/python bench/live.py

## The API scaled out on this machine (testing/cluster.py): nginx in front of 3 `web` and 2 `live`
## processes as the Procfile runs them, a PostgreSQL primary and its streaming replica, Redis, demo
## data. Prints the URL; Ctrl-C or `make cluster-stop` stops every part. CLUSTER_WEB, CLUSTER_LIVE,
## CLUSTER_WEB_WORKERS and CLUSTER_PORT (8080) change its shape.
cluster: install-dev
	scripts/ensure-debian-packages.sh nginx redis-server
	scripts/with-postgres.sh $(BIN)/python -m testing.cluster

## The cluster under load (bench/load.py, locust): 200 users for 5 minutes through nginx (3 web and
## 2 live processes), every process restarted one by one and two killed meanwhile; p50/p95/p99 and
## req/s per endpoint, and a verdict: no failed request but those in flight in a killed process, no lost
## write, no half-done write, no socket message lost or pushed twice. About 7 minutes.
load: install-dev
	scripts/ensure-debian-packages.sh nginx redis-server
	scripts/with-postgres.sh $(BIN)/python bench/load.py

## The same mix, no restarts, at 1, 2 and 3 web processes: the curve of docs/SCALING.md (~20 minutes).
load-curve: install-dev
	scripts/ensure-debian-packages.sh nginx redis-server
	scripts/with-postgres.sh $(BIN)/python bench/load.py --curve

cluster-stop:
	@pid_file=$${TMPDIR:-/tmp}/drf_api-cluster/cluster.pid; \
	if [ -f $$pid_file ]; then kill -TERM $$(cat $$pid_file) && echo "stopping the cluster"; \
	else echo "no cluster is running"; fi

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
