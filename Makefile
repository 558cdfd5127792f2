# swingcast — two entry points on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The shared data folder when there is one; without it the demo runs on the sample embedded
# in the package, and other files come from `swingcast fetch` (README, "Get the national data").
export SWINGCAST_DATA_DIR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
OUT ?= demo-output

.PHONY: demo test lint bench clean venv notebook

$(BIN)/swingcast: pyproject.toml
	@echo "swingcast: installing dependencies into $(VENV), first time only: about 4 minutes (measured on 2 cores; up to 14 with an empty pip cache on a busy machine)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $@
	@echo "swingcast: installed ($(BIN)/swingcast)"

venv: $(BIN)/swingcast

demo: venv
	@echo "swingcast: running the Paris demo (back-test, ranking, plan, maps, report; about 1 minute) -> $(OUT)/"
	$(BIN)/swingcast demo --out $(OUT)

test: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 --durations=15

lint: venv
	$(BIN)/ruff check src tests benchmarks

# JupyterLab (the optional extra `notebook`) into .venv, then open notebooks/;
# NOTEBOOK_ARGS=--no-browser on a machine without a display
NOTEBOOK_ARGS ?=
$(BIN)/jupyter-lab: pyproject.toml | venv
	$(BIN)/python -m pip install --quiet -e ".[dev,bench,notebook]"
	@touch $@

notebook: $(BIN)/jupyter-lab
	$(BIN)/jupyter-lab --notebook-dir=notebooks $(NOTEBOOK_ARGS)

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
