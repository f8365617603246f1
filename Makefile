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

# The suite in TEST_WORKERS processes (pytest-xdist, dev extra): one process keeps about 1.2
# of 2 cores busy, most tests being single-threaded Python. An idle worker takes tests queued
# for the other (worksteal): the slow example tests come last. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2

test: lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal -rs

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/kernels.py; status=$$?; $(PY) benchmarks/compare.py && exit $$status

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
