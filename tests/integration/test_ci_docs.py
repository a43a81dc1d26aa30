"""docs/ci.md is the worked example: its links, snippets, scenario and outputs agree with what is tested."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions_runner import run_action
from integration_support import (
    BASE_SCENARIO,
    BIN_DIR,
    BY_ID,
    MANIFEST_KEYS,
    NARROWED_SCENARIO,
    REPO_ROOT,
    WIDENED_SCENARIO,
    git_environ,
    make_pull_request,
    needs_git,
)

DOC = REPO_ROOT / "docs" / "ci.md"
TEXT = DOC.read_text()
ACTION: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.M | re.S)
WRITTEN_BY_OTHERS = {"diff.md": "docs/diff.md is written with `policysim diff`"}


def blocks(language: str) -> list[str]:
    """The fenced blocks of one language, common indentation removed."""
    found = []
    for match in FENCE.finditer(TEXT):
        if match.group(2) == language:
            found.append(textwrap.dedent(match.group(3)))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(match.group(1)) for match in re.finditer(r"^#+ (.*)$", text, re.M)}


def test_a_section_for_each_part_with_its_detailed_doc() -> None:
    for section, link in [
        ("### Reports", "(cli.md#output-formats)"),
        ("### Access diff", "(diff.md)"),
        ("### Configuration", "(configuration.md)"),
        ("## pre-commit", "(#pre-commit)"),
        ("## The GitHub Action", "(#the-github-action)"),
    ]:
        assert re.search(rf"^{re.escape(section)}$", TEXT, re.M), section
        assert link in TEXT, link


def test_links_resolve() -> None:
    own = anchors(DOC)
    for target in re.findall(r"\]\(([^)\s]+)\)", TEXT):
        if target.startswith("http"):
            continue
        name, _, anchor = target.partition("#")
        if not name:
            assert anchor in own, f"no heading for #{anchor}"
            continue
        path = DOC.parent / name
        if not path.exists() and name in WRITTEN_BY_OTHERS:
            pytest.skip(WRITTEN_BY_OTHERS[name])
        assert path.exists(), target
        if anchor:
            assert anchor in anchors(path), target


def test_no_package_registry_host_is_named() -> None:
    assert not re.search(r"pypi|pythonhosted|npmjs|crates\.io|rubygems", TEXT, re.I)


def workflow_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for block in blocks("yaml"):
        document = yaml.safe_load(block)
        if isinstance(document, dict) and "jobs" in document:
            for job in document["jobs"].values():
                if "steps" in job:
                    steps += job["steps"]
        elif isinstance(document, list) and document and isinstance(document[0], dict) and "uses" in document[0]:
            steps += document
    return steps


def test_workflow_snippets_use_only_what_the_action_declares() -> None:
    steps = workflow_steps()
    ours = [step for step in steps if step.get("uses", "").startswith("OWNER/policysim@")]
    assert len(ours) >= 5
    for step in ours:
        assert set(step.get("with") or {}) <= set(ACTION["inputs"]), step
    for step in steps:
        for output in re.findall(r"steps\.policysim\.outputs\.([\w-]+)", str(step)):
            assert output in ACTION["outputs"], output
        if "run" in step:
            assert "${{" not in step["run"]  # the docs follow the action's own rule


def test_the_main_workflow_runs_on_pull_requests_with_code_scanning_permission() -> None:
    workflow = yaml.safe_load(blocks("yaml")[1])
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as true
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["policysim"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("OWNER/policysim@")


def test_pre_commit_snippets_use_only_hooks_and_keys_that_exist() -> None:
    configs = [yaml.safe_load(block) for block in blocks("yaml") if block.startswith("repos:")]
    assert configs
    for config in configs:
        for hook in config["repos"][0]["hooks"]:
            assert hook["id"] in BY_ID
    overrides = [yaml.safe_load(block) for block in blocks("yaml") if block.startswith("- id: policysim-")]
    assert len(overrides) == 3
    for override in overrides:
        for hook in override:
            assert hook["id"] in BY_ID
            assert set(hook) <= MANIFEST_KEYS
            if "files" in hook:
                re.compile(hook["files"])
    assert "(^|/)scenarios/.+\\.ya?ml$" in TEXT
    assert BY_ID["policysim-check"]["files"] == "(^|/)scenarios/.+\\.ya?ml$"


def test_the_example_scenario_is_the_tested_one() -> None:
    assert BASE_SCENARIO in blocks("yaml")
    widening, narrowing = blocks("diff")
    for block, head in [(widening, WIDENED_SCENARIO), (narrowing, NARROWED_SCENARIO)]:
        for line in block.splitlines():
            if line.startswith("-"):
                assert line[1:] in BASE_SCENARIO.splitlines() and line[1:] not in head.splitlines(), line
            elif line.startswith("+"):
                assert line[1:] in head.splitlines(), line


@needs_git
def test_the_accept_file_lets_the_widening_pull_request_pass_and_the_log_is_as_shown(tmp_path: Path) -> None:
    accept = next(block for block in blocks("yaml") if block.startswith("accept:"))
    pull = make_pull_request(tmp_path, BASE_SCENARIO, WIDENED_SCENARIO, shallow=True)
    (pull.workspace / "policysim-accepted.yaml").write_text(accept)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    job = run_action(
        ACTION,
        workspace=pull.workspace,
        temp=runner_temp,
        github={"base_ref": "main", "action_path": str(REPO_ROOT)},
        inputs={"paths": "scenarios", "accept": "policysim-accepted.yaml"},
        path_prefix=[BIN_DIR],
        base_environ=git_environ(),
    )
    diff = job.step("diff")
    assert diff.exit_code == 0, diff.stdout + diff.stderr
    assert job.step("policysim gate").exit_code == 0
    assert "6 accepted" in job.summary and "TICKET-8" in job.summary
    # the log shown in "A pull request that widens access": every line but the command, the elisions and the
    # summary (which says `0 accepted` there) is printed here too
    console = blocks("console")[0].splitlines()
    assert console[0].startswith("$ policysim diff scenarios --base-ref origin/main")
    for line in console[1:-1]:
        if line != "...":
            assert line in diff.stdout.splitlines(), line
    assert console[-1].startswith("6 newly allowed, 0 no longer allowed, 0 denied differently; 0 accepted;")
