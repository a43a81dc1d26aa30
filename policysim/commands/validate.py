"""`policysim validate`: findings on policies, like Access Analyzer's validate-policy, offline (docs/validate.md).

Exit codes (contracts.md section 7): 0 no finding at or above `--fail-on` (default `error`), 1 some, 2 invalid input
(a path that is neither a policy document nor a scenario, a file that is not JSON or YAML, an invalid scenario or
configuration). A policy AWS would refuse is a finding (INVALID_POLICY, an ERROR), not invalid input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from policysim.commands.common import EXIT_FAILED, EXIT_INPUT, EXIT_OK, fail, write_output

KINDS = ("identity", "resource", "trust", "boundary", "scp", "rcp", "session", "vpc-endpoint")
FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "security", "warning", "suggestion")


def register(app: typer.Typer) -> None:
    """Add `validate` to the app."""

    @app.command()
    def validate(
        paths: Annotated[list[Path], typer.Argument(help="policy files, scenario files or directories")],
        kind: Annotated[
            str, typer.Option(help=f"the kind of the policy files: {', '.join(KINDS)} (scenarios say their own)")
        ] = "identity",
        format: Annotated[str, typer.Option("--format", "-f", help=f"one of {', '.join(FORMATS)}")] = "text",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="write the report to this file")] = None,
        fail_on: Annotated[
            str, typer.Option(help=f"the least severity that fails (exit 1): {', '.join(FAIL_ON)}")
        ] = "error",
        config_file: Annotated[
            Path | None,
            typer.Option(
                "--config", help="configuration file (default: .policysim.yaml or pyproject.toml, searched up)"
            ),
        ] = None,
    ) -> None:
        """Check policies for errors, security warnings, warnings and suggestions, each located at its element.

        Finding suppressions come from the configuration (`suppress_findings`, docs/configuration.md).
        """
        choices = (("--kind", kind, KINDS), ("--format", format, FORMATS), ("--fail-on", fail_on, FAIL_ON))
        for name, value, known in choices:
            if value not in known:
                fail(f"unknown {name} `{value}`; choose from {', '.join(known)}")
        from dataclasses import replace

        from policysim.config import load_config
        from policysim.validate import FAIL_ON as LEVELS
        from policysim.validate import validate as run_validation
        from policysim.validate.render import render
        from policysim.validate.suppress import apply_suppressions

        config = load_config(Path.cwd(), config_file)
        result = run_validation(paths, kind)
        named = [str(path) for path in paths if path.is_file()]  # files named, as pre-commit does: a partial run
        findings, unused = apply_suppressions(config, result.findings, Path.cwd(), checked=named, partial=bool(named))
        result = replace(result, findings=tuple(findings))
        for suppression in unused:
            print(f"policysim: warning: {suppression} matched no finding", file=sys.stderr)
        write_output(render(format, result), output)
        if result.errors:
            for error in result.errors:
                print(f"policysim: error: {error.render()}", file=sys.stderr)
            raise typer.Exit(EXIT_INPUT)
        raise typer.Exit(EXIT_FAILED if result.failing(LEVELS[fail_on]) else EXIT_OK)
