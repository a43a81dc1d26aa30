"""Diff reports: a `DiffResult` written as text, JSON, or Markdown for a pull-request comment.

Each report is written to a stream row by row (`write_diff`), so a diff of millions of rows is never one string:
the counts in a report's header come from the result's tally, the rows from its store, in report order.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

from policysim.compiled import StatementRef
from policysim.engine.outcome import Outcome
from policysim.enums import ChangeKind

from .compare import Exploration
from .gate import DiffResult, Row

DIFF_FORMATS = ("text", "json", "markdown")
TITLES = {
    ChangeKind.NEW_ACCESS: "Newly allowed",
    ChangeKind.UNDETERMINED: "Undetermined (the models' unknowns decide)",
    ChangeKind.REMOVED_ACCESS: "No longer allowed",
    ChangeKind.DENY_CHANGED: "Denied for a different reason",
}
MARKDOWN_ROWS = 50  # per kind; a PR comment has a size limit
ABSENT = "absent (the model has no such principal or role)"


def render_diff(fmt: str, result: DiffResult) -> str:
    """Render in one of DIFF_FORMATS; every format ends with a newline."""
    out = io.StringIO()
    write_diff(fmt, result, out)
    return out.getvalue()


def write_diff(fmt: str, result: DiffResult, out: TextIO) -> None:
    """Write a report in one of DIFF_FORMATS to `out`, row by row; every format ends with a newline."""
    writers = {"text": write_diff_text, "json": write_diff_json, "markdown": write_diff_markdown}
    writer = writers.get(fmt)
    if writer is None:
        raise ValueError(f"unknown diff format `{fmt}` (expected one of {', '.join(DIFF_FORMATS)})")
    writer(result, out)


# ---------------------------------------------------------------------------------------------- shared pieces


def decided_by(outcome: Outcome | None) -> str:
    """The decision and what decided it, in one line."""
    if outcome is None:
        return ABSENT
    deciding = [r for r in outcome.reasons if r.decision is outcome.decision] or list(outcome.reasons)
    why = "; ".join(_reason_text(r.gate.value, r.message, r.statement) for r in deciding[:2])
    return f"{outcome.decision.value}: {why}" if why else outcome.decision.value


def _reason_text(gate: str, message: str, statement: StatementRef | None) -> str:
    if statement is None:
        return f"{gate}: {message}"
    where = f" at {statement.location}" if statement.location is not None and statement.location.line else ""
    return f"{gate}: {message} [{statement}{where}]"


def context_text(row: Row) -> str:
    """`key=value` of the context key the row set, or empty."""
    return ", ".join(f"{k}={v}" for k, v in row.change.probe.context)


def also_text(row: Row, limit: int = 5) -> str:
    """The other actions the row stands for."""
    others = row.change.probe.action.members[1:]
    if not others:
        return ""
    shown = ", ".join(others[:limit])
    return shown + (f" (+{len(others) - limit} more)" if len(others) > limit else "")


def summary_line(result: DiffResult) -> str:
    """Counts and the gate's verdict."""
    accepted = result.tally.accepted
    verdict = "passed" if result.passed else f"FAILED ({result.tally.failing} change(s) not accepted)"
    return (
        f"{result.count(ChangeKind.NEW_ACCESS)} newly allowed, {result.count(ChangeKind.REMOVED_ACCESS)} no longer "
        f"allowed, {result.count(ChangeKind.DENY_CHANGED)} denied differently, "
        f"{result.count(ChangeKind.UNDETERMINED)} undetermined; {accepted} accepted; "
        f"gate (fail on {result.fail_on.value}): {verdict}"
    )


def explored_text(exploration: Exploration) -> str:
    """How much of the space one file pair covered."""
    sizes = ", ".join(
        _count(n, word)
        for n, word in (
            (exploration.callers, "caller"),
            (exploration.actions, "action"),
            (exploration.resources, "resource"),
            (exploration.context_keys, "condition key"),
        )
    )
    return f"{_count(exploration.requests, 'request')} explored ({sizes})"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------------------------------------- text


