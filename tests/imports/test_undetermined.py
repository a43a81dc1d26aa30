"""`undetermined` (contracts.md section 6): unknown policies are resolved both ways, and never give `allowed` unless
every document they could be allows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim import Decision, Scenario
from policysim.cli import main
from policysim.twins import simulate_principal_policy

A = "111111111111"
LATER = {"unknown": {"reason": "known only after apply", "source": "plan.json: aws_iam_policy.later"}}
ALLOW_GET = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
DENY_DELETE = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
OBJECT = "arn:aws:s3:::b/k"


def world(**alice: Any) -> Scenario:
    return Scenario.from_dict({"scenario": "unknowns", "accounts": {A: {"users": {"alice": alice}}}})


def test_an_unknown_identity_policy_could_allow_or_deny() -> None:
    w = world(inline_policies={"known": ALLOW_GET, "later": LATER})
    get = w.evaluate("alice", "s3:GetObject", OBJECT)  # the unknown could hold a Deny
    assert get.decision is Decision.UNDETERMINED
    assert [(u.reason, u.source) for u in get.unknowns] == [
        ("known only after apply", "plan.json: aws_iam_policy.later")
    ]
    assert get.bounds == (Decision.ALLOWED, Decision.EXPLICIT_DENY) and not get.allowed and not get.denied_anyway
    put = w.evaluate("alice", "s3:PutObject", OBJECT)  # the unknown could hold an Allow
    assert put.decision is Decision.UNDETERMINED and not put.allowed


def test_a_known_deny_decides_whatever_the_unknown_holds() -> None:
    w = world(inline_policies={"known": DENY_DELETE, "later": LATER})
    outcome = w.evaluate("alice", "s3:DeleteObject", OBJECT)
    assert outcome.decision is Decision.EXPLICIT_DENY and outcome.unknowns == ()


def test_an_unknown_boundary_never_allows_and_denies_what_the_identity_does_not_grant() -> None:
    w = Scenario.from_dict(
        {
            "scenario": "boundary",
            "accounts": {A: {"users": {"bob": {"inline_policies": {"p": ALLOW_GET}, "permissions_boundary": LATER}}}},
        }
    )
    assert w.evaluate("bob", "s3:GetObject", OBJECT).decision is Decision.UNDETERMINED
    other = w.evaluate("bob", "sqs:SendMessage", "*")
    # implicitDeny if the boundary is lenient, explicitDeny if it denies: denied either way, of unknown kind
    assert other.decision is Decision.UNDETERMINED and other.denied_anyway


def test_unknown_references_and_documents_are_accepted_everywhere_a_policy_stands() -> None:
    data = {
        "scenario": "everywhere",
        "organization": {"id": "o-exampleorg1", "policies": {"Guard": LATER}, "root": {"accounts": [A]}},
        "accounts": {
            A: {
                "scps": ["FullAWSAccess", LATER],
                "policies": {"Later": LATER},
                "users": {"alice": {"managed_policies": ["Later"], "inline_policies": {"p": ALLOW_GET}}},
                "roles": {"app": {"trust_policy": LATER}},
                "buckets": {"b": {"policy": LATER}},
            }
        },
    }
    w = Scenario.from_dict(data)
    assert w.evaluate("alice", "s3:GetObject", OBJECT).decision is Decision.UNDETERMINED
    assert w.evaluate("alice", "sts:AssumeRole", f"arn:aws:iam::{A}:role/app").decision is Decision.UNDETERMINED


def test_undetermined_in_check_json_and_the_twin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tests = [
        {"name": "u", "principal": "alice", "action": "s3:GetObject", "resource": OBJECT, "expect": "undetermined"},
        {"name": "a", "principal": "alice", "action": "s3:GetObject", "resource": OBJECT, "expect": "allowed"},
    ]
    data = {
        "scenario": "undetermined",
        "accounts": {A: {"users": {"alice": {"inline_policies": {"known": ALLOW_GET, "later": LATER}}}}},
        "tests": tests,
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SystemExit) as done:
        main(["check", str(path), "--format", "json"])
    assert done.value.code == 1  # expecting `allowed` fails on `undetermined`
    first, second = json.loads(capsys.readouterr().out)["scenarios"][0]["tests"]
    assert first["decision"] == "undetermined" and first["passed"] is True
    assert first["unknowns"] == [{"reason": "known only after apply", "source": "plan.json: aws_iam_policy.later"}]
    assert second["passed"] is False
    twin = simulate_principal_policy(
        Scenario.from_dict(data), {"PolicySourceArn": f"arn:aws:iam::{A}:user/alice", "ActionNames": ["s3:GetObject"]}
    )
    (result,) = twin["EvaluationResults"]
    assert result["EvalDecision"] == "undetermined" and result["Unknowns"][0]["Source"].startswith("plan.json")


# ------------------------------------------------------------------------------------------------ the law

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
PAIRS = [("s3:GetObject", OBJECT), ("s3:PutObject", OBJECT), ("s3:ListBucket", "arn:aws:s3:::b")]
statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.lists(st.sampled_from([*ACTIONS, "s3:*", "s3:Get*", "*"]), min_size=1, max_size=2, unique=True),
        "Resource": st.sampled_from(["*", OBJECT, "arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
    }
)
statements = st.lists(statement, min_size=1, max_size=3)


def policy(found: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": found}


@settings(max_examples=40, deadline=None)
@given(statements, statements, st.sampled_from(["identity", "boundary"]), st.sampled_from(PAIRS))
def test_an_unknown_never_claims_what_a_resolution_of_it_contradicts(
    known: list[dict[str, Any]], hidden: list[dict[str, Any]], where: str, request: tuple[str, str]
) -> None:
    """Whatever document the unknown turns out to be, a decided answer with the unknown is that document's answer."""

    def alice(unknown: Any) -> dict[str, Any]:
        if where == "identity":
            return {"inline_policies": {"known": policy(known), "hidden": unknown}}
        return {"inline_policies": {"known": policy(known)}, "permissions_boundary": "Hidden", "_doc": unknown}

    def build(unknown: Any) -> Scenario:
        user = alice(unknown)
        doc = user.pop("_doc", None)
        account: dict[str, Any] = {"users": {"alice": user}}
        if doc is not None:
            account["policies"] = {"Hidden": doc}
        return Scenario.from_dict({"scenario": "law", "accounts": {A: account}})

    with_unknown = build(LATER).evaluate("alice", *request).decision
    resolved = build(policy(hidden)).evaluate("alice", *request).decision
    assert with_unknown in (Decision.UNDETERMINED, resolved)
    if with_unknown is Decision.ALLOWED:
        assert resolved is Decision.ALLOWED
