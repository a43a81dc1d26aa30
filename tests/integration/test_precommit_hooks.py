""".pre-commit-hooks.yaml: a valid manifest whose hooks select the right files and whose entries run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from integration_support import (
    BASE_SCENARIO,
    BIN_DIR,
    BY_ID,
    HOOKS,
    MANIFEST_KEYS,
    NARROWED_BROKEN_SCENARIO,
    NARROWED_SCENARIO,
    WIDENED_SCENARIO,
    make_pull_request,
    needs_git,
)

STAGES = {
    "commit-msg", "post-checkout", "post-commit", "post-merge", "post-rewrite", "pre-commit", "pre-merge-commit",
    "pre-push", "pre-rebase", "prepare-commit-msg", "manual",
}  # fmt: skip


def selected(hook: dict[str, Any], paths: list[str]) -> list[str]:
    """The files pre-commit passes to a hook: `files` and `exclude` are searched (re.search) in the path."""
    files = re.compile(hook.get("files", ""))
    exclude = re.compile(hook.get("exclude", "^$"))
    return [path for path in paths if files.search(path) and not exclude.search(path)]


def run_hook(hook: dict[str, Any], cwd: Path, filenames: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a hook as pre-commit does: entry, then args, then (when pass_filenames) the file names."""
    command = shlex.split(hook["entry"]) + list(hook.get("args", []))
    if hook.get("pass_filenames", True):
        command += filenames
    environ = {key: value for key, value in os.environ.items() if not key.startswith("POLICYSIM_")}
    environ["PATH"] = BIN_DIR + os.pathsep + environ.get("PATH", "")
    return subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, check=False, timeout=120)


def test_manifest_is_valid() -> None:
    assert isinstance(HOOKS, list) and HOOKS
    assert len(BY_ID) == len(HOOKS)
    for hook in HOOKS:
        assert set(hook) <= MANIFEST_KEYS, set(hook) - MANIFEST_KEYS
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # pre-commit installs this repository (policysim) into the hook's venv
        assert shlex.split(hook["entry"])[0] == "policysim"
        assert set(hook.get("stages", [])) <= STAGES
        re.compile(hook["files"])
        assert all(isinstance(arg, str) for arg in hook.get("args", []))


def test_check_hook_shape() -> None:
    hook = BY_ID["policysim-check"]
    assert hook["entry"] == "policysim check --format text"
    assert hook["pass_filenames"] is True
    assert "pre-commit" in hook["stages"]


def test_diff_hook_is_pre_push_and_takes_no_file_names() -> None:
    hook = BY_ID["policysim-diff"]
    assert hook["pass_filenames"] is False
    assert "pre-commit" not in hook["stages"] and "pre-push" in hook["stages"]
    assert hook["args"][:2] == ["--base-ref", "origin/HEAD"]


def test_file_selection() -> None:
    hook = BY_ID["policysim-check"]
    wanted = [
        "scenarios/reports.yaml",
        "scenarios/prod/roles.yml",
        "infra/iam/scenarios/partner.yaml",
    ]
    unwanted = [
        ".github/workflows/ci.yml",  # YAML, not a scenario
        ".pre-commit-config.yaml",
        "docker-compose.yml",
        "k8s/deployment.yaml",
        "scenarios/policies/read.json",  # a policy document a scenario references with {file: ...}
        "scenarios/README.md",
        "my-scenarios/x.yaml",
        "scenarios.yaml",
    ]
    assert selected(hook, wanted + unwanted) == wanted


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with scenarios and other YAML files, as a pre-commit user has."""
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "ok.yaml").write_text(BASE_SCENARIO)
    (tmp_path / "scenarios" / "narrowed.yml").write_text(NARROWED_SCENARIO)
    (tmp_path / "scenarios" / "broken.yaml").write_text(NARROWED_BROKEN_SCENARIO)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: pull_request\njobs: {}\n")
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    return tmp_path


def all_files(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def test_check_hook_passes_on_passing_scenarios(project: Path) -> None:
    hook = BY_ID["policysim-check"]
    changed = [name for name in all_files(project) if "broken" not in name]
    files = selected(hook, changed)
    assert files == ["scenarios/narrowed.yml", "scenarios/ok.yaml"]
    completed = run_hook(hook, project, files)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "4 passed, 0 failed" in completed.stdout


def test_check_hook_fails_on_a_failing_scenario(project: Path) -> None:
    hook = BY_ID["policysim-check"]
    files = selected(hook, all_files(project))
    assert files == ["scenarios/broken.yaml", "scenarios/narrowed.yml", "scenarios/ok.yaml"]
    completed = run_hook(hook, project, files)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "the reader lists the reports" in completed.stdout
    assert "expected allowed, got implicitDeny" in completed.stdout


def test_check_hook_ignores_the_formats_of_a_configuration(project: Path) -> None:
    """A .policysim.yaml made for CI (`format: [sarif, text]`) would need --output: the hook asks for text."""
    (project / ".policysim.yaml").write_text("paths: [scenarios]\nformat: [sarif, text]\n")
    hook = BY_ID["policysim-check"]
    completed = run_hook(hook, project, ["scenarios/ok.yaml"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "2 passed, 0 failed" in completed.stdout


def test_any_yaml_would_be_too_wide(project: Path) -> None:
    """Why `files` is not `\\.ya?ml$`: a workflow file is YAML but no scenario, and check rejects it (exit 2)."""
    hook = {**BY_ID["policysim-check"], "files": r"\.ya?ml$"}
    files = [name for name in selected(hook, all_files(project)) if "broken" not in name]
    assert ".github/workflows/ci.yml" in files
    assert run_hook(hook, project, files).returncode == 2


@needs_git
@pytest.mark.parametrize(("head", "expected"), [(WIDENED_SCENARIO, 1), (NARROWED_SCENARIO, 0)])
def test_diff_hook_before_a_push(tmp_path: Path, head: str, expected: int) -> None:
    """At pre-push, in a clone whose origin/HEAD is main: a widening commit fails, a narrowing one passes."""
    pull = make_pull_request(tmp_path, BASE_SCENARIO, head, shallow=False)
    hook = BY_ID["policysim-diff"]
    assert selected(hook, ["scenarios/reports.yaml"])  # the push changes a scenario file: pre-commit runs the hook
    completed = run_hook(hook, pull.workspace, [])
    assert completed.returncode == expected, completed.stdout + completed.stderr
