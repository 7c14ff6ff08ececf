"""Keep Jupyter and IPython out of the home folder, and give the tests a quiet, reproducible setting."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest


def pytest_configure(config):
    base = Path(tempfile.mkdtemp(prefix="course-tests-jupyter-"))
    config._jupyter_dirs = base
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        os.environ[var] = str(base / sub)
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    # One BLAS thread per kernel: with the other core busy (pytest -n 2), threaded BLAS is many times slower.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from grader.course.folder import ensure_tools_on_path

    ensure_tools_on_path()


def pytest_unconfigure(config):
    if hasattr(config, "_jupyter_dirs"):
        shutil.rmtree(config._jupyter_dirs, ignore_errors=True)


@pytest.fixture
def rng():
    """A fresh, explicitly seeded generator per test (the global RNG is never used)."""
    return np.random.default_rng(12345)


# Files whose tests are shared out by lesson rather than kept whole on one worker: each lesson's tests still go
# to one worker, so a per-process cache keyed by lesson grades each lesson's bug bank once in a run.
SPLIT_BY_LESSON = {"tests/test_lesson_grading.py"}
_LESSON_IN_ID = re.compile(r"\[(\d\d_[A-Za-z0-9_]+)")  # a test id's first parameter, when it is a lesson


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test) with the files of SPLIT_BY_LESSON split by lesson: one file per worker
    left the lessons' grading (over half the suite) on one worker. (xdist's own `--dist loadgroup` cannot be
    used: it renames node ids, which pytest 9 no longer lets it do, so its groups are silently ignored.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LessonSplitScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            lesson = _LESSON_IN_ID.search(nodeid)
            return f"{file}::{lesson.group(1)}" if file in SPLIT_BY_LESSON and lesson else file

    return LessonSplitScheduling(config, log)
