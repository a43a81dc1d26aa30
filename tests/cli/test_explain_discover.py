"""`policysim explain --discover`: the conditions on missing context keys that would allow the request, as text and
in `--format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policysim.cli import main

MODEL = """\
scenario: discovery
accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          office:
            Version: "2012-10-17"
            Statement:
              - Sid: FromTheOfficeWithMfa
                Effect: Allow
                Action: s3:ListBucket
                Resource: "*"
                Condition:
                  IpAddress: {aws:SourceIp: 10.0.0.0/8}
                  Bool: {aws:MultiFactorAuthPresent: "true"}
              - Sid: NotTheLab
                Effect: Deny
                Action: s3:ListBucket
                Resource: "*"
                Condition:
                  IpAddress: {aws:SourceIp: 10.9.0.0/16}
tests: []
"""
REQUEST = ["--principal", "alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0), capsys.readouterr().out


@pytest.fixture
def model(tmp_path: Path) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(MODEL)
    return str(path)


def test_explain_discover_prints_the_conditions(model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["explain", model, *REQUEST, "--discover"], capsys)
    assert code == 0
    assert (
        "discovery: allowed if `aws:MultiFactorAuthPresent` is `true` and `aws:SourceIp` is in `10.0.0.0/8` "
        "and `aws:SourceIp` is not in `10.9.0.0/16`"
    ) in out
    assert "statement `NotTheLab` (Deny)" in out
    assert "verified with: aws:MultiFactorAuthPresent=true, aws:SourceIp=10.0.0.1" in out
    code, plain = run(["explain", model, *REQUEST], capsys)
    assert code == 0 and "discovery" not in plain


def test_explain_discover_json_carries_them(model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["explain", model, *REQUEST, "--discover", "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    found = document["discovery"]
    assert found["status"] == "found" and found["exhaustive"] is True
    assert found["keys"] == ["aws:MultiFactorAuthPresent", "aws:SourceIp"]
    (alternative,) = found["alternatives"]
    assert alternative["context"] == {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.0.0.1"}
    assert [(r["key"], r["operator"], r["values"], r["holds"]) for r in alternative["requirements"]] == [
        ("aws:MultiFactorAuthPresent", "Bool", ["true"], True),
        ("aws:SourceIp", "IpAddress", ["10.0.0.0/8"], True),
        ("aws:SourceIp", "IpAddress", ["10.9.0.0/16"], False),
    ]
    # the witness, given back as --context, is allowed
    given = [arg for key, value in alternative["context"].items() for arg in ("--context", f"{key}={value}")]
    code, out = run(["explain", model, *REQUEST, *given, "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["decision"] == "allowed"
    code, out = run(["explain", model, *REQUEST, "--format", "json"], capsys)
    assert code == 0 and "discovery" not in json.loads(out)


def test_explain_discover_denied_whatever(model: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", model, "--principal", "alice", "--action", "s3:GetBucketPolicy"]
    code, out = run([*args, "--resource", "arn:aws:s3:::b", "--discover"], capsys)
    assert code == 0
    assert "discovery: denied whatever the missing keys hold" in out
