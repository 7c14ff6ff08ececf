# Every target installs what it needs into .venv first, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` from PATH, so the venv's bin/ must come first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install sandbox-tools cluster-tools browser-tools demo test test-browser test-fast lab release bench screenshots clean

install: $(STAMP) sandbox-tools

# Grading runs every kernel in bubblewrap; install it where we can (root on Debian/Ubuntu, as in CI).
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null; \
	  else echo "grading needs bubblewrap (bwrap): install it, e.g. sudo apt-get install bubblewrap" >&2; exit 1; fi; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The cluster tests start a private PostgreSQL server (Debian's package), as an instructor's database would be.
cluster-tools:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq postgresql) >/dev/null; \
	  else echo "the cluster tests need PostgreSQL: sudo apt-get install postgresql" >&2; fi; }

# The browser tests drive JupyterLab in Debian's Chromium through Playwright (a dev dependency, installed with the
# venv; Playwright's own browser download is never used). Chromium is installed where we can: root on
# Debian/Ubuntu, as in CI.
browser-tools: $(STAMP)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null; \
	  else echo "the browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2; fi; }

demo: $(STAMP) sandbox-tools  ## release, sample class, autograde, feedback, report
	$(PY) -m grader demo

# Two workers, one file each (the browser file holds one JupyterLab per role, so it stays on one worker), except
# tests/test_lesson_grading.py, shared out by lesson (tests/conftest.py): each lesson's bank is graded once and the
# workers split them. Biggest groups first (xdist's --loadscope-reorder).
test: $(STAMP) sandbox-tools cluster-tools browser-tools  ## the whole suite, the browser tests included
	$(PY) -m pytest -n 2 --dist loadfile -ra --durations=25

test-browser: $(STAMP) sandbox-tools browser-tools  ## JupyterLab in headless Chromium: lessons, widgets, Validate, formgrader
	$(PY) -m pytest tests/browser

test-fast: $(STAMP)  ## unit tests only: nothing that starts a kernel or runs nbgrader (those are marked slow)
	$(PY) -m pytest -m "not slow" -n 2 --dist loadfile

lab: $(STAMP)  ## JupyterLab on the student notebooks
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) lessons/

release: $(STAMP)  ## regenerate the repository's lessons/ from solutions/ (grader release --lessons)
	$(PY) -m grader release --lessons

# The pictures in README.md and docs/img/, as the browser suite takes them in JupyterLab.
SHOTS := 01_search_strategies:lesson01_search_race 02_backprop_gates:lesson02_gate_explorer \
	04_optimizers:lesson04_optimizer_race 05_loss_choice:lesson05_loss_landscapes \
	07_regularization_and_init:lesson07_activation_statistics 08_debugging_training:lesson08_learning_rate_sweep \
	formgrader-submissions:formgrader_graded_class
screenshots: test-browser  ## refresh docs/img/ from the browser suite's pictures
	@for pair in $(SHOTS); do cp tests/artifacts/browser/$${pair%%:*}.png docs/img/$${pair##*:}.png; done

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) course build .pytest_cache
