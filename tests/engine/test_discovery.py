"""Discovery mode (issue 15 item 4): the conditions on missing context keys under which a request would be allowed,
each alternative's witness verified through the one evaluator (`engine/discovery.py`)."""

from __future__ import annotations

from typing import Any

import pytest

import policysim
from policysim.engine.discovered import DiscoveryGap, DiscoveryStatus
from policysim.engine.discovery import DiscoveryLimits, discover
from policysim.scenario.spec import RequestSpec

ACCOUNT = "111111111111"
BUCKET = "arn:aws:s3:::b"
LIST = "s3:ListBucket"


def scenario(*statements: dict[str, Any]) -> policysim.Scenario:
    """A user `u` whose one inline policy holds `statements`."""
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    users = {"u": {"inline_policies": {"p": policy}}}
    return policysim.Scenario.from_dict({"scenario": "t", "accounts": {ACCOUNT: {"users": users}}, "tests": []})


def allow(condition: dict[str, Any] | None = None, action: str = LIST) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(condition: dict[str, Any], action: str = LIST) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": "*", "Condition": condition}


def discovered(model: policysim.Scenario, action: str = LIST, resource: str = BUCKET, **context: Any) -> Any:
    outcome = model.evaluate("u", action, resource, context=context or None, discover=True)
    assert outcome.discovery is not None
    return outcome


def assert_witnesses_allowed(
    model: policysim.Scenario, outcome: Any, action: str = LIST, resource: str = BUCKET
) -> None:
    """Every alternative's witness, given as context, is allowed (the discovery law, by example)."""
    assert outcome.discovery.alternatives
    for alternative in outcome.discovery.alternatives:
        again = model.evaluate("u", action, resource, context=alternative.context)
        assert again.allowed, (alternative, again.explain())


def only(outcome: Any) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """The requirements of the one alternative, as (key, operator, values, holds)."""
    (alternative,) = outcome.discovery.alternatives
    return [(r.key, r.operator.name, r.values, r.holds) for r in alternative.requirements]


