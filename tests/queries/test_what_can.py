"""what-can: every action a principal may do, with the granting statement, checked against `evaluate`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import policysim
from policysim.enums import Decision

HERE = Path(__file__).parent
ESTATE = HERE / "models" / "estate.yaml"
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def estate() -> policysim.Scenario:
    return policysim.load_scenario(ESTATE, clock=lambda: NOON)


def test_a_role_reads_and_lists_the_data_bucket(estate: policysim.Scenario) -> None:
    answer = estate.what_can("arn:aws:iam::222222222222:role/RoleB")
    pairs = {(g.action, g.resource) for g in answer.allowed}
    assert ("s3:ListBucket", "arn:aws:s3:::data-bucket") in pairs
    assert ("s3:GetObject", "arn:aws:s3:::data-bucket/shared/policysim-example") in pairs
    assert not any(g.action == "s3:PutObject" for g in answer.allowed)
    levels = {(g.action, g.access_level) for g in answer.allowed}
    assert ("s3:ListBucket", "List") in levels and ("s3:GetObject", "Read") in levels
    assert all(g.outcome.reasons[0].statement is not None for g in answer.allowed)


def test_chains_add_what_the_reached_sessions_can_do(estate: policysim.Scenario) -> None:
    alone = estate.what_can("alice")
    assert {g.action for g in alone.allowed} == {"sts:AssumeRole"}
    chained = estate.what_can("alice", include_chains=True)
    roles = {g.roles for g in chained.allowed}
    assert ("arn:aws:iam::111111111111:role/RoleA", "arn:aws:iam::222222222222:role/RoleB") in roles
    assert chained.sessions[0] == ()


def test_service_filter_and_unknown_service(estate: policysim.Scenario) -> None:
    answer = estate.what_can("arn:aws:iam::222222222222:role/LambdaRole", service="s3")
    assert {g.service for g in answer.allowed} == {"s3"}
    assert estate.what_can("arn:aws:iam::222222222222:role/LambdaRole", service="ec2").allowed == ()
    with pytest.raises(policysim.PolicysimError, match="unknown service"):
        estate.what_can("alice", service="nosuchservice")
    with pytest.raises(policysim.PolicysimError):
        estate.what_can("mallory")


def test_every_grant_is_what_evaluate_says(estate: policysim.Scenario) -> None:
    for principal in ("alice", "carol", "arn:aws:iam::222222222222:role/RoleB", "anonymous"):
        answer = estate.what_can(principal, include_chains=True)
        for grant in answer.allowed:
            outcome = estate.evaluate(principal, grant.action, grant.resource, assume=list(grant.roles))
            assert outcome.decision is Decision.ALLOWED, (principal, grant.action, grant.resource)


def test_workers_give_the_same_answer(estate: policysim.Scenario) -> None:
    one = estate.what_can("alice", include_chains=True)
    two = estate.what_can("alice", include_chains=True, workers=2)
    assert [(g.roles, g.action, g.resource, g.outcome.reasons) for g in one.allowed] == [
        (g.roles, g.action, g.resource, g.outcome.reasons) for g in two.allowed
    ]
    assert one.requests == two.requests


def test_a_grant_under_conditions_is_listed_with_them(estate: policysim.Scenario) -> None:
    answer = estate.what_can("carol", service="s3")
    assert not any(g.resource.startswith("arn:aws:s3:::dev-logs/") for g in answer.allowed)
    held = [g for g in answer.conditional if g.resource.startswith("arn:aws:s3:::dev-logs/")]
    assert held and all(g.action == "s3:GetObject" for g in held)
    for grant in held:
        discovery = grant.outcome.discovery
        assert discovery is not None and discovery.alternatives
        context = discovery.alternatives[0].context
        assert context.keys() == {"aws:SourceIp"}
        assert estate.evaluate("carol", grant.action, grant.resource, context=context).allowed
    # across accounts only the public prefix's bucket policy lets her grant count; the shared prefix names another
    # account, so no context would allow it there
    across = {g.resource for g in answer.conditional if g.resource.startswith("arn:aws:s3:::data-bucket/")}
    assert across == {"arn:aws:s3:::data-bucket/public/policysim-example"}
