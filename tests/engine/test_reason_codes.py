"""Codes, not prose (issue 16 item 5): every row of the decision table, every service refusal and every diagnostic
has a code, and their words live in one table. Tests assert codes; a few pin the rendering.
"""

from __future__ import annotations

from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.engine.outcome import Outcome, Reason
from policysim.engine.words import WORDS, aws_error, text
from policysim.enums import DiagnosticCode, Gate, ReasonCode
from policysim.services.messages import refusal_message

A = "111111111111"
B = "222222222222"
M = "333333333333"
ALICE = f"arn:aws:iam::{A}:user/Alice"
OBJ = "arn:aws:s3:::bucket-a/k"
OBJ_B = "arn:aws:s3:::bucket-b/k"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
R = ReasonCode


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def grant(principal: Any, action: str, resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}


def trust(principal: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def world() -> Scenario:
    alice = {"inline_policies": {"p": doc(allow("s3:GetObject"), allow("s3:ListBucket"), allow("sts:AssumeRole"))}}
    bob = {"inline_policies": {"p": doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:DeleteObject",
                                                         "Resource": "*"})}, "permissions_boundary": "edge"}
    data = {
        "scenario": "codes",
        "organization": {
            "id": "o-exampleorgid",
            "management_account": M,
            "policies": {"OnlyS3": doc(allow("s3:*"), allow("sts:*"), allow("kms:*"))},
            "root": {"accounts": [A, B, M]},
        },
        "accounts": {
            A: {
                "scps": ["OnlyS3"],
                "policies": {"edge": doc(allow("s3:GetObject"))},
                "users": {"Alice": alice, "Bob": bob},
                "roles": {"App": {"trust_policy": trust({"AWS": f"arn:aws:iam::{B}:root"})}},
                "buckets": {"bucket-a": {"policy": doc(grant({"AWS": ALICE}, "s3:PutObject", "arn:aws:s3:::bucket-a/*"),
                                                       grant("*", "s3:GetObjectTagging", "arn:aws:s3:::bucket-a/*"))}},
            },
            B: {"buckets": {"bucket-b": {}}},
            M: {},
        },
    }  # fmt: skip
    return Scenario.from_dict(data)


@pytest.fixture(scope="module")
def w() -> Scenario:
    return world()


def codes(out: Outcome) -> list[ReasonCode]:
    return [r.code for r in out.reasons]


