"""One case per finding code: a policy that triggers it and a close one that does not."""

from __future__ import annotations

from typing import Any

import pytest
from validate_support import V, codes_of, findings_of, statement

from policysim.validate import CATALOGUE, Code, Severity

BUCKET = "arn:aws:s3:::reports"
OBJECTS = "arn:aws:s3:::reports/*"
ROLE_ARN = "arn:aws:iam::111122223333:role/app"
EVERYONE = {"Principal": "*"}
EC2 = {"Principal": {"Service": "ec2.amazonaws.com"}}


def allow(action: Any = "s3:GetObject", resource: Any = OBJECTS, **more: Any) -> dict[str, Any]:
    return statement(Effect="Allow", Action=action, Resource=resource, **more)


def cond(operator: str, key: str, value: Any = "x", **more: Any) -> dict[str, Any]:
    return {"Condition": {operator: {key: value}}, **more}


def trust(**elements: Any) -> dict[str, Any]:
    return statement(Effect="Allow", **({"Principal": EC2["Principal"], "Action": "sts:AssumeRole"} | elements))


def many(count: int) -> list[str]:
    return [f"arn:aws:s3:::bucket-{i:04d}/*" for i in range(count)]


def roles(count: int) -> list[str]:
    return [f"arn:aws:iam::111122223333:role/role-{i:03d}" for i in range(count)]


