"""Reports of a validation: text, JSON (contracts.md section 7), SARIF 2.1.0 and GitHub workflow commands.

Pure functions of a `Validation`; every format ends with a newline. Text from the input (messages quote actions,
resources and keys) is made safe to print (`reporting.visible`); condition values are never quoted by any finding,
since they can be secrets such as an ExternalId.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from policysim.errors import Location, PolicysimError
from policysim.reporting import command, fingerprint, sarif_log, visible

from .codes import CATALOGUE, Code, Severity
from .findings import Finding, Validation, error_record

FORMATS = ("text", "json", "sarif", "github")
FORMAT_VERSION = "1"
NEITHER_LISTED = "neither a policy nor a scenario"
FINGERPRINT_KEY = "policysim/v1"
INPUT_RULE = "policysim/invalid-input"
SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.SECURITY_WARNING: "warning",
    Severity.WARNING: "warning",
    Severity.SUGGESTION: "note",
}
GITHUB_COMMAND = {
    Severity.ERROR: "error",
    Severity.SECURITY_WARNING: "warning",
    Severity.WARNING: "warning",
    Severity.SUGGESTION: "notice",
}


def render(fmt: str, validation: Validation, *, version: str | None = None) -> str:
    """The report in one of FORMATS; `version` overrides the tool version in SARIF (for reproducible output)."""
    if fmt == "text":
        return render_text(validation)
    if fmt == "json":
        return render_json(validation)
    if fmt == "sarif":
        return render_sarif(validation, version=version)
    if fmt == "github":
        return render_github(validation)
    raise ValueError(f"unknown format `{fmt}` (expected one of {', '.join(FORMATS)})")


# ---------------------------------------------------------------------------------------------- text


def _where(location: Location | None) -> str:
    if location is None or not location.file:
        return "<input>"
    return str(Location(location.file, location.line, location.column))


def summary_line(validation: Validation) -> str:
    """`N findings: 1 error, 2 security warnings, ... (K suppressed); P policies in F files`."""
    counts = validation.counts()
    parts = []
    for severity in Severity:
        count = counts[severity.value.lower()]
        if count:
            word = severity.value.lower().replace("_", " ")
            parts.append(f"{count} {word}{'s' if count != 1 else ''}")
    total = len(validation.findings) - counts["suppressed"]
    line = f"{total} finding{'s' if total != 1 else ''}" + (f": {', '.join(parts)}" if parts else "")
    if counts["suppressed"]:
        line += f" ({counts['suppressed']} suppressed)"
    line += f"; {validation.policies} polic{'ies' if validation.policies != 1 else 'y'} in {validation.files} file"
    line += "s" if validation.files != 1 else ""
    if validation.errors:
        line += f"; {len(validation.errors)} invalid input{'s' if len(validation.errors) != 1 else ''}"
    return line


def finding_lines(finding: Finding) -> list[str]:
    """One finding: `file:line:col: SEVERITY CODE: message [policy P, statement S]`, then its hint (and reason)."""
    scope = f"policy {finding.policy}" + (f", statement {finding.statement}" if finding.statement else "")
    head = f"{_where(finding.location)}: {finding.severity.value} {finding.code.value}: {finding.message} [{scope}]"
    lines = [visible(head)]
    lines.append(visible(f"  hint: {finding.hint}"))
    if finding.suppressed is not None:
        lines.append(visible(f"  suppressed: {finding.suppressed}"))
    return lines


def render_text(validation: Validation) -> str:
    """Findings in file order, invalid inputs, skipped files, and the summary line."""
    lines: list[str] = []
    for finding in validation.findings:
        lines += finding_lines(finding)
    for error in validation.errors:
        lines.append(visible(f"{_where(error.location)}: invalid input: {error.message}", keep_newlines=False))
        if error.hint:
            lines.append(visible(f"  hint: {error.hint}"))
    lines += [visible(f"- skipped {path}: {NEITHER_LISTED}") for path in validation.skipped]
    lines.append(summary_line(validation))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- JSON


def report_document(validation: Validation) -> dict[str, Any]:
    """The JSON report as data: `format_version`, `findings`, `summary`, `invalid_inputs`, `skipped_files`."""
    return {
        "format_version": FORMAT_VERSION,
        "findings": [finding.to_dict() for finding in validation.findings],
        "summary": validation.summary(),
        "invalid_inputs": [dict(error_record(error)) for error in validation.errors],
        "skipped_files": [{"file": path, "reason": NEITHER_LISTED} for path in validation.skipped],
    }


def render_json(validation: Validation) -> str:
    """The JSON report, ASCII-only."""
    return json.dumps(report_document(validation), indent=2, ensure_ascii=True) + "\n"


# ---------------------------------------------------------------------------------------------- SARIF


def _rule(code: Code) -> dict[str, Any]:
    info = CATALOGUE[code]
    properties: dict[str, Any] = {"severity": info.severity.value}
    if info.severity is Severity.SECURITY_WARNING:
        properties["tags"] = ["security"]
        properties["security-severity"] = "7.0"  # GitHub code scanning ranks security alerts by this number
    return {
        "id": code.value,
        "name": "".join(word.capitalize() for word in code.value.split("_")),
        "shortDescription": {"text": info.title},
        "help": {"text": info.hint},
        "defaultConfiguration": {"level": SARIF_LEVEL[info.severity]},
        "properties": properties,
    }


RULES: list[dict[str, Any]] = [
    *(_rule(code) for code in Code),
    {
        "id": INPUT_RULE,
        "name": "InvalidInput",
        "shortDescription": {"text": "A path could not be read as a policy or a scenario"},
        "defaultConfiguration": {"level": "error"},
    },
]
RULE_INDEX = {rule["id"]: index for index, rule in enumerate(RULES)}


def _physical(location: Location | None) -> list[dict[str, Any]]:
    """`[{"physicalLocation": ...}]` for a location in a real file (not `<dict>`), else no location."""
    if location is None or not location.file or location.file.startswith("<"):
        return []
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(location.file.replace("\\", "/"), safe="/")}}
    if location.line is not None and location.line >= 1:
        region: dict[str, int] = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    return [{"physicalLocation": physical}]


def _sarif_result(finding: Finding) -> dict[str, Any]:
    hint = finding.hint
    out: dict[str, Any] = {
        "ruleId": finding.code.value,
        "ruleIndex": RULE_INDEX[finding.code.value],
        "level": SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.message}\nhint: {hint}"},
        "locations": _physical(finding.location),
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(
                finding.code.value, finding.file or "", finding.policy, finding.statement or "", finding.element
            )
        },
        "properties": {
            "severity": finding.severity.value,
            "policy": finding.policy,
            "statement": finding.statement,
            "kind": finding.kind.value,
            "element": finding.element,
        },
    }
    if finding.suppressed is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": finding.suppressed}]
    return out


def _sarif_error(error: PolicysimError) -> dict[str, Any]:
    file = error.location.file if error.location else None
    return {
        "ruleId": INPUT_RULE,
        "ruleIndex": RULE_INDEX[INPUT_RULE],
        "level": "error",
        "message": {"text": error.render()},
        "locations": _physical(error.location),
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(file or "", error.code, error.message)},
        "properties": {"code": error.code},
    }


def render_sarif(validation: Validation, *, version: str | None = None) -> str:
    """A SARIF 2.1.0 log with one run: a result per finding and per invalid input."""
    results = [_sarif_result(finding) for finding in validation.findings]
    results += [_sarif_error(error) for error in validation.errors]
    return sarif_log(RULES, results, version)


# ---------------------------------------------------------------------------------------------- GitHub


def _properties(location: Location | None) -> dict[str, str]:
    if location is None or not location.file or location.file.startswith("<"):
        return {}
    props = {"file": location.file}
    if location.line is not None:
        props["line"] = str(location.line)
        if location.column is not None:
            props["col"] = str(location.column)
    return props


def render_github(validation: Validation) -> str:
    """Workflow commands, one per line: `::error` for an ERROR, `::warning` for a (security) warning, `::notice`
    for a suggestion or a suppressed finding, and a summary `::notice`."""
    lines: list[str] = []
    for finding in validation.findings:
        props = _properties(finding.location)
        hint = finding.hint
        if finding.suppressed is not None:
            props["title"] = f"policysim: suppressed {finding.code.value}"
            message = f"suppressed: {finding.suppressed}\n{finding.message}"
            lines.append(command("notice", message, props))
            continue
        props["title"] = f"policysim: {finding.severity.value} {finding.code.value}"
        lines.append(command(GITHUB_COMMAND[finding.severity], f"{finding.message}\nhint: {hint}", props))
    for error in validation.errors:
        props = _properties(error.location)
        props["title"] = f"policysim: invalid input ({error.code})"
        lines.append(command("error", error.render(), props))
    lines.append(command("notice", summary_line(validation), {"title": "policysim validate"}))
    return "".join(line + "\n" for line in lines)
