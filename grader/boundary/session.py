"""The grader's end of one kernel's boundary: a socket beside the kernel, the agent started for each test
cell, the cell's time limit, and what the grader serves when student code calls back into a test.

Per test cell: the grader sends the kernel a tiny silent request (not stored in its history) that starts
the agent (grader.boundary.agent) from a file in the kernel's scratch folder; the agent connects to the
socket and answers requests until the grader says the cell is done. Only then does the kernel's next cell
run. If the cell's time runs out while the kernel works, the kernel is interrupted; if it does not answer
within a grace period, the test fails as timed out.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import types
from pathlib import Path

from jupyter_core.utils import run_sync

import course_lib.contracts
from course_lib.contracts import ContractError, attribute_message, writable_attributes
from grader.boundary.endpoint import CallContract, Endpoint, Interrupted, PeerGone, Policy, TrafficLimit, object_label
from grader.boundary.messages import Builtin, Call, DelAttr, Done, GetAttr, Lookup, Operator, SetAttr
from grader.boundary.wire import WireError
from grader.course.limits import Limits

_HERE = Path(__file__).resolve().parent
# The endpoint's modules, each after those it imports from (in the kernel they run as one module).
ENDPOINT_PARTS = ("failures", "values", "generators", "policy", "proxy", "references", "sharing", "arguments",
                  "serving", "endpoint")
# The agent's source, in order: the contract checks (one implementation with the visible tests'), the wire
# format, the message records, the endpoint, the agent itself.
AGENT_PARTS = (Path(course_lib.contracts.__file__).resolve(), _HERE / "wire.py", _HERE / "messages.py",
               *(_HERE / f"{part}.py" for part in ENDPOINT_PARTS), _HERE / "agent.py")
SLICE = 0.25            # seconds between checks of the clock while waiting on the kernel
INTERRUPT_GRACE = 5.0   # seconds a kernel gets to answer after it was interrupted
CONNECT_LIMIT = 30.0    # seconds the agent may take to connect (it takes milliseconds)


def agent_source() -> str:
    """The agent's code as one module: the parts in order, without their __future__ imports (which must come
    first in a module, and are not needed on Python 3.10+)."""
    parts = [path.read_text(encoding="utf-8") for path in AGENT_PARTS]
    return "\n".join("\n".join(line for line in part.splitlines() if not line.startswith("from __future__"))
                     for part in parts)


_AGENT = agent_source()
AGENT_VERSION = hashlib.sha256(_AGENT.encode()).hexdigest()[:16]

# Runs in the student's namespace as one expression, so it binds no name there; the agent's module is kept
# in sys.modules between cells (its objects outlive a cell), and made again if the student removed it.
_BOOT = """\
import sys
m = sys.modules.get("_course_boundary")
if m is None or getattr(m, "VERSION", None) != V:
    import types
    m = types.ModuleType("_course_boundary")
    with open(F, encoding="utf-8") as f:
        code = compile(f.read(), "<course boundary>", "exec", dont_inherit=True)
    exec(code, m.__dict__)
    m.VERSION = V
    sys.modules["_course_boundary"] = m
