"""simulate_principal_policy against a scenario: the scenario's policies, AWS's shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from policysim.errors import UnresolvedReferenceError, UnsupportedError
from policysim.scenario.api import Scenario
from policysim.twins import simulate_principal_policy

SCENARIO = Path(__file__).parents[2] / "scenarios" / "cross-account-bucket-policy.yaml"
ANALYST = "arn:aws:iam::222222222222:user/analyst"
INTERN = "arn:aws:iam::222222222222:user/intern"
OBJECT = "arn:aws:s3:::acme-shared-reports/q3.pdf"
TLS = [{"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.load(SCENARIO, clock=lambda: datetime(2024, 6, 1, tzinfo=UTC))


def test_group_policies_and_the_bucket_policy_allow_cross_account(scenario: Scenario) -> None:
    data = {
        "PolicySourceArn": ANALYST,
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": [OBJECT],
        "ContextEntries": TLS,
    }
    (result,) = simulate_principal_policy(scenario, data)["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    ids = [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in result["MatchedStatements"]]
    assert ids == [("ResourcePolicy", "Resource Policy"), ("read-acme-reports", "IAM Policy")]
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert result["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"


def test_insecure_transport_is_an_explicit_deny_from_the_bucket(scenario: Scenario) -> None:
    insecure = [{**TLS[0], "ContextKeyValues": ["false"]}]
    data = {
        "PolicySourceArn": ANALYST,
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": [OBJECT],
        "ContextEntries": insecure,
    }
    (result,) = simulate_principal_policy(scenario, data)["EvaluationResults"]
    assert result["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in result["MatchedStatements"]] == ["ResourcePolicy"]


def test_extra_policies_and_caller(scenario: Scenario) -> None:
    base = {"PolicySourceArn": INTERN, "ActionNames": ["s3:GetObject"], "ResourceArns": [OBJECT], "ContextEntries": TLS}
    (denied,) = simulate_principal_policy(scenario, base)["EvaluationResults"]
    assert denied["EvalDecision"] == "implicitDeny"
    extra = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    (allowed,) = simulate_principal_policy(scenario, {**base, "PolicyInputList": [extra]})["EvaluationResults"]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"][1]["SourcePolicyId"] == "PolicyInputList.1"
    assert allowed["MatchedStatements"][1]["StartPosition"] == {"Line": 1, "Column": 38}
    # the analyst's policies, used by an outsider: the bucket policy names only the partner account
    outsider = {**base, "PolicySourceArn": ANALYST, "CallerArn": "arn:aws:iam::333333333333:user/mallory"}
    (result,) = simulate_principal_policy(scenario, outsider)["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"


def test_unknown_principals(scenario: Scenario) -> None:
    with pytest.raises(UnresolvedReferenceError, match="is not a user or role of the scenario"):
        simulate_principal_policy(
            scenario, {"PolicySourceArn": "arn:aws:iam::222222222222:user/nobody", "ActionNames": ["s3:GetObject"]}
        )
    with pytest.raises(UnsupportedError, match="group ARNs"):
        simulate_principal_policy(
            scenario, {"PolicySourceArn": "arn:aws:iam::222222222222:group/Analysts", "ActionNames": ["s3:GetObject"]}
        )


def test_assume_role_is_simulated_against_the_roles_trust_policy() -> None:
    founding = Scenario.load(Path(__file__).parents[2] / "scenarios" / "cross-account-delegation.yaml")
    role = "arn:aws:iam::999999999999:role/UpdateData"
    data = {"ActionNames": ["sts:AssumeRole", "sts:TagSession"], "ResourceArns": [role]}
    david = simulate_principal_policy(founding, {**data, "PolicySourceArn": "arn:aws:iam::111111111111:user/David"})
    assume, tag = david["EvaluationResults"]
    assert assume["EvalDecision"] == "allowed"  # as `check` says: the trust policy is the role's resource policy
    assert assume["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert ("ResourcePolicy", "Resource Policy") in [
        (m["SourcePolicyId"], m["SourcePolicyType"]) for m in assume["MatchedStatements"]
    ]
    assert tag["EvalDecision"] == "implicitDeny"  # the trust policy allows sts:AssumeRole only
    jane = simulate_principal_policy(founding, {**data, "PolicySourceArn": "arn:aws:iam::111111111111:user/Jane"})
    assert jane["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"


def test_resource_patterns_answer_over_the_scenario_resources(scenario: Scenario) -> None:
    """The `ResourcePatterns` extension on simulate-principal-policy: examples from the scenario's own resources, each
    what `ResourceArns` gives that resource."""
    data = {
        "PolicySourceArn": ANALYST,
        "ActionNames": ["s3:GetObject"],
        "ResourcePatterns": ["arn:aws:s3:::acme-shared-reports/*"],
        "ContextEntries": TLS,
    }
    (result,) = simulate_principal_policy(scenario, data)["EvaluationResults"]
    assert (result["EvalResourceName"], result["EvalDecision"]) == ("arn:aws:s3:::acme-shared-reports/*", "allowed")
    details = result["PatternDecisionDetails"]
    examples = [e for t in details["ResourceTypes"] for kind in ("AllowedExamples", "DeniedExamples") for e in t[kind]]
    assert examples
    for example in examples:
        plain = dict(data, ResourceArns=[example["EvalResourceName"]])
        del plain["ResourcePatterns"]
        (alone,) = simulate_principal_policy(scenario, plain)["EvaluationResults"]
        assert alone["EvalDecision"] == example["EvalDecision"], example
    intern = dict(data, PolicySourceArn=INTERN)
    (refused,) = simulate_principal_policy(scenario, intern)["EvaluationResults"]
    assert refused["EvalDecision"] != "allowed"
