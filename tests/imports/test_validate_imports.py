"""`policysim validate` on a scenario that imports its model: the imported policies are validated too, located in
the files they came from (never a silent skip)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policysim.cli import main

A = "111111111111"


def plan(actions: list[str]) -> dict[str, object]:
    """A plan with one user and its inline policy allowing `actions`."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    user = {"address": "aws_iam_user.alice", "mode": "managed", "type": "aws_iam_user", "name": "alice"}
    inline = {"address": "aws_iam_user_policy.alice", "mode": "managed", "type": "aws_iam_user_policy", "name": "alice"}
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {**user, "values": {"name": "alice", "path": "/"}},
                    {**inline, "values": {"user": "alice", "name": "p", "policy": json.dumps(policy)}},
                ]
            }
        },
        "configuration": {"root_module": {}},
    }


def test_validate_reads_the_policies_of_an_imported_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(plan(["s3:GetObjekt"])))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"scenario: imported\nimport:\n  - terraform_plan: plan.json\n    account: '{A}'\n")
    with pytest.raises(SystemExit) as done:
        main(["validate", str(scenario), "--format", "json"])
    assert done.value.code == 1
    report = json.loads(capsys.readouterr().out)
    (finding,) = [f for f in report["findings"] if "s3:GetObjekt" in f["message"]]
    assert finding["severity"] == "ERROR" and finding["file"].endswith("plan.json")
