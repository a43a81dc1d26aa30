"""The CLI end to end: exit codes, formats, explain, schema, assume-role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policysim.cli import main

FOUNDING = "scenarios/cross-account-delegation.yaml"
ROLE = "arn:aws:iam::999999999999:role/UpdateData"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_check_founding_scenario_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", FOUNDING], capsys)
    assert code == 0
    assert "13 passed, 0 failed" in out


def test_check_json_is_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", FOUNDING, "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0
    assert document["format_version"] == "1"
    assert document["summary"] == {"passed": 13, "failed": 0, "errors": 0}
    first = document["scenarios"][0]["tests"][0]
    assert {k: first[k] for k in ("name", "principal", "action", "resource", "expected", "decision", "passed")} == {
        "name": "David can switch to UpdateData",
        "principal": "arn:aws:iam::111111111111:user/David",
        "action": "sts:AssumeRole",
        "resource": ROLE,
        "expected": "allowed",
        "decision": "allowed",
        "passed": True,
    }


def test_failed_expectation_exits_1_with_explanation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(FOUNDING).read_text().replace("expect: explicitDeny", "expect: allowed", 1)
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(text)
    code, out, _ = run(["check", str(scenario)], capsys)
    assert code == 1
    assert "expected allowed, got explicitDeny" in out
    assert "deny-assume-S3-role-in-destination" in out


def test_invalid_input_exits_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(Path(FOUNDING).read_text().replace("Effect: Deny", "Effect: deny", 1))
    code, _, err = run(["check", str(scenario)], capsys)
    assert code == 2
    assert "bad.yaml:28:15 (Statement.Effect)" in err and "`Effect` must be 'Allow' or 'Deny', got `deny`" in err
    assert "Traceback" not in err


def test_several_formats_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif = tmp_path / "x.sarif"
    code, out, _ = run(["check", FOUNDING, "--format", "sarif", "--output", str(sarif), "--format", "text"], capsys)
    assert code == 0
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert "13 passed" in out


def test_directories_are_searched(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "scenarios", "--format", "json"], capsys)
    assert code == 0
    assert len(json.loads(out)["scenarios"]) >= 6


def test_schema_describes_the_scenario_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    schema = json.loads(out)
    assert code == 0
    assert {"scenario", "accounts", "tests", "organization"} <= set(schema["properties"])


def test_explain_lists_policies_and_statements(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", FOUNDING, "--principal", "Jane", "--action", "sts:AssumeRole", "--resource", ROLE]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "decision: explicitDeny (gate: identity)" in out
    assert "trust policy `arn:aws:iam::999999999999:role/UpdateData#trust`" in out
    assert "cross-account-delegation.yaml:27:13" in out


def test_explain_takes_every_assume_role_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = ["explain", FOUNDING, "--principal", "David", "--assume", "UpdateData", "--action", "s3:GetObject"]
    base += ["--resource", "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"]
    code, out, _ = run([*base, "--session-name", "David-ProdUpdate", "--via", "console"], capsys)
    assert code == 0 and "assumed-role/UpdateData/David-ProdUpdate" in out and "decision: allowed" in out
    code, out, _ = run([*base, "--duration-seconds", "7200"], capsys)
    assert code == 0 and "DurationSeconds 7200 exceeds the MaxSessionDuration 3600" in out
    code, out, _ = run([*base, "--session-tag", "team=blue", "--transitive-tag-key", "team"], capsys)
    assert code == 0 and "sts:TagSession" in out and "decision: implicitDeny (gate: trust)" in out
    policy = tmp_path / "session.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}}')
    code, out, _ = run([*base, "--session-policy", str(policy)], capsys)
    assert code == 0 and "decision: implicitDeny (gate: session)" in out
    code, _, err = run([*base, "--session-tag", "no-equals"], capsys)
    assert code == 2 and "session tag `no-equals` must be written `KEY=VALUE`" in err
    code, _, err = run([*base, "--format", "xml"], capsys)
    assert code == 2 and "unknown format `xml`" in err


def test_assume_role_twin_success_and_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["assume-role", "--scenario", FOUNDING, "--role-arn", ROLE]
    code, out, _ = run([*base, "--as", "David", "--role-session-name", "David-ProdUpdate"], capsys)
    assert code == 0
    response = json.loads(out)
    assert response["AssumedRoleUser"]["Arn"] == "arn:aws:sts::999999999999:assumed-role/UpdateData/David-ProdUpdate"
    assert "simulation" in response["Simulated"]
    code, _, err = run([*base, "--as", "Jane", "--role-session-name", "Jane-Session"], capsys)
    assert code == 254
    assert err.strip().endswith("with an explicit deny in an identity-based policy")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["frobnicate"], capsys)[0] == 2
    assert run(["check", "no/such/file.yaml"], capsys)[0] == 2
    assert run(["check", FOUNDING, "--format", "xml"], capsys)[0] == 2
