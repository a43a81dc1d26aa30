"""The words of every reason and diagnostic code: one table, read by `Reason.message` and `Explanation`, by the
reporters and by the AWS-message module (services/messages.py). Nothing else spells a reason out.

A code's words may name facts of the case (`{target}`, `{resource}`, ...), which the reason or diagnostic carries.
A refusal a service answers with its own error names that error here too (`ValidationError`, ...): a reason's
`aws_error` comes from this table, never from the code that refused.
"""

from __future__ import annotations

from typing import NamedTuple

from policysim.enums import DiagnosticCode, ReasonCode

Facts = tuple[tuple[str, str], ...]  # (name, value) pairs: hashable, in the order they were given


class Words(NamedTuple):
    """How a code reads, and the AWS error a service answers it with (None: no error of its own)."""

    text: str
    aws_error: str | None = None


_R = ReasonCode
_ACCESS_DENIED = "AccessDenied"
_VALIDATION = "ValidationError"

WORDS: dict[ReasonCode | DiagnosticCode, Words] = {
    # the policies (engine/decide.py)
    _R.EXPLICIT_DENY: Words("an applicable Deny statement"),
    _R.RCP_NO_ALLOW: Words("no RCP attached to {target} allows the request"),
    _R.SCP_NO_ALLOW: Words("no SCP attached to {target} allows the request"),
    _R.VPC_ENDPOINT_NO_ALLOW: Words("the policy of {target}, which the request travels through, does not allow it"),
    _R.PARTITION_CROSSED: Words(
        "the caller is in partition `{caller}`, the resource in `{resource}`: access never crosses partitions"
    ),
    _R.UNKNOWN_DECIDES: Words(
        "undetermined: {policy} is unknown ({reason}; {source}): {if_allows} if it allows the request, "
        "{if_denies} if it denies it"
    ),
    _R.RESOURCE_POLICY_ABSENT: Words("{why}"),  # the world says why: a key or role whose policy the input lacks
    _R.RESOURCE_NO_ALLOW: Words("no resource-based policy allows the caller"),
    _R.TRUST_NO_ALLOW: Words("the role's trust policy does not allow the caller"),
    _R.CROSS_ACCOUNT_NO_ALLOW: Words(
        "cross-account access needs a resource-based policy that allows the caller; none does"
    ),
    _R.IDENTITY_NO_ALLOW: Words("no identity-based policy allows the action"),
    _R.BOUNDARY_NO_ALLOW: Words("the permissions boundary does not allow the action"),
    _R.SESSION_NO_ALLOW: Words("the session policy does not allow the action"),
    _R.ROOT_ALLOWS: Words("the account root user has full access to its account"),
    _R.IDENTITY_ALLOWS: Words("allowed by an identity-based policy"),
    _R.BOUNDARY_ALLOWS: Words("allowed by the boundary policy"),
    _R.SESSION_ALLOWS: Words("allowed by the session policy"),
    _R.RESOURCE_ALLOWS: Words("allowed by the resource policy, which names the {how}"),
    _R.TRUST_ALLOWS: Words("allowed by the trust policy, which names the {how}"),
    _R.VPC_ENDPOINT_ALLOWS: Words("the policy of {target}, which the request travels through, allows it"),
    # the services' own rules (services/)
    _R.AWS_OWNED_RESOURCE: Words("`{resource}` is an AWS-owned {owned}: no policy can grant `{action}` on it"),
    _R.NEEDS_NO_PERMISSION: Words("`{action}` needs no permission and cannot be denied"),
    _R.ROOT_CANNOT_ASSUME: Words(
        "the account root user cannot assume a role (Roles may not be assumed by root accounts)", _ACCESS_DENIED
    ),
    _R.UNSIGNED_ASSUME: Words("AssumeRole needs signed credentials", "MissingAuthenticationToken"),
    _R.FEDERATED_CANNOT_ASSUME: Words(
        "a federated user's credentials cannot call STS to assume a role", _ACCESS_DENIED
    ),
    _R.UNSIGNED_AUTHENTICATION: Words("`{action}` needs signed credentials", "MissingAuthenticationToken"),
    _R.SESSION_TOKEN_NEEDS_LONG_TERM: Words(
        "GetSessionToken must be called with the long-term credentials of an IAM user or the root user",
        _ACCESS_DENIED,
    ),
    # AssumeRole's request validation (flows/assume_role.py)
    _R.ASSUME_ACROSS_PARTITIONS: Words("a role cannot be assumed from another partition", _ACCESS_DENIED),
    _R.INVALID_SESSION_NAME: Words("RoleSessionName `{name}` must be 2-64 characters of [\\w+=,.@-]", _VALIDATION),
    _R.INVALID_EXTERNAL_ID: Words("ExternalId must be 2-1224 characters of [\\w+=,.@:/-]", _VALIDATION),
    _R.INVALID_SOURCE_IDENTITY: Words("SourceIdentity must be 2-64 characters and not start with `aws:`", _VALIDATION),
    _R.DURATION_OUT_OF_RANGE: Words("DurationSeconds {duration} must be between 900 and 43200", _VALIDATION),
    _R.DURATION_OVER_MAX_SESSION: Words(
        "DurationSeconds {duration} exceeds the MaxSessionDuration {maximum} of `{role}`", _VALIDATION
    ),
    _R.DURATION_OVER_CHAINING_LIMIT: Words(
        "DurationSeconds {duration} exceeds the 1 hour session limit for roles assumed by role chaining", _VALIDATION
    ),
    _R.SESSION_POLICY_TOO_LARGE: Words(
        "the session policy has {chars} characters; the limit is {limit}", "PackedPolicyTooLarge"
    ),
    _R.TOO_MANY_SESSION_POLICY_ARNS: Words("at most {limit} managed session policy ARNs", _VALIDATION),
    _R.TOO_MANY_SESSION_TAGS: Words("at most {limit} session tags", _VALIDATION),
    _R.SESSION_TAG_TOO_LONG: Words("session tag `{key}`: keys are 1-128 and values 0-256 characters", _VALIDATION),
    _R.TRANSITIVE_KEY_NOT_A_TAG: Words("transitive tag key `{key}` is not a session tag", "InvalidParameterValue"),
    # findings about policies (compile.py)
    DiagnosticCode.VARIABLE_UNSUPPORTED_IN_VERSION: Words(
        "policy variables are literal text unless Version is `2012-10-17`"
    ),
}


def text(code: ReasonCode | DiagnosticCode, facts: Facts = ()) -> str:
    """The words of `code`, with the facts of the case filled in."""
    template = WORDS[code].text
    return template.format_map(dict(facts)) if facts else template


def aws_error(code: ReasonCode) -> str | None:
    """The error a service answers a refusal with (`AccessDenied`, `ValidationError`, ...), or None."""
    return WORDS[code].aws_error


def check_words() -> None:
    """Fail at import if a code has no words (the table and the vocabularies are kept in step)."""
    missing = [code for code in (*ReasonCode, *DiagnosticCode) if code not in WORDS]
    if missing:  # pragma: no cover - a programming error
        raise RuntimeError(f"codes without words: {missing}")


check_words()
