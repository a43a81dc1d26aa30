"""Golden input/output pairs for simulate-custom-policy; `UPDATE_GOLDEN=1 pytest tests/twins` rewrites outputs."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policysim.twins import simulate_custom_policy

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name.removesuffix(".input.json") for p in GOLDEN.glob("*.input.json"))


def fixed_clock() -> datetime:
    return datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def run(name: str) -> dict[str, Any]:
    data = json.loads((GOLDEN / f"{name}.input.json").read_text(encoding="utf-8"))
    return simulate_custom_policy(data, clock=fixed_clock)


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    expected_file = GOLDEN / f"{name}.output.json"
    actual = run(name)
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(json.dumps(actual, indent=4) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_file.read_text(encoding="utf-8"))


# The outputs printed in the AWS CLI documentation (awscli/examples/iam/simulate-custom-policy.rst), verbatim.
# AWS's current responses add `SourcePolicyType` and `IsTruncated`, which the example predates.
AWS_EXAMPLE_ALLOWED = {
    "EvalActionName": "dynamodb:CreateBackup",
    "EvalResourceName": "*",
    "EvalDecision": "allowed",
    "MatchedStatements": [
        {
            "SourcePolicyId": "PolicyInputList.1",
            "StartPosition": {"Line": 1, "Column": 38},
            "EndPosition": {"Line": 1, "Column": 167},
        }
    ],
    "MissingContextValues": [],
}
AWS_EXAMPLE_DENIED = {
    "EvalActionName": "dynamodb:CreateBackup",
    "EvalResourceName": "*",
    "EvalDecision": "implicitDeny",
    "MatchedStatements": [],
    "MissingContextValues": [],
}


@pytest.mark.parametrize(
    ("name", "aws"), [("aws-cli-example-allowed", AWS_EXAMPLE_ALLOWED), ("aws-cli-example-denied", AWS_EXAMPLE_DENIED)]
)
def test_matches_the_aws_cli_documentation(name: str, aws: dict[str, Any]) -> None:
    (result,) = run(name)["EvaluationResults"]
    assert result.pop("PolicyTypeDecisionDetails") == {"IAM Policy": aws["EvalDecision"]}  # policysim's extension
    for statement in result["MatchedStatements"]:
        assert statement.pop("SourcePolicyType") == "IAM Policy"
    assert result == aws


def test_positions_of_a_pretty_printed_policy_follow_aws() -> None:
    # AWS reports AdministratorAccess (2-space indent) as Line 3 Column 17 to Line 8 Column 6
    results = run("pretty-printed-positions")["EvaluationResults"]
    admin = results[0]["MatchedStatements"][0]
    assert (admin["StartPosition"], admin["EndPosition"]) == ({"Line": 3, "Column": 17}, {"Line": 8, "Column": 6})
    deny = results[1]["MatchedStatements"][0]
    assert deny["SourcePolicyId"] == "PolicyInputList.2"
    # a statement followed by another ends just past the comma, where the next one starts
    assert deny["StartPosition"] == {"Line": 3, "Column": 17}
    assert deny["EndPosition"] == {"Line": 9, "Column": 7}
