"""Shared pieces of the integration tests: the repository root, scenario texts and a local git "origin"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = str(Path(sys.executable).parent)  # where this interpreter's `policysim` script is installed

HOOKS: list[dict[str, Any]] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
BY_ID = {hook["id"]: hook for hook in HOOKS}
# the keys pre-commit accepts in a hook manifest (pre-commit's MANIFEST_HOOK_DICT)
MANIFEST_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="`git` is not on PATH: the git-based tests need it")


# -- scenario texts ----------------------------------------------------------------------------------------------
# A role that reads the monthly reports of one bucket: the base of every pull request below.

TRUST_ACME = """\
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:root"}
              Action: sts:AssumeRole
"""

TRUST_ACME_AND_PARTNER = """\
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}
              Action: sts:AssumeRole
"""

HEAD = """\
scenario: Monthly reports reader
accounts:
  "111111111111":
    name: Acme
    buckets:
      acme-reports: {}
      acme-payroll: {}
    users:
      analyst:
        inline_policies:
          may-assume-reader:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Resource: arn:aws:iam::111111111111:role/ReportReader
    roles:
      ReportReader:
"""

NARROW_POLICY = """\
        inline_policies:
          read-reports:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource: [arn:aws:s3:::acme-reports, arn:aws:s3:::acme-reports/monthly/*]
"""

WIDE_POLICY = """\
        inline_policies:
          read-reports:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource: "*"
"""

NARROWER_POLICY = """\
        inline_policies:
          read-reports:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-reports/monthly/*
"""

TESTS = """\
tests:
  - name: the analyst becomes the reader
    principal: analyst
    action: sts:AssumeRole
    resource: arn:aws:iam::111111111111:role/ReportReader
    expect: allowed
  - name: the reader reads a monthly report
    principal: ReportReader
    action: s3:GetObject
    resource: arn:aws:s3:::acme-reports/monthly/2024-01.csv
    expect: allowed
"""

FAILING_TEST = """\
  - name: the reader lists the reports
    principal: ReportReader
    action: s3:ListBucket
    resource: arn:aws:s3:::acme-reports
    expect: allowed
"""

BASE_SCENARIO = HEAD + TRUST_ACME + NARROW_POLICY + TESTS
# widens: every bucket instead of one prefix, and a second account may assume the role; its tests still pass
WIDENED_SCENARIO = HEAD + TRUST_ACME_AND_PARTNER + WIDE_POLICY + TESTS
# narrows: ListBucket dropped; its tests still pass
NARROWED_SCENARIO = HEAD + TRUST_ACME + NARROWER_POLICY + TESTS
# narrows, but a test still expects the dropped ListBucket: check fails, the diff gate passes
NARROWED_BROKEN_SCENARIO = HEAD + TRUST_ACME + NARROWER_POLICY + TESTS + FAILING_TEST


# -- git -----------------------------------------------------------------------------------------------------------


def git_environ() -> dict[str, str]:
    """The environment for git: no system or user configuration, no prompts."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environ.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"})
    return environ


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "advice.detachedHead=false", *args],
        cwd=cwd,
        env=git_environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {completed.stderr}")
    return completed.stdout


@dataclass
class PullRequest:
    origin: Path  # the bare "origin" repository
    workspace: Path  # the clone a CI job works in, at the pull request's head
    base_branch: str
    head_branch: str


def make_pull_request(
    tmp_path: Path,
    base_text: str,
    head_text: str,
    *,
    shallow: bool,
    relative: str = "scenarios/reports.yaml",
) -> PullRequest:
    """An origin with `main` (commit 1: base_text) and `feature` (commit 2: head_text), and a CI clone of `feature`.

    A shallow clone is what actions/checkout makes by default: one commit, no other branch.
    """
    origin = tmp_path / "origin.git"
    seed = tmp_path / "seed"
    workspace = tmp_path / "workspace"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    scenario = seed / relative
    scenario.parent.mkdir(parents=True, exist_ok=True)
    scenario.write_text(base_text)
    (seed / "README.md").write_text("infrastructure\n")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "a narrow reports reader")
    git(seed, "remote", "add", "origin", str(origin))
    git(seed, "push", "--quiet", "origin", "main")
    git(seed, "checkout", "--quiet", "-b", "feature")
    scenario.write_text(head_text)
    git(seed, "commit", "--quiet", "--allow-empty", "-am", "change the reports reader")
    git(seed, "push", "--quiet", "origin", "feature")
    if shallow:
        # --depth needs a URL: a plain local path ignores it
        git(tmp_path, "clone", "--quiet", "--depth=1", "--branch=feature", origin.as_uri(), str(workspace))
        assert git(workspace, "rev-parse", "--is-shallow-repository").strip() == "true"
    else:
        git(tmp_path, "clone", "--quiet", "--branch=feature", str(origin), str(workspace))
    return PullRequest(origin=origin, workspace=workspace, base_branch="main", head_branch="feature")
