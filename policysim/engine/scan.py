"""Does a statement apply to a request? Matching only; what the effect does is decided elsewhere.

Tracing is a sink inside this one matcher, as in OPA: without a sink, `scan` short-circuits on the first part of a
statement that does not match and costs one `None` check per statement; with one, it matches every part of every
statement and hands the sink each part's result, so a trace cannot disagree with a decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from policysim.compiled import CompiledPolicy, CompiledStatement, StatementRef
from policysim.conditions import ClauseResult
from policysim.enums import Decision, Effect
from policysim.ir.principal import PrincipalMatch
from policysim.request import Principal, Request


class Findings:
    """The statements of a group of policies that apply to one request, split by effect. Read-only once made."""

    __slots__ = ("allows", "best_match", "denies")

    def __init__(self) -> None:
        self.allows: list[StatementRef] = []
        self.denies: list[StatementRef] = []
        self.best_match: PrincipalMatch | None = None  # the most specific way an applying Allow named the caller

    def __repr__(self) -> str:
        return f"Findings(allows={self.allows!r}, denies={self.denies!r}, best_match={self.best_match!r})"

    @property
    def verdict(self) -> Decision:
        """What this group alone says: a Deny applies, else an Allow does, else nothing does."""
        if self.denies:
            return Decision.EXPLICIT_DENY
        return Decision.ALLOWED if self.allows else Decision.IMPLICIT_DENY


class Sink(Protocol):
    """What a trace records: each statement scanned, with the result of each of its parts."""

    def statement(
        self,
        statement: CompiledStatement,
        action: bool,
        resource: bool | None,
        principal: bool | None,
        conditions: tuple[ClauseResult, ...],
    ) -> None:
        """One statement: `resource` / `principal` are None when the statement has no such element."""


def scan(
    policies: Iterable[CompiledPolicy],
    request: Request,
    missing: set[str],
    bounded: bool = False,
    sink: Sink | None = None,
) -> Findings:
    """Find the applying statements of `policies` for `request`; absent condition keys go to `missing`.

    `bounded`: the caller has a permissions boundary (which no NotPrincipal spares). `sink`: record every statement
    part by part (off the hot path; see the module docstring).
    """
    found = Findings()
    action = request.action_lower
    resource = request.resource
    ctx = request.context
    principal = request.principal
    for policy in policies:
        # without a sink only the statements whose Action / NotAction covers the action (memoised per policy)
        for statement in policy.for_action(action) if sink is None else policy.statements:
            how: PrincipalMatch | None = None
            if sink is None:
                resources = statement.resources
                if resources is not None and not resources.matches(resource, ctx):
                    continue
                if statement.principals is not None:
                    how = statement.names(principal, bounded)
                    if how is None:
                        continue
                condition = statement.condition
                if condition is not None and not condition.evaluate(ctx, missing):
                    continue
            else:
                applies, how = _record(sink, statement, request, principal, missing, bounded)
                if not applies:
                    continue
            if statement.effect is Effect.DENY:
                found.denies.append(statement.ref)
            else:
                found.allows.append(statement.ref)
                if how is not None and (found.best_match is None or how < found.best_match):
                    found.best_match = how
    return found


def _record(
    sink: Sink,
    statement: CompiledStatement,
    request: Request,
    principal: Principal,
    missing: set[str],
    bounded: bool,
) -> tuple[bool, PrincipalMatch | None]:
    """Match every part of `statement` (the same matchers as the hot path), tell `sink`; does it apply, and how?"""
    ctx = request.context
    action = statement.actions.matches(request.action_lower)
    resource = None if statement.resources is None else statement.resources.matches(request.resource, ctx)
    how = None if statement.principals is None else statement.names(principal, bounded)
    named = None if statement.principals is None else how is not None
    condition = statement.condition
    sink.statement(statement, action, resource, named, tuple(condition.explain(ctx)) if condition else ())
    if not action or resource is False or named is False:
        return False, None
    # as on the hot path, a condition's absent keys count only once the other parts matched
    return condition is None or condition.evaluate(ctx, missing), how