def test_source_ip_cidr_and_mfa_bool() -> None:
    model = scenario(allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:MultiFactorAuthPresent": True}}))
    outcome = discovered(model)
    assert not outcome.allowed
    assert outcome.discovery.status is DiscoveryStatus.FOUND
    assert outcome.discovery.keys == ("aws:MultiFactorAuthPresent", "aws:SourceIp")
    assert only(outcome) == [
        ("aws:MultiFactorAuthPresent", "Bool", ("true",), True),
        ("aws:SourceIp", "IpAddress", ("10.0.0.0/8",), True),
    ]
    text = str(outcome.explain())
    assert "allowed if `aws:MultiFactorAuthPresent` is `true` and `aws:SourceIp` is in `10.0.0.0/8`" in text
    assert_witnesses_allowed(model, outcome)
    assert outcome.discovery.exhaustive


def test_string_like_fills_the_wildcard() -> None:
    model = scenario(allow({"StringLike": {"s3:prefix": "home/*"}}))
    outcome = discovered(model)
    assert only(outcome) == [("s3:prefix", "StringLike", ("home/*",), True)]
    assert outcome.discovery.alternatives[0].context == {"s3:prefix": "home/"}
    assert "`s3:prefix` is like `home/*`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_numeric_bounds_meet_between_two_conditions() -> None:
    # NumericGreaterThan 9 and NumericLessThan 10: only a number strictly between (a midpoint) meets both
    model = scenario(allow({"NumericGreaterThan": {"s3:max-keys": "9"}, "NumericLessThan": {"s3:max-keys": "10"}}))
    outcome = discovered(model)
    assert outcome.discovery.alternatives[0].context == {"s3:max-keys": "9.5"}
    assert "`s3:max-keys` is more than `9`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_date_condition() -> None:
    model = scenario(allow({"DateGreaterThan": {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}}))
    outcome = discovered(model)
    assert only(outcome) == [("aws:TokenIssueTime", "DateGreaterThan", ("2024-01-01T00:00:00Z",), True)]
    assert outcome.discovery.alternatives[0].context == {"aws:TokenIssueTime": "2024-01-01T00:00:01Z"}
    assert "`aws:TokenIssueTime` is after `2024-01-01T00:00:00Z`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_a_deny_condition_negated() -> None:
    model = scenario(
        allow(),
        deny({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
        allow({"Bool": {"aws:SecureTransport": True}}, "s3:GetObject"),
    )
    # the Deny applies only when the key is given: the request is allowed already
    assert discovered(model).discovery.status is DiscoveryStatus.ALLOWED
    model = scenario(
        allow({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), deny({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})
    )
    outcome = discovered(model)
    assert only(outcome) == [
        ("aws:SourceIp", "IpAddress", ("0.0.0.0/0",), True),
        ("aws:SourceIp", "IpAddress", ("192.0.2.0/24",), False),
    ]
    assert "`aws:SourceIp` is not in `192.0.2.0/24`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_a_deny_that_applies_while_the_key_is_absent() -> None:
    # NotIpAddress on an absent key is true: the Deny applies until aws:SourceIp is given inside the range
    model = scenario(allow(), deny({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    outcome = discovered(model)
    assert outcome.decision is policysim.Decision.EXPLICIT_DENY
    assert only(outcome) == [("aws:SourceIp", "NotIpAddress", ("10.0.0.0/8",), False)]
    assert "`aws:SourceIp` is in `10.0.0.0/8`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_for_any_value_and_for_all_values() -> None:
    action, resource = "ec2:CreateTags", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"
    model = scenario(
        allow(
            {
                "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project"]},
            },
            action,
        )
    )
    outcome = discovered(model, action, resource)
    assert [r.operator.name for r in outcome.discovery.alternatives[0].requirements] == [
        "ForAnyValue:StringEquals",
        "ForAllValues:StringEquals",
    ]
    assert "some value of `aws:TagKeys` is `team`" in str(outcome.discovery)
    assert "every value of `aws:TagKeys` is one of `team`, `project`" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome, action, resource)


def test_if_exists_needs_no_value_and_the_key_stays_absent() -> None:
    model = scenario(
        allow({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}, "Bool": {"aws:MultiFactorAuthPresent": True}})
    )
    outcome = discovered(model)
    assert only(outcome) == [("aws:MultiFactorAuthPresent", "Bool", ("true",), True)]
    assert outcome.discovery.alternatives[0].unset == ("aws:SourceVpc",)
    assert "left absent: aws:SourceVpc" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_null_false_asks_for_the_key() -> None:
    model = scenario(allow({"Null": {"aws:SourceVpc": "false"}}))
    outcome = discovered(model)
    assert only(outcome) == [("aws:SourceVpc", "Null", ("false",), True)]
    assert "`aws:SourceVpc` is given" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_denied_whatever_the_missing_keys_hold() -> None:
    unconditional = {"Effect": "Deny", "Action": LIST, "Resource": "*"}
    model = scenario(allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), unconditional)
    found = discovered(model).discovery
    assert found.status is DiscoveryStatus.NONE and found.exhaustive
    assert [d.label for d in found.denies] == ["#2"]
    assert str(found).startswith("discovery: denied whatever the missing keys (`aws:SourceIp`) hold: a Deny applies")
    # two Allow conditions no one value meets: refused at the identity gate
    model = scenario(
        allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/7"}})
    )
    found = discovered(model).discovery
    assert found.status is DiscoveryStatus.NONE
    assert [g.value for g in found.refused_by] == ["identity"]
    # no condition compares a missing key at all
    found = discovered(scenario(allow(action="s3:GetObject"))).discovery
    assert found.status is DiscoveryStatus.NONE and found.keys == ()


def test_a_key_the_request_never_carries_is_not_suggested() -> None:
    # s3:prefix is a ListBucket key: a GetObject request never carries it (catalogue.fit.supplies)
    model = scenario(allow({"StringLike": {"s3:prefix": "home/*"}}, "s3:GetObject"))
    found = discovered(model, "s3:GetObject", f"{BUCKET}/k").discovery
    assert found.status is DiscoveryStatus.NONE and found.keys == ()


def test_minimal_alternatives_first() -> None:
    # the /16 Allow is implied by the /8 one: one alternative, the wider one
    model = scenario(
        allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}})
    )
    outcome = discovered(model)
    assert only(outcome) == [("aws:SourceIp", "IpAddress", ("10.0.0.0/8",), True)]
    # two ways in: each alternative alone, fewest requirements first
    model = scenario(
        allow({"Bool": {"aws:SecureTransport": True}}),
        allow({"StringEquals": {"aws:SourceVpc": "vpc-1"}, "Bool": {"aws:MultiFactorAuthPresent": True}}),
    )
    outcome = discovered(model)
    sizes = [len(a.requirements) for a in outcome.discovery.alternatives]
    assert sizes == [1, 2]
    assert "or allowed if" in str(outcome.discovery)
    assert_witnesses_allowed(model, outcome)


