"""The human report: one line per test, explanations for failures, a summary line."""

from __future__ import annotations

import io
from collections.abc import Sequence

from policysim.report.common import (
    absent_key_line,
    expectation_line,
    explanation_lines,
    left_out_lines,
    pattern_line,
    skip_line,
    summarize,
    summary_line,
    visible,
)
from policysim.report.model import ScenarioRun
from policysim.scenario.results import TestResult

PASS_MARK = "✓"
FAIL_MARK = "✗"
SKIP_MARK = "○"
INDENT = "    "


class Line:
    """One report line as styled spans; rich renders them only when colour is asked for (imported then)."""

    __slots__ = ("spans",)

    def __init__(self, text: str = "", style: str | None = None) -> None:
        self.spans: list[tuple[str, str | None]] = [(text, style)] if text else []

    def append(self, text: str, style: str | None = None) -> None:
        """Add a span."""
        self.spans.append((text, style))

    @property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for text, _ in self.spans)


def render_text(runs: Sequence[ScenarioRun], *, color: bool = False, verbose: bool = False) -> str:
    """Render the runs as text; with `color`, ANSI colours (via rich); without, plain text with no escape codes."""
    lines: list[Line] = []
    for run in runs:
        lines.extend(_run_lines(run, verbose))
    summary = summarize(runs)
    style = "bold red" if summary.failed or summary.errors else "bold yellow" if summary.skipped else "bold green"
    lines.append(Line(summary_line(summary), style=style))
    if not color:
        return "".join(line.plain + "\n" for line in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        width=1_000_000,
        soft_wrap=True,
        highlight=False,
        markup=False,
        emoji=False,
    )
    for line in lines:
        styled = Text()
        for text, span_style in line.spans:
            styled.append(text, style=span_style)
        console.print(styled)
    return buffer.getvalue()


def _run_lines(run: ScenarioRun, verbose: bool) -> list[Line]:
    header = visible(run.file) + (f" — {visible(run.scenario)}" if run.scenario else "")
    lines = [Line(header, style="bold")]
    lines.extend(Line(INDENT + visible(note), style="yellow") for note in run.notes)
    if run.error is not None:
        first, *rest = run.error.render().splitlines() or [""]
        lines.append(Line(f"{FAIL_MARK} error: {visible(first)}", style="red"))
        lines.extend(Line(INDENT + visible(line), style="red") for line in rest)
    for result in run.results:
        lines.extend(_result_lines(result, verbose))
    return lines


def _result_lines(result: TestResult, verbose: bool) -> list[Line]:
    if result.skipped:
        return _skipped_lines(result, verbose)
    mark, style = (PASS_MARK, "green") if result.passed else (FAIL_MARK, "red")
    lines = [_head(mark, style, result)]
    if not result.passed:
        lines.append(Line(INDENT + expectation_line(result), style="bold red"))
    absent = absent_key_line(result)
    if absent is not None and not verbose:
        lines.append(Line(INDENT + visible(absent), style="yellow"))
    lines.extend(Line(INDENT + visible(text), style="yellow") for text in left_out_lines(result))
    verdict = pattern_line(result)
    if verdict is not None and result.passed and not verbose:  # else the explanation's own first lines say it
        lines.append(Line(INDENT + visible(verdict)))
    if not result.passed or verbose:
        lines.extend(Line(INDENT + visible(text), style="dim") for text in explanation_lines(result))
        if result.location is not None and result.location.line is not None:
            lines.append(Line(f"{INDENT}test at {visible(str(result.location))}", style="dim"))
    return lines


def _head(mark: str, style: str, result: TestResult, note: str = "") -> Line:
    line = Line()
    line.append(mark, style=style)
    line.append(f" {visible(result.name)}: ")
    line.append(result.decision.value, style=style)
    if note:
        line.append(note, style=style)
    return line


def _skipped_lines(result: TestResult, verbose: bool) -> list[Line]:
    """`○ NAME: DECISION (skipped)`, then the suppression's reason; the explanation only when verbose."""
    lines = [_head(SKIP_MARK, "yellow", result, " (skipped)")]
    lines.append(Line(INDENT + visible(skip_line(result)), style="yellow"))
    if verbose:
        lines.extend(Line(INDENT + visible(text), style="dim") for text in explanation_lines(result))
    return lines
