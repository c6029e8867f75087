# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test templates samples bench clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/qms demo

test: $(VENV)/.installed
	$(PY) -m mypy qmsdocs
	$(PY) -m pytest

# Rebuild the shipped templates and sample workbooks from their scripts.
templates: $(VENV)/.installed
	$(PY) -m tools.templates
	$(PY) -m qmsdocs.prepared --write

samples: $(VENV)/.installed
	$(PY) -m tools.samples

# The benchmark against its budgets (docs/performance.md); `$(PY) bench/run.py --quick` for a quick look.
bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis qms-demo-*
