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
tests:
  - name: the request
    principal: alice
    action: {action}
    resource: {resource}
    expect: allowed
"""
UNITS = '    Dev: {parent: root, accounts: ["111111111111"]}'


def scenario_text(units: str = UNITS, action: str = "s3:GetObject", resource: str = '"*"') -> str:
    return SCENARIO.format(units=units, action=action, resource=resource)


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
