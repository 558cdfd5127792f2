# swingcast — two entry points on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export SWINGCAST_DATA_DIR ?= $(abspath ../shared/data)
OUT ?= demo-output

.PHONY: demo test lint bench clean venv

$(BIN)/swingcast: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $@

venv: $(BIN)/swingcast

demo: venv
	$(BIN)/swingcast demo --out $(OUT)

test: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 --durations=15

lint: venv
	$(BIN)/ruff check src tests benchmarks

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
