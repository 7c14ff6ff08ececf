# Every target installs what it needs into .venv first, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` from PATH, so the venv's bin/ must come first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install demo test test-fast lab release bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## release, sample class, autograde, feedback, report
	$(PY) -m grader demo

test: $(STAMP)  ## the whole suite, notebooks and grading pipeline included
	$(PY) -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)  ## unit tests only
	$(PY) -m pytest -m "not slow"

lab: $(STAMP)  ## JupyterLab on the student notebooks
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) lessons/

release: $(STAMP)  ## regenerate lessons/ from solutions/
	$(PY) -m grader release

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) course build .pytest_cache
