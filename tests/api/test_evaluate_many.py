"""`Scenario.evaluate_many` (contracts.md section 8): the outcomes `evaluate` gives, in order, whatever the workers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import policysim
from policysim.errors import RequestError, UnresolvedReferenceError
from policysim.scenario.many import worker_count

ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"
REQUESTS: list[dict[str, Any]] = [
    {"principal": "David", "action": "sts:AssumeRole", "resource": ROLE},
    {"principal": "Jane", "action": "sts:AssumeRole", "resource": ROLE},
    {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": ["UpdateData"]},
    {"principal": "David", "action": "s3:PutObject", "resource": OBJECT},
    {"principal": "David", "action": "s3:GetObject", "resource": OBJECT, "context": {"aws:SourceIp": "10.0.0.1"}},
] * 5


@pytest.fixture(scope="module")
def scenario() -> policysim.Scenario:
    # a fixed clock: aws:CurrentTime is in every request, and a second that ticks between two runs would tell them apart
    moment = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    return policysim.load_scenario("scenarios/cross-account-delegation.yaml", clock=lambda: moment)


@pytest.mark.parametrize("workers", [None, 1, 2, 0])
def test_the_outcomes_are_evaluates_in_order(scenario: policysim.Scenario, workers: int | None) -> None:
    expected = [scenario.evaluate(**request) for request in REQUESTS]
    assert scenario.evaluate_many(REQUESTS, workers=workers) == expected
    decisions = [o.decision.value for o in scenario.evaluate_many(REQUESTS[:5], workers=workers)]
    assert decisions == ["allowed", "explicitDeny", "allowed", "implicitDeny", "implicitDeny"]


def test_an_invalid_request_raises_as_evaluate_does(scenario: policysim.Scenario) -> None:
    bad = [*REQUESTS[:3], {"principal": "David", "action": "s3:GetObjekt", "resource": OBJECT}]
    for workers in (None, 2):
        with pytest.raises(RequestError, match="did you mean `s3:GetObject`"):
            scenario.evaluate_many(bad, workers=workers)


def test_the_first_invalid_request_in_request_order_raises(scenario: policysim.Scenario) -> None:
    # sorted by caller, "Alice" (unknown) would go first and this process answers the last share first: neither may
    # decide which error is raised
    requests = [*REQUESTS, {"principal": "Zed", "action": "s3:GetObject", "resource": OBJECT}, *REQUESTS]
    requests += [{"principal": "Alice", "action": "s3:GetObject", "resource": OBJECT}, *REQUESTS]
    with pytest.raises(UnresolvedReferenceError) as expected:
        [scenario.evaluate(**request) for request in requests]
    assert "Zed" in str(expected.value)
    for workers in (2, 0):
        with pytest.raises(UnresolvedReferenceError) as raised:
            scenario.evaluate_many(requests, workers=workers)
        assert str(raised.value) == str(expected.value)


@pytest.mark.parametrize("workers", [None, 2])
def test_a_dict_changed_between_requests_is_read_as_each_request(
    scenario: policysim.Scenario, workers: int | None
) -> None:
    def one_dict() -> Any:  # a generator that hands out the same dict, changed for each request
        request: dict[str, str] = {"action": "sts:AssumeRole", "resource": ROLE}
        for principal in ("Jane", "David", "Jane"):
            request["principal"] = principal
            yield request

    decisions = [outcome.decision.value for outcome in scenario.evaluate_many(one_dict(), workers=workers)]
    assert decisions == ["explicitDeny", "allowed", "explicitDeny"]


def test_worker_counts() -> None:
    assert worker_count(None) == 1 and worker_count(3) == 3 and worker_count(0) >= 1
    with pytest.raises(ValueError, match="workers must be 0"):
        worker_count(-1)


MOMENT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return MOMENT


def test_a_scenario_pickles_without_its_memories() -> None:
    """What a scenario remembers of the requests it answered stays behind when it is shipped to a worker."""
    import pickle

    used = policysim.load_scenario("scenarios/cross-account-delegation.yaml", clock=fixed_clock)
    for request in REQUESTS:
        used.evaluate(**request)
    shipped = pickle.loads(pickle.dumps(used))
    memories = ("_actors", "_fitting", "_targets", "_hops")
    assert all(getattr(used, name) for name in memories)
    assert not any(getattr(shipped, name) for name in memories)
    assert not shipped.evaluator._plans and not shipped.evaluator._trust
    assert [shipped.evaluate(**r) for r in REQUESTS] == [used.evaluate(**r) for r in REQUESTS]
