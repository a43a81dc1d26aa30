"""The JSON report: the document pinned in contracts.md section 1, plus extra keys (never renamed ones)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from policysim.errors import Location, PolicysimError
from policysim.report.common import deciding_statements, pattern_document, summarize
from policysim.report.common import statement_document as statement_document  # re-exported: report/queries.py
from policysim.report.model import ScenarioRun
from policysim.scenario.results import TestResult
from policysim.world.key_notes import KeyNote

FORMAT_VERSION = "1"


def render_json(runs: Sequence[ScenarioRun]) -> str:
    """One JSON document, `indent=2`, keys in a fixed order, ASCII only, ending with a newline."""
    return json.dumps(report_document(runs), indent=2, ensure_ascii=True) + "\n"


def report_document(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    """The report as plain data."""
    summary = summarize(runs)
    counts = {"passed": summary.passed, "failed": summary.failed, "errors": summary.errors}
    if summary.skipped:
        counts["skipped"] = summary.skipped
    return {
        "format_version": FORMAT_VERSION,
        "scenarios": [_scenario(run) for run in runs],
        "summary": counts,
    }


def _scenario(run: ScenarioRun) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file": run.file,
        "scenario": run.scenario,
        "tests": [_test(result) for result in run.results],
    }
    if run.notes:  # what the file's imports did not give, and their warnings (contracts.md section 5)
        doc["notes"] = list(run.notes)
    if run.error is not None:
        doc["error"] = _error(run.error)
    return doc


def _test(result: TestResult) -> dict[str, Any]:
    outcome = result.outcome
    doc: dict[str, Any] = {
        "name": result.name,
        "principal": result.principal,
        "action": result.action,
        "resource": result.resource,
        "expected": result.expected,
        "decision": result.decision.value,
        "passed": result.passed,
        "reasons": [str(reason) for reason in outcome.reasons],
        "gates": [gate.value for gate in outcome.gates],
        "statements": [statement_document(ref) for ref in deciding_statements(outcome)],
        "missing_context_keys": list(outcome.missing_keys),
        "hop": outcome.hop,
        "location": _location(result.location),
    }
    if result.expected_gate is not None:
        doc["expected_gate"] = result.expected_gate.value
    if result.expected_statement is not None:
        doc["expected_statement"] = result.expected_statement
    if result.unmet:
        doc["unmet"] = list(result.unmet)  # the gate or statement asked for that the outcome does not show
    if result.skipped:
        doc["skipped"] = True
        doc["skip_reason"] = result.skip_reason
    if outcome.unknowns:  # an `undetermined` decision: what the input could not tell (contracts.md section 6)
        doc["unknowns"] = [{"reason": u.reason, "source": u.source} for u in outcome.unknowns]
    if result.key_notes:  # conditions on keys the request can never carry
        doc["key_notes"] = [_key_note(note) for note in result.key_notes]
    if result.pattern is not None:  # `resource: {pattern: ...}`: per type and statement pattern, with examples
        doc["pattern"] = pattern_document(result.pattern)
    if result.left_out:  # pairs of the test's lists that were not evaluated (on its first result)
        doc["left_out"] = [{"action": i.action, "resource": i.resource, "reason": i.reason} for i in result.left_out]
    return doc


def _key_note(note: KeyNote) -> dict[str, Any]:
    return {
        "statement": statement_document(note.statement),
        "key": note.key,
        "never_applies": note.never_applies,
        "message": str(note),
    }


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def _error(error: PolicysimError) -> dict[str, Any]:
    loc = error.location or Location()
    return {
        "code": error.code,
        "message": error.message,
        "hint": error.hint,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
    }