def write_diff_text(result: DiffResult, out: TextIO) -> None:
    """The plain-text report for a terminal or a CI log, written to `out`."""
    out.write(f"policysim diff: {result.base} -> {result.new}\n")
    for exploration in result.explorations:
        label = exploration.new or f"{exploration.base} (removed)"
        out.write(f"{label}: {explored_text(exploration)}\n")
    for row in result.rows:
        out.writelines(line + "\n" for line in _text_row(row))
    for entry in result.unused:
        out.write(f"warning: accept entry at {entry.location} matched no change ({entry.reason})\n")
    out.write(summary_line(result) + "\n")


def _text_row(row: Row) -> list[str]:
    probe = row.change.probe
    head = row.change.kind.value.upper().replace("-", " ")
    lines = [f"  {head}: {probe.caller.label} -> {probe.action.name} on {probe.resource}  ({row.file})"]
    if probe.context:
        lines.append(f"      with context: {context_text(row)}")
    lines.append(f"      before: {decided_by(row.change.before)}")
    lines.append(f"      after:  {decided_by(row.change.after)}")
    if also_text(row):
        lines.append(f"      also for: {also_text(row)}")
    if row.accepted is not None:
        lines.append(f"      accepted: {row.accepted.reason} ({row.accepted.location})")
    return lines


# ---------------------------------------------------------------------------------------------- JSON


def diff_document(result: DiffResult) -> dict[str, Any]:
    """The JSON report as data (`format_version` 1)."""
    document = _json_head(result)
    document["changes"] = [_json_row(row) for row in result.rows]
    document["unused_accept_entries"] = _json_unused(result)
    return document


_ROWS_HERE = "\x00rows\x00"  # where the streamed rows go in the head's text (no JSON string is this)


def write_diff_json(result: DiffResult, out: TextIO) -> None:
    """The JSON report written to `out`, as `json.dumps(diff_document(result), indent=2)` would write it, one row at
    a time."""
    document = _json_head(result)
    document["changes"] = _ROWS_HERE
    document["unused_accept_entries"] = _json_unused(result)
    head, tail = json.dumps(document, indent=2).split(json.dumps(_ROWS_HERE), 1)
    out.write(head)
    rows = iter(result.rows)
    first = next(rows, None)
    if first is None:
        out.write("[]")
    else:
        out.write("[\n")
        for index, row in enumerate(itertools.chain([first], rows)):
            out.write(("    " if index == 0 else ",\n    ") + indented_json(_json_row(row), "    "))
        out.write("\n  ]")
    out.write(tail + "\n")


