"""One end of the boundary: requests on the other side's objects, answers to its requests, and the syncing
that keeps copies honest about mutation.

Shared by both sides, like grader.boundary.wire (and, like it, sent as source into the kernel: standard
library and numpy only). Between the grader and the student's kernel only plain data travels (wire);
every other object stays where it lives, and the other side holds a Proxy to it (proxy). A proxy forwards
calls, attribute reads, item access and operators as requests; what comes back is again plain data or a proxy.

Values are copied, so mutation has to be carried across explicitly, and only where a contract allows it:
- arguments (arguments): after a call the callee reports the arguments it changed; a caller that guards its
  arguments (the grader) takes back only the declared state of the call's CallContract, and any other change
  is a ContractError; a caller that does not guard (the kernel, calling back a test's callable) takes all;
- attributes (sharing): a mutable attribute read through a proxy (`net.params`) is a copy that both sides keep
  in step at every crossing until the session ends; the owner applies a change to its copy only where its
  Policy allows (the grader: attributes the test object's class lists in `course_writable`);
- numpy Generators (generators) are mirrored the same way, so a generator shared by several calls keeps one
  stream.
A contract violation is remembered (Endpoint.violations) as well as raised, so student code that catches
the error it got still fails the test. What a side may do with the other's requests is its Policy's
decision (policy, serving: the grader refuses private attributes and modules; the kernel serves anything,
inside its sandbox).

The Endpoint is made of parts, one module each: References (references), SharedCopies (sharing),
ArgumentGuard (arguments) and Serving (serving); this module holds its session, its messages and the loop
that sends a request and serves the other side's requests until the answer comes. The names other modules
import from here are re-exported from their parts.
"""

from __future__ import annotations

import weakref

if "Encoder" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Decoder, Encoder, Receiver, WireError, pack
if "REQUESTS" not in globals():  # the same for the message records and each part of the endpoint
    from grader.boundary.messages import REQUESTS, Answer, Failure, read_request, request_document
if "failure_of" not in globals():
    from grader.boundary.failures import (BUILTIN_EXCEPTIONS, BoundaryError, Interrupted, PeerError,  # noqa: F401
                                          PeerGone, TrafficLimit, failure_of, rebuilt_error)
if "sync_into" not in globals():
    from grader.boundary.values import is_mutable, plain_base, sync_into  # noqa: F401
if "_bounded_seed" not in globals():
    from grader.boundary.generators import GENERATOR_KINDS, _bounded_seed  # noqa: F401
if "Policy" not in globals():
    from grader.boundary.policy import Policy, object_label  # noqa: F401
if "Proxy" not in globals():
    from grader.boundary.proxy import BUILTINS, NAME_DUNDERS, OPERATORS, RESULT_TYPES, Proxy  # noqa: F401
if "References" not in globals():
    from grader.boundary.references import References
if "SharedCopies" not in globals():
    from grader.boundary.sharing import SharedCopies
if "ArgumentGuard" not in globals():
    from grader.boundary.arguments import ArgumentGuard, CallContract
if "Serving" not in globals():
    from grader.boundary.serving import SERVERS, Serving
if "ContractError" not in globals():  # in the kernel, course_lib.contracts' source runs first (session.AGENT_PARTS)
    from course_lib.contracts import ContractError


