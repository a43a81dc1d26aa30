"""A request is a value (issue 16 item 6): `Scenario.evaluate`'s keywords, a scenario test and `explain`'s flags
become one `RequestSpec`, answered by `Scenario.evaluate_spec`; the Scenario's parts are private."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

import policysim
from policysim import Decision, RequestSpec, Scenario
from policysim.errors import Location

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = ROOT / "scenarios" / "cross-account-delegation.yaml"
ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    # a fixed clock: aws:CurrentTime is in every request, and a second that ticks between two runs would tell them apart
    moment = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    return policysim.load_scenario(FOUNDING, clock=lambda: moment)


def test_evaluate_is_evaluate_spec_of_its_keywords(scenario: Scenario) -> None:
    by_keywords = scenario.evaluate(
        "David",
        "s3:PutObject",
        OBJECT,
        {"aws:SourceIp": "1.2.3.4"},
        assume=["UpdateData"],
        session_name="David-ProdUpdate",
    )
    spec = RequestSpec(
        "David",
        "s3:PutObject",
        OBJECT,
        context={"aws:SourceIp": "1.2.3.4"},
        assume=("UpdateData",),
        session_name="David-ProdUpdate",
    )
    assert scenario.evaluate_spec(spec) == by_keywords
    assert by_keywords.decision is Decision.ALLOWED
    assert scenario.evaluate_spec(dataclasses.replace(spec, assume=())).decision is Decision.IMPLICIT_DENY


def test_a_spec_is_a_frozen_value(scenario: Scenario) -> None:
    spec = RequestSpec("David", "sts:AssumeRole", ROLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.action = "s3:GetObject"  # type: ignore[misc]
    # where a request was written is not part of its value
    assert dataclasses.replace(spec, where=Location("x.yaml", 1, 1)) == spec


def test_each_test_is_one_spec_per_action_and_resource(scenario: Scenario) -> None:
    results = scenario.run_tests()
    for index, test in enumerate(scenario.tests):
        actions = [test.action] if isinstance(test.action, str) else test.action
        resources = [test.resource] if isinstance(test.resource, str) else test.resource
        mine = [r for r in results if r.location is not None and r.location.path == ("tests", index)]
        assert len(mine) == len(actions) * len(resources)
        for result in mine:
            spec = RequestSpec.from_test(test, result.action, result.resource, where=result.location)
            if test.session_policy is None:
                assert scenario.evaluate_spec(spec) == result.outcome
            assert spec.where == result.location
            assert (spec.principal, spec.assume, spec.session_name) == (
                test.principal,
                tuple(test.assume),
                test.session_name,
            )


def test_assume_role_options_without_a_role_are_refused(scenario: Scenario) -> None:
    spec = RequestSpec("David", "s3:GetObject", OBJECT, external_id="x", where=Location("t.yaml", 3, 5))
    with pytest.raises(policysim.RequestError) as raised:
        scenario.evaluate_spec(spec)
    assert "`external_id` describes an AssumeRole request" in raised.value.message
    assert raised.value.location == Location("t.yaml", 3, 5)


def test_the_scenario_parts_are_private_behind_a_small_surface(scenario: Scenario) -> None:
    for internal in ("wire", "compiler", "doc"):
        assert not hasattr(scenario, internal), internal
    assert scenario.world.roles[ROLE].name == "UpdateData"
    assert scenario.tests[0].name == "David can switch to UpdateData"
    assert scenario.locate(("tests", 0)).line is not None
    assert scenario.evaluator.world is scenario.world
    for read_only in ("world", "evaluator", "tests"):
        with pytest.raises(AttributeError):
            setattr(scenario, read_only, None)


def test_the_clock_cache_lives_on_the_evaluator(scenario: Scenario) -> None:
    import policysim.world.evaluator as module
    from policysim.world.evaluator import Evaluator

    assert not [n for n, v in vars(module).items() if isinstance(v, dict | list | set) and not n.startswith("__")]
    first, second = Evaluator(scenario.world), Evaluator(scenario.world)
    assert first.now() == second.now()
    assert first._last_second is not second._last_second
    assert first == second  # the cache is not part of the evaluator's value
