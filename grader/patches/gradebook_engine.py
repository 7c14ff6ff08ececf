"""nbgrader's Gradebook made cheap to open: one SQLAlchemy engine per gradebook, and, during a grading run,
no table check and pooled connections.

nbgrader opens a new Gradebook about ten times for every submission it scores. Each one, as nbgrader wrote it:
- builds a new engine, whose statement cache starts empty, so the same few queries are compiled again and
  again (a third of the statements executed while scoring were compiled afresh). Here the engine of a URL is
  shared (engines are safe to share; each Gradebook keeps its own session);
- asks the database which tables exist and creates the missing ones (17 statements);
- disposes of the engine when it closes, so the next Gradebook opens the SQLite file and reads its schema
  again, the largest single cost left in scoring.

Inside `grading_run(url)` (the grader's autograde, whose gradebook is not deleted under it), the tables are
made sure of once, at the start, the course's row once, by the run's first Gradebook of that course (nbgrader
looks it up and commits in every one), and closing a Gradebook leaves the engine's pooled connections open
for the next one. Outside it, a Gradebook does what nbgrader's does, on the shared engine.

A SQLite engine belongs to the file's inode as well as its path: a gradebook deleted and made anew under the
same name (a fresh demo or test folder) gets a new engine, so no pooled connection to the deleted file is used
again. (While a connection holds the deleted file open, its inode cannot be given to the new file, so the
two are always told apart.) Other databases are pinged before a pooled connection is reused, so a restarted
server is no trouble either.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from grader.patches.guard import Touch

_engines: dict[tuple, tuple] = {}  # (URL, options) -> (engine, the SQLite file's identity when it was made)
_lock = threading.Lock()
_runs: dict[str, int] = {}  # URL -> how many grading_run() scopes are open on it
_courses_checked: dict[str, set[str]] = {}  # URL -> course ids whose row a Gradebook in the open run made sure of


def _file_identity(url) -> tuple | None:
    """(device, inode) of a SQLite gradebook file, ("absent",) before it exists, None for other databases."""
    parsed = make_url(str(url))
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        return ("memory",)
    try:
        st = os.stat(parsed.database)
    except FileNotFoundError:
        return ("absent",)
    return (st.st_dev, st.st_ino)


def shared_engine(url, **kwargs):
    """create_engine's signature; the same engine for the same URL, options and SQLite file."""
    key = (str(url), tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
    identity = _file_identity(url)
    with _lock:
        engine, made_for = _engines.get(key, (None, None))
        if engine is not None and made_for != identity:
            engine.dispose()  # its file is gone: its pooled connections point at a file nobody reads
            engine = None
        if engine is None:
            extra = {} if identity is not None else {"pool_pre_ping": True}
            engine = create_engine(url, **extra, **kwargs)
            _engines[key] = (engine, identity)
        return engine


def engine_for(url):
    """The shared engine a Gradebook on `url` uses (nbgrader creates it with these options)."""
    return shared_engine(url, echo=False, future=True)


def _in_run(url) -> bool:
    return bool(_runs.get(str(url)))


def _gradebook_init(original):
    """nbgrader's Gradebook.__init__, without its table check and, after the first, its course check inside
    grading_run()."""

    def __init__(self, db_url, course_id="default_course", authenticator=None):
        self.grader_url = str(db_url)  # for close()
        if not _in_run(db_url):
            return original(self, db_url, course_id, authenticator)
        # nbgrader 0.9's steps after creating the tables (tests/test_gradebook_engine.py compares the two)
        self.engine = engine_for(db_url)
        self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
        checked = _courses_checked.setdefault(str(db_url), set())
        if course_id not in checked:  # the run alone writes the gradebook: once is enough
            self.check_course(course_id=course_id)
            checked.add(course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    __init__.nbgrader_original = original
    return __init__


def _gradebook_close(original):
    """nbgrader's Gradebook.close, which keeps the pooled connections for the next Gradebook in grading_run()."""

    def close(self):
        if not _in_run(getattr(self, "grader_url", None)):
            return original(self)
        self.db.remove()  # the session goes, as in nbgrader; its connection goes back to the pool

    close.nbgrader_original = original
    return close


@contextmanager
def grading_run(url: str):
    """Within this block, Gradebooks on `url` skip nbgrader's create-missing-tables step and share pooled
    connections. One Gradebook is opened first, the nbgrader way, so the tables are there."""
    import nbgrader.api

    install()
    nbgrader.api.Gradebook(url).close()
    with _lock:
        _runs[str(url)] = _runs.get(str(url), 0) + 1
    try:
        yield
    finally:
        with _lock:
            _runs[str(url)] -= 1
            last = not _runs[str(url)]
            if last:
                _courses_checked.pop(str(url), None)
        if last:
            engine_for(url).dispose()  # nothing stays open after the run


def install() -> None:
    """Make nbgrader's gradebook use shared engines in this process (idempotent)."""
    import nbgrader.api

    nbgrader.api.create_engine = shared_engine
    gradebook = nbgrader.api.Gradebook
    if not hasattr(gradebook.__init__, "nbgrader_original"):
        gradebook.__init__ = _gradebook_init(gradebook.__init__)
        gradebook.close = _gradebook_close(gradebook.close)


TOUCHES = [
    Touch('grader.patches.gradebook_engine', 'nbgrader.api:Gradebook.__init__',
          'nbgrader', '0.9.6', 'f71e382c9137194a',
          'its steps after the tables are made: engine, scoped session, check_course, course_id, authenticator (copied in _gradebook_init)'),
    Touch('grader.patches.gradebook_engine', 'nbgrader.api:Gradebook.close',
          'nbgrader', '0.9.6', '10a2e3b2b212c299',
          'close removes the session and disposes of the engine; nothing else'),
]
