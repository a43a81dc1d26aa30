"""The full reasoning for one request, statement by statement: opt-in, off the hot path.

No matcher of its own: it asks `scan` with a sink that records each statement's parts, so a trace cannot disagree
with a decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from policysim.compiled import CompiledPolicy, CompiledStatement, StatementRef
from policysim.conditions import ClauseResult
from policysim.engine.policies import PolicySet
from policysim.engine.scan import scan
from policysim.request import Request


@dataclass(frozen=True, slots=True)
class StatementTrace:
    """Why one statement applied or not."""

    ref: StatementRef
    action: bool
    resource: bool | None  # None: the policy kind has no Resource
    principal: bool | None  # None: the statement names no principal
    conditions: tuple[ClauseResult, ...]

    @property
    def applies(self) -> bool:
        """The statement applies when every part matched."""
        return (
            self.action
            and self.resource is not False
            and self.principal is not False
            and all(c.result for c in self.conditions)
        )


@dataclass(frozen=True, slots=True)
class PolicyTrace:
    """One policy considered, with the role it played (e.g. `SCP at the organization root`)."""

    role: str
    policy: CompiledPolicy
    statements: tuple[StatementTrace, ...]


class _Recorder:
    """The sink `trace` hands `scan`: it keeps what scan found for each statement, in order."""

    __slots__ = ("statements",)

    def __init__(self) -> None:
        self.statements: list[StatementTrace] = []

    def statement(
        self,
        statement: CompiledStatement,
        action: bool,
        resource: bool | None,
        principal: bool | None,
        conditions: tuple[ClauseResult, ...],
    ) -> None:
        self.statements.append(StatementTrace(statement.ref, action, resource, principal, conditions))


def trace(request: Request, policies: PolicySet) -> list[PolicyTrace]:
    """Every policy of every kind that was considered for `request`."""
    groups: list[tuple[str, CompiledPolicy]] = [("identity policy", p) for p in policies.identity]
    if policies.boundary is not None:
        groups.append(("permissions boundary", policies.boundary))
    groups += [("session policy", p) for p in policies.session or ()]
    groups += [(f"SCP at {name}", p) for name, level in policies.scp_levels for p in level]
    groups += [(f"RCP at {name}", p) for name, level in policies.rcp_levels for p in level]
    if policies.resource is not None:
        groups.append((f"{policies.resource.kind.value} policy", policies.resource))
    bounded = policies.boundary is not None
    out: list[PolicyTrace] = []
    for role, policy in groups:
        recorder = _Recorder()
        scan((policy,), request, set(), bounded, recorder)
        out.append(PolicyTrace(role, policy, tuple(recorder.statements)))
    return out
