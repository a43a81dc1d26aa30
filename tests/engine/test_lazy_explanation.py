"""The decision phase apart from the explanation phase: `decide` leaves an outcome's gates and reasons to be
assembled when first read (`outcome.Later`), and what is read is what the decision table says with its reasons."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.engine import decide as decide_module
from policysim.engine.analysis import Analysis
from policysim.engine.decide import decide, verdict
from policysim.engine.outcome import Later, Outcome
from policysim.engine.policies import PolicySet
from policysim.request import Request

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
A, B = "111111111111", "222222222222"


def raw(outcome: Outcome, name: str) -> Any:
    """A field's slot as it is, not read through the outcome (which would make the explanation)."""
    return getattr(type(outcome), name).slot.__get__(outcome)


@pytest.fixture
def checked_verdicts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every `verdict` made while the test runs is also made the other way: the decision is the same explained or
    not, and unexplained its reasons are empty or the failing gates' it needed to decide."""
    original = decide_module.verdict
    calls = [0]

    def both(request: Request, policies: PolicySet, analysis: Analysis, explain: bool = True) -> Any:
        explained = original(request, policies, analysis)
        bare = original(request, policies, analysis, explain=False)
        assert explained[0] is bare[0] and bare[1] in ((), explained[1])
        calls[0] += 1
        return explained if explain else bare

    monkeypatch.setattr(decide_module, "verdict", both)
    yield calls


def test_every_shipped_scenario_decides_alike_explained_or_not(checked_verdicts: list[int]) -> None:
    for path in SCENARIOS:
        results = Scenario.load(path).run_tests()
        assert results and all(r.passed for r in results), path
    assert checked_verdicts[0] > 50


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def model() -> dict[str, Any]:
    """Users with and without a boundary, a bucket policy naming users, roles and the other account, SCPs."""
    everything: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    deny_delete: dict[str, Any] = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    reads: dict[str, Any] = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
    bucket = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/carol"}, "Action": "s3:*",
             "Resource": "arn:aws:s3:::data/*"},
            {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
        ],
    }
    return {
        "scenario": "lazy",
        "organization": {
            "id": "o-a1b2c3d4e5",
            "policies": {"Guard": doc(everything, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})},
            "root": {"scps": ["Guard"], "accounts": [A, B]},
        },
        "accounts": {
            A: {
                "users": {
                    "alice": {"inline_policies": {"p": doc(everything, deny_delete)}},
                    "bob": {"inline_policies": {"p": doc(everything)}, "permissions_boundary": "b"},
                    "carol": {},
                },
                "policies": {"b": doc(reads)},
                "buckets": {"data": {"policy": bucket}},
            },
            B: {"users": {"dave": {"inline_policies": {"p": doc(everything)}}, "erin": {}}},
        },
    }


ASKS = [
    (user, action, resource)
    for user in ("alice", "bob", "carol", f"arn:aws:iam::{B}:user/dave", f"arn:aws:iam::{B}:user/erin")
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "iam:ListUsers", "ec2:DescribeInstances")
    for resource in ("arn:aws:s3:::data/k", "*")
    if action.startswith("s3:") or resource == "*"
]


def test_a_model_of_every_gate_decides_alike_explained_or_not(checked_verdicts: list[int]) -> None:
    scenario = Scenario.from_dict(model())
    decisions = {scenario.evaluate(*ask).decision for ask in ASKS for _ in range(3)}
    assert decisions == {Decision.ALLOWED, Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY}
    assert checked_verdicts[0] >= len(ASKS)


def fresh_outcomes() -> list[Outcome]:
    scenario = Scenario.from_dict(model())
    return [scenario.evaluate(*ask) for ask in ASKS]


def test_an_outcome_is_explained_when_first_read_and_then_holds_its_explanation() -> None:
    for outcome in fresh_outcomes():
        if type(raw(outcome, "reasons")) is not Later:
            continue  # a service rule's or an unknown's outcome is explained as it is made
        assert outcome.request is not None and outcome.policies is not None and outcome.analysis is not None
        expected = verdict(outcome.request, outcome.policies, outcome.analysis)
        assert expected[0] is outcome.decision
        assert outcome.reasons == expected[1] and outcome.reasons
        assert outcome.gates == tuple(dict.fromkeys(r.gate for r in expected[1]))
        assert raw(outcome, "reasons") is outcome.reasons and raw(outcome, "gates") is outcome.gates


def test_an_unread_explanation_is_made_by_every_reader() -> None:
    for reader in (
        lambda o: o.gates,
        lambda o: o.explain().lines(),
        repr,
        lambda o: pickle.loads(pickle.dumps(o)).reasons,
        lambda o: copy.copy(o).reasons,
        lambda o: replace(o, hop=1).reasons,
        lambda o: o.for_request(None).reasons,
        lambda o: o.slim().reasons,
        lambda o: o.with_hop(0).reasons,
        lambda o: o.statements,
    ):
        unread, read = fresh_outcomes(), fresh_outcomes()
        for one, other in zip(unread, read, strict=True):
            other.reasons  # noqa: B018 - made first
            reader(one)
            assert one == other and one.reasons == other.reasons and one.gates == other.gates
            assert repr(one) == repr(other) and type(raw(one, "reasons")) is not Later


def test_outcomes_read_from_threads_at_once_are_explained_alike() -> None:
    outcomes = fresh_outcomes()
    with ThreadPoolExecutor(4) as pool:
        seen = [list(pool.map(lambda o: (o.gates, o.reasons), outcomes)) for _ in range(4)]
    assert all(s == seen[0] for s in seen)


def test_decide_made_outcomes_compare_equal_to_explained_ones() -> None:
    for outcome in fresh_outcomes():
        request, policies = outcome.request, outcome.policies
        assert request is not None and policies is not None
        again = decide(request, policies) if type(raw(outcome, "reasons")) is Later else outcome
        explained = Outcome(
            again.decision, again.gates, again.reasons, request, again.missing_keys, policies=policies,
            analysis=again.analysis,
        )
        assert again == explained
