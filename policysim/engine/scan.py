"""Does a statement apply to a request? Matching only; what the effect does is decided elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

from policysim.compiled import CompiledPolicy, StatementRef
from policysim.enums import Effect
from policysim.ir.principal import PrincipalMatch
from policysim.request import Request


class Findings:
    """The statements of a group of policies that apply to one request, split by effect."""

    __slots__ = ("allows", "best_match", "denies")

    def __init__(self) -> None:
        self.allows: list[StatementRef] = []
        self.denies: list[StatementRef] = []
        self.best_match: PrincipalMatch | None = None  # the most specific way an applying Allow named the caller


def scan(policies: Iterable[CompiledPolicy], request: Request, missing: set[str], bounded: bool = False) -> Findings:
    """Find the applying statements of `policies` for `request`; absent condition keys go to `missing`.

    `bounded`: the caller has a permissions boundary (which no NotPrincipal spares).
    """
    found = Findings()
    action = request.action_lower
    resource = request.resource
    ctx = request.context
    principal = request.principal
    for policy in policies:
        for statement in policy.for_action(action):
            resources = statement.resources
            if resources is not None and not resources.matches(resource, ctx):
                continue
            how: PrincipalMatch | None = None
            if statement.principals is not None:
                how = statement.names(principal, bounded)
                if how is None:
                    continue
            condition = statement.condition
            if condition is not None and not condition.evaluate(ctx, missing):
                continue
            if statement.effect is Effect.DENY:
                found.denies.append(statement.ref)
            else:
                found.allows.append(statement.ref)
                if how is not None and (found.best_match is None or how < found.best_match):
                    found.best_match = how
    return found
