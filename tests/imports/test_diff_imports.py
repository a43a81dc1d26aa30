"""`policysim diff` on real estates: two Terraform plans compared as what they import, and `undetermined` changes
listed apart (and failing the gate when they could be new access)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim import ChangeKind, Scenario, diff_scenarios
from policysim.cli import main
from policysim.diff.compare import may_widen

A = "111111111111"


def plan(actions: list[str]) -> dict[str, Any]:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::reports/*"}],
    }
    caller = {"account_id": A, "arn": f"arn:aws:iam::{A}:user/ci", "user_id": "AIDAEXAMPLE"}
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_user.alice",
                        "mode": "managed",
                        "type": "aws_iam_user",
                        "name": "alice",
                        "values": {"name": "alice", "path": "/"},
                    },
                    {
                        "address": "aws_iam_user_policy.alice",
                        "mode": "managed",
                        "type": "aws_iam_user_policy",
                        "name": "alice",
                        "values": {"user": "alice", "name": "reports", "policy": json.dumps(policy)},
                    },
                ]
            }
        },
        "prior_state": {
            "format_version": "1.0",
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "data.aws_caller_identity.current",
                            "mode": "data",
                            "type": "aws_caller_identity",
                            "name": "current",
                            "values": caller,
                        }
                    ]
                }
            },
        },
        "configuration": {"root_module": {}},
    }


def test_a_plan_pair_that_widens_access_fails_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps(plan(["s3:GetObject"])))
    after.write_text(json.dumps(plan(["s3:GetObject", "s3:DeleteObject"])))
    with pytest.raises(SystemExit) as done:
        main(["diff", str(before), str(after), "--format", "json"])
    assert done.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["new_access"] == 1 and report["passed"] is False
    (change,) = report["changes"]
    assert (change["principal"], change["action"]) == (f"arn:aws:iam::{A}:user/alice", "s3:DeleteObject")
    with pytest.raises(SystemExit) as same:
        main(["diff", str(before), str(before)])
    assert same.value.code == 0


def model(policy: Any) -> Scenario:
    return Scenario.from_dict(
        {"scenario": "m", "accounts": {A: {"users": {"alice": {"inline_policies": {"p": policy}}}}}}
    )


def test_an_unknown_policy_is_an_undetermined_change_that_may_widen() -> None:
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    later = {"unknown": {"reason": "known only after apply", "source": "plan.json: aws_iam_user_policy.alice"}}
    exploration = diff_scenarios(model(read), model(later))
    kinds = {change.kind for change in exploration.changes}
    assert kinds == {ChangeKind.UNDETERMINED}
    assert all(
        may_widen(change) or (change.before is not None and change.before.allowed) for change in exploration.changes
    )
