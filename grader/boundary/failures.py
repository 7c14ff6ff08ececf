"""Exceptions across the boundary: the ones it raises itself, and how an exception raised on one side is sent
(a Failure record) and rebuilt on the other.

Shared by both sides and sent into the kernel as source (grader.boundary.session.AGENT_PARTS): standard
library only. An exception rebuilt here never carries the other side's class: a builtin type is rebuilt as
itself with its message, a ContractError as one, anything else as a PeerError that only names its type.
"""

from __future__ import annotations

import builtins

if "Failure" not in globals():  # in the kernel the message records' source runs first, in the same namespace
    from grader.boundary.messages import Failure
if "ContractError" not in globals():  # in the kernel, course_lib.contracts' source runs first
    from course_lib.contracts import ContractError


class BoundaryError(TypeError):
    """Something a test did with a student's object that cannot be done across the boundary."""


class Interrupted(BaseException):
    """The other side was interrupted (its time ran out) while it served a request."""


class PeerGone(BaseException):
    """The other side went away: the connection closed, or it broke the protocol."""


class TrafficLimit(PeerGone):
    """The other side sent more in one session than this side accepts: the session ends."""


class PeerError(Exception):
    """An exception raised on the other side that has no builtin counterpart here."""

    def __init__(self, type_name: str, message: str, detail: str = ""):
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name, self.message, self.detail = type_name, message, detail


# Exceptions rebuilt as themselves when they cross (message kept); others become PeerError.
BUILTIN_EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "IndexError", "KeyError",
    "LookupError", "MemoryError", "NameError", "NotImplementedError", "OverflowError", "RecursionError",
    "RuntimeError", "StopIteration", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError",
)}


def failure_of(exc: BaseException, describe) -> Failure:
    """What is sent for an exception raised while serving: its type's name, its message, and what
    `describe(exc)` adds (Policy.describe: the kernel sends the student's traceback)."""
    if isinstance(exc, MemoryError):
        name = "MemoryError"
    else:
        name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose str fails still has a name
        message = ""
    return Failure(name, message, describe(exc))


def rebuilt_error(failure: Failure) -> BaseException:
    """The exception to raise here for a Failure the other side sent."""
    name, message = failure.type_name, failure.message
    if name == "KeyboardInterrupt":
        return Interrupted(message or "interrupted")
    if name == "BoundaryError":  # what the other side could not send: the value, not the test, is at fault
        return BoundaryError(message)
    if name == "ContractError":  # a contract a check on the other side found broken (a visible test's helper)
        exc = ContractError(message)
        exc.peer_detail = failure.detail
        return exc
    if name in BUILTIN_EXCEPTIONS:
        exc = BUILTIN_EXCEPTIONS[name](message) if message else BUILTIN_EXCEPTIONS[name]()
        exc.peer_detail = failure.detail
        return exc
    return PeerError(name, message, failure.detail)
