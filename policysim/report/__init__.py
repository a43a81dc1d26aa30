"""Reporters: pure functions from scenario runs to text in one of the output formats.

`render(fmt, runs)` is the entry point the CLI uses; every format ends with a newline.
"""

from __future__ import annotations

from collections.abc import Sequence

from policysim.enums import ReportFormat
from policysim.report.github import render_github
from policysim.report.json_report import render_json
from policysim.report.junit import render_junit
from policysim.report.model import RunSummary, ScenarioRun
from policysim.report.sarif import render_sarif
from policysim.report.text import render_text

FORMATS = tuple(f.value for f in ReportFormat)

__all__ = [
    "FORMATS",
    "RunSummary",
    "ScenarioRun",
    "render",
    "render_github",
    "render_json",
    "render_junit",
    "render_sarif",
    "render_text",
]


def render(fmt: str, runs: Sequence[ScenarioRun], *, color: bool = False, verbose: bool = False) -> str:
    """Render the runs in format `fmt` (one of FORMATS); `color` and `verbose` apply to `text` only."""
    if fmt == "text":
        return render_text(runs, color=color, verbose=verbose)
    if fmt == "json":
        return render_json(runs)
    if fmt == "junit":
        return render_junit(runs)
    if fmt == "sarif":
        return render_sarif(runs)
    if fmt == "github":
        return render_github(runs)
    raise ValueError(f"unknown report format `{fmt}` (expected one of {', '.join(FORMATS)})")
