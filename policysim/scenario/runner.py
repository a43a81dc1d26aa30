"""Running a scenario's own tests: one result per test x action x resource, expected against actual."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from policysim.catalogue.fit import resource_problem
from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.engine.outcome import Outcome
from policysim.enums import PolicyKind
from policysim.errors import Location, RequestError, UnsupportedError
from policysim.ir.arn import parse_arn
from policysim.load import Document
from policysim.model.records import ResourcePattern, Test
from policysim.scenario.defaults import with_region
from policysim.scenario.results import LeftOut, TestResult
from policysim.scenario.spec import RequestSpec
from policysim.world.key_notes import key_notes
from policysim.world.world import World

if TYPE_CHECKING:
    from policysim.queries.patterns import PatternAnswer


class Scenario(Protocol):
    """What the runner needs of a scenario: `policysim.scenario.api.Scenario`, which calls the runner (the runner
    knows it only through this protocol, so the two modules import one way)."""

    @property
    def file(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def tests(self) -> Sequence[Test]: ...

    @property
    def default_region(self) -> str | None: ...

    @property
    def world(self) -> World: ...

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
        principal = scenario.principal_arn(test.principal, test.session_name)
        if isinstance(test.resource, ResourcePattern):
            results += _pattern_results(scenario, test, index, test.resource.pattern, session_policy, principal)
            continue
        actions, resources = _listify(test.action), _listify(test.resource)
        pairs, left_out = _fitting_pairs(scenario, index, actions, resources)
        for number, (action, resource) in enumerate(pairs):
            spec = RequestSpec.from_test(test, action, resource, session_policy=session_policy, where=where)
            spec = replace(spec, context=with_region(spec.context, action, resource, scenario.default_region))
            name = test.name
            if len(actions) * len(resources) > 1:
                name = f"{test.name} [{action} on {resource}]"
            outcome = scenario.evaluate_spec(spec)
            left = left_out if number == 0 else ()
            results.append(_result(scenario, test, where, name, principal, action, resource, outcome, left_out=left))
    return results


def _result(
    scenario: Scenario,
    test: Test,
    where: Location | None,
    name: str,
    principal: str,
    action: str,
    resource: str,
    outcome: Outcome,
    *,
    left_out: tuple[LeftOut, ...] = (),
    pattern: PatternAnswer | None = None,
) -> TestResult:
    """One test's result for one action and resource (a pattern's: with its answer)."""
    return TestResult(
        file=scenario.file,
        scenario=scenario.title,
        name=name,
        principal=principal,
        action=action,
        resource=resource,
        expected=test.expect,
        outcome=outcome,
        location=where,
        test_name=test.name,
        expected_gate=test.expect_gate,
        expected_statement=test.expect_statement,
        key_notes=key_notes(outcome),
        left_out=left_out,
        pattern=pattern,
    )


def _pattern_results(
    scenario: Scenario, test: Test, index: int, pattern: str, session_policy: CompiledPolicy | None, principal: str
) -> list[TestResult]:
    """One result per action of a test whose resource is `{pattern: ...}` (docs/queries.md, "Resource patterns")."""
    where = scenario.locate(("tests", index))
    actions = _listify(test.action)
    out = []
    for action in actions:
        spec = RequestSpec.from_test(test, action, pattern, session_policy=session_policy, where=where)
        answer = pattern_answer(scenario, spec, scenario.locate(("tests", index, "resource", "pattern")))
        name = test.name if len(actions) == 1 else f"{test.name} [{action} on {pattern}]"
        out.append(_result(scenario, test, where, name, principal, action, pattern, answer.outcome, pattern=answer))
    return out


def pattern_answer(scenario: Scenario, spec: RequestSpec, where: Location | None) -> PatternAnswer:
    """The answer for `spec`, whose resource is a pattern: each example resource asked as `evaluate_spec` asks it."""
    from policysim.queries.patterns import answer_pattern  # the request space: only for tests that need it
    from policysim.space.harvest import harvest

    def ask(resource: str) -> Outcome:
        context = with_region(spec.context, spec.action, resource, scenario.default_region)
        return scenario.evaluate_spec(replace(spec, resource=resource, context=context))

    caller = final_caller(scenario, spec.principal, spec.assume, spec.session_name)
    space = harvest(scenario.world, scenario.tests)
    return answer_pattern(space, ask, spec.principal, spec.action, spec.resource, caller, where=where)


class Names(Protocol):
    """What `final_caller` needs: a scenario that names principals."""

    def principal_arn(self, principal: str, session_name: str | None = None) -> str: ...


def final_caller(scenario: Names, principal: str, assume: Sequence[str], session_name: str | None) -> str:
    """The ARN of who finally makes the request: the principal, or the session of the chain's last role."""
    return scenario.principal_arn(assume[-1] if assume else principal, session_name)


def _fitting_pairs(
    scenario: Scenario, index: int, actions: list[str], resources: list[str]
) -> tuple[list[tuple[str, str]], tuple[LeftOut, ...]]:
    """The test's action x resource pairs whose resource is of a type the action acts on, and the others.

    A test of one action on one resource that does not fit, or lists none that fit, is an error: AWS would never
    evaluate such a request, so it has no decision to expect.
    """
    pairs: list[tuple[str, str]] = []
    left_out: list[LeftOut] = []
    for r_index, resource in enumerate(resources):
        if resource != "*":  # a malformed ARN is reported as such, before its type is judged
            path = ("tests", index, "resource") if len(resources) == 1 else ("tests", index, "resource", r_index)
            parse_arn(resource, location=scenario.locate(path))
    for action in actions:
        for resource in resources:
            problem = resource_problem(action, resource)
            if problem is None:
                pairs.append((action, resource))
            else:
                left_out.append(LeftOut(action, resource, problem.message))
    if left_out and not pairs:
        where = scenario.locate(("tests", index, "resource"))
        first = left_out[0].reason
        more = f" (and {len(left_out) - 1} more pairs like it)" if len(left_out) > 1 else ""
        raise RequestError(first + more, where, "name a resource of a type the action acts on")
    return pairs, tuple(left_out)


def _session_policy(scenario: Scenario, test: Test, index: int) -> CompiledPolicy | None:
    if test.session_policy is None:
        return None
    path = ("tests", index, "session_policy")
    doc = scenario.policy_document(path)
    text = json.dumps(doc.data, separators=(",", ":"))
    return compile_policy(doc, f"session policy of test `{test.name}`", PolicyKind.SESSION, source_text=text)
