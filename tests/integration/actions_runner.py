"""A tiny offline stand-in for the GitHub Actions runner, enough to run action.yml's shell steps.

It does what the runner does for a composite action, for the parts policysim's action uses:

- `${{ ... }}` expressions: the contexts `inputs`, `github` and `steps` (`steps.<id>.outputs.<name>`,
  `steps.<id>.outcome`), string literals, `==`/`!=` (case-insensitive, as GitHub compares strings), `&&`, `||`, `!`,
  parentheses and the status functions `always()`, `success()`, `failure()`, `cancelled()`. Anything else raises
  `UnsupportedExpression`, so a test fails rather than silently evaluating a form this evaluator does not know;
- `if:` with GitHub's implicit `success() &&` when the condition calls no status function;
- inputs: the caller's `with:` values, else the defaults of action.yml (which may be expressions themselves);
- each `run:` step: its `env:` evaluated, a fresh `GITHUB_OUTPUT` file parsed afterwards (`name=value` and
  `name<<DELIMITER` forms), a per-step `GITHUB_STEP_SUMMARY` appended to the job summary, the script run as the
  runner runs `shell: bash` (`bash --noprofile --norc -eo pipefail FILE`);
- `uses:` steps are not run (there is no network): their `if:` and `with:` are evaluated and recorded.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")
TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*))"
)


class UnsupportedExpression(Exception):
    """An expression form this evaluator does not implement."""


@dataclass
class StepResult:
    """What one step did."""

    index: int
    id: str | None
    name: str
    kind: str  # "run", "uses" or "skipped-run" (a run step the test chose not to execute)
    ran: bool
    exit_code: int | None = None
    outcome: str = "skipped"  # success | failure | skipped
    outputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    with_: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    summary: str = ""


@dataclass
class JobResult:
    """The whole action run."""

    steps: list[StepResult]
    summary: str
    outputs: dict[str, str]

    def step(self, key: str) -> StepResult:
        """A step by id, or by name when it has no id."""
        for step in self.steps:
            if key in (step.id, step.name):
                return step
        raise KeyError(key)

    @property
    def failed(self) -> bool:
        return any(step.outcome == "failure" for step in self.steps)


class Evaluator:
    """Evaluates `${{ ... }}` expressions against the contexts of one run."""

    def __init__(self, contexts: Mapping[str, Any], job_failed: bool = False) -> None:
        self.contexts = contexts
        self.job_failed = job_failed

    # -- templates ---------------------------------------------------------------------------------------------
    def render(self, text: str) -> str:
        """Replace every `${{ expr }}` in a string by its value, as a string."""
        return EXPRESSION.sub(lambda match: to_string(self.evaluate(match.group(1))), text)

    def condition(self, text: str | bool | None) -> bool:
        """A step's `if:`: with or without `${{ }}`, with GitHub's implicit `success() &&`."""
        if text is None:
            return not self.job_failed
        if isinstance(text, bool):
            return text and not self.job_failed
        source = text.strip()
        whole = EXPRESSION.fullmatch(source)
        if whole:
            source = whole.group(1)
        elif "${{" in source:
            raise UnsupportedExpression(f"an `if:` mixing text and expressions: {text!r}")
        value = truthy(self.evaluate(source))
        if not re.search(r"\b(" + "|".join(STATUS_FUNCTIONS) + r")\s*\(", source):
            value = value and not self.job_failed
        return value

    # -- the expression language -------------------------------------------------------------------------------
    def evaluate(self, source: str) -> Any:
        tokens = tokenize(source)
        value, position = self._or(tokens, 0)
        if position != len(tokens):
            raise UnsupportedExpression(f"unexpected {tokens[position][1]!r} in {source!r}")
        return value

    def _or(self, tokens: list[tuple[str, str]], position: int) -> tuple[Any, int]:
        value, position = self._and(tokens, position)
        while position < len(tokens) and tokens[position] == ("op", "||"):
            right, position = self._and(tokens, position + 1)
            value = value if truthy(value) else right
        return value, position

    def _and(self, tokens: list[tuple[str, str]], position: int) -> tuple[Any, int]:
        value, position = self._compare(tokens, position)
        while position < len(tokens) and tokens[position] == ("op", "&&"):
            right, position = self._compare(tokens, position + 1)
            value = right if truthy(value) else value
        return value, position

    def _compare(self, tokens: list[tuple[str, str]], position: int) -> tuple[Any, int]:
        left, position = self._unary(tokens, position)
        if position < len(tokens) and tokens[position] in (("op", "=="), ("op", "!=")):
            operator = tokens[position][1]
            right, position = self._unary(tokens, position + 1)
            if not isinstance(left, str) or not isinstance(right, str):
                raise UnsupportedExpression(f"comparison of non-strings {left!r} {operator} {right!r}")
            equal = left.casefold() == right.casefold()
            return (equal if operator == "==" else not equal), position
        return left, position

    def _unary(self, tokens: list[tuple[str, str]], position: int) -> tuple[Any, int]:
        if position >= len(tokens):
            raise UnsupportedExpression("expression ends early")
        kind, text = tokens[position]
        if (kind, text) == ("op", "!"):
            value, position = self._unary(tokens, position + 1)
            return not truthy(value), position
        if (kind, text) == ("op", "("):
            value, position = self._or(tokens, position + 1)
            if position >= len(tokens) or tokens[position] != ("op", ")"):
                raise UnsupportedExpression("unbalanced parentheses")
            return value, position + 1
        if kind == "string":
            return text[1:-1].replace("''", "'"), position + 1
        if kind == "name":
            if tokens[position + 1 : position + 3] == [("op", "("), ("op", ")")]:
                return self._status(text), position + 3
            return self._lookup(text), position + 1
        raise UnsupportedExpression(f"unexpected {text!r}")

    def _status(self, name: str) -> bool:
        if name == "always":
            return True
        if name == "success":
            return not self.job_failed
        if name == "failure":
            return self.job_failed
        if name == "cancelled":
            return False
        raise UnsupportedExpression(f"function {name}()")

    def _lookup(self, dotted: str) -> Any:
        if dotted in ("true", "false", "null"):
            raise UnsupportedExpression(f"literal {dotted} (not used by action.yml)")
        head, *rest = dotted.split(".")
        if head not in self.contexts:
            raise UnsupportedExpression(f"context {head!r} in {dotted!r}")
        value: Any = self.contexts[head]
        for depth, part in enumerate(rest):
            if not isinstance(value, Mapping):
                raise UnsupportedExpression(f"{dotted!r}: {part!r} of a non-object")
            if part in value:
                value = value[part]
            elif head == "steps" and depth == 2 and rest[1] == "outputs":
                value = ""  # an output the step did not set is empty, as on GitHub
            else:
                raise UnsupportedExpression(f"{dotted!r} is not provided by this runner")
        return value


def tokenize(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = TOKEN.match(source, position)
        if not match or match.end() == position:
            raise UnsupportedExpression(f"cannot read {source[position:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value != ""
    return bool(value)


def to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise UnsupportedExpression(f"cannot render {value!r} as a string")


def parse_output_file(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value_lines = []
            while index < len(lines) and lines[index] != delimiter:
                value_lines.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"unterminated {name}<<{delimiter} in {path}")
            index += 1
            outputs[name] = "\n".join(value_lines)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        else:
            raise ValueError(f"bad GITHUB_OUTPUT line {line!r}")
    return outputs


def resolve_inputs(action: Mapping[str, Any], given: Mapping[str, str], github: Mapping[str, Any]) -> dict[str, str]:
    """The `inputs` context: the caller's values, else action.yml's defaults (evaluated: they may be expressions)."""
    declared = action.get("inputs") or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise ValueError(f"inputs not declared by action.yml: {sorted(unknown)}")
    evaluator = Evaluator({"github": github})
    inputs: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            inputs[name] = given[name]
        else:
            inputs[name] = evaluator.render(str((spec or {}).get("default", "")))
    return inputs


def run_action(
    action: Mapping[str, Any],
    *,
    workspace: Path,
    temp: Path,
    github: Mapping[str, Any],
    inputs: Mapping[str, str],
    path_prefix: list[str],
    skip_run_steps: tuple[str, ...] = ("install",),
    base_environ: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> JobResult:
    """Run the steps of a composite action in order, as the runner would (see the module docstring)."""
    environ = dict(os.environ if base_environ is None else base_environ)
    for key in list(environ):
        if key.startswith(("GITHUB_", "RUNNER_", "POLICYSIM_", "INPUT_")):
            del environ[key]
    environ["PATH"] = os.pathsep.join([*path_prefix, environ.get("PATH", "")])
    environ.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(github.get("action_path", "")),
            "RUNNER_TEMP": str(temp),
            "NO_COLOR": "1",
        }
    )
    resolved = resolve_inputs(action, inputs, github)
    steps_context: dict[str, dict[str, Any]] = {}
    results: list[StepResult] = []
    summary_parts: list[str] = []
    job_failed = False
    for index, step in enumerate(action["runs"]["steps"]):
        evaluator = Evaluator({"inputs": resolved, "github": github, "steps": steps_context}, job_failed)
        step_id = step.get("id")
        name = str(step.get("name") or step_id or f"step {index}")
        kind = "uses" if "uses" in step else "run"
        result = StepResult(index=index, id=step_id, name=name, kind=kind, ran=False)
        results.append(result)
        should_run = evaluator.condition(step.get("if"))
        result.env = {key: evaluator.render(str(value)) for key, value in (step.get("env") or {}).items()}
        result.with_ = {key: evaluator.render(str(value)) for key, value in (step.get("with") or {}).items()}
        if should_run and kind == "run" and step_id not in skip_run_steps:
            if step.get("shell") != "bash":
                raise UnsupportedExpression(f"step {name!r}: only `shell: bash` is simulated")
            if EXPRESSION.search(step["run"]):
                raise UnsupportedExpression(f"step {name!r}: `${{{{` inside `run:`")
            _run_script(result, step["run"], environ, workspace, temp, index, timeout)
            summary_parts.append(result.summary)
            if result.exit_code != 0:
                job_failed = True
        elif should_run:
            # a `uses:` step, or a run step the caller skips (install): counted as succeeded, as if it had run
            result.kind = kind if kind == "uses" else "skipped-run"
            result.outcome = "success"
        if step_id:
            steps_context[step_id] = {
                "outputs": result.outputs,
                "outcome": result.outcome,
                "conclusion": result.outcome,
            }
    evaluator = Evaluator({"inputs": resolved, "github": github, "steps": steps_context}, job_failed)
    outputs = {
        name: evaluator.render(str(spec.get("value", ""))) for name, spec in (action.get("outputs") or {}).items()
    }
    return JobResult(steps=results, summary="".join(summary_parts), outputs=outputs)


def _run_script(
    result: StepResult,
    script: str,
    environ: Mapping[str, str],
    workspace: Path,
    temp: Path,
    index: int,
    timeout: float,
) -> None:
    script_file = temp / f"step-{index}.sh"
    output_file = temp / f"step-{index}.output"
    summary_file = temp / f"step-{index}.summary"
    script_file.write_text(script)
    output_file.write_text("")
    summary_file.write_text("")
    env = {**environ, **result.env, "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file)}
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result.ran = True
    result.exit_code = completed.returncode
    result.outcome = "success" if completed.returncode == 0 else "failure"
    result.stdout = completed.stdout
    result.stderr = completed.stderr
    result.outputs = parse_output_file(output_file)
    result.summary = summary_file.read_text()
