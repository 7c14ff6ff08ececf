"""Run each submission's kernel in a sandbox: its own scratch folder, nothing of the course visible.

The kernel starts through bubblewrap (grader.isolation.bwrap) in a fresh scratch folder
(grader.isolation.scratch), and the grader talks to it over ZeroMQ's ipc transport (unix sockets in that
folder), since a kernel without network cannot reach the grader's TCP ports. A watchdog kills the whole
sandbox once the notebook has run past its total time limit plus a grace period. jupyter_client's private
steps are reached only through grader.patches.kernel_manager's hooks.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

from traitlets import Bool, Float, Int, List, Unicode

from grader.isolation import runlog
from grader.isolation.bwrap import (bwrap_command, course_lib_dir, exposed_paths, fresh_uid, hidden_paths,
                                    require_bwrap, through_args_file)
from grader.isolation.scratch import copy_submission_files, kernel_env, make_workdir
from grader.patches.kernel_manager import HookedKernelManager
from grader.patches.kernel_ready import quick_readiness


class SandboxedKernelManager(HookedKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described above."""

    memory_mb = Int(4096, help="address-space limit of the kernel, in MiB").tag(config=True)
    max_processes = Int(512, help="process and thread limit of the kernel's user").tag(config=True)
    max_file_mb = Int(256, help="largest file the kernel may write, in MiB").tag(config=True)
    notebook_timeout = Float(600.0, help="seconds the whole notebook may run; the watchdog adds a grace "
                             "period before killing the sandbox").tag(config=True)
    watchdog_grace = Float(20.0, help="seconds past notebook_timeout before the sandbox is killed").tag(config=True)
    hide = List(Unicode(), help="more folders to hide from the kernel (the course folder and repo)").tag(config=True)
    course_lib_dir = Unicode("", help="a course_lib folder mounted in place of the real one (without the "
                             "answers of the lesson being graded: grader.delivery.reference_view)").tag(config=True)
    network = Bool(False, help="allow network access (never for grading)").tag(config=True)

    # A spare is started before its submission is known (grader.isolation.spare_kernels): its watchdog waits for adopt().
    spare = Bool(False, help="started ahead, for a submission not chosen yet")

    _workdir: Path | None = None
    _watchdog: threading.Timer | None = None
    _log: runlog.RunLog | None = None
    _uid: int = 0
    _args_file: Path | None = None
    early_client = None  # a spare's client, connected while the kernel booted (grader.isolation.spare_kernels)

    def before_launch(self, kw: dict) -> dict:
        require_bwrap()
        self._log = runlog.current()  # the watchdog runs in a thread of its own
        self._uid = fresh_uid()
        self._workdir = make_workdir(Path(kw["cwd"]) if kw.get("cwd") else None, self._uid)
        self.transport = "ipc"
        self.ip = str(self._workdir / ".k" / "ipc")
        self.connection_file = str(self._workdir / ".k" / "kernel.json")
        return {**kw, "cwd": str(self._workdir), "env": kernel_env(self._workdir)}

    def launch_command(self, kernel_cmd: list[str], kw: dict) -> tuple[list[str], dict]:
        if os.geteuid() == 0:
            os.chown(self.connection_file, self._uid, self._uid)
        kernel_cmd = bwrap_command(require_bwrap(), self._workdir, kernel_cmd, hide=hidden_paths(list(self.hide)),
                                   expose=exposed_paths(), memory_mb=self.memory_mb,
                                   max_processes=self.max_processes, max_file_mb=self.max_file_mb,
                                   uid=self._uid, network=self.network,
                                   replace={course_lib_dir(): Path(self.course_lib_dir)} if self.course_lib_dir else None)
        self._args_file = self._workdir.with_name(self._workdir.name + ".bwrap-args")  # outside the sandbox
        return through_args_file(kernel_cmd, self._args_file, self._workdir / ".k" / "start"), kw

    def after_start(self) -> None:
        if not self.spare:
            self._start_watchdog()

    def _start_watchdog(self) -> None:
        self._watchdog = threading.Timer(self.notebook_timeout + self.watchdog_grace, self._kill_for_time)
        self._watchdog.daemon = True
        self._watchdog.start()

    def client(self, **kwargs):
        early, self.early_client = self.early_client, None
        return early if early is not None else quick_readiness(super().client(**kwargs))

    def _close_early_client(self) -> None:
        early, self.early_client = self.early_client, None
        if early is not None:
            early.stop_channels()

    def adopt(self, source: Path | None) -> None:
        """Make a spare this submission's kernel: its files beside it, this thread's run log, the clock started."""
        copy_submission_files(source, self._workdir, self._uid)
        self._log = runlog.current()
        self.spare = False
        self._start_watchdog()

    def process_alive(self) -> bool:
        process = self.kernel_process()
        return process is not None and process.poll() is None

    def kill_now(self) -> None:
        """Stop the whole sandbox at once and delete it, from any thread (a spare nobody took)."""
        self._kill_sandbox()
        process = self.kernel_process()
        try:
            if process is not None:
                process.wait(timeout=5)  # reap bwrap: nobody else waits for a spare
        except Exception:  # noqa: BLE001 - the kill was sent; a slow reap changes nothing here
            pass
        self._close_early_client()
        self.release_sandbox()

    def _kill_for_time(self) -> None:
        (self._log or runlog.current()).killed_by_watchdog = True
        self._kill_sandbox()

    def _kill_sandbox(self) -> None:
        pgid = self.kernel_process_group()
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

    def _remove_args_file(self) -> None:
        if self._args_file is not None:
            self._args_file.unlink(missing_ok=True)
            self._args_file = None

    def release_sandbox(self) -> None:
        """Stop the watchdog and delete the scratch folder (also when the kernel died on its own)."""
        self._remove_args_file()
        if self._watchdog:
            self._watchdog.cancel()
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def after_cleanup(self) -> None:
        self.release_sandbox()
