"""AWS's authorization algorithm on one screen (reference_policies_evaluation-logic.md and
reference_policies_evaluation-logic-cross-account.md): explicit deny, then RCPs, SCPs, then the resource-based,
identity, boundary and session policies, with the same-account and cross-account rules.
"""

from __future__ import annotations

from policysim.compiled import StatementRef
from policysim.engine.outcome import Outcome, Reason
from policysim.engine.policies import PolicySet
from policysim.engine.scan import Findings, scan
from policysim.enums import Decision, Gate, ReasonCode
from policysim.ir.principal import PrincipalMatch
from policysim.request import Request

# Named so in a same-account resource-based policy, the caller needs nothing else: "When you specify an IAM user
# ARN ... the implicit deny in the identity-based policy or permissions boundary does not affect" / session ARN
# likewise overrides identity, boundary and session policy; "*" with aws:PrincipalArn is not limited by them either.
BYPASS_ALL = frozenset({PrincipalMatch.USER, PrincipalMatch.SESSION, PrincipalMatch.WILDCARD})


def decide(request: Request, policies: PolicySet) -> Outcome:
    """The decision AWS makes for `request` given `policies`."""
    missing: set[str] = set()
    identity = scan(policies.identity, request, missing)
    boundary = scan((policies.boundary,), request, missing) if policies.boundary else None
    session = scan(policies.session, request, missing) if policies.session is not None else None
    bounded = policies.boundary is not None
    resource = scan((policies.resource,), request, missing, bounded) if policies.resource else None
    scps = [(name, scan(level, request, missing)) for name, level in policies.scp_levels]
    rcps = [(name, scan(level, request, missing)) for name, level in policies.rcp_levels]
    resource_gate = policies.resource_gate

    # 1. An explicit Deny in any policy ends the evaluation.
    denies = [*identity.denies, *_denies(boundary), *_denies(session), *_denies(resource)]
    denies += [ref for _, f in scps for ref in f.denies] + [ref for _, f in rcps for ref in f.denies]
    if denies:
        reasons = tuple(
            Reason(Gate.of(ref.kind), Decision.EXPLICIT_DENY, ReasonCode.EXPLICIT_DENY, ref) for ref in denies
        )
        return _outcome(
            Decision.EXPLICIT_DENY, reasons, request, policies, missing, identity, boundary, session, resource
        )

    # 2-3. Every level of the resource account's RCPs, then of the principal account's SCPs, must allow.
    for gate, levels, code in ((Gate.RCP, rcps, ReasonCode.RCP_NO_ALLOW), (Gate.SCP, scps, ReasonCode.SCP_NO_ALLOW)):
        for name, found in levels:
            if not found.allows:
                reason = Reason(gate, Decision.IMPLICIT_DENY, code, facts=(("target", name),))
                return _outcome(
                    Decision.IMPLICIT_DENY, (reason,), request, policies, missing, identity, boundary, session, resource
                )

    # "Roles and resource-based policies delegate access only within a partition" (tutorial_cross-account-with-roles).
    principal_partition = request.principal.partition
    if request.principal.is_aws_account_identity and principal_partition != request.resource_partition:
        where = (("caller", principal_partition), ("resource", request.resource_partition))
        reason = Reason(Gate.RESOURCE, Decision.IMPLICIT_DENY, ReasonCode.PARTITION_CROSSED, facts=where)
        return _outcome(Decision.IMPLICIT_DENY, (reason,), request, policies, missing, identity, boundary, session)

    # 4-7. Resource-based policy, identity policies, permissions boundary, session policy.
    identity_ok = policies.root or bool(identity.allows)
    boundary_ok = boundary is None or bool(boundary.allows)
    session_ok = session is None or bool(session.allows)
    caller_side = identity_ok and boundary_ok and session_ok
    resource_best = resource.best_match if resource and resource.allows else None
    principal = request.principal
    same_account = principal.account is not None and principal.account == request.resource_account

    failing: list[Reason] = []
    if policies.resource_must_allow and resource_best is None:
        why = policies.absent_resource_policy if policies.resource is None else None
        if why:
            failing.append(
                Reason(resource_gate, Decision.IMPLICIT_DENY, ReasonCode.RESOURCE_POLICY_ABSENT, facts=(("why", why),))
            )
        else:
            failing.append(Reason(resource_gate, Decision.IMPLICIT_DENY, _no_allow(resource_gate)))
    elif not principal.is_aws_account_identity:
        # Anonymous callers and service principals have only what a resource-based policy grants them.
        if resource_best is None:
            failing.append(Reason(resource_gate, Decision.IMPLICIT_DENY, _no_allow(resource_gate)))
    elif same_account and resource_best in BYPASS_ALL:
        pass  # the resource-based policy names this very caller: enough on its own
    elif same_account and resource_best is PrincipalMatch.ROLE:
        failing += _caller_failures(True, boundary_ok, session_ok)
    elif same_account and not policies.resource_must_allow:
        if not caller_side:
            failing += _caller_failures(identity_ok, boundary_ok, session_ok)
    else:
        # Cross-account (or a trust/key policy that names only the account): both sides must allow.
        failing += _caller_failures(identity_ok, boundary_ok, session_ok)
        if not same_account and resource_best is None:
            failing.append(Reason(resource_gate, Decision.IMPLICIT_DENY, _no_allow(resource_gate, cross=True)))

    if failing:
        return _outcome(
            Decision.IMPLICIT_DENY, tuple(failing), request, policies, missing, identity, boundary, session, resource
        )
    reasons = _allow_reasons(policies, identity, boundary, session, resource, same_account, resource_best)
    return _outcome(Decision.ALLOWED, reasons, request, policies, missing, identity, boundary, session, resource)


