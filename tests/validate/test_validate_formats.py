"""Every output format of `policysim validate`, against golden files (`UPDATE_GOLDEN=1` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from validate_support import REPO, check_golden, findings_of, statement

from policysim.config import read_config
from policysim.validate import Validation, validate
from policysim.validate.render import FORMATS, render, render_text
from policysim.validate.suppress import apply_suppressions

SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
INPUTS = [
    "tests/validate/policies/deploy.json",
    "tests/validate/data/scenario.yaml",
    "tests/validate/policies/located.yaml",
    "tests/validate/data/no-such-policy.json",
]
SUFFIX = {"text": "txt", "json": "json", "sarif": "sarif", "github": "github.txt"}


@pytest.fixture
def result(in_repo: None) -> Validation:
    """The findings of the fixtures (one suppressed by tests/validate/data/policysim.yaml) and one missing input."""
    validation = validate(INPUTS)
    config = read_config(REPO / "tests" / "validate" / "data" / "policysim.yaml", REPO)
    findings, unused = apply_suppressions(config, validation.findings, REPO)
    assert unused == []
    return Validation(
        findings=tuple(findings), errors=validation.errors, files=validation.files, policies=validation.policies
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, result: Validation) -> None:
    check_golden(f"report.{SUFFIX[fmt]}", render(fmt, result, version="0.0.0-test"))


def test_sarif_is_valid_sarif_2_1_0(result: Validation) -> None:
    log = json.loads(render("sarif", result, version="0.0.0-test"))
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for item in log["runs"][0]["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
    security = next(rule for rule in rules if rule["id"] == "PUBLIC_ACCESS")
    assert security["properties"]["tags"] == ["security"]


def test_text_and_github_never_print_control_characters() -> None:
    found = findings_of(statement(Sid="Read\x7fAll", Effect="Allow", Action="s3:GetObject", Resource="*"))
    text = render_text(Validation(findings=tuple(found), files=1, policies=1))
    assert "\x7f" not in text and "Read\\x7fAll" in text
    github = render("github", Validation(findings=tuple(found), files=1, policies=1))
    assert "\x7f" not in github


def test_no_finding_repeats_a_condition_value() -> None:
    # condition values can be secrets (an ExternalId): the words name keys and operators, never values
    secret = "s3cr3t-*-external-id"
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"sts:ExternalId": secret},
                "StringEqualsIfExists": {"aws:SecureTransport": secret},
            },
        },
    }
    found = findings_of(document, "trust")
    assert {f.code.value for f in found} >= {"WILDCARD_WITHOUT_LIKE_OPERATOR", "CONDITION_TYPE_MISMATCH"}
    validation = Validation(findings=tuple(found), files=1, policies=1)
    for fmt in FORMATS:
        assert secret not in render(fmt, validation, version="0"), fmt


def test_every_format_ends_with_a_newline(tmp_path: Path) -> None:
    empty = Validation()
    for fmt in FORMATS:
        assert render(fmt, empty, version="0").endswith("\n")
