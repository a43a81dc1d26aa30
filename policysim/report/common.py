"""Helpers the reporters share: counts, explanations as lines, locations, and safe text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policysim.compiled import StatementRef
from policysim.engine import words
from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Effect
from policysim.errors import Location
from policysim.report.model import RunSummary, ScenarioRun
from policysim.reporting import fingerprint as fingerprint  # re-exported: the reporters' one copy
from policysim.reporting import visible as visible
from policysim.scenario.results import TestResult

if TYPE_CHECKING:
    from policysim.queries.patterns import Example, Examples, PatternAnswer


def summarize(runs: Sequence[ScenarioRun]) -> RunSummary:
    """Counts over the runs."""
    return RunSummary(tuple(runs))


def summary_line(summary: RunSummary) -> str:
    """`N passed, M failed`, plus `, K skipped` and `, K error(s)` when there are any."""
    line = f"{summary.passed} passed, {summary.failed} failed"
    if summary.skipped:
        line += f", {summary.skipped} skipped"
    if summary.errors:
        line += f", {summary.errors} error" + ("" if summary.errors == 1 else "s")
    return line


def where(location: Location | None) -> str | None:
    """`file:line:col` (as much as is known) without the key path, or None when there is no file."""
    if location is None or location.file is None:
        return None
    return str(Location(location.file, location.line, location.column))


def source_file(location: Location | None) -> str | None:
    """The file a location points into, when it is a real file (not an ARN, not `<dict>`)."""
    if location is None or not location.file:
        return None
    if location.file.startswith(("arn:", "<")):
        return None
    return location.file


def deciding_statements(outcome: Outcome) -> list[StatementRef]:
    """The statements named by the outcome's reasons, in order, without repeats (`Outcome.statements`)."""
    return list(outcome.statements)


def expectation_line(result: TestResult) -> str:
    """`expected X, got Y`, and an `expect_gate` / `expect_statement` the outcome did not meet."""
    return result.expectation


def skip_line(result: TestResult) -> str:
    """`skipped: REASON`, and whether the suppressed test would have passed."""
    verdict = "expectation met" if result.passed else expectation_line(result)
    return f"skipped: {result.skip_reason} ({verdict})"


def explanation_lines(result: TestResult) -> list[str]:
    """Why the decision was reached: request, deciding gates, reasons with the statements' locations."""
    o = result.outcome
    caller = result.principal
    if o.request is not None and o.hop is None and str(o.request.principal) != caller:
        caller += f" as {o.request.principal}"  # a role chain: the last session made the request
    out = [f"request: {caller} -> {result.action} on {result.resource}"]
    if result.pattern is not None:  # per type and statement pattern, then the deciding example's reasons
        out += [*result.pattern.lines(), f"deciding example: {_deciding_example(result)}"]
    if o.hop is not None:
        out.append(f"refused at role-chain hop {o.hop + 1}")
    gates = ", ".join(g.value for g in o.gates) or "-"
    out.append(f"decision: {o.decision.value} (gate: {gates})")
    for reason in o.reasons:
        out.append(f"- {reason}")
        at = where(reason.statement.location) if reason.statement else None
        if at:
            out.append(f"    at {at}")
    if o.missing_keys:
        out.append("missing context keys: " + ", ".join(o.missing_keys))
    for diagnostic in o.diagnostics:
        at = where(diagnostic.location)
        out.append(f"note: {words.text(diagnostic.code, diagnostic.facts)}" + (f" ({at})" if at else ""))
    out.extend(f"note: {note}" for note in result.key_notes)
    return out


def _deciding_example(result: TestResult) -> str:
    answer = result.pattern
    assert answer is not None
    example = answer.proof or next(e for e in answer.examples if e.outcome is result.outcome)
    return f"`{example.resource}` ({example.type})"