class Endpoint(References, SharedCopies, ArgumentGuard, Serving):
    def __init__(self, policy: Policy | None = None):
        self.policy = policy or Policy()
        self.sock = None
        self._receiver = None                     # reads the messages of the session's connection
        self._owned: dict[int, object] = {}       # id -> object of ours the peer holds a proxy to
        self._owned_ids: dict[int, int] = {}      # id(object) -> id
        self._next_id = 1
        self._proxies = weakref.WeakValueDictionary()  # peer's id -> our proxy
        self._released: list[int] = []            # peer ids whose proxies died here
        self._next_arg = 1                        # ids of mutable arguments a call may keep shared
        self._contracts: dict[int, CallContract] = {}  # peer's id -> the contract of calls to it
        self.violations: list[ContractError] = []      # contract violations seen in this session
        self._reset_shared()

    # --- sessions: one connection per test cell; objects outlive it, shared copies do not --------------
    def attach(self, sock) -> None:
        self.sock = sock
        self._receiver = Receiver(sock.recv_into)
        self.violations = []
        self._reset_shared()

    def detach(self) -> None:
        self.sock = self._receiver = None
        self._reset_shared()

    def set_contract(self, proxy, contract: CallContract) -> None:
        """Calls to this proxy (a graded function of the other side) follow `contract`."""
        self._contracts[object.__getattribute__(proxy, "_id")] = contract

    def _violation(self, exc: ContractError) -> ContractError:
        self.violations.append(exc)
        return exc

    # --- messages ------------------------------------------------------------------------------------
    def _send(self, document: dict, enc: Encoder) -> None:
        document["s"] = self._outgoing_syncs(enc)
        if self._released:
            document["r"], self._released = self._released, []
            for n in document["r"]:
                self._forget_shared("peer", n)
                self._contracts.pop(n, None)
        message = pack(document, enc.buffers)
        try:
            self.sock.sendall(message)
        except OSError as exc:
            raise PeerGone(f"the connection closed ({type(exc).__name__})") from None

    def _receive(self):
        self.policy.wait(self)
        try:
            document, buffers = self._receiver.message()
        except (EOFError, OSError) as exc:
            raise PeerGone(f"the connection closed ({type(exc).__name__})") from None
        except WireError as exc:
            raise PeerGone(f"a malformed message: {exc}") from None
        return document, self._decoder(buffers)

    def _settle(self, document, decoder: Decoder) -> None:
        """Apply a message's syncs and releases, after its payload was decoded: values are decoded in the
        order they were encoded (payload, then syncs), or an alias between them would point nowhere."""
        try:
            self._apply_syncs(document.get("s") or [], decoder)  # before the releases: a sync may be their last word
        except WireError as exc:
            raise PeerGone(f"a malformed message: {exc}") from None
        released = document.get("r") or []
        for n in released if type(released) is list else []:
            if type(n) is int and n in self._owned:
                self._owned_ids.pop(id(self._owned.pop(n)), None)
                self._forget_shared("mine", n)

    # --- asking --------------------------------------------------------------------------------------
    def request(self, message, *values, writeback=None):
        """Ask the other side for something (a request record of grader.boundary.messages, or its kind and
        values: request("lookup", name)); serve its own requests until the answer comes. A contract violation
        seen meanwhile (a forbidden change) is raised instead of the answer."""
        if self.sock is None:
            raise PeerGone("no connection to the other side")
        if type(message) is str:
            message = REQUESTS[message](*values)
        seen = len(self.violations)
        value = self._request(message, writeback)
        if len(self.violations) > seen:
            raise self.violations[seen]
        return value

    def _request(self, message, writeback):
        enc = self._encoder()
        try:
            self._send(request_document(message, enc.encode), enc)
        except WireError as exc:
            raise BoundaryError(str(exc)) from None
        while True:
            document, decoder = self._receive()
            if "q" in document:
                self._serve(document, decoder)
                if document.get("q") == "done":
                    raise PeerGone("the other side ended the session")
                continue
            try:
                if "err" in document:
                    self._settle(document, decoder)
                    raise rebuilt_error(Failure.read(document))
                answer = Answer.read(document)
                breaches = []
                if writeback is not None:
                    breaches = self._write_back(writeback, answer.changes, decoder)
                    self._keep_arguments(writeback, answer.kept or [])
                value = decoder.decode(answer.value)
                self._settle(document, decoder)
            except WireError as exc:
                raise PeerGone(f"a malformed answer: {exc}") from None
            if writeback is not None and writeback.contract is not None:
                self._contract_breaches(writeback, breaches, answer.broken)
            return value

    # --- serving -------------------------------------------------------------------------------------
    def serve_one(self) -> bool:
        """Wait for one request and answer it; False once the other side said it is done."""
        document, decoder = self._receive()
        if "q" not in document:
            raise PeerGone("an answer where a request was expected")
        self._serve(document, decoder)
        return document.get("q") != "done"

    def _serve(self, document, decoder: Decoder) -> None:
        enc = self._encoder()
        try:
            try:
                request = read_request(document, decoder.decode)
            finally:
                self._settle(document, decoder)
            if type(request) not in self.policy.serves:
                raise WireError(f"a {request.KIND} request is not served here")
            answer = SERVERS[type(request)](self, request, enc)
        except BaseException as exc:  # noqa: BLE001 - any failure is the answer, but see _passes_through
            if self._passes_through(exc):
                raise
            if isinstance(exc, WireError):
                exc = BoundaryError(str(exc))
            enc = self._encoder()
            answer = failure_of(exc, self.policy.describe)
        self._send(answer.document(), enc)
