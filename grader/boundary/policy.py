"""What one side of the boundary serves the other (a Policy), and how a refusal names a test's object.

The kernel's agent serves anything (inside its sandbox); the grader's side (grader.boundary.session.
TrustedPolicy) refuses private attributes, modules, and changes a test object's class does not declare.
Shared by both sides and sent into the kernel as source: standard library only.
"""

from __future__ import annotations

import types

if "REQUESTS" not in globals():  # in the kernel the message records' source runs first, in the same namespace
    from grader.boundary.messages import REQUESTS


class Policy:
    """What this side serves. The kernel's agent serves anything (subclass hooks refine it)."""

    answers_interrupts = False  # True: a KeyboardInterrupt while serving is answered as an error
    guards_arguments = False    # True: a call writes back only declared state (CallContract), see call()
    serves = frozenset(REQUESTS.values())  # the request kinds (messages) this side answers

    def check_attribute(self, obj, name: str) -> None:
        pass

    def check_setattr(self, obj, name: str) -> None:
        self.check_attribute(obj, name)

    def check_send(self, obj) -> None:
        pass

    def may_change(self, obj, name: str) -> bool:
        """Whether the other side may change attribute `name` of this side's `obj` (through a copy it read)."""
        return True

    def lookup(self, name: str):
        raise NameError(f"name {name!r} is not served here")

    def describe(self, exc: BaseException) -> str:
        """More about an exception this side raised while serving (the kernel sends the student's traceback)."""
        return ""

    def wait(self, endpoint) -> None:
        """Called before each blocking read; may raise to give up (the grader's time limit)."""


def object_label(obj) -> str:
    """A test object for a message: a class, a function, or an object of its class's own name (never a
    qualified name, which could name the hidden test that made it)."""
    if isinstance(obj, type):
        return "class"
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return "function"
    return f"`{type(obj).__name__}` object"