# code: (kind, triggering policy, a close policy that does not trigger it)
CASES: dict[Code, tuple[str, Any, Any]] = {
    Code.INVALID_POLICY: (
        "identity",
        statement(Effect="Allow", Action="s3:GetObject"),
        allow(),
    ),
    Code.POLICY_TOO_LARGE: (
        "scp",
        statement(Effect="Deny", Action="s3:GetObject", Resource=many(300)),
        statement(Effect="Deny", Action="s3:GetObject", Resource=many(10)),
    ),
    Code.UNKNOWN_SERVICE: ("identity", allow("s3x:GetObject"), allow("s3:GetObject")),
    Code.UNKNOWN_ACTION: ("identity", allow("s3:GetObjectt"), allow("s3:GetObject")),
    Code.WILDCARD_MATCHES_NO_ACTION: ("identity", allow("s3:Gte*"), allow("s3:Get*")),
    Code.UNKNOWN_CONDITION_KEY: (
        "identity",
        allow(**cond("StringEquals", "aws:SoruceVpce", "vpce-1a2b3c4d")),
        allow(**cond("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d")),
    ),
    Code.NULL_WITH_IF_EXISTS: (
        "identity",
        allow(**cond("NullIfExists", "aws:TokenIssueTime", "true")),
        allow(**cond("Null", "aws:TokenIssueTime", "true")),
    ),
    Code.NOT_PRINCIPAL_WITH_ALLOW: (
        "resource",
        statement(Effect="Allow", NotPrincipal={"AWS": ROLE_ARN}, Action="s3:GetObject", Resource=OBJECTS),
        statement(Effect="Deny", NotPrincipal={"AWS": ROLE_ARN}, Action="s3:GetObject", Resource=OBJECTS),
    ),
    Code.TRUST_POLICY_WITH_RESOURCE: ("trust", trust(Resource="*"), trust()),
    Code.TRUST_POLICY_WITHOUT_PRINCIPAL: (
        "trust",
        statement(Effect="Allow", Action="sts:AssumeRole"),
        trust(),
    ),
    Code.TRUST_POLICY_UNSUPPORTED_ACTION: ("trust", trust(Action="s3:GetObject"), trust(Action="sts:AssumeRole")),
    Code.INVALID_SID: ("identity", allow(Sid="Read-Only"), allow(Sid="ReadOnly")),
    Code.DUPLICATE_SID: (
        "identity",
        {"Version": V, "Statement": [allow(Sid="A")["Statement"][0], allow("s3:PutObject", Sid="A")["Statement"][0]]},
        {"Version": V, "Statement": [allow(Sid="A")["Statement"][0], allow("s3:PutObject", Sid="B")["Statement"][0]]},
    ),
    Code.VARIABLE_UNSUPPORTED_IN_VERSION: (
        "identity",
        {
            "Version": "2008-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::home/${aws:username}/*",
            },
        },
        allow(resource="arn:aws:s3:::home/${aws:username}/*"),
    ),
    Code.ADMIN_ACCESS: ("identity", allow("*", "*"), allow("s3:*", "*")),
    Code.PASS_ROLE_WITHOUT_PASSED_TO_SERVICE: (
        "identity",
        allow("iam:PassRole", "*"),
        allow("iam:PassRole", "*", **cond("StringEquals", "iam:PassedToService", "ec2.amazonaws.com")),
    ),
    Code.PUBLIC_ACCESS: (
        "resource",
        statement(Effect="Allow", Action="s3:GetObject", Resource=OBJECTS, **EVERYONE),
        statement(
            Effect="Allow",
            Action="s3:GetObject",
            Resource=OBJECTS,
            **EVERYONE,
            **cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
        ),
    ),
    Code.ALLOW_WITH_NOT_ACTION: (
        "identity",
        statement(Effect="Allow", NotAction="iam:*", Resource="*"),
        statement(Effect="Deny", NotAction="iam:*", Resource="*"),
    ),
    Code.ALLOW_WITH_NOT_RESOURCE: (
        "identity",
        statement(Effect="Allow", Action="s3:GetObject", NotResource="arn:aws:s3:::reports/secret/*"),
        statement(Effect="Deny", Action="s3:GetObject", NotResource="arn:aws:s3:::reports/secret/*"),
    ),
    Code.FOR_ALL_VALUES_WITH_ALLOW: (
        "identity",
        allow(
            "ec2:CreateTags", "arn:aws:ec2:*:*:instance/*", **cond("ForAllValues:StringEquals", "aws:TagKeys", ["team"])
        ),
        allow(
            "ec2:CreateTags",
            "arn:aws:ec2:*:*:instance/*",
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "Null": {"aws:TagKeys": "false"}},
        ),
    ),
    Code.FOR_ALL_VALUES_SINGLE_VALUED_KEY: (
        "identity",
        allow(**cond("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
        allow(**cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
    ),
    Code.DENY_CONDITION_KEY_NOT_SUPPLIED: (
        "identity",
        statement(Effect="Deny", Action="s3:GetObject", Resource="*", **cond("StringEquals", "s3:prefix", "home/")),
        statement(Effect="Deny", Action="s3:ListBucket", Resource="*", **cond("StringEquals", "s3:prefix", "home/")),
    ),
    Code.RESOURCE_TYPE_MISMATCH: ("identity", allow("s3:ListBucket", OBJECTS), allow("s3:ListBucket", BUCKET)),
    Code.CONDITION_KEY_NOT_SUPPLIED: (
        "identity",
        allow("s3:GetObject", "*", **cond("StringEquals", "s3:prefix", "home/")),
        allow("s3:ListBucket", "*", **cond("StringEquals", "s3:prefix", "home/")),
    ),
    Code.CONDITION_TYPE_MISMATCH: (
        "identity",
        allow(**cond("StringEquals", "aws:CurrentTime", "2026-01-01T00:00:00Z")),
        allow(**cond("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z")),
    ),
    Code.MISSING_SET_QUALIFIER: (
        "identity",
        allow("ec2:CreateTags", "arn:aws:ec2:*:*:instance/*", **cond("StringEquals", "aws:TagKeys", "team")),
        allow(
            "ec2:CreateTags", "arn:aws:ec2:*:*:instance/*", **cond("ForAnyValue:StringEquals", "aws:TagKeys", "team")
        ),
    ),
    Code.FOR_ANY_VALUE_SINGLE_VALUED_KEY: (
        "identity",
        allow(**cond("ForAnyValue:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
        allow(**cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
    ),
    Code.MISSING_VERSION: (
        "identity",
        {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS}},
        allow(),
    ),
    Code.WILDCARD_WITHOUT_LIKE_OPERATOR: (
        "identity",
        allow(**cond("StringEquals", "aws:PrincipalTag/team", "dev-*")),
        allow(**cond("StringLike", "aws:PrincipalTag/team", "dev-*")),
    ),
    Code.STATEMENT_SHADOWED_BY_DENY: (
        "identity",
        {"Version": V, "Statement": [allow()["Statement"][0], {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]},
        {
            "Version": V,
            "Statement": [
                allow()["Statement"][0],
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*", **cond("Bool", "aws:SecureTransport", "false")},
            ],
        },
    ),
    Code.POLICY_SIZE_OVER_DEFAULT_QUOTA: (
        "trust",
        trust(Principal={"AWS": roles(70)}),
        trust(Principal={"AWS": roles(10)}),
    ),
    Code.USE_ARN_OPERATOR: (
        "resource",
        statement(
            Effect="Allow",
            Principal={"Service": "sns.amazonaws.com"},
            Action="sqs:SendMessage",
            Resource="arn:aws:sqs:us-east-1:111122223333:queue",
            **cond("StringEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic"),
        ),
        statement(
            Effect="Allow",
            Principal={"Service": "sns.amazonaws.com"},
            Action="sqs:SendMessage",
            Resource="arn:aws:sqs:us-east-1:111122223333:queue",
            **cond("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic"),
        ),
    ),
    Code.IF_EXISTS_ON_ALWAYS_PRESENT_KEY: (
        "identity",
        allow(**cond("BoolIfExists", "aws:SecureTransport", "true")),
        allow(**cond("Bool", "aws:SecureTransport", "true")),
    ),
    Code.DUPLICATE_STATEMENT: (
        "identity",
        {"Version": V, "Statement": [allow(Sid="A")["Statement"][0], allow(Sid="B")["Statement"][0]]},
        {"Version": V, "Statement": [allow(Sid="A")["Statement"][0], allow("s3:PutObject", Sid="B")["Statement"][0]]},
    ),
    Code.REDUNDANT_STATEMENT: (
        "identity",
        {"Version": V, "Statement": [allow()["Statement"][0], allow("s3:Get*")["Statement"][0]]},
        {
            "Version": V,
            "Statement": [allow()["Statement"][0], allow("s3:Get*", "arn:aws:s3:::other/*")["Statement"][0]],
        },
    ),
    Code.REDUNDANT_ACTION: ("identity", allow(["s3:Get*", "s3:GetObject"]), allow(["s3:GetObject", "s3:PutObject"])),
    Code.REDUNDANT_RESOURCE: (
        "identity",
        allow(resource=[OBJECTS, "arn:aws:s3:::reports/q1.csv"]),
        allow(resource=[OBJECTS, "arn:aws:s3:::other/q1.csv"]),
    ),
}


def test_every_code_has_a_case_and_words() -> None:
    assert set(CASES) == set(Code)
    assert set(CATALOGUE) == set(Code)
    for code, info in CATALOGUE.items():
        assert code.value.isupper() and code.value.replace("_", "").isalpha()
        assert info.title and info.hint, code


@pytest.mark.parametrize("code", list(CASES), ids=lambda code: code.value)
def test_code_triggers(code: Code) -> None:
    kind, document, _ = CASES[code]
    found = [f for f in findings_of(document, kind) if f.code is code]
    assert found, f"{code} not reported: {codes_of(document, kind)}"
    assert all(f.severity is CATALOGUE[code].severity and f.message for f in found)


@pytest.mark.parametrize("code", list(CASES), ids=lambda code: code.value)
def test_code_does_not_trigger_on_the_close_policy(code: Code) -> None:
    kind, _, document = CASES[code]
    assert code.value not in codes_of(document, kind)


def test_resource_policies_take_looser_sids() -> None:
    # the S3 guide publishes bucket policies with empty Sids, and other services take any text
    document = statement(
        Sid="Allow-SNS publish", Effect="Allow", Principal={"AWS": ROLE_ARN}, Action="s3:GetObject", Resource=OBJECTS
    )
    assert "INVALID_SID" not in codes_of(document, "resource")
    assert "INVALID_SID" not in codes_of(
        statement(Sid="", Effect="Allow", Principal={"AWS": ROLE_ARN}, Action="s3:GetObject", Resource=OBJECTS),
        "resource",
    )


def test_limiting_kinds_grant_everything_without_admin_findings() -> None:
    for kind in ("boundary", "session", "scp"):
        assert "ADMIN_ACCESS" not in codes_of(allow("*", "*"), kind)


def test_compiler_errors_the_checks_name_are_not_repeated() -> None:
    document = {
        "Version": V,
        "Statement": [allow(Sid="A")["Statement"][0], allow("s3:PutObject", Sid="A")["Statement"][0]],
    }
    assert codes_of(document) == ["DUPLICATE_SID"]
    assert codes_of(trust(Resource="*"), "trust") == ["TRUST_POLICY_WITH_RESOURCE"]


def test_severities_follow_access_analyzer() -> None:
    assert CATALOGUE[Code.UNKNOWN_ACTION].severity is Severity.ERROR
    assert CATALOGUE[Code.FOR_ALL_VALUES_SINGLE_VALUED_KEY].severity is Severity.SECURITY_WARNING
    assert CATALOGUE[Code.MISSING_VERSION].severity is Severity.WARNING
    assert CATALOGUE[Code.REDUNDANT_ACTION].severity is Severity.SUGGESTION
