"""What `policysim validate` reports: findings, each located at the element it is about, and the run's totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policysim.enums import PolicyKind
from policysim.errors import Location, PolicysimError, format_path

from .codes import CATALOGUE, Code, Severity


@dataclass(frozen=True)
class Finding:
    """One finding: a code, its words, and where it is (file, line and column of the element, policy, statement).

    `policy` names the policy by its place: the file for a policy file, the key path for a policy in a scenario
    (`accounts.111111111111.users.David.inline_policies.read`). `statement` is the Sid, or `#N` (from 1).
    `suppressed` is the reason of the configured suppression that matched, when one did.
    """

    code: Code
    message: str
    location: Location
    policy: str
    kind: PolicyKind
    statement: str | None = None
    hint: str | None = None  # what to do; the code's usual fix (`CodeInfo.hint`) when not given
    suppressed: str | None = None

    def __post_init__(self) -> None:
        if self.hint is None:
            object.__setattr__(self, "hint", CATALOGUE[self.code].hint)

    @property
    def severity(self) -> Severity:
        """The code's severity."""
        return CATALOGUE[self.code].severity

    @property
    def file(self) -> str | None:
        """The file the element is in."""
        return self.location.file

    @property
    def line(self) -> int | None:
        """The element's line (from 1), where known."""
        return self.location.line

    @property
    def column(self) -> int | None:
        """The element's column (from 1), where known."""
        return self.location.column

    @property
    def element(self) -> str:
        """The element's key path inside the file, such as `Statement[0].Action[1]`."""
        return format_path(self.location.path)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (contracts.md section 7), with `kind` and `element`; `suppressed` keys when suppressed."""
        out: dict[str, Any] = {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "policy": self.policy,
            "statement": self.statement,
            "kind": self.kind.value,
            "element": self.element,
        }
        if self.suppressed is not None:
            out["suppressed"] = True
            out["suppression_reason"] = self.suppressed
        return out


def sort_key(finding: Finding) -> tuple[str, int, int, str, str]:
    """Findings in file order: file, line, column, then code."""
    where = finding.location
    return (where.file or "", where.line or 0, where.column or 0, finding.code.value, finding.message)


@dataclass(frozen=True)
class Validation:
    """A whole run: the findings, the inputs that could not be validated (each makes the run exit 2), the files
    skipped under directories as neither a policy nor a scenario, and how much was checked."""

    findings: tuple[Finding, ...] = ()
    errors: tuple[PolicysimError, ...] = ()
    skipped: tuple[str, ...] = ()
    files: int = 0
    policies: int = 0

    def failing(self, level: Severity) -> list[Finding]:
        """The unsuppressed findings at or above `level`."""
        return [f for f in self.findings if f.suppressed is None and f.severity.rank >= level.rank]

    def counts(self) -> dict[str, int]:
        """Unsuppressed findings per severity (`error`, `security_warning`, `warning`, `suggestion`), `suppressed`."""
        out = {severity.value.lower(): 0 for severity in Severity}
        for finding in self.findings:
            if finding.suppressed is None:
                out[finding.severity.value.lower()] += 1
        out["suppressed"] = sum(1 for f in self.findings if f.suppressed is not None)
        return out

    def summary(self) -> dict[str, int]:
        """The JSON `summary`: the counts, with the files and policies checked and the invalid inputs."""
        return {
            **self.counts(),
            "findings": len(self.findings),
            "files": self.files,
            "policies": self.policies,
            "invalid_inputs": len(self.errors),
        }


def error_record(error: PolicysimError) -> Mapping[str, Any]:
    """An input that could not be validated, as JSON (the `error` record of `policysim check`)."""
    where = error.location
    return {
        "code": error.code,
        "message": error.message,
        "hint": error.hint,
        "file": where.file if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
    }
