"""The discovery law (issue 15 item 4): for generated policies whose conditions compare keys the request does not
give, every discovered alternative's witness, supplied as `Scenario.evaluate(context=...)`, is allowed; and when
discovery says no assignment allows the request, a brute force over the conditions' own values finds none."""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import policysim
from policysim.engine.discovered import DiscoveryStatus

BUCKET = "arn:aws:s3:::b"
ACTION = "s3:ListBucket"

# key -> (operators, values): every key a ListBucket request can carry and the request below does not give
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws:SourceIp": (
        ("IpAddress", "NotIpAddress", "IpAddressIfExists", "NotIpAddressIfExists"),
        ("10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24"),
    ),
    "aws:MultiFactorAuthPresent": (("Bool", "BoolIfExists"), ("true", "false")),
    "s3:max-keys": (
        ("NumericLessThan", "NumericGreaterThanEquals", "NumericEquals", "NumericNotEquals"),
        ("5", "10"),
    ),
    "aws:SourceVpc": (("StringEquals", "StringNotEquals", "StringEqualsIfExists", "Null"), ("vpc-1", "vpc-2")),
    "s3:prefix": (("StringLike", "StringNotLike"), ("home/*", "home/a", "tmp/*")),
    "aws:TagKeys": (("ForAnyValue:StringEquals", "ForAllValues:StringEquals"), ("team", "project")),
}


@st.composite
def clause(draw: st.DrawFn, keys: list[str]) -> tuple[str, str, list[str]]:
    key = draw(st.sampled_from(keys))
    operators, values = KEYS[key]
    operator = draw(st.sampled_from(operators))
    if operator == "Null":
        return operator, key, [draw(st.sampled_from(["true", "false"]))]
    return operator, key, draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))


@st.composite
def statements(draw: st.DrawFn) -> tuple[list[str], list[dict[str, Any]]]:
    keys = draw(st.lists(st.sampled_from(sorted(KEYS)), min_size=1, max_size=3, unique=True))
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        condition: dict[str, dict[str, list[str]]] = {}
        for operator, key, values in draw(st.lists(clause(keys), min_size=0, max_size=2)):
            condition.setdefault(operator, {})[key] = values
        statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"])), "Action": ACTION}
        statement["Resource"] = "*"
        if condition:
            statement["Condition"] = condition
        out.append(statement)
    return keys, out


def model(statements: list[dict[str, Any]]) -> policysim.Scenario:
    policy = {"Version": "2012-10-17", "Statement": statements}
    users = {"u": {"inline_policies": {"p": policy}}}
    return policysim.Scenario.from_dict(
        {"scenario": "law", "accounts": {"111111111111": {"users": users}}, "tests": []}
    )


def own_values(key: str) -> list[str | list[str] | None]:
    """The conditions' own values for a key (a CIDR as its first and second address), and absence."""
    out: list[str | list[str] | None] = [None]
    for text in KEYS[key][1]:
        if "/" in text and key == "aws:SourceIp":
            network = ipaddress.ip_network(text)
            out += [str(network.network_address), str(network.network_address + 1)]
        else:
            out.append(text)
    if key == "aws:TagKeys":
        out.append(["team", "project"])
    return out


@settings(max_examples=60, deadline=None)
@given(statements())
def test_discovered_conditions_once_supplied_turn_the_request_allowed(drawn: tuple[list[str], list[dict]]) -> None:
    keys, policy = drawn
    scenario = model(policy)
    outcome = scenario.evaluate("u", ACTION, BUCKET, discover=True)
    discovery = outcome.discovery
    assert discovery is not None
    if outcome.allowed:
        assert discovery.status is DiscoveryStatus.ALLOWED
        return
    for alternative in discovery.alternatives:
        again = scenario.evaluate("u", ACTION, BUCKET, context=alternative.context)
        assert again.allowed, (policy, alternative, str(again.explain()))
    if discovery.status is DiscoveryStatus.NONE:
        for values in itertools.product(*(own_values(key) for key in keys)):
            context = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
            again = scenario.evaluate("u", ACTION, BUCKET, context=context)
            assert not again.allowed, (policy, context, str(discovery))
