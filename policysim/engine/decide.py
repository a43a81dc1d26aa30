"""AWS's authorization algorithm on one screen (reference_policies_evaluation-logic.md and
reference_policies_evaluation-logic-cross-account.md): explicit deny, then RCPs, SCPs and the VPC endpoint's
policy, then the resource-based, identity, boundary and session policies, with the same-account and cross-account
rules.

`decide` scans each policy kind once (`analyse`), reduces the findings to the gates' results (`Facts`), and
`verdict` is one total `match` over them, written as a decision table with a comment per row (as Cedar's decision
is). The rows name their reasons by code; the words are in `engine/words.py`. The outcome keeps the analysis.
"""

from __future__ import annotations

from typing import NamedTuple

from policysim.engine.analysis import Analysis, Levels, analyse
from policysim.engine.outcome import Later, Outcome, Reason
from policysim.engine.policies import PolicySet
from policysim.enums import Decision, Gate, ReasonCode
from policysim.ir.principal import PrincipalMatch
from policysim.request import Request

ALLOWED = Decision.ALLOWED
IMPLICIT = Decision.IMPLICIT_DENY
EXPLICIT = Decision.EXPLICIT_DENY
Verdict = tuple[Decision, tuple[Reason, ...]]


def decide(request: Request, policies: PolicySet) -> Outcome:
    """The decision AWS makes for `request` given `policies`; the outcome keeps the analysis it was made from. Its
    gates and reasons are assembled from that analysis when first read (`explain`): most decisions are never
    explained."""
    missing: set[str] = set()
    analysis = analyse(request, policies, missing)
    decision = verdict(request, policies, analysis, explain=False)[0]
    keys = tuple(sorted(missing)) if missing else ()
    return Outcome(decision, LATER, LATER, request, keys, policies=policies, analysis=analysis)


def explain(outcome: Outcome) -> tuple[tuple[Gate, ...], tuple[Reason, ...]]:
    """The gates and reasons of an outcome `decide` made: the decision table's row again, with its reasons."""
    assert outcome.request is not None and outcome.policies is not None and outcome.analysis is not None
    reasons = verdict(outcome.request, outcome.policies, outcome.analysis)[1]
    gates = (reasons[0].gate,) if len(reasons) == 1 else tuple(dict.fromkeys(r.gate for r in reasons))
    return gates, reasons


LATER = Later(explain)  # an outcome's gates and reasons, until read


class Facts(NamedTuple):
    """The gates' results for one request: what `verdict` matches on."""

    denied: bool  # an explicit Deny applies, in any policy
    guardrail: tuple[Gate, str] | None  # the first RCP level, SCP level, then VPC endpoint policy, allowing nothing
    partitions_differ: bool  # an IAM caller and a resource in different partitions
    must_allow: bool  # a role trust policy or KMS key policy: the resource side must allow itself
    account_identity: bool  # a user, role session, root or federated user (not anonymous, not a service)
    same_account: bool
    resource: PrincipalMatch | None  # how the most specific applying resource-based Allow names the caller
    identity: bool  # the identity-based policies allow (the root user's always do)
    boundary: bool  # no permissions boundary, or it allows
    session: bool  # no session policy, or they allow


def facts(request: Request, policies: PolicySet, analysis: Analysis) -> Facts:
    """Reduce the findings to the gates' results."""
    principal = request.principal
    identity, boundary, session, resource, scps, rcps, endpoint = analysis
    guardrail = _refusing_level(rcps, scps) if rcps or scps else None
    if guardrail is None and endpoint is not None and not analysis.endpoint_allows(principal):
        guardrail = Gate.VPC_ENDPOINT, policies.endpoint_label
    account_identity = principal.is_aws_account_identity
    return Facts(
        bool(
            identity.denies
            or (boundary is not None and boundary.denies)
            or (session is not None and session.denies)
            or (resource is not None and resource.denies)
            or (scps and any(found.denies for _, found in scps))
            or (rcps and any(found.denies for _, found in rcps))
            or (endpoint is not None and endpoint.denies)
        ),
        guardrail,
        account_identity and principal.partition != request.resource_partition,
        policies.resource_must_allow,
        account_identity,
        principal.account is not None and principal.account == request.resource_account,
        resource.best_match if resource is not None and resource.allows else None,
        policies.root or bool(identity.allows),
        boundary is None or bool(boundary.allows),
        session is None or bool(session.allows),
    )


