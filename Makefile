# The one set of commands that README, CI and people use. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/auth-service:$(CURDIR)/graph-service:$(CURDIR)/demo-app
REQUIREMENTS := requirements-dev.txt signin_state/requirements.txt auth-service/requirements.txt \
                graph-service/requirements.txt emulator/pyproject.toml

.PHONY: help install lint check-containers test-containers test test-fast bench dev up clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: $(REQUIREMENTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create the virtualenv with every dependency

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy signin_state auth-service/auth_service graph-service/graph_service demo-app/demo_app native_stack benchmarks

check-containers: install ## Validate compose files, Dockerfiles and the rendered nginx config
	$(PY) -m pytest tests/containers -q

test-containers: install ## Build our images and test the stack under docker compose (needs a Docker engine)
	$(PY) -m pytest tests/container_stack

test: lint ## Everything CI runs: lint, then the whole suite (container checks included)
	$(PY) -m pytest

test-fast: install ## The test suite alone
	$(PY) -m pytest -x

bench: install ## The benchmark (prints a table)
	$(PY) -m benchmarks

dev: install ## Run the stack natively at http://localhost:5000 with the emulator (ARGS=--tls for https)
	$(PY) -m native_stack $(ARGS)

up: ## Run the stack in containers (needs a Docker engine)
	docker compose up --build

clean: ## Remove the virtualenv and run files
	rm -rf $(VENV) .dev-stack test-artifacts
