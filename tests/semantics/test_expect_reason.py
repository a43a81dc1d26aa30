"""A test can pin why, not only what (issue 16 item 7): `expect_gate:` and `expect_statement:` beside `expect:`.

A test whose decision matches but whose deciding gate or statement does not fails, with both halves of the
expectation in every report format.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import policysim
from policysim.enums import Gate
from policysim.report import ScenarioRun, render
from policysim.scenario.results import TestResult

A = "111111111111"


def scenario(*tests: dict[str, Any]) -> dict[str, Any]:
    return {
        "scenario": "why, not only what",
        "accounts": {
            A: {
                "users": {
                    "locked-out": {
                        "inline_policies": {
                            "deny-all": {
                                "Version": "2012-10-17",
                                "Statement": {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"},
                            }
                        }
                    },
                    "reader": {
                        "inline_policies": {
                            "read": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
                                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                ],
                            }
                        }
                    },
                }
            }
        },
        "tests": list(tests),
    }


def case(name: str, principal: str, action: str, expect: str, **why: str) -> dict[str, Any]:
    return {"name": name, "principal": principal, "action": action, "resource": "*", "expect": expect, **why}


def results(*tests: dict[str, Any]) -> list[TestResult]:
    return policysim.Scenario.from_dict(scenario(*tests)).run_tests()


def test_a_matching_gate_and_statement_pass() -> None:
    got = results(
        case("token", "locked-out", "sts:GetSessionToken", "allowed", expect_gate="service"),
        case("sid", "locked-out", "s3:GetObject", "explicitDeny", expect_gate="identity", expect_statement="DenyAll"),
        case(
            "full",
            "locked-out",
            "s3:GetObject",
            "denied",
            expect_statement=f"arn:aws:iam::{A}:user/locked-out#deny-all#DenyAll",
        ),
        case("position", "reader", "s3:GetObject", "allowed", expect_statement="#2"),
        case(
            "position with policy",
            "reader",
            "s3:GetObject",
            "allowed",
            expect_statement=f"arn:aws:iam::{A}:user/reader#read##2",
        ),
    )
    assert [(r.name, r.passed, r.unmet) for r in got] == [(r.name, True, ()) for r in got]
    assert got[0].expected_gate is Gate.SERVICE


@pytest.mark.parametrize(
    ("test", "unmet"),
    [
        (
            case("wrong gate", "locked-out", "sts:GetSessionToken", "allowed", expect_gate="identity"),
            "expected gate `identity`, got `service`",
        ),
        (
            case("wrong statement", "reader", "s3:GetObject", "allowed", expect_statement="#1"),
            f"expected deciding statement `#1`, got `arn:aws:iam::{A}:user/reader#read##2`",
        ),
        (
            case("no statement decided", "reader", "s3:PutObject", "implicitDeny", expect_statement="#1"),
            "expected deciding statement `#1`, got none",
        ),
    ],
)
def test_the_right_decision_for_the_wrong_reason_fails(test: dict[str, Any], unmet: str) -> None:
    [result] = results(test)
    assert result.decision.value in ("allowed", "implicitDeny")  # the decision itself is met ...
    assert not result.passed and result.failed  # ... and the test fails all the same
    assert result.unmet == (unmet,)
    assert result.expectation == f"expected {result.expected}, got {result.decision.value}; {unmet}"


def test_a_mismatch_is_reported_in_every_format() -> None:
    failing = case("wrong gate", "locked-out", "sts:GetSessionToken", "allowed", expect_gate="identity")
    loaded = policysim.Scenario.from_dict(scenario(failing))
    runs = [ScenarioRun(loaded.file, loaded.title, tuple(loaded.run_tests()))]
    words = "expected allowed, got allowed; expected gate `identity`, got `service`"
    for fmt in ("text", "junit", "sarif", "github"):
        assert words in render(fmt, runs), fmt
    document = json.loads(render("json", runs))
    [record] = document["scenarios"][0]["tests"]
    assert (record["passed"], record["decision"], record["gates"]) == (False, "allowed", ["service"])
    assert document["summary"]["failed"] == 1


def test_an_unknown_gate_is_a_located_schema_error() -> None:
    with pytest.raises(policysim.SchemaError) as raised:
        results(case("typo", "reader", "s3:GetObject", "allowed", expect_gate="identiy"))
    assert raised.value.location is not None
    assert raised.value.location.path == ("tests", 0, "expect_gate")
    assert "'identity', 'resource', 'trust'" in raised.value.message


def test_an_empty_statement_is_refused() -> None:
    with pytest.raises(policysim.SchemaError):
        results(case("empty", "reader", "s3:GetObject", "allowed", expect_statement=""))
