"""One SQLAlchemy engine per gradebook URL for the whole grading run, instead of one per nbgrader Gradebook.

nbgrader opens a new Gradebook (and with it a new engine) about ten times for every submission it scores, and
never disposes of them. Each new engine starts with an empty statement cache, so the same few queries are
compiled again and again: measured here, a third of the statements executed while scoring were compiled
afresh. Sharing the engine cut the scoring thread's CPU time by about a fifth (6.0 s to 4.8 s for 16
submissions). Engines are safe to share; each Gradebook keeps its own session.

A SQLite gradebook gets no connection pool (opening the file is cheap), so that no connection kept open can
outlive a gradebook file deleted and made anew under the same name (a fresh demo or test folder). Other
databases are pinged before a pooled connection is reused, so a restarted server is no trouble either.
"""

from __future__ import annotations

import threading

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

_engines: dict[tuple, object] = {}
_lock = threading.Lock()


def shared_engine(url, **kwargs):
    """create_engine's signature; the same engine for the same URL and options."""
    key = (str(url), tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            extra = {"poolclass": NullPool} if str(url).startswith("sqlite") else {"pool_pre_ping": True}
            engine = _engines[key] = create_engine(url, **extra, **kwargs)
        return engine


def install() -> None:
    """Make nbgrader's gradebook use shared engines in this process (idempotent)."""
    import nbgrader.api

    nbgrader.api.create_engine = shared_engine