_GUARDRAIL_CODES = {
    Gate.RCP: ReasonCode.RCP_NO_ALLOW,
    Gate.SCP: ReasonCode.SCP_NO_ALLOW,
    Gate.VPC_ENDPOINT: ReasonCode.VPC_ENDPOINT_NO_ALLOW,
}


def _refusing_level(rcps: Levels, scps: Levels) -> tuple[Gate, str] | None:
    """The first level of the resource account's RCPs, then of the principal account's SCPs, that allows nothing."""
    for gate, levels in ((Gate.RCP, rcps), (Gate.SCP, scps)):
        for name, found in levels:
            if not found.allows:
                return gate, name
    return None


class _Named:
    """The ways a resource-based policy names the caller that the table tells apart, as plain class attributes
    (a match pattern reads them by dotted name; an enum's own attribute lookup is several times slower)."""

    USER = PrincipalMatch.USER
    SESSION = PrincipalMatch.SESSION
    WILDCARD = PrincipalMatch.WILDCARD
    ROLE = PrincipalMatch.ROLE


def verdict(request: Request, policies: PolicySet, analysis: Analysis, explain: bool = True) -> Verdict:
    """The decision and its reasons: one total match over the gates' results, read as a decision table whose columns
    are the first seven fields of `Facts` (a row ends in `*_`: it does not care about the rest). The first row that
    fits decides. Without `explain`, the reasons are left out (empty) where the decision does not need them."""
    f = facts(request, policies, analysis)
    gate = policies.resource_gate
    # fmt: off
    match f:
        #     denied  guardrail          partitions  must_allow  account_identity  same_account  resource
        case (True,   *_):
            # 1. "If the code finds even one explicit deny that applies, the code returns a final decision of Deny."
            code = ReasonCode.EXPLICIT_DENY
            denies = analysis.denies() if explain else ()
            return EXPLICIT, tuple(Reason(Gate.of(ref.kind), EXPLICIT, code, ref) for ref in denies)
        case (_,      (guard, level),    *_):
            # 2-3. Every level of the resource account's RCPs, then of the principal account's SCPs, must allow; so
            # must the policy of the VPC endpoint the request travels through: "An endpoint policy does not override
            # or replace identity-based policies or resource-based policies" (Amazon VPC, Control access to VPC
            # endpoints using endpoint policies): it grants nothing, it only limits.
            refusing = Reason(guard, IMPLICIT, _GUARDRAIL_CODES[guard], facts=(("target", level),)) if explain else None
            return IMPLICIT, (refusing,) if refusing else ()
        case (_,      _,                 True,       *_):
            # "Roles and resource-based policies delegate access only within a partition"
            # (tutorial_cross-account-with-roles).
            where = (("caller", request.principal.partition), ("resource", request.resource_partition))
            crossed = Reason(Gate.RESOURCE, IMPLICIT, ReasonCode.PARTITION_CROSSED, facts=where) if explain else None
            return IMPLICIT, (crossed,) if crossed else ()
        case (_,      _,                 _,          True,       _,                _,            None, *_):
            # 4. "IAM role trust policies and KMS key policies ... must explicitly allow access for principals":
            # nothing on the caller's side replaces them.
            return IMPLICIT, (_resource_refusal(policies),) if explain else ()
        case (_,      _,                 _,          _,          False,            _,            None, *_):
            # Anonymous callers and service principals have only what a resource-based policy grants them ...
            return IMPLICIT, (Reason(gate, IMPLICIT, _no_allow(gate)),) if explain else ()
        case (_,      _,                 _,          _,          False,            *_):
            # ... and what it grants them is theirs.
            return ALLOWED, _allow_reasons(policies, analysis, f.resource) if explain else ()
        case (_,      _,                 _,          _,          _,                True,
              _Named.USER | _Named.SESSION | _Named.WILDCARD, *_):
            # Same account, the resource-based policy names this very caller: "the implicit deny in the
            # identity-based policy or permissions boundary does not affect" it; a session ARN likewise overrides
            # identity, boundary and session policy; "*" with aws:PrincipalArn is not limited by them either.
            return ALLOWED, _allow_reasons(policies, analysis, f.resource) if explain else ()
        case (_,      _,                 _,          _,          _,                True,         _Named.ROLE, *_):
            # Same account, it names the role: no identity policy is needed, but the role session's boundary and
            # session policies still limit it.
            return _unless(_caller_failures(f, identity=True), policies, analysis, f, explain)
        case (_,      _,                 _,          False,      _,                True,         *_):
            # Same account otherwise (no resource-based policy names the caller, or it names only the account):
            # the caller's own policies decide, identity, boundary and session alike.
            return _unless(_caller_failures(f, identity=f.identity), policies, analysis, f, explain)
        case _:
            # Cross-account (or a trust/key policy that names only the account): both sides must allow.
            failing = _caller_failures(f, identity=f.identity)
            if not f.same_account and f.resource is None:
                failing.append(Reason(gate, IMPLICIT, _no_allow(gate, cross=True)))
            return _unless(failing, policies, analysis, f, explain)
    # fmt: on


