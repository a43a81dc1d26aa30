"""False Allows a review found in the imports and the derived Region, each pinned (fixtures in fixtures/review/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.cli import main

HERE = Path(__file__).parent / "fixtures" / "review"
A = "111111111111"


def imported(tmp_path: Path, entry: dict[str, Any], tests: list[dict[str, Any]] | None = None) -> Scenario:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scenario": "review", "import": [entry], "tests": tests or []}))
    return Scenario.load(path)


def test_cloudformation_inline_queue_and_topic_policies_are_read(tmp_path: Path) -> None:
    """ "The AWS::SQS::QueueInlinePolicy resource associates one Amazon SQS queue with one policy": its Deny holds."""
    entry = {"cloudformation": str(HERE / "inline-policies.yaml"), "account": A, "region": "us-east-1"}
    scenario = imported(tmp_path, entry)
    send = scenario.evaluate("app", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q1")
    publish = scenario.evaluate("app", "sns:Publish", f"arn:aws:sns:us-east-1:{A}:t1")
    assert (send.decision, publish.decision) == (Decision.EXPLICIT_DENY, Decision.EXPLICIT_DENY)


def test_a_resource_terraform_forgets_still_exists(tmp_path: Path) -> None:
    """A `removed` block takes a resource out of state "without changing the underlying infrastructure"."""
    scenario = imported(tmp_path, {"terraform_plan": str(HERE / "forget.json")})
    outcome = scenario.evaluate("app", "s3:GetObject", "arn:aws:s3:::b/k")
    assert outcome.decision is Decision.EXPLICIT_DENY  # the forgotten inline Deny is still attached


def test_the_written_model_keeps_what_the_import_could_not_tell(tmp_path: Path) -> None:
    out = tmp_path / "model.yaml"
    template = str(HERE / "public-bucket.yaml")
    with pytest.raises(SystemExit):
        main(["import", "cloudformation", template, "--account", A, "--region", "us-east-1", "-o", str(out)])
    written = Scenario.load(out)
    request = ("arn:aws:iam::222222222222:user/x", "s3:GetObject", "arn:aws:s3:::pubstar/k")
    via_import = imported(tmp_path, {"cloudformation": template, "account": A, "region": "us-east-1"})
    assert written.evaluate(*request).decision is via_import.evaluate(*request).decision is Decision.UNDETERMINED


def test_a_cross_region_copy_is_not_given_the_source_region() -> None:
    """CopySnapshot is called in the destination Region: the source snapshot's Region is not aws:RequestedRegion."""
    lock = {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": lock},
        ],
    }
    snapshot = "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"
    tests = [
        {"name": "copy", "principal": "u", "action": "ec2:CopySnapshot", "resource": snapshot, "expect": "explicitDeny"}
    ]
    data = {
        "scenario": "r",
        "defaults": {"region": "eu-west-1"},
        "accounts": {A: {"users": {"u": {"inline_policies": {"p": policy}}}}},
    }
    (result,) = Scenario.from_dict({**data, "tests": tests}).run_tests()
    assert result.passed, result.expectation  # the default Region (eu-west-1) is the Region called
    bare = Scenario.from_dict(data)  # no default: the key is absent, and the Region-lock Deny applies
    assert bare.evaluate("u", "ec2:CopySnapshot", snapshot).decision is Decision.EXPLICIT_DENY
    assert bare.evaluate("u", "ec2:DeleteSnapshot", snapshot).decision is Decision.ALLOWED  # called in us-east-1


def test_a_gaad_export_larger_than_ten_mebibytes_is_read(tmp_path: Path) -> None:
    users = [
        {
            "UserName": f"u{i}",
            "UserId": f"AIDA{i:016d}",
            "Arn": f"arn:aws:iam::{A}:user/u{i}",
            "Path": "/",
            "Description": "x" * 11_000,
        }
        for i in range(1_000)
    ]
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": [], "Policies": []}))
    assert path.stat().st_size > 10 * 1024 * 1024
    scenario = imported(tmp_path, {"gaad": str(path)})
    assert f"arn:aws:iam::{A}:user/u999" in scenario.world.users