@pytest.mark.parametrize(
    ("principal", "action", "resource", "decision", "expected"),
    [
        ("Bob", "s3:DeleteObject", OBJ, Decision.EXPLICIT_DENY, [R.EXPLICIT_DENY]),
        ("Alice", "iam:ListUsers", "*", Decision.IMPLICIT_DENY, [R.SCP_NO_ALLOW]),
        ("Alice", "s3:GetObject", OBJ, Decision.ALLOWED, [R.IDENTITY_ALLOWS]),
        ("Alice", "s3:PutObject", OBJ, Decision.ALLOWED, [R.RESOURCE_ALLOWS]),  # the bucket policy names Alice
        ("Alice", "s3:PutObject", OBJ_B, Decision.IMPLICIT_DENY, [R.IDENTITY_NO_ALLOW, R.CROSS_ACCOUNT_NO_ALLOW]),
        ("Alice", "s3:GetObject", OBJ_B, Decision.IMPLICIT_DENY, [R.CROSS_ACCOUNT_NO_ALLOW]),
        ("Bob", "s3:PutObject", OBJ, Decision.IMPLICIT_DENY, [R.BOUNDARY_NO_ALLOW]),
        ("Bob", "s3:GetObject", OBJ, Decision.ALLOWED, [R.IDENTITY_ALLOWS, R.BOUNDARY_ALLOWS]),
        ("Alice", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App", Decision.IMPLICIT_DENY, [R.TRUST_NO_ALLOW]),
        ("Alice", "kms:Decrypt", KEY, Decision.IMPLICIT_DENY, [R.RESOURCE_POLICY_ABSENT]),
        ("anonymous", "s3:GetObject", OBJ, Decision.IMPLICIT_DENY, [R.RESOURCE_NO_ALLOW]),
        ("anonymous", "s3:GetObjectTagging", OBJ, Decision.ALLOWED, [R.RESOURCE_ALLOWS]),
        (f"arn:aws:iam::{A}:root", "s3:GetObject", OBJ, Decision.ALLOWED, [R.ROOT_ALLOWS]),
        (f"arn:aws:iam::{A}:root", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App", Decision.IMPLICIT_DENY,
         [R.ROOT_CANNOT_ASSUME]),
        ("anonymous", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App", Decision.IMPLICIT_DENY, [R.UNSIGNED_ASSUME]),
        ("Alice", "sts:GetCallerIdentity", "*", Decision.ALLOWED, [R.NEEDS_NO_PERMISSION]),
        # the service rule speaks after the policies unless a Deny decided
        ("Alice", "iam:DeletePolicy", "arn:aws:iam::aws:policy/AdministratorAccess", Decision.IMPLICIT_DENY,
         [R.AWS_OWNED_RESOURCE]),
    ],
)  # fmt: skip
def test_every_row_names_its_reasons_by_code(
    w: Scenario, principal: str, action: str, resource: str, decision: Decision, expected: list[ReasonCode]
) -> None:
    out = w.evaluate(principal, action, resource)
    assert out.decision is decision
    assert codes(out) == expected


def test_a_partition_crossing_is_its_own_code() -> None:
    data = {"scenario": "p", "accounts": {A: {"users": {"Alice": {"inline_policies": {"p": doc(allow("s3:*"))}}}}}}
    out = Scenario.from_dict(data).evaluate("Alice", "s3:GetObject", "arn:aws-cn:s3:::elsewhere/k")
    assert codes(out) == [R.PARTITION_CROSSED]
    assert out.reasons[0].facts == (("caller", "aws"), ("resource", "aws-cn"))


def test_an_aws_owned_resource_is_refused_by_code() -> None:
    data = {"scenario": "o", "accounts": {A: {"users": {"Alice": {"inline_policies": {"p": doc(allow("iam:*"))}}}}}}
    out = Scenario.from_dict(data).evaluate("Alice", "iam:DeletePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert out.gates == (Gate.SERVICE,) and codes(out) == [R.AWS_OWNED_RESOURCE]


@pytest.mark.parametrize(
    ("options", "code", "error"),
    [
        ({"session_name": "a"}, R.INVALID_SESSION_NAME, "ValidationError"),
        ({"external_id": "x"}, R.INVALID_EXTERNAL_ID, "ValidationError"),
        ({"source_identity": "aws:me"}, R.INVALID_SOURCE_IDENTITY, "ValidationError"),
        ({"duration_seconds": 60}, R.DURATION_OUT_OF_RANGE, "ValidationError"),
        ({"duration_seconds": 7200}, R.DURATION_OVER_MAX_SESSION, "ValidationError"),
        ({"session_tags": {f"k{i}": "v" for i in range(51)}}, R.TOO_MANY_SESSION_TAGS, "ValidationError"),
        ({"session_tags": {"k" * 129: "v"}}, R.SESSION_TAG_TOO_LONG, "ValidationError"),
        ({"session_tags": {"a": "v"}, "transitive_tag_keys": ["b"]}, R.TRANSITIVE_KEY_NOT_A_TAG, "InvalidParameterValue"),
    ],
)  # fmt: skip
def test_assume_role_refuses_by_code_with_the_services_error(
    options: dict[str, Any], code: ReasonCode, error: str
) -> None:
    role = {"trust_policy": trust({"AWS": A}), "max_session_duration": 3600}
    data = {
        "scenario": "assume",
        "accounts": {A: {"users": {"Dev": {"inline_policies": {"p": doc(allow("sts:*"))}}}, "roles": {"T": role}}},
    }
    out = Scenario.from_dict(data).evaluate("Dev", "sts:AssumeRole", f"arn:aws:iam::{A}:role/T", **options)
    assert codes(out) == [code]
    assert out.reasons[0].aws_error == error == aws_error(code)


def test_every_code_has_words() -> None:
    assert set(WORDS) == {*ReasonCode, *DiagnosticCode}
    assert text(DiagnosticCode.VARIABLE_UNSUPPORTED_IN_VERSION).startswith("policy variables are literal text")


# A few prose tests: the words are rendered from the table, with the facts of the case.


def test_a_reason_renders_its_words_with_its_facts() -> None:
    reason = Reason(Gate.SCP, Decision.IMPLICIT_DENY, R.SCP_NO_ALLOW, facts=(("target", "account `1`"),))
    assert reason.message == "no SCP attached to account `1` allows the request"
    assert str(reason) == "scp: no SCP attached to account `1` allows the request"
    assert reason.aws_error is None


def test_a_refusal_is_led_by_the_services_error_name() -> None:
    reason = Reason(Gate.SERVICE, Decision.IMPLICIT_DENY, R.DURATION_OUT_OF_RANGE, facts=(("duration", "60"),))
    assert reason.aws_error == "ValidationError"
    assert reason.detail == "DurationSeconds 60 must be between 900 and 43200"
    assert reason.message == "ValidationError: DurationSeconds 60 must be between 900 and 43200"


def test_the_aws_message_reads_the_same_words() -> None:
    refused = Reason(Gate.SERVICE, Decision.IMPLICIT_DENY, R.INVALID_SESSION_NAME, facts=(("name", "a"),))
    out = Outcome(Decision.IMPLICIT_DENY, (Gate.SERVICE,), (refused,))
    assert refusal_message(out, "AssumeRole") == (
        "An error occurred (ValidationError) when calling the AssumeRole operation: " + refused.detail
    )
