"""GitHub Actions workflow commands: an `::error` per unmet expectation or unloadable file, a `::notice` summary.

A suppressed (skipped) test whose expectation is not met gets a `::notice` with the suppression's reason instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from policysim.errors import Location
from policysim.report.common import (
    expectation_line,
    explanation_lines,
    skip_line,
    source_file,
    summarize,
    summary_line,
)
from policysim.report.model import ScenarioRun
from policysim.reporting import command as command  # re-exported: the reporters' one copy
from policysim.reporting import escape_data as escape_data
from policysim.reporting import escape_property as escape_property
from policysim.scenario.results import TestResult


def render_github(runs: Sequence[ScenarioRun]) -> str:
    """Workflow commands, one per line, ending with a newline."""
    lines: list[str] = []
    for run in runs:
        if run.error is not None:
            props = _location_properties(run.error.location, run.file)
            props["title"] = f"policysim: invalid input ({run.error.code})"
            lines.append(command("error", run.error.render(), props))
        lines.extend(_failure(result, run.file) for result in run.results if not result.passed)
    lines.append(command("notice", summary_line(summarize(runs)), {"title": "policysim"}))
    return "".join(line + "\n" for line in lines)


def _failure(result: TestResult, run_file: str) -> str:
    props = _location_properties(result.location, result.file or run_file)
    if result.skipped:
        props["title"] = f"policysim: skipped: {result.name}"
        return command("notice", "\n".join([skip_line(result), *explanation_lines(result)]), props)
    props["title"] = f"policysim: {result.name}"
    message = "\n".join([expectation_line(result), *explanation_lines(result)])
    return command("error", message, props)


def _location_properties(location: Location | None, fallback: str) -> dict[str, str]:
    file = source_file(location)
    if location is None or file is None:
        fallback_file = source_file(Location(fallback))
        return {"file": fallback_file} if fallback_file else {}
    props = {"file": file}
    if location.line is not None:
        props["line"] = str(location.line)
        if location.column is not None:
            props["col"] = str(location.column)
    return props
