"""Policy sizes against AWS's quotas (`policysim.limits`), counted as IAM counts them: characters of the compact
JSON, white space not counted ("IAM does not count white space when calculating the size of a policy against these
quotas", reference_iam-quotas.md).

POLICY_TOO_LARGE is a policy larger than the largest quota AWS can grant for its place; POLICY_SIZE_OVER_DEFAULT_QUOTA
one that fits only where the quota is larger than usual: a trust policy over the default 2,048 characters (the
quota can be raised to 4,096), or a policy file of identity permissions over the 6,144 characters of a customer
managed policy (only a role's inline policies, 10,240 together, can hold it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from policysim.enums import PolicyKind
from policysim.errors import PolicyError
from policysim.flows.assume_role import MAX_SESSION_POLICY_CHARS
from policysim.limits import (
    INLINE_AGGREGATE_CHARS,
    MANAGED_POLICY_CHARS,
    TRUST_POLICY_CHARS,
    TRUST_POLICY_DEFAULT_CHARS,
    check_inline_aggregate,
    check_managed_size,
    check_policy_size,
    policy_chars,
)

from .codes import Code
from .findings import Finding
from .policy import Attachment, InlineGroup, PolicySource

_ROLE_INLINE = INLINE_AGGREGATE_CHARS["role"]


def size_findings(source: PolicySource) -> tuple[list[Finding], bool]:
    """The size findings of one policy, and whether the compiler refuses it for its size (then it is not compiled)."""
    data, where = source.doc.data, source.doc.locate(())

    def found(code: Code, message: str, hint: str | None = None) -> Finding:
        return Finding(code, message, where, source.name, source.kind, hint=hint)

    try:
        check_policy_size(data, source.kind.value, where)  # every kind: 131,072; trust, SCP, RCP: their quota
    except PolicyError as error:
        return [found(Code.POLICY_TOO_LARGE, error.message, error.hint)], True
    chars = policy_chars(data)
    kind, attachment = source.kind, source.attachment
    try:
        if kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY) and attachment is Attachment.MANAGED:
            check_managed_size(data, where)
        elif kind is PolicyKind.BOUNDARY and attachment is Attachment.FILE:
            check_managed_size(data, where)  # a permissions boundary is always a managed policy
    except PolicyError as error:
        return [found(Code.POLICY_TOO_LARGE, error.message, error.hint)], False
    if kind is PolicyKind.SESSION and chars > MAX_SESSION_POLICY_CHARS:
        # STS: "The plaintext that you use for both inline and managed session policies can't exceed 2,048
        # characters." (AssumeRole, Policy)
        message = f"policy is too large: {chars} characters (white space not counted), the limit for a session policy "
        return [found(Code.POLICY_TOO_LARGE, message + f"is {MAX_SESSION_POLICY_CHARS}", "STS quota")], False
    if kind is PolicyKind.IDENTITY and attachment is Attachment.FILE:
        return _identity_file(chars, found), False
    if kind is PolicyKind.TRUST and chars > TRUST_POLICY_DEFAULT_CHARS:
        message = (
            f"the trust policy has {chars} characters (white space not counted): more than the default quota of "
            f"{TRUST_POLICY_DEFAULT_CHARS}, so the account needs its quota raised (at most {TRUST_POLICY_CHARS})"
        )
        return [found(Code.POLICY_SIZE_OVER_DEFAULT_QUOTA, message)], False
    return [], False


def _identity_file(chars: int, found: Callable[..., Finding]) -> list[Finding]:
    """A policy file of identity permissions: its place (managed or inline, user or role) is not known."""
    if chars > _ROLE_INLINE:
        return [
            found(
                Code.POLICY_TOO_LARGE,
                f"policy is too large: {chars} characters (white space not counted); no identity policy can hold "
                f"more than {_ROLE_INLINE} (a role's inline policies together)",
                "split the policy into customer managed policies",
            )
        ]
    if chars > MANAGED_POLICY_CHARS:
        return [
            found(
                Code.POLICY_SIZE_OVER_DEFAULT_QUOTA,
                f"the policy has {chars} characters (white space not counted): more than a customer managed policy "
                f"can hold ({MANAGED_POLICY_CHARS}); only a role's inline policies ({_ROLE_INLINE} together) can",
            )
        ]
    return []


def group_findings(groups: list[InlineGroup]) -> Iterator[Finding]:
    """POLICY_TOO_LARGE for the inline policies of one user, group or role that are too large together."""
    for group in groups:
        try:
            check_inline_aggregate(group.entity, list(group.documents), group.location)
        except PolicyError as error:
            yield Finding(
                Code.POLICY_TOO_LARGE,
                error.message,
                group.location,
                group.name,
                PolicyKind.IDENTITY,
                hint=error.hint,
            )
