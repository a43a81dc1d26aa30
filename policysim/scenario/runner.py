"""Running a scenario's own tests: one result per test x action x resource, expected against actual."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policysim.compile import compile_policy
from policysim.engine.outcome import Outcome
from policysim.enums import Decision, PolicyKind
from policysim.errors import Location, UnsupportedError
from policysim.ir.policy import CompiledPolicy
from policysim.model.scenario import Expectation, Test

if TYPE_CHECKING:
    from policysim.scenario.api import Scenario

MATCHES: dict[str, frozenset[Decision]] = {
    "allowed": frozenset({Decision.ALLOWED}),
    "denied": frozenset({Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY}),
    "explicitDeny": frozenset({Decision.EXPLICIT_DENY}),
    "implicitDeny": frozenset({Decision.IMPLICIT_DENY}),
}


@dataclass(frozen=True)
class TestResult:
    """One evaluated expectation."""

    __test__ = False  # not a pytest test class

    file: str
    scenario: str
    name: str
    principal: str
    action: str
    resource: str
    expected: Expectation
    outcome: Outcome
    location: Location | None
    skip_reason: str | None = None  # set when a configured suppression matched the test (see docs/configuration.md)
    test_name: str = ""  # the test's own name, when `name` is one `NAME [ACTION on RESOURCE]` result of it

    @property
    def decision(self) -> Decision:
        """The decision policysim reached."""
        return self.outcome.decision

    @property
    def passed(self) -> bool:
        """Did the decision meet the expectation? (Also computed for a skipped test.)"""
        return self.outcome.decision in MATCHES[self.expected]

    @property
    def skipped(self) -> bool:
        """Was the test suppressed? A skipped test is reported with its reason and never counts as failed."""
        return self.skip_reason is not None

    @property
    def failed(self) -> bool:
        """Is this an unmet expectation that counts: not passed and not skipped."""
        return not self.passed and not self.skipped


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
    doc = scenario.compiler.document(path)
    text = json.dumps(doc.data, separators=(",", ":"))
    return compile_policy(doc, f"session policy of test `{test.name}`", PolicyKind.SESSION, source_text=text)
