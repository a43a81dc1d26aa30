"""S3 Block Public Access, when the input does not say how it is set (imported estates: contracts.md section 5).

"Setting this option to TRUE restricts access to an access point or bucket with a public policy to only AWS service
principals and authorized users within the bucket owner's account. This setting blocks all cross-account access to
the access point or bucket (except by AWS service principals), while still allowing users within the account to
manage the access point or bucket." (S3 User Guide, access-control-block-public-access, RestrictPublicBuckets)

GAAD exports, Terraform plans and CloudFormation templates as policysim reads them do not give these settings, and a
public bucket policy can only be narrowed by them: a request allowed across accounts (or for the anonymous caller)
on a bucket whose policy has an Allow for `*` is `undetermined`. Any Allow naming `*` counts as public here, whatever
its conditions: AWS may not call a conditioned one public, so this can only say `undetermined` where AWS allows,
never `allowed` where AWS refuses.
"""

from __future__ import annotations

from dataclasses import replace

from policysim.compiled import CompiledPolicy, Unknown
from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Effect, Gate, ReasonCode
from policysim.request import PrincipalKind, Request

UNKNOWN_SETTINGS = Unknown(
    "S3 Block Public Access settings were not given: RestrictPublicBuckets would refuse this public grant to callers "
    "outside the bucket owner's account",
    "the imported model (no Block Public Access settings)",
)


def _public(policy: CompiledPolicy) -> bool:
    return any(
        s.effect is Effect.ALLOW and s.principals is not None and s.principals.wildcard and not s.principals_negated
        for s in policy.statements
    )


def public_access_unknown(outcome: Outcome, request: Request, owner: str | None) -> Outcome:
    """`outcome`, or `undetermined` when it allows a caller outside the owner's account through a public policy."""
    policies = outcome.policies
    if (
        not outcome.allowed
        or policies is None
        or policies.resource is None
        or not request.action_lower.startswith("s3:")
    ):
        return outcome
    caller = request.principal
    if caller.kind is PrincipalKind.SERVICE or (caller.account is not None and caller.account == owner):
        return outcome
    if not _public(policies.resource):
        return outcome
    reason = Reason(
        Gate.RESOURCE,
        Decision.UNDETERMINED,
        ReasonCode.UNKNOWN_DECIDES,
        facts=(
            ("policy", "S3 Block Public Access"),
            ("reason", UNKNOWN_SETTINGS.reason),
            ("source", UNKNOWN_SETTINGS.source),
            ("if_allows", Decision.ALLOWED.value),
            ("if_denies", Decision.IMPLICIT_DENY.value),
        ),
    )
    bounds = (Decision.ALLOWED, Decision.IMPLICIT_DENY)
    return replace(
        outcome,
        decision=Decision.UNDETERMINED,
        gates=(Gate.RESOURCE,),
        reasons=(reason,),
        unknowns=(UNKNOWN_SETTINGS,),
        bounds=bounds,
    )
