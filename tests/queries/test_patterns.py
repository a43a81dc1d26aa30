"""Requests over resource patterns (docs/queries.md, "Resource patterns"): is some matching resource allowed?"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policysim
from policysim.enums import Decision
from policysim.queries.patterns import NO_RESOURCE, PatternAnswer, meet
from policysim.report import ScenarioRun, render
from policysim.report.sarif import render_sarif

GOLDEN = Path(__file__).parent / "golden"
LOGS = "arn:aws:s3:::logs-*/*"


def clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


MODEL: dict[str, Any] = {
    "scenario": "resource patterns",
    "accounts": {
        "111111111111": {
            "users": {
                "alice": {
                    "inline_policies": {
                        "logs": policy(
                            {"Sid": "ReadLogs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": LOGS},
                            {"Sid": "ListLogs", "Effect": "Allow", "Action": "s3:ListBucket",
                             "Resource": "arn:aws:s3:::logs-*"},
                            {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject",
                             "Resource": "arn:aws:s3:::logs-secret/*"},
                        )
                    }
                },
                "bob": {},
            },
            "buckets": {"logs-app": {}},
        }
    },
    "tests": [
        {"name": "alice reads some log", "principal": "alice", "action": "s3:GetObject",
         "resource": {"pattern": LOGS}, "expect": "allowed"},
        {"name": "alice reads no secret", "principal": "alice", "action": "s3:GetObject",
         "resource": {"pattern": "arn:aws:s3:::logs-secret/*"}, "expect": "explicitDeny"},
        {"name": "bob reads no log", "principal": "bob", "action": "s3:GetObject",
         "resource": {"pattern": LOGS}, "expect": "denied"},
        {"name": "a wrong expectation", "principal": "bob", "action": ["s3:GetObject", "s3:PutObject"],
         "resource": {"pattern": LOGS}, "expect": "allowed"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def scenario() -> policysim.Scenario:
    return policysim.Scenario.from_dict(MODEL, clock=clock)


def by_text(answer: PatternAnswer, type_name: str) -> dict[str, Any]:
    (found,) = [t for t in answer.types if t.type == type_name]
    return {sp.text: sp for sp in found.patterns}


def test_object_pattern_is_allowed_with_its_proof(scenario: policysim.Scenario) -> None:
    answer = scenario.evaluate_pattern("alice", "s3:GetObject", LOGS)
    assert answer.decision is Decision.ALLOWED and answer.allowed
    assert [t.type for t in answer.types] == ["s3:object"]
    assert answer.proof is not None and answer.proof.resource.startswith("arn:aws:s3:::logs-")
    assert [ref.label for ref in answer.proof.statements] == ["ReadLogs"]
    assert answer.verdict().startswith(f"some resource matching `{LOGS}` is allowed: `{answer.proof.resource}`")
    assert "arn:aws:s3:::logs-app/policysim-example" in {e.resource for e in answer.examples}  # the declared bucket


def test_a_deny_on_a_sub_pattern_answers_per_statement_pattern(scenario: policysim.Scenario) -> None:
    answer = scenario.evaluate_pattern("alice", "s3:GetObject", LOGS)
    rows = by_text(answer, "s3:object")
    assert set(rows) == {LOGS, "arn:aws:s3:::logs-secret/*"}
    read, secret = rows[LOGS], rows["arn:aws:s3:::logs-secret/*"]
    assert read.decision is Decision.ALLOWED and read.allowed and read.denied  # some inside it are denied
    assert "arn:aws:s3:::logs-secret/policysim-example" in {e.resource for e in read.denied}
    assert secret.decision is Decision.EXPLICIT_DENY and not secret.allowed and secret.denied
    assert [ref.label for ref in secret.statements] == ["NoSecrets"]
    assert {ref.label for e in secret.denied for ref in e.statements} == {"NoSecrets"}
    denied = scenario.evaluate_pattern("alice", "s3:GetObject", "arn:aws:s3:::logs-secret/*")
    assert denied.decision is Decision.EXPLICIT_DENY and denied.proof is None
    assert "every example matching" in denied.verdict() and "not every possible ARN" in denied.verdict()


def test_bucket_pattern_against_the_bucket_and_object_types(scenario: policysim.Scenario) -> None:
    listing = scenario.evaluate_pattern("alice", "s3:ListBucket", "arn:aws:s3:::logs-*")
    assert [t.type for t in listing.types] == ["s3:bucket"] and listing.allowed
    assert set(by_text(listing, "s3:bucket")) == {"arn:aws:s3:::logs-*"}  # the object statements are not over it
    # a bucket-name pattern also matches objects (`*` spans `/`): the object type answers it
    objects = scenario.evaluate_pattern("alice", "s3:GetObject", "arn:aws:s3:::logs-*")
    assert [t.type for t in objects.types] == ["s3:object"] and objects.allowed
    with pytest.raises(policysim.PolicysimError, match="no resource type of `s3:ListBucket` matches"):
        scenario.evaluate_pattern("alice", "s3:ListBucket", LOGS)  # a bucket name holds no `/`


def test_star_for_an_action_taking_resources(scenario: policysim.Scenario) -> None:
    answer = scenario.evaluate_pattern("alice", "s3:GetObject", "*")
    assert {t.type for t in answer.types} == {"s3:object", "s3:accesspointobject"} and answer.allowed
    assert by_text(answer, "s3:accesspointobject") == {}  # no statement pattern can match an access point object
    assert all(t.examples for t in answer.types)  # every type got an example of its own
    assert not scenario.evaluate_pattern("bob", "s3:GetObject", "*").allowed


def test_star_for_an_action_taking_no_resource(scenario: policysim.Scenario) -> None:
    answer = scenario.evaluate_pattern("alice", "s3:ListAllMyBuckets", "*")
    assert [t.type for t in answer.types] == [NO_RESOURCE]
    assert [e.resource for e in answer.examples] == ["*"] and answer.decision is Decision.IMPLICIT_DENY
    with pytest.raises(policysim.PolicysimError, match="takes no resource ARN"):
        scenario.evaluate_pattern("alice", "s3:ListAllMyBuckets", "arn:aws:s3:::*")


def test_no_matching_type_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "scenario: bad\naccounts:\n  '111111111111':\n    users: {alice: {}}\ntests:\n"
        "  - name: roles are not objects\n    principal: alice\n    action: s3:GetObject\n"
        "    resource: {pattern: 'arn:aws:iam::*:role/*'}\n    expect: denied\n",
        encoding="utf-8",
    )
    with pytest.raises(policysim.RequestError) as caught:
        policysim.load_scenario(path).run_tests()
    error = caught.value
    assert "no resource type of `s3:GetObject` matches `arn:aws:iam::*:role/*`" in error.message
    assert error.location is not None and error.location.line == 9 and error.hint


def test_scenario_tests_of_patterns(scenario: policysim.Scenario) -> None:
    results = scenario.run_tests()
    assert [(r.name, r.decision.value, r.passed) for r in results] == [
        ("alice reads some log", "allowed", True),
        ("alice reads no secret", "explicitDeny", True),
        ("bob reads no log", "implicitDeny", True),
        (f"a wrong expectation [s3:GetObject on {LOGS}]", "implicitDeny", False),
        (f"a wrong expectation [s3:PutObject on {LOGS}]", "implicitDeny", False),
    ]
    assert all(r.resource == r.pattern.pattern for r in results if r.pattern is not None)
    assert results[0].outcome is results[0].pattern.proof.outcome  # type: ignore[union-attr]


def test_meet() -> None:
    assert meet([LOGS, "arn:aws:s3:::logs-secret/*"]) == "arn:aws:s3:::logs-secret/*"
    assert meet([LOGS, "arn:aws:s3:::*/private/*"]) == "arn:aws:s3:::logs-*/private/*"
    assert meet(["*", "arn:*:s3:::*/*"]) == "arn:*:s3:::*/*"
    assert meet([LOGS, "arn:aws:s3:::other/*"]) is None
    assert meet(["a?c", "*b*"]) == "abc" and meet(["a*", "*b"]) == "a*b"


# -- the law: every example reported is decided as `evaluate` decides that concrete resource --------------------------

PATTERNS = [LOGS, "*", "arn:aws:s3:::logs-secret/*", "arn:aws:s3:::logs-a*", "arn:aws:s3:::*/x*", "arn:aws:s3:::?ogs-*"]


@settings(max_examples=25, deadline=None)
@given(
    principal=st.sampled_from(["alice", "bob"]),
    action=st.sampled_from(["s3:GetObject", "s3:PutObject"]),
    pattern=st.sampled_from(PATTERNS),
)
def test_law_examples_agree_with_evaluate(principal: str, action: str, pattern: str) -> None:
    scenario = policysim.Scenario.from_dict(MODEL, clock=clock)
    answer = scenario.evaluate_pattern(principal, action, pattern)
    assert answer.examples
    for example in answer.examples:
        assert scenario.evaluate(principal, action, example.resource).decision is example.decision
    assert answer.allowed == any(e.decision is Decision.ALLOWED for e in answer.examples)


# -- every report format shows the breakdown -------------------------------------------------------------------------

FORMATS = {"text": "patterns.txt", "json": "patterns.json", "junit": "patterns.junit.xml", "sarif": "patterns.sarif",
           "github": "patterns.github.txt"}  # fmt: skip


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_report_golden(fmt: str, scenario: policysim.Scenario) -> None:
    runs = [ScenarioRun("patterns.yaml", scenario.title, tuple(scenario.run_tests()))]
    out = render_sarif(runs, version="0.0.0-test") if fmt == "sarif" else render(fmt, runs)
    check_golden(FORMATS[fmt], out)
    if fmt != "json":  # the failing tests carry the per-type and per-statement breakdown
        assert "type s3:object: implicitDeny" in out.replace("%3A", ":")
    else:
        test = json.loads(out)["scenarios"][0]["tests"][1]
        assert test["resource"] == "arn:aws:s3:::logs-secret/*" and test["decision"] == "explicitDeny"
        rows = {row["pattern"]: row for row in test["pattern"]["types"][0]["statement_patterns"]}
        assert set(rows) == {LOGS, "arn:aws:s3:::logs-secret/*"}
        assert rows["arn:aws:s3:::logs-secret/*"]["statements"][0]["sid"] == "NoSecrets"
        assert rows[LOGS]["decision"] == "explicitDeny" and rows[LOGS]["allowed"] == []


def test_text_says_what_a_passing_pattern_test_means(scenario: policysim.Scenario) -> None:
    out = render("text", [ScenarioRun("patterns.yaml", scenario.title, tuple(scenario.run_tests()))])
    assert f"some resource matching `{LOGS}` is allowed: `arn:aws:s3:::logs-" in out


# -- the twin's `ResourcePatterns` extension ---------------------------------------------------------------------------

TWIN_POLICY = json.dumps(MODEL["accounts"]["111111111111"]["users"]["alice"]["inline_policies"]["logs"])


def twin_input(**extra: Any) -> dict[str, Any]:
    return {"PolicyInputList": [TWIN_POLICY], "ActionNames": ["s3:GetObject"],
            "CallerArn": "arn:aws:iam::111111111111:user/alice", **extra}  # fmt: skip


def test_twin_answers_patterns_like_resource_arns() -> None:
    from policysim.twins import simulate_custom_policy

    out = simulate_custom_policy(twin_input(ResourcePatterns=[LOGS, "arn:aws:s3:::logs-secret/*"]), clock=clock)
    first, second = out["EvaluationResults"]
    assert (first["EvalResourceName"], first["EvalDecision"]) == (LOGS, "allowed")
    assert (second["EvalResourceName"], second["EvalDecision"]) == ("arn:aws:s3:::logs-secret/*", "explicitDeny")
    details = first["PatternDecisionDetails"]
    assert details["DecidingExample"] == details["ResourceTypes"][0]["AllowedExamples"][0]["EvalResourceName"]
    for kind in ("AllowedExamples", "DeniedExamples"):  # every example is what `ResourceArns` gives that resource
        for example in details["ResourceTypes"][0][kind]:
            plain = simulate_custom_policy(twin_input(ResourceArns=[example["EvalResourceName"]]), clock=clock)
            assert plain["EvaluationResults"][0]["EvalDecision"] == example["EvalDecision"]


def test_twin_pattern_of_no_type_is_located() -> None:
    from policysim.twins import simulate_custom_policy

    with pytest.raises(policysim.RequestError) as caught:
        simulate_custom_policy(twin_input(ResourcePatterns=[LOGS, "arn:aws:iam::*:role/*"]), clock=clock)
    assert caught.value.location is not None and "ResourcePatterns" in str(caught.value.location)