def test_the_search_is_bounded_and_says_so() -> None:
    model = scenario(*[allow({"StringEquals": {"aws:SourceVpc": f"vpc-{i}"}}) for i in range(12)])
    found = discovered(model).discovery
    assert DiscoveryGap.STATEMENTS in found.gaps and DiscoveryGap.ALTERNATIVES in found.gaps
    assert len(found.alternatives) == 8
    assert "more alternatives may exist" in str(found)
    # past the cap on evaluations with nothing found: undecided, nothing claimed
    model = scenario(
        allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), {"Effect": "Deny", "Action": LIST, "Resource": "*"}
    )
    outcome = model.evaluate("u", LIST, BUCKET)
    spec = RequestSpec("u", LIST, BUCKET)
    found = discover(outcome, lambda keys: model.evaluate_spec(spec.with_keys(keys)), DiscoveryLimits(evaluations=0))
    assert found.status is DiscoveryStatus.UNDECIDED and found.gaps == (DiscoveryGap.EVALUATIONS,)
    assert "nothing is claimed" in str(found)


def test_discovery_changes_nothing_else() -> None:
    model = scenario(allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    plain = model.evaluate("u", LIST, BUCKET)
    with_discovery = model.evaluate("u", LIST, BUCKET, discover=True)
    assert plain.discovery is None
    assert with_discovery == plain  # discovery is not part of the outcome's value
    assert str(plain.explain()) in str(with_discovery.explain())


def test_a_role_chain_refused_at_a_hop() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}},
            }
        ],
    }
    everything = {"Version": "2012-10-17", "Statement": [allow(action="*")]}
    account = {
        "users": {"u": {"inline_policies": {"p": everything}}},
        "roles": {"r": {"trust_policy": trust, "inline_policies": {"p": everything}}},
    }
    model = policysim.Scenario.from_dict({"scenario": "t", "accounts": {ACCOUNT: account}, "tests": []})
    outcome = model.evaluate("u", LIST, BUCKET, assume=["r"], discover=True)
    assert outcome.hop == 0 and outcome.discovery is not None
    (alternative,) = outcome.discovery.alternatives
    assert alternative.context == {"aws:MultiFactorAuthPresent": "true"}
    assert model.evaluate("u", LIST, BUCKET, assume=["r"], context=alternative.context).allowed


@pytest.mark.parametrize("given", [{"aws:SourceIp": None}, {"aws:sourceip": None}])
def test_a_key_removed_by_the_request_is_given_by_the_witness(given: dict[str, Any]) -> None:
    model = scenario(allow({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    outcome = model.evaluate("u", LIST, BUCKET, context=given, discover=True)
    assert outcome.discovery is not None and outcome.discovery.status is DiscoveryStatus.FOUND
