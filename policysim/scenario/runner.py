"""Running a scenario's own tests: one result per test x action x resource, expected against actual."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.context import ContextInput
from policysim.engine.outcome import Outcome
from policysim.enums import PolicyKind
from policysim.errors import Location, UnsupportedError
from policysim.load import Document
from policysim.model.scenario import ScenarioFile, Test
from policysim.scenario.results import TestResult


class Scenario(Protocol):
    """What the runner needs of a scenario: `policysim.scenario.api.Scenario`, which calls the runner (the runner
    knows it only through this protocol, so the two modules import one way)."""

    wire: ScenarioFile
    doc: Document

    @property
    def file(self) -> str: ...

    @property
    def title(self) -> str: ...

    def principal_arn(self, principal: str, session_name: str | None = None) -> str: ...

    def policy_document(self, path: tuple[str | int, ...]) -> Document: ...

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, ContextInput | None] | None = None,
        *,
        assume: Sequence[str] = (),
        session_name: str | None = None,
        external_id: str | None = None,
        mfa: bool | None = None,
        session_policy: Mapping[str, Any] | CompiledPolicy | None = None,
        duration_seconds: int | None = None,
        resource_account: str | None = None,
        via: str = "api",
        session_tags: Mapping[str, str] | None = None,
        transitive_tag_keys: Sequence[str] = (),
        source_identity: str | None = None,
        where: Location | None = None,
    ) -> Outcome: ...

def _listify(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def run_tests(scenario: Scenario) -> list[TestResult]:
    """Evaluate every test of the scenario."""
    results = []
    for index, test in enumerate(scenario.wire.tests):
        where = scenario.doc.locate(("tests", index))
        if test.session_policy_arns:
            raise UnsupportedError(
                "`session_policy_arns` (managed session policies) is not modelled yet",
                scenario.doc.locate(("tests", index, "session_policy_arns")),
                "give the policy inline as `session_policy`",
            )
        session_policy = _session_policy(scenario, test, index)
        actions, resources = _listify(test.action), _listify(test.resource)
        principal = scenario.principal_arn(test.principal, test.session_name)
        for action in actions:
            for resource in resources:
                outcome = scenario.evaluate(
                    test.principal,
                    action,
                    resource,
                    test.context,
                    assume=test.assume,
                    session_name=test.session_name,
                    external_id=test.external_id,
                    mfa=test.mfa,
                    session_policy=session_policy,
                    duration_seconds=test.duration_seconds,
                    resource_account=test.resource_account,
                    via=test.via,
                    session_tags=test.session_tags,
                    transitive_tag_keys=test.transitive_tag_keys,
                    source_identity=test.source_identity,
                    where=where,
                )
                name = test.name
                if len(actions) * len(resources) > 1:
                    name = f"{test.name} [{action} on {resource}]"
                results.append(
                    TestResult(
                        scenario.file,
                        scenario.title,
                        name,
                        principal,
                        action,
                        resource,
                        test.expect,
                        outcome,
                        where,
                        test_name=test.name,
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