_ALLOWED_BY = {
    Gate.IDENTITY: ReasonCode.IDENTITY_ALLOWS,
    Gate.BOUNDARY: ReasonCode.BOUNDARY_ALLOWS,
    Gate.SESSION: ReasonCode.SESSION_ALLOWS,
}


def _denies(found: Findings | None) -> list[StatementRef]:
    return found.denies if found else []


def _no_allow(gate: Gate, cross: bool = False) -> ReasonCode:
    if gate is Gate.TRUST:
        return ReasonCode.TRUST_NO_ALLOW
    return ReasonCode.CROSS_ACCOUNT_NO_ALLOW if cross else ReasonCode.RESOURCE_NO_ALLOW


def _caller_failures(identity_ok: bool, boundary_ok: bool, session_ok: bool) -> list[Reason]:
    out = []
    if not identity_ok:
        out.append(Reason(Gate.IDENTITY, Decision.IMPLICIT_DENY, ReasonCode.IDENTITY_NO_ALLOW))
    if not boundary_ok:
        out.append(Reason(Gate.BOUNDARY, Decision.IMPLICIT_DENY, ReasonCode.BOUNDARY_NO_ALLOW))
    if not session_ok:
        out.append(Reason(Gate.SESSION, Decision.IMPLICIT_DENY, ReasonCode.SESSION_NO_ALLOW))
    return out


def _allow_reasons(
    policies: PolicySet,
    identity: Findings,
    boundary: Findings | None,
    session: Findings | None,
    resource: Findings | None,
    same_account: bool,
    resource_best: PrincipalMatch | None,
) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    if policies.root:
        reasons.append(Reason(Gate.ROOT, Decision.ALLOWED, ReasonCode.ROOT_ALLOWS))
    if identity.allows:
        reasons.append(Reason(Gate.IDENTITY, Decision.ALLOWED, _ALLOWED_BY[Gate.IDENTITY], identity.allows[0]))
    for gate, found in ((Gate.BOUNDARY, boundary), (Gate.SESSION, session)):
        if found is not None and found.allows:
            reasons.append(Reason(gate, Decision.ALLOWED, _ALLOWED_BY[gate], found.allows[0]))
    if resource is not None and resource.allows:
        gate = policies.resource_gate
        how = resource_best.name.lower().replace("_", " ") if resource_best else "caller"
        code = ReasonCode.TRUST_ALLOWS if gate is Gate.TRUST else ReasonCode.RESOURCE_ALLOWS
        reasons.append(Reason(gate, Decision.ALLOWED, code, resource.allows[0], facts=(("how", how),)))
    return tuple(reasons)


def _outcome(
    decision: Decision,
    reasons: tuple[Reason, ...],
    request: Request,
    policies: PolicySet,
    missing: set[str],
    *found: Findings | None,
) -> Outcome:
    gates = (reasons[0].gate,) if len(reasons) == 1 else tuple(dict.fromkeys(r.gate for r in reasons))
    matched: list[StatementRef] = []
    for findings in found:
        if findings is not None:
            matched += findings.denies
            matched += findings.allows
    keys = tuple(sorted(missing)) if missing else ()
    return Outcome(decision, gates, reasons, request, keys, tuple(matched), policies=policies)
