"""The `--accept` file: changes a reviewer expects, each with the reason it is fine.

    accept:
      - change: new-access            # optional: new-access | removed-access | deny-changed (default: any)
        principal: "arn:aws:iam::999999999999:role/UpdateData*"   # glob on the caller's ARN or label
        action: "s3:*Object"          # glob, case-insensitive; must cover every action the row stands for
        resource: "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/*"   # glob
        file: "scenarios/*.yaml"      # optional glob on the scenario file
        reason: "the app now writes to the shared bucket (TICKET-123)"

Omitted patterns match anything. An entry that matches nothing is reported, so stale entries do not pile up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from policysim.enums import ChangeKind
from policysim.errors import Location
from policysim.ir.pattern import Glob
from policysim.load import load_file
from policysim.model.validation import validate

from .compare import Change


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    change: Literal["new-access", "removed-access", "deny-changed"] | None = None
    principal: str = "*"
    action: str = "*"
    resource: str = "*"
    file: str = "*"
    reason: Annotated[str, Field(min_length=1, pattern=r"\S")]


class _AcceptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    accept: list[_Entry]


@dataclass(frozen=True)
class Acceptance:
    """One accepted change pattern, compiled."""

    change: ChangeKind | None
    principal: Glob
    action: Glob
    resource: Glob
    file: Glob
    reason: str
    location: Location | None

    def covers(self, change: Change, file: str) -> bool:
        """Does this entry accept the change (every action the row stands for)?"""
        probe = change.probe
        return (
            (self.change is None or self.change is change.kind)
            and (self.principal.matches(probe.caller.key) or self.principal.matches(probe.caller.label))
            and all(self.action.matches(a) for a in probe.action.members)
            and self.resource.matches(probe.resource)
            and self.file.matches(file)
        )


def load_acceptances(path: Path) -> list[Acceptance]:
    """Read and compile an accept file; problems are located errors."""
    doc = load_file(path)
    wire = validate(_AcceptFile, doc.data, doc.locate, "accept file")
    return [
        Acceptance(
            ChangeKind(entry.change) if entry.change else None,
            Glob.compile(entry.principal),
            Glob.compile(entry.action, ignore_case=True),
            Glob.compile(entry.resource),
            Glob.compile(entry.file),
            entry.reason,
            doc.locate(("accept", index)),
        )
        for index, entry in enumerate(wire.accept)
    ]
