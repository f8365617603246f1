# Two commands for a newcomer: `make demo` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test lint bench clean

$(VENV)/.installed-dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(PIP) install torch==2.13.0
	touch $@

demo: $(VENV)/.installed-dev
	PY=$(PY) scripts/get-fashion-mnist.sh || true
	$(PY) examples/demo.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check src tests benchmarks examples

test: lint
	$(PY) -m pytest

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/kernels.py; status=$$?; $(PY) benchmarks/compare.py && exit $$status

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
