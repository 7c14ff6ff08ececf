"""A private PostgreSQL server on 127.0.0.1 for the tests, from Debian's postgresql package."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server():
    """Yield the SQLAlchemy URL of a fresh database; the server and its files are gone afterwards."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; `make test` does it)")
    root = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", _free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *map(str, cmd)], check=True, capture_output=True, text=True)
    try:
        run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "grader", "--no-sync")
        run(bindir / "pg_ctl", "-D", data, "-w", "-l", root / "log", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "grader", "gradebook")
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