def pattern_line(result: TestResult) -> str | None:
    """For a test of `resource: {pattern: ...}`: what its decision means, and the example that shows it."""
    return result.pattern.verdict() if result.pattern is not None else None


def left_out_lines(result: TestResult) -> list[str]:
    """The action x resource pairs of the test that were not evaluated, and why."""
    return [f"left out: {item.action} on {item.resource}: {item.reason}" for item in result.left_out]


def absent_key_line(result: TestResult) -> str | None:
    """For a passing test that an absent key decided: which keys. A test that passes only because a key is absent
    is the commonest silent mistake, so `check` says so without `-v`."""
    outcome = result.outcome
    if not result.passed or not outcome.missing_keys or outcome.request is None or outcome.policies is None:
        return None
    never = {note.key.lower() for note in result.key_notes}  # keys no such request carries are notes instead
    keys = [key for key in deciding_absent_keys(outcome) if key.lower() not in never]
    if not keys:
        return None
    listed = ", ".join(f"`{key}`" for key in keys)
    return f"passed because context keys {listed} were absent: give them if the test means them"


def deciding_absent_keys(outcome: Outcome) -> list[str]:
    """The absent keys whose presence could change the decision: of a Deny that did not apply to an allowed request,
    of an Allow that did not apply to an implicitly denied one (when only absent keys failed them), or of the
    conditions that held only because a key was absent in a Deny that applied."""
    from policysim.engine.trace import trace

    assert outcome.request is not None and outcome.policies is not None
    found: list[str] = []
    for policy_trace in trace(outcome.request, outcome.policies):
        for st in policy_trace.statements:
            if not st.action or st.resource is False or st.principal is False:
                continue
            absent = [c for c in st.conditions if c.request_values is None]
            failing = [c for c in st.conditions if not c.result]
            if outcome.decision is Decision.EXPLICIT_DENY:
                keys = [c.key for c in absent if c.result] if st.applies and st.ref.effect is Effect.DENY else []
            else:
                wanted = Effect.DENY if outcome.decision is Decision.ALLOWED else Effect.ALLOW
                only_absent = bool(failing) and all(c.request_values is None for c in failing)
                keys = [c.key for c in failing] if st.ref.effect is wanted and only_absent else []
            found += [k for k in keys if k not in found]
    return found


def pattern_document(answer: PatternAnswer) -> dict[str, Any]:
    """A pattern answer as data: the verdict and its example, then per type and statement pattern the examples."""
    proof = answer.proof
    return {
        "pattern": answer.pattern,
        "decision": answer.decision.value,
        "meaning": answer.verdict(),
        "example": proof.resource if proof is not None else None,
        "tried": len(answer.examples),
        "truncated": answer.truncated,
        "types": [
            {
                "type": t.type,
                "format": t.format,
                "decision": t.decision.value if t.decision is not None else None,
                **_examples(t),
                "statement_patterns": [
                    {
                        "element": sp.element,
                        "pattern": sp.text,
                        "statements": [statement_document(ref) for ref in sp.statements],
                        "decision": sp.decision.value if sp.decision is not None else None,
                        **_examples(sp),
                    }
                    for sp in t.patterns
                ],
            }
            for t in answer.types
        ],
    }


def _examples(found: Examples) -> dict[str, Any]:
    def one(example: Example) -> dict[str, Any]:
        refs = [f"{ref.policy_id}#{ref.label}" for ref in example.statements]
        return {"resource": example.resource, "decision": example.decision.value, "statements": refs}

    return {
        "allowed": [one(e) for e in found.allowed],
        "denied": [one(e) for e in found.denied],
        "undetermined": [one(e) for e in found.undetermined],
    }


def statement_document(ref: StatementRef) -> dict[str, Any]:
    loc = ref.location or Location()
    return {
        "policy_id": ref.policy_id,
        "kind": ref.kind.value,
        "sid": ref.sid,
        "index": ref.index,
        "effect": ref.effect.value,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
    }
