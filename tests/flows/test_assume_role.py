"""AssumeRole as a flow: trust, caller side, STS validation, minted sessions and chains (issue 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import policysim
from policysim import Decision, Gate
from policysim.enums import ReasonCode
from policysim.services.messages import refusal_message

A = "111111111111"
B = "999999999999"
CLOCK = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}],
    }


def trust(principal: Any, condition: dict[str, Any] | None = None, action: Any = "sts:AssumeRole") -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def world(roles: dict[str, Any], users: dict[str, Any] | None = None, local_roles: dict[str, Any] | None = None):
    data = {
        "scenario": "flows",
        "accounts": {
            A: {"users": users or {"Dev": {}}, "roles": local_roles or {}},
            B: {"roles": roles},
        },
    }
    return policysim.Scenario.from_dict(data, clock=lambda: CLOCK)


ROLE = f"arn:aws:iam::{B}:role/Target"
ASSUME_TARGET = {"inline_policies": {"p": allow("sts:AssumeRole", ROLE)}}


def test_trust_by_account_needs_the_callers_identity_allow() -> None:
    w = world({"Target": {"trust_policy": trust({"AWS": A})}})
    outcome = w.evaluate("Dev", "sts:AssumeRole", ROLE)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.IDENTITY,)
    w = world({"Target": {"trust_policy": trust({"AWS": A})}}, {"Dev": ASSUME_TARGET})
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE).allowed


def test_trust_naming_a_same_account_user_needs_no_identity_allow() -> None:
    # boto:sts AssumeRole: a same-account user named in the trust policy needs no identity-based permission
    roles = {"Local": {"trust_policy": trust({"AWS": f"arn:aws:iam::{A}:user/Dev"})}}
    w = world({}, local_roles=roles)
    assert w.evaluate("Dev", "sts:AssumeRole", f"arn:aws:iam::{A}:role/Local").allowed


def test_trust_naming_only_the_account_same_account_still_needs_identity_allow() -> None:
    roles = {"Local": {"trust_policy": trust({"AWS": A})}}
    w = world({}, local_roles=roles)
    assert w.evaluate("Dev", "sts:AssumeRole", f"arn:aws:iam::{A}:role/Local").decision is Decision.IMPLICIT_DENY


def test_role_without_trust_policy_cannot_be_assumed() -> None:
    w = world({"Target": {}}, {"Dev": ASSUME_TARGET})
    outcome = w.evaluate("Dev", "sts:AssumeRole", ROLE)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.TRUST,)
    assert "no trust policy" in str(outcome.explain())


EXTERNAL = {"StringEquals": {"sts:ExternalId": "Unique-12345"}}


@pytest.mark.parametrize(
    ("external_id", "decision"),
    [(None, Decision.IMPLICIT_DENY), ("wrong-id", Decision.IMPLICIT_DENY), ("Unique-12345", Decision.ALLOWED)],
)
def test_external_id_missing_wrong_and_right(external_id: str | None, decision: Decision) -> None:
    w = world({"Target": {"trust_policy": trust({"AWS": A}, EXTERNAL)}}, {"Dev": ASSUME_TARGET})
    outcome = w.evaluate("Dev", "sts:AssumeRole", ROLE, external_id=external_id)
    assert outcome.decision is decision
    if decision is not Decision.ALLOWED:
        assert "sts:ExternalId" in outcome.missing_keys or external_id is not None


def test_console_cannot_pass_an_external_id() -> None:
    w = world({"Target": {"trust_policy": trust({"AWS": A}, EXTERNAL)}}, {"Dev": ASSUME_TARGET})
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE, via="console").decision is Decision.IMPLICIT_DENY
    with pytest.raises(policysim.RequestError, match="cannot pass an ExternalId"):
        w.evaluate("Dev", "sts:AssumeRole", ROLE, via="console", external_id="Unique-12345")


def test_mfa_required_by_the_trust_policy() -> None:
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    w = world({"Target": {"trust_policy": trust({"AWS": A}, condition)}}, {"Dev": ASSUME_TARGET})
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE).decision is Decision.IMPLICIT_DENY
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE, mfa=True).allowed


@pytest.mark.parametrize(
    ("name", "ok"), [("a", False), ("ok-name", True), ("x" * 64, True), ("x" * 65, False), ("bad name", False)]
)
def test_session_name_rules(name: str, ok: bool) -> None:
    w = world({"Target": {"trust_policy": trust({"AWS": A})}}, {"Dev": ASSUME_TARGET})
    outcome = w.evaluate("Dev", "sts:AssumeRole", ROLE, session_name=name)
    assert outcome.allowed is ok
    if not ok:
        assert outcome.reasons[0].code is ReasonCode.INVALID_SESSION_NAME
        assert outcome.reasons[0].aws_error == "ValidationError"


def test_duration_limits() -> None:
    roles = {"Target": {"trust_policy": trust({"AWS": A}), "max_session_duration": 7200}}
    w = world(roles, {"Dev": ASSUME_TARGET})
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE, duration_seconds=7200).allowed
    assert not w.evaluate("Dev", "sts:AssumeRole", ROLE, duration_seconds=7201).allowed
    assert not w.evaluate("Dev", "sts:AssumeRole", ROLE, duration_seconds=899).allowed


def chain_world() -> policysim.Scenario:
    roles = {
        "First": {
            "trust_policy": trust({"AWS": A}),
            "max_session_duration": 14400,
            "inline_policies": {"hop": allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/Second")},
        },
        "Second": {
            "trust_policy": trust({"AWS": f"arn:aws:iam::{B}:role/First"}),
            "max_session_duration": 14400,
            "inline_policies": {"s3": allow("s3:GetObject", "arn:aws:s3:::data/*")},
            "tags": {"team": "blue", "Project": "x"},
        },
    }
    users = {"Dev": {"inline_policies": {"p": allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/First")}}}
    return world(roles, users)


def test_chain_walks_hop_by_hop_with_sessions() -> None:
    w = chain_world()
    outcome = w.evaluate("Dev", "s3:GetObject", "arn:aws:s3:::data/k", assume=["First", "Second"])
    assert outcome.allowed
    assert outcome.request is not None
    assert outcome.request.principal.arn == f"arn:aws:sts::{B}:assumed-role/Second/policysim"
    # the trust of Second names First's role ARN: Dev himself cannot skip the first hop
    skipped = w.evaluate("Dev", "s3:GetObject", "arn:aws:s3:::data/k", assume=["Second"])
    assert skipped.decision is Decision.IMPLICIT_DENY
    assert skipped.hop == 0


def test_chained_duration_over_one_hour_is_refused() -> None:
    w = chain_world()
    outcome = w.evaluate(
        "Dev", "s3:GetObject", "arn:aws:s3:::data/k", assume=["First", "Second"], duration_seconds=7200
    )
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.hop == 1
    assert outcome.reasons[0].code is ReasonCode.DURATION_OVER_CHAINING_LIMIT
    assert outcome.reasons[0].aws_error == "ValidationError"
    assert "role chaining" in outcome.reasons[0].message  # the words, rendered from the table


def test_session_policy_narrows_the_session() -> None:
    w = chain_world()
    narrow = allow("s3:GetObject", "arn:aws:s3:::data/public/*")
    args = ("Dev", "s3:GetObject")
    assert w.evaluate(*args, "arn:aws:s3:::data/public/x", assume=["First", "Second"], session_policy=narrow).allowed
    outcome = w.evaluate(*args, "arn:aws:s3:::data/private/x", assume=["First", "Second"], session_policy=narrow)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.SESSION,)


def test_session_policy_over_2048_characters_is_refused() -> None:
    w = chain_world()
    big = allow("s3:GetObject", [f"arn:aws:s3:::data/{'x' * 40}{i}" for i in range(60)])
    outcome = w.evaluate("Dev", "s3:GetObject", "arn:aws:s3:::data/k", assume=["First"], session_policy=big)
    assert outcome.reasons[0].code is ReasonCode.SESSION_POLICY_TOO_LARGE
    assert outcome.reasons[0].aws_error == "PackedPolicyTooLarge"


def test_session_tags_override_role_tags_case_insensitively() -> None:
    w = chain_world()
    session = w.assume_role("Dev", "First")
    assert session.arn == f"arn:aws:sts::{B}:assumed-role/First/Dev"
    # Second's trust does not allow sts:TagSession: passing tags is refused
    refused = w.evaluate(
        "Dev", "s3:GetObject", "arn:aws:s3:::data/k", assume=["First", "Second"], session_tags={"TEAM": "red"}
    )
    assert refused.decision is Decision.IMPLICIT_DENY


def test_session_tags_become_principal_tags() -> None:
    roles = {
        "Tagged": {
            "trust_policy": trust({"AWS": A}, action=["sts:AssumeRole", "sts:TagSession"]),
            "tags": {"team": "blue"},
            "inline_policies": {
                "abac": allow(
                    "s3:GetObject", "arn:aws:s3:::data/*", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}
                )
            },
        }
    }
    users = {
        "Dev": {"inline_policies": {"p": allow(["sts:AssumeRole", "sts:TagSession"], f"arn:aws:iam::{B}:role/Tagged")}}
    }
    w = world(roles, users)
    args = ("Dev", "s3:GetObject", "arn:aws:s3:::data/k")
    assert w.evaluate(*args, assume=["Tagged"]).decision is Decision.IMPLICIT_DENY
    assert w.evaluate(*args, assume=["Tagged"], session_tags={"TEAM": "red"}).allowed


def test_callers_permissions_are_gone_inside_the_session() -> None:
    users = {"Dev": {"inline_policies": {"p": allow("*")}}}
    w = world({"Target": {"trust_policy": trust({"AWS": A})}}, users)
    assert w.evaluate("Dev", "ec2:DescribeInstances", "*").allowed
    assert w.evaluate("Dev", "ec2:DescribeInstances", "*", assume=["Target"]).decision is Decision.IMPLICIT_DENY


def test_root_user_cannot_assume_a_role() -> None:
    w = world({"Target": {"trust_policy": trust({"AWS": A})}})
    outcome = w.evaluate(f"arn:aws:iam::{A}:root", "sts:AssumeRole", ROLE)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.SERVICE,)


def test_no_trust_across_partitions() -> None:
    data = {
        "scenario": "partitions",
        "accounts": {
            A: {"partition": "aws-cn", "users": {"Dev": {"inline_policies": {"p": allow("sts:AssumeRole")}}}},
            B: {"roles": {"Target": {"trust_policy": trust({"AWS": A})}}},
        },
    }
    w = policysim.Scenario.from_dict(data)
    assert w.evaluate("Dev", "sts:AssumeRole", ROLE).decision is Decision.IMPLICIT_DENY


def test_service_principal_assumes_role_through_trust() -> None:
    roles = {"Fn": {"trust_policy": trust({"Service": "lambda.amazonaws.com"})}}
    w = world(roles)
    assert w.evaluate("lambda.amazonaws.com", "sts:AssumeRole", f"arn:aws:iam::{B}:role/Fn").allowed
    assert not w.evaluate("ec2.amazonaws.com", "sts:AssumeRole", f"arn:aws:iam::{B}:role/Fn").allowed


def test_janes_access_denied_message_matches_aws() -> None:
    w = policysim.load_scenario("scenarios/cross-account-delegation.yaml")
    outcome = w.evaluate("Jane", "sts:AssumeRole", "arn:aws:iam::999999999999:role/UpdateData")
    assert refusal_message(outcome, "AssumeRole") == (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:iam::111111111111:user/Jane is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::999999999999:role/UpdateData with an explicit deny in an identity-based policy"
    )


def test_founding_session_principal_and_keys() -> None:
    w = policysim.load_scenario("scenarios/cross-account-delegation.yaml")
    session = w.assume_role("David", "UpdateData", session_name="David-ProdUpdate")
    assert session.arn == "arn:aws:sts::999999999999:assumed-role/UpdateData/David-ProdUpdate"
    keys = session.actor.principal_keys
    assert keys["aws:principalarn"] == ("arn:aws:iam::999999999999:role/UpdateData",)
    assert keys["aws:userid"][0].startswith("AROA") and keys["aws:userid"][0].endswith(":David-ProdUpdate")
    assert session.evaluate("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/x").allowed
    assert not session.evaluate("iam:ListRoles", "*").allowed


def test_assume_fields_without_a_hop_are_refused() -> None:
    w = chain_world()
    with pytest.raises(policysim.RequestError, match="assumes no role"):
        w.evaluate("Dev", "s3:GetObject", "arn:aws:s3:::data/k", external_id="abc123")


def test_a_session_asking_for_another_role_walks_a_chained_hop() -> None:
    w = chain_world()
    first = w.assume_role("Dev", "First")
    second_arn = f"arn:aws:iam::{B}:role/Second"
    outcome = first.evaluate("sts:AssumeRole", second_arn)
    assert outcome.allowed and Gate.TRUST in outcome.gates  # the trust policy of Second was evaluated
    # Dev cannot skip the hop: Second trusts First's role, not Dev
    direct = w.evaluate("Dev", "sts:AssumeRole", second_arn)
    assert direct.decision is Decision.IMPLICIT_DENY


def test_a_session_asking_for_tag_session_meets_the_trust_policy() -> None:
    w = chain_world()
    first = w.assume_role("Dev", "First")
    outcome = first.evaluate("sts:TagSession", f"arn:aws:iam::{B}:role/Second")
    assert outcome.decision is Decision.IMPLICIT_DENY  # Second's trust policy allows only sts:AssumeRole
