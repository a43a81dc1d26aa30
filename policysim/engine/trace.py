"""The full reasoning for one request, statement by statement: opt-in, off the hot path.

It asks the same compiled matchers the engine asks, so a trace cannot disagree with a decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from policysim.compiled import CompiledPolicy, CompiledStatement, StatementRef
from policysim.conditions import ClauseResult
from policysim.engine.policies import PolicySet
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


def trace_statement(statement: CompiledStatement, request: Request, bounded: bool = False) -> StatementTrace:
    """Match one statement part by part (`bounded`: the caller has a permissions boundary)."""
    ctx = request.context
    resource = None if statement.resources is None else statement.resources.matches(request.resource, ctx)
    principal = None
    if statement.principals is not None:
        principal = statement.names(request.principal, bounded) is not None
    conditions = tuple(statement.condition.explain(ctx)) if statement.condition is not None else ()
    return StatementTrace(
        statement.ref, statement.actions.matches(request.action_lower), resource, principal, conditions
    )


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
    return [
        PolicyTrace(role, policy, tuple(trace_statement(s, request, bounded) for s in policy.statements))
        for role, policy in groups
    ]
