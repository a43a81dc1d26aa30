"""Fixtures for the configuration tests: an isolated project directory and a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCENARIO = """\
scenario: Config test
accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          read:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
tests:
  - name: alice reads
    principal: alice
    action: s3:GetObject
    resource: arn:aws:s3:::reports/q1.csv
    expect: allowed
  - name: alice writes, wrongly expected
    principal: alice
    action: s3:PutObject
    resource: arn:aws:s3:::reports/q1.csv
    expect: allowed
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No POLICYSIM_* variable of the caller's environment leaks into a test."""
    for name in list(os.environ):
        if name.startswith("POLICYSIM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root (it holds `.git`, so discovery stops here) with `scenarios/demo.yaml`; the cwd."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "demo.yaml").write_text(SCENARIO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path
