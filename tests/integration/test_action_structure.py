"""action.yml is a well-formed composite action whose scripts take no expression text (no injection)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions_runner import EXPRESSION, Evaluator, UnsupportedExpression, parse_output_file, resolve_inputs
from integration_support import REPO_ROOT

ACTION: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
RUN_STEPS = [step for step in STEPS if "run" in step]
# variables the runner provides to every step (beyond a step's own env:)
RUNNER_VARIABLES = {"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "RUNNER_TEMP", "TMPDIR", "PATH"}


def all_strings(node: Any, where: str = "") -> list[tuple[str, str]]:
    """Every string in the document, with where it is."""
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in all_strings(value, f"{where}.{key}")]
    if isinstance(node, list):
        return [item for index, value in enumerate(node) for item in all_strings(value, f"{where}[{index}]")]
    return [(where, node)] if isinstance(node, str) else []


def expressions() -> list[tuple[str, str]]:
    found = [(where, match.group(1)) for where, text in all_strings(ACTION) for match in EXPRESSION.finditer(text)]
    # `if:` may be written without ${{ }}
    found += [
        (f".runs.steps[{i}].if", step["if"]) for i, step in enumerate(STEPS) if "if" in step and "${{" not in step["if"]
    ]
    return found


def test_is_a_composite_action_with_documented_inputs_and_outputs() -> None:
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), f"input {name} has no description"
        assert "default" in spec or spec.get("required"), f"input {name} has no default"
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description") and spec.get("value"), f"output {name}"
    assert set(ACTION["inputs"]) >= {
        "paths",
        "python-version",
        "policysim-version",
        "base-ref",
        "fail-on",
        "accept",
        "sarif-file",
        "upload-sarif",
    }
    assert set(ACTION["outputs"]) >= {"check-exit-code", "diff-exit-code", "markdown-file"}


def test_every_step_either_runs_bash_or_uses_a_pinned_action() -> None:
    for index, step in enumerate(STEPS):
        assert ("run" in step) != ("uses" in step), f"step {index} needs exactly one of run/uses"
        if "run" in step:
            assert step.get("shell") == "bash", f"step {step.get('id', index)} must say `shell: bash`"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_a_failed_sarif_upload_does_not_skip_the_diff() -> None:
    """Forks and repositories without code scanning cannot upload; the diff's steps must still run."""
    (upload,) = [step for step in STEPS if "upload-sarif" in step.get("uses", "")]
    assert upload.get("continue-on-error") is True


def test_no_expression_inside_any_run_script() -> None:
    for step in RUN_STEPS:
        assert "${{" not in step["run"], f"step {step.get('id')}: pass values through env:, not into the script"


def test_step_ids_are_unique_and_the_expected_ones_exist() -> None:
    ids = [step["id"] for step in STEPS if "id" in step]
    assert len(ids) == len(set(ids))
    assert {"install", "check", "fetch-base", "diff"} <= set(ids)
    uploads = [step for step in STEPS if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1
    assert "always()" in uploads[0]["if"] and "inputs.upload-sarif" in uploads[0]["if"]


def test_every_referenced_input_and_step_exists() -> None:
    inputs = set(ACTION["inputs"])
    ids = [step.get("id") for step in STEPS]
    for where, text in expressions():
        for name in re.findall(r"\binputs\.([\w-]+)", text):
            assert name in inputs, f"{where}: unknown input {name}"
        for step_id in re.findall(r"\bsteps\.([\w-]+)", text):
            assert step_id in ids, f"{where}: unknown step {step_id}"
            match = re.match(r"\.runs\.steps\[(\d+)\]", where)
            if match:  # a step may only read the steps before it
                assert ids.index(step_id) < int(match.group(1)), f"{where} reads a later step {step_id}"


def test_every_input_is_used() -> None:
    used = " ".join(text for _, text in expressions())
    for name in ACTION["inputs"]:
        assert f"inputs.{name}" in used, f"input {name} is declared but never used"


def test_scripts_read_only_their_env_and_runner_variables() -> None:
    for step in RUN_STEPS:
        defined = set(step.get("env") or {}) | RUNNER_VARIABLES
        used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", step["run"]))
        assert used <= defined, f"step {step.get('id')} reads undefined {sorted(used - defined)}"


def test_scripts_are_valid_bash(tmp_path: Path) -> None:
    for index, step in enumerate(RUN_STEPS):
        script = tmp_path / f"{index}.sh"
        script.write_text(step["run"])
        completed = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert completed.returncode == 0, f"step {step.get('id')}: {completed.stderr}"


def test_every_expression_is_one_the_offline_runner_evaluates() -> None:
    github = {"base_ref": "main", "action_path": "/action"}
    inputs = resolve_inputs(ACTION, {}, github)
    steps = {step["id"]: {"outputs": {}, "outcome": "success"} for step in STEPS if "id" in step}
    evaluator = Evaluator({"inputs": inputs, "github": github, "steps": steps})
    for where, text in expressions():
        evaluator.evaluate(text)  # raises UnsupportedExpression for anything the runner does not know
        assert where


def test_input_defaults() -> None:
    inputs = resolve_inputs(ACTION, {}, {"base_ref": "main"})
    assert inputs["paths"] == "scenarios"
    assert inputs["python-version"] == "3.12"
    assert inputs["policysim-version"] == ""  # empty: the action's own checkout
    assert inputs["base-ref"] == "main"
    assert inputs["fail-on"] == "new-access"
    assert inputs["sarif-file"] == "policysim.sarif"
    assert inputs["upload-sarif"] == "true"
    assert resolve_inputs(ACTION, {}, {"base_ref": ""})["base-ref"] == ""  # a push event: no diff


# -- the offline runner's evaluator itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("inputs.a", "x"),
        ("inputs.empty != ''", False),
        ("inputs.a == 'X'", True),  # GitHub compares strings ignoring case
        ("always() && inputs.a == 'x' && steps.s.outputs.o != ''", True),
        ("always() && steps.s.outputs.missing != ''", False),
        ("!(inputs.empty) || inputs.a == 'y'", True),
        ("steps.s.outcome", "success"),
        ("'it''s'", "it's"),
    ],
)
def test_evaluator(expression: str, expected: object) -> None:
    evaluator = Evaluator(
        {"inputs": {"a": "x", "empty": ""}, "steps": {"s": {"outputs": {"o": "1"}, "outcome": "success"}}}
    )
    assert evaluator.evaluate(expression) == expected


@pytest.mark.parametrize(
    "expression",
    ["inputs.nope", "env.HOME", "github.event.pull_request.number", "contains(inputs.a, 'x')", "inputs.a =="],
)
def test_evaluator_refuses_what_it_does_not_know(expression: str) -> None:
    evaluator = Evaluator({"inputs": {"a": "x"}, "github": {"base_ref": "main"}})
    with pytest.raises(UnsupportedExpression):
        evaluator.evaluate(expression)


def test_conditions_add_success_unless_a_status_function_is_called() -> None:
    failed = Evaluator({"inputs": {"a": "x"}}, job_failed=True)
    assert failed.condition(None) is False
    assert failed.condition("${{ inputs.a != '' }}") is False
    assert failed.condition("${{ always() && inputs.a != '' }}") is True
    assert Evaluator({"inputs": {"a": "x"}}).condition("inputs.a != ''") is True


def test_output_file_forms(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.write_text("a=1\nb=x=y\n\nmulti<<EOF\nline 1\nline 2\nEOF\nc=\n")
    assert parse_output_file(output) == {"a": "1", "b": "x=y", "multi": "line 1\nline 2", "c": ""}
