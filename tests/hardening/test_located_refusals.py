"""Refusals of issue 16 that must carry their place: `policysim check FILE --format json` exits 2 without a
traceback, and the message and the JSON error record name `file:line:col`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policysim
from policysim.cli import main

SCENARIO = """\
scenario: located refusals
organization:
  id: o-exampleorg1
  units:
{units}
accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          all: {{Version: "2012-10-17", Statement: {{Effect: Allow, Action: "*", Resource: "*"}}}}
newer_actions: ["{newer}"]
tests:
  - name: the request
    principal: alice
    action: {action}
    resource: {resource}
    expect: allowed
"""
UNITS = '    Dev: {parent: root, accounts: ["111111111111"]}'


def scenario_text(units: str = UNITS, action: str = "s3:GetObject", resource: str = '"*"') -> str:
    # the longest action AWS accepts (128 characters) names no real action: the file accepts it as newer
    return SCENARIO.format(units=units, action=action, resource=resource, newer="s3:" + "G" * 125)


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first `needle` in `text`."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> tuple[str, dict[str, object], Path]:
    """Run `check` on `text`: exit 2, no traceback; the stderr and the JSON error record."""
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["check", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert exited.value.code == 2, captured.err
    assert "Traceback" not in captured.out + captured.err
    error = json.loads(captured.out)["scenarios"][0]["error"]
    assert isinstance(error, dict)
    return captured.err, error, path


def test_the_base_scenario_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["check", str(path), "--format", "json"])
    assert exited.value.code == 0, capsys.readouterr().err


def test_an_organizational_unit_cycle_is_located_at_the_parent_that_closes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = '    Dev: {parent: Prod, accounts: ["111111111111"]}\n    Prod: {parent: Dev}'
    text = scenario_text(units)
    err, error, path = refused(tmp_path, capsys, text)
    line, column = position(text, "Dev}")  # `Prod`'s parent, the edge that closes Dev -> Prod -> Dev
    assert f"policysim: error: {path}:{line}:{column}" in err, err
    assert "organization units form a cycle through `Dev`: `Dev` -> `Prod` -> `Dev`" in err
    assert (error["line"], error["column"], error["code"]) == (line, column, "schema-error")


def test_a_unit_under_a_cycle_reports_the_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = '    Dev: {parent: A, accounts: ["111111111111"]}\n    A: {parent: B}\n    B: {parent: A}'
    text = scenario_text(units)
    err, error, _ = refused(tmp_path, capsys, text)
    assert "cycle through `A`: `A` -> `B` -> `A`" in err
    assert (error["line"], error["column"]) == position(text, "A}")


def test_a_refused_assume_role_names_the_role(tmp_path: Path) -> None:
    text = 'scenario: refused\naccounts:\n  "111111111111":\n    users: {alice: {}}\n    roles:\n      Locked: {}\n'
    scenario = policysim.Scenario.from_dict(
        {"scenario": "refused", "accounts": {"111111111111": {"users": {"alice": {}}, "roles": {"Locked": {}}}}}
    )
    with pytest.raises(policysim.RequestError) as raised:
        scenario.assume_role("alice", "Locked")
    assert raised.value.location is not None
    assert raised.value.location.path == ("accounts", "111111111111", "roles", "Locked")
    path = tmp_path / "refused.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(policysim.RequestError) as from_file:
        policysim.load_scenario(path).assume_role("alice", "Locked")
    assert str(from_file.value.location).startswith(f"{path}:6:7")


# ------------------------------------------------------------------ AWS's lengths of a request's action and resource
# botocore ActionNameType (max 128) and ResourceNameType (max 2,048), as the simulate twins enforce (policysim.limits)

LONG_ACTION = "s3:" + "G" * 126  # 129 characters (accepted by the file's `newer_actions`: no such action exists)
LONGEST_ACTION = LONG_ACTION[:-1]  # 128
LONG_RESOURCE = "arn:aws:s3:::bucket/" + "k" * 2029  # 2,049 characters
LONGEST_RESOURCE = LONG_RESOURCE[:-1]  # 2,048


@pytest.mark.parametrize(
    ("action", "resource", "words"),
    [
        (LONG_ACTION, '"*"', "request action is 129 characters long; AWS allows at most 128 (botocore ActionNameType)"),
        (f"[s3:GetObject, {LONG_ACTION}]", '"*"', "request action is 129 characters long"),
        (
            "s3:GetObject",
            LONG_RESOURCE,
            "request resource is 2049 characters long; AWS allows at most 2048 (botocore ResourceNameType)",
        ),
    ],
    ids=["action", "action-in-a-list", "resource"],
)
def test_a_request_longer_than_aws_accepts_is_refused_at_its_test(
    action: str, resource: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = scenario_text(action=action, resource=resource)
    err, error, path = refused(tmp_path, capsys, text)
    line, column = position(text, "name: the request")  # the test (the list item)
    assert f"policysim: error: {path}:{line}:{column}" in err, err
    assert words in err
    assert (error["line"], error["column"], error["code"]) == (line, column, "invalid-request")


def test_the_longest_action_and_resource_aws_accepts_are_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario_text(action=LONGEST_ACTION, resource=LONGEST_RESOURCE), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["check", str(path), "--format", "json"])
    assert exited.value.code == 0, capsys.readouterr().err


def test_explain_and_the_api_refuse_them_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["explain", str(path), "--principal", "alice", "--action", LONG_ACTION])
    captured = capsys.readouterr()
    assert exited.value.code == 2 and "request action is 129 characters long" in captured.err
    assert "Traceback" not in captured.out + captured.err
    loaded = policysim.load_scenario(path)
    with pytest.raises(policysim.RequestError, match="request resource is 2049 characters long"):
        loaded.evaluate("alice", "s3:GetObject", LONG_RESOURCE)
    session_scenario = policysim.Scenario.from_dict(
        {
            "scenario": "s",
            "accounts": {
                "111111111111": {
                    "users": {"alice": {}},
                    "roles": {
                        "R": {
                            "trust_policy": {
                                "Version": "2012-10-17",
                                "Statement": {
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                                    "Action": "sts:AssumeRole",
                                },
                            }
                        }
                    },
                }
            },
        }
    )
    session = session_scenario.assume_role("alice", "R")
    with pytest.raises(policysim.RequestError, match="request action is 129 characters long"):
        session.evaluate(LONG_ACTION, "*")