def _no_allow(gate: Gate, cross: bool = False) -> ReasonCode:
    """Why the resource side (`gate`: RESOURCE, or TRUST for a role's trust policy) did not allow."""
    if gate is Gate.TRUST:
        return ReasonCode.TRUST_NO_ALLOW
    return ReasonCode.CROSS_ACCOUNT_NO_ALLOW if cross else ReasonCode.RESOURCE_NO_ALLOW


def _resource_refusal(policies: PolicySet) -> Reason:
    """A trust or key policy that must allow did not: it was not given, or it does not name the caller."""
    gate = policies.resource_gate
    why = policies.absent_resource_policy if policies.resource is None else None
    if why:
        return Reason(gate, IMPLICIT, ReasonCode.RESOURCE_POLICY_ABSENT, facts=(("why", why),))
    return Reason(gate, IMPLICIT, _no_allow(gate))


def _caller_failures(f: Facts, *, identity: bool) -> list[Reason]:
    """The caller's side: `identity` (whether it must, and does, allow), the boundary and the session policy."""
    failing = []
    if not identity:
        failing.append(Reason(Gate.IDENTITY, IMPLICIT, ReasonCode.IDENTITY_NO_ALLOW))
    if not f.boundary:
        failing.append(Reason(Gate.BOUNDARY, IMPLICIT, ReasonCode.BOUNDARY_NO_ALLOW))
    if not f.session:
        failing.append(Reason(Gate.SESSION, IMPLICIT, ReasonCode.SESSION_NO_ALLOW))
    return failing


def _unless(failing: list[Reason], policies: PolicySet, analysis: Analysis, f: Facts, explain: bool) -> Verdict:
    """Implicitly denied for the `failing` gates, or allowed when none failed (with its reasons, if `explain`)."""
    if failing:
        return IMPLICIT, tuple(failing)
    return ALLOWED, _allow_reasons(policies, analysis, f.resource) if explain else ()


def _allow_reasons(policies: PolicySet, analysis: Analysis, how: PrincipalMatch | None) -> tuple[Reason, ...]:
    """Every gate that allowed, with its first allowing statement (the VPC endpoint's policy last)."""
    reasons: list[Reason] = []
    if policies.root:
        reasons.append(Reason(Gate.ROOT, ALLOWED, ReasonCode.ROOT_ALLOWS))
    for gate, found, code in (
        (Gate.IDENTITY, analysis.identity, ReasonCode.IDENTITY_ALLOWS),
        (Gate.BOUNDARY, analysis.boundary, ReasonCode.BOUNDARY_ALLOWS),
        (Gate.SESSION, analysis.session, ReasonCode.SESSION_ALLOWS),
    ):
        if found is not None and found.allows:
            reasons.append(Reason(gate, ALLOWED, code, found.allows[0]))
    resource = analysis.resource
    if resource is not None and resource.allows:
        gate = policies.resource_gate
        code = ReasonCode.TRUST_ALLOWS if gate is Gate.TRUST else ReasonCode.RESOURCE_ALLOWS
        named = how.name.lower().replace("_", " ") if how else "caller"
        reasons.append(Reason(gate, ALLOWED, code, resource.allows[0], facts=(("how", named),)))
    endpoint = analysis.endpoint
    if endpoint is not None and endpoint.allows:
        code, label = ReasonCode.VPC_ENDPOINT_ALLOWS, (("target", policies.endpoint_label),)
        reasons.append(Reason(Gate.VPC_ENDPOINT, ALLOWED, code, endpoint.allows[0], facts=label))
    return tuple(reasons)
