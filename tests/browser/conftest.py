"""Fixtures of the browser suite: Debian's Chromium through Playwright, JupyterLab servers on temporary folders.

Where no browser can be had the suite says so: every test fails with the reason under CI (CI=true) and is
skipped with it elsewhere (pytest's -ra summary prints the reason); it never passes without running.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import tally
from lab_page import LabPage
from lab_server import CHROMIUM, CHROMIUM_ARGS, LabServer
from student_files import REPO, fill_in, has_solution, lesson_names

VIEWPORT = {"width": 1400, "height": 1000}
PAGE_TIMEOUT_MS = 180_000  # the machine has two busy cores: JupyterLab's first load can take a minute
_workspaces = itertools.count(1)


def missing_browser() -> str | None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (Debian package `chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package `playwright` is not installed in this environment")
    if not problems:
        return None
    return ("BROWSER TESTS NOT RUN: " + "; ".join(problems) + ". Run `make browser-tools` (as root it installs "
            "Chromium with apt-get; playwright comes with `pip install -e '.[dev]'`). Playwright's own browser "
            "download is not used.")


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def browser():
    reason = missing_browser()
    if reason:
        if under_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                          timeout=PAGE_TIMEOUT_MS)
    yield chromium
    chromium.close()
    playwright.stop()
    tally.save()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # A worker's prints are not shown, but its warnings reach the summary at the end of the run. A plain
        # UserWarning: xdist re-imports a warning's class in the main process, which cannot import a conftest.
        warnings.warn("\n".join([tally.headline(), *tally.notes]), UserWarning, stacklevel=1)


@pytest.fixture(scope="session")
def student_root(tmp_path_factory) -> Path:
    """A copy of lessons/ as the student's folder, and filled/<lesson>.ipynb: the same lessons finished."""
    root = tmp_path_factory.mktemp("student")
    scratch = tmp_path_factory.mktemp("fill")
    for lesson in lesson_names():
        shutil.copyfile(REPO / "lessons" / f"{lesson}.ipynb", root / f"{lesson}.ipynb")
        if has_solution(lesson):
            fill_in(lesson, scratch / lesson, root / "filled" / f"{lesson}.ipynb")
    return root


def _user_settings(home: Path) -> None:
    """JupyterLab settings of the test user: no news toast over the page, cell timings recorded."""
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    for plugin, text in (("apputils-extension/notification", '{"fetchNews": "false"}'),
                         ("notebook-extension/tracker", '{"recordTiming": true}')):
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def start_server(root: Path, home: Path, name: str) -> LabServer:
    _user_settings(home)
    return LabServer(root, home, name).start(timeout=240)


@pytest.fixture(scope="session")
def student_lab(browser, student_root, tmp_path_factory):
    server = start_server(student_root, tmp_path_factory.mktemp("student-jupyter"), "student-lab")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_course(browser, tmp_path_factory) -> Path:
    """`grader demo` on the first lesson, in a scratch copy of the repository's solutions and lessons.

    The demo regenerates <repo>/lessons/, so it runs on a copy rather than on the working tree.
    """
    lesson = lesson_names()[0]
    repo = tmp_path_factory.mktemp("demo-repo")
    for folder in ("solutions", "lessons"):
        (repo / folder).mkdir()
        shutil.copyfile(REPO / folder / f"{lesson}.ipynb", repo / folder / f"{lesson}.ipynb")
    course = repo / "course"
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_QUIET", "NBGRADER_EXECUTION")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run([sys.executable, "-m", "grader", "--repo", str(repo), "--course-dir", str(course), "demo"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"grader demo failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    (tally.ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (tally.ARTIFACTS / "demo-output.txt").write_text(done.stdout)
    return course


@pytest.fixture(scope="session")
def instructor_lab(demo_course, tmp_path_factory):
    server = start_server(demo_course, tmp_path_factory.mktemp("instructor-jupyter"), "instructor-lab")
    yield server
    server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page_fixture(request, browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    # A workspace of its own per test: JupyterLab would otherwise reopen the last test's notebooks.
    lab = LabPage(page, server, workspace=f"t{next(_workspaces)}")
    yield lab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(tally.ARTIFACTS / f"FAILED-{request.node.name}.png"))
        except Exception:  # a dead page: the failure itself says more
            pass
    context.close()
    server.shutdown_kernels()


@pytest.fixture
def student(request, browser, student_lab):
    """A new browser page on the student's JupyterLab; its kernels are shut down afterwards."""
    yield from _page_fixture(request, browser, student_lab)


@pytest.fixture
def instructor(request, browser, instructor_lab):
    yield from _page_fixture(request, browser, instructor_lab)


def pytest_terminal_summary(terminalreporter):
    if any(tally.counts.values()):
        terminalreporter.section("browser suite")
        terminalreporter.write_line(tally.headline())
        for line in tally.notes:
            terminalreporter.write_line("  " + line)
