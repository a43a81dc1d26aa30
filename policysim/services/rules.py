"""Rules of the services that stand beyond the policies: resources the account cannot change whatever it allows.

- Resources AWS owns are not the account's to change, whatever its policies say: AWS managed policies, roles under
  `/aws-reserved/` (IAM Identity Center), service-linked roles (changed only through their service, which calls
  `iam:DeleteServiceLinkedRole`), and AWS managed KMS key aliases `alias/aws/...`.

The refusal comes after the policies' explicit denies: "If the code finds even one explicit deny that applies, the
code returns a final decision of Deny" (reference_policies_evaluation-logic.md), so a Deny that applies is reported
as `explicitDeny`, and only a request no Deny refuses gets this rule's `implicitDeny`. STS's own rules are in
`services/sts.py`.
"""

from __future__ import annotations

import re

from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Gate, ReasonCode
from policysim.identifiers import ACCOUNT_PATTERN
from policysim.request import Principal, Request
from policysim.services.sts import TRUST_ACTIONS, UNDENIABLE_ACTIONS, caller_refusal

_MODIFYING = re.compile(
    r"^(create|delete|put|update|attach|detach|tag|untag|set|add|remove|upload|enable|disable|schedule|cancel"
    r"|rotate|replicate|import|associate|disassociate)"
)
_AWS_MANAGED_POLICY = re.compile(r"arn:[a-z0-9-]+:iam::aws:policy/")
_RESERVED_ROLE = re.compile(rf"arn:[a-z0-9-]+:iam::{ACCOUNT_PATTERN}:role/aws-reserved/")
_SERVICE_LINKED_ROLE = re.compile(rf"arn:[a-z0-9-]+:iam::{ACCOUNT_PATTERN}:role/aws-service-role/")
_AWS_KMS_ALIAS = re.compile(rf"arn:[a-z0-9-]+:kms:[a-z0-9-]*:{ACCOUNT_PATTERN}:alias/aws/")
_SLR_SANCTIONED = frozenset({"iam:deleteservicelinkedrole", "iam:getservicelinkedroledeletionstatus"})


def owned_resource_refusal(request: Request) -> Outcome | None:
    """The refusal of a change to an AWS-owned resource, or None when the policies decide."""
    owned = _owned_change(request.resource, request.action_lower)
    if owned is None:
        return None
    facts = (("resource", request.resource), ("owned", owned), ("action", request.action))
    reason = Reason(Gate.SERVICE, Decision.IMPLICIT_DENY, ReasonCode.AWS_OWNED_RESOURCE, facts=facts)
    return Outcome(Decision.IMPLICIT_DENY, (Gate.SERVICE,), (reason,), request)


def _owned_change(resource: str, action_lower: str) -> str | None:
    """What kind of AWS-owned resource `resource` is, when `action_lower` would change it (and may not), else None."""
    owned = aws_owned(resource)
    if owned is None or not _modifies(action_lower):
        return None
    return None if owned == "service-linked role" and action_lower in _SLR_SANCTIONED else owned


def rules_quiet(principal: Principal, action_lower: str, resource: str) -> bool:
    """Can no service rule answer for `principal` doing `action_lower` on `resource`: no STS refusal of the caller,
    no authentication operation (which no policy controls), no change to an AWS-owned resource? The rules read only
    these three, so an evaluation plan asks once for all its requests; a rule that comes to read more (the context,
    MFA) must be told apart here (tests/engine/test_rules_quiet.py holds this equal to the rules)."""
    if caller_refusal(principal, action_lower) is not None or action_lower in UNDENIABLE_ACTIONS:
        return False
    return _owned_change(resource, action_lower) is None


def rule_trait(action_lower: str) -> str:
    """How the service rules treat an action: actions with the same trait are treated alike, whatever the resource."""
    if action_lower in UNDENIABLE_ACTIONS or action_lower in TRUST_ACTIONS or action_lower in _SLR_SANCTIONED:
        return action_lower
    return "modifying" if _modifies(action_lower) else ""


def _modifies(action_lower: str) -> bool:
    """Does the action's verb change a resource (what AWS-owned resources refuse)?"""
    verb = action_lower.split(":", 1)[1] if ":" in action_lower else action_lower
    return _MODIFYING.match(verb) is not None


def aws_owned(resource: str) -> str | None:
    """What kind of AWS-owned resource `resource` is, or None."""
    if _AWS_MANAGED_POLICY.match(resource):
        return "managed policy"
    if _RESERVED_ROLE.match(resource):
        return "reserved role"
    if _SERVICE_LINKED_ROLE.match(resource):
        return "service-linked role"
    if _AWS_KMS_ALIAS.match(resource):
        return "KMS key alias"
    return None
