"""action.yml's shell steps, run offline against a local git repository with a two-commit pull request.

The runner is simulated by actions_runner.py: inputs and `${{ }}` expressions evaluated, GITHUB_OUTPUT /
GITHUB_STEP_SUMMARY files, `bash -eo pipefail`, `if:` conditions. The `uses:` steps (setup-python, the SARIF upload)
are not run, only their conditions evaluated, and the `install` step is skipped: the policysim under test is
already installed next to this interpreter, which goes first on PATH. `origin` is a bare repository on disk, so
the step that fetches the base branch works without a network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from actions_runner import JobResult, run_action
from integration_support import (
    BASE_SCENARIO,
    BIN_DIR,
    NARROWED_BROKEN_SCENARIO,
    NARROWED_SCENARIO,
    REPO_ROOT,
    WIDENED_SCENARIO,
    PullRequest,
    git,
    git_environ,
    make_pull_request,
    needs_git,
)

ACTION: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
pytestmark = needs_git


def run_pull_request(
    tmp_path: Path, pull: PullRequest, *, base_ref: str | None = None, inputs: dict[str, str] | None = None
) -> JobResult:
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github = {"base_ref": pull.base_branch if base_ref is None else base_ref, "action_path": str(REPO_ROOT)}
    return run_action(
        ACTION,
        workspace=pull.workspace,
        temp=runner_temp,
        github=github,
        inputs=inputs or {},
        path_prefix=[BIN_DIR],
        base_environ=git_environ(),
    )


def sarif_of(job: JobResult, workspace: Path) -> dict[str, Any]:
    path = job.step("check").outputs["sarif-file"]
    assert path == "policysim.sarif"
    document: dict[str, Any] = json.loads((workspace / path).read_text())
    assert document["version"] == "2.1.0"
    return document


def describe(job: JobResult) -> str:
    """Every step's outcome and output, for assertion messages."""
    return "\n".join(
        f"--- {step.name}: {step.outcome} (exit {step.exit_code})\n{step.stdout}{step.stderr}" for step in job.steps
    )


def test_the_steps_run_in_order_and_install_is_skipped(tmp_path: Path) -> None:
    """On a push (no base ref) only check runs: the diff is skipped and the gate passes.

    With `paths: ""` the scenario paths come from the repository's .policysim.yaml.
    """
    pull = make_pull_request(tmp_path, BASE_SCENARIO, NARROWED_SCENARIO, shallow=True)
    (pull.workspace / ".policysim.yaml").write_text("paths: [scenarios]\n")
    job = run_pull_request(tmp_path, pull, base_ref="", inputs={"paths": ""})
    assert [step.kind for step in job.steps] == ["uses", "skipped-run", "run", "uses", "run", "run", "run"]
    assert job.step("check").exit_code == 0 and job.step("check").outputs["exit-code"] == "0", describe(job)
    assert job.step("fetch-base").outputs == {"ref": ""}
    assert job.step("diff").outputs == {"exit-code": "", "markdown-file": ""}
    assert job.step("policysim gate").exit_code == 0
    assert "policysim diff skipped" in job.step("policysim gate").stdout
    assert job.outputs["check-exit-code"] == "0" and job.outputs["diff-exit-code"] == ""
    assert "## policysim check" in job.summary and "2 passed, 0 failed" in job.summary
    sarif = sarif_of(job, pull.workspace)
    assert sarif["runs"][0]["results"] == []
    upload = job.step("Upload SARIF to code scanning")
    assert upload.outcome == "success" and upload.with_ == {"sarif_file": "policysim.sarif", "category": "policysim"}
    assert job.step("Set up Python").with_ == {"python-version": "3.12"}


def test_a_failing_check_still_uploads_sarif_and_fails_at_the_gate(tmp_path: Path) -> None:
    pull = make_pull_request(tmp_path, BASE_SCENARIO, NARROWED_BROKEN_SCENARIO, shallow=True)
    job = run_pull_request(tmp_path, pull, base_ref="")
    check = job.step("check")
    assert check.exit_code == 0 and check.outputs["exit-code"] == "1", describe(job)
    # annotations on the log (`--format github`) and the text report
    assert "::error file=scenarios/reports.yaml,line=" in check.stdout
    assert "expected allowed, got implicitDeny" in check.stdout
    results = sarif_of(job, pull.workspace)["runs"][0]["results"]
    assert [result["ruleId"] for result in results] == ["policysim/expectation-not-met"]
    assert job.step("Upload SARIF to code scanning").outcome == "success"  # if: always() && ...
    gate = job.step("policysim gate")
    assert gate.exit_code == 1 and "policysim check failed (exit code 1)" in gate.stdout
    assert job.outputs["check-exit-code"] == "1"


