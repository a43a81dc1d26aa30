"""STS's own rules: which callers may make an STS request at all, and which STS requests no policy controls.

One set of rules for every entry point (scenario tests, `explain`, the API, both simulate twins and `diff`): the
evaluator applies them before the policies are read.

- The trust actions are authorized by the role's trust policy (its only resource-based policy). "You must also
  have permissions for `sts:TagSession` and `sts:SetSourceIdentity` in the role trust policy" when passing session
  tags or a source identity (id_session-tags.md, id_credentials_temp_control-access_monitor.md); `sts:SetContext`
  likewise for trusted identity propagation. Other actions on a role (`iam:GetRole`, `iam:PassRole`) have no
  resource-based policy.
- The root user cannot make them: "You cannot switch to a role when you sign in as the AWS account root user"
  (tutorial_cross-account-with-roles.md); STS answers "Roles may not be assumed by root accounts".
- A federated user (GetFederationToken credentials) cannot call STS operations other than GetCallerIdentity (STS
  API reference, GetFederationToken, "Permissions"): policysim refuses its trust actions (denying can only be safe).
- `sts:GetCallerIdentity`: "No permissions are required to perform this operation. If an administrator attaches a
  policy to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can still perform
  this operation." (STS API reference, GetCallerIdentity)
- `sts:GetSessionToken`: "No permissions are required for a user to get a session token. The purpose of the
  GetSessionToken operation is to authenticate the user using MFA. You cannot use policies to control
  authentication operations." and "Although you can include GetSessionToken in a policy, it has no effect on the
  user's ability to perform GetSessionToken." (id_credentials_temp_control-access_getsessiontoken.md). It must be
  called with long-term credentials of an IAM user or the root user, not from a session ("The GetSessionToken
  operation must be called by using the long-term AWS security credentials of an IAM user", STS API reference).
"""

from __future__ import annotations

from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Gate, ReasonCode
from policysim.request import Principal, PrincipalKind, Request

#: actions a role's trust policy authorizes (lowercased)
TRUST_ACTIONS = frozenset({"sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext"})
#: authentication operations: no policy grants or denies them (lowercased)
UNDENIABLE_ACTIONS = frozenset({"sts:getcalleridentity", "sts:getsessiontoken"})
_LONG_TERM_ONLY = frozenset({"sts:getsessiontoken"})
_LONG_TERM_CALLERS = frozenset({PrincipalKind.USER, PrincipalKind.ROOT})


def refused(code: ReasonCode, request: Request | None = None, gate: Gate = Gate.SERVICE, **facts: object) -> Outcome:
    """An STS refusal made before any policy is read; STS's error name comes with the code (engine/words.py)."""
    reason = Reason(gate, Decision.IMPLICIT_DENY, code, facts=tuple((k, str(v)) for k, v in facts.items()))
    return Outcome(Decision.IMPLICIT_DENY, (gate,), (reason,), request)


def caller_refusal(principal: Principal, action_lower: str, request: Request | None = None) -> Outcome | None:
    """The refusal STS gives `principal` for `action_lower` whatever the policies say, or None."""
    kind = principal.kind
    if action_lower in TRUST_ACTIONS:
        if kind is PrincipalKind.ROOT:
            return refused(ReasonCode.ROOT_CANNOT_ASSUME, request)
        if kind is PrincipalKind.ANONYMOUS:
            return refused(ReasonCode.UNSIGNED_ASSUME, request)
        if kind is PrincipalKind.FEDERATED_USER:
            return refused(ReasonCode.FEDERATED_CANNOT_ASSUME, request)
        return None
    if action_lower in UNDENIABLE_ACTIONS:
        if kind is PrincipalKind.ANONYMOUS:
            return refused(ReasonCode.UNSIGNED_AUTHENTICATION, request, action=action_lower)
        if action_lower in _LONG_TERM_ONLY and kind not in _LONG_TERM_CALLERS:
            return refused(ReasonCode.SESSION_TOKEN_NEEDS_LONG_TERM, request)
    return None


def undeniable(request: Request) -> Outcome | None:
    """An allowed outcome for an authentication operation that no policy controls, or None."""
    action = request.action_lower
    if action not in UNDENIABLE_ACTIONS:
        return None
    reason = Reason(Gate.SERVICE, Decision.ALLOWED, ReasonCode.NEEDS_NO_PERMISSION, facts=(("action", request.action),))
    return Outcome(Decision.ALLOWED, (Gate.SERVICE,), (reason,), request)
