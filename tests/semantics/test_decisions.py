"""One small test per AWS behaviour decision policysim makes; docs/semantics.md lists each with its source.

Every test builds a tiny model with `Scenario.from_dict` and asks `world.evaluate`. Where the engine disagrees
with the AWS documentation the test states the documented expectation and is marked
`xfail(strict=True, reason="engine bug: ...")`, so fixing the engine turns it into an XPASS failure that asks
for the marker to be removed.
"""

from __future__ import annotations

from typing import Any

import pytest

from policysim import Decision, Gate, PolicyError, PolicysimError, ReasonCode, Scenario
from policysim.errors import RequestError

A = "111111111111"  # the principal's account in most tests
B = "222222222222"  # another account
M = "333333333333"  # the management account in organization tests
ORG = "o-exampleorgid"

ALLOWED = Decision.ALLOWED
IMPLICIT = Decision.IMPLICIT_DENY
EXPLICIT = Decision.EXPLICIT_DENY

BUCKET = "bucket-a"  # owned by A
BUCKET_B = "bucket-b"  # owned by B
OBJ = f"arn:aws:s3:::{BUCKET}/key"
OBJ_B = f"arn:aws:s3:::{BUCKET_B}/key"


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(principal: Any, action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    """A resource-policy Allow statement."""
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def trust(principal: Any, action: str | list[str] = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return policy({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def inline(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"p": policy(*statements)}


def world(accounts: dict[str, Any], organization: dict[str, Any] | None = None) -> Scenario:
    data: dict[str, Any] = {"scenario": "semantics", "accounts": accounts}
    if organization is not None:
        data["organization"] = organization
    return Scenario.from_dict(data)


def user(*statements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"inline_policies": inline(*statements), **extra} if statements else dict(extra)


def role(trust_policy: dict[str, Any] | None = None, *statements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(extra)
    if trust_policy is not None:
        out["trust_policy"] = trust_policy
    if statements:
        out["inline_policies"] = inline(*statements)
    return out


def s3_world(alice: dict[str, Any], bucket_policy: dict[str, Any] | None = None, **more: Any) -> Scenario:
    """Account A with user Alice (and whatever else) and bucket-a, optionally with a bucket policy."""
    bucket: dict[str, Any] = {} if bucket_policy is None else {"policy": bucket_policy}
    account: dict[str, Any] = {"users": {"Alice": alice}, "buckets": {BUCKET: bucket}}
    for key, value in more.items():
        account[key] = value
    return world({A: account})


def cross_world(alice: dict[str, Any], bucket_policy: dict[str, Any] | None) -> Scenario:
    """Alice in A; bucket-b owned by B."""
    bucket: dict[str, Any] = {} if bucket_policy is None else {"policy": bucket_policy}
    return world({A: {"users": {"Alice": alice}}, B: {"buckets": {BUCKET_B: bucket}}})


ALICE = f"arn:aws:iam::{A}:user/Alice"
APP_ROLE = f"arn:aws:iam::{A}:role/App"
A_ROOT = f"arn:aws:iam::{A}:root"
B_ROOT = f"arn:aws:iam::{B}:root"


# ---------------------------------------------------------------------------------------------------------------
# 1. Decision flow
# ---------------------------------------------------------------------------------------------------------------


def test_default_is_implicit_deny() -> None:
    out = s3_world(user()).evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is IMPLICIT
    assert Gate.IDENTITY in out.gates


def test_identity_allow_is_enough_in_the_same_account() -> None:
    assert s3_world(user(allow("s3:GetObject"))).evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_explicit_deny_overrides_allow_in_the_same_policy_set() -> None:
    out = s3_world(user(allow("s3:*"), deny("s3:GetObject"))).evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.IDENTITY,)


def test_explicit_deny_in_resource_policy_overrides_identity_allow() -> None:
    w = s3_world(user(allow("s3:*")), policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJ}))
    out = w.evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.RESOURCE,)


def test_explicit_deny_in_boundary_overrides_everything() -> None:
    w = world(
        {
            A: {
                "policies": {"b": policy(allow("*"), deny("s3:GetObject"))},
                "users": {"Alice": user(allow("s3:*"), permissions_boundary="b")},
            }
        }
    )
    out = w.evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.BOUNDARY,)


def test_boundary_intersects_identity() -> None:
    w = world(
        {A: {"policies": {"b": policy(allow("s3:*"))}, "users": {"Alice": user(allow("*"), permissions_boundary="b")}}}
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    out = w.evaluate("Alice", "iam:CreateUser", f"arn:aws:iam::{A}:user/Bob")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.BOUNDARY,)


def test_user_identity_policies_include_groups_managed_and_inline() -> None:
    w = world(
        {
            A: {
                "policies": {"m": policy(allow("s3:ListBucket"))},
                "groups": {"G": {"managed_policies": ["m"], "inline_policies": inline(allow("s3:GetObject"))}},
                "users": {"Alice": {"groups": ["G"]}},
            }
        }
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}").decision is ALLOWED


def test_groups_cannot_be_principals() -> None:
    with pytest.raises(PolicysimError):
        s3_world(user(), policy(grant({"AWS": f"arn:aws:iam::{A}:group/G"}, "s3:*", "*")))


# ---------------------------------------------------------------------------------------------------------------
# 2. Same account: what a resource-based policy allow overrides, by the principal it names
# ---------------------------------------------------------------------------------------------------------------


def test_same_account_resource_policy_naming_user_needs_no_identity_allow() -> None:
    w = s3_world(user(), policy(grant({"AWS": ALICE}, "s3:GetObject", OBJ)))
    out = w.evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is ALLOWED
    assert Gate.RESOURCE in out.gates


def test_same_account_resource_policy_naming_user_is_not_limited_by_boundary() -> None:
    w = s3_world(
        user(permissions_boundary="b"),
        policy(grant({"AWS": ALICE}, "s3:GetObject", OBJ)),
        policies={"b": policy(allow("ec2:*"))},
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_principal_user_name_is_case_sensitive() -> None:
    w = s3_world(user(), policy(grant({"AWS": f"arn:aws:iam::{A}:user/alice"}, "s3:GetObject", OBJ)))
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is IMPLICIT


def test_same_account_resource_policy_naming_role_needs_no_identity_allow() -> None:
    w = s3_world(user(), policy(grant({"AWS": APP_ROLE}, "s3:GetObject", OBJ)), roles={"App": role()})
    assert w.evaluate("App", "s3:GetObject", OBJ).decision is ALLOWED


def test_same_account_resource_policy_naming_role_is_limited_by_boundary() -> None:
    w = s3_world(
        user(),
        policy(grant({"AWS": APP_ROLE}, "s3:GetObject", OBJ)),
        roles={"App": role(permissions_boundary="b")},
        policies={"b": policy(allow("ec2:*"))},
    )
    out = w.evaluate("App", "s3:GetObject", OBJ)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.BOUNDARY,)


