"""The twins' `"SimulationMode": "Discovery"` extension: `DiscoveryStatus` and `DiscoveredConditions` on each result
that is not allowed; its `ContextEntries`, put back in the input, make the result allowed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import policysim
from policysim.errors import SchemaError
from policysim.twins import simulate_custom_policy, simulate_principal_policy

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "NumericLessThan": {"s3:max-keys": "100"}},
        },
        {
            "Effect": "Deny",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}
CLOCK = datetime(2025, 1, 1, tzinfo=UTC)


def custom(**more: Any) -> dict[str, Any]:
    data = {
        "PolicyInputList": [json.dumps(POLICY)],
        "ActionNames": ["s3:ListBucket"],
        "ResourceArns": ["arn:aws:s3:::b"],
    }
    return simulate_custom_policy({**data, **more}, clock=lambda: CLOCK)


def test_standard_mode_adds_nothing() -> None:
    (result,) = custom()["EvaluationResults"]
    assert "DiscoveryStatus" not in result and "DiscoveredConditions" not in result
    assert custom(SimulationMode="Standard") == custom()


def test_discovery_mode_gives_the_conditions_and_their_context_entries() -> None:
    (result,) = custom(SimulationMode="Discovery")["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["DiscoveryStatus"] == "found"
    (found,) = result["DiscoveredConditions"]
    assert [(c["ContextKeyName"], c["Operator"], c["Values"], c["Holds"]) for c in found["Conditions"]] == [
        ("aws:SourceIp", "IpAddress", ["10.0.0.0/8"], True),
        ("s3:max-keys", "NumericLessThan", ["100"], True),
    ]
    assert found["Conditions"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert found["AbsentContextKeys"] == ["aws:SecureTransport"]
    assert {e["ContextKeyName"]: e["ContextKeyType"] for e in found["ContextEntries"]} == {
        "aws:SourceIp": "ip",
        "s3:max-keys": "numeric",
    }
    (again,) = custom(ContextEntries=found["ContextEntries"])["EvaluationResults"]
    assert again["EvalDecision"] == "allowed"
    (allowed,) = custom(ContextEntries=found["ContextEntries"], SimulationMode="Discovery")["EvaluationResults"]
    assert "DiscoveryStatus" not in allowed  # only results not allowed carry it


def test_an_unknown_mode_is_an_input_error() -> None:
    with pytest.raises(SchemaError):
        custom(SimulationMode="discovery")


def test_principal_twin_discovery() -> None:
    users = {"u": {"inline_policies": {"p": POLICY}}}
    model = policysim.Scenario.from_dict({"scenario": "t", "accounts": {"111111111111": {"users": users}}, "tests": []})
    data = {
        "PolicySourceArn": "arn:aws:iam::111111111111:user/u",
        "ActionNames": ["s3:ListBucket"],
        "ResourceArns": ["arn:aws:s3:::b"],
        "SimulationMode": "Discovery",
    }
    (result,) = simulate_principal_policy(model, data)["EvaluationResults"]
    assert result["DiscoveryStatus"] == "found"
    (found,) = result["DiscoveredConditions"]
    (again,) = simulate_principal_policy(model, {**data, "ContextEntries": found["ContextEntries"]})[
        "EvaluationResults"
    ]
    assert again["EvalDecision"] == "allowed"
