"""The grader's agent inside the student's sandboxed kernel: it answers the grader's requests about the
kernel's objects (look up a name, call a function, read an attribute), one test cell at a time.

It runs in the kernel, sent there as source after grader.boundary.wire, the message records and the
endpoint's modules (grader.boundary.session.AGENT_PARTS), and may import only the standard library and
numpy. It holds nothing secret and decides nothing: what it sends is data that the grader checks; a student
who changes it changes only what their own code appears to return. The test cells themselves never come here.
"""

from __future__ import annotations

import socket
import sys
import traceback
import types

BOUNDARY_FILE = "<course boundary>"  # the file name the agent's code runs under (kept out of tracebacks)


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    return sys.modules["__main__"].__dict__


def _origin(value):
    """(module, qualified name) of a function or class defined in an importable module, else None."""
    if not isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        return None
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if type(module) is str and type(name) is str and module != "__main__" and "<" not in name:
        return [module, name]
    return None


class AgentPolicy(Policy):  # noqa: F821 - Policy comes from endpoint's source, run first in this namespace
    answers_interrupts = True  # an interrupt (the grader's time limit) is answered, the session goes on

    def lookup(self, name):
        namespace = _user_namespace()
        if type(name) is not str or name not in namespace:
            raise NameError(f"name {name!r} is not defined")
        value = namespace[name]
        module = value.__name__ if isinstance(value, types.ModuleType) else None
        return {"value": value, "module": module, "origin": _origin(value)}

    def describe(self, exc: BaseException) -> str:
        """The traceback of the student's code, without the agent's own frames."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != BOUNDARY_FILE]
        lines = traceback.format_list(frames[-20:])
        return "".join(lines)[-8000:]


_endpoint = None


def serve(path: str) -> None:
    """Connect to the grader and answer its requests until it says the test cell is done."""
    global _endpoint
    if _endpoint is None:
        _endpoint = Endpoint(AgentPolicy())  # noqa: F821 - from endpoint's source
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    _endpoint.attach(sock)
    try:
        while _endpoint.serve_one():
            pass
    except PeerGone:  # noqa: F821 - the grader went away: nothing more to answer
        pass
    finally:
        _endpoint.detach()
        sock.close()
