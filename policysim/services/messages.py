"""AWS's own words for a refused request, as the AWS CLI prints them.

The access-denied wording follows AWS's documented message format ("User: ARN is not authorized to perform: ACTION
on resource: ARN because no identity-based policy allows the ACTION action" / "with an explicit deny in an
identity-based policy"; troubleshoot_access-denied.md).
"""

from __future__ import annotations

from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Gate

_POLICY_WORDS = {
    Gate.IDENTITY: "an identity-based policy",
    Gate.RESOURCE: "a resource-based policy",
    Gate.TRUST: "a resource-based policy",
    Gate.BOUNDARY: "a permissions boundary",
    Gate.SESSION: "a session policy",
    Gate.SCP: "a service control policy",
    Gate.RCP: "a resource control policy",
}
_NO_ALLOW = {
    Gate.IDENTITY: "no identity-based policy",
    Gate.RESOURCE: "no resource-based policy",
    Gate.BOUNDARY: "no permissions boundary",
    Gate.SESSION: "no session policy",
    Gate.SCP: "no service control policy",
    Gate.RCP: "no resource control policy",
}


def error_code(outcome: Outcome) -> str:
    """The AWS error code of a refused request (`AccessDenied` unless a service rule named another)."""
    for reason in outcome.reasons:
        error = reason.aws_error
        if error:
            return error
    return "AccessDenied"


def refusal_message(outcome: Outcome, operation: str) -> str:
    """`An error occurred (CODE) when calling the OPERATION operation: ...` for a refused outcome.

    A service's refusal reads as its reason's words (engine/words.py, the table the reporters read too).
    """
    code = error_code(outcome)
    head = f"An error occurred ({code}) when calling the {operation} operation: "
    if code != "AccessDenied" or outcome.request is None:
        detail = next((r.detail for r in outcome.reasons if r.aws_error), None)
        return head + (detail or "; ".join(r.message for r in outcome.reasons))
    request = outcome.request
    text = f"User: {request.principal} is not authorized to perform: {request.action} on resource: {request.resource}"
    gate = outcome.gates[0] if outcome.gates else None
    if outcome.decision is Decision.EXPLICIT_DENY and gate in _POLICY_WORDS:
        text += f" with an explicit deny in {_POLICY_WORDS[gate]}"
    elif gate in _NO_ALLOW:
        text += f" because {_NO_ALLOW[gate]} allows the {request.action} action"
    return head + text
