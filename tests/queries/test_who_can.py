"""who-can: every caller allowed, with its path; each answer is the one evaluator's (docs/queries.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import policysim
from policysim.enums import Decision
from policysim.queries.who_can import Access, WhoCan
from policysim.space.callers import CallerKind

HERE = Path(__file__).parent
ESTATE = HERE / "models" / "estate.yaml"
TUTORIAL = HERE.parents[1] / "scenarios" / "cross-account-delegation.yaml"
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)
SHARED = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container"


@pytest.fixture(scope="module")
def estate() -> policysim.Scenario:
    return policysim.load_scenario(ESTATE, clock=lambda: NOON)


def who(answer: tuple[Access, ...]) -> set[tuple[str, tuple[str, ...]]]:
    return {(a.caller.label, tuple(r.split("/")[-1] for r in a.roles)) for a in answer}


def test_the_tutorial_david_writes_the_shared_bucket_through_update_data_and_jane_does_not() -> None:
    scenario = policysim.load_scenario(TUTORIAL)
    answer = scenario.who_can("s3:PutObject", f"{SHARED}/shared/data.json")
    assert who(answer.allowed) == {
        ("arn:aws:iam::111111111111:user/David", ("UpdateData",)),
        ("arn:aws:iam::999999999999:role/UpdateData (session)", ()),
        ("the root user of account 999999999999", ()),  # the bucket's own account
    }
    david = next(a for a in answer.allowed if a.hops)
    trust, identity = david.hops[0].outcome.reasons[0].statement, david.outcome.reasons[0].statement
    assert trust is not None and identity is not None
    assert identity.policy_id == "arn:aws:iam::999999999999:policy/read-write-app-bucket"
    every = answer.allowed + answer.undetermined + answer.conditional
    assert not any("Jane" in a.caller.label for a in every)


def test_chains_services_outside_accounts_and_conditions(estate: policysim.Scenario) -> None:
    answer = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/shared/x")
    assert who(answer.allowed) == {
        ("arn:aws:iam::111111111111:user/alice", ("RoleA", "RoleB")),
        ("arn:aws:iam::111111111111:role/RoleA (session)", ("RoleB",)),
        ("arn:aws:iam::222222222222:role/RoleB (session)", ()),
        ("arn:aws:iam::222222222222:role/LambdaRole (session)", ()),
        ("lambda.amazonaws.com", ("LambdaRole",)),
        ("any principal of account 333333333333 (outside the model)", ()),
        ("the root user of account 222222222222", ()),  # the bucket's own account
    }
    assert answer.conditional == ()  # carol's grant is cross-account: no context would allow it
    assert answer.undetermined == ()


def test_a_grant_under_conditions_is_listed_with_them_and_they_allow_it(estate: policysim.Scenario) -> None:
    resource = "arn:aws:s3:::dev-logs/app.log"
    answer = estate.who_can("s3:GetObject", resource)
    assert who(answer.conditional) == {("arn:aws:iam::111111111111:user/carol", ())}
    discovery = answer.conditional[0].outcome.discovery
    assert discovery is not None and discovery.alternatives
    first = discovery.alternatives[0]
    assert [(r.key, r.operator.name, r.values) for r in first.requirements] == [
        ("aws:SourceIp", "IpAddress", ("10.0.0.0/8",))
    ]
    assert estate.evaluate("carol", "s3:GetObject", resource, context=first.context).allowed
    assert not estate.evaluate("carol", "s3:GetObject", resource).allowed


def test_the_public_prefix_is_open_to_the_anonymous_caller(estate: policysim.Scenario) -> None:
    answer = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/public/index.html")
    kinds = {a.caller.kind for a in answer.allowed}
    assert CallerKind.ANONYMOUS in kinds
    assert not any("bob" in a.caller.label for a in answer.allowed)


def test_every_answer_is_what_evaluate_says(estate: policysim.Scenario) -> None:
    """The law: an allowed path is allowed by `evaluate` walking the same chain; a caller of the model that
    `evaluate` allows as itself is listed as itself (external stand-ins assume their own account allows)."""
    for resource in (
        "arn:aws:s3:::data-bucket/shared/x",
        "arn:aws:s3:::data-bucket/public/y",
        "arn:aws:s3:::data-bucket/z",
    ):
        answer = estate.who_can("s3:GetObject", resource)
        for access in answer.allowed:
            if access.caller.kind is CallerKind.EXTERNAL:
                continue
            outcome = estate.evaluate(access.caller.key, access.action, access.resource, assume=list(access.roles))
            assert outcome.decision is Decision.ALLOWED, (access.caller.label, access.roles)
        direct = {a.caller.key for a in answer.allowed if not a.hops}
        roots = [f"arn:aws:iam::{account}:root" for account in estate.world.accounts]
        for principal in [*estate.world.users, *roots, *estate.world.roles]:
            allowed = estate.evaluate(principal, "s3:GetObject", resource).allowed
            assert allowed == (principal in direct), (principal, resource)


def test_patterns_expand_with_the_catalogue_and_the_request_space(estate: policysim.Scenario) -> None:
    answer = estate.who_can("s3:Get*", "arn:aws:s3:::data-bucket/*")
    actions = {a.action for a in answer.allowed}
    assert "s3:GetObject" in actions
    assert all(a.resource.startswith("arn:aws:s3:::data-bucket/") for a in answer.allowed)
    listing = estate.who_can("s3:List*", "arn:aws:s3:::data-*")
    assert ("arn:aws:iam::222222222222:role/RoleB (session)", ()) in who(listing.allowed)
    assert {a.resource for a in listing.allowed if a.action == "s3:ListBucket"} >= {"arn:aws:s3:::data-bucket"}


def test_workers_give_the_same_answer(estate: policysim.Scenario) -> None:
    one = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/*")
    two = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/*", workers=2)
    assert _plain(one) == _plain(two)


def _plain(answer: WhoCan) -> list[tuple[object, ...]]:
    rows = answer.allowed + answer.undetermined + answer.conditional
    return [(a.caller, a.roles, a.action, a.resource, a.decision, a.outcome.reasons) for a in rows]


def test_max_hops_bounds_the_chains(estate: policysim.Scenario) -> None:
    answer = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/shared/x", max_hops=1)
    assert ("arn:aws:iam::111111111111:user/alice", ("RoleA", "RoleB")) not in who(answer.allowed)
    assert ("arn:aws:iam::111111111111:role/RoleA (session)", ("RoleB",)) in who(answer.allowed)


@pytest.mark.parametrize(
    ("action", "resource", "message"),
    [
        ("s3:GetObjekt", "arn:aws:s3:::data-bucket/x", "unknown action"),
        ("s3:GetObject", "arn:aws:s3:::data-bucket", "is not a resource"),
        ("s3:Nothing*", "*", "no action of the catalogue matches"),
        ("GetObject", "*", "invalid action"),
    ],
)
def test_bad_questions_are_request_errors(estate: policysim.Scenario, action: str, resource: str, message: str) -> None:
    with pytest.raises(policysim.PolicysimError, match=message):
        estate.who_can(action, resource)


def test_an_outside_account_is_not_reported_on_its_own_resources(estate: policysim.Scenario) -> None:
    """An example resource of a pattern in the stand-in's own account is not the model's: its access there is only
    assumed, so it is not an answer; the model's bucket it is granted stays one."""
    answer = estate.who_can("s3:GetObject", "*")
    outside = [a for a in answer.allowed + answer.undetermined if a.caller.kind is CallerKind.EXTERNAL]
    assert {a.resource for a in outside} == {
        "arn:aws:s3:::data-bucket/shared/policysim-example",  # granted to the partner account
        "arn:aws:s3:::data-bucket/public/policysim-example",  # public
    }