def _session_world(bucket_principal: Any, boundary: bool = False) -> Scenario:
    """Alice may assume App (named in the trust policy); App has no permissions of its own."""
    app = role(trust({"AWS": ALICE}), **({"permissions_boundary": "b"} if boundary else {}))
    return s3_world(
        user(),
        policy(grant(bucket_principal, ["s3:GetObject", "s3:PutObject"], OBJ)),
        roles={"App": app},
        policies={"b": policy(allow("ec2:*"))},
    )


SESSION_POLICY = policy(allow("s3:GetObject"))


def test_same_account_resource_policy_naming_role_is_limited_by_session_policy() -> None:
    w = _session_world({"AWS": APP_ROLE})
    out = w.evaluate("Alice", "s3:PutObject", OBJ, assume=["App"], session_policy=SESSION_POLICY)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SESSION,)
    ok = w.evaluate("Alice", "s3:GetObject", OBJ, assume=["App"], session_policy=SESSION_POLICY)
    assert ok.decision is ALLOWED


def test_same_account_resource_policy_naming_session_overrides_identity_boundary_and_session_policy() -> None:
    session_arn = f"arn:aws:sts::{A}:assumed-role/App/s1"
    w = _session_world({"AWS": session_arn}, boundary=True)
    out = w.evaluate("Alice", "s3:PutObject", OBJ, assume=["App"], session_name="s1", session_policy=SESSION_POLICY)
    assert out.decision is ALLOWED
    other = w.evaluate("Alice", "s3:PutObject", OBJ, assume=["App"], session_name="s2", session_policy=SESSION_POLICY)
    assert other.decision is IMPLICIT


@pytest.mark.parametrize("account", [A, A_ROOT])
def test_same_account_resource_policy_naming_the_account_only_delegates(account: str) -> None:
    w = s3_world(user(), policy(grant({"AWS": account}, "s3:GetObject", OBJ)))
    out = w.evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)
    w2 = s3_world(user(allow("s3:GetObject")), policy(grant({"AWS": account}, "s3:GetObject", OBJ)))
    assert w2.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_same_account_resource_policy_with_star_is_not_limited_by_boundary() -> None:
    w = s3_world(
        user(permissions_boundary="b"),
        policy(grant("*", "s3:GetObject", OBJ, Condition={"ArnEquals": {"aws:PrincipalArn": ALICE}})),
        policies={"b": policy(allow("ec2:*"))},
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_same_account_star_grant_with_principalarn_condition_is_not_limited_by_session_policy() -> None:
    w = _session_world("*", boundary=True)
    out = w.evaluate("Alice", "s3:PutObject", OBJ, assume=["App"], session_policy=SESSION_POLICY)
    assert out.decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# 3. Cross account
# ---------------------------------------------------------------------------------------------------------------


def test_cross_account_needs_identity_allow_even_when_resource_policy_names_the_user() -> None:
    out = cross_world(user(), policy(grant({"AWS": ALICE}, "s3:GetObject", OBJ_B))).evaluate(
        "Alice", "s3:GetObject", OBJ_B
    )
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)


def test_cross_account_needs_a_resource_policy() -> None:
    out = cross_world(user(allow("s3:GetObject")), None).evaluate("Alice", "s3:GetObject", OBJ_B)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.RESOURCE,)


@pytest.mark.parametrize("principal", [{"AWS": ALICE}, {"AWS": A}, {"AWS": A_ROOT}, "*", {"AWS": "*"}])
def test_cross_account_allowed_when_both_sides_allow(principal: Any) -> None:
    w = cross_world(user(allow("s3:GetObject")), policy(grant(principal, "s3:GetObject", OBJ_B)))
    assert w.evaluate("Alice", "s3:GetObject", OBJ_B).decision is ALLOWED


def test_cross_account_star_bucket_policy_still_needs_identity_allow() -> None:
    out = cross_world(user(), policy(grant("*", "s3:GetObject", OBJ_B))).evaluate("Alice", "s3:GetObject", OBJ_B)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)


def test_cross_account_resource_policy_naming_user_is_limited_by_boundary() -> None:
    w = world(
        {
            A: {
                "policies": {"b": policy(allow("ec2:*"))},
                "users": {"Alice": user(allow("s3:*"), permissions_boundary="b")},
            },
            B: {"buckets": {BUCKET_B: {"policy": policy(grant({"AWS": ALICE}, "s3:GetObject", OBJ_B))}}},
        }
    )
    out = w.evaluate("Alice", "s3:GetObject", OBJ_B)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.BOUNDARY,)


def test_no_access_across_partitions() -> None:
    cn = "444444444444"
    bucket = {"policy": policy(grant("*", "s3:GetObject", "arn:aws-cn:s3:::cn-bucket/key"))}
    w = world(
        {A: {"users": {"Alice": user(allow("s3:*"))}}, cn: {"partition": "aws-cn", "buckets": {"cn-bucket": bucket}}}
    )
    out = w.evaluate("Alice", "s3:GetObject", "arn:aws-cn:s3:::cn-bucket/key")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.RESOURCE,)


def test_assume_role_across_partitions_is_refused() -> None:
    cn = "444444444444"
    w = world(
        {
            A: {"users": {"Alice": user(allow("sts:AssumeRole"))}},
            cn: {"partition": "aws-cn", "roles": {"R": role(trust("*"))}},
        }
    )
    out = w.evaluate("Alice", "sts:AssumeRole", f"arn:aws-cn:iam::{cn}:role/R")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_s3_owner_comes_from_the_model_not_the_arn() -> None:
    # bucket-b's ARN names no account; the model says B owns it, so this is cross-account
    w = cross_world(user(allow("s3:*")), None)
    assert w.evaluate("Alice", "s3:ListBucket", f"arn:aws:s3:::{BUCKET_B}").decision is IMPLICIT
    # an undeclared bucket belongs to the caller's account
    assert w.evaluate("Alice", "s3:ListBucket", "arn:aws:s3:::undeclared").decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# 4. AssumeRole
