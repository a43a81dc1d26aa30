"""Review of the speed caches (bc39c06..HEAD): what tests/engine/test_decision_memo.py does not pin.

The tests at the end are defects the caches brought in, found and fixed in review; the others pin what holds where
the memo tests do not look: aliased scenarios, errors asked twice with another location, chains refused then asked for other actions,
`evaluate` against `evaluate_spec`, a generator through `evaluate_many(workers=2)`, and pickling a scenario after it
answered (the new memories `_walks`, `_routes`, `_memo` and `_seen` stay behind).
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from policysim import Scenario
from policysim.engine.outcome import Outcome
from policysim.errors import Location, PolicysimError, UnresolvedReferenceError
from policysim.scenario.spec import RequestSpec
from policysim.world.evaluator import authorize
from policysim.world.resolve import resolve_actor

A = "111111111111"
B = "222222222222"
ROLE = f"arn:aws:iam::{A}:role/"
ALICE = f"arn:aws:iam::{A}:user/alice"
OBJ = "arn:aws:s3:::data/k"
START = datetime(2029, 6, 1, 12, 0, 0, tzinfo=UTC)
ONE = Location("one.yaml", 1, 1)
TWO = Location("two.yaml", 2, 2)


def clock() -> datetime:
    return START


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(**condition: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}
    return doc({**statement, "Condition": condition} if condition else statement)


def model() -> dict[str, Any]:
    alice = {
        "inline_policies": {
            "p": doc(
                allow(["s3:PutObject", "sts:AssumeRole"]),
                allow("s3:GetObject", "arn:aws:s3:::data/${aws:username}/*"),
                allow("s3:GetObject", OBJ),
            )
        }
    }
    roles = {
        "app": {
            "trust_policy": trust(StringEquals={"sts:ExternalId": "ext-1"}),
            "inline_policies": {"p": doc(allow(["s3:GetObject", "sts:AssumeRole"]))},
        },
        "mfa": {
            "trust_policy": trust(Bool={"aws:MultiFactorAuthPresent": "true"}),
            "inline_policies": {"p": doc(allow("s3:*"))},
        },
        "open": {"trust_policy": trust(), "inline_policies": {"p": doc(allow(["s3:GetObject", "sts:AssumeRole"]))}},
    }
    account = {
        "users": {"alice": alice},
        "roles": roles,
        "buckets": {"data": {}},
        "vpc_endpoints": {"vpce-1a2b3c4d": {"vpc": "vpc-1a2b3c4d"}},
    }
    return {"scenario": "speed review", "accounts": {A: account}}


def fresh() -> Scenario:
    return Scenario.from_dict(model(), clock=clock)


def fingerprint(outcome: Outcome) -> tuple[object, ...]:
    request = outcome.request
    asked = (
        None if request is None else (str(request.principal), request.action, request.resource, dict(request.context))
    )
    reasons = tuple((r.gate, r.code, r.hop, r.statement) for r in outcome.reasons)
    return (outcome.decision, reasons, outcome.missing_keys, outcome.hop, asked, str(outcome.explain()))


def answer_of(ask: Callable[..., Outcome], *args: Any, **keywords: Any) -> tuple[object, ...]:
    """The fingerprint of `ask(*args, **keywords)`, or the error it raised (type, message, location)."""
    try:
        return fingerprint(ask(*args, **keywords))
    except PolicysimError as error:
        return (type(error).__name__, str(error), error.location)


# -------------------------------------------------------------------------------------- defects found and fixed


def test_an_empty_context_given_to_answer_is_copied_like_any_other() -> None:
    scenario = fresh()
    actor = resolve_actor(scenario.world, "alice", None)
    resource = "arn:aws:s3:::data/alice/k"
    outcomes = []
    for _ in range(3):  # seen, remembered, answered from the memory
        extra: dict[str, tuple[str, ...] | None] = {}
        outcomes.append(scenario.answer(actor, "s3:GetObject", resource, extra))
        extra["aws:username"] = ("mallory",)  # the caller reuses its dict afterwards
    for outcome in outcomes:
        assert outcome.allowed and outcome.request is not None and outcome.policies is not None
        assert outcome.request.context.get("aws:username") == ("alice",)
        # an Allow whose own request, evaluated again, is not allowed
        assert authorize(outcome.request, outcome.policies).allowed


def test_a_plain_request_refuses_its_undeclared_endpoint_first_as_before_and_as_a_chain_does() -> None:
    context = {"aws:SourceVpce": "vpce-0000dead"}
    with pytest.raises(UnresolvedReferenceError, match="vpce-0000dead"):
        fresh().evaluate("alice", "s3:GetObject", OBJ, context, resource_account=B, assume=["open"])
    with pytest.raises(UnresolvedReferenceError, match="vpce-0000dead"):
        fresh().evaluate("alice", "s3:GetObject", OBJ, context, resource_account=B)


@dataclass(frozen=True, slots=True)
class _Derived:
    """A slotted record with a field its init does not take (computed in __post_init__)."""

    name: str
    value: int
    double: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", self.value * 2)


def test_the_transfer_reducer_loads_a_slotted_record_with_a_computed_field() -> None:
    from policysim.scenario.transfer import _by_fields

    record = _Derived("three", 3)
    make, args = _by_fields(_Derived)(record)
    assert make(*args) == record


# ------------------------------------------------------------------------------------------ what holds (pinned)


def aliased() -> Scenario:
    base = fresh()
    aliases = {
        "tf:alice": ALICE,
        "tf:alice-again": ALICE,
        "tf:open": ROLE + "open",
        "tf:app": ROLE + "app",
        "tf:bucket": "arn:aws:s3:::data",
    }
    return Scenario(base._wire, base._compiler, base.world, clock=clock, aliases=aliases)


ALIASED_ASKS: list[tuple[tuple[str, str, str], dict[str, Any]]] = [
    (("tf:alice", "s3:GetObject", "tf:bucket/k"), {}),
    (("tf:alice-again", "s3:GetObject", "tf:bucket/k"), {}),
    (("tf:alice", "sts:AssumeRole", "tf:open"), {}),
    (("tf:alice", "sts:AssumeRole", "tf:app"), {"external_id": "ext-1"}),
    (("tf:alice", "s3:GetObject", "tf:bucket/k"), {"assume": ("tf:open",)}),
    (("tf:alice", "s3:GetObject", "tf:bucket/k"), {"assume": ("tf:app",)}),  # refused at the hop
    (("tf:alice", "sts:AssumeRole", "tf:app"), {"assume": ("tf:open",), "external_id": "ext-1"}),
    (("tf:alice", "s3:GetObject", "tf:nothing"), {"where": ONE}),
    (("tf:alice", "s3:GetObject", "tf:nothing"), {"where": TWO, "assume": ("tf:open",)}),
    (("tf:nobody", "s3:GetObject", "tf:bucket/k"), {"where": ONE}),
    (("tf:alice", "s3:GetObject", "tf:bucket/k"), {"assume": ("tf:open",), "resource_account": B, "where": TWO}),
]


def test_aliased_requests_answer_alike_through_evaluate_evaluate_spec_and_a_fresh_scenario() -> None:
    shared = aliased()
    for _ in range(3):
        for (principal, action, resource), keywords in ALIASED_ASKS:
            alone = answer_of(aliased().evaluate, principal, action, resource, **keywords)
            assert answer_of(shared.evaluate, principal, action, resource, **keywords) == alone
            spec = RequestSpec(principal, action, resource, **keywords)
            assert answer_of(shared.evaluate_spec, spec) == alone


def test_an_error_asked_again_is_raised_again_at_the_new_location() -> None:
    scenario = fresh()
    asks: list[tuple[tuple[str, str, str], dict[str, Any]]] = [
        (("alice", "s3:GetObjekt", OBJ), {}),
        (("nobody", "s3:GetObject", OBJ), {}),
        (("alice", "s3:GetObject", OBJ), {"resource_account": B}),
        (("alice", "s3:GetObject", OBJ), {"context": {"aws:SourceVpce": "vpce-0000dead"}}),
        (("alice", "sts:AssumeRole", ROLE + "open"), {"context": {"aws:SourceVpce": "vpce-0000dead"}}),
        (("alice", "s3:GetObject", OBJ), {"assume": ["nope"]}),
        (("alice", "s3:GetObjekt", OBJ), {"assume": ["open"]}),
        (("alice", "s3:GetObject", OBJ), {"assume": ["open"], "resource_account": B}),
        (("alice", "s3:GetObject", OBJ), {"assume": ["open"], "via": "console", "external_id": "x"}),
        (("alice", "s3:GetObject", OBJ), {"external_id": "x"}),
    ]
    for (principal, action, resource), keywords in asks:
        scenario.evaluate("alice", "s3:GetObject", OBJ, assume=["open"])  # a chain walked, a route known
        for where in (ONE, TWO, ONE):
            raised = answer_of(scenario.evaluate, principal, action, resource, **keywords, where=where)
            assert len(raised) == 3 and raised[-1] == where, (principal, action, keywords)  # an error, located
            assert raised == answer_of(fresh().evaluate, principal, action, resource, **keywords, where=where)


def test_a_chain_refused_at_a_hop_then_asked_for_other_actions_answers_as_fresh() -> None:
    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("s3:GetObject", OBJ, {"assume": ["app"]}),  # refused: no ExternalId
        ("s3:PutObject", OBJ, {"assume": ["app"]}),
        ("sts:AssumeRole", ROLE + "open", {"assume": ["app"]}),
        ("s3:GetObject", OBJ, {"assume": ["app"], "external_id": "ext-1"}),
        ("s3:GetObject", OBJ, {"assume": ["mfa"]}),  # refused: no MFA
        ("s3:GetObject", OBJ, {"assume": ["mfa"], "mfa": True}),
        ("s3:GetObject", OBJ, {"assume": ["mfa"], "mfa": False}),
        ("sts:AssumeRole", ROLE + "mfa", {}),
        ("sts:AssumeRole", ROLE + "mfa", {"mfa": True}),
        ("sts:AssumeRole", ROLE + "mfa", {"session_name": "s-1"}),
        ("s3:GetObject", OBJ, {"assume": ["open", "app"], "external_id": "ext-1"}),
        ("s3:GetObject", OBJ, {"assume": ["open"], "via": "console"}),
    ]
    shared = fresh()
    for _ in range(3):
        for action, resource, keywords in asks:
            want = answer_of(fresh().evaluate, "alice", action, resource, **keywords)
            assert answer_of(shared.evaluate, "alice", action, resource, **keywords) == want, keywords


def test_evaluate_many_over_a_generator_with_workers_equals_evaluate() -> None:
    requests: list[dict[str, Any]] = [
        {"principal": "alice", "action": "s3:GetObject", "resource": OBJ},
        {"principal": ROLE + "open", "action": "s3:GetObject", "resource": OBJ},
        {"principal": "alice", "action": "s3:GetObject", "resource": OBJ, "assume": ["app"]},
        {"principal": "alice", "action": "s3:GetObject", "resource": OBJ, "assume": ["app"], "external_id": "ext-1"},
        {"principal": "alice", "action": "sts:AssumeRole", "resource": ROLE + "mfa", "mfa": True},
        {"principal": "alice", "action": "s3:PutObject", "resource": OBJ, "context": {"aws:username": "bob"}},
    ] * 4

    def generated() -> Iterator[dict[str, Any]]:
        yield from copy.deepcopy(requests)

    want = [fingerprint(fresh().evaluate(**copy.deepcopy(r))) for r in requests]
    for workers in (None, 2):
        assert [fingerprint(o) for o in fresh().evaluate_many(generated(), workers=workers)] == want


def test_a_scenario_pickles_without_its_walks_routes_and_remembered_decisions() -> None:
    used = fresh()
    asks: list[dict[str, Any]] = [
        {"principal": "alice", "action": "s3:GetObject", "resource": OBJ},
        {"principal": "alice", "action": "s3:GetObject", "resource": OBJ, "assume": ["open"]},
        {"principal": "alice", "action": "sts:AssumeRole", "resource": ROLE + "open"},
    ]
    for _ in range(3):
        answers = [used.evaluate(**ask) for ask in asks]
    memories = ("_walks", "_routes", "_hops")
    assert all(getattr(used, name) for name in memories)
    assert used.evaluator._memo and used.evaluator._seen
    shipped = pickle.loads(pickle.dumps(used))
    assert not any(getattr(shipped, name) for name in memories)
    assert not shipped.evaluator._memo and not shipped.evaluator._seen
    assert [fingerprint(shipped.evaluate(**ask)) for ask in asks] == [fingerprint(o) for o in answers]
