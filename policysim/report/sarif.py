"""The SARIF 2.1.0 report: one result per unmet expectation and per file that could not be loaded.

An unmet expectation whose test a configured suppression matched carries an `external` SARIF suppression with
the reason as its justification (code scanning shows it as dismissed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from policysim.errors import Location, PolicysimError
from policysim.report.common import (
    deciding_statements,
    expectation_line,
    explanation_lines,
    fingerprint,
    pattern_document,
    source_file,
)
from policysim.report.model import ScenarioRun
from policysim.reporting import sarif_log
from policysim.reporting import tool_version as tool_version  # re-exported: the reporters' one copy
from policysim.scenario.results import TestResult

FINGERPRINT_KEY = "policysim/v1"
EXPECTATION_RULE = "policysim/expectation-not-met"
INPUT_RULE = "policysim/invalid-input"

RULES: list[dict[str, Any]] = [
    {
        "id": EXPECTATION_RULE,
        "name": "ExpectationNotMet",
        "shortDescription": {"text": "A scenario test's expected decision was not met"},
        "fullDescription": {
            "text": "The access decision policysim computed for a scenario test differs from the test's `expect`."
        },
        "defaultConfiguration": {"level": "error"},
    },
    {
        "id": INPUT_RULE,
        "name": "InvalidInput",
        "shortDescription": {"text": "A scenario file could not be loaded or evaluated"},
        "fullDescription": {
            "text": "The scenario file is unreadable, malformed, violates the schema, holds an invalid policy, "
            "names something the model does not define, or uses a construct policysim does not model."
        },
        "defaultConfiguration": {"level": "error"},
    },
]
RULE_INDEX = {rule["id"]: index for index, rule in enumerate(RULES)}


def render_sarif(runs: Sequence[ScenarioRun], *, version: str | None = None) -> str:
    """A SARIF 2.1.0 log with a single run; `version` overrides the tool version (for reproducible output)."""
    results: list[dict[str, Any]] = []
    for run in runs:
        if run.error is not None:
            results.append(_error_result(run.file, run.error))
        results.extend(_failure_result(result, run.file) for result in run.results if not result.passed)
    return sarif_log(RULES, results, version)


def _failure_result(result: TestResult, run_file: str) -> dict[str, Any]:
    text = "\n".join([f"{result.name}: {expectation_line(result)}", *explanation_lines(result)])
    location = _physical(result.location, fallback=result.file or run_file)
    out: dict[str, Any] = {
        "ruleId": EXPECTATION_RULE,
        "ruleIndex": RULE_INDEX[EXPECTATION_RULE],
        "level": "error",
        "message": {"text": text},
        "locations": [location] if location else [],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(result.file, result.scenario, result.name, result.action, result.resource)
        },
        "properties": {
            "scenario": result.scenario,
            "test": result.name,
            "principal": result.principal,
            "action": result.action,
            "resource": result.resource,
            "expected": result.expected,
            "decision": result.decision.value,
        },
    }
    if result.pattern is not None:  # `resource: {pattern: ...}`: the breakdown is in the message; its data here
        out["properties"]["pattern"] = pattern_document(result.pattern)
    related: list[dict[str, Any]] = []
    for ref in deciding_statements(result.outcome):
        physical = _physical(ref.location)
        if physical is not None:
            related.append({"id": len(related) + 1, "message": {"text": f"deciding statement: {ref}"}, **physical})
    if related:
        out["relatedLocations"] = related
    if result.skipped:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.skip_reason}]
    return out


def _error_result(run_file: str, error: PolicysimError) -> dict[str, Any]:
    location = _physical(error.location, fallback=run_file)
    return {
        "ruleId": INPUT_RULE,
        "ruleIndex": RULE_INDEX[INPUT_RULE],
        "level": "error",
        "message": {"text": error.render()},
        "locations": [location] if location else [],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(run_file, error.code, error.message)},
        "properties": {"code": error.code},
    }


def _physical(location: Location | None, *, fallback: str | None = None) -> dict[str, Any] | None:
    """`{"physicalLocation": ...}` for a location in a real file; the fallback file (no region) otherwise."""
    file = source_file(location)
    if location is None or file is None:
        file = source_file(Location(fallback)) if fallback else None
        if file is None:
            return None
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(file)}}}
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if location.line is not None and location.line >= 1:
        region: dict[str, int] = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative (or absolute-path) URI reference for a file path."""
    return quote(path.replace("\\", "/"), safe="/")
