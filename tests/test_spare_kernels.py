"""A kernel started ahead (grader.isolation.spare_kernels) grades exactly as a kernel started on demand: the same scores
and statuses, the submission's own files beside it, a fresh sandbox per submission, the time limit counted
from when it is taken, and no kernel or scratch folder left once the run is over."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from queue import Empty

import pytest
from jupyter_core.utils import run_sync
from minicourse import LESSON, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.isolation import spare_kernels
from grader.isolation.sandbox import SandboxedKernelManager
from grader.patches.kernel_ready import quick_readiness
from grader.pipeline import autograde as ag
from grader.pipeline import outcomes as st
from grader.pipeline.stages import KERNEL_ARGS, grading_config

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout=5, notebook_timeout=60, static_check=False)

# Full marks only if factor.txt, handed in beside the notebook, is in the kernel's folder when it runs.
USES_ITS_FILE = "def double(x):\n    return float(open('factor.txt').read()) * x"
# Leaves a file and a module-level mark; a kernel that is reused or a folder that is shared would show them.
LEAVES_TRACES = ("import builtins\nbuiltins.LEFT_BEHIND = True\nopen('left_behind.txt', 'w').write('x')\n"
                 "def double(x):\n    return 2 * x")
FINDS_NO_TRACES = ("import builtins, os\ndef double(x):\n"
                   "    clean = not hasattr(builtins, 'LEFT_BEHIND') and not os.path.exists('left_behind.txt')\n"
                   "    return 2 * x if clean else 0 * x")


def _class(root: Path) -> Course:
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    # The lesson ships factor.txt (only files the release ships travel with a submission); bo's copy says 2.
    (course.source_notebook(LESSON).parent / "factor.txt").write_text("1")
    prepare_assignments(course, [LESSON])
    right = samples.filled_in(course, LESSON)
    class_ = {
        "ada": right,
        "bo": samples.plant(right, "double", USES_ITS_FILE),
        "cy": samples.plant(right, "double", LEAVES_TRACES),
        "di": samples.plant(right, "double", FINDS_NO_TRACES),
        "ed": samples.hanging(right),
        "fe": samples.plant(right, "double", "import os\nos._exit(3)"),
        "gu": samples.blank(course, LESSON),
    }
    for student, nb in class_.items():
        path = samples.write(nb, course.submitted_notebook(student, LESSON))
        if student == "bo":
            (path.parent / "factor.txt").write_text("2")
    return course


def _summary(outcomes):
    return {o.student: (o.status, o.score, o.reason, o.cells) for o in outcomes}


def _delta(before: dict) -> dict:
    now = spare_kernels.counts()
    return {k: now[k] - before[k] for k in now}


def test_kernels_started_ahead_grade_as_kernels_started_on_demand(tmp_path):
    before = spare_kernels.counts()
    ahead = ag.autograde(_class(tmp_path / "ahead"), [LESSON], limits=LIMITS, workers=1)
    used = _delta(before)
    on_demand = ag.autograde(_class(tmp_path / "cold"), [LESSON], limits=replace(LIMITS, spare_kernels=False),
                             workers=1)
    assert _summary(ahead) == _summary(on_demand)
    statuses = {o.student: (o.status, o.score) for o in ahead}
    assert statuses["ada"] == statuses["bo"] == statuses["cy"] == statuses["di"] == (st.OK, 3.0), statuses
    assert statuses["ed"][0] == st.TIMED_OUT and statuses["fe"][0] == st.KERNEL_DIED
    assert statuses["gu"] == (st.OK, 0.0)
    # One worker, seven notebooks: every one after the first ran in a kernel started ahead; none was wasted.
    assert used == {"started": 6, "taken": 6, "unused": 0}, used
    assert spare_kernels.waiting() == 0


def test_a_spare_that_died_is_not_used(tmp_path, monkeypatch):
    real_start = spare_kernels.start_spare

    def start_then_crash(*args):
        real_start(*args)
        spare_kernels._local.spare.km._kill_sandbox()

    monkeypatch.setattr(spare_kernels, "start_spare", start_then_crash)
    before = spare_kernels.counts()
    outcomes = ag.autograde(_class(tmp_path), [LESSON], ["ada", "bo", "gu"], limits=LIMITS, workers=1)
    assert [(o.status, o.score) for o in outcomes] == [(st.OK, 3.0), (st.OK, 3.0), (st.OK, 0.0)]
    assert _delta(before) == {"started": 2, "taken": 0, "unused": 2}


def _spare(tmp_path) -> SandboxedKernelManager:
    course = Course.at(make_repo(tmp_path / "repo"), tmp_path / "course")
    config = grading_config(course, LIMITS)
    spare_kernels.start_spare(lambda: SandboxedKernelManager(kernel_name="python3", config=config), KERNEL_ARGS)
    return spare_kernels._local.spare.km


def test_the_watchdog_starts_when_the_spare_is_taken(tmp_path):
    km = _spare(tmp_path)
    try:
        assert km.spare and km._watchdog is None, "an idle spare's time limit must not be running"
        source = tmp_path / "submission"
        source.mkdir()
        (source / "data.csv").write_text("1,2\n")
        wanted = SandboxedKernelManager(kernel_name="python3", config=km.config)
        assert spare_kernels.take(wanted, KERNEL_ARGS, source) is km
        assert not km.spare and km._watchdog.is_alive()
        assert (km._workdir / "data.csv").read_text() == "1,2\n"
        assert spare_kernels.take(wanted, KERNEL_ARGS, source) is None, "a spare serves one submission only"
    finally:
        km.kill_now()


def test_a_spare_with_other_limits_is_not_used(tmp_path):
    km = _spare(tmp_path)
    workdir = km._workdir
    other = grading_config(Course.at(make_repo(tmp_path / "other"), tmp_path / "c2"), LIMITS)
    assert spare_kernels.take(SandboxedKernelManager(kernel_name="python3", config=other), KERNEL_ARGS, None) is None
    assert not km.process_alive() and not workdir.exists()


def test_a_spare_nobody_takes_stops_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(spare_kernels, "IDLE_SECONDS", 1.0)
    km = _spare(tmp_path)
    workdir = km._workdir
    deadline = time.monotonic() + 20
    while (km.process_alive() or workdir.exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not km.process_alive() and not workdir.exists()
    assert spare_kernels.waiting() == 0
    spare_kernels._local.spare = None


class _SlowBootClient:
    """A client whose kernel answers its first kernel_info request only after the next one was sent."""

    def __init__(self):
        self.asked, self.replied = [], False

    def start_channels(self, **kw):
        pass

    def kernel_info(self):
        self.asked.append(f"request-{len(self.asked)}")
        return self.asked[-1]

    def _handle_kernel_info_reply(self, msg):
        self.replied = True

    async def _async_is_alive(self):
        return True

    @property
    def shell_channel(self):
        client = self

        class Shell:
            async def get_msg(self, timeout=None):
                if len(client.asked) == 1:
                    raise Empty  # still booting: the first request waits in its queue
                return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": client.asked[0]}}
        return Shell()

    @property
    def iopub_channel(self):
        class IOPub:
            async def get_msg(self, timeout=None):
                return {"msg_type": "status"}
        return IOPub()


def test_a_slow_boot_answering_an_earlier_request_counts_as_ready():
    fake = _SlowBootClient()
    kc = quick_readiness(fake)
    run_sync(kc.wait_for_ready)(timeout=5)
    assert fake.replied and len(fake.asked) == 2


def test_every_sandboxed_client_spares_included_gets_the_quick_readiness_check():
    km = SandboxedKernelManager()
    assert "quick_readiness" in km.client().wait_for_ready.__qualname__
    fake = _SlowBootClient()
    assert spare_kernels.connect_early(type("KM", (), {"client": lambda self: fake})()) is fake