def indented_json(value: object, margin: str = "") -> str:
    """`json.dumps(value, indent=2)` with every line after the first led by `margin`, for the values a report row
    holds (dicts with string keys, lists, tuples, strings, integers, booleans, None), strings encoded by json's C
    encoder: the standard encoder indents in Python, a generator per level, several times slower."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    inner = margin + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"a report key must be a string, not {type(key).__name__}")
            items.append(f"{inner}{encode_basestring_ascii(key)}: {indented_json(item, inner)}")
        return "{\n" + ",\n".join(items) + "\n" + margin + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + indented_json(item, inner) for item in value) + "\n" + margin + "]"
    raise TypeError(f"a report value cannot be {type(value).__name__}")


def _json_head(result: DiffResult) -> dict[str, Any]:
    return {
        "format_version": "1",
        "base": result.base,
        "new": result.new,
        "fail_on": result.fail_on.value,
        "passed": result.passed,
        "summary": {
            "new_access": result.count(ChangeKind.NEW_ACCESS),
            "removed_access": result.count(ChangeKind.REMOVED_ACCESS),
            "deny_changed": result.count(ChangeKind.DENY_CHANGED),
            "undetermined": result.count(ChangeKind.UNDETERMINED),
            "accepted": result.tally.accepted,
            "failing": result.tally.failing,
            "requests": sum(e.requests for e in result.explorations),
        },
        "files": [
            {
                "base": e.base,
                "new": e.new,
                "requests": e.requests,
                "callers": e.callers,
                "actions": e.actions,
                "resources": e.resources,
                "context_keys": e.context_keys,
            }
            for e in result.explorations
        ],
    }


def _json_unused(result: DiffResult) -> list[dict[str, str]]:
    return [{"reason": a.reason, "location": str(a.location)} for a in result.unused]


def _json_row(row: Row) -> dict[str, Any]:
    probe = row.change.probe
    return {
        "change": row.change.kind.value,
        "file": row.file,
        "principal": probe.caller.key,
        "principal_label": probe.caller.label,
        "principal_kind": probe.caller.kind.value,
        "action": probe.action.name,
        "actions": list(probe.action.members),
        "resource": probe.resource,
        "context": dict(probe.context),
        "before": _json_side(row.change.before),
        "after": _json_side(row.change.after),
        "accepted": None if row.accepted is None else {"reason": row.accepted.reason, "at": str(row.accepted.location)},
    }


def _json_side(outcome: Outcome | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "decision": outcome.decision.value,
        "gates": [g.value for g in outcome.gates],
        "reasons": [str(r) for r in outcome.reasons],
        "statements": [
            {"policy": r.statement.policy_id, "statement": r.statement.label, "location": str(r.statement.location)}
            for r in outcome.reasons
            if r.statement is not None and r.decision is outcome.decision
        ],
    }


# ---------------------------------------------------------------------------------------------- Markdown


def write_diff_markdown(result: DiffResult, out: TextIO) -> None:
    """The Markdown report, fit for a pull-request comment or $GITHUB_STEP_SUMMARY, written to `out`: at most
    MARKDOWN_ROWS rows of each kind are held at a time."""
    status = "✅ passed" if result.passed else "❌ failed"
    lines = [
        "## policysim access diff",
        "",
        f"**Gate {status}** (fail on `{result.fail_on.value}`): {_code(result.base)} → {_code(result.new)}",
        "",
        f"{summary_line(result)}.",
        "",
    ]
    out.writelines(line + "\n" for line in lines)
    by_kind = {kind: list(rows) for kind, rows in _first_rows(result.rows)}
    for kind, title in TITLES.items():
        if result.count(kind):
            out.writelines(line + "\n" for line in _markdown_table(title, by_kind.get(kind, []), result.count(kind)))
    lines = []
    if not any(result.tally.kinds.values()):
        lines += ["No request changed its decision.", ""]
    lines.append("<details><summary>What was explored</summary>")
    lines.append("")
    lines.extend(f"- {_code(e.new or e.base or '')}: {explored_text(e)}" for e in result.explorations)
    lines += ["", "A finite exploration of the requests the models name, not a proof: see docs/diff.md.", ""]
    lines.append("</details>")
    lines.extend(
        f"\n> ⚠️ accept entry at {_code(str(a.location))} matched no change ({_cell(a.reason)})" for a in result.unused
    )
    out.writelines(line + "\n" for line in lines)


def _first_rows(rows: Iterable[Row]) -> Iterable[tuple[ChangeKind, list[Row]]]:
    """The first MARKDOWN_ROWS rows of each kind (rows come grouped by kind, in report order)."""
    for kind, group in itertools.groupby(rows, key=lambda row: row.change.kind):
        yield kind, list(itertools.islice(group, MARKDOWN_ROWS))


def _markdown_table(title: str, rows: list[Row], count: int) -> list[str]:
    lines = [
        f"### {title} ({count})",
        "",
        "| principal | action | resource | context | before | after | accepted |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows[:MARKDOWN_ROWS]:
        probe = row.change.probe
        action = _code(probe.action.name) + (f" (+{len(probe.action.members) - 1})" if also_text(row) else "")
        accepted = _cell(row.accepted.reason) if row.accepted is not None else ""
        cells = [
            _cell(probe.caller.label),
            action,
            _code(probe.resource),
            _cell(context_text(row)),
            _cell(decided_by(row.change.before)),
            _cell(decided_by(row.change.after)),
            accepted,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if count > MARKDOWN_ROWS:
        lines.append(f"\n…and {count - MARKDOWN_ROWS} more; see the JSON or text report.")
    lines.append("")
    return lines


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no column break, line break, code span or HTML (`<!--` would hide the
    rest of a pull-request comment)."""
    for old, new in (("\\", "\\\\"), ("|", "\\|"), ("\n", " "), ("\r", " "), ("`", "'"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(old, new)
    return text


def _code(text: str) -> str:
    """A code span in a table cell; text that would break out of it is shown as a plain (escaped) cell."""
    if any(c in text for c in "`|\n\r\\<>"):
        return _cell(text)
    return f"`{text}`"
