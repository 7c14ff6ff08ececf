"""Serving the other side's requests: one method per request kind (the table SERVERS), each checking that the
request is about an object this side lent and that its Policy allows it, then answering with an Answer.

Part of the Endpoint (grader.boundary.endpoint: `class Endpoint(Serving, ...)`), whose serve loop reads a
request, looks its record up in SERVERS and sends what the method returns (or the Failure of what it raised).
Shared by both sides and sent into the kernel as source: standard library and numpy only.
"""

from __future__ import annotations

import operator

if "Encoder" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Encoder, WireError
if "Answer" not in globals():  # the same for the message records and the other parts of the endpoint
    from grader.boundary.messages import Answer, Builtin, Call, DelAttr, Done, GetAttr, Lookup, Operator, SetAttr
if "PeerGone" not in globals():
    from grader.boundary.failures import Interrupted, PeerGone
if "OPERATORS" not in globals():
    from grader.boundary.proxy import BUILTINS, OPERATORS
if "is_mutable" not in globals():
    from grader.boundary.values import is_mutable
if "ContractError" not in globals():  # in the kernel, course_lib.contracts' source runs first
    from course_lib.contracts import ContractError, defaults_fingerprint, global_rng_fingerprint


class Serving:
    """The answers to each kind of request."""

    def _serve_call(self, request: Call, enc: Encoder) -> Answer:
        self._check_owned(request.target)
        arguments = (request.args, request.kwargs)
        before = self._snapshots(arguments)
        checks = (global_rng_fingerprint(), defaults_fingerprint(request.target)) if request.check else None
        result = request.target(*request.args, **request.kwargs)
        answer = Answer(changes=self._changes(arguments, before, enc, request.declared))
        answer.value = enc.encode(result)
        if checks is not None:
            answer.broken = self._broken_contracts(request.target, checks)
        if enc.references:
            answer.kept = self._share_arguments(arguments, request.shared)
        return answer

    def _serve_getattr(self, request: GetAttr, enc: Encoder) -> Answer:
        target, name = request.target, request.name
        self._check_owned(target)
        self._check_name(target, name)
        value = getattr(target, name)
        if is_mutable(value):
            self._shared[("attr", "mine", self._lend(target), name)] = [None, self._fingerprint(value)]
        return Answer(enc.encode(value))

    def _serve_setattr(self, request, enc: Encoder) -> Answer:
        target, name = request.target, request.name
        self._check_owned(target)
        self._check_name(target, name)
        try:
            self.policy.check_setattr(target, name)
        except ContractError as exc:  # remembered: student code that catches it still fails the test
            raise self._violation(exc) from None
        self._shared.pop(("attr", "mine", self._lend(target), name), None)
        if isinstance(request, SetAttr):
            setattr(target, name, request.value)
        else:
            delattr(target, name)
        return Answer(None)

    def _serve_operator(self, request: Operator, enc: Encoder) -> Answer:
        if request.name not in OPERATORS:
            raise WireError(f"an unknown operator {request.name!r}")
        if not any(self._is_owned(o) for o in request.operands):
            raise WireError("an operator on none of this side's objects")
        return Answer(enc.encode(getattr(operator, request.name)(*request.operands)))

    def _serve_builtin(self, request: Builtin, enc: Encoder) -> Answer:
        if request.name not in BUILTINS or not request.operands:
            raise WireError(f"an unknown builtin {request.name!r}")
        self._check_owned(request.operands[0])
        return Answer(enc.encode(BUILTINS[request.name](*request.operands)))

    def _serve_lookup(self, request: Lookup, enc: Encoder) -> Answer:
        return Answer(enc.encode(self.policy.lookup(request.name)))

    def _serve_done(self, request: Done, enc: Encoder) -> Answer:
        return Answer(None)

    def _check_name(self, obj, name) -> None:
        if type(name) is not str:
            raise WireError("an attribute name that is not a string")
        self.policy.check_attribute(obj, name)

    def _passes_through(self, exc: BaseException) -> bool:
        """Exceptions that end this side's serving instead of becoming the answer: a lost peer always; on the
        grader's side also an instructor's Ctrl-C (the kernel's agent answers an interrupt as an error)."""
        if isinstance(exc, (PeerGone, Interrupted)):
            return True
        return not self.policy.answers_interrupts and not isinstance(exc, Exception)


SERVERS = {Call: Serving._serve_call, GetAttr: Serving._serve_getattr, SetAttr: Serving._serve_setattr,
           DelAttr: Serving._serve_setattr, Operator: Serving._serve_operator, Builtin: Serving._serve_builtin,
           Lookup: Serving._serve_lookup, Done: Serving._serve_done}
