"""`policysim validate` end to end: exit codes, `--fail-on`, `--kind`, `--output`, and what counts as invalid input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from validate_support import POLICIES, run

pytestmark = pytest.mark.usefixtures("in_repo")

CLEAN = "tests/validate/policies/clean.json"
DEPLOY = "tests/validate/policies/deploy.json"
WARNING = "tests/validate/policies/only-warning.json"
SUGGESTION = "tests/validate/policies/only-suggestion.json"
SECURITY = "tests/validate/policies/only-security.json"


def test_clean_policy_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", CLEAN], capsys)
    assert (code, err) == (0, "")
    assert out == "0 findings; 1 policy in 1 file\n"


def test_an_error_finding_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", DEPLOY], capsys)
    assert code == 1
    assert "ERROR UNKNOWN_ACTION" in out


@pytest.mark.parametrize(
    ("path", "level", "expected"),
    [
        (WARNING, "error", 0),
        (WARNING, "security", 0),
        (WARNING, "warning", 1),
        (WARNING, "suggestion", 1),
        (SECURITY, "error", 0),
        (SECURITY, "security", 1),
        (SUGGESTION, "warning", 0),
        (SUGGESTION, "suggestion", 1),
        (CLEAN, "suggestion", 0),
    ],
)
def test_fail_on_sets_the_least_severity_that_fails(
    path: str, level: str, expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(["validate", path, "--fail-on", level], capsys)
    assert code == expected


def test_the_json_report_is_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", DEPLOY, "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1
    assert document["format_version"] == "1"
    assert set(document) >= {"findings", "summary"}
    for finding in document["findings"]:
        assert {"code", "severity", "message", "hint", "file", "line", "column", "policy", "statement"} <= set(finding)
        assert finding["severity"] in ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")
    assert document["summary"]["error"] == 1
    assert document["summary"]["policies"] == 1


def test_kind_changes_the_rules_of_a_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                },
            }
        )
    )
    code, out, _ = run(["validate", str(trust), "--format", "json"], capsys)
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["INVALID_POLICY"]  # no Resource, as an identity policy
    code, out, _ = run(["validate", str(trust), "--kind", "trust"], capsys)
    assert (code, out) == (0, "0 findings; 1 policy in 1 file\n")


def test_output_writes_the_report_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = run(["validate", DEPLOY, "--format", "sarif", "--output", str(target)], capsys)
    assert (code, out) == (1, "")
    assert json.loads(target.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(("option", "value"), [("--format", "junit"), ("--kind", "bucket"), ("--fail-on", "never")])
def test_unknown_option_values_exit_2(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", CLEAN, option, value], capsys)
    assert code == 2
    assert f"unknown {option} `{value}`" in err


def test_a_missing_path_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", "no/such/policy.json"], capsys)
    assert code == 2
    assert "no such file or directory: `no/such/policy.json`" in err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.json", '{"Statement": [', "expected a value"),
        ("list.json", '[{"Effect": "Allow"}]', "is neither a policy document"),
        ("config.yaml", "name: not a policy\n", "is neither a policy document"),
        ("policy.txt", "{}", "unknown file type"),
    ],
)
def test_a_named_file_that_is_not_a_policy_exits_2(
    name: str, text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(["validate", str(path), CLEAN, "--format", "json"], capsys)
    assert code == 2
    assert message in err and f"{path}" in err
    document = json.loads(out)
    assert document["summary"]["invalid_inputs"] == 1
    assert message in document["invalid_inputs"][0]["message"]


def test_a_policy_aws_would_refuse_is_a_finding_not_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(
        '{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}}'
    )
    code, out, _ = run(["validate", str(path), "--format", "json"], capsys)
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["severity"], finding["line"]) == ("INVALID_POLICY", "ERROR", 1)
    assert "`Effect` must be 'Allow' or 'Deny'" in finding["message"]


def test_a_directory_tells_policies_scenarios_and_other_files_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deploy.json").write_text((POLICIES / "deploy.json").read_text())
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
    (tmp_path / "workflow.yml").write_text("on: push\njobs: {}\n")  # not even strict YAML: skipped, not an error
    (tmp_path / "template.yaml").write_text("Resources:\n  Role:\n    Statement: x\n  Date: 2010-09-09\n")
    code, out, _ = run(["validate", str(tmp_path), "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1
    assert {f["file"] for f in document["findings"]} == {str(tmp_path / "policies" / "deploy.json")}
    assert sorted(s["file"] for s in document["skipped_files"]) == sorted(
        str(tmp_path / name) for name in ("package.json", "template.yaml", "workflow.yml")
    )


def test_a_broken_policy_under_a_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policy.json").write_text('{"Statement": [}')
    (tmp_path / "policy.yaml").write_text("Statement:\n  - Effect: Allow\n    Action: [\n")
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert f"{tmp_path / 'policy.json'}:1:" in err and f"{tmp_path / 'policy.yaml'}:" in err


def test_a_directory_without_policies_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("nothing here")
    (tmp_path / "package.json").write_text("{}")
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert f"no policy or scenario found under `{tmp_path}` (1 file skipped" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_named_like_a_policy_fails_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert "not a regular file (a named pipe)" in err


def test_a_policy_file_a_scenario_names_is_checked_as_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # scenarios/policies/abac-tutorial-trust.json is a trust policy: validated as one, through its scenario
    code, out, _ = run(["validate", "scenarios", "--format", "json"], capsys)
    document = json.loads(out)
    assert code in (0, 1)
    assert not [f for f in document["findings"] if f["file"].endswith("abac-tutorial-trust.json")]
    assert document["summary"]["invalid_inputs"] == 0


def test_an_invalid_scenario_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("scenario: broken\naccounts: {'111111111111': {userz: {}}}\n")
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert "unknown key `userz`" in err and f"{path}:2:" in err
