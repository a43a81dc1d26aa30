"""Adversarial review of session 6's features (VPC endpoints, discovery, resource patterns, who-can / what-can):
each test is a request or query that gave a false or too-loose answer, pinned after its fix."""

from __future__ import annotations

from typing import Any

from policysim import Decision, Scenario
from policysim.engine.discovered import Alternative, DiscoveryGap, DiscoveryStatus
from policysim.enums import Gate, PolicyKind

A = "111111111111"
B = "222222222222"
OPEN = "vpce-aaaaaaaa"  # AWS's default endpoint policy
SHUT = "vpce-bbbbbbbb"  # an endpoint policy that denies everything
OBJECT = "arn:aws:s3:::bucket-a/k"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*", condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return statement if condition is None else {**statement, "Condition": condition}


def deny(action: str, resource: str = "*", condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {**allow(action, resource, condition, **extra), "Effect": "Deny"}


def carol(policy: dict[str, Any], endpoints: dict[str, Any]) -> Scenario:
    account = {
        "users": {"carol": {"inline_policies": {"p": policy}}},
        "buckets": {"bucket-a": {}},
        "vpc_endpoints": endpoints,
    }
    return Scenario.from_dict({"scenario": "review", "accounts": {A: account}})


def meets(alternative: Alternative, key: str, value: str) -> bool:
    """Does `value` of `key` meet every requirement the alternative states on that key (as the words claim)?"""
    from policysim.context import RequestContext

    ctx = RequestContext.owning({key.lower(): (value,)})
    found = [r for r in alternative.requirements if r.key.lower() == key.lower()]
    return all(_holds(r, ctx) == r.holds for r in found)


def _holds(requirement: Any, ctx: Any) -> bool:
    from policysim.compile import compile_policy
    from policysim.load import Document

    condition = {requirement.operator.name: {requirement.key: list(requirement.values)}}
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}
    compiled = compile_policy(Document.from_data(doc(statement), "req"), "req", PolicyKind.IDENTITY)
    cond = compiled.statements[0].condition
    assert cond is not None
    return bool(cond.evaluate(ctx))


# ------------------------------------------------------------------ discovery through an endpoint's policy


def test_discovery_never_claims_an_endpoint_whose_policy_denies() -> None:
    # the identity Allow names two endpoints; the second one's policy denies everything: "allowed if aws:SourceVpce
    # is one of both" was claimed, yet a request through the second is an explicit deny
    policy = doc(allow("s3:GetObject", condition={"StringEquals": {"aws:SourceVpce": [OPEN, SHUT]}}))
    model = carol(policy, {OPEN: {}, SHUT: {"policy": doc({**deny("*"), "Principal": "*"})}})
    outcome = model.evaluate("carol", "s3:GetObject", OBJECT, discover=True)
    assert outcome.discovery is not None and outcome.discovery.alternatives
    for alternative in outcome.discovery.alternatives:
        for endpoint in (OPEN, SHUT):
            if meets(alternative, "aws:SourceVpce", endpoint):
                again = model.evaluate("carol", "s3:GetObject", OBJECT, {"aws:SourceVpce": endpoint})
                assert again.allowed, (str(alternative.lines(True)), endpoint)
    assert not meets(outcome.discovery.alternatives[0], "aws:SourceVpce", SHUT)


def test_discovery_reads_the_chosen_endpoints_policy_for_other_keys() -> None:
    # the endpoint's own policy denies requests from 203.0.113.0/24: a claim that names neither aws:SourceIp as a
    # requirement nor as "left absent" would be met by a context from that range, which is denied
    guarded = doc(
        {**allow("*"), "Principal": "*"},
        {**deny("*", condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), "Principal": "*"},
    )
    policy = doc(allow("s3:GetObject", condition={"StringEquals": {"aws:SourceVpce": OPEN}}))
    model = carol(policy, {OPEN: {"policy": guarded}})
    outcome = model.evaluate("carol", "s3:GetObject", OBJECT, discover=True)
    discovery = outcome.discovery
    assert discovery is not None
    for alternative in discovery.alternatives:
        named = {r.key.lower() for r in alternative.requirements} | {k.lower() for k in alternative.unset}
        if "aws:sourceip" not in named:
            context = {**alternative.context, "aws:SourceIp": "203.0.113.9"}
            again = model.evaluate("carol", "s3:GetObject", OBJECT, context)
            assert again.allowed, (str(alternative.lines(True)), again.explain())
    if not discovery.alternatives:
        assert discovery.status is DiscoveryStatus.UNDECIDED and DiscoveryGap.ENDPOINT in discovery.gaps