# ---------------------------------------------------------------------------------------------------------------


def _assume_world(
    trust_policy: dict[str, Any] | None, alice: dict[str, Any] | None = None, **role_extra: Any
) -> Scenario:
    return world(
        {
            A: {
                "users": {"Alice": alice or user()},
                "roles": {"App": role(trust_policy, allow("s3:GetObject"), **role_extra)},
            }
        }
    )


def test_trust_naming_the_account_needs_an_identity_allow() -> None:
    out = _assume_world(trust({"AWS": A_ROOT})).evaluate("Alice", "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)
    w = _assume_world(trust({"AWS": A_ROOT}), user(allow("sts:AssumeRole", APP_ROLE)))
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE).decision is ALLOWED


def test_trust_naming_the_user_in_the_same_account_needs_no_identity_allow() -> None:
    assert _assume_world(trust({"AWS": ALICE})).evaluate("Alice", "sts:AssumeRole", APP_ROLE).decision is ALLOWED


def test_trust_naming_a_user_of_another_account_still_needs_the_callers_identity_allow() -> None:
    bob = f"arn:aws:iam::{B}:user/Bob"
    w = world({A: {"roles": {"App": role(trust({"AWS": bob}))}}, B: {"users": {"Bob": user()}}})
    out = w.evaluate(bob, "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)


def test_trust_policy_must_allow_even_in_the_same_account() -> None:
    w = _assume_world(trust({"Service": "ec2.amazonaws.com"}), user(allow("sts:AssumeRole", "*")))
    out = w.evaluate("Alice", "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.TRUST,)


def test_role_without_trust_policy_cannot_be_assumed() -> None:
    out = _assume_world(None, user(allow("sts:AssumeRole"))).evaluate("Alice", "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.TRUST,)


def test_root_user_cannot_assume_roles() -> None:
    out = _assume_world(trust({"AWS": A_ROOT})).evaluate(A_ROOT, "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_anonymous_cannot_assume_roles() -> None:
    out = _assume_world(trust("*")).evaluate("anonymous", "sts:AssumeRole", APP_ROLE)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_service_principal_assumes_a_role_that_trusts_it() -> None:
    w = _assume_world(trust({"Service": "lambda.amazonaws.com"}))
    assert w.evaluate("lambda.amazonaws.com", "sts:AssumeRole", APP_ROLE).decision is ALLOWED
    assert w.evaluate("ec2.amazonaws.com", "sts:AssumeRole", APP_ROLE).decision is IMPLICIT


def test_external_id_condition() -> None:
    t = trust({"AWS": ALICE}, Condition={"StringEquals": {"sts:ExternalId": "abc-123"}})
    w = _assume_world(t)
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE).decision is IMPLICIT
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, external_id="abc-123").decision is ALLOWED
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, external_id="wrong").decision is IMPLICIT


def test_mfa_condition_in_trust_policy() -> None:
    w = _assume_world(trust({"AWS": ALICE}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE).decision is IMPLICIT
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, mfa=True).decision is ALLOWED


def test_session_has_the_roles_permissions_only() -> None:
    w = _assume_world(trust({"AWS": ALICE}), user(allow("s3:PutObject")))
    assert w.evaluate("Alice", "s3:PutObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:PutObject", OBJ, assume=["App"]).decision is IMPLICIT
    assert w.evaluate("Alice", "s3:GetObject", OBJ, assume=["App"]).decision is ALLOWED


def test_session_principal_arn_is_the_role_arn() -> None:
    cond = {"ArnEquals": {"aws:PrincipalArn": APP_ROLE}}
    w = world(
        {
            A: {
                "users": {"Alice": user()},
                "roles": {"App": role(trust({"AWS": ALICE}))},
                "buckets": {BUCKET: {"policy": policy(grant("*", "s3:GetObject", OBJ, Condition=cond))}},
            }
        }
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ, assume=["App"]).decision is ALLOWED
    assert w.principal_arn("App", session_name="s1") == f"arn:aws:sts::{A}:assumed-role/App/s1"


def test_session_policy_intersects_the_roles_permissions() -> None:
    w = _assume_world(trust({"AWS": ALICE}))
    sp = policy(allow("s3:ListBucket"))
    out = w.evaluate("Alice", "s3:GetObject", OBJ, assume=["App"], session_policy=sp)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SESSION,)


def test_duration_limits() -> None:
    w = _assume_world(trust({"AWS": ALICE}))
    assert w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, duration_seconds=3600).decision is ALLOWED
    out = w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, duration_seconds=7200)  # role max is 3600
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_role_chaining_is_limited_to_one_hour() -> None:
    w = world(
        {
            A: {
                "users": {"Alice": user()},
                "roles": {
                    "First": role(trust({"AWS": ALICE}), allow("sts:AssumeRole")),
                    "Second": role(trust({"AWS": A_ROOT}), max_session_duration=43200),
                },
            }
        }
    )
    second = f"arn:aws:iam::{A}:role/Second"
    assert w.evaluate("Alice", "sts:AssumeRole", second, assume=["First"]).decision is ALLOWED
    out = w.evaluate("Alice", "sts:AssumeRole", second, assume=["First"], duration_seconds=7200)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)
    assert (
        w.evaluate("Alice", "sts:AssumeRole", second, duration_seconds=7200).decision is IMPLICIT
    )  # no identity allow


def test_session_name_is_validated() -> None:
    out = _assume_world(trust({"AWS": ALICE})).evaluate("Alice", "sts:AssumeRole", APP_ROLE, session_name="bad name!")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_session_tags_need_sts_tag_session() -> None:
    w = _assume_world(trust({"AWS": ALICE}))
    out = w.evaluate("Alice", "sts:AssumeRole", APP_ROLE, session_tags={"team": "a"})
    assert out.decision is IMPLICIT
    w2 = _assume_world(trust({"AWS": ALICE}, ["sts:AssumeRole", "sts:TagSession"]))
    assert w2.evaluate("Alice", "sts:AssumeRole", APP_ROLE, session_tags={"team": "a"}).decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# 5. Statements and matching
# ---------------------------------------------------------------------------------------------------------------


