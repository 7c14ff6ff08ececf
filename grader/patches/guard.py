"""What each patch touches upstream, and the check that it is still what the patch was written against.

A patch that copies or overrides a private piece of nbgrader, nbconvert, nbclient or jupyter_client is
right only for the code it was written against. Each patch module lists its `TOUCHES`: the upstream
object by its dotted name, the package and version it was read in, and a fingerprint of that object's
source there. `changed()` reads the installed source again; any difference names the patch, the object
and both versions, so an upgrade that moves the ground under a patch is found before a class is graded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import inspect
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Touch:
    patch: str        # the patch module that depends on it
    target: str       # "package.module:Qualified.name" of the upstream object
    package: str      # its distribution, for the version
    version: str      # the version the patch was written against
    fingerprint: str  # fingerprint() of the target's source in that version
    why: str          # what the patch relies on


def resolve(target: str):
    """The object a "module:Qualified.name" target names (the original, under any patch of ours)."""
    module_name, _, qualname = target.partition(":")
    obj = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = obj.__dict__[part] if isinstance(obj, type) and part in obj.__dict__ else getattr(obj, part)
    return getattr(obj, "nbgrader_original", obj)


def fingerprint_of(obj) -> str:
    """A short hash of an object's source, indentation aside."""
    obj = inspect.unwrap(obj.fget if isinstance(obj, property) else obj)
    source = textwrap.dedent(inspect.getsource(obj))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def changed(touch: Touch) -> str | None:
    """None when the installed target is the one the patch was written against; else why not, in a line."""
    installed = importlib.metadata.version(touch.package)
    try:
        now = fingerprint_of(resolve(touch.target))
    except (AttributeError, KeyError, ImportError, OSError, TypeError) as exc:
        return (f"{touch.patch}: {touch.target} is gone or unreadable in {touch.package} {installed} "
                f"(the patch was written against {touch.version}): {type(exc).__name__}: {exc}")
    if now != touch.fingerprint:
        return (f"{touch.patch}: {touch.target} changed in {touch.package} {installed} (the patch was written "
                f"against {touch.version}; it relies on: {touch.why}); re-read it and update the patch")
    return None


def all_touches() -> list[Touch]:
    from grader.patches import (batched_gradebook, gradebook_engine, hidden_tests, kernel_manager, kernel_ready,
                                metadata_check, owned_exporter, sliced_polling)

    modules = (batched_gradebook, gradebook_engine, hidden_tests, kernel_manager, kernel_ready, metadata_check,
               owned_exporter, sliced_polling)
    return [touch for module in modules for touch in module.TOUCHES]


@functools.lru_cache(maxsize=1)
def problems() -> tuple[str, ...]:
    """Every patch whose upstream ground moved, read once per process."""
    return tuple(p for p in map(changed, all_touches()) if p)


def warn_if_changed() -> None:
    """Say on stderr, once per process, which patches no longer match what is installed (the suite fails on
    them; a grading run goes on, since most upstream changes leave a patch right)."""
    import sys

    for problem in problems():
        if problem not in _warned:
            _warned.add(problem)
            print(f"grader: warning: {problem}", file=sys.stderr)


_warned: set[str] = set()
