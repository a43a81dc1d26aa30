"""The twins' VPC endpoint extension (`VpcEndpointPolicyInputList`) and per-type details (`PolicyTypeDecisionDetails`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from policysim import Scenario
from policysim.errors import RequestError, UnresolvedReferenceError
from policysim.twins import simulate_custom_policy, simulate_principal_policy

A = "123456789012"
VPCE = "vpce-0a1b2c3d4e5f60718"
ALICE = f"arn:aws:iam::{A}:user/alice"
OBJ = "arn:aws:s3:::reports/q1.csv"


def clock() -> datetime:
    return datetime(2024, 6, 1, tzinfo=UTC)


def text(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN = text({"Effect": "Allow", "Action": "*", "Resource": "*"})
ONLY_GET = text({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
THROUGH = [{"ContextKeyName": "aws:SourceVpce", "ContextKeyValues": [VPCE]}]


def custom(**extra: Any) -> list[dict[str, Any]]:
    data = {"PolicyInputList": [ADMIN], "ActionNames": ["s3:GetObject", "s3:PutObject"], "ResourceArns": [OBJ]}
    data |= {"CallerArn": ALICE, **extra}
    results: list[dict[str, Any]] = simulate_custom_policy(data, clock=clock)["EvaluationResults"]
    return results


def test_the_endpoint_policy_limits_the_requests_that_name_its_endpoint() -> None:
    get, put = custom(VpcEndpointPolicyInputList=[ONLY_GET], ContextEntries=THROUGH)
    assert (get["EvalDecision"], put["EvalDecision"]) == ("allowed", "implicitDeny")
    assert put["PolicyTypeDecisionDetails"] == {"IAM Policy": "allowed", "VPC Endpoint Policy": "implicitDeny"}
    types = [m["SourcePolicyType"] for m in get["MatchedStatements"]]
    assert types == ["IAM Policy", "VPC Endpoint Policy"]


def test_without_the_extension_the_endpoint_policy_is_not_simulated_as_in_aws() -> None:
    get, put = custom(ContextEntries=THROUGH)
    assert (get["EvalDecision"], put["EvalDecision"]) == ("allowed", "allowed")
    assert "VPC Endpoint Policy" not in put["PolicyTypeDecisionDetails"]


def test_the_extension_without_an_endpoint_in_the_context_is_an_error() -> None:
    with pytest.raises(RequestError, match="names none") as caught:
        custom(VpcEndpointPolicyInputList=[ONLY_GET])
    assert caught.value.location is not None


def test_an_endpoint_has_one_policy() -> None:
    with pytest.raises(RequestError, match="has one"):
        custom(VpcEndpointPolicyInputList=[ONLY_GET, ONLY_GET], ContextEntries=THROUGH)


def test_an_endpoint_policy_without_principal_is_refused() -> None:
    with pytest.raises(Exception, match="Principal"):
        custom(VpcEndpointPolicyInputList=[ADMIN], ContextEntries=THROUGH)


def test_policy_type_details_name_every_type_evaluated() -> None:
    scp = [
        [text({"Effect": "Allow", "Action": "*", "Resource": "*"})],
        [text({"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"})],
    ]
    get, put = custom(ServiceControlPolicyInputList=scp, SessionPolicyInputList=[ADMIN])
    assert get["PolicyTypeDecisionDetails"] == {
        "IAM Policy": "allowed",
        "Session Policy": "allowed",
        "Service Control Policy": "implicitDeny",  # the second level allows nothing for GetObject
    }
    assert put["PolicyTypeDecisionDetails"]["Service Control Policy"] == "explicitDeny"


def principal_scenario() -> Scenario:
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    only_get = json.loads(ONLY_GET)
    account = {"users": {"alice": {"inline_policies": {"p": admin}}}, "vpc_endpoints": {VPCE: {"policy": only_get}}}
    return Scenario.from_dict({"scenario": "twin", "accounts": {A: account}}, clock=clock)


def test_the_principal_twin_evaluates_the_scenarios_endpoint() -> None:
    data = {"PolicySourceArn": ALICE, "ActionNames": ["s3:PutObject"], "ResourceArns": [OBJ], "ContextEntries": THROUGH}
    (result,) = simulate_principal_policy(principal_scenario(), data)["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["PolicyTypeDecisionDetails"]["VPC Endpoint Policy"] == "implicitDeny"


def test_the_principal_twin_takes_the_extension_for_an_endpoint_the_scenario_lacks() -> None:
    context = [{"ContextKeyName": "aws:SourceVpce", "ContextKeyValues": ["vpce-11112222"]}]
    data = {"PolicySourceArn": ALICE, "ActionNames": ["s3:GetObject"], "ResourceArns": [OBJ], "ContextEntries": context}
    with pytest.raises(UnresolvedReferenceError) as caught:
        simulate_principal_policy(principal_scenario(), data)
    assert caught.value.location is not None and "ContextEntries" in str(caught.value.location)
    (result,) = simulate_principal_policy(principal_scenario(), {**data, "VpcEndpointPolicyInputList": [ONLY_GET]})[
        "EvaluationResults"
    ]
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][-1]["SourcePolicyId"] == "VpcEndpointPolicyInputList.1"
