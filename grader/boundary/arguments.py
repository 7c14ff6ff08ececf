"""A call's arguments across the boundary, and the contract that says which of them the callee may change.

The callee works on copies and reports, after the call, every argument it changed (by fingerprints before
and after). A caller that guards its arguments (the grader: Policy.guards_arguments) sends the positions its
CallContract declares as state (course_lib.contracts.DECLARED_STATE, mapped to positions by the source's
signature): only those come back with their value and are written into the caller's objects in place; any
other change comes back without its value, is never written back, and is a ContractError, as is a graded
function's use of NumPy's global random state or a change to its mutable default arguments. A caller that
does not guard (the kernel, calling back a test's callable) gets every changed argument written back.
Arguments a returned object may change later (a generator over mini-batches) stay shared
(grader.boundary.sharing), under the same contract.

Part of the Endpoint (grader.boundary.endpoint: `class Endpoint(ArgumentGuard, ...)`). Shared by both sides
and sent into the kernel as source: standard library and numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

if "WireError" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Decoder, WireError
if "Call" not in globals():  # the same for the message records and the other parts of the endpoint
    from grader.boundary.messages import Call, GetAttr
if "sync_into" not in globals():
    from grader.boundary.values import is_mutable, sync_into
if "ContractError" not in globals():  # in the kernel, course_lib.contracts' source runs first
    from course_lib.contracts import (ContractError, defaults_fingerprint, defaults_message, global_rng_fingerprint,
                                      global_rng_message, mutation_message)


@dataclass(frozen=True)
class CallContract:
    """What a call to one of the other side's functions may change: `declared` parameter names, mapped to
    call positions by `parameters` (the source's own signature, never the callee's)."""
    function: str
    parameters: tuple = ()          # positional parameter names, in order
    declared: frozenset = frozenset()
    graded: bool = True             # a graded name: the callee also checks the global RNG and defaults

    def name_of(self, position) -> str:
        if type(position) is int:
            return self.parameters[position] if 0 <= position < len(self.parameters) else f"argument {position + 1}"
        return str(position)

    def positions(self, args: tuple, kwargs: dict) -> list:
        """The call positions (int) and keywords (str) that are declared state in this call."""
        return [i for i in range(len(args)) if self.name_of(i) in self.declared] + \
            [k for k in kwargs if k in self.declared]


# The contract of a call to a proxy that has none (a method, a callable the student's code returned): it
# declares nothing, and its function is not graded.
NO_CONTRACT = CallContract("", graded=False)


@dataclass
class CallInFlight:
    """A call this side made, while its answer is awaited: what the answer may write back, and where."""
    args: tuple
    kwargs: dict
    ids: dict                       # position (str) -> id of a mutable argument the callee may keep shared
    contract: CallContract | None   # None: the caller does not guard its arguments (everything comes back)
    proxy: object                   # the callee
    allowed: list | None = None     # the contract's positions in this call (None: all)

    def argument(self, position):
        if type(position) is int:
            return self.args[position] if 0 <= position < len(self.args) else None
        return self.kwargs.get(position) if type(position) is str else None

    def function_label(self) -> str:
        contract = self.contract
        return contract.function if contract is not None and contract.function else "a function of the student's"


class ArgumentGuard:
    """The caller's side of a call (call, then what the answer may write back) and the callee's (what it
    reports changed)."""

    # --- the caller ----------------------------------------------------------------------------------
    def call(self, proxy, args: tuple, kwargs: dict):
        """Call the other side's object. Mutable arguments get ids, so that the callee can keep them shared
        when what it returns lives on (a generator, an object) and may change them later. A side that guards
        its arguments sends the declared positions (none for a proxy without a contract)."""
        ids = {}
        for position, value in enumerate(args):
            if is_mutable(value):
                ids[str(position)] = self._next_arg
                self._next_arg += 1
        for position, value in kwargs.items():
            if is_mutable(value):
                ids[str(position)] = self._next_arg
                self._next_arg += 1
        message = Call(proxy, args, kwargs, ids)
        pending = CallInFlight(args, kwargs, ids, None, proxy)
        if self.policy.guards_arguments:
            contract = self._contracts.get(object.__getattribute__(proxy, "_id")) or NO_CONTRACT
            pending.contract, pending.allowed = contract, contract.positions(args, kwargs)
            message.declared, message.check = list(pending.allowed), contract.graded
        return self.request(message, writeback=pending)

    def _write_back(self, call: CallInFlight, changes, decoder: Decoder) -> list:
        """Write the callee's changes to declared state into the caller's objects; the positions of other
        changes (never written back) are returned."""
        allowed, breaches = call.allowed, []
        for item in changes:
            if type(item) is not list or not 1 <= len(item) <= 2 or type(item[0]) not in (int, str):
                raise WireError("a malformed write-back")
            if allowed is not None and item[0] not in allowed or len(item) == 1:
                breaches.append(item[0])
                continue
            target = call.argument(item[0])
            if target is not None:
                sync_into(target, decoder.decode(item[1]))
        return breaches

    def _keep_arguments(self, call: CallInFlight, kept) -> None:
        if not kept:
            return
        by_id = {n: p for p, n in call.ids.items()}
        contract, allowed = call.contract, call.allowed
        for n in kept if type(kept) is list else []:
            position = by_id.get(n)
            if position is None:
                continue
            position = int(position) if position.isdigit() else position
            target = call.argument(position)
            if target is not None:
                forbidden = None if allowed is None or position in allowed else \
                    mutation_message(call.function_label(), contract.name_of(position), contract.declared)
                self._shared[("arg", "mine", n)] = [target, self._fingerprint(target), forbidden]

    def _contract_breaches(self, call: CallInFlight, breaches: list, reported) -> None:
        """Record each contract the call broke (request() raises the first): an argument changed outside its
        declared state (seen by the callee's fingerprints), NumPy's global random state used, a mutable
        default argument changed."""
        contract, errors = call.contract, []
        if not breaches and not (type(reported) is list and reported):
            return
        function = call.function_label()
        if not contract.function:  # a method or a returned callable: its own name, as the student wrote it
            try:
                name = self.request(GetAttr(call.proxy, "__name__"))
                function = name[:60] if type(name) is str and name.isidentifier() else function
            except Exception:  # noqa: BLE001 - a name for a message only
                pass
        for position in breaches:
            errors.append(ContractError(mutation_message(function, contract.name_of(position), contract.declared)))
        for item in reported if type(reported) is list and contract.graded else []:
            if item == ["rng"]:
                errors.append(ContractError(global_rng_message(function)))
            elif type(item) is list and len(item) == 2 and item[0] == "default" and type(item[1]) is str:
                errors.append(ContractError(defaults_message(function, item[1][:100])))
        for exc in errors:
            self._violation(exc)

    # --- the callee ----------------------------------------------------------------------------------
    def _snapshots(self, arguments):
        args, kwargs = arguments
        items = list(enumerate(args)) + list(kwargs.items())
        return {pos: self._fingerprint(v) for pos, v in items if is_mutable(v)}

    def _changes(self, arguments, before, enc, declared=None):
        """[position, value] for each changed argument the caller declared (or any, declared None), and
        [position] alone for any other changed argument: the caller never takes that value."""
        args, kwargs = arguments
        out = []
        for pos, fp in before.items():
            value = args[pos] if type(pos) is int else kwargs[pos]
            if self._fingerprint(value) != fp:
                out.append([pos, enc.encode(value)] if declared is None or pos in declared else [pos])
        return out

    def _share_arguments(self, arguments, ids: dict) -> list:
        """What a call returned lives on and may still change its arguments: keep them shared."""
        args, kwargs = arguments
        kept = []
        for position, n in ids.items():
            if type(n) is not int or type(position) is not str:
                continue
            value = args[int(position)] if position.isdigit() and int(position) < len(args) else kwargs.get(position)
            if value is not None and is_mutable(value):
                self._shared[("arg", "peer", n)] = [value, self._fingerprint(value)]
                kept.append(n)
        return kept

    def _broken_contracts(self, function, checks) -> list:
        """What a graded function's call did beyond its arguments: used NumPy's global random state, changed
        a mutable default argument (course_lib.contracts, the same checks a visible test runs)."""
        rng_before, defaults_before = checks
        out = [["rng"]] if global_rng_fingerprint() != rng_before else []
        for name, digest in defaults_fingerprint(function).items():
            if defaults_before.get(name) != digest:
                out.append(["default", name])
        return out
