# The one set of commands that README, CI and people use. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# The workspace's parts, each a package with its own pyproject.toml, installed editable: no
# import path is set by hand anywhere.
PARTS := signin-core auth-service graph-service emulator examples/demo-app dev

.PHONY: help check-prerequisites install install-runtime lint check-containers test-containers test test-fast bench dev up k8s-render clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

# What the system must provide (Python >= 3.11 with venv, nginx, redis-server; for the tests
# Chromium too), checked before anything is installed: FOR=dev (make dev, make install-runtime)
# or FOR=test (make test, make test-fast: Chromium too; make lint and make install need only
# what dev needs). SBIN_PATH: searched besides PATH.
FOR ?= dev
SBIN_PATH ?= /usr/sbin:/usr/local/sbin:/sbin
test test-fast test-containers: FOR = test

check-prerequisites: ## Say what make dev (FOR=test: make test) needs and is missing, and how to get it
	@PYTHON='$(PYTHON)' SBIN_PATH='$(SBIN_PATH)' tools/check-prerequisites $(FOR)

$(VENV)/.runtime: $(addsuffix /pyproject.toml,$(PARTS)) | check-prerequisites
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# compat: each part's folder on the path (a .pth file), which mypy can follow too
	$(PY) -m pip install --quiet --config-settings editable_mode=compat $(addprefix -e ./,$(PARTS))
	touch $@

$(VENV)/.development: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install-runtime: $(VENV)/.runtime ## The virtualenv with what running needs, nothing more (make dev)

install: $(VENV)/.development ## The virtualenv with every part, test and lint tool

lint: install ## ruff, mypy and actionlint (the release workflow)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy -p signin_core -p auth_service -p graph_service -p demo_app -p native_stack -p benchmarks
	$(VENV)/bin/actionlint

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

dev: install-runtime ## Run the stack natively at http://localhost:5000 with the emulator (ARGS=--tls for https)
	$(PY) -m native_stack $(ARGS)

up: ## Run the stack in containers (needs a Docker engine)
	docker compose up --build

OVERLAY ?= production
k8s-render: install ## Print a Kubernetes overlay's manifests (OVERLAY=production), naming missing secret files
	@$(PY) tools/render_kubernetes.py deploy/kubernetes/overlays/$(OVERLAY) $(VENV)/bin/kubectl

clean: ## Remove the virtualenv and run files
	rm -rf $(VENV) .dev-stack test-artifacts
