"""A JupyterLab server for the browser tests: loopback, a token, its own Jupyter folders, stopped afterwards."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Debian's Chromium; COURSE_CHROMIUM names another build of Chromium (never one Playwright downloads).
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# The flags this machine needs (see shared DESIGN notes): no sandbox as root, and no background connections,
# which a closed network refuses many at a time. (bench.widget_latency launches the same browser.)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

# Nothing a student's setting would not have: no quiet mode, no autograder flag.
STUDENT_ENV_DROPPED = ("COURSE_QUIET", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """`jupyter lab` serving `root`, with Jupyter's config, data, runtime and IPython folders under `home`."""

    def __init__(self, root: Path, home: Path, name: str = "lab"):
        self.root = Path(root)
        self.home = Path(home)
        self.name = name
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.home / f"{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in STUDENT_ENV_DROPPED}
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.home / sub)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        # The kernel and nbgrader (alembic) come from this interpreter's environment.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        return env

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}",
               # Lets the tests ask the page what JupyterLab knows (kernel status, outputs) instead of guessing.
               "--LabApp.expose_app_in_browser=True",
               # No news or update checks: the machine may have no network, and a toast would cover the page.
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self, timeout: float = 120.0) -> "LabServer":
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        # cwd = root: nbgrader's Validate and formgrader read nbgrader_config.py from the server's folder.
        self.process = subprocess.Popen(self.command(), cwd=self.root, env=self._env(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: jupyter lab exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/status?token={self.token}", timeout=5) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name}: jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Ask the server to shut down: it stops its kernels first (they run in sessions of their own).
        try:
            request = urllib.request.Request(f"{self.base_url}/api/shutdown?token={self.token}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()
            self.process.wait(timeout=30)
            return
        except (OSError, subprocess.TimeoutExpired):
            pass
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def _api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.base_url}/api/{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session's kernel, as "Shut Down All Kernels" does: the next test starts on a quiet machine."""
        try:
            for session in self._api("GET", "sessions") or []:
                self._api("DELETE", f"sessions/{session['id']}")
        except OSError:
            pass  # a server that is gone has no kernels left

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
