"""The JUnit XML report: a testsuite per scenario file, a testcase per test, built with ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from policysim.report.common import expectation_line, explanation_lines, skip_line, source_file, summarize, visible
from policysim.report.model import ScenarioRun
from policysim.scenario.results import TestResult

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
LOAD_ERROR_NAME = "load scenario"


def render_junit(runs: Sequence[ScenarioRun]) -> str:
    """JUnit XML; characters XML 1.0 forbids in names and messages become visible escapes such as `\\x00`."""
    summary = summarize(runs)
    root = ET.Element(
        "testsuites",
        {
            "name": "policysim",
            "tests": str(summary.passed + summary.failed + summary.skipped + summary.errors),
            "failures": str(summary.failed),
            "errors": str(summary.errors),
        },
    )
    if summary.skipped:
        root.set("skipped", str(summary.skipped))
    for run in runs:
        root.append(_suite(run))
    ET.indent(root)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _suite(run: ScenarioRun) -> ET.Element:
    failures = sum(1 for result in run.results if result.failed)
    skipped = sum(1 for result in run.results if result.skipped)
    errors = 1 if run.error is not None else 0
    suite = ET.Element(
        "testsuite",
        {
            "name": _safe(run.file),
            "tests": str(len(run.results) + errors),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
        },
    )
    if run.scenario:
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", {"name": "scenario", "value": _safe(run.scenario)})
    if run.error is not None:
        case = ET.SubElement(suite, "testcase", {"classname": _safe(run.file), "name": LOAD_ERROR_NAME})
        error = ET.SubElement(case, "error", {"message": _safe(run.error.message), "type": run.error.code})
        error.text = _safe(run.error.render(), multiline=True)
    for result in run.results:
        suite.append(_case(result))
    return suite


def _case(result: TestResult) -> ET.Element:
    attrs = {"classname": _safe(result.file), "name": _safe(result.name)}
    file = source_file(result.location)
    if result.location is not None and file is not None:
        attrs["file"] = _safe(file)
        if result.location.line is not None:
            attrs["line"] = str(result.location.line)
    case = ET.Element("testcase", attrs)
    if result.skipped:
        skipped = ET.SubElement(case, "skipped", {"message": _safe(result.skip_reason or "")})
        skipped.text = _safe(skip_line(result))
    elif not result.passed:
        failure = ET.SubElement(
            case, "failure", {"message": _safe(expectation_line(result)), "type": "expectation-not-met"}
        )
        failure.text = _safe("\n".join([expectation_line(result), *explanation_lines(result)]), multiline=True)
    return case


def _safe(text: str, *, multiline: bool = False) -> str:
    return visible(text, keep_newlines=multiline)
