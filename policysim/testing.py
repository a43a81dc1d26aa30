"""Assertions for test suites: the explanation is in the failure message."""

from __future__ import annotations

from typing import Any

from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.scenario.api import Scenario


def _check(outcome: Outcome, wanted: set[Decision], what: str) -> Outcome:
    if outcome.decision not in wanted:
        raise AssertionError(f"expected {what}, got {outcome.decision.value}\n{outcome.explain()}")
    return outcome


def assert_allowed(world: Scenario, principal: str, action: str, resource: str, **options: Any) -> Outcome:
    """Assert that AWS would allow the request; returns the outcome."""
    return _check(world.evaluate(principal, action, resource, **options), {Decision.ALLOWED}, "allowed")


def assert_denied(
    world: Scenario, principal: str, action: str, resource: str, *, explicit: bool | None = None, **options: Any
) -> Outcome:
    """Assert that AWS would deny the request (`explicit=True`: by an explicit Deny; `False`: implicitly)."""
    wanted = {Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY}
    what = "denied"
    if explicit is True:
        wanted, what = {Decision.EXPLICIT_DENY}, "explicitDeny"
    elif explicit is False:
        wanted, what = {Decision.IMPLICIT_DENY}, "implicitDeny"
    outcome = world.evaluate(principal, action, resource, **options)
    if explicit is None and outcome.denied_anyway:
        return outcome  # denied whatever the model's unknowns hold
    return _check(outcome, wanted, what)
