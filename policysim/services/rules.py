"""Rules of the services that stand beyond the policies: they decide before (or instead of) the policies.

- `sts:GetCallerIdentity` needs no permission: "No permissions are required to perform this operation. If an
  administrator attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
  action, you can still perform this operation." (STS API reference, GetCallerIdentity)
- Resources AWS owns are not the account's to change, whatever its policies say: AWS managed policies, roles under
  `/aws-reserved/` (IAM Identity Center), service-linked roles (changed only through their service, which calls
  `iam:DeleteServiceLinkedRole`), and AWS managed KMS key aliases `alias/aws/...`.
"""

from __future__ import annotations

import re

from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Gate
from policysim.request import PrincipalKind, Request

_MODIFYING = re.compile(
    r"^(create|delete|put|update|attach|detach|tag|untag|set|add|remove|upload|enable|disable|schedule|cancel"
    r"|rotate|replicate|import|associate|disassociate)"
)
_AWS_MANAGED_POLICY = re.compile(r"^arn:[\w-]+:iam::aws:policy/")
_RESERVED_ROLE = re.compile(r"^arn:[\w-]+:iam::\d{12}:role/aws-reserved/")
_SERVICE_LINKED_ROLE = re.compile(r"^arn:[\w-]+:iam::\d{12}:role/aws-service-role/")
_AWS_KMS_ALIAS = re.compile(r"^arn:[\w-]+:kms:[\w-]*:\d{12}:alias/aws/")
#: allowed to every signed-in caller whatever the policies say
UNDENIABLE_ACTIONS = frozenset({"sts:getcalleridentity"})
_SLR_SANCTIONED = frozenset({"iam:deleteservicelinkedrole", "iam:getservicelinkedroledeletionstatus"})


def service_rule(request: Request) -> Outcome | None:
    """An outcome a service imposes regardless of policies, or None when the policies decide."""
    action = request.action_lower
    if action in UNDENIABLE_ACTIONS and request.principal.kind is not PrincipalKind.ANONYMOUS:
        reason = Reason(
            Gate.SERVICE, Decision.ALLOWED, "sts:GetCallerIdentity needs no permission and cannot be denied"
        )
        return Outcome(Decision.ALLOWED, (Gate.SERVICE,), (reason,), request)
    owned = aws_owned(request.resource)
    if owned is None:
        return None
    if not _modifies(action) or (owned == "service-linked role" and action in _SLR_SANCTIONED):
        return None
    reason = Reason(
        Gate.SERVICE,
        Decision.IMPLICIT_DENY,
        f"`{request.resource}` is an AWS-owned {owned}: no policy can grant `{request.action}` on it",
    )
    return Outcome(Decision.IMPLICIT_DENY, (Gate.SERVICE,), (reason,), request)


def rule_trait(action_lower: str) -> str:
    """How `service_rule` treats an action: actions with the same trait are treated alike, whatever the resource."""
    if action_lower in UNDENIABLE_ACTIONS or action_lower in _SLR_SANCTIONED:
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