def test_a_role_reached_through_an_unknown_trust_does_not_hide_a_certain_path() -> None:
    """alice reaches Target through Unknown (whose trust policy the import could not tell: undetermined) and through
    Known (certain); the certain path must be listed as allowed, not only the undetermined one."""

    def allow_assume(*roles: str) -> dict[str, Any]:
        resources = [f"arn:aws:iam::111111111111:role/{r}" for r in roles]
        return {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resources}],
        }

    def trusting(*principals: str) -> dict[str, Any]:
        statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
        return {"Version": "2012-10-17", "Statement": [statement]}

    alice, known, unknown = (f"arn:aws:iam::111111111111:{n}" for n in ("user/alice", "role/Known", "role/AUnknown"))
    read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
    unknown_trust = {"unknown": {"reason": "known only after apply", "source": "plan.json: aws_iam_role.u"}}
    model = policysim.Scenario.from_dict(
        {
            "scenario": "an unknown trust beside a known one",
            "imported": True,
            "accounts": {
                "111111111111": {
                    "users": {"alice": {"inline_policies": {"a": allow_assume("Known", "AUnknown")}}},
                    "roles": {
                        "AUnknown": {"trust_policy": unknown_trust, "inline_policies": {"a": allow_assume("Target")}},
                        "Known": {"trust_policy": trusting(alice), "inline_policies": {"a": allow_assume("Target")}},
                        "Target": {"trust_policy": trusting(known, unknown), "inline_policies": {"r": read}},
                    },
                }
            },
        },
        clock=lambda: NOON,
    )
    answer = model.who_can("s3:ListAllMyBuckets", "*")
    alice_ways = {a.roles: a.decision for a in answer.allowed + answer.undetermined if a.caller.key == alice}
    assert alice_ways[(known, "arn:aws:iam::111111111111:role/Target")] is Decision.ALLOWED
    assert alice_ways[(unknown, "arn:aws:iam::111111111111:role/Target")] is Decision.UNDETERMINED
