"""Reporters: pure functions from scenario runs to text in one of the output formats.

`render(fmt, runs)` is the entry point the CLI uses; every format ends with a newline. Each format's module is
imported when that format is first rendered (or its `render_*` function first looked up here), so a run that
writes text never imports the SARIF or JUnit writers, and `FORMATS` costs no reporter at all.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policysim.enums import ReportFormat

if TYPE_CHECKING:
    from policysim.report.github import render_github
    from policysim.report.json_report import render_json
    from policysim.report.junit import render_junit
    from policysim.report.model import RunSummary, ScenarioRun
    from policysim.report.sarif import render_sarif
    from policysim.report.text import render_text

FORMATS = tuple(f.value for f in ReportFormat)

# The names exported here from the modules that define them, each imported on first use (PEP 562).
_MODULES = {
    "RunSummary": "policysim.report.model",
    "ScenarioRun": "policysim.report.model",
    "render_text": "policysim.report.text",
    "render_json": "policysim.report.json_report",
    "render_junit": "policysim.report.junit",
    "render_sarif": "policysim.report.sarif",
    "render_github": "policysim.report.github",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


def render(fmt: str, runs: Sequence[ScenarioRun], *, color: bool = False, verbose: bool = False) -> str:
    """Render the runs in format `fmt` (one of FORMATS); `color` and `verbose` apply to `text` only."""
    if fmt == "text":
        from policysim.report.text import render_text

        return render_text(runs, color=color, verbose=verbose)
    if fmt == "json":
        from policysim.report.json_report import render_json

        return render_json(runs)
    if fmt == "junit":
        from policysim.report.junit import render_junit

        return render_junit(runs)
    if fmt == "sarif":
        from policysim.report.sarif import render_sarif

        return render_sarif(runs)
    if fmt == "github":
        from policysim.report.github import render_github

        return render_github(runs)
    raise ValueError(f"unknown report format `{fmt}` (expected one of {', '.join(FORMATS)})")
