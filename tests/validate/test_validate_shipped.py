"""No false findings: every shipped scenario validates without an ERROR (exit 0 or 1, never 2), and AWS's own
example policies (tests/validate/policies/aws-examples*) get no finding but suggestions. The findings the shipped
scenarios do get are pinned, each inspected (see docs/validate.md, "Findings on AWS's own examples")."""

from __future__ import annotations

import json

import pytest
from validate_support import POLICIES, run

pytestmark = pytest.mark.usefixtures("in_repo")


def test_every_shipped_scenario_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", "scenarios", "--format", "json"], capsys)
    document = json.loads(out)
    assert code in (0, 1), err
    assert document["summary"]["invalid_inputs"] == 0
    assert document["summary"]["files"] == 9
    assert [f for f in document["findings"] if f["severity"] == "ERROR"] == []
    assert sorted((f["file"], f["code"]) for f in document["findings"]) == [
        # AWS's ABAC tutorial writes `StringLike` on the multivalued aws:TagKeys without a set qualifier; Access
        # Analyzer reports the same ("Missing qualifier")
        ("scenarios/abac-tutorial.yaml", "MISSING_SET_QUALIFIER"),
        # iam:PermissionsBoundary is an ARN key compared with StringEquals, as the IAM guide's example does
        ("scenarios/permissions-boundary-delegation.yaml", "USE_ARN_OPERATOR"),
    ]
    assert code == 0


@pytest.mark.parametrize(
    ("directory", "kind"),
    [
        ("aws-examples", "identity"),
        ("aws-examples-resource", "resource"),
        ("aws-examples-trust", "trust"),
        ("aws-examples-scp", "scp"),
    ],
)
def test_aws_example_policies_get_no_findings(directory: str, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", str(POLICIES / directory), "--kind", kind, "--format", "json"], capsys)
    document = json.loads(out)
    assert [(f["file"], f["code"]) for f in document["findings"] if f["severity"] != "SUGGESTION"] == []
    assert code == 0
    assert document["summary"]["policies"] >= 3


def test_the_test_corpus_validates_without_invalid_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", "tests/cases", "--format", "json"], capsys)
    assert code in (0, 1), err
    assert json.loads(out)["summary"]["invalid_inputs"] == 0
