# MicroAPI monorepo tasks. Works on a machine that has only python3 and pip:
# uv is installed with pip when missing, and never downloads a Python.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

PACKAGES := microapi-router microapi-di microapi-middleware microapi-core microapi-contrib
# Resolved when used, so it sees a uv that `ensure-uv` just installed.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
SYNC = $(UV) sync --all-packages --frozen
RUN = $(UV) run --frozen --no-sync

.PHONY: help ensure-uv sync test lint typecheck contracts pytest fmt run build bench soak clean

help:
	@echo "make run    serve the example app on http://127.0.0.1:8000"
	@echo "make test   lint, type-check, import contracts and the test suite"
	@echo "make bench  benchmarks against raw ASGI and peer frameworks"
	@echo "make build  wheels and sdists of every package into dist/"
	@echo "make soak   100k-request soak test against a real uvicorn"
	@echo "make fmt | lint | clean"

ensure-uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet uv \
	  || python3 -m pip install --quiet --break-system-packages uv

sync: ensure-uv
	$(SYNC)

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: sync
	$(RUN) mypy

contracts: sync
	$(RUN) lint-imports

pytest: sync
	$(RUN) pytest

test: lint typecheck contracts pytest

fmt: sync
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

run: sync
	$(RUN) uvicorn examples.app:app --host 127.0.0.1 --port 8000 --loop uvloop --http httptools

build: ensure-uv
	rm -rf dist
	@for p in $(PACKAGES); do $(UV) build --package $$p --out-dir dist || exit 1; done
	@ls dist

# In-process benchmarks (benchmarks/*.py), then the end-to-end one under uvicorn and wrk.
bench: ensure-uv
	$(SYNC) --group bench
	@for b in $(filter-out benchmarks/soak.py benchmarks/compare.py,$(wildcard benchmarks/*.py)); do \
	  echo "== $$b"; $(RUN) python $$b || exit 1; done
	@if [ -f benchmarks/e2e/run.py ]; then echo "== benchmarks/e2e"; $(RUN) python benchmarks/e2e/run.py; fi

# At least 100,000 requests against a real uvicorn; reports errors, leaks and memory growth.
soak: sync
	$(RUN) python benchmarks/soak.py

clean:
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
