"""The simulate commands through typer's CliRunner, on an app of our own."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from policysim.commands.simulate import register

GOLDEN = Path(__file__).parent / "golden"
SCENARIO = Path(__file__).parents[2] / "scenarios" / "cross-account-bucket-policy.yaml"
DYNAMO = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)

app = typer.Typer()
register(app)
runner = CliRunner()


def test_the_aws_cli_documentation_example_runs_unchanged() -> None:
    # aws iam simulate-custom-policy --policy-input-list ... --action-names ... --context-entries <shorthand>
    result = runner.invoke(
        app,
        [
            "simulate-custom-policy",
            "--policy-input-list",
            DYNAMO,
            "--action-names",
            "dynamodb:CreateBackup",
            "--context-entries",
            "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = json.loads((GOLDEN / "aws-cli-example-allowed.output.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == expected
    assert result.stdout.startswith('{\n    "EvaluationResults"')  # indent 4, like the AWS CLI


def test_cli_input_json_file_stdin_and_overrides(tmp_path: Path) -> None:
    source = GOLDEN / "aws-cli-example-denied.input.json"
    by_file = runner.invoke(app, ["simulate-custom-policy", "--cli-input-json", f"file://{source}"])
    assert by_file.exit_code == 0
    assert json.loads(by_file.stdout)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    by_stdin = runner.invoke(app, ["simulate-custom-policy", "--cli-input-json", "-"], input=source.read_text())
    assert json.loads(by_stdin.stdout) == json.loads(by_file.stdout)
    later = '[{"ContextKeyName":"aws:CurrentTime","ContextKeyValues":["2020-01-01T00:00:00Z"],"ContextKeyType":"date"}]'
    overridden = runner.invoke(
        app, ["simulate-custom-policy", "--cli-input-json", str(source), "--context-entries", later]
    )
    assert json.loads(overridden.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    policy = tmp_path / "policy.json"
    policy.write_text(DYNAMO)
    from_file = runner.invoke(
        app,
        [
            "simulate-custom-policy",
            "--policy-input-list",
            f"file://{policy}",
            "--action-names",
            "dynamodb:Scan",
            "--action-names",
            "s3:GetObject",
        ],
    )
    decisions = [r["EvalDecision"] for r in json.loads(from_file.stdout)["EvaluationResults"]]
    assert decisions == ["allowed", "implicitDeny"]


def test_invalid_input_exits_2_with_a_located_message() -> None:
    result = runner.invoke(
        app,
        [
            "simulate-custom-policy",
            "--policy-input-list",
            DYNAMO,
            "--action-names",
            "dynamodb:Scan",
            "--context-entries",
            "ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.999,ContextKeyType=ip",
        ],
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("policysim: error: <flags> (ContextEntries[0].ContextKeyValues[0]): context key")
    assert "Traceback" not in result.stderr
    broken = runner.invoke(app, ["simulate-custom-policy", "--policy-input-list", "{", "--action-names", "s3:Get"])
    assert broken.exit_code == 2
    assert broken.stderr.startswith("policysim: error: PolicyInputList[0]:1:")


def test_simulate_principal_policy_command() -> None:
    result = runner.invoke(
        app,
        [
            "simulate-principal-policy",
            "--scenario",
            str(SCENARIO),
            "--policy-source-arn",
            "arn:aws:iam::222222222222:user/analyst",
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            "arn:aws:s3:::acme-shared-reports/q3.pdf",
            "--context-entries",
            "ContextKeyName=aws:SecureTransport,ContextKeyValues=true,ContextKeyType=boolean",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    missing = runner.invoke(app, ["simulate-principal-policy", "--scenario", str(SCENARIO), "--action-names", "s3:X"])
    assert missing.exit_code == 2
    assert "missing required key `PolicySourceArn`" in missing.stderr