def test_actions_are_case_insensitive() -> None:
    w = s3_world(user(allow("S3:getOBJECT")))
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_action_wildcards() -> None:
    w = s3_world(user(allow(["s3:Get*", "s3:?utObject"])))
    assert w.evaluate("Alice", "s3:GetObjectAcl", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:PutObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:DeleteObject", OBJ).decision is IMPLICIT


def test_resources_are_case_sensitive() -> None:
    w = s3_world(user(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/Key")))
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/Key").decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/key").decision is IMPLICIT


def test_resource_star_spans_slashes_and_question_mark_is_one_character() -> None:
    w = s3_world(user(allow("s3:GetObject", [f"arn:aws:s3:::{BUCKET}/*/test/*", f"arn:aws:s3:::{BUCKET}/f?"])))
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/1/2/test/3/x").decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/f1").decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/f12").decision is IMPLICIT


def test_open_question_user_names_in_resource_are_case_sensitive() -> None:
    w = world({A: {"users": {"Alice": user(allow("iam:GetUser", f"arn:aws:iam::{A}:user/bob")), "Bob": {}}}})
    assert w.evaluate("Alice", "iam:GetUser", f"arn:aws:iam::{A}:user/Bob").decision is IMPLICIT
    assert w.evaluate("Alice", "iam:GetUser", f"arn:aws:iam::{A}:user/bob").decision is ALLOWED


def test_open_question_trailing_star_in_a_segment_matches_across_colons() -> None:
    stream = f"arn:aws:logs:us-east-1:{A}:log-group:/app/web:log-stream:s1"
    w = s3_world(user(allow("logs:GetLogEvents", f"arn:aws:logs:us-east-1:{A}:log-group:/app/*")))
    assert w.evaluate("Alice", "logs:GetLogEvents", stream).decision is ALLOWED
    # a `*` ending the region segment spans the rest of the ARN, colons included
    w2 = s3_world(user(allow("sqs:SendMessage", f"arn:aws:sqs:us-*:{A}:queue1")))
    assert w2.evaluate("Alice", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:queue1").decision is ALLOWED
    assert w2.evaluate("Alice", "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:queue1").decision is IMPLICIT


def test_not_action_with_allow_grants_everything_else() -> None:
    w = s3_world(user({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "iam:ListUsers", "*").decision is IMPLICIT


def test_not_resource_with_deny() -> None:
    w = s3_world(user(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": f"arn:aws:s3:::{BUCKET}/*"}))
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", "arn:aws:s3:::other/key").decision is EXPLICIT


def _not_principal_world() -> Scenario:
    stmt = {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, A_ROOT]}, "Action": "s3:*", "Resource": OBJ}
    users = {"Alice": user(allow("s3:*")), "Bob": user(allow("s3:*"))}
    return world(
        {
            A: {"users": users, "buckets": {BUCKET: {"policy": policy(stmt)}}},
            B: {"users": {"Carol": user(allow("s3:*"))}},
        }
    )


def test_not_principal_with_deny_spares_the_named_user_and_denies_other_accounts() -> None:
    w = _not_principal_world()
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate(f"arn:aws:iam::{B}:user/Carol", "s3:GetObject", OBJ).decision is EXPLICIT


def test_not_principal_naming_the_account_does_not_spare_its_other_users() -> None:
    assert _not_principal_world().evaluate("Bob", "s3:GetObject", OBJ).decision is EXPLICIT


def test_not_principal_naming_the_role_does_not_spare_its_sessions() -> None:
    stmt = {"Effect": "Deny", "NotPrincipal": {"AWS": [APP_ROLE, A_ROOT]}, "Action": "s3:*", "Resource": OBJ}
    w = s3_world(user(), policy(stmt), roles={"App": role(None, allow("s3:*"))})
    assert w.evaluate("App", "s3:GetObject", OBJ, session_name="s1").decision is EXPLICIT


@pytest.mark.parametrize("who", ["user", "role session"])
def test_not_principal_deny_always_denies_a_principal_with_a_boundary(who: str) -> None:
    # access_policies_boundaries.md (Important): "The NotPrincipal element with a Deny effect will always deny any
    # IAM principal that has a permissions boundary policy attached, regardless of the values specified in the
    # NotPrincipal element."
    spared = [ALICE, APP_ROLE, f"arn:aws:sts::{A}:assumed-role/App/s1", A_ROOT]
    stmt = {"Effect": "Deny", "NotPrincipal": {"AWS": spared}, "Action": "s3:*", "Resource": OBJ}
    bounded = {"permissions_boundary": "Bound"}
    w = world(
        {
            A: {
                "policies": {"Bound": policy(allow("s3:*"))},
                "users": {"Alice": user(allow("s3:*"), **bounded)},
                "roles": {"App": role(None, allow("s3:*"), **bounded)},
                "buckets": {BUCKET: {"policy": policy(stmt)}},
            }
        }
    )
    principal = "Alice" if who == "user" else "App"
    out = w.evaluate(principal, "s3:GetObject", OBJ, session_name="s1")
    assert out.decision is EXPLICIT
    assert out.reasons[0].gate is Gate.RESOURCE


def test_not_principal_spares_the_same_caller_without_a_boundary() -> None:
    stmt = {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, A_ROOT]}, "Action": "s3:*", "Resource": OBJ}
    assert s3_world(user(allow("s3:*")), policy(stmt)).evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_not_principal_with_allow_is_refused() -> None:
    # reference_policies_elements_notprincipal.md: "NotPrincipal must be used with "Effect":"Deny". Using it with
    # "Effect":"Allow" is not supported."
    stmt = {"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "s3:*", "Resource": OBJ}
    with pytest.raises(PolicyError, match='`NotPrincipal` must be used with `"Effect": "Deny"`') as raised:
        s3_world(user(), policy(stmt))
    assert raised.value.location is not None and raised.value.location.path[-1] == "NotPrincipal"


def test_effect_is_case_sensitive() -> None:
    with pytest.raises(PolicysimError):
        s3_world(user({"Effect": "allow", "Action": "s3:*", "Resource": "*"}))


def test_principal_arns_admit_no_partial_wildcards() -> None:
    with pytest.raises(PolicyError):
        s3_world(user(), policy(grant({"AWS": f"arn:aws:iam::{A}:user/*"}, "s3:*", "*")))


# ---------------------------------------------------------------------------------------------------------------
# 6. Conditions
# ---------------------------------------------------------------------------------------------------------------


def _cond_world(operator: str, key: str, value: Any) -> Scenario:
    return s3_world(user(allow("s3:GetObject", OBJ, Condition={operator: {key: value}})))


def test_missing_key_makes_a_condition_false() -> None:
    w = _cond_world("IpAddress", "aws:SourceIp", "203.0.113.0/24")
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is IMPLICIT
    assert w.evaluate("Alice", "s3:GetObject", OBJ, {"aws:SourceIp": "203.0.113.9"}).decision is ALLOWED


def test_negated_operator_with_missing_key_is_true() -> None:
    w = _cond_world("StringNotEquals", "aws:RequestTag/env", "prod")
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_if_exists_with_missing_key_is_true() -> None:
    w = _cond_world("StringEqualsIfExists", "aws:RequestTag/env", "prod")
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", OBJ, {"aws:RequestTag/env": "dev"}).decision is IMPLICIT


def test_for_all_values_true_and_for_any_value_false_when_key_missing() -> None:
    assert (
        _cond_world("ForAllValues:StringEquals", "aws:TagKeys", ["a"]).evaluate("Alice", "s3:GetObject", OBJ).decision
        is ALLOWED
    )
    assert (
        _cond_world("ForAnyValue:StringEquals", "aws:TagKeys", ["a"]).evaluate("Alice", "s3:GetObject", OBJ).decision
        is IMPLICIT
    )


def test_values_or_keys_and() -> None:
    w = s3_world(
        user(
            allow(
                "s3:GetObject",
                OBJ,
                Condition={"StringEquals": {"aws:RequestTag/a": ["1", "2"], "aws:RequestTag/b": "x"}},
            )
        )
    )
    assert (
        w.evaluate("Alice", "s3:GetObject", OBJ, {"aws:RequestTag/a": "2", "aws:RequestTag/b": "x"}).decision is ALLOWED
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ, {"aws:RequestTag/a": "2"}).decision is IMPLICIT


def test_condition_key_names_are_case_insensitive_values_are_not() -> None:
    w = _cond_world("StringEquals", "AWS:USERNAME", "Alice")
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert (
        _cond_world("StringEquals", "aws:username", "alice").evaluate("Alice", "s3:GetObject", OBJ).decision is IMPLICIT
    )


def test_null_operator() -> None:
    w = _cond_world("Null", "aws:SourceIp", "true")
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", OBJ, {"aws:SourceIp": "10.0.0.1"}).decision is IMPLICIT


def test_mfa_present_is_absent_for_long_term_credentials() -> None:
    w = s3_world(user(allow("s3:*"), deny("s3:*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})))
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is EXPLICIT  # absent -> IfExists true
    assert w.evaluate("Alice", "s3:GetObject", OBJ, mfa=True).decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# 7. Variables
# ---------------------------------------------------------------------------------------------------------------


def test_username_variable_in_resource() -> None:
    w = s3_world(user(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/home/${{aws:username}}/*")))
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/home/Alice/x").decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/home/Bob/x").decision is IMPLICIT


def test_unresolvable_variable_in_resource_matches_nothing() -> None:
    # role sessions have no aws:username
    w = s3_world(user(), roles={"App": role(None, allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/${{aws:username}}*"))})
    assert w.evaluate("App", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/x").decision is IMPLICIT


def test_variable_default_value() -> None:
    w = s3_world(user(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/${{aws:PrincipalTag/team, 'none'}}/*")))
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/none/x").decision is ALLOWED


def test_variables_are_literal_under_version_2008() -> None:
    w = s3_world(
        {
            "inline_policies": {
                "p": policy(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/${{aws:username}}"), version="2008-10-17")
            }
        }
    )
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/Alice").decision is IMPLICIT
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/${{aws:username}}").decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# 8. S3
# ---------------------------------------------------------------------------------------------------------------


def test_bucket_actions_use_the_bucket_arn_and_object_actions_the_object_arn() -> None:
    w = s3_world(
        user(allow("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"), allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"))
    )
    assert w.evaluate("Alice", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}").decision is ALLOWED
    assert w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/k").decision is ALLOWED
    # A request AWS would never evaluate (an object ARN for a bucket action, and the reverse) has no decision: the
    # catalogue says which resource types the action acts on (issue 12).
    with pytest.raises(RequestError, match=r"not a resource `s3:ListBucket` acts on; it acts on `s3:accesspoint`"):
        w.evaluate("Alice", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}/*")
    with pytest.raises(RequestError, match=r"not a resource `s3:GetObject` acts on"):
        w.evaluate("Alice", "s3:GetObject", f"arn:aws:s3:::{BUCKET}")


def test_open_question_list_all_my_buckets_needs_the_star_resource() -> None:
    # policysim matches Resource against the request resource as whole strings; ListAllMyBuckets has the
    # resource `*`, which `arn:aws:s3:::*` does not match (reference_policies_elements_notaction.md)
    w = s3_world(user(allow("s3:ListAllMyBuckets", "arn:aws:s3:::*")))
    out = w.evaluate("Alice", "s3:ListAllMyBuckets", "*")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)
    assert (
        s3_world(user(allow("s3:ListAllMyBuckets", "*"))).evaluate("Alice", "s3:ListAllMyBuckets", "*").decision
        is ALLOWED
    )


# ---------------------------------------------------------------------------------------------------------------
# 9. KMS
# ---------------------------------------------------------------------------------------------------------------

KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _kms_world(key_policy: dict[str, Any], alice: dict[str, Any]) -> Scenario:
    return world({A: {"users": {"Alice": alice}, "resources": [{"arn": KEY, "policy": key_policy}]}})


def test_kms_key_policy_must_allow_identity_alone_is_not_enough() -> None:
    kp = policy(grant({"AWS": f"arn:aws:iam::{A}:user/Admin"}, "kms:*", "*"))
    out = _kms_world(kp, user(allow("kms:Decrypt"))).evaluate("Alice", "kms:Decrypt", KEY)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.RESOURCE,)


def test_kms_key_policy_delegating_to_the_account_enables_iam_policies() -> None:
    kp = policy(grant({"AWS": A_ROOT}, "kms:*", "*"))
    assert _kms_world(kp, user(allow("kms:Decrypt"))).evaluate("Alice", "kms:Decrypt", KEY).decision is ALLOWED
    out = _kms_world(kp, user()).evaluate("Alice", "kms:Decrypt", KEY)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.IDENTITY,)


def test_kms_key_policy_naming_the_user_is_enough() -> None:
    kp = policy(grant({"AWS": ALICE}, "kms:Decrypt", "*"))
    assert _kms_world(kp, user()).evaluate("Alice", "kms:Decrypt", KEY).decision is ALLOWED


def test_kms_cross_account_needs_key_policy_and_identity_allow() -> None:
    key_b = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    kp = policy(grant({"AWS": A}, "kms:Decrypt", "*"))
    for alice, expected in ((user(allow("kms:Decrypt")), ALLOWED), (user(), IMPLICIT)):
        w = world({A: {"users": {"Alice": alice}}, B: {"resources": [{"arn": key_b, "policy": kp}]}})
        assert w.evaluate("Alice", "kms:Decrypt", key_b).decision is expected


def test_kms_root_user_needs_the_key_policy_too() -> None:
    kp = policy(grant({"AWS": ALICE}, "kms:*", "*"))
    assert _kms_world(kp, user()).evaluate(A_ROOT, "kms:Decrypt", KEY).decision is IMPLICIT


# ---------------------------------------------------------------------------------------------------------------
# 10. Root, anonymous, service principals
# ---------------------------------------------------------------------------------------------------------------


def test_root_user_has_full_access_in_its_account() -> None:
    out = s3_world(user()).evaluate(A_ROOT, "s3:DeleteBucket", f"arn:aws:s3:::{BUCKET}")
    assert out.decision is ALLOWED
    assert Gate.ROOT in out.gates


def test_root_user_is_stopped_by_explicit_deny_in_resource_policy() -> None:
    w = s3_world(user(), policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJ}))
    assert w.evaluate(A_ROOT, "s3:GetObject", OBJ).decision is EXPLICIT


def test_root_user_cross_account_needs_the_resource_policy() -> None:
    w = cross_world(user(), None)
    assert w.evaluate(A_ROOT, "s3:GetObject", OBJ_B).decision is IMPLICIT
    w2 = cross_world(user(), policy(grant({"AWS": A}, "s3:GetObject", OBJ_B)))
    assert w2.evaluate(A_ROOT, "s3:GetObject", OBJ_B).decision is ALLOWED


def test_anonymous_is_allowed_only_by_a_star_resource_policy() -> None:
    assert s3_world(user()).evaluate("anonymous", "s3:GetObject", OBJ).decision is IMPLICIT
    assert (
        s3_world(user(), policy(grant("*", "s3:GetObject", OBJ))).evaluate("anonymous", "s3:GetObject", OBJ).decision
        is ALLOWED
    )
    named = s3_world(user(), policy(grant({"AWS": A}, "s3:GetObject", OBJ)))
    assert named.evaluate("anonymous", "s3:GetObject", OBJ).decision is IMPLICIT


def test_service_principal_is_allowed_only_by_a_resource_policy_naming_it() -> None:
    sp = "cloudtrail.amazonaws.com"
    assert s3_world(user()).evaluate(sp, "s3:PutObject", OBJ).decision is IMPLICIT
    w = s3_world(user(), policy(grant({"Service": sp}, "s3:PutObject", OBJ)))
    assert w.evaluate(sp, "s3:PutObject", OBJ).decision is ALLOWED
    assert w.evaluate("config.amazonaws.com", "s3:PutObject", OBJ).decision is IMPLICIT


# ---------------------------------------------------------------------------------------------------------------
# 11. Organizations: SCPs and RCPs
# ---------------------------------------------------------------------------------------------------------------

DENY_S3_SCP = policy(deny("s3:*"))
ONLY_S3_SCP = policy(allow("s3:*"))
RCP_DENY_S3_OUTSIDE_ORG = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
    }
)


def _org(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": ORG, "management_account": M, "policies": {}, "root": {"accounts": [A, M]}}
    base.update(kw)
    return base


def test_scp_explicit_deny() -> None:
    w = world(
        {A: {"scps": ["FullAWSAccess", "DenyS3"], "users": {"Alice": user(allow("s3:*"))}}, M: {}},
        _org(policies={"DenyS3": DENY_S3_SCP}),
    )
    out = w.evaluate("Alice", "s3:GetObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.SCP,)


def test_open_question_scp_that_does_not_allow_is_implicit_deny_with_gate_scp() -> None:
    w = world(
        {A: {"scps": ["OnlyS3"], "users": {"Alice": user(allow("*"))}}, M: {}}, _org(policies={"OnlyS3": ONLY_S3_SCP})
    )
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED
    out = w.evaluate("Alice", "iam:ListUsers", "*")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SCP,)


def test_every_scp_level_must_allow() -> None:
    org = _org(
        policies={"OnlyS3": ONLY_S3_SCP},
        root={"accounts": [M]},
        units={
            "Prod": {"parent": "root", "scps": ["OnlyS3"], "accounts": []},
            "Team": {"parent": "Prod", "accounts": [A]},
        },
    )
    w = world({A: {"users": {"Alice": user(allow("*"))}}, M: {}}, org)
    out = w.evaluate("Alice", "ec2:DescribeInstances", "*")
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SCP,)


def test_detaching_full_aws_access_leaves_nothing_allowed() -> None:
    w = world({A: {"scps": [], "users": {"Alice": user(allow("*"))}}, M: {}}, _org())
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is IMPLICIT


def test_scps_apply_to_the_member_account_root_user() -> None:
    w = world(
        {A: {"scps": ["FullAWSAccess", "DenyS3"], "buckets": {BUCKET: {}}}, M: {}},
        _org(policies={"DenyS3": DENY_S3_SCP}),
    )
    assert w.evaluate(A_ROOT, "s3:GetObject", OBJ).decision is EXPLICIT


def test_scps_do_not_restrict_the_management_account() -> None:
    w = world(
        {M: {"scps": ["FullAWSAccess", "DenyS3"], "users": {"Boss": user(allow("s3:*"))}}, A: {}},
        _org(policies={"DenyS3": DENY_S3_SCP}),
    )
    assert w.evaluate("Boss", "s3:GetObject", "arn:aws:s3:::mgmt-bucket/key").decision is ALLOWED


def test_scps_do_not_restrict_service_linked_roles() -> None:
    slr = role(
        trust({"Service": "elasticbeanstalk.amazonaws.com"}),
        allow("s3:*"),
        path="/aws-service-role/elasticbeanstalk.amazonaws.com/",
    )
    w = world(
        {A: {"scps": ["FullAWSAccess", "DenyS3"], "roles": {"AWSServiceRoleForElasticBeanstalk": slr}}, M: {}},
        _org(policies={"DenyS3": DENY_S3_SCP}),
    )
    assert w.evaluate("AWSServiceRoleForElasticBeanstalk", "s3:GetObject", OBJ).decision is ALLOWED


def test_scps_do_not_apply_to_service_principals() -> None:
    w = world(
        {
            A: {
                "scps": ["FullAWSAccess", "DenyS3"],
                "buckets": {
                    BUCKET: {"policy": policy(grant({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", OBJ))}
                },
            },
            M: {},
        },
        _org(policies={"DenyS3": DENY_S3_SCP}),
    )
    assert w.evaluate("cloudtrail.amazonaws.com", "s3:PutObject", OBJ).decision is ALLOWED


def _rcp_world(bucket_policy_principal: Any = "*", **a_extra: Any) -> Scenario:
    bucket = {"policy": policy(grant(bucket_policy_principal, "s3:GetObject", OBJ))}
    accounts: dict[str, Any] = {
        A: {"rcps": ["DenyOutside"], "buckets": {BUCKET: bucket}, **a_extra},
        M: {},
        B: {"users": {"Bob": user(allow("s3:*"))}},
    }
    return world(accounts, _org(policies={"DenyOutside": RCP_DENY_S3_OUTSIDE_ORG}))


BOB = f"arn:aws:iam::{B}:user/Bob"


def test_rcp_deny_applies_to_principals_outside_the_organization() -> None:
    out = _rcp_world().evaluate(BOB, "s3:GetObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.RCP,)


def test_rcp_full_aws_access_is_implied_at_every_level() -> None:
    w = world({A: {"users": {"Alice": user(allow("s3:*"))}}, M: {}}, _org())
    assert w.evaluate("Alice", "s3:GetObject", OBJ).decision is ALLOWED


def test_rcps_apply_to_the_member_account_root_user() -> None:
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"})
    w = world({A: {"rcps": ["NoDelete"], "buckets": {BUCKET: {}}}, M: {}}, _org(policies={"NoDelete": rcp}))
    out = w.evaluate(A_ROOT, "s3:DeleteBucket", f"arn:aws:s3:::{BUCKET}")
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.RCP,)


def test_rcps_do_not_apply_to_resources_of_the_management_account() -> None:
    bucket = {"policy": policy(grant("*", "s3:GetObject", "arn:aws:s3:::mgmt-bucket/key"))}
    w = world(
        {
            M: {"rcps": ["DenyOutside"], "buckets": {"mgmt-bucket": bucket}},
            A: {},
            B: {"users": {"Bob": user(allow("s3:*"))}},
        },
        _org(policies={"DenyOutside": RCP_DENY_S3_OUTSIDE_ORG}),
    )
    assert w.evaluate(BOB, "s3:GetObject", "arn:aws:s3:::mgmt-bucket/key").decision is ALLOWED


def test_rcps_do_not_apply_to_service_linked_roles() -> None:
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    slr = role(
        trust({"Service": "elasticbeanstalk.amazonaws.com"}),
        allow("s3:*"),
        path="/aws-service-role/elasticbeanstalk.amazonaws.com/",
    )
    w = world(
        {A: {"rcps": ["DenyAll"], "roles": {"AWSServiceRoleForElasticBeanstalk": slr}}, M: {}},
        _org(policies={"DenyAll": rcp}),
    )
    assert w.evaluate("AWSServiceRoleForElasticBeanstalk", "s3:GetObject", OBJ).decision is ALLOWED


def test_rcps_apply_to_service_principals() -> None:
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    bucket = {"policy": policy(grant({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", OBJ))}
    w = world({A: {"rcps": ["DenyAll"], "buckets": {BUCKET: bucket}}, M: {}}, _org(policies={"DenyAll": rcp}))
    out = w.evaluate("cloudtrail.amazonaws.com", "s3:PutObject", OBJ)
    assert out.decision is EXPLICIT
    assert out.gates == (Gate.RCP,)


def test_rcps_apply_to_every_service() -> None:
    # policysim applies RCPs to every service (fail closed): AWS's list of covered services changes, and skipping
    # a Deny on a service wrongly thought uncovered would widen access. See docs/semantics.md.
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    w = world({A: {"rcps": ["DenyAll"], "users": {"Alice": user(allow("*"))}}, M: {}}, _org(policies={"DenyAll": rcp}))
    assert w.evaluate("Alice", "ec2:DescribeInstances", "*").decision is EXPLICIT
    assert w.evaluate("Alice", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q").decision is EXPLICIT


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("cognito-idp:AdminGetUser", f"arn:aws:cognito-idp:us-east-1:{A}:userpool/us-east-1_x"),
        ("events:PutEvents", f"arn:aws:events:us-east-1:{A}:event-bus/default"),
        ("codebuild:StartBuild", f"arn:aws:codebuild:us-east-1:{A}:project/p"),
    ],
)
def test_rcps_cover_every_service_on_the_current_list(action: str, resource: str) -> None:
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    w = world({A: {"rcps": ["DenyAll"], "users": {"Alice": user(allow("*"))}}, M: {}}, _org(policies={"DenyAll": rcp}))
    assert w.evaluate("Alice", action, resource).decision is EXPLICIT


def test_rcps_do_not_restrict_kms_retire_grant() -> None:
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    kp = policy(grant({"AWS": ALICE}, "kms:*", "*"))
    w = world(
        {A: {"rcps": ["DenyKms"], "users": {"Alice": user()}, "resources": [{"arn": KEY, "policy": kp}]}, M: {}},
        _org(policies={"DenyKms": rcp}),
    )
    assert w.evaluate("Alice", "kms:RetireGrant", KEY).decision is ALLOWED


def test_rcp_that_does_not_allow_is_implicit_deny_with_gate_rcp() -> None:
    # RCPFullAWSAccess cannot be detached, so only the engine can be shown an RCP level that allows nothing
    from policysim.compile import compile_policy
    from policysim.engine.decide import decide
    from policysim.engine.policies import PolicySet
    from policysim.enums import PolicyKind
    from policysim.load import Document

    w = _rcp_world()
    rcp_only_get = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    level = compile_policy(Document.from_data(rcp_only_get, "<rcp>"), "OnlyGet", PolicyKind.RCP)
    from policysim.world.assemble import build_request
    from policysim.world.resolve import resolve_actor, resolve_target

    actor = resolve_actor(w.world, BOB, None)
    target = resolve_target(w.world, OBJ, None, actor, None)
    request = build_request(w.world, actor, "s3:PutObject", target, {}, ("2024-01-01T00:00:00Z", "1704067200"))
    out = decide(
        request, PolicySet(identity=actor.identity, rcp_levels=(("account", (level,)),), resource=target.policy)
    )
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.RCP,)


# ---------------------------------------------------------------------------------------------------------------
# 12. Service rules
# ---------------------------------------------------------------------------------------------------------------


def test_get_caller_identity_needs_no_permission_and_survives_explicit_deny() -> None:
    w = s3_world(user(deny("sts:GetCallerIdentity")))
    out = w.evaluate("Alice", "sts:GetCallerIdentity", "*")
    assert out.decision is ALLOWED
    assert out.gates == (Gate.SERVICE,)


def test_get_caller_identity_needs_authentication() -> None:
    assert s3_world(user()).evaluate("anonymous", "sts:GetCallerIdentity", "*").decision is not ALLOWED


@pytest.mark.parametrize(
    "action,resource",
    [
        ("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("iam:DeleteRole", f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123"),
        (
            "iam:DeleteRole",
            f"arn:aws:iam::{A}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk",
        ),
        ("kms:DeleteAlias", f"arn:aws:kms:us-east-1:{A}:alias/aws/s3"),
    ],
)
def test_aws_owned_resources_cannot_be_modified(action: str, resource: str) -> None:
    out = s3_world(user(allow("*"))).evaluate("Alice", action, resource)
    assert out.decision is IMPLICIT
    assert out.gates == (Gate.SERVICE,)


def test_an_explicit_deny_wins_over_the_refusal_of_aws_owned_resources() -> None:
    # reference_policies_evaluation-logic.md: "If the code finds even one explicit deny that applies, the code
    # returns a final decision of Deny."
    alias = f"arn:aws:kms:us-east-1:{A}:alias/aws/s3"
    out = s3_world(user(allow("*"), deny("kms:DeleteAlias"))).evaluate("Alice", "kms:DeleteAlias", alias)
    assert out.decision is EXPLICIT and out.gates == (Gate.IDENTITY,)


def test_service_linked_role_can_be_deleted_through_its_sanctioned_action() -> None:
    slr = f"arn:aws:iam::{A}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
    assert s3_world(user(allow("*"))).evaluate("Alice", "iam:DeleteServiceLinkedRole", slr).decision is ALLOWED


@pytest.mark.parametrize("caller", ["Alice", A_ROOT])
def test_get_session_token_needs_no_permission_and_cannot_be_denied(caller: str) -> None:
    # id_credentials_temp_control-access_getsessiontoken.md: "No permissions are required for a user to get a
    # session token. ... You cannot use policies to control authentication operations."
    w = s3_world(user(deny("*")))
    out = w.evaluate(caller, "sts:GetSessionToken", "*")
    assert out.decision is ALLOWED and out.gates == (Gate.SERVICE,)


def test_a_role_session_cannot_get_a_session_token() -> None:
    w = s3_world(user(), roles={"App": role(None, allow("*"))})
    out = w.evaluate("App", "sts:GetSessionToken", "*")
    assert out.decision is IMPLICIT and out.gates == (Gate.SERVICE,)


@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"])
def test_the_root_user_makes_no_trust_action(action: str) -> None:
    # tutorial_cross-account-with-roles.md: "You cannot switch to a role when you sign in as the AWS account root
    # user"
    w = s3_world(user(), roles={"App": role(trust({"AWS": A}, ["sts:AssumeRole", "sts:TagSession"]))})
    out = w.evaluate(A_ROOT, action, APP_ROLE)
    assert out.decision is IMPLICIT and out.gates == (Gate.SERVICE,)


def test_a_trust_action_on_a_role_the_model_does_not_declare_is_not_allowed() -> None:
    # Every role has a trust policy and it must allow; one the model does not give allows nobody.
    out = s3_world(user(allow("sts:*"))).evaluate("Alice", "sts:AssumeRole", f"arn:aws:iam::{A}:role/Elsewhere")
    assert out.decision is IMPLICIT and out.gates == (Gate.TRUST,)
    assert out.reasons[0].code is ReasonCode.RESOURCE_POLICY_ABSENT


def test_a_kms_key_the_model_does_not_declare_is_not_allowed_by_identity_policies() -> None:
    # KMS developer guide: "Without permission from the key policy, IAM policies that allow permissions have no
    # effect."
    key = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    out = s3_world(user(allow("kms:*"))).evaluate("Alice", "kms:Decrypt", key)
    assert out.decision is IMPLICIT and out.reasons[0].code is ReasonCode.RESOURCE_POLICY_ABSENT
    assert "no key policy was given" in out.reasons[0].message  # the words semantics.md 8.6 quotes


def test_reading_aws_owned_resources_is_decided_by_policies() -> None:
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert s3_world(user(allow("iam:GetPolicy"))).evaluate("Alice", "iam:GetPolicy", arn).decision is ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# Identifiers: one ASCII-only validator each (policysim/identifiers.py)
# ---------------------------------------------------------------------------------------------------------------

ARABIC_ACCOUNT = "\u0661" * 12  # twelve ARABIC-INDIC DIGIT ONE: `isdigit()` and `\d` accept them


@pytest.mark.parametrize("account", [ARABIC_ACCOUNT, "11111111111\n", "1111111111111"])
def test_account_ids_are_twelve_ascii_digits(account: str) -> None:
    with pytest.raises(PolicysimError):
        world({account: {}})
    with pytest.raises(PolicysimError):
        s3_world(user(), policy(grant({"AWS": account}, "s3:*", OBJ)))
    with pytest.raises(PolicysimError):
        s3_world(user()).evaluate("Alice", "s3:GetObject", "arn:aws:s3:::other/key", resource_account=account)


def test_identifier_validators_are_ascii_only() -> None:
    from policysim.identifiers import is_account_id, is_action_name, is_service_principal, is_session_name

    assert is_account_id(A) and not is_account_id(ARABIC_ACCOUNT) and not is_account_id(A + "\n")
    assert is_action_name("s3:GetObject") and not is_action_name("s3:GetObject\n") and not is_action_name("s3:Get*")
    assert is_service_principal("lambda.amazonaws.com") and not is_service_principal("lambda.amazonaws.com\n")
    assert is_session_name("David-ProdUpdate") and not is_session_name("s\u00e9ssion") and not is_session_name("x")
