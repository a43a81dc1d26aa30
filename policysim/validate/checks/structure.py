"""Checks of a policy's structure: Version, Sids, and the elements a policy kind requires or refuses.

Several of these the compiler also refuses (`compile.py`); here each gets its own code, at the same element, and
the compiler's error for that element is then not reported a second time as INVALID_POLICY.
"""

from __future__ import annotations

from collections.abc import Iterator

from policysim.compile import IAM_SID, KIND_RULES
from policysim.enums import PolicyKind

from ..codes import Code
from ..findings import Finding
from ..policy import Policy
from ..vocabulary import Vocabulary


def check_version(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """MISSING_VERSION, VARIABLE_UNSUPPORTED_IN_VERSION."""
    # "AWS recommends that you include the optional Version parameter in your policy. If you do not include a
    # Version element, [...] newer features, such as policy variables, will not work with your policy."
    # (access-analyzer-reference-policy-checks.md, General Warning - Missing version)
    if policy.version is None:
        yield policy.finding(Code.MISSING_VERSION, "the policy has no `Version`; policy variables stay literal text")
    if policy.variables:
        return
    # "If you don't set the Version to 2012-10-17 or later, variables like ${aws:username} are treated as literal
    # strings in the policy." (same page, Error - Variable unsupported in version)
    for statement in policy.statements:
        for path, text in _strings(statement.data, statement.path):
            if "${" in text:
                where = f"`Version` {policy.version}" if policy.version else "no `Version`"
                yield policy.finding(
                    Code.VARIABLE_UNSUPPORTED_IN_VERSION,
                    f"`{text}` holds a policy variable, but with {where} it is literal text",
                    path,
                    statement,
                )


def _strings(value: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string value under `value`, with its path (keys are not values: condition keys hold no variables)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def check_sids(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """INVALID_SID (the IAM policy kinds), DUPLICATE_SID (every kind, as the compiler refuses them)."""
    iam = KIND_RULES[policy.kind].iam_sids
    seen: dict[str, str] = {}
    for statement in policy.statements:
        sid = statement.sid
        if sid is None:
            continue
        path = (*statement.path, "Sid")
        # "The Sid element supports uppercase letters, lowercase letters, and numbers." (Error - Unsupported Sid);
        # resource policies of other services are looser ("In services that let you specify an ID element, such as
        # SQS and SNS, the Sid value is just a sub-ID of the policy document's ID"), so no finding there.
        if iam and not IAM_SID.match(sid):
            yield policy.finding(
                Code.INVALID_SID, f"Sid `{sid}` may contain only ASCII letters and digits", path, statement
            )
        # "For example, in IAM, the Sid value must be unique within a JSON policy." (Error - Unique Sids required)
        if sid in seen:
            yield policy.finding(
                Code.DUPLICATE_SID, f"Sid `{sid}` is also the Sid of statement {seen[sid]}", path, statement
            )
        else:
            seen[sid] = f"#{statement.index + 1}"


def check_principals(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """NOT_PRINCIPAL_WITH_ALLOW (policies that name principals), TRUST_POLICY_WITHOUT_PRINCIPAL."""
    rules = KIND_RULES[policy.kind]
    for statement in policy.statements:
        # "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
        # (reference_policies_elements_notprincipal.md)
        if rules.principal_allowed and statement.principal_element == "NotPrincipal" and statement.allows:
            yield policy.finding(
                Code.NOT_PRINCIPAL_WITH_ALLOW,
                "`NotPrincipal` with `Allow` would allow everyone not listed, anonymous callers included; AWS does "
                "not support it",
                (*statement.path, "NotPrincipal"),
                statement,
                value=False,
            )
        # "You must use the Principal element in resource-based policies [...] In IAM roles, use the Principal
        # element in the role trust policy to specify who can assume the role." (reference_policies_elements_principal)
        if policy.kind is PolicyKind.TRUST and statement.principal_element is None:
            yield policy.finding(
                Code.TRUST_POLICY_WITHOUT_PRINCIPAL,
                "a trust policy statement must name who may assume the role in `Principal`",
                statement.path,
                statement,
            )


def check_trust_elements(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """TRUST_POLICY_WITH_RESOURCE."""
    if policy.kind is not PolicyKind.TRUST:
        return
    for statement in policy.statements:
        # IAM refuses such a trust policy: "MalformedPolicyDocument: Has prohibited field Resource" (CreateRole,
        # UpdateAssumeRolePolicy); the role itself is the trust policy's resource.
        for element in ("Resource", "NotResource"):
            if element in statement.data:
                yield policy.finding(
                    Code.TRUST_POLICY_WITH_RESOURCE,
                    f"a trust policy must not contain `{element}`: its resource is the role",
                    (*statement.path, element),
                    statement,
                    value=False,
                )
