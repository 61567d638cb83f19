# keras_colorize — the two commands of the README, on a machine with only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TF_CPP_MIN_LOG_LEVEL ?= 3
# Core tests (color, layers, models, losses, metrics, data) run again on JAX.
JAX_TESTS ?= tests

.PHONY: demo test test-large benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	KERAS_BACKEND=tensorflow $(BIN)/python -m keras_colorize.demo

test: $(VENV)/.installed-dev
	KERAS_BACKEND=tensorflow $(BIN)/python -m pytest -q --durations=10
	KERAS_BACKEND=jax $(BIN)/python -m pytest -q --durations=10 -m "not large and not tensorflow_only" $(JAX_TESTS)

test-large: $(VENV)/.installed-dev
	KERAS_BACKEND=tensorflow $(BIN)/python -m pytest -q -m large

benchmark: $(VENV)/.installed-dev
	KERAS_BACKEND=tensorflow $(BIN)/python benchmarks/color_conversion.py

clean:
	rm -rf $(VENV) demo_output *.egg-info