m.serve(P)
"""


def boot_request(agent_file: Path, socket_path: Path) -> str:
    return f"exec({_BOOT!r}, {{'V': {AGENT_VERSION!r}, 'F': {str(agent_file)!r}, 'P': {str(socket_path)!r}}})"


_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.BuiltinMethodType)


class TrustedPolicy(Policy):
    """What student code may do with a test's objects: call them and read their public data. It may not read
    private attributes (a function's globals would hold the hidden tests; a qualified name would name them),
    receive a module, or change anything of a test's object but the attributes its class declares writable
    (`course_writable`, course_lib.contracts.WRITABLE_ATTRIBUTES). A call to a student's function writes back
    only the arguments its contract declares (Endpoint.call)."""

    guards_arguments = True
    # Student code may call, read, set and apply operators to a test's objects; it never looks a name up in
    # the grader, and never ends the session.
    serves = frozenset({Call, GetAttr, SetAttr, DelAttr, Operator, Builtin})

    def check_attribute(self, obj, name: str) -> None:
        if name == "__name__" and isinstance(obj, _FUNCTIONS):
            return  # a log line naming the callback it was given
        if name.startswith("_"):
            raise AttributeError(f"student code cannot read {name!r} of a test's object")

    def may_change(self, obj, name: str) -> bool:
        if isinstance(obj, (type, types.ModuleType, *_FUNCTIONS)):
            return False
        return name in writable_attributes(obj)

    def check_setattr(self, obj, name: str) -> None:
        self.check_attribute(obj, name)
        if not self.may_change(obj, name):
            raise ContractError(attribute_message(object_label(obj), name, writable_attributes(obj)))

    def check_send(self, obj) -> None:
        if isinstance(obj, (types.ModuleType, types.FrameType, types.CodeType, types.TracebackType)):
            raise WireError(f"a {type(obj).__name__} cannot be given to student code")


class _Clocked:
    """The cell's connection, used against its deadline and its traffic limit, checked on every chunk sent
    or received (a kernel that never stops sending is stopped too): past the deadline the kernel is
    interrupted once, and a kernel that still does not answer within the grace period ends the test as
    timed out; past the traffic limit the session ends (TrafficLimit)."""

    def __init__(self, conn: socket.socket, boundary: "KernelBoundary"):
        self.conn, self.boundary = conn, boundary
        conn.settimeout(SLICE)

    def sendall(self, data: bytes) -> None:
        view, sent = memoryview(data), 0
        while sent < len(view):
            self.boundary.check_time()
            try:
                sent += self.conn.send(view[sent:])
            except socket.timeout:
                continue

    def recv_into(self, buffer) -> int:
        while True:
            self.boundary.check_time()
            try:
                n = self.conn.recv_into(buffer)
            except socket.timeout:
                continue
            self.boundary.count_received(n)
            return n


class KernelBoundary:
    """One kernel's boundary, from its first test cell to the end of its notebook."""

    def __init__(self, folder: Path, kernel_client, interrupt, alive=lambda: True, uid: int | None = None,
                 max_traffic_mb: int = Limits().max_cell_traffic_mb):
        self.folder, self.kc, self._interrupt, self.kernel_alive = Path(folder), kernel_client, interrupt, alive
        self.max_traffic = max_traffic_mb << 20
        self.received = 0  # bytes received from the kernel in this test cell
        self.folder.mkdir(parents=True, exist_ok=True)
        self.agent_file = self.folder / "course_boundary.py"
        self.agent_file.write_text(_AGENT, encoding="utf-8")
        self.socket_path = self.folder / "boundary.sock"
        self.socket_path.unlink(missing_ok=True)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.socket_path))
        self._listener.listen(1)
        self._listener.settimeout(SLICE)
        os.chmod(self.socket_path, 0o600)
        if uid is not None and os.geteuid() == 0:
            os.chown(self.socket_path, uid, uid)
        self.endpoint = Endpoint(TrustedPolicy())
        self._conn: socket.socket | None = None
        self._msg_id = None
        self.deadline = 0.0
        self.interrupted_at = None

    # --- the clock and the traffic -------------------------------------------------------------------
    def count_received(self, n: int) -> None:
        """What a test cell can make the grader hold is bounded by what the kernel sends it."""
        self.received += n
        if self.received > self.max_traffic:
            raise TrafficLimit(f"the student's code sent the grader more than {self.max_traffic >> 20} MiB in one "
                               "test cell (limit max_cell_traffic_mb)")

    def check_time(self) -> None:
        now = time.monotonic()
        if self.interrupted_at is None and now >= self.deadline:
            self.interrupted_at = now
            try:
                self._interrupt()
            except Exception:  # noqa: BLE001 - a kernel that cannot be interrupted is waited out below
                pass
        if self.interrupted_at is not None and now >= self.interrupted_at + INTERRUPT_GRACE:
            raise Interrupted("the student's code did not finish within the cell's time limit")

    # --- a test cell ---------------------------------------------------------------------------------
    def open_cell(self, deadline: float, prelude: str = "") -> None:
        """Start the agent for a test cell; `prelude` runs first in the student's namespace (the imports the
        cell's visible part makes, which a student's later cell may rely on, as it runs in their kernel)."""
        self.deadline, self.interrupted_at, self.received = deadline, None, 0
        code = (prelude + "\n" if prelude else "") + boot_request(self.agent_file, self.socket_path)
        self._msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
        limit = min(deadline, time.monotonic() + CONNECT_LIMIT)
        while True:
            try:
                conn, _ = self._listener.accept()
                break
            except socket.timeout:
                if not self.kernel_alive():
                    raise PeerGone("the kernel stopped before the test could use it") from None
                reply = self._reply(timeout=0)
                if reply is not None:
                    content = reply.get("content", {})
                    raise PeerGone(f"the kernel could not start the grader's agent "
                                   f"({content.get('ename', 'no error')}: {content.get('evalue', '')})")
                if time.monotonic() >= limit:
                    raise Interrupted("the kernel did not answer the grader (it is still busy, or stopped)")
        self._conn = conn
        self.endpoint.attach(_Clocked(conn, self))

    def close_cell(self, broken: bool = False) -> None:
        """End the cell: tell the agent (unless the connection broke), then wait for the kernel to be idle."""
        try:
            if self._conn is not None and not broken and self.interrupted_at is None:
                self.endpoint.request(Done())
        except (PeerGone, Interrupted, ContractError):  # a violation is in self.violations; the cell is over
            pass
        finally:
            self.endpoint.detach()
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        if self._msg_id is not None:
            wait = max(0.0, self.deadline - time.monotonic()) + (INTERRUPT_GRACE if self.interrupted_at else 0.0)
            self._reply(timeout=min(wait, 10.0) if not broken else 1.0)
            self._msg_id = None

    def _reply(self, timeout: float):
        """The kernel's reply to this cell's boot request, within `timeout` seconds, or None."""
        return run_sync(self._async_reply)(timeout)

    async def _async_reply(self, timeout: float):
        from queue import Empty

        end = time.monotonic() + timeout
        while True:
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=max(0.0, end - time.monotonic()))
            except Empty:
                return None
            if msg.get("parent_header", {}).get("msg_id") == self._msg_id:
                return msg
            if time.monotonic() >= end:
                return None

    def kernel_gone(self, wait: float = 3.0) -> bool:
        """Whether the kernel stopped: a connection that broke because the kernel exited is followed by its
        process ending, which can take a moment to be seen."""
        end = time.monotonic() + wait
        while self.kernel_alive():
            if time.monotonic() >= end:
                return False
            time.sleep(0.05)
        return True

    def declare(self, proxy, contract: CallContract) -> None:
        """Calls to this proxy (a graded function) follow `contract`: what they may change, what is checked."""
        self.endpoint.set_contract(proxy, contract)

    @property
    def violations(self) -> list:
        """The contract violations seen in this test cell (each also raised where it happened)."""
        return self.endpoint.violations

    def lookup(self, name: str):
        """What the kernel has under a name: (value, module name or None, (module, qualname) or None)."""
        found = self.endpoint.request(Lookup(name))
        if type(found) is not dict or "value" not in found:
            raise PeerGone("a malformed answer to a name lookup")
        module, origin = found.get("module"), found.get("origin")
        module = module if type(module) is str else None
        origin = tuple(origin) if type(origin) is list and len(origin) == 2 and all(type(p) is str for p in origin) else None
        return found["value"], module, origin

    def close(self) -> None:
        if self._conn is not None:
            self.close_cell(broken=True)
        self._listener.close()
        for path in (self.socket_path, self.agent_file):
            try:
                path.unlink()
            except OSError:
                pass
