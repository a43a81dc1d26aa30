"""Checks of what a policy grants: administrator-equivalent grants, passing any role, resources open to everyone,
and Allow statements written with NotAction or NotResource.

These apply to the policies that grant: identity policies (and, for everyone-open access, resource and trust
policies). Boundaries, session policies, SCPs and RCPs only limit, so `*` on `*` there (FullAWSAccess) is no finding.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from policysim.conditions import Family, SetQualifier
from policysim.enums import PolicyKind
from policysim.ir.pattern import Glob

from ..codes import Code
from ..findings import Finding
from ..policy import Clause, Policy, Statement
from ..vocabulary import Vocabulary

GRANTING = frozenset({PolicyKind.IDENTITY, PolicyKind.RESOURCE})
#: Action entries that amount to administrator access on `*`: everything, or all of IAM (which can grant anything)
ADMIN_ACTIONS = frozenset({"*", "iam:*"})
# Condition keys that narrow "everyone" to known callers or sources. "A policy is non-public only if it grants to
# fixed values of" principals, aws:SourceIp ranges, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
# aws:SourceAccount, aws:userid, s3:DataAccessPointArn, s3:DataAccessPointAccount, ... (S3 User Guide,
# access-control-block-public-access.md), and the organization, principal and VPC endpoint keys of the IAM User
# Guide's data perimeter guidance (reference_policies_condition-keys.md).
NARROWING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpcArn",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceName",
        "aws:PrincipalIsAWSService",
        "aws:userid",
        "aws:username",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
        "kms:CallerAccount",
    )
)


def check_admin_access(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """ADMIN_ACCESS, PASS_ROLE_WITHOUT_PASSED_TO_SERVICE (identity policies)."""
    if policy.kind is not PolicyKind.IDENTITY:
        return
    for statement in policy.statements:
        if not statement.allows or statement.not_action:
            continue
        if _admin(statement):
            actions = ", ".join(f"`{v.text}`" for v in statement.actions if v.text.lower() in ADMIN_ACTIONS)
            yield policy.finding(
                Code.ADMIN_ACCESS,
                f"{actions} on every resource, without a condition, is administrator access: the holder can "
                "grant itself any permission",
                statement.path,
                statement,
            )
        elif _passes_any_role(statement):
            # "Policies that allow iam:PassRole and that include a wildcard (*) in the Resource element can allow
            # your principals to access more services or features than you intended. [...] you can reduce
            # permissions to a single service by using the iam:PassedToService condition key."
            # (access-analyzer-reference-policy-checks.md, Security Warning - Pass role with star in resource)
            yield policy.finding(
                Code.PASS_ROLE_WITHOUT_PASSED_TO_SERVICE,
                "the statement allows `iam:PassRole` on every role and to every service (no `iam:PassedToService` "
                "condition)",
                statement.path,
                statement,
            )


def _admin(statement: Statement) -> bool:
    return (
        not statement.clauses
        and any(v.text.lower() in ADMIN_ACTIONS for v in statement.actions)
        and statement.resources is not None
        and not statement.not_resource
        and any(v.text == "*" for v in statement.resources)
    )


def _passes_any_role(statement: Statement) -> bool:
    if not any(Glob.compile(v.text.lower(), ignore_case=True).matches("iam:passrole") for v in statement.actions):
        return False
    if "iam:passedtoservice" in statement.condition_keys() or statement.resources is None:
        return False
    return statement.not_resource or any(_any_role(v.text) for v in statement.resources)


def _any_role(resource: str) -> bool:
    """`*`, or every role of an account (or of any account): `arn:aws:iam::111122223333:role/*`."""
    if resource.strip("*") == "":
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[2] in ("iam", "*") and parts[5] in ("*", "role/*")


def check_public_access(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """PUBLIC_ACCESS: an Allow to `*` (or `{"AWS": "*"}`) in a resource or trust policy, without a condition that
    narrows it to known callers."""
    if policy.kind not in (PolicyKind.RESOURCE, PolicyKind.TRUST):
        return
    for statement in policy.statements:
        if not statement.allows or statement.principal_element != "Principal" or not _everyone(statement.principal):
            continue
        if any(_narrows(clause) for clause in statement.clauses):
            continue
        # "We strongly recommend that you do not use a wildcard (*) in the Principal element of a resource-based
        # policy with an Allow effect unless you intend to grant public or anonymous access. [...] This is especially
        # true for IAM role trust policies" and "using a wildcard (*) with an Allow effect grants access to all
        # users, including anonymous users (public access)." (reference_policies_elements_principal.md)
        what = "anyone may assume the role" if policy.kind is PolicyKind.TRUST else "anyone, anonymous callers "
        yield policy.finding(
            Code.PUBLIC_ACCESS,
            f"`Principal` is everyone and no condition narrows it: {what}"
            + ("" if policy.kind is PolicyKind.TRUST else "included, is allowed"),
            (*statement.path, "Principal"),
            statement,
        )


def _everyone(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def _narrows(clause: Clause) -> bool:
    """A clause that holds only for fixed callers or sources: a positive operator on a narrowing key, needing the key
    present, with no value that matches anything."""
    spec = clause.spec
    if spec is None or clause.key.lower() not in NARROWING_KEYS:
        return False
    if spec.negated or spec.if_exists or spec.family is Family.NULL or spec.qualifier is SetQualifier.FOR_ALL_VALUES:
        return False
    values = [v.text for v in clause.values]
    if clause.key.lower() == "aws:principalisawsservice":
        return values == ["true"]
    return bool(values) and not any(v.strip("*?") == "" or _everywhere(v) for v in values)


def _everywhere(value: str) -> bool:
    """An IP range of every address (`0.0.0.0/0`, `::/0`)."""
    try:
        return ipaddress.ip_network(value, strict=False).prefixlen == 0
    except ValueError:
        return False


def check_not_elements(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """ALLOW_WITH_NOT_ACTION, ALLOW_WITH_NOT_RESOURCE (identity and resource policies)."""
    if policy.kind not in GRANTING:
        return
    for statement in policy.statements:
        if not statement.allows:
            continue
        # "Be careful using the NotAction element and "Effect": "Allow" in the same statement or in a different
        # statement within a policy. NotAction matches all services and actions that are not explicitly listed or
        # applicable to the specified resource, and could result in granting users more permissions than you
        # intended." (reference_policies_elements_notaction.md)
        if statement.not_action:
            yield policy.finding(
                Code.ALLOW_WITH_NOT_ACTION,
                "`Allow` with `NotAction` allows every action not listed, those AWS adds later included",
                (*statement.path, "NotAction"),
                statement,
                value=False,
            )
        # "NotResource with "Effect": "Allow" allows all resources for the services in the statement, that are not
        # explicitly listed, and could result in granting users more permissions than you intended."
        # (reference_policies_elements_notresource.md)
        if statement.not_resource:
            yield policy.finding(
                Code.ALLOW_WITH_NOT_RESOURCE,
                "`Allow` with `NotResource` allows every resource not listed, those created later included",
                (*statement.path, "NotResource"),
                statement,
                value=False,
            )
