"""Every finding names the file, line and column of its element, the policy by its place and the statement."""

from __future__ import annotations

from pathlib import Path

import pytest
from validate_support import V, findings_of

from policysim.validate import Finding, validate

DEPLOY = "tests/validate/policies/deploy.json"
LOCATED = "tests/validate/policies/located.yaml"
SCENARIO = "tests/validate/data/scenario.yaml"


def where(findings: list[Finding], code: str) -> list[tuple[str | None, int | None, int | None, str, str | None]]:
    return [(f.file, f.line, f.column, f.policy, f.statement) for f in findings if f.code.value == code]


@pytest.mark.usefixtures("in_repo")
def test_json_policy_file_elements() -> None:
    found = list(validate([DEPLOY]).findings)
    assert where(found, "MISSING_VERSION") == [(DEPLOY, 1, 1, "deploy.json", None)]
    assert where(found, "UNKNOWN_ACTION") == [(DEPLOY, 6, 34, "deploy.json", "ReadReports")]
    assert where(found, "RESOURCE_TYPE_MISMATCH") == [(DEPLOY, 13, 19, "deploy.json", "ListReports")]
    assert where(found, "PASS_ROLE_WITHOUT_PASSED_TO_SERVICE") == [(DEPLOY, 15, 5, "deploy.json", "PassAnyRole")]
    unknown = next(f for f in found if f.code.value == "UNKNOWN_ACTION")
    assert unknown.element == "Statement[0].Action[1]"


@pytest.mark.usefixtures("in_repo")
def test_yaml_policy_file_elements() -> None:
    found = list(validate([LOCATED]).findings)
    assert where(found, "UNKNOWN_ACTION") == [(LOCATED, 7, 9, "located.yaml", "Tagging")]
    assert where(found, "MISSING_SET_QUALIFIER") == [(LOCATED, 10, 7, "located.yaml", "Tagging")]


@pytest.mark.usefixtures("in_repo")
def test_scenario_policies_are_located_in_the_scenario_and_in_their_files() -> None:
    found = list(validate([SCENARIO]).findings)
    assert where(found, "NULL_WITH_IF_EXISTS") == [(SCENARIO, 12, 11, "organization.policies.DenyWithoutToken", "#1")]
    assert where(found, "INVALID_SID") == [
        (SCENARIO, 21, 18, "accounts.111111111111.policies.Boundary", "Boundary-All")
    ]
    assert where(found, "FOR_ALL_VALUES_SINGLE_VALUED_KEY") == [
        (SCENARIO, 36, 17, "accounts.111111111111.users.dana.inline_policies.tags", "#1")
    ]
    assert where(found, "PUBLIC_ACCESS") == [
        (SCENARIO, 47, 26, "accounts.111111111111.buckets.reports.policy", "PublicRead")
    ]
    assert where(found, "UNKNOWN_SERVICE") == [(SCENARIO, 59, 17, "tests[0].session_policy", "#1")]
    assert where(found, "TRUST_POLICY_WITH_RESOURCE") == [
        ("tests/validate/data/trust.json", 8, 7, "accounts.111111111111.roles.worker.trust_policy", "#1")
    ]


@pytest.mark.usefixtures("in_repo")
def test_kinds_come_from_the_place_in_a_scenario() -> None:
    kinds = {f.policy: f.kind.value for f in validate([SCENARIO]).findings}
    assert kinds["organization.policies.DenyWithoutToken"] == "scp"
    assert kinds["accounts.111111111111.policies.Boundary"] == "boundary"
    assert kinds["accounts.111111111111.roles.worker.trust_policy"] == "trust"
    assert kinds["accounts.111111111111.buckets.reports.policy"] == "resource"
    assert kinds["tests[0].session_policy"] == "session"
    # the boundary allows everything, as boundaries do: no administrator-access finding there
    assert not [f for f in validate([SCENARIO]).findings if f.code.value == "ADMIN_ACCESS"]


def test_condition_findings_point_at_the_operator_or_key() -> None:
    document = {
        "Version": V,
        "Statement": {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SoruceIp": "203.0.113.9"}},
        },
    }
    (finding,) = [f for f in findings_of(document) if f.code.value == "UNKNOWN_CONDITION_KEY"]
    assert (finding.line, finding.column) == (9, 9)  # the key `"aws:SoruceIp"` of the indented JSON
    assert finding.element == "Statement.Condition.StringEquals.aws:SoruceIp"
    assert finding.hint == "did you mean `aws:SourceIp`?"


def test_inline_policies_too_large_together_are_located_at_their_entity(tmp_path: Path) -> None:
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:04d}/*"} for i in range(40)
    ]
    text = 'scenario: big inline policies\naccounts:\n  "111111111111":\n    users:\n      alice:\n'
    text += "        inline_policies:\n"
    for name in ("a", "b"):
        text += f'          {name}: {{Version: "2012-10-17", Statement: {statements!r}}}\n'.replace("'", '"')
    path = tmp_path / "inline.yaml"
    path.write_text(text, encoding="utf-8")
    found = [f for f in validate([path]).findings if f.code.value == "POLICY_TOO_LARGE"]
    assert [(f.line, f.column, f.policy) for f in found] == [
        (6, 9, "accounts.111111111111.users.alice.inline_policies")
    ]
    assert "the limit for the inline policies of a user is 2048" in found[0].message