def test_an_unknown_base_fails_with_exit_code_2_and_inputs_turn_steps_off(tmp_path: Path) -> None:
    pull = make_pull_request(tmp_path, BASE_SCENARIO, NARROWED_SCENARIO, shallow=True)
    job = run_pull_request(
        tmp_path, pull, base_ref="no-such-branch", inputs={"upload-sarif": "false", "python-version": ""}
    )
    assert job.step("Upload SARIF to code scanning").outcome == "skipped"  # turned off
    assert job.step("Set up Python").outcome == "skipped"  # the job's own python
    fetch = job.step("fetch-base")
    assert fetch.exit_code == 2, describe(job)
    assert "base ref `no-such-branch` is neither a branch of origin nor a revision" in fetch.stdout
    assert job.step("diff").outcome == "skipped"
    assert job.step("policysim gate").exit_code == 1
    assert "policysim diff did not run" in job.step("policysim gate").stdout


def test_a_base_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    pull = make_pull_request(tmp_path, BASE_SCENARIO, BASE_SCENARIO, shallow=True)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    steps = [step for step in ACTION["runs"]["steps"] if step.get("id") == "fetch-base"]
    job = run_action(
        {**ACTION, "outputs": {}, "runs": {"using": "composite", "steps": steps}},
        workspace=pull.workspace,
        temp=runner_temp,
        github={"base_ref": "--upload-pack=touch pwned", "action_path": str(REPO_ROOT)},
        inputs={},
        path_prefix=[BIN_DIR],
        base_environ=git_environ(),
    )
    assert job.step("fetch-base").exit_code == 2
    assert "may not start with a dash" in job.step("fetch-base").stdout
    assert not (pull.workspace / "pwned").exists()


def test_a_widening_pull_request_fails_the_gate_with_the_new_requests(tmp_path: Path) -> None:
    pull = make_pull_request(tmp_path, BASE_SCENARIO, WIDENED_SCENARIO, shallow=True)
    job = run_pull_request(tmp_path, pull)
    assert job.step("check").outputs["exit-code"] == "0", describe(job)  # its own tests still pass
    fetch = job.step("fetch-base")
    assert fetch.exit_code == 0 and fetch.outputs["ref"] == "origin/main", describe(job)
    # the shallow clone stays shallow: only the base commit was fetched
    assert git(pull.workspace, "rev-parse", "--is-shallow-repository").strip() == "true"
    diff = job.step("diff")
    assert diff.exit_code == 1, describe(job)
    assert diff.outputs == {"exit-code": "1", "markdown-file": "policysim-diff.md"}
    gate = job.step("policysim gate")
    assert gate.exit_code == 1 and "policysim diff failed (exit code 1)" in gate.stdout
    assert job.outputs["diff-exit-code"] == "1" and job.outputs["markdown-file"] == "policysim-diff.md"
    markdown = (pull.workspace / "policysim-diff.md").read_text()
    assert markdown.startswith("## policysim access diff")
    assert markdown in job.summary
    # the newly allowed requests are listed: the reader in the other bucket, the partner account assuming the role
    assert "newly allowed" in markdown.lower()
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "`" in line]
    assert any("role/ReportReader" in row and "s3:ListBucket" in row and "acme-payroll" in row for row in rows), rows
    assert any("222222222222" in row and "sts:AssumeRole" in row for row in rows), rows
    assert "NEW ACCESS" in diff.stdout  # the text report in the log


def test_a_narrowing_pull_request_passes_every_step(tmp_path: Path) -> None:
    pull = make_pull_request(tmp_path, BASE_SCENARIO, NARROWED_SCENARIO, shallow=False)
    job = run_pull_request(tmp_path, pull)
    for step in job.steps:
        assert step.outcome == "success", describe(job)
        if step.ran:
            assert step.exit_code == 0, describe(job)
    assert job.step("fetch-base").outputs["ref"] == "origin/main"
    assert job.step("diff").outputs["exit-code"] == "0"
    assert job.outputs == {
        "check-exit-code": "0",
        "diff-exit-code": "0",
        "sarif-file": "policysim.sarif",
        "markdown-file": "policysim-diff.md",
    }
    assert job.summary.count("## policysim access diff") == 1
    sarif_of(job, pull.workspace)


def test_the_base_may_be_a_commit_id_missing_from_a_shallow_clone(tmp_path: Path) -> None:
    """As on a push event with `base-ref: ${{ github.event.before }}`: the commit is fetched by its id."""
    pull = make_pull_request(tmp_path, BASE_SCENARIO, WIDENED_SCENARIO, shallow=True)
    base_commit = git(pull.origin, "rev-parse", "main").strip()
    job = run_pull_request(tmp_path, pull, inputs={"base-ref": base_commit, "fail-on": "never"})
    assert job.step("fetch-base").outputs["ref"] == base_commit, describe(job)
    assert "refs/heads" not in job.step("fetch-base").stderr  # no attempt to fetch it as a branch
    assert job.step("diff").exit_code == 0, describe(job)  # --fail-on never: reported, not failed
    assert "## policysim access diff" in job.summary and "acme-payroll" in job.summary
    assert job.step("policysim gate").exit_code == 0