def test_discovery_through_an_endpoint_with_no_conditions_is_pinned_to_it() -> None:
    # the default policy reads no key: the alternative stands, stated for the endpoint its witness went through
    policy = doc(allow("s3:GetObject", condition={"StringEquals": {"aws:SourceVpce": OPEN}}))
    model = carol(policy, {OPEN: {}, SHUT: {"policy": doc({**deny("*"), "Principal": "*"})}})
    outcome = model.evaluate("carol", "s3:GetObject", OBJECT, discover=True)
    discovery = outcome.discovery
    assert discovery is not None and discovery.status is DiscoveryStatus.FOUND
    for alternative in discovery.alternatives:
        assert not meets(alternative, "aws:SourceVpce", SHUT), alternative.lines(True)
        vpce = dict(alternative.witness)["aws:SourceVpce"]
        pinned = [r for r in alternative.requirements if r.statement.kind.value == Gate.VPC_ENDPOINT.value]
        assert pinned and pinned[0].values == vpce


# ------------------------------------------------------------------ who-can through a hop that needs context


def vendor_model() -> Scenario:
    # the classic third-party role: account B may assume VendorRole with the agreed ExternalId
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "agreed-123"}},
        }
    )
    role = {"trust_policy": trust, "inline_policies": {"p": doc(allow("s3:GetObject", "arn:aws:s3:::bucket-a/*"))}}
    bob = {"inline_policies": {"p": doc(allow("sts:AssumeRole"))}}
    accounts = {A: {"roles": {"VendorRole": role}, "buckets": {"bucket-a": {}}}, B: {"users": {"bob": bob}}}
    return Scenario.from_dict({"scenario": "vendor", "accounts": accounts})


def test_who_can_lists_a_caller_whose_hop_needs_an_external_id() -> None:
    model = vendor_model()
    bob = f"arn:aws:iam::{B}:user/bob"
    through = model.evaluate(bob, "s3:GetObject", OBJECT, assume=["VendorRole"], external_id="agreed-123")
    assert through.allowed  # bob can read the object: a who-can that leaves him out answers "nobody" wrongly
    answer = model.who_can("s3:GetObject", OBJECT)
    assert all(a.caller.key != bob for a in (*answer.allowed, *answer.undetermined))  # never claimed for sure
    found = [a for a in answer.conditional if a.caller.key == bob]
    assert found and found[0].roles == (f"arn:aws:iam::{A}:role/VendorRole",)
    hop = found[0].hops[0]
    assert hop.outcome.decision is not Decision.ALLOWED and hop.outcome.discovery is not None
    assert hop.outcome.discovery.alternatives[0].context == {"sts:ExternalId": "agreed-123"}
    assert found[0].decision not in (Decision.ALLOWED, Decision.UNDETERMINED)


# ------------------------------------------------------------------ an empty aws:SourceVpce


def test_an_empty_source_vpce_is_refused_not_read_as_no_endpoint() -> None:
    # `aws:SourceVpce: []` named no endpoint, so the endpoint's Deny-everything policy was skipped and the request
    # allowed: a request travels through exactly one endpoint, or carries no key at all (`null` removes it)
    import pytest

    from policysim.errors import RequestError

    policy = doc(allow("s3:GetObject"))
    model = carol(policy, {SHUT: {"policy": doc({**deny("*"), "Principal": "*"})}})
    with pytest.raises(RequestError, match="0 values"):
        model.evaluate("carol", "s3:GetObject", OBJECT, {"aws:SourceVpce": []})
    assert model.evaluate("carol", "s3:GetObject", OBJECT, {"aws:SourceVpce": SHUT}).decision is Decision.EXPLICIT_DENY
    assert model.evaluate("carol", "s3:GetObject", OBJECT, {"aws:SourceVpce": None}).allowed
