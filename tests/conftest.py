"""Keep Jupyter and IPython out of the home folder, and give the tests a quiet, reproducible setting."""

from __future__ import annotations

import os
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
