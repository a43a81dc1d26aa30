"""Running a scenario's own tests: one result per test x action x resource, expected against actual."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.engine.outcome import Outcome
from policysim.enums import PolicyKind
from policysim.errors import Location, UnsupportedError
from policysim.load import Document
from policysim.model.scenario import Test
from policysim.scenario.results import TestResult
from policysim.scenario.spec import RequestSpec


class Scenario(Protocol):
    """What the runner needs of a scenario: `policysim.scenario.api.Scenario`, which calls the runner (the runner
    knows it only through this protocol, so the two modules import one way)."""

    @property
    def file(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def tests(self) -> Sequence[Test]: ...

    def locate(self, path: Sequence[str | int]) -> Location: ...

    def principal_arn(self, principal: str, session_name: str | None = None) -> str: ...

    def policy_document(self, path: tuple[str | int, ...]) -> Document: ...

    def evaluate_spec(self, spec: RequestSpec) -> Outcome: ...


def _listify(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def run_tests(scenario: Scenario) -> list[TestResult]:
    """Evaluate every test of the scenario."""
    results = []
    for index, test in enumerate(scenario.tests):
        where = scenario.locate(("tests", index))
        if test.session_policy_arns:
            raise UnsupportedError(
                "`session_policy_arns` (managed session policies) is not modelled yet",
                scenario.locate(("tests", index, "session_policy_arns")),
                "give the policy inline as `session_policy`",
            )
        session_policy = _session_policy(scenario, test, index)
        actions, resources = _listify(test.action), _listify(test.resource)
        principal = scenario.principal_arn(test.principal, test.session_name)
        for action in actions:
            for resource in resources:
                spec = RequestSpec.from_test(test, action, resource, session_policy=session_policy, where=where)
                name = test.name
                if len(actions) * len(resources) > 1:
                    name = f"{test.name} [{action} on {resource}]"
                results.append(
                    TestResult(
                        file=scenario.file,
                        scenario=scenario.title,
                        name=name,
                        principal=principal,
                        action=action,
                        resource=resource,
                        expected=test.expect,
                        outcome=scenario.evaluate_spec(spec),
                        location=where,
                        test_name=test.name,
                        expected_gate=test.expect_gate,
                        expected_statement=test.expect_statement,
                    )
                )
    return results


def _session_policy(scenario: Scenario, test: Test, index: int) -> CompiledPolicy | None:
    if test.session_policy is None:
        return None
    path = ("tests", index, "session_policy")
    doc = scenario.policy_document(path)
    text = json.dumps(doc.data, separators=(",", ":"))
    return compile_policy(doc, f"session policy of test `{test.name}`", PolicyKind.SESSION, source_text=text)
