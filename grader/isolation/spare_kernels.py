"""A sandboxed kernel started ahead for each grading thread's next notebook.

A notebook cannot run before its kernel is up, and a sandboxed kernel takes about a second to boot (bwrap,
then Python importing ipykernel). So while a thread runs one notebook it starts the kernel of its next one,
whose boot then overlaps with the current notebook's cells. A spare is a kernel like any other: its own
sandbox, uid and scratch folder, used for one submission only. It becomes a submission's when it is taken:
the submission's files are copied into its scratch folder, the thread's run log is bound and the watchdog's
clock starts (grader.isolation.sandbox.SandboxedKernelManager.adopt).

A spare is only started when the caller expects more work for this thread, and one nobody takes is
stopped after IDLE_SECONDS, at discard_all() (the end of a grading run) or when the process exits.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from jupyter_core.utils import run_sync

IDLE_SECONDS = 60.0

_local = threading.local()      # .spare: this thread's Spare, if any
_spares: set["Spare"] = set()   # every spare of the process not yet taken or stopped
_lock = threading.Lock()
_counts = {"started": 0, "taken": 0, "unused": 0}   # for tests and the benchmark's report


def _count(what: str) -> None:
    with _lock:
        _counts[what] += 1


def counts() -> dict[str, int]:
    """Spares started, taken by a submission, and stopped unused (idle, mismatched or dead), since the start."""
    with _lock:
        return dict(_counts)


def settings_key(km, extra_arguments) -> tuple:
    """What must match for a spare to stand in for a kernel started now: kernel, arguments, limits."""
    names = ("kernel_name", "memory_mb", "max_processes", "max_file_mb", "notebook_timeout", "watchdog_grace",
             "hide", "network", "course_lib_dir")
    return tuple(repr(getattr(km, n)) for n in names) + (tuple(extra_arguments),)


class Spare:
    def __init__(self, km, key: tuple):
        self.km, self.key = km, key
        self._timer = threading.Timer(IDLE_SECONDS, self.stop)
        self._timer.daemon = True

    def claim(self) -> bool:
        """True once: for the thread that takes it, or for the one stopping it."""
        with _lock:
            if self not in _spares:
                return False
            _spares.discard(self)
        self._timer.cancel()
        return True

    def stop(self) -> None:
        if self.claim():
            self.retire()

    def retire(self) -> None:
        """Stop a claimed spare that will not be used."""
        self.km.kill_now()
        _count("unused")


def connect_early(km):
    """A client for the spare, its sockets connected while the kernel boots (so that its first IOPub message
    is not missed). The sandboxed manager's client() already has grader.patches.kernel_ready's quicker check."""
    kc = km.client()
    kc.start_channels(hb=False)  # the heartbeat is a thread: started once, by nbclient's start_channels
    return kc


def start_spare(make_km, extra_arguments) -> None:
    """Start this thread's next kernel now (in this thread: its sockets belong to this thread's event loop)."""
    old = getattr(_local, "spare", None)
    if old is not None:
        old.stop()
    km = make_km()
    km.spare = True
    try:
        run_sync(km.start_kernel)(extra_arguments=list(extra_arguments))
        km.early_client = connect_early(km)
    except BaseException:
        km.kill_now()  # whatever it made so far: its process, its scratch folder
        raise
    spare = Spare(km, settings_key(km, extra_arguments))
    with _lock:
        _spares.add(spare)
        _counts["started"] += 1
    spare._timer.start()
    _local.spare = spare


def take(km_wanted, extra_arguments, source: Path | None):
    """This thread's spare, adopted for the submission whose files are in `source`; None when there is no
    spare with the same settings still running (then the caller starts a kernel as usual)."""
    spare, _local.spare = getattr(_local, "spare", None), None
    if spare is None or not spare.claim():
        return None
    if spare.key != settings_key(km_wanted, extra_arguments) or not spare.km.process_alive():
        spare.retire()
        return None
    spare.km.adopt(source)
    _count("taken")
    return spare.km


def discard_all() -> int:
    """Stop every spare not taken (from any thread); how many there were."""
    with _lock:
        left = list(_spares)
    for spare in left:
        spare.stop()
    return len(left)


def waiting() -> int:
    with _lock:
        return len(_spares)


atexit.register(discard_all)
