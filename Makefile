# Mutasi: every target sets up .venv itself; `make help` lists them.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export MUTASI_HOME ?= $(CURDIR)/var
DEMO_DATA := $(MUTASI_HOME)/demo-data
DEMO_EMPLOYEES ?= 3000
DEMO_SEED ?= 7
DEMO_BUDGET ?= 60
HOST ?= 127.0.0.1
PORT ?= 8000
MLFLOW_PORT ?= 5000
MLFLOW_TRACKING_URI ?= sqlite:///$(MUTASI_HOME)/mlflow.db
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help setup postgres browser check lint format typecheck test test-unit test-slow demo demo-data train serve mlflow bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project with its pinned dependencies

postgres: ## Debian's PostgreSQL server for the database tests (apt-get only when missing)
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; else \
		apt-get update && apt-get install -y postgresql; fi

browser: ## Debian's chromium for the console's browser tests (apt-get, only when missing)
	@test -x $(CHROMIUM) || (apt-get update && apt-get install -y chromium)

lint: setup ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## Apply ruff formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup ## mypy on every package (models, pipelines, serving, simulator, cli)
	$(BIN)/mypy

check: lint typecheck ## Lint and type-check

test: check postgres browser ## Lint, type-check and run the test suite (unit + integration)
	$(BIN)/pytest -m "not slow" -q

test-unit: setup ## Unit tests only (fast)
	$(BIN)/pytest -m "not slow and not integration" -q

test-slow: setup ## The slow tier (larger demo worlds)
	$(BIN)/pytest -m slow -q

demo-data: setup ## Generate the demo agency into $(DEMO_DATA)
	$(BIN)/mutasi demo-data $(DEMO_DATA) --employees $(DEMO_EMPLOYEES) --seed $(DEMO_SEED)

train: demo-data ## Ingest the demo agency and train, evaluate, register, promote
	$(BIN)/mutasi train --data $(DEMO_DATA) --budget $(DEMO_BUDGET)

demo: train ## The main job: demo data, training, then the service on $(HOST):$(PORT)
	$(BIN)/mutasi demo-serve --host $(HOST) --port $(PORT)

serve: setup ## Serve the current champion and snapshot on $(HOST):$(PORT)
	$(BIN)/mutasi serve --host $(HOST) --port $(PORT)

mlflow: setup ## MLflow UI on this data home's store (runs, versions, plots) at $(HOST):$(MLFLOW_PORT)
	$(BIN)/mlflow ui --backend-store-uri "$(MLFLOW_TRACKING_URI)" --host $(HOST) --port $(MLFLOW_PORT) --workers 1

bench: setup ## Run the benchmarks in bench/ (figures go to bench/README.md by hand)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/train.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/plan.py

clean: ## Remove the virtualenv and the data home
	rm -rf $(VENV) var
