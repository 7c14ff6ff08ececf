"""Both ends of the boundary in one process, over a socket pair: the grader's endpoint here, a kernel-like
endpoint serving a namespace in a thread. Fast enough to test every rule of the boundary without a kernel."""

from __future__ import annotations

import socket
import threading

from course_lib.contracts import declared_state
from grader.boundary.endpoint import CallContract, Endpoint, PeerGone, Policy
from grader.boundary.session import TrustedPolicy


class NamespacePolicy(Policy):
    """The agent's policy, with a plain dict for the kernel's namespace."""

    answers_interrupts = True

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def lookup(self, name):
        if name not in self.namespace:
            raise NameError(f"name {name!r} is not defined")
        return {"value": self.namespace[name], "module": None, "origin": None}


class Pair:
    """`pair.kernel(source)` defines names on the kernel side; `pair.get(name)` gives what the grader sees."""

    def __init__(self):
        self.namespace: dict = {}
        a, b = socket.socketpair()
        self._kernel_socket = b
        self.kernel_end = Endpoint(NamespacePolicy(self.namespace))
        self.kernel_end.attach(b)
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.trusted = Endpoint(TrustedPolicy())
        self.trusted.attach(a)
        self._trusted_socket = a

    def _serve(self):
        try:
            while self.kernel_end.serve_one():
                pass
        except PeerGone:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported by close()
            self.errors.append(exc)

    def kernel(self, source: str) -> None:
        exec(source, self.namespace)

    def get(self, name: str):
        return self.trusted.request("lookup", name)["value"]

    def graded(self, name: str, parameters: tuple[str, ...] = (), declared=None):
        """What a test reads for a graded name: calls to it follow its contract (declared state by the
        source's positional `parameters`; default: course_lib.contracts.DECLARED_STATE)."""
        proxy = self.get(name)
        state = declared_state(name) if declared is None else frozenset(declared)
        self.trusted.set_contract(proxy, CallContract(name, tuple(parameters), state))
        return proxy

    def close(self):
        try:
            self.trusted.request("done")
        except PeerGone:
            pass
        self._thread.join(5)
        self._trusted_socket.close()
        self._kernel_socket.close()
        assert not self.errors, self.errors
